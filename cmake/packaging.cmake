# Installation and the Debian package. `cpack -G DEB` in the build tree (or
# `cmake --build build --target package`) writes pcgd_<version>_<arch>.deb:
#   /usr/bin/pcgd
#   /usr/lib/pcgd/plugins/pcgd_<platform>.so   found by default_config() as ../lib/pcgd/plugins
#   /usr/lib/systemd/system/pcgd.service
#   /etc/pcgd/pcgd.toml                        a conffile
#   /usr/share/doc/pcgd/                       the example configuration, service.md, README.md
# The SDK (component sdk: headers and CMake package, for plugins built out of
# tree) is not part of it.
set(PCGD_PLUGIN_INSTALL_DIR lib/pcgd/plugins)
foreach(platform shopify amazon woocommerce ebay)
  if(TARGET pcgd_${platform})
    install(TARGETS pcgd_${platform} LIBRARY DESTINATION ${PCGD_PLUGIN_INSTALL_DIR} COMPONENT runtime)
  endif()
endforeach()
install(FILES config/pcgd.service DESTINATION lib/systemd/system COMPONENT runtime)
# Absolute on purpose: /etc, not /usr/etc, whatever the prefix.
install(FILES config/pcgd.toml DESTINATION /etc/pcgd COMPONENT runtime)
install(FILES config/pcgd.example.toml docs/service.md README.md DESTINATION share/doc/pcgd COMPONENT runtime)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pcgd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "PCGD")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SME e-commerce data platform: sync, analysis and an HTTP API")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Only the runtime component: the SDK's headers would belong in a -dev package.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};runtime;/")
# Debug information stays in the build tree; the package gets stripped files.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "PCGD maintainers <pcgd@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION
  "PCGD connects SME shops on Shopify, Amazon, WooCommerce and eBay, syncs their orders, \
catalogues and traffic into an embedded SQLite store, and runs four analysis tools and a \
coaching programme over them. `pcgd serve` (pcgd.service) serves the reports over HTTP \
with per-role API tokens.")
# Library dependencies are read off the binaries by dpkg-shlibdeps (dpkg-dev);
# adduser is for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/config/debian/conffiles
  ${PROJECT_SOURCE_DIR}/config/debian/postinst
  ${PROJECT_SOURCE_DIR}/config/debian/prerm
  ${PROJECT_SOURCE_DIR}/config/debian/postrm)
include(CPack)
