#include "analysis/tools.hpp"

#include <stdexcept>
#include <string>

namespace pcgd::analysis {

Report run_tool(std::string_view tool, host::Store& store, const host::Config& config, const Scope& scope) {
    if (tool == "quality") return quality_report(store, config, scope);
    if (tool == "opportunities") return opportunities_report(store, config, scope);
    if (tool == "planning") return planning_report(store, config, scope);
    if (tool == "growth") return growth_report(store, config, scope);
    throw std::invalid_argument("no tool '" + std::string(tool) + "' (quality, opportunities, planning or growth)");
}

}  // namespace pcgd::analysis
