#include "net/retry.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pcgd::host::net {
namespace {

TEST(IsRetryableTest, StatusesWorthAnotherTry) {
    for (const int status : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(is_retryable(status, TransportError::none)) << status;
    for (const int status : {200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 501, 505}) {
        EXPECT_FALSE(is_retryable(status, TransportError::none)) << status;
    }
}

TEST(IsRetryableTest, TransportErrorsButTooLargeAndAborted) {
    for (const auto e : {TransportError::connect, TransportError::tls, TransportError::timeout, TransportError::truncated,
                         TransportError::other}) {
        EXPECT_TRUE(is_retryable(0, e)) << to_string(e);
        EXPECT_TRUE(is_retryable(200, e)) << to_string(e);
    }
    EXPECT_FALSE(is_retryable(0, TransportError::too_large));
    EXPECT_FALSE(is_retryable(0, TransportError::aborted));
    EXPECT_FALSE(is_retryable(503, TransportError::aborted));  // the caller chose to stop
}

TEST(ParseRetryAfterTest, DeltaSeconds) {
    EXPECT_EQ(parse_retry_after_ms("2", 0), 2000u);
    EXPECT_EQ(parse_retry_after_ms("2.0", 0), 2000u);
    EXPECT_EQ(parse_retry_after_ms("2.5", 0), 2500u);
    EXPECT_EQ(parse_retry_after_ms("0", 0), 0u);
    EXPECT_EQ(parse_retry_after_ms("0.25", 0), 250u);
    EXPECT_EQ(parse_retry_after_ms("0.0001", 0), 1u);  // rounded up: never sooner than asked
    EXPECT_EQ(parse_retry_after_ms(" 3 ", 0), 3000u);
    EXPECT_EQ(parse_retry_after_ms("120", 123456789), 120000u);  // independent of the clock
    EXPECT_EQ(parse_retry_after_ms("99999999999", 0), 4294967295u);  // saturates
}

TEST(ParseRetryAfterTest, MalformedIsNothing) {
    for (const char* bad : {"", " ", "-1", "+1", "abc", "2s", "1.2.3", "1.", ".5", "1,5", "0x10", "Wed, 21 Oct 2015",
                            "Wed, 32 Oct 2015 07:28:00 GMT", "Wed, 21 Foo 2015 07:28:00 GMT",
                            "Wed, 21 Oct 2015 07:28:00 CET", "Wed, 21 Oct 2015 25:28:00 GMT"}) {
        EXPECT_FALSE(parse_retry_after_ms(bad, 0)) << '"' << bad << '"';
    }
}

TEST(ParseRetryAfterTest, HttpDates) {
    constexpr std::int64_t kAt = 1445412480000;  // 2015-10-21T07:28:00Z
    EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", kAt - 5000), 5000u);
    EXPECT_EQ(parse_retry_after_ms("Wednesday, 21-Oct-15 07:28:00 GMT", kAt - 5000), 5000u);  // RFC 850
    EXPECT_EQ(parse_retry_after_ms("Wed Oct 21 07:28:00 2015", kAt - 5000), 5000u);          // asctime
    EXPECT_EQ(parse_retry_after_ms("Wed Oct  1 07:28:00 2015", kAt - 20LL * 86400000 - 1), 1u);
    EXPECT_EQ(parse_retry_after_ms("Thu, 01 Jan 1970 00:00:00 GMT", 0), 0u);
    EXPECT_EQ(parse_retry_after_ms("Tue, 29 Feb 2000 12:00:00 GMT", 951825600000 - 1500), 1500u);
    // A date already past means "now", not an error.
    EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", kAt + 60000), 0u);
}

TEST(BackoffTest, FullJitterStaysUnderTheExponentialCeiling) {
    const RetryPolicy policy;  // 500 ms base, 60 s cap
    std::mt19937_64 rng(42);
    for (std::uint32_t attempt = 1; attempt <= 12; ++attempt) {
        const std::uint64_t ceiling = std::min<std::uint64_t>(500ull << (attempt - 1), 60000);
        for (int i = 0; i < 200; ++i) {
            EXPECT_LE(backoff_delay_ms(policy, attempt, std::nullopt, rng), ceiling) << attempt;
        }
    }
}

TEST(BackoffTest, JitterSpreadsOverTheWholeRange) {
    const RetryPolicy policy;
    std::mt19937_64 rng(7);
    std::uint32_t lowest = UINT32_MAX, highest = 0;
    std::uint64_t sum = 0;
    constexpr int kSamples = 2000;
    for (int i = 0; i < kSamples; ++i) {
        const std::uint32_t d = backoff_delay_ms(policy, 3, std::nullopt, rng);  // ceiling 2000
        lowest = std::min(lowest, d);
        highest = std::max(highest, d);
        sum += d;
    }
    EXPECT_LT(lowest, 100u);
    EXPECT_GT(highest, 1900u);
    EXPECT_LE(highest, 2000u);
    EXPECT_NEAR(static_cast<double>(sum) / kSamples, 1000.0, 100.0);
}

TEST(BackoffTest, SameSeedSameDelays) {
    const RetryPolicy policy;
    std::mt19937_64 a(1234), b(1234);
    for (std::uint32_t attempt = 1; attempt <= 8; ++attempt) {
        EXPECT_EQ(backoff_delay_ms(policy, attempt, std::nullopt, a), backoff_delay_ms(policy, attempt, std::nullopt, b));
    }
}

TEST(BackoffTest, NeverBelowRetryAfterButCapped) {
    const RetryPolicy policy;
    std::mt19937_64 rng(42);
    // The jitter of a first retry is at most 500 ms, so the server's 5 s wins exactly.
    EXPECT_EQ(backoff_delay_ms(policy, 1, 5000u, rng), 5000u);
    EXPECT_EQ(backoff_delay_ms(policy, 2, 2000u, rng), 2000u);
    // The cap applies to Retry-After too.
    EXPECT_EQ(backoff_delay_ms(policy, 1, 120000u, rng), 60000u);
    for (int i = 0; i < 100; ++i) {
        const std::uint32_t d = backoff_delay_ms(policy, 4, 1500u, rng);  // ceiling 4000
        EXPECT_GE(d, 1500u);
        EXPECT_LE(d, 4000u);
    }
}

TEST(BackoffTest, EdgeAttemptsAndPolicies) {
    std::mt19937_64 rng(42);
    const RetryPolicy policy;
    EXPECT_LE(backoff_delay_ms(policy, 0, std::nullopt, rng), 500u);  // 0 is read as the first retry
    EXPECT_LE(backoff_delay_ms(policy, 1000, std::nullopt, rng), 60000u);  // no overflow
    EXPECT_LE(backoff_delay_ms(policy, UINT32_MAX, std::nullopt, rng), 60000u);
    RetryPolicy zero_base;
    zero_base.base_delay_ms = 0;
    EXPECT_EQ(backoff_delay_ms(zero_base, 5, std::nullopt, rng), 0u);
    RetryPolicy zero_cap;
    zero_cap.max_delay_ms = 0;
    EXPECT_EQ(backoff_delay_ms(zero_cap, 5, 3000u, rng), 0u);
}

}  // namespace
}  // namespace pcgd::host::net
