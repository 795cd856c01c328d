// `pcgd serve`: the API on one io_context until SIGTERM or SIGINT.
#pragma once

#include <functional>
#include <string>

#include "config/config.hpp"
#include "store/store.hpp"
#include "sync/sync_queue.hpp"

namespace pcgd::host::server {

struct ServiceOptions {
    std::string listen;                                        // HOST:PORT; empty: config.server.listen
    std::function<std::string()> not_ready;                    // /readyz: empty when ready, else what is missing
    std::function<void(const std::string& url)> on_listening;  // once bound and accepting
    /// Runs one sync (sync/sync_queue.hpp: engine_runner). Unset: no sync
    /// queue nor scheduler runs, and the sync routes answer 503.
    SyncRunner sync_runner;
    /// What a SIGHUP reloads: the configuration read afresh and the sync
    /// runner built from it (the plugins loaded again). Throws, naming what
    /// is wrong, to refuse the reload: the running configuration then stays.
    struct Reloaded {
        Config config;
        SyncRunner sync_runner;
        std::string summary;  // for the log line, e.g. the plugins now loaded
    };
    std::function<Reloaded()> reload;
};

/// Serves, and syncs on the scheduler's timetable, until SIGTERM or SIGINT;
/// then stops accepting and scheduling, lets the requests in flight finish
/// and the syncs in flight commit their last received page for up to
/// config.server.shutdown_timeout_ms, and returns. A sync still running at
/// the bound ends the process at once (exit 0): its uncommitted page is
/// rolled back by SQLite and the next sync resumes from the last checkpoint.
/// SIGHUP reloads (options.reload): settings that only a restart can change
/// (docs/service.md) keep their running value, with a warning naming them.
/// Throws std::runtime_error when it cannot listen.
void run_service(Store& store, const Config& config, const ServiceOptions& options);

}  // namespace pcgd::host::server
