// /healthz and /readyz (no token), /metrics (admin), /api/openapi.json.
#include "server/api.hpp"
#include "server/openapi.hpp"

namespace pcgd::host::server {

void add_health_routes(Router& router, Api& api) {
    // Alive: the process answers. Nothing else is checked, so an orchestrator
    // never restarts a service that is merely not ready.
    router.add(
        "GET", "/healthz", [](const Call&) { return json_ok(R"({"status":"ok"})"); },
        {.is_public = true, .on_io_thread = true});
    router.add(
        "GET", "/readyz",
        [&api](const Call& c) {
            std::string missing;
            try {
                c.store.counts(std::nullopt);  // the store answers a query
            } catch (const std::exception& e) {
                missing = std::string("the store cannot be read: ") + e.what();
            }
            if (missing.empty()) missing = api.not_ready();
            if (!missing.empty()) return json_error(503, missing);
            return json_ok(R"({"status":"ready"})");
        },
        {.is_public = true, .on_io_thread = true});
    // On the I/O thread: the lag series reads the scheduler.
    router.add(
        "GET", "/metrics",
        [&api](const Call& c) {
            if (c.principal->role != Role::admin) return json_error(403, "metrics need an admin token");
            Response r;
            r.content_type = "text/plain; version=0.0.4; charset=utf-8";
            r.body = api.metrics.render();
            return r;
        },
        {.on_io_thread = true});
    router.add(
        "GET", "/api/openapi.json", [](const Call&) { return json_ok(std::string(openapi_json())); },
        {.on_io_thread = true});
}

}  // namespace pcgd::host::server
