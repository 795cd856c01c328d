#include "sync/scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace pcgd::host {

const char* to_string(ShopSyncPhase phase) noexcept {
    switch (phase) {
        case ShopSyncPhase::idle:
            return "idle";
        case ShopSyncPhase::queued:
            return "queued";
        case ShopSyncPhase::running:
            return "running";
        case ShopSyncPhase::backing_off:
            return "backing_off";
    }
    return "unknown";
}

Scheduler::Scheduler(SchedulerConfig config, std::function<std::int64_t()> now_ms, std::function<double()> jitter_unit)
    : config_(config), now_ms_(std::move(now_ms)), jitter_unit_(std::move(jitter_unit)) {}

std::int64_t Scheduler::spread(std::int64_t delay_ms) const {
    const double unit = std::clamp(jitter_unit_(), -1.0, 1.0);
    const double jitter = static_cast<double>(delay_ms) * config_.jitter_pct / 100.0 * unit;
    return delay_ms + static_cast<std::int64_t>(std::llround(jitter));
}

std::int64_t Scheduler::backoff_ms(std::uint32_t failures) const {
    const std::int64_t cap_ms = std::int64_t{config_.backoff_max_s} * 1000;
    std::int64_t delay_ms = std::int64_t{config_.interval_s} * 1000;
    for (std::uint32_t i = 1; i < failures && delay_ms < cap_ms; ++i) delay_ms *= 2;
    return std::min(delay_ms, cap_ms);
}

void Scheduler::set_shops(const std::vector<KnownShop>& shops) {
    std::map<std::string, ShopSchedule> kept;
    const std::int64_t now = now_ms_();
    for (const auto& known : shops) {
        if (auto it = shops_.find(known.id); it != shops_.end()) {
            kept.emplace(known.id, std::move(it->second));
            continue;
        }
        ShopSchedule s;
        s.shop_id = known.id;
        s.last_success_at_ms = known.last_success_at_ms;
        s.next_run_at_ms =
            known.last_success_at_ms == 0
                ? now
                : std::max(now, known.last_success_at_ms + spread(std::int64_t{config_.interval_s} * 1000));
        if (known.consecutive_failures > 0) {
            s.consecutive_failures = known.consecutive_failures;
            s.last_error = known.last_error;
            s.next_run_at_ms = std::max(now, known.last_failure_at_ms + spread(backoff_ms(known.consecutive_failures)));
        }
        kept.emplace(known.id, std::move(s));
    }
    shops_ = std::move(kept);
    for (auto it = running_.begin(); it != running_.end();)
        it = shops_.count(it->first) ? std::next(it) : running_.erase(it);
}

std::vector<std::string> Scheduler::due() const {
    const std::int64_t now = now_ms_();
    std::vector<const ShopSchedule*> due;
    for (const auto& [id, s] : shops_)
        if (s.job_id == 0 && s.next_run_at_ms <= now) due.push_back(&s);
    std::stable_sort(due.begin(), due.end(), [](const ShopSchedule* a, const ShopSchedule* b) {
        return a->next_run_at_ms < b->next_run_at_ms;
    });
    std::vector<std::string> ids;
    for (const auto* s : due) ids.push_back(s->shop_id);
    return ids;
}

void Scheduler::on_queued(const std::string& shop_id, std::int64_t job_id) {
    const auto it = shops_.find(shop_id);
    if (it == shops_.end()) return;
    it->second.job_id = job_id;
}

void Scheduler::on_started(const std::string& shop_id, std::int64_t job_id) {
    const auto it = shops_.find(shop_id);
    if (it == shops_.end()) return;
    it->second.job_id = job_id;
    running_[shop_id] = true;
}

void Scheduler::on_finished(const std::string& shop_id, std::int64_t job_id, SyncJobState outcome,
                            const std::string& error) {
    const auto it = shops_.find(shop_id);
    if (it == shops_.end()) return;
    ShopSchedule& s = it->second;
    if (s.job_id == job_id) s.job_id = 0;
    running_.erase(shop_id);
    const std::int64_t now = now_ms_();
    switch (outcome) {
        case SyncJobState::succeeded:
            s.consecutive_failures = 0;
            s.last_error.clear();
            s.last_success_at_ms = now;
            s.next_run_at_ms = now + spread(std::int64_t{config_.interval_s} * 1000);
            break;
        case SyncJobState::failed:
            ++s.consecutive_failures;
            s.last_error = error;
            s.next_run_at_ms = now + spread(backoff_ms(s.consecutive_failures));
            break;
        default:
            // Stopped (or never run): nothing was learnt; due again at once.
            s.next_run_at_ms = std::min(s.next_run_at_ms, now);
            break;
    }
}

std::optional<ShopSchedule> Scheduler::shop(const std::string& shop_id) const {
    const auto it = shops_.find(shop_id);
    if (it == shops_.end()) return std::nullopt;
    ShopSchedule s = it->second;
    s.phase = s.job_id != 0                ? (running_.count(shop_id) ? ShopSyncPhase::running : ShopSyncPhase::queued)
              : s.consecutive_failures > 0 ? ShopSyncPhase::backing_off
                                           : ShopSyncPhase::idle;
    return s;
}

std::vector<ShopSchedule> Scheduler::shops() const {
    std::vector<ShopSchedule> out;
    for (const auto& [id, s] : shops_) out.push_back(*shop(id));
    return out;
}

std::string failure_summary(const ShopReport& report) {
    std::string out = report.error;
    for (const auto& d : report.datasets) {
        if (d.ok || d.stopped || d.error.empty()) continue;
        if (!out.empty()) out += "; ";
        out += std::string(sdk::to_string(d.dataset)) + ": " + d.error;
    }
    return out;
}

}  // namespace pcgd::host
