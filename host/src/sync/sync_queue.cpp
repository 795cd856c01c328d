#include "sync/sync_queue.hpp"

#include <algorithm>
#include <stdexcept>

namespace pcgd::host {

const char* to_string(SyncJobState state) noexcept {
    switch (state) {
        case SyncJobState::queued:
            return "queued";
        case SyncJobState::running:
            return "running";
        case SyncJobState::succeeded:
            return "succeeded";
        case SyncJobState::failed:
            return "failed";
        case SyncJobState::stopped:
            return "stopped";
    }
    return "unknown";
}

SyncQueue::SyncQueue(SyncQueueOptions options, SyncRunner runner)
    : options_(std::move(options)), runner_(std::move(runner)) {
    if (!options_.now_ms)
        options_.now_ms = [] {
            using namespace std::chrono;
            return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
        };
    const std::uint32_t n = std::max<std::uint32_t>(1, options_.workers);
    running_workers_ = n;
    for (std::uint32_t i = 0; i < n; ++i) workers_.emplace_back([this] { work(); });
}

SyncQueue::~SyncQueue() {
    stop(std::chrono::hours(24 * 365));
}

SyncRequestResult SyncQueue::request(const std::string& shop_id, const std::string& budget_key,
                                     const std::string& reason) {
    std::lock_guard lock(mutex_);
    if (stop_) throw std::runtime_error("the service is stopping: no new syncs are taken");
    if (const auto it = active_by_shop_.find(shop_id); it != active_by_shop_.end()) return {it->second, true};
    SyncJob job;
    job.id = next_id_++;
    job.shop_id = shop_id;
    job.budget_key = budget_key;
    job.reason = reason;
    job.queued_at_ms = options_.now_ms();
    active_by_shop_[shop_id] = job.id;
    queued_.push_back(job.id);
    const std::int64_t id = job.id;
    jobs_.emplace(id, std::move(job));
    changed_.notify_all();
    return {id, false};
}

std::optional<SyncJob> SyncQueue::job(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    return it->second;
}

std::optional<SyncJob> SyncQueue::active_job(const std::string& shop_id) const {
    std::lock_guard lock(mutex_);
    const auto it = active_by_shop_.find(shop_id);
    if (it == active_by_shop_.end()) return std::nullopt;
    return jobs_.at(it->second);
}

bool SyncQueue::stop(std::chrono::milliseconds timeout) {
    begin_stop();
    return wait_stopped(timeout);
}

void SyncQueue::begin_stop() {
    std::vector<SyncJob> dropped;
    std::unique_lock lock(mutex_);
    if (stop_) return;
    stop_ = true;
    for (const std::int64_t id : queued_) {
        SyncJob& job = jobs_.at(id);
        ShopReport report;
        report.shop_id = job.shop_id;
        report.stopped = true;
        dropped.push_back(finish(job, std::move(report)));
    }
    queued_.clear();
    changed_.notify_all();
    if (options_.on_finished) {
        lock.unlock();
        for (const auto& job : dropped) options_.on_finished(job);
    }
}

bool SyncQueue::wait_stopped(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const bool done = changed_.wait_for(lock, timeout, [this] { return running_workers_ == 0; });
    lock.unlock();
    if (done)
        for (auto& t : workers_)
            if (t.joinable()) t.join();
    return done;
}

SyncJob* SyncQueue::next_runnable() {
    if (stop_) return nullptr;
    for (const std::int64_t id : queued_) {
        SyncJob& job = jobs_.at(id);
        if (!busy_budgets_.count(job.budget_key)) return &job;
    }
    return nullptr;
}

void SyncQueue::set_runner(SyncRunner runner) {
    std::lock_guard lock(mutex_);
    runner_ = std::move(runner);
}

void SyncQueue::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        SyncJob* job = nullptr;
        changed_.wait(lock, [&] { return stop_ || (job = next_runnable()) != nullptr; });
        if (stop_) break;
        queued_.erase(std::find(queued_.begin(), queued_.end(), job->id));
        job->state = SyncJobState::running;
        job->started_at_ms = options_.now_ms();
        busy_budgets_.insert(job->budget_key);
        // Only this job touches the budget until its key is released below.
        net::RateLimiter& budget = budgets_[job->budget_key];
        const SyncJob started = *job;
        const SyncRunner runner = runner_;  // a reload may replace runner_ while this job runs
        lock.unlock();
        if (options_.on_started) options_.on_started(started);
        ShopReport report;
        try {
            report = runner(started.shop_id, stop_, budget);
        } catch (const std::exception& e) {
            report = ShopReport{};
            report.shop_id = started.shop_id;
            report.error = e.what();
        }
        lock.lock();
        const SyncJob finished = finish(jobs_.at(started.id), std::move(report));
        busy_budgets_.erase(finished.budget_key);
        if (options_.on_finished) {
            lock.unlock();
            options_.on_finished(finished);
            lock.lock();
        }
        changed_.notify_all();
    }
    --running_workers_;
    changed_.notify_all();
}

SyncJob SyncQueue::finish(SyncJob& job, ShopReport report) {
    job.state = report.ok ? SyncJobState::succeeded : report.stopped ? SyncJobState::stopped : SyncJobState::failed;
    job.finished_at_ms = options_.now_ms();
    job.report = std::move(report);
    if (const auto it = active_by_shop_.find(job.shop_id); it != active_by_shop_.end() && it->second == job.id)
        active_by_shop_.erase(it);
    finished_.push_back(job.id);
    SyncJob copy = job;
    forget_old();  // may erase `job`
    return copy;
}

void SyncQueue::forget_old() {
    while (finished_.size() > options_.finished_kept) {
        jobs_.erase(finished_.front());
        finished_.pop_front();
    }
}

SyncRunner engine_runner(EngineRunnerContext context) {
    return [context = std::move(context)](const std::string& shop_id, const std::atomic<bool>& stop,
                                          net::RateLimiter& budgets) {
        auto store = context.open_store();
        const auto shop = store->get_shop(shop_id);
        if (!shop) {
            ShopReport report;
            report.shop_id = shop_id;
            report.error = "no shop '" + shop_id + "': removed since the sync was queued";
            return report;
        }
        SyncEngine engine(*store, *context.plugins, *context.vault, context.http);
        SyncOptions options = context.sync;
        options.full = false;
        options.stop_requested = &stop;
        options.limiter = &budgets;
        return engine.run({*shop}, options).at(0);
    };
}

}  // namespace pcgd::host
