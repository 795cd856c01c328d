// Goal progress read from the tools' reports, worked out by hand.
#include <gtest/gtest.h>

#include "coaching/goals.hpp"
#include "reports.hpp"

using namespace pcgd;
using namespace pcgd::coaching;
using namespace pcgd::coaching::test;
using analysis::Percent;

namespace {

ToolReports tools() {
    ToolReports r;
    r.planning = report("planning", {section("months", {"month", "orders", "sales", "margin_pct"},
                                             {{month("2026-09"), std::int64_t{40}, gbp(250000), Percent{31.24}},
                                              {month("2026-10"), std::int64_t{55}, gbp(310000), std::monostate{}}}),
                                     section("channels", {"month", "shop", "platform", "country", "orders", "sales"},
                                             {{month("2026-09"), std::string("gb"), std::string("shopify"), std::string("GB"), std::int64_t{30}, gbp(200000)},
                                              {month("2026-09"), std::string("fr"), std::string("testshop"), std::string("FR"), std::int64_t{10}, gbp(50000)},
                                              {month("2026-10"), std::string("gb"), std::string("shopify"), std::string("GB"), std::int64_t{41}, gbp(250000)},
                                              {month("2026-10"), std::string("fr"), std::string("testshop"), std::string("FR"), std::int64_t{14}, gbp(60000)}})});
    r.quality = report("quality", {section("shops", {"shop", "score"}, {{std::string("gb"), std::int64_t{72}}, {std::string("fr"), std::int64_t{65}}})});
    return r;
}

host::Goal goal(const char* metric, std::int64_t target, const char* due, const char* shop = "", const char* currency = "") {
    host::Goal g;
    g.id = 7;
    g.metric = metric;
    g.target = target;
    g.due_day = *model::parse_date(due);
    g.shop_id = shop;
    g.currency = currency;
    return g;
}

std::int64_t day(const char* d) { return *model::parse_date(d); }

}  // namespace

TEST(CoachingGoals, MeasuredOnTheLastFullMonthButNeverAfterTheDueMonth) {
    EXPECT_EQ(goal_month(goal("monthly_sales", 1, "2026-10-31"), day("2026-11-05")), month("2026-10"));
    EXPECT_EQ(goal_month(goal("monthly_sales", 1, "2026-12-31"), day("2026-10-15")), month("2026-09"));
    EXPECT_EQ(goal_month(goal("monthly_sales", 1, "2026-09-30"), day("2027-02-01")), month("2026-09"));
}

TEST(CoachingGoals, MonthlySalesFromThePlanningMonths) {
    const auto reached = goal_progress(goal("monthly_sales", 300000, "2026-10-31", "", "GBP"), tools(), month("2026-10"), day("2026-11-05"));
    EXPECT_EQ(reached.value, 310000);
    EXPECT_NEAR(*reached.percent, 103.333, 0.001);  // 310000 / 300000
    EXPECT_EQ(reached.state, "reached");
    const auto on_way = goal_progress(goal("monthly_sales", 300000, "2026-12-31", "", "GBP"), tools(), month("2026-09"), day("2026-10-15"));
    EXPECT_EQ(on_way.value, 250000);
    EXPECT_NEAR(*on_way.percent, 83.333, 0.001);
    EXPECT_EQ(on_way.state, "in_progress");
    // A target in another currency than the report's is never compared.
    EXPECT_THROW(goal_progress(goal("monthly_sales", 1, "2026-10-31", "", "EUR"), tools(), month("2026-10"), day("2026-11-05")),
                 std::invalid_argument);
}

TEST(CoachingGoals, MarginInTenthsOfAPercentAndUnknownWhenTheToolShowsNone) {
    // 31.24% is 312 tenths; the target 35.0% is 350; due in September, now November.
    const auto missed = goal_progress(goal("margin", 350, "2026-09-30"), tools(), month("2026-09"), day("2026-11-05"));
    EXPECT_EQ(missed.value, 312);
    EXPECT_NEAR(*missed.percent, 89.143, 0.001);
    EXPECT_EQ(missed.state, "missed");
    const auto unknown = goal_progress(goal("margin", 350, "2026-10-31"), tools(), month("2026-10"), day("2026-11-05"));
    EXPECT_FALSE(unknown.value);
    EXPECT_FALSE(unknown.percent);
    EXPECT_EQ(unknown.state, "unknown");
}

TEST(CoachingGoals, ChannelOrdersAndQualityScorePerShop) {
    const auto orders = goal_progress(goal("channel_orders", 12, "2026-10-31", "fr"), tools(), month("2026-10"), day("2026-11-05"));
    EXPECT_EQ(orders.value, 14);
    EXPECT_NEAR(*orders.percent, 116.667, 0.001);
    EXPECT_EQ(orders.state, "reached");
    const auto score = goal_progress(goal("quality_score", 80, "2026-12-31", "gb"), tools(), month("2026-10"), day("2026-11-05"));
    EXPECT_EQ(score.value, 72);
    EXPECT_DOUBLE_EQ(*score.percent, 90.0);
    EXPECT_EQ(score.state, "in_progress");
    EXPECT_THROW(goal_progress(goal("channel_orders", 1, "2026-10-31", "de"), tools(), month("2026-10"), day("2026-11-05")),
                 std::invalid_argument);
}
