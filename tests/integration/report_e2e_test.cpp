// The reports against a synced store: the real pcgd binary, the testshop
// plugin and its emulator. Every figure checked here is recomputed from the
// store's own export, not from the report's code.
#include <gtest/gtest.h>

#include <set>

#include "harness.hpp"

using namespace pcgd::test;

namespace {

std::int64_t minor_of(const rapidjson::Value& money) { return money["minor"].GetInt64(); }

class ReportEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(pcgd({"sme", "add", "--id", "lumiere", "--name", "Lumière", "--currency", "GBP"}).exit_code, 0);
        // UTC keeps the month boundaries of this test plain; the golden tests
        // cover shops' own time zones.
        const auto add = pcgd({"shop", "add", "--id", "gb", "--sme", "lumiere", "--platform", "testshop", "--base-url",
                               emulator.base_url(), "--country", "GB", "--timezone", "UTC", "--setting",
                               "client_id=pcgd-test-client", "--credential", "client_secret=pcgd-test-secret"});
        ASSERT_EQ(add.exit_code, 0) << add.err;
        sync_json(pcgd);
    }

    /// Names of the orders created in October 2026 (UTC) and not cancelled, from the export.
    std::set<std::string> october_orders() const {
        std::set<std::string> names;
        for (const auto& o : pcgd.export_jsonl("orders", "gb")) {
            const std::string created = o["created_at"].GetString();
            const bool cancelled = o.HasMember("cancelled_at") || std::string(o["status"].GetString()) == "cancelled";
            if (created.rfind("2026-10-", 0) == 0 && !cancelled) names.insert(o["name"].GetString());
        }
        return names;
    }

    Emulator emulator{emulated("testshop", "GB", 13, 20, 900)};
    Pcgd pcgd;
};

}  // namespace

TEST_F(ReportEndToEnd, GrowthListsExactlyTheMonthsOrdersAndTheirSalesAddUp) {
    const auto expected = october_orders();
    ASSERT_GT(expected.size(), 5u);
    const auto r = pcgd({"report", "growth", "--shop", "gb", "--month", "2026-10", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto report = parse_json(r.out);
    EXPECT_STREQ(report["schema"].GetString(), "pcgd.report/1");
    const auto& overview = report["sections"]["overview"]["rows"][0];
    EXPECT_EQ(overview["orders"].GetInt64(), static_cast<std::int64_t>(expected.size()));

    std::set<std::string> listed;
    std::int64_t sales = 0;
    for (const auto& row : report["sections"]["orders"]["rows"].GetArray()) {
        sales += minor_of(row["sales"]);
        const std::string name = row["order"].GetString();
        if (expected.count(name)) listed.insert(name);
    }
    EXPECT_EQ(listed, expected);
    EXPECT_EQ(sales, minor_of(overview["sales"]));  // the order rows add up to the month
}

TEST_F(ReportEndToEnd, PlanningAgreesWithGrowthAndNeverSumsCurrenciesSilently) {
    const auto growth = parse_json(pcgd({"report", "growth", "--shop", "gb", "--month", "2026-10", "--format", "json"}).out);
    const auto r = pcgd({"report", "planning", "--sme", "lumiere", "--month", "2026-10", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto planning = parse_json(r.out);
    const auto& months = planning["sections"]["months"]["rows"];
    const auto& october = months[months.Size() - 1];
    EXPECT_STREQ(october["month"].GetString(), "2026-10");
    EXPECT_EQ(october["orders"].GetInt64(), growth["sections"]["overview"]["rows"][0]["orders"].GetInt64());
    EXPECT_EQ(minor_of(october["sales"]), minor_of(growth["sections"]["overview"]["rows"][0]["sales"]));

    // The same shop in euros needs a rate: refused, naming a day and the pair.
    const auto eur = pcgd({"report", "planning", "--sme", "lumiere", "--month", "2026-10", "--currency", "EUR"});
    EXPECT_EQ(eur.exit_code, 2);
    EXPECT_NE(eur.err.find("no GBP->EUR exchange rate for "), std::string::npos) << eur.err;
}

TEST_F(ReportEndToEnd, EveryToolRendersInEveryFormatAndLanguage) {
    for (const char* tool : {"quality", "opportunities", "planning", "growth"})
        for (const char* format : {"text", "json", "csv"})
            for (const char* lang : {"en", "fr"}) {
                const auto r = pcgd({"report", tool, "--sme", "lumiere", "--month", "2026-10", "--format", format, "--lang", lang});
                EXPECT_EQ(r.exit_code, 0) << tool << " " << format << " " << lang << ": " << r.err;
                EXPECT_FALSE(r.out.empty()) << tool << " " << format << " " << lang;
            }
    const auto bad = pcgd({"report", "growth", "--sme", "lumiere", "--month", "2026-13"});
    EXPECT_EQ(bad.exit_code, 2);
}
