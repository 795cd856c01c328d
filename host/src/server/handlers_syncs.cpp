// POST /api/shops/{id}/sync (queue a sync), GET /api/shops/{id}/sync (the
// scheduler's view of the shop), GET /api/syncs/{id} (one sync's progress).
// Admin and the managers who coach the shop's SME may start a sync; an SME
// token is read-only. A sync is readable by whoever may read its shop, and
// an SME token gets for another SME's sync the very 404 of an unknown one.
#include <charconv>
#include <pcgd/model/time.hpp>

#include "server/access.hpp"
#include "server/api.hpp"

namespace pcgd::host::server {

namespace {

void time_field(json::Writer& w, const char* name, std::int64_t at_ms) {
    w.key(name);
    at_ms ? w.value(model::format_iso8601(at_ms)) : w.null();
}

void text_field(json::Writer& w, const char* name, const std::string& text) {
    w.key(name);
    text.empty() ? w.null() : w.value(text);
}

std::string job_json(const SyncJob& job) {
    json::Writer w;
    w.begin_object().field("id", job.id).field("shop", job.shop_id).field("reason", job.reason);
    w.field("state", to_string(job.state));
    time_field(w, "queued_at", job.queued_at_ms);
    time_field(w, "started_at", job.started_at_ms);
    time_field(w, "finished_at", job.finished_at_ms);
    text_field(w, "error", job.report.error);
    w.key("datasets").begin_array();
    for (const auto& d : job.report.datasets) {
        w.begin_object().field("dataset", sdk::to_string(d.dataset)).field("ok", d.ok).field("stopped", d.stopped);
        text_field(w, "error", d.error);
        w.field("records", d.records).field("pages", d.pages).field("requests", d.requests);
        w.field("retries", d.retries).field("restarts", d.restarts).field("waited_ms", d.waited_ms);
        w.field("inserted", d.stats.inserted).field("updated", d.stats.updated);
        w.field("unchanged", d.stats.unchanged).field("deleted", d.stats.deleted);
        w.end_object();
    }
    w.end_array().end_object();
    return std::string(w.view());
}

std::string schedule_json(const ShopSchedule& s, std::int64_t now_ms) {
    json::Writer w;
    w.begin_object().field("shop", s.shop_id).field("state", to_string(s.phase));
    time_field(w, "next_run_at", s.job_id ? 0 : s.next_run_at_ms);
    time_field(w, "last_success_at", s.last_success_at_ms);
    w.key("lag_s");
    s.last_success_at_ms ? w.value(std::max<std::int64_t>(0, (now_ms - s.last_success_at_ms) / 1000)) : w.null();
    w.field("consecutive_failures", static_cast<std::int64_t>(s.consecutive_failures));
    text_field(w, "last_error", s.last_error);
    w.key("sync_id");
    s.job_id ? w.value(s.job_id) : w.null();
    w.end_object();
    return std::string(w.view());
}

Response no_queue() {
    return json_error(503, "no sync queue runs in this process");
}

Response start_sync(Api& api, const Call& c) {
    if (auto bad = unknown_parameter(c.request, {})) return *bad;
    const auto& id = c.params.at("id");
    const Access access = shop_access(c.store, *c.principal, id);
    if (c.principal->role == Role::sme && access == Access::allowed)
        return json_error(403, "an SME token is read-only: it cannot start a sync");
    if (auto refused = refusal(*c.principal, access, "shop", id)) return *refused;
    if (!api.request_sync) return no_queue();
    SyncTicket ticket;
    try {
        ticket = api.request_sync(id, "api");
    } catch (const std::runtime_error& e) {
        return json_error(503, e.what());
    }
    json::Writer w;
    w.begin_object().field("sync_id", ticket.id).field("already_queued", ticket.already_queued).end_object();
    Response r = json_ok(std::string(w.view()));
    r.status = 202;
    return r;
}

Response read_sync(Api& api, const Call& c) {
    if (auto bad = unknown_parameter(c.request, {})) return *bad;
    const auto& text = c.params.at("id");
    const Response unknown = json_error(404, "no sync '" + text + "'");
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return unknown;
    if (!api.sync_job) return no_queue();
    const auto job = api.sync_job(id);
    if (!job) return unknown;
    if (c.principal->role != Role::admin) {
        const Access access = shop_access(c.store, *c.principal, job->shop_id);
        if (access != Access::allowed) {
            if (access == Access::unknown || c.principal->role == Role::sme) return unknown;
            return json_error(403, "sync '" + text + "' is of a shop not among those this token may read");
        }
    }
    return json_ok(job_json(*job));
}

Response read_schedule(Api& api, const Call& c) {
    if (auto bad = unknown_parameter(c.request, {})) return *bad;
    const auto& id = c.params.at("id");
    if (auto refused = refusal(*c.principal, shop_access(c.store, *c.principal, id), "shop", id)) return *refused;
    if (!api.shop_schedule) return json_error(503, "no scheduler runs in this process");
    const auto schedule = api.shop_schedule(id);
    if (!schedule) return json_error(503, "the scheduler has not listed shop '" + id + "' yet");
    return json_ok(schedule_json(*schedule, api.now_ms()));
}

}  // namespace

void add_sync_routes(Router& router, Api& api) {
    router.add("POST", "/api/shops/{id}/sync", [&api](const Call& c) { return start_sync(api, c); }, {.on_io_thread = true});
    router.add("GET", "/api/shops/{id}/sync", [&api](const Call& c) { return read_schedule(api, c); }, {.on_io_thread = true});
    router.add("GET", "/api/syncs/{id}", [&api](const Call& c) { return read_sync(api, c); }, {.on_io_thread = true});
}

}  // namespace pcgd::host::server
