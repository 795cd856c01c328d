// The service's API: what its handlers share, and one function per resource
// that adds that resource's routes (handlers_*.cpp). docs/service.md lists
// the routes; openapi.json describes them and a test keeps the two equal.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>

#include "config/config.hpp"
#include "server/metrics.hpp"
#include "server/router.hpp"
#include "store/store.hpp"

namespace pcgd::host::server {

struct Api {
    Store& store;
    const Config& config;
    Metrics& metrics;
    /// /readyz: empty when ready, else what is missing.
    std::function<std::string()> not_ready = [] { return std::string(); };
    /// "Now", for the reports' default month.
    std::function<std::int64_t()> now_ms;
};

void add_health_routes(Router& router, Api& api);    // /healthz, /readyz, /metrics, /api/openapi.json
void add_sme_routes(Router& router, Api& api);       // /api/smes...
void add_report_routes(Router& router, Api& api);    // /api/reports/{tool}
void add_export_routes(Router& router, Api& api);    // /api/exports/{table}
void add_coaching_routes(Router& router, Api& api);  // /api/smes/{id}/programme

/// Every route of the service.
void add_all_routes(Router& router, Api& api);

/// A 400 naming the first query parameter not in `known`; nullopt when all are known.
std::optional<Response> unknown_parameter(const Request& request, std::initializer_list<const char*> known);

/// A 200 with a JSON body.
Response json_ok(std::string body);

}  // namespace pcgd::host::server
