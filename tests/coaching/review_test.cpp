// Joint-review deltas between two snapshots, worked out by hand.
#include <gtest/gtest.h>

#include "coaching/review.hpp"

using namespace pcgd::coaching;

namespace {

Snapshot before() {
    Snapshot s;
    s.month = "2026-08";
    s.currency = "GBP";
    s.orders = 10;
    s.sales = 100000;
    s.profit = 30000;
    s.channels = {{"fr", "testshop", "FR", 3, 30000, 200, 10000}, {"gb", "shopify", "GB", 7, 70000, 500, 20000}};
    s.countries = {{"FR", "", "FR", 3, 30000, 200, 10000}, {"GB", "", "GB", 7, 70000, 500, 20000}};
    s.products = {{"gb", "A", 5, 6, 60000, 18000}, {"gb", "B", 2, 2, 10000, std::nullopt}, {"fr", "A", 3, 3, 30000, 10000}};
    s.quality = {{"gb", 70}, {"fr", 60}};
    s.strong = 2, s.good = 3, s.potential = 4, s.new_markets = 5;
    return s;
}

Snapshot after() {
    Snapshot s;
    s.month = "2026-09";
    s.currency = "GBP";
    s.orders = 12;
    s.sales = 90000;
    s.profit = std::nullopt;  // a sold SKU without a cost
    s.channels = {{"fr", "testshop", "FR", 3, 15000, 0, 9000}, {"gb", "shopify", "GB", 9, 75000, 600, std::nullopt}};
    s.countries = {{"FR", "", "FR", 3, 15000, 0, 9000}, {"GB", "", "GB", 9, 75000, 600, std::nullopt}};
    s.products = {{"gb", "A", 6, 7, 70000, 21000}, {"fr", "A", 2, 2, 10000, 6000}, {"fr", "C", 1, 1, 5000, 3000}};
    s.quality = {{"gb", 74}, {"fr", 60}};
    s.strong = 3, s.good = 3, s.potential = 2, s.new_markets = 5;
    return s;
}

const Delta& find(const std::vector<Delta>& ds, const std::string& group, const std::string& key, const std::string& figure) {
    for (const auto& d : ds)
        if (d.group == group && d.key == key && d.figure == figure) return d;
    throw std::runtime_error("no delta " + group + "/" + key + "/" + figure);
}

}  // namespace

TEST(CoachingReview, TotalsChannelsAndCountriesMoveByTheirDifference) {
    const auto ds = review_deltas(before(), after());
    const auto& orders = find(ds, "total", "", "orders");
    EXPECT_EQ(orders.before, 10);
    EXPECT_EQ(orders.after, 12);
    EXPECT_EQ(orders.change, 2);
    EXPECT_DOUBLE_EQ(*orders.change_pct, 20.0);
    const auto& sales = find(ds, "total", "", "sales");
    EXPECT_TRUE(sales.money);
    EXPECT_EQ(sales.change, -10000);
    EXPECT_DOUBLE_EQ(*sales.change_pct, -10.0);
    // Profit became unknown: so is its change.
    const auto& profit = find(ds, "total", "", "profit");
    EXPECT_EQ(profit.before, 30000);
    EXPECT_FALSE(profit.after);
    EXPECT_FALSE(profit.change);
    EXPECT_FALSE(profit.change_pct);

    EXPECT_EQ(find(ds, "channel", "fr", "sales").change, -15000);
    EXPECT_DOUBLE_EQ(*find(ds, "channel", "fr", "sales").change_pct, -50.0);
    EXPECT_EQ(find(ds, "channel", "fr", "views").change, -200);
    EXPECT_DOUBLE_EQ(*find(ds, "channel", "fr", "views").change_pct, -100.0);
    EXPECT_EQ(find(ds, "channel", "gb", "orders").change, 2);
    EXPECT_FALSE(find(ds, "channel", "gb", "profit").change);
    EXPECT_EQ(find(ds, "country", "FR", "profit").change, -1000);
    EXPECT_DOUBLE_EQ(*find(ds, "country", "FR", "profit").change_pct, -10.0);
    EXPECT_EQ(find(ds, "country", "GB", "views").change, 100);
}

TEST(CoachingReview, ProductsMissingOnOneSideCountAsNothingSold) {
    const auto ds = review_deltas(before(), after());
    // gb/B sold in August, not in September.
    EXPECT_EQ(find(ds, "product", "gb/B", "orders").change, -2);
    EXPECT_EQ(find(ds, "product", "gb/B", "sales").after, 0);
    EXPECT_EQ(find(ds, "product", "gb/B", "sales").change, -10000);
    EXPECT_FALSE(find(ds, "product", "gb/B", "profit").change);  // its August profit was unknown
    // fr/C is new: a change without a percentage.
    EXPECT_EQ(find(ds, "product", "fr/C", "units").change, 1);
    EXPECT_FALSE(find(ds, "product", "fr/C", "units").change_pct);
    EXPECT_EQ(find(ds, "product", "fr/A", "profit").change, -4000);

    // The biggest sales moves: fr/A -20000, then gb/A and gb/B at 10000 (by key).
    const auto top = top_product_moves(ds, 2);
    ASSERT_EQ(top.size(), 8u);
    EXPECT_EQ(top[0].key, "fr/A");
    EXPECT_EQ(top[4].key, "gb/A");
}

TEST(CoachingReview, QualityAndOpportunitiesAreCompared) {
    const auto ds = review_deltas(before(), after());
    EXPECT_EQ(find(ds, "quality", "gb", "score").change, 4);
    EXPECT_NEAR(*find(ds, "quality", "gb", "score").change_pct, 5.714, 0.001);
    EXPECT_EQ(find(ds, "quality", "fr", "score").change, 0);
    EXPECT_EQ(find(ds, "opportunities", "", "strong").change, 1);
    EXPECT_EQ(find(ds, "opportunities", "", "potential").change, -2);
    EXPECT_DOUBLE_EQ(*find(ds, "opportunities", "", "potential").change_pct, -50.0);
}

TEST(CoachingReview, SnapshotsInDifferentCurrenciesAreRefused) {
    Snapshot eur = after();
    eur.currency = "EUR";
    EXPECT_THROW(review_deltas(before(), eur), std::invalid_argument);
}

TEST(CoachingReview, SnapshotJsonRoundTrips) {
    Snapshot s = after();
    s.taken_at_ms = 1790000000000;
    s.margin_pct = 31.2;
    s.shops = {{"gb", "shopify", "GB", 1789990000000}, {"fr", "testshop", "FR", std::nullopt}};
    s.projected_sales = 123456;
    const Snapshot back = snapshot_from_json(to_json(s));
    EXPECT_EQ(to_json(back), to_json(s));
    EXPECT_FALSE(back.profit);
    EXPECT_FALSE(back.shops[1].synced_at_ms);
    EXPECT_EQ(back.channels[1].profit, std::nullopt);
    EXPECT_EQ(back.products[2].sku, "C");
}
