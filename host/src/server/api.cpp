#include "server/api.hpp"

#include <string>

namespace pcgd::host::server {

void add_all_routes(Router& router, Api& api) {
    add_health_routes(router, api);
    add_sme_routes(router, api);
    add_report_routes(router, api);
    add_export_routes(router, api);
    add_coaching_routes(router, api);
    add_dashboard_routes(router, api);
    add_sync_routes(router, api);
    add_webhook_routes(router, api);
    add_connect_routes(router, api);
}

std::optional<Response> unknown_parameter(const Request& request, std::initializer_list<const char*> known) {
    for (const auto& [name, value] : request.query) {
        bool ok = false;
        for (const char* k : known) ok = ok || name == k;
        if (ok) continue;
        std::string list;
        for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        return json_error(400, "unknown parameter '" + name + "' (" +
                                   (list.empty() ? "this route takes none" : "known: " + list) + ")");
    }
    return std::nullopt;
}

Response json_ok(std::string body) {
    Response r;
    r.body = std::move(body);
    return r;
}

}  // namespace pcgd::host::server
