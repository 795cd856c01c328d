// Invariants on generated data: channel splits sum to totals, order and
// product rows sum to the month, and two runs give identical output.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "generated.hpp"

namespace pcgd::analysis::test {
namespace {

std::int64_t minor_of(const Cell& c) { return std::get<model::Money>(c).minor; }

class Invariants : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        store_ = new TempStore;
        generate(**store_, 30000, 60);
    }
    static void TearDownTestSuite() { delete store_; }
    Scope scope(const char* month) {
        ReportRequest request;
        request.sme_id = "gen";
        request.month = Month::parse(month);
        return resolve_scope(**store_, request);
    }
    static TempStore* store_;
    host::Config config;
    void SetUp() override { config.fees["testshop"] = host::FeeRule{250, 20}; }
};
TempStore* Invariants::store_ = nullptr;

TEST_F(Invariants, ChannelSplitsSumToTotals) {
    const Report r = planning_report(**store_, config, scope("2026-06"));
    const Section& months = section(r, "months");
    const Section& channels = section(r, "channels");
    int checked = 0;
    for (const auto& row : months.rows) {
        std::int64_t sales = 0, orders = 0;
        for (const auto& c : channels.rows)
            if (cell(channels, c, "month") == cell(months, row, "month")) {
                sales += minor_of(cell(channels, c, "sales"));
                orders += std::get<std::int64_t>(cell(channels, c, "orders"));
            }
        EXPECT_EQ(sales, minor_of(cell(months, row, "sales")));
        EXPECT_EQ(orders, std::get<std::int64_t>(cell(months, row, "orders")));
        checked += orders > 0;
    }
    EXPECT_GT(checked, 10);
}

TEST_F(Invariants, OrderAndProductProfitsSumToTheMonthsProfit) {
    for (const char* month : {"2025-03", "2026-01"}) {
        const Report r = growth_report(**store_, config, scope(month));
        const Section& overview = section(r, "overview");
        const std::int64_t profit = minor_of(cell(overview, overview.rows.at(0), "profit"));
        const std::int64_t sales = minor_of(cell(overview, overview.rows.at(0), "sales"));
        std::int64_t order_profit = 0, order_sales = 0, product_profit = 0;
        const Section& orders = section(r, "orders");
        for (const auto& row : orders.rows) {
            order_profit += minor_of(cell(orders, row, "profit"));
            order_sales += minor_of(cell(orders, row, "sales"));
        }
        const Section& products = section(r, "products");
        for (const auto& row : products.rows) product_profit += minor_of(cell(products, row, "profit"));
        EXPECT_GT(orders.rows.size(), 100u);
        EXPECT_EQ(order_profit, profit) << month;
        EXPECT_EQ(order_sales, sales) << month;
        EXPECT_EQ(product_profit, profit) << month;
        // The same month in planning shows the same profit.
        const Report planning = planning_report(**store_, config, scope(month));
        const Section& months = section(planning, "months");
        EXPECT_EQ(minor_of(cell(months, months.rows.back(), "sales")), sales) << month;
        EXPECT_EQ(minor_of(cell(months, months.rows.back(), "profit")), profit) << month;
    }
}

TEST_F(Invariants, FactsMatchARebuildFromTheRecords) {
    const auto before = render_to_string(planning_report(**store_, config, scope("2026-06")), Format::json, Lang::en);
    (*store_)->rebuild_facts();
    EXPECT_EQ(render_to_string(planning_report(**store_, config, scope("2026-06")), Format::json, Lang::en), before);
}

TEST_F(Invariants, TwoRunsGiveIdenticalOutput) {
    for (Format f : {Format::text, Format::json, Format::csv})
        for (Lang l : {Lang::en, Lang::fr}) {
            EXPECT_EQ(render_to_string(growth_report(**store_, config, scope("2026-01")), f, l),
                      render_to_string(growth_report(**store_, config, scope("2026-01")), f, l));
            EXPECT_EQ(render_to_string(quality_report(**store_, config, scope("2026-01")), f, l),
                      render_to_string(quality_report(**store_, config, scope("2026-01")), f, l));
            EXPECT_EQ(render_to_string(opportunities_report(**store_, config, scope("2026-01")), f, l),
                      render_to_string(opportunities_report(**store_, config, scope("2026-01")), f, l));
        }
}

}  // namespace
}  // namespace pcgd::analysis::test
