// One request budget per seller account, fed by the plugins' hints and the
// platforms' 429s. Pure logic over a clock the caller passes in, so it is
// tested without sleeping.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace pcgd::host::net {

/// A token bucket. Unknown until a plugin reports its capacity and restore
/// rate; until then only explicit pauses (Retry-After, throttling) apply.
class AccountBudget {
public:
    /// Milliseconds to wait before a request costing `cost` may start.
    std::int64_t delay_ms(std::int64_t now_ms, std::int64_t cost) const noexcept;
    /// Records that a request costing `cost` started.
    void spend(std::int64_t now_ms, std::int64_t cost) noexcept;
    /// A plugin's hint from a response; negative values mean unknown.
    void on_hint(std::int64_t now_ms, std::int64_t remaining, std::int64_t capacity, std::int64_t restore_milli_per_s) noexcept;
    /// Nothing may start before now + pause_ms (Retry-After, THROTTLED).
    void pause(std::int64_t now_ms, std::int64_t pause_ms) noexcept;
    /// Total time callers were told to wait, for progress lines and metrics.
    std::int64_t waited_ms() const noexcept { return waited_ms_; }
    void add_waited(std::int64_t ms) noexcept { waited_ms_ += ms; }

private:
    // Pacing needs both a size and a restore rate; until then only pauses apply.
    bool known() const noexcept { return capacity_ > 0 && restore_milli_per_s_ > 0; }
    // Tokens the bucket holds at now_ms, without changing it (delay_ms stays pure).
    double tokens_at(std::int64_t now_ms) const noexcept;
    void refill(std::int64_t now_ms) noexcept;
    double tokens_ = 0;  // may go negative: requests already started overdraw the bucket
    std::int64_t refilled_at_ms_ = 0;
    std::int64_t capacity_ = -1;
    std::int64_t restore_milli_per_s_ = -1;
    std::int64_t paused_until_ms_ = 0;
    std::int64_t waited_ms_ = 0;
};

/// Budgets by account key ("shopify:demo-shop.myshopify.com", "amazon:SELLERID").
class RateLimiter {
public:
    AccountBudget& account(const std::string& key) { return budgets_[key]; }

private:
    std::map<std::string, AccountBudget> budgets_;
};

}  // namespace pcgd::host::net
