// The four PCGD tools. Each builds a Report (see report.hpp) for a scope.
#pragma once

#include "analysis/report.hpp"
#include "analysis/scope.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

namespace pcgd::analysis {

/// Guide 1: a listing quality score per product and per shop.
Report quality_report(host::Store& store, const host::Config& config, const Scope& scope);
/// Guide 2: strong, good and potential opportunities, and new-market candidates.
Report opportunities_report(host::Store& store, const host::Config& config, const Scope& scope);
/// Guide 3: months, channels, a projection and comparisons.
Report planning_report(host::Store& store, const host::Config& config, const Scope& scope);
/// Guide 4: the month's profit per order and per product.
Report growth_report(host::Store& store, const host::Config& config, const Scope& scope);

/// The dated title limit of a platform (and marketplace) on a day, in characters.
/// The tool named `tool` (quality, opportunities, planning or growth), as
/// `pcgd report` and the service's /api/reports run it. Throws
/// std::invalid_argument for another name.
Report run_tool(std::string_view tool, host::Store& store, const host::Config& config, const Scope& scope);

std::size_t title_limit(const std::string& platform, std::int64_t day);

}  // namespace pcgd::analysis
