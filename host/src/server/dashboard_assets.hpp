// The dashboard's files (dashboard/), embedded at build time
// (dashboard_assets.cpp.in) so that `pcgd serve` needs no file beside it and
// the page works offline: no CDN, no web font, nothing fetched elsewhere.
#pragma once

#include <span>
#include <string_view>

namespace pcgd::host::server {

struct DashboardAsset {
    std::string_view name;  // as in /dashboard/{name}
    std::string_view content_type;
    std::string_view body;
    std::string_view version;  // the start of the body's SHA-256: index.html asks for name?v=version
};

/// index.html (served at /) and the files it loads.
std::span<const DashboardAsset> dashboard_assets() noexcept;

}  // namespace pcgd::host::server
