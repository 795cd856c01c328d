// The service's API: what its handlers share, and one function per resource
// that adds that resource's routes (handlers_*.cpp). docs/service.md lists
// the routes; openapi.json describes them and a test keeps the two equal.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>

#include "config/config.hpp"
#include "secrets/vault.hpp"
#include "server/metrics.hpp"
#include "server/router.hpp"
#include "store/store.hpp"
#include "sync/scheduler.hpp"
#include "sync/sync_queue.hpp"

namespace pcgd::host::server {

/// What the service's sync queue answers when asked for a sync.
struct SyncTicket {
    std::int64_t id = 0;          // the sync's id: GET /api/syncs/{id}
    bool already_queued = false;  // the shop was queued or running already: this is that sync
};

/// What the handlers share across threads; each call's store and
/// configuration come with the call (router.hpp). THREAD: now_ms and
/// post_form from any thread; the others on the I/O thread only, so from
/// routes with RouteOptions::on_io_thread.
struct Api {
    Metrics& metrics;  // thread-safe
    /// /readyz: empty when ready, else what is missing.
    std::function<std::string()> not_ready = [] { return std::string(); };
    /// "Now", for the reports' default month.
    std::function<std::int64_t()> now_ms{};
    /// Queues an incremental sync of a known shop (reason: "api", "webhook",
    /// "schedule"). Unset where no sync queue runs (handlers answer 503).
    /// Throws std::runtime_error for an unknown shop and once the service is
    /// stopping.
    std::function<SyncTicket(const std::string& shop_id, const std::string& reason)> request_sync{};
    /// A sync by id, while the queue remembers it. Unset: no sync queue (503).
    std::function<std::optional<SyncJob>(std::int64_t sync_id)> sync_job{};
    /// The scheduler's view of a shop. Unset: no scheduler (503).
    std::function<std::optional<ShopSchedule>(const std::string& shop_id)> shop_schedule{};
    /// Opens shops' credentials (webhook secrets, OAuth); set before serving.
    std::shared_ptr<const Vault> vault{};
    /// POSTs a form (the connect callbacks' code exchange, on a worker), with
    /// an Authorization header unless `authorization` is empty, and returns
    /// the status and body; throws on a transport failure. Null: a blocking
    /// exchange through the host's HTTP client (connect_exchange.cpp).
    std::function<std::pair<int, std::string>(const std::string& url, const std::string& form,
                                              const std::string& authorization)>
        post_form{};
};

void add_health_routes(Router& router, Api& api);     // /healthz, /readyz, /metrics, /api/openapi.json
void add_sme_routes(Router& router, Api& api);        // /api/smes...
void add_report_routes(Router& router, Api& api);     // /api/reports/{tool}
void add_export_routes(Router& router, Api& api);     // /api/exports/{table}
void add_coaching_routes(Router& router, Api& api);   // /api/smes/{id}/programme
void add_dashboard_routes(Router& router, Api& api);  // /, /dashboard/{asset}, /api/me
void add_sync_routes(Router& router, Api& api);       // /api/shops/{id}/sync, /api/syncs/{id}
void add_webhook_routes(Router& router, Api& api);    // /webhooks/{platform}/{shop_id}: signed, no token
void add_connect_routes(Router& router, Api& api);    // /connect/{platform}/callback: signed state, no token

/// Every route of the service.
void add_all_routes(Router& router, Api& api);

/// A 400 naming the first query parameter not in `known`; nullopt when all are known.
std::optional<Response> unknown_parameter(const Request& request, std::initializer_list<const char*> known);

/// A 200 with a JSON body.
Response json_ok(std::string body);

}  // namespace pcgd::host::server
