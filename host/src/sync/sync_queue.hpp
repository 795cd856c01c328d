// The service's sync queue: jobs of one shop each, run by a fixed number of
// worker threads. A shop queued or running is not queued twice. Shops of one
// seller account share one request budget: two jobs of the same budget key
// never run at once, and the account's rate limiter is carried from one job
// to the next, so a budget is never handed out twice in parallel nor
// refilled by starting a new job.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/rate_limiter.hpp"
#include "sync/sync_engine.hpp"

namespace pcgd::host {

enum class SyncJobState { queued, running, succeeded, failed, stopped };
const char* to_string(SyncJobState state) noexcept;

struct SyncJob {
    std::int64_t id = 0;
    std::string shop_id;
    std::string budget_key;  // ShopRecord::budget_key(): jobs with the same key run one at a time
    std::string reason;      // "api", "webhook", "schedule"
    SyncJobState state = SyncJobState::queued;
    std::int64_t queued_at_ms = 0, started_at_ms = 0, finished_at_ms = 0;  // 0: not yet
    ShopReport report;                                                     // once finished
    bool finished() const { return state != SyncJobState::queued && state != SyncJobState::running; }
};

/// Runs one job: syncs `shop_id`, drawing on `budgets` (the account's,
/// exclusively), stopping early once `stop` is set. Called on a worker thread.
using SyncRunner =
    std::function<ShopReport(const std::string& shop_id, const std::atomic<bool>& stop, net::RateLimiter& budgets)>;

struct SyncQueueOptions {
    std::uint32_t workers = 2;        // jobs running at once
    std::size_t finished_kept = 256;  // finished jobs kept for GET /api/syncs/{id}
    std::function<std::int64_t()> now_ms;
    /// Called on the worker thread when a job starts and when it finishes
    /// (the job as it then is). Must not call back into the queue's request().
    std::function<void(const SyncJob&)> on_started, on_finished;
};

struct SyncRequestResult {
    std::int64_t id = 0;
    bool already_queued = false;
};

class SyncQueue {
public:
    SyncQueue(SyncQueueOptions options, SyncRunner runner);
    ~SyncQueue();  // stops and joins, waiting as long as the running jobs take
    SyncQueue(const SyncQueue&) = delete;
    SyncQueue& operator=(const SyncQueue&) = delete;

    /// Queues a sync of `shop_id` unless one is queued or running: then that
    /// one. Throws std::runtime_error once stopping.
    SyncRequestResult request(const std::string& shop_id, const std::string& budget_key, const std::string& reason);

    /// Jobs started from now on run with `runner` (a reload: new plugins or
    /// settings); running jobs finish with the one they started with.
    void set_runner(SyncRunner runner);

    std::optional<SyncJob> job(std::int64_t id) const;
    /// The shop's queued or running job, if any.
    std::optional<SyncJob> active_job(const std::string& shop_id) const;

    /// Stops taking work: queued jobs end as stopped without running, running
    /// ones are asked to stop (their received pages commit). Waits up to
    /// `timeout` for them; true when every worker has exited (and is joined).
    bool stop(std::chrono::milliseconds timeout);
    /// stop() in two halves, for a caller that must not block: begin_stop
    /// returns at once; wait_stopped(0ms) polls.
    void begin_stop();
    bool wait_stopped(std::chrono::milliseconds timeout);

private:
    void work();
    /// The first queued job whose budget is free, or null. Under the lock.
    SyncJob* next_runnable();
    SyncJob finish(SyncJob& job, ShopReport report);  // under the lock; returns the finished job
    void forget_old();                                // under the lock

    SyncQueueOptions options_;
    SyncRunner runner_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::atomic<bool> stop_{false};
    std::int64_t next_id_ = 1;
    std::map<std::int64_t, SyncJob> jobs_;
    std::deque<std::int64_t> queued_;    // job ids, oldest first
    std::deque<std::int64_t> finished_;  // job ids, oldest first, at most finished_kept
    std::map<std::string, std::int64_t> active_by_shop_;
    std::set<std::string> busy_budgets_;
    std::map<std::string, net::RateLimiter> budgets_;  // by budget key; node addresses are stable
    std::size_t running_workers_ = 0;
    std::vector<std::thread> workers_;
};

/// What the engine runner needs. Every job opens its own Store (a Store is
/// used by one thread at a time); the registry and the vault are only read.
struct EngineRunnerContext {
    std::function<std::unique_ptr<Store>()> open_store;
    const PluginRegistry* plugins = nullptr;
    const Vault* vault = nullptr;
    net::HttpClientOptions http;
    SyncOptions sync;  // retry policy and the like; stop and budgets are the queue's
};

/// A runner that syncs the shop with the SyncEngine, incrementally.
SyncRunner engine_runner(EngineRunnerContext context);

}  // namespace pcgd::host
