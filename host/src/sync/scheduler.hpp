// When each shop syncs next: pure logic over an injected clock and jitter
// source, driven by the service on one thread (its io_context's).
//
// A success schedules the next run at finish + interval, spread by up to
// ±jitter_pct; the n-th consecutive failure at finish + min(backoff_max,
// interval × 2^(n-1)), spread the same way. Each shop has its own schedule,
// so a failing shop never delays another. The shop list is reconciled with
// the store on every tick: a shop added while serving appears, a removed
// one disappears.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "sync/sync_queue.hpp"

namespace pcgd::host {

enum class ShopSyncPhase { idle, queued, running, backing_off };
const char* to_string(ShopSyncPhase phase) noexcept;

struct ShopSchedule {
    std::string shop_id;
    ShopSyncPhase phase = ShopSyncPhase::idle;
    std::int64_t next_run_at_ms = 0;
    std::int64_t last_success_at_ms = 0;  // 0: never
    std::uint32_t consecutive_failures = 0;
    std::string last_error;   // of the last failed sync; empty after a success
    std::int64_t job_id = 0;  // the queued or running sync; 0: none
};

/// A shop as the store knows it: its id and when all its datasets last
/// succeeded (the oldest dataset's last_success_at; 0 when one never did);
/// and, when a dataset's last sync failed, the most failures in a row of any
/// of its datasets, when the last failed and what failed.
struct KnownShop {
    std::string id;
    std::int64_t last_success_at_ms = 0;
    std::uint32_t consecutive_failures = 0;
    std::int64_t last_failure_at_ms = 0;
    std::string last_error{};
};

class Scheduler {
public:
    /// `jitter_unit` returns a value in [-1, 1]: the share of the maximum
    /// jitter to apply to a delay.
    Scheduler(SchedulerConfig config, std::function<std::int64_t()> now_ms, std::function<double()> jitter_unit);

    /// New settings (a reload): the next run of each shop is planned with
    /// them; runs already planned keep their time.
    void set_config(const SchedulerConfig& config) { config_ = config; }

    /// Reconciles with the store's shops. A new shop is due at its last
    /// success + interval (spread), or at once if that is past or it never
    /// succeeded; a new shop whose last sync failed backs off from that
    /// failure as if this scheduler had seen it (a restart forgets nothing);
    /// a shop no longer listed is forgotten.
    void set_shops(const std::vector<KnownShop>& shops);

    /// The shops due now and not queued or running, most overdue first.
    std::vector<std::string> due() const;

    void on_queued(const std::string& shop_id, std::int64_t job_id);
    void on_started(const std::string& shop_id, std::int64_t job_id);
    /// `error`: what failed (empty unless outcome is failed).
    void on_finished(const std::string& shop_id, std::int64_t job_id, SyncJobState outcome, const std::string& error);

    std::optional<ShopSchedule> shop(const std::string& shop_id) const;
    std::vector<ShopSchedule> shops() const;  // by id

    /// The delay after the n-th consecutive failure, before jitter.
    std::int64_t backoff_ms(std::uint32_t failures) const;

private:
    std::int64_t spread(std::int64_t delay_ms) const;

    SchedulerConfig config_;
    std::function<std::int64_t()> now_ms_;
    std::function<double()> jitter_unit_;
    std::map<std::string, ShopSchedule> shops_;
    std::map<std::string, bool> running_;  // shops whose job has started
};

/// A one-line summary of what failed in a report ("orders: HTTP 500 ...;
/// traffic: ..."), empty when nothing did.
std::string failure_summary(const ShopReport& report);

}  // namespace pcgd::host
