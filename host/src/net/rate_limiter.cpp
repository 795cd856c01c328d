#include "net/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace pcgd::host::net {

double AccountBudget::tokens_at(std::int64_t now_ms) const noexcept {
    if (!known()) return tokens_;
    // A clock that steps back must not drain the bucket.
    const std::int64_t elapsed_ms = std::max<std::int64_t>(0, now_ms - refilled_at_ms_);
    const double restored = static_cast<double>(elapsed_ms) * static_cast<double>(restore_milli_per_s_) / 1e6;
    return std::min(static_cast<double>(capacity_), tokens_ + restored);
}

void AccountBudget::refill(std::int64_t now_ms) noexcept {
    tokens_ = tokens_at(now_ms);
    refilled_at_ms_ = std::max(refilled_at_ms_, now_ms);
}

std::int64_t AccountBudget::delay_ms(std::int64_t now_ms, std::int64_t cost) const noexcept {
    const std::int64_t pause_left_ms = std::max<std::int64_t>(0, paused_until_ms_ - now_ms);
    if (!known()) return pause_left_ms;
    cost = std::max<std::int64_t>(cost, 1);  // as in the ABI: a request costs at least one unit
    // A request dearer than the whole bucket would otherwise wait forever; it
    // only needs a full bucket.
    const double needed = static_cast<double>(std::min(cost, capacity_));
    const double deficit = needed - tokens_at(now_ms);
    if (deficit <= 0) return pause_left_ms;
    // The epsilon keeps float noise from turning an exact 500 ms into 501.
    const double refill_ms = deficit * 1e6 / static_cast<double>(restore_milli_per_s_);
    const auto wait_ms = static_cast<std::int64_t>(std::ceil(refill_ms - 1e-6));
    return std::max(pause_left_ms, wait_ms);
}

void AccountBudget::spend(std::int64_t now_ms, std::int64_t cost) noexcept {
    if (!known()) return;
    refill(now_ms);
    tokens_ -= static_cast<double>(std::max<std::int64_t>(cost, 1));
}

void AccountBudget::on_hint(std::int64_t now_ms, std::int64_t remaining, std::int64_t capacity,
                            std::int64_t restore_milli_per_s) noexcept {
    const bool was_known = known();
    if (was_known) refill(now_ms);
    if (capacity > 0) capacity_ = capacity;
    if (restore_milli_per_s > 0) restore_milli_per_s_ = restore_milli_per_s;
    if (!known()) return;
    if (!was_known) {
        // First sight of the bucket: trust `remaining` if given, else assume full.
        tokens_ = static_cast<double>(capacity_);
        refilled_at_ms_ = now_ms;
    }
    if (remaining >= 0) {
        // The platform's count is the truth; ours drifts with concurrent spends.
        tokens_ = static_cast<double>(std::min(remaining, capacity_));
        refilled_at_ms_ = std::max(refilled_at_ms_, now_ms);
    }
    tokens_ = std::min(tokens_, static_cast<double>(capacity_));
}

void AccountBudget::pause(std::int64_t now_ms, std::int64_t pause_ms) noexcept {
    if (pause_ms <= 0) return;
    // A shorter pause never cuts a longer one short.
    paused_until_ms_ = std::max(paused_until_ms_, now_ms + pause_ms);
}

}  // namespace pcgd::host::net
