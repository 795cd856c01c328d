// The dashboard: GET / (the page) and GET /dashboard/{asset} (its script and
// style), public because they hold no data: the page signs in with a token
// and reads everything through the token-protected API. GET /api/me tells the
// page who the token is.
#include <pcgd/sdk/json.hpp>

#include "server/access.hpp"
#include "server/api.hpp"
#include "server/dashboard_assets.hpp"

namespace pcgd::host::server {

namespace {

// Everything from this origin only; no inline script or style, no plugin,
// no framing. The token lives in the page, so no other origin's code may
// ever run in it. No form is ever submitted natively (form-action 'none'):
// the sign-in form is handled by the script, so a token typed in it can
// never end up in a URL.
constexpr const char* content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const DashboardAsset* find_asset(std::string_view name) {
    for (const auto& a : dashboard_assets())
        if (a.name == name) return &a;
    return nullptr;
}

Response asset_response(const DashboardAsset& asset, bool versioned) {
    Response r;
    r.content_type = std::string(asset.content_type);
    r.body = std::string(asset.body);
    // A versioned URL names these very bytes, so it may be kept for good;
    // the page itself is revalidated so that an upgrade shows at once.
    r.headers.emplace_back("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "no-cache");
    r.headers.emplace_back("Content-Security-Policy", content_security_policy);
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    return r;
}

}  // namespace

void add_dashboard_routes(Router& router, Api& api) {
    router.add(
        "GET", "/",
        [](const Call& c) {
            if (auto bad = unknown_parameter(c.request, {})) return *bad;
            return asset_response(*find_asset("index.html"), false);
        },
        {.is_public = true});
    router.add(
        "GET", "/dashboard/{asset}",
        [](const Call& c) {
            if (auto bad = unknown_parameter(c.request, {"v"})) return *bad;
            const auto& name = c.params.at("asset");
            const DashboardAsset* asset = name == "index.html" ? nullptr : find_asset(name);
            if (!asset) return json_error(404, "no dashboard file '" + name + "'");
            const auto v = c.request.query.find("v");
            return asset_response(*asset, v != c.request.query.end() && v->second == asset->version);
        },
        {.is_public = true});
    router.add("GET", "/api/me", [&api](const Call& c) {
        if (auto bad = unknown_parameter(c.request, {})) return *bad;
        json::Writer w;
        w.begin_object().field("role", to_string(c.principal->role)).key("subject");
        c.principal->subject.empty() ? w.null() : w.value(c.principal->subject);
        w.key("smes").begin_array();
        for (const auto& sme : visible_smes(c.store, *c.principal)) w.value(sme.id);
        w.end_array().end_object();
        return json_ok(std::string(w.view()));
    });
}

}  // namespace pcgd::host::server
