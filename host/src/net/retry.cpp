#include "net/retry.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>

#include <pcgd/model/time.hpp>

namespace pcgd::host::net {

bool is_retryable(int status, TransportError error) noexcept {
    if (error != TransportError::none) {
        // too_large will be too large again; aborted was the caller's choice.
        return error != TransportError::too_large && error != TransportError::aborted;
    }
    switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
        return true;
    default:
        return false;
    }
}

namespace {

constexpr std::uint32_t kMaxMs = std::numeric_limits<std::uint32_t>::max();

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// "2", "2.5", "2.0": seconds, rounded up to the millisecond so we never wait
// less than the server asked.
std::optional<std::uint32_t> parse_delta_seconds(std::string_view s) noexcept {
    std::uint64_t whole = 0;
    std::size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
        whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
        if (whole > kMaxMs) whole = kMaxMs + 1ull;  // saturate, clamped below
    }
    if (i == 0) return std::nullopt;
    std::uint64_t frac_ms = 0;  // in millionths of a second, to round up precisely
    if (i < s.size()) {
        if (s[i] != '.') return std::nullopt;
        ++i;
        std::size_t digits = 0;
        std::uint64_t scale = 100000;  // first fractional digit is 1/10 s = 100000 us
        for (; i < s.size() && is_digit(s[i]); ++i, ++digits) {
            frac_ms += static_cast<std::uint64_t>(s[i] - '0') * scale;
            scale /= 10;
        }
        if (digits == 0 || i != s.size()) return std::nullopt;
    }
    const std::uint64_t ms = whole * 1000 + (frac_ms + 999) / 1000;
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(ms, kMaxMs));
}

int month_of(std::string_view name) noexcept {
    static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (name == kMonths[i]) return static_cast<int>(i) + 1;
    }
    return 0;
}

// A tiny cursor for the three HTTP date forms of RFC 9110 section 5.6.7.
struct Scanner {
    std::string_view s;
    std::size_t pos = 0;
    bool literal(char c) noexcept {
        if (pos < s.size() && s[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    }
    void spaces() noexcept {
        while (pos < s.size() && s[pos] == ' ') ++pos;
    }
    bool number(std::size_t min_digits, std::size_t max_digits, int& out) noexcept {
        std::size_t n = 0;
        out = 0;
        while (pos < s.size() && n < max_digits && is_digit(s[pos])) {
            out = out * 10 + (s[pos] - '0');
            ++pos;
            ++n;
        }
        return n >= min_digits;
    }
    std::string_view word() noexcept {
        const std::size_t start = pos;
        while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;
        return s.substr(start, pos - start);
    }
    bool time(int& h, int& m, int& sec) noexcept {
        return number(2, 2, h) && literal(':') && number(2, 2, m) && literal(':') && number(2, 2, sec);
    }
    bool at_end() noexcept { return pos == s.size(); }
};

std::optional<std::int64_t> parse_http_date_ms(std::string_view s) noexcept {
    Scanner sc{s};
    const std::string_view weekday = sc.word();
    if (weekday.size() < 3) return std::nullopt;
    int day = 0, month = 0, year = 0, h = 0, m = 0, sec = 0;
    if (sc.literal(',')) {
        sc.spaces();
        if (!sc.number(1, 2, day)) return std::nullopt;
        if (sc.literal('-')) {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            month = month_of(sc.word());
            if (!sc.literal('-') || !sc.number(2, 2, year)) return std::nullopt;
            year += year < 70 ? 2000 : 1900;
        } else {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            sc.spaces();
            month = month_of(sc.word());
            sc.spaces();
            if (!sc.number(4, 4, year)) return std::nullopt;
        }
        sc.spaces();
        if (!sc.time(h, m, sec)) return std::nullopt;
        sc.spaces();
        if (sc.word() != "GMT") return std::nullopt;
    } else {  // asctime: Sun Nov  6 08:49:37 1994
        sc.spaces();
        month = month_of(sc.word());
        sc.spaces();
        if (!sc.number(1, 2, day)) return std::nullopt;
        sc.spaces();
        if (!sc.time(h, m, sec)) return std::nullopt;
        sc.spaces();
        if (!sc.number(4, 4, year)) return std::nullopt;
    }
    if (!sc.at_end() || month == 0 || day < 1 || day > 31 || h > 23 || m > 59 || sec > 60) return std::nullopt;
    const std::int64_t days = model::days_from_civil(static_cast<int>(year), static_cast<unsigned>(month), static_cast<unsigned>(day));
    return ((days * 24 + h) * 60 + m) * 60 * 1000 + std::int64_t{sec} * 1000;
}

}  // namespace

std::optional<std::uint32_t> parse_retry_after_ms(std::string_view value, std::int64_t now_ms) noexcept {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (is_digit(value.front())) return parse_delta_seconds(value);
    const auto at_ms = parse_http_date_ms(value);
    if (!at_ms) return std::nullopt;
    const std::int64_t delta = *at_ms - now_ms;
    if (delta <= 0) return 0u;  // a date in the past means "now"
    return static_cast<std::uint32_t>(std::min<std::int64_t>(delta, kMaxMs));
}

std::uint32_t backoff_delay_ms(const RetryPolicy& policy, std::uint32_t attempt,
                               std::optional<std::uint32_t> retry_after_ms, std::mt19937_64& rng) noexcept {
    // base * 2^(attempt-1), saturated at the cap without overflowing.
    const std::uint32_t exponent = std::min<std::uint32_t>(attempt == 0 ? 0 : attempt - 1, 31);
    const std::uint64_t raw = static_cast<std::uint64_t>(policy.base_delay_ms) << exponent;
    const std::uint32_t ceiling = static_cast<std::uint32_t>(std::min<std::uint64_t>(raw, policy.max_delay_ms));
    // Full jitter: spreading over [0, ceiling] keeps many shops from retrying in lockstep.
    std::uniform_int_distribution<std::uint32_t> jitter(0, ceiling);
    std::uint32_t delay = jitter(rng);
    if (retry_after_ms) delay = std::max(delay, *retry_after_ms);
    return std::min(delay, policy.max_delay_ms);
}

}  // namespace pcgd::host::net
