#include "server/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>

#include "server/api.hpp"
#include "server/http_server.hpp"
#include "store/store_pool.hpp"
#include "sync/scheduler.hpp"

namespace pcgd::host::server {

namespace {

std::int64_t wall_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The queue, the scheduler and the timer that drives it. Everything but the
/// queue's workers runs on the io_context's thread; the workers hand their
/// news over with post().
class Syncs {
public:
    Syncs(boost::asio::io_context& io, Store& store, const Config& config, Metrics& metrics, SyncRunner runner)
        : io_(io),
          store_(store),
          config_(config),
          metrics_(metrics),
          tick_timer_(io),
          rng_(std::random_device{}()),
          scheduler_(config.scheduler, wall_now_ms,
                     [this] { return std::uniform_real_distribution<double>(-1.0, 1.0)(rng_); }) {
        SyncQueueOptions q;
        q.workers = config.scheduler.max_concurrent;
        q.now_ms = wall_now_ms;
        q.on_started = [this](const SyncJob& job) {
            boost::asio::post(io_, [this, shop = job.shop_id, id = job.id] { scheduler_.on_started(shop, id); });
        };
        q.on_finished = [this, &metrics](const SyncJob& job) {
            metrics.count_sync(job.report);
            const std::string error = failure_summary(job.report);
            if (job.state == SyncJobState::failed)
                spdlog::warn("sync {} of {} failed: {}", job.id, job.shop_id, error);
            else
                spdlog::info("sync {} of {} {}", job.id, job.shop_id, to_string(job.state));
            boost::asio::post(io_, [this, shop = job.shop_id, id = job.id, state = job.state, error] {
                scheduler_.on_finished(shop, id, state, error);
            });
        };
        queue_ = std::make_unique<SyncQueue>(std::move(q), std::move(runner));
        metrics.set_sync_lag([this] {
            std::map<std::string, double> lag;
            const std::int64_t now = wall_now_ms();
            for (const auto& s : scheduler_.shops())
                if (s.last_success_at_ms) lag[s.shop_id] = static_cast<double>(now - s.last_success_at_ms) / 1000.0;
            return lag;
        });
    }

    ~Syncs() { metrics_.set_sync_lag(nullptr); }

    void start() { tick(); }

    SyncTicket request(const std::string& shop_id, const std::string& reason) {
        const auto shop = store_.get_shop(shop_id);
        if (!shop) throw std::runtime_error("no shop '" + shop_id + "'");
        if (!scheduler_.shop(shop_id)) refresh_shops();
        const auto r = queue_->request(shop_id, shop->budget_key(), reason);
        scheduler_.on_queued(shop_id, r.id);
        return SyncTicket{r.id, r.already_queued};
    }

    std::optional<SyncJob> job(std::int64_t id) const { return queue_->job(id); }

    /// After a reload: the scheduler plans with the new settings (config_ is
    /// the service's live configuration, already replaced), new jobs run
    /// with the new runner.
    void reload(SyncRunner runner) {
        scheduler_.set_config(config_.scheduler);
        if (runner) queue_->set_runner(std::move(runner));
    }

    std::optional<ShopSchedule> schedule(const std::string& shop_id) {
        if (!scheduler_.shop(shop_id)) refresh_shops();
        return scheduler_.shop(shop_id);
    }

    /// Stops scheduling and taking work; the running syncs are asked to stop.
    void begin_stop() {
        stopping_ = true;
        tick_timer_.cancel();
        queue_->begin_stop();
    }
    bool stopped() { return queue_->wait_stopped(std::chrono::milliseconds(0)); }

private:
    static constexpr std::chrono::milliseconds tick_interval{1000};

    // Every tick re-lists the shops, so `pcgd shop add` while serving is
    // picked up and a removed shop is forgotten. A new shop (or every shop,
    // after a restart) starts from the store: its last success is the oldest
    // of its datasets' that ever succeeded, its failures in a row the most of
    // any dataset's, and its error each failing dataset's, as a failed sync
    // reports them.
    void refresh_shops() {
        std::vector<KnownShop> known;
        for (const auto& shop : store_.list_shops()) {
            KnownShop k{shop.shop.id};
            if (!scheduler_.shop(shop.shop.id))
                for (const auto d : {sdk::Dataset::inventory, sdk::Dataset::orders, sdk::Dataset::traffic}) {
                    const SyncState state = store_.sync_state(shop.shop.id, d);
                    const std::int64_t at = state.last_success_at_ms;
                    if (at && (k.last_success_at_ms == 0 || at < k.last_success_at_ms)) k.last_success_at_ms = at;
                    if (state.consecutive_failures == 0) continue;
                    k.consecutive_failures = std::max(k.consecutive_failures, state.consecutive_failures);
                    k.last_failure_at_ms = std::max(k.last_failure_at_ms, state.last_failure_at_ms);
                    k.last_error += (k.last_error.empty() ? "" : "; ") + std::string(sdk::to_string(d)) + ": " +
                                    state.last_error;
                }
            known.push_back(std::move(k));
        }
        scheduler_.set_shops(known);
    }

    void tick() {
        if (stopping_) return;
        try {
            refresh_shops();
            if (config_.scheduler.enabled)
                for (const auto& shop_id : scheduler_.due()) request(shop_id, "schedule");
        } catch (const std::exception& e) {
            // The store busy or a shop removed between list and request: the next tick tries again.
            spdlog::warn("scheduler: {}", e.what());
        }
        tick_timer_.expires_after(tick_interval);
        tick_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) tick();
        });
    }

    boost::asio::io_context& io_;
    Store& store_;
    const Config& config_;
    Metrics& metrics_;
    boost::asio::steady_timer tick_timer_;
    std::mt19937_64 rng_;
    Scheduler scheduler_;
    std::unique_ptr<SyncQueue> queue_;
    bool stopping_ = false;
};

/// The settings a running service cannot change, named when a reload would
/// change them ("store.path, server.listen").
std::string restart_only_changes(const Config& running, const Config& next) {
    std::string out;
    const auto note = [&](bool changed, const char* key) {
        if (changed) out += (out.empty() ? "" : ", ") + std::string(key);
    };
    note(running.store_path != next.store_path, "store.path");
    note(running.key_file != next.key_file, "secrets.key_file");
    note(running.server.listen != next.server.listen, "server.listen");
    note(running.server.max_body_bytes != next.server.max_body_bytes, "server.max_body_bytes");
    note(running.server.max_header_bytes != next.server.max_header_bytes, "server.max_header_bytes");
    note(running.server.read_timeout_ms != next.server.read_timeout_ms, "server.read_timeout_ms");
    note(running.server.worker_threads != next.server.worker_threads, "server.worker_threads");
    note(running.scheduler.max_concurrent != next.scheduler.max_concurrent, "scheduler.max_concurrent");
    note(running.log_level != next.log_level, "log.level");
    note(running.log_format != next.log_format, "log.format");
    return out;
}

/// SIGHUP: reads the configuration again. A bad one is refused with a log
/// line and changes nothing; a good one replaces `config` (but for the
/// settings only a restart changes) and the syncs' runner.
void reload(Config& config, const ServiceOptions& options, const std::function<void(SyncRunner)>& reload_syncs) {
    if (!options.reload) {
        spdlog::warn("SIGHUP: this service was started without a configuration to reload");
        return;
    }
    ServiceOptions::Reloaded next;
    try {
        next = options.reload();
    } catch (const std::exception& e) {
        spdlog::error("SIGHUP: reload refused, the running configuration stays: {}", e.what());
        return;
    }
    if (const std::string kept = restart_only_changes(config, next.config); !kept.empty())
        spdlog::warn("SIGHUP: {} changed: in force after a restart only", kept);
    Config merged = std::move(next.config);
    merged.store_path = config.store_path;
    merged.key_file = config.key_file;
    merged.server = config.server;
    merged.scheduler.max_concurrent = config.scheduler.max_concurrent;
    merged.log_level = config.log_level;
    merged.log_format = config.log_format;
    config = std::move(merged);
    if (reload_syncs) reload_syncs(std::move(next.sync_runner));
    spdlog::info("SIGHUP: configuration reloaded{}{}", next.summary.empty() ? "" : "; ", next.summary);
}

unsigned worker_count(const ServerConfig& server) {
    if (server.worker_threads) return server.worker_threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

void run_service(Store& store, const Config& started_with, const ServiceOptions& options) {
    // The configuration in force: a SIGHUP replaces it, on this thread, the
    // one the I/O-thread routes and the scheduler run on. Each worker-route
    // call gets the snapshot in force when it arrived, so a reload never
    // changes a configuration under a running report.
    Config config = started_with;
    auto config_in_force = std::make_shared<const Config>(config);
    boost::asio::io_context io;
    Metrics metrics;
    Api api{metrics};
    if (options.not_ready) api.not_ready = options.not_ready;
    api.now_ms = wall_now_ms;
    api.vault = std::make_shared<const Vault>(Vault::from_environment_or_file(config.key_file.string()));
    // Declared after io and metrics: its workers post to the one and count
    // into the other until it is destroyed.
    std::unique_ptr<Syncs> syncs;
    if (options.sync_runner) {
        syncs = std::make_unique<Syncs>(io, store, config, metrics, options.sync_runner);
        api.request_sync = [&syncs](const std::string& shop_id, const std::string& reason) {
            return syncs->request(shop_id, reason);
        };
        api.sync_job = [&syncs](std::int64_t id) { return syncs->job(id); };
        api.shop_schedule = [&syncs](const std::string& shop_id) { return syncs->schedule(shop_id); };
    }
    Router router;
    add_all_routes(router, api);

    // Declared after everything its tasks use, so it is joined first.
    StorePool worker_stores([path = config.store_path.string()] { return open_sqlite_store(path); });
    boost::asio::thread_pool workers(worker_count(config.server));
    const auto dispatch = [&](Request request, HttpServer::Respond respond) {
        Match match = router.match(request);
        if (match.runs_on_io_thread()) return respond(router.handle(request, match, store, *config_in_force));
        boost::asio::post(workers, [&router, &worker_stores, config = config_in_force, request = std::move(request),
                                    match = std::move(match), respond = std::move(respond)]() mutable {
            Response response;
            try {
                const auto lease = worker_stores.lease();
                response = router.handle(request, match, *lease, *config);
            } catch (const std::exception& e) {
                spdlog::error("{} {}: the store cannot be opened: {}", request.method, request.path, e.what());
                response = json_error(503, "the store cannot be opened (see the service's log)");
            }
            respond(std::move(response));
        });
    };

    // One line per response. The route pattern, never the raw target or a
    // header: nothing secret can reach the log.
    auto observe = [&metrics](const std::string& method, const std::string& route, unsigned status, double ms) {
        metrics.count_request(route, status);
        spdlog::info("{} {} {} {:.1f} ms", method, route.empty() ? "-" : route, status, ms);
    };
    HttpServer server(io, config.server, dispatch, observe);
    const std::string bound = server.listen(options.listen.empty() ? config.server.listen : options.listen);

    // Registered before announcing the address, so that a signal sent as
    // soon as the address is known is never lost.
    boost::asio::signal_set hangups(io, SIGHUP);
    std::function<void(SyncRunner)> reload_syncs;
    if (syncs) reload_syncs = [&syncs](SyncRunner runner) { syncs->reload(std::move(runner)); };
    std::function<void()> wait_for_hangup = [&] {
        hangups.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec) return;
            reload(config, options, reload_syncs);
            config_in_force = std::make_shared<const Config>(config);
            wait_for_hangup();
        });
    };
    wait_for_hangup();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer deadline(io), poll(io);
    bool http_done = false;
    const auto finish_if_done = [&] {
        if (http_done && (!syncs || syncs->stopped())) {
            spdlog::info("stopped: every request answered{}", syncs ? ", every sync stopped" : "");
            io.stop();
        }
    };
    std::function<void()> poll_syncs = [&] {
        poll.expires_after(std::chrono::milliseconds(50));
        poll.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            finish_if_done();
            poll_syncs();
        });
    };
    bool syncs_cut = false;
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("{}: stopping; {} connection(s) open", signal == SIGTERM ? "SIGTERM" : "SIGINT",
                     server.connections());
        hangups.cancel();
        // Syncs first: no new one starts while the answers are written.
        if (syncs) {
            syncs->begin_stop();
            poll_syncs();
        }
        server.shutdown([&] {
            http_done = true;
            finish_if_done();
        });
        deadline.expires_after(std::chrono::milliseconds(config.server.shutdown_timeout_ms));
        deadline.async_wait([&](const boost::system::error_code& timer_ec) {
            if (timer_ec) return;
            if (!http_done)
                spdlog::warn("stopped after {} ms with {} connection(s) still open: they are cut off",
                             config.server.shutdown_timeout_ms, server.connections());
            syncs_cut = syncs && !syncs->stopped();
            io.stop();
        });
    });
    if (syncs) syncs->start();
    server.start();
    if (options.on_listening) options.on_listening("http://" + bound);
    io.run();
    if (syncs_cut) {
        // A worker is still inside a request (bounded only by its own
        // timeout). Its page is uncommitted, so SQLite rolls it back and the
        // next sync resumes from the last checkpoint: ending here keeps the bound.
        spdlog::warn("stopped after {} ms with a sync still running: it resumes from its last checkpoint next time",
                     config.server.shutdown_timeout_ms);
        spdlog::default_logger()->flush();
        std::fflush(nullptr);
        std::_Exit(0);
    }
}

}  // namespace pcgd::host::server
