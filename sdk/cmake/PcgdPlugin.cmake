# pcgd_add_plugin(<name> SOURCES <src>... [MANIFEST <file>] [OUTPUT_DIRECTORY <dir>])
#
# Builds a PCGD plugin: a MODULE library `pcgd_<name>.so` that exports only
# the two entry symbols, plus an OBJECT library `pcgd_<name>_objects` that
# tests link to drive the plugin in-process with FakeHost.
include_guard(GLOBAL)
# A cache entry, not a variable: the function is called from other directories.
set(PCGD_PLUGIN_EXPORTS_MAP ${CMAKE_CURRENT_LIST_DIR}/pcgd_plugin_exports.map CACHE INTERNAL "")

function(pcgd_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "pcgd_add_plugin(${name}): SOURCES is required")
  endif()
  set(objects pcgd_${name}_objects)
  add_library(${objects} OBJECT ${ARG_SOURCES})
  target_link_libraries(${objects} PUBLIC pcgd::sdk ${ARG_LINK})
  set_target_properties(${objects} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)

  add_library(pcgd_${name} MODULE)
  target_link_libraries(pcgd_${name} PRIVATE ${objects})
  if(ARG_OUTPUT_DIRECTORY)
    set(out ${ARG_OUTPUT_DIRECTORY})
  elseif(DEFINED PCGD_PLUGIN_OUTPUT_DIRECTORY)
    set(out ${PCGD_PLUGIN_OUTPUT_DIRECTORY})
  else()
    set(out ${CMAKE_BINARY_DIR}/plugins)
  endif()
  set_target_properties(pcgd_${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME pcgd_${name}
    LIBRARY_OUTPUT_DIRECTORY ${out})
  # Fail at link time, not at load time, on a missing symbol.
  target_link_options(pcgd_${name} PRIVATE -Wl,--no-undefined -Wl,-z,defs
    -Wl,--version-script=${PCGD_PLUGIN_EXPORTS_MAP})
  set_property(TARGET pcgd_${name} APPEND PROPERTY LINK_DEPENDS ${PCGD_PLUGIN_EXPORTS_MAP})
endfunction()
