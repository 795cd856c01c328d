#include "net/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace pcgd::host::net {
namespace {

// 40 units, 2 units per second restored: one unit per 500 ms.
AccountBudget known_budget(std::int64_t now_ms, std::int64_t remaining = 40) {
    AccountBudget b;
    b.on_hint(now_ms, remaining, 40, 2000);
    return b;
}

TEST(AccountBudgetTest, UnknownBudgetNeverDelaysOnItsOwn) {
    AccountBudget b;
    EXPECT_EQ(b.delay_ms(0, 1), 0);
    b.spend(0, 1000000);
    EXPECT_EQ(b.delay_ms(0, 1000000), 0);
    // A capacity without a restore rate is not enough to pace.
    b.on_hint(0, 0, 100, -1);
    EXPECT_EQ(b.delay_ms(0, 50), 0);
}

TEST(AccountBudgetTest, PausesApplyEvenWhenUnknown) {
    AccountBudget b;
    b.pause(1000, 2000);
    EXPECT_EQ(b.delay_ms(1000, 1), 2000);
    EXPECT_EQ(b.delay_ms(2500, 1), 500);
    EXPECT_EQ(b.delay_ms(3000, 1), 0);
    EXPECT_EQ(b.delay_ms(9000, 1), 0);
    b.pause(4000, 1000);
    b.pause(4100, 100);  // a shorter pause does not cut the longer one short
    EXPECT_EQ(b.delay_ms(4100, 1), 900);
    b.pause(4100, 0);
    b.pause(4100, -5);
    EXPECT_EQ(b.delay_ms(4100, 1), 900);
}

TEST(AccountBudgetTest, TokenBucketPacesSpending) {
    AccountBudget b = known_budget(0);
    EXPECT_EQ(b.delay_ms(0, 1), 0);
    EXPECT_EQ(b.delay_ms(0, 40), 0);
    b.spend(0, 40);
    EXPECT_EQ(b.delay_ms(0, 1), 500);
    EXPECT_EQ(b.delay_ms(0, 10), 5000);
    EXPECT_EQ(b.delay_ms(250, 1), 250);
    EXPECT_EQ(b.delay_ms(500, 1), 0);
    EXPECT_EQ(b.delay_ms(1000, 2), 0);
    EXPECT_EQ(b.delay_ms(1000, 3), 500);
}

TEST(AccountBudgetTest, BucketNeverHoldsMoreThanItsCapacity) {
    AccountBudget b = known_budget(0);
    b.spend(0, 40);
    EXPECT_EQ(b.delay_ms(1000000, 40), 0);
    b.spend(1000000, 40);
    EXPECT_EQ(b.delay_ms(1000000, 1), 500);
}

TEST(AccountBudgetTest, CostAboveCapacityWaitsForAFullBucketOnly) {
    AccountBudget b = known_budget(0);
    EXPECT_EQ(b.delay_ms(0, 100), 0);
    b.spend(0, 100);  // overdraws: -60 tokens
    EXPECT_EQ(b.delay_ms(0, 100), 50000);  // 100 units to a full bucket at 2/s
    EXPECT_EQ(b.delay_ms(30000, 1), 500);  // back to 0 tokens; one more unit is 500 ms away
    EXPECT_EQ(b.delay_ms(30500, 1), 0);
}

TEST(AccountBudgetTest, RemainingHintResynchronises) {
    AccountBudget b = known_budget(0);
    b.spend(0, 40);
    b.on_hint(0, 20, -1, -1);
    EXPECT_EQ(b.delay_ms(0, 20), 0);
    EXPECT_EQ(b.delay_ms(0, 21), 500);
    b.on_hint(0, 0, -1, -1);
    EXPECT_EQ(b.delay_ms(0, 1), 500);
    b.on_hint(0, 1000, -1, -1);  // clamped to the capacity
    b.spend(0, 40);
    EXPECT_EQ(b.delay_ms(0, 1), 500);
}

TEST(AccountBudgetTest, FirstKnowledgeWithoutRemainingAssumesAFullBucket) {
    AccountBudget b;
    b.on_hint(0, -1, 100, -1);
    b.on_hint(0, -1, -1, 10000);  // now both are known: 10 units/s
    EXPECT_EQ(b.delay_ms(0, 100), 0);
    b.spend(0, 100);
    EXPECT_EQ(b.delay_ms(0, 5), 500);
}

TEST(AccountBudgetTest, ShopifyLikeBucket) {
    AccountBudget b;
    b.on_hint(0, 900, 1000, 50000);  // 1000 points, 50 per second
    EXPECT_EQ(b.delay_ms(0, 900), 0);
    EXPECT_EQ(b.delay_ms(0, 950), 1000);
    EXPECT_EQ(b.delay_ms(0, 1000), 2000);
    b.spend(0, 300);
    EXPECT_EQ(b.delay_ms(0, 700), 2000);
    EXPECT_EQ(b.delay_ms(2000, 700), 0);
}

TEST(AccountBudgetTest, PauseAndTokensTakeTheLonger) {
    AccountBudget b = known_budget(0);
    b.pause(0, 3000);
    EXPECT_EQ(b.delay_ms(0, 1), 3000);  // tokens are there, the pause is not over
    b.spend(3000, 40);
    b.pause(3000, 100);
    EXPECT_EQ(b.delay_ms(3000, 1), 500);  // the pause is over sooner than a token comes back
}

TEST(AccountBudgetTest, DelayIsPure) {
    AccountBudget b = known_budget(0);
    b.spend(0, 40);
    const AccountBudget copy = b;
    for (const std::int64_t now : {5000, 0, 100000, 250, -10}) (void)b.delay_ms(now, 7);
    for (const std::int64_t now : {0, 250, 1000, 3500, 100000}) {
        for (const std::int64_t cost : {1, 7, 40}) EXPECT_EQ(b.delay_ms(now, cost), copy.delay_ms(now, cost));
    }
}

TEST(AccountBudgetTest, ClockSteppingBackDoesNotDrain) {
    AccountBudget b = known_budget(10000, 0);
    EXPECT_EQ(b.delay_ms(9000, 1), 500);  // as if no time had passed since the hint
    b.spend(9000, 0);  // a zero cost still counts as one unit
    EXPECT_EQ(b.delay_ms(10000, 1), 1000);
}

TEST(AccountBudgetTest, WaitedAccumulates) {
    AccountBudget b;
    EXPECT_EQ(b.waited_ms(), 0);
    b.add_waited(250);
    b.add_waited(750);
    EXPECT_EQ(b.waited_ms(), 1000);
}

TEST(RateLimiterTest, OneBudgetPerAccount) {
    RateLimiter limiter;
    AccountBudget& a = limiter.account("shopify:a.myshopify.com");
    a.pause(0, 1000);
    EXPECT_EQ(&limiter.account("shopify:a.myshopify.com"), &a);
    EXPECT_EQ(limiter.account("shopify:a.myshopify.com").delay_ms(0, 1), 1000);
    EXPECT_EQ(limiter.account("amazon:SELLER").delay_ms(0, 1), 0);
}

}  // namespace
}  // namespace pcgd::host::net
