// When and how long to wait before trying an HTTP exchange again.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "net/http_client.hpp"

namespace pcgd::host::net {

struct RetryPolicy {
    std::uint32_t max_attempts = 8;      // including the first
    std::uint32_t base_delay_ms = 500;   // first backoff
    std::uint32_t max_delay_ms = 60000;  // cap on any one wait (Retry-After included)
};

/// True for what is worth retrying: 429, 500, 502, 503, 504, 408, and
/// every transport error but too_large and aborted.
bool is_retryable(int status, TransportError error) noexcept;

/// Parses a Retry-After value: delta seconds ("2", "2.5") or an HTTP date
/// (needs `now_ms`). Nothing when malformed.
std::optional<std::uint32_t> parse_retry_after_ms(std::string_view value, std::int64_t now_ms) noexcept;

/// Delay before attempt number `attempt` (1 = the first retry): full jitter
/// exponential backoff, but never less than the server's Retry-After.
std::uint32_t backoff_delay_ms(const RetryPolicy& policy, std::uint32_t attempt,
                               std::optional<std::uint32_t> retry_after_ms, std::mt19937_64& rng) noexcept;

}  // namespace pcgd::host::net
