// The plan draft from hand-made tool reports.
#include <gtest/gtest.h>

#include "coaching/plan_draft.hpp"
#include "coaching/plan_review.hpp"
#include "reports.hpp"

using namespace pcgd;
using namespace pcgd::coaching;
using namespace pcgd::coaching::test;

namespace {

using S = std::string;
using I = std::int64_t;

ToolReports tools() {
    ToolReports r;
    r.opportunities = report(
        "opportunities",
        {section("products", {"shop", "product_id", "title", "tier", "units", "orders", "reason"},
                 {{S("gb"), S("p1"), S("Lavender candle"), S("strong"), I{12}, I{10}, S("proven sales: 12 units")},
                  {S("gb"), S("p2"), S("Soap"), S("good"), I{5}, I{5}, S("fewer sales")},
                  {S("fr"), S("p3"), S("Bougie"), S("strong"), I{20}, I{15}, S("proven sales: 20 units")}}),
         section("new_markets", {"sku", "title", "sells_in", "units", "absent_from"},
                 {{S("SKU-A"), S("Candle A"), S("gb"), I{12}, S("fr (testshop, FR)")},
                  {S("SKU-B"), S("Soap B"), S("gb"), I{9}, S("fr (testshop, FR)")},
                  {S("SKU-C"), S("Bougie C"), S("fr"), I{20}, S("gb (shopify, GB)")}})});
    r.quality = report("quality", {section("deductions", {"shop", "product_id", "factor", "points", "reason", "fix"},
                                           {{S("gb"), S("p1"), S("identifiers"), I{-5}, S("no GTIN"), S("Add the GTIN")},
                                            {S("gb"), S("p2"), S("title"), I{-25}, S("empty title"), S("Write a title")},
                                            {S("fr"), S("p3"), S("images"), I{-20}, S("no image"), S("Add images")},
                                            {S("fr"), S("p4"), S("stock"), I{-3}, S("low"), S("Restock")},
                                            {S("fr"), S("p5"), S("description"), I{-12}, S("short"), S("Describe it")},
                                            {S("gb"), S("p6"), S("identifiers"), I{-10}, S("no SKU"), S("Give a SKU")},
                                            {S("gb"), S("p7"), S("price"), I{-5}, S("no price"), S("Set a price")}})});
    r.planning = report("planning", {section("channels", {"month", "shop", "platform", "country", "orders", "sales"},
                                             {{month("2026-10"), S("gb"), S("shopify"), S("GB"), I{30}, gbp(1)},
                                              {month("2026-10"), S("fr"), S("testshop"), S("FR"), I{10}, gbp(2)}}),
                                     section("projection", {"figure", "month", "projected", "low", "high"},
                                             {{S("sales"), month("2026-11"), gbp(123456), gbp(100000), gbp(150000)},
                                              {S("orders"), month("2026-11"), I{40}, I{30}, I{50}}})});
    return r;
}

}  // namespace

TEST(CoachingPlanDraft, CollectsTheToolsFindingsLargestFirst) {
    const PlanDraft d = draft_plan(tools());
    EXPECT_EQ(d.month, "2026-10");
    ASSERT_EQ(d.strong.size(), 2u);
    EXPECT_EQ(d.strong[0].product_id, "p3");  // 20 units before 12
    EXPECT_EQ(d.strong[1].product_id, "p1");
    ASSERT_EQ(d.new_markets.size(), 3u);
    EXPECT_EQ(d.new_markets[0].sku, "SKU-C");
    EXPECT_EQ(d.new_markets[1].absent_from, "fr");
    // The five largest deductions, shown as points taken off: 25, 20, 12, 10, 5 (the first 5).
    ASSERT_EQ(d.fixes.size(), max_fixes);
    const std::vector<std::int64_t> points = {d.fixes[0].points, d.fixes[1].points, d.fixes[2].points, d.fixes[3].points, d.fixes[4].points};
    EXPECT_EQ(points, (std::vector<std::int64_t>{25, 20, 12, 10, 5}));
    EXPECT_EQ(d.fixes[4].product_id, "p1");
    EXPECT_EQ(d.projected_sales, 123456);
    EXPECT_EQ(d.projected_sales_low, 100000);
    EXPECT_EQ(d.projected_sales_high, 150000);
    EXPECT_EQ(d.projected_orders, 40);
}

TEST(CoachingPlanDraft, TargetsTheShopTheCandidatesAreMostAbsentFrom) {
    // fr lacks SKU-A (12) and SKU-B (9): 21 units; gb lacks SKU-C: 20.
    const PlanDraft d = draft_plan(tools());
    EXPECT_EQ(d.target_shop, "fr");
    EXPECT_EQ(d.target_country, "FR");
    EXPECT_EQ(d.target_channel, "testshop");
    ASSERT_EQ(d.actions.size(), 9u);  // listing, investigation, 2 strong, 5 fixes
    EXPECT_EQ(d.actions[0].title, "List on fr the products that sell elsewhere: SKU-A, SKU-B");
    EXPECT_EQ(d.actions[0].owner_kind, "sme_staff");
    EXPECT_EQ(d.actions[1].owner_kind, "account_manager");
    EXPECT_NE(d.actions[1].title.find("FR testshop"), std::string::npos);
    EXPECT_NE(d.actions[2].title.find("Bougie (fr)"), std::string::npos);
    EXPECT_EQ(d.actions[5].owner_kind, "external");  // the images fix: photographs are bought in
    EXPECT_EQ(d.actions[5].title, "Add images: product p3 (fr), no image");
    for (const auto& a : d.actions) {
        EXPECT_TRUE(a.in_plan);
        EXPECT_EQ(a.status, "planned");
    }
}

TEST(CoachingPlanDraft, WrittenInTheReportsLanguage) {
    // In French the tool labels a strong opportunity "forte": nothing is "strong".
    ToolReports r = tools();
    EXPECT_TRUE(draft_plan(r, analysis::Lang::fr).strong.empty());
    for (auto& row : r.opportunities.sections[0].rows)
        if (std::get<std::string>(row[3]) == "strong") row[3] = S("forte");
    const PlanDraft d = draft_plan(r, analysis::Lang::fr);
    ASSERT_EQ(d.strong.size(), 2u);
    EXPECT_EQ(d.actions[0].title, "Mettre en vente sur fr les produits qui se vendent ailleurs : SKU-A, SKU-B");
    EXPECT_EQ(d.actions[2].title, "Garder Bougie (fr) en stock et le mettre en avant : proven sales: 20 units");
    EXPECT_EQ(d.actions[5].title, "Add images : produit p3 (fr), no image");
}

TEST(CoachingPlanDraft, JsonRoundTrips) {
    const PlanDraft d = draft_plan(tools());
    const PlanDraft back = plan_draft_from_json(to_json(d));
    EXPECT_EQ(to_json(back), to_json(d));
}

TEST(CoachingPlanReview, ComparesTheMonthsSinceThePlanWithAsManyBefore) {
    // Plan on 2026-08-20; the review in November shows September-October
    // against July-August.
    analysis::Report planning = report("planning", {section("channels", {"month", "shop", "platform", "country", "orders", "sales"},
                                                            {{month("2026-07"), S("gb"), S("s"), S("GB"), I{10}, gbp(1000)},
                                                             {month("2026-08"), S("gb"), S("s"), S("GB"), I{12}, gbp(1500)},
                                                             {month("2026-09"), S("gb"), S("s"), S("GB"), I{15}, gbp(2000)},
                                                             {month("2026-10"), S("gb"), S("s"), S("GB"), I{20}, gbp(2600)},
                                                             {month("2026-06"), S("fr"), S("s"), S("FR"), I{99}, gbp(9900)},
                                                             {month("2026-10"), S("fr"), S("s"), S("FR"), I{4}, gbp(400)}})});
    const PlanReview r = plan_review(*model::parse_date("2026-08-20"), planning);
    EXPECT_EQ(r.before_from, month("2026-07"));
    EXPECT_EQ(r.before_to, month("2026-08"));
    EXPECT_EQ(r.after_from, month("2026-09"));
    EXPECT_EQ(r.after_to, month("2026-10"));
    ASSERT_EQ(r.deltas.size(), 6u);  // total, fr, gb x orders, sales
    EXPECT_EQ(r.deltas[0].before, 22);  // 10 + 12; June is outside
    EXPECT_EQ(r.deltas[0].after, 39);   // 15 + 20 + 4
    EXPECT_EQ(r.deltas[1].before, 2500);
    EXPECT_EQ(r.deltas[1].after, 5000);
    EXPECT_EQ(r.deltas[1].change, 2500);
    EXPECT_DOUBLE_EQ(*r.deltas[1].change_pct, 100.0);
    EXPECT_EQ(r.deltas[2].key, "fr");
    EXPECT_EQ(r.deltas[2].before, 0);
    EXPECT_FALSE(r.deltas[2].change_pct);
    // Too early: October is not over on 2026-10-20.
    EXPECT_THROW(plan_review(*model::parse_date("2026-10-20"), planning), std::invalid_argument);
}
