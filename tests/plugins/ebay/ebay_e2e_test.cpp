// End to end: the real pcgd binary, the eBay plugin module and the
// emulator's ebay platform on loopback. Every check compares the store with
// the emulator's ground truth exactly.
#include <gtest/gtest.h>

#include <set>

#include "harness.hpp"

using namespace pcgd::test;

namespace {

/// A fast rate limit unless a test is about throttling.
Emulator::Options ebay(const std::string& country, int seed, int products, int orders,
                       std::vector<std::string> extra = {"--bucket", "100000", "--leak-per-s", "100000"}) {
    return emulated("ebay", country, seed, products, orders, std::move(extra));
}

void add_shop(const Pcgd& pcgd, const std::string& id, const Emulator& emulator, const std::string& country = "GB",
              std::vector<std::string> settings = {}, const std::string& refresh_token = "v^1.1#i^1#r^1#f^0#p^3#I^3#t^pcgd-emulator-refresh",
              std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"shop", "add", "--id", id, "--platform", "ebay", "--base-url", emulator.base_url(), "--country", country,
                                     "--credential", "client_id=pcgd-ebay-client", "--credential", "client_secret=pcgd-ebay-secret",
                                     "--credential", "refresh_token=" + refresh_token};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const auto& s : settings) args.insert(args.end(), {"--setting", s});
    const auto r = pcgd(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::int64_t changes(const rapidjson::Document& report) {
    return sum_field(report, "inserted") + sum_field(report, "updated") + sum_field(report, "deleted");
}

}  // namespace

TEST(EbayEndToEnd, FullSyncMatchesGroundTruthAndASecondSyncChangesNothing) {
    Emulator shop(ebay("GB", 11, 25, 400));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    const auto first = sync_json(pcgd);
    ASSERT_EQ(first[0]["datasets"].Size(), 3u);
    EXPECT_TRUE(first[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    const auto second = sync_json(pcgd);
    EXPECT_EQ(changes(second), 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    // Records carry their marketplace.
    for (const char* table : {"orders", "products", "variants", "traffic"})
        for (const auto& r : pcgd.export_jsonl(table, "uk")) ASSERT_STREQ(r["marketplace"].GetString(), "EBAY_GB") << table;
    for (const auto& d : first[0]["datasets"].GetArray()) EXPECT_EQ(d["warnings"].Size(), 0u) << d["dataset"].GetString();
    // Each listing's views carry a SKU it sells, learnt from the offers, for the analysis.
    for (const auto& t : pcgd.export_jsonl("traffic", "uk")) ASSERT_STRNE(t["sku"].GetString(), "") << t["listing_id"].GetString();
}

TEST(EbayEndToEnd, ATrafficSyncAloneLearnsTheListingsFirst) {
    Emulator shop(ebay("GB", 13, 15, 20));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    const auto report = sync_json(pcgd, {"--dataset", "traffic"});
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(sum_field(report, "records"), shop.summary()["counts"]["traffic"].GetInt64());
    std::set<std::string> skus;
    for (const auto& t : pcgd.export_jsonl("traffic", "uk")) skus.insert(t["sku"].GetString());
    EXPECT_FALSE(skus.count("")) << "every listing's SKU was learnt";
    EXPECT_EQ(pcgd.export_jsonl("variants", "uk").size(), 0u) << "the scan emits nothing";
}

TEST(EbayEndToEnd, AFrenchShopSyncsOnEbayFrInEuros) {
    Emulator shop(ebay("FR", 12, 20, 400));
    Pcgd pcgd;
    add_shop(pcgd, "fr", shop, "FR", {"page_size=50"});
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "fr", shop), "");
    int converted = 0;
    for (const auto& o : pcgd.export_jsonl("orders", "fr")) {
        EXPECT_STREQ(o["marketplace"].GetString(), "EBAY_FR");
        EXPECT_STREQ(o["currency"].GetString(), "EUR");
        converted += std::string_view(o["presentment_currency"].GetString()) != "EUR";
    }
    EXPECT_GT(converted, 0) << "some buyers paid in another currency";
}

TEST(EbayEndToEnd, IncrementalSyncCarriesEditsCancellationsDeletionsAndLateRefunds) {
    Emulator shop(ebay("GB", 5, 20, 300));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    sync_json(pcgd);
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    const auto before = shop.summary();
    shop.mutate();
    shop.mutate();
    const auto after = shop.summary();
    EXPECT_NE(before["counts"]["refunds"].GetInt64(), after["counts"]["refunds"].GetInt64());
    const auto report = sync_json(pcgd);
    EXPECT_GT(sum_field(report, "updated") + sum_field(report, "inserted"), 0);
    EXPECT_GT(sum_field(report, "deleted"), 0) << "the deleted products";
    std::int64_t order_records = 0;
    for (const auto& dataset : report[0]["datasets"].GetArray())
        if (std::string_view(dataset["dataset"].GetString()) == "orders") order_records = dataset["records"].GetInt64();
    EXPECT_LT(order_records, 40) << "orders incremental, not a full pass";
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    EXPECT_EQ(static_cast<std::int64_t>(pcgd.export_jsonl("refunds", "uk").size()), after["counts"]["refunds"].GetInt64());
    EXPECT_EQ(changes(sync_json(pcgd)), 0);
}

TEST(EbayEndToEnd, EveryFaultKindEndsWithCompleteData) {
    Emulator shop(ebay("GB", 3, 20, 300,
                       {"--bucket", "100000", "--leak-per-s", "100000", "--faults",
                        "429:0.08,5xx:0.08,drop:0.08,truncate:0.08,malformed:0.08,expired-token:0.05,slow:0.03", "--slow-ms", "300",
                        "--retry-after-s", "0"}));
    Pcgd pcgd;
    add_shop(pcgd, "a", shop, "GB", {"page_size=25"});
    add_shop(pcgd, "b", shop, "GB", {"page_size=7"});
    const auto report = sync_json(pcgd);
    for (const auto& s : report.GetArray()) EXPECT_TRUE(s["ok"].GetBool()) << s["id"].GetString();
    EXPECT_GT(sum_field(report, "retries") + sum_field(report, "restarts"), 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "a", shop), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "b", shop), "");
    const auto stats = shop.stats();
    for (const char* kind : {"429", "5xx", "slow", "drop", "truncate", "malformed", "expired-token"})
        EXPECT_GT(stats["faults"][kind].GetInt64(), 0) << kind << " was never injected";
}

TEST(EbayEndToEnd, RateLimitedRunCompletesWithoutAFailedPage) {
    // Two shops of one emulator share its bucket while the host paces each on its own.
    Emulator shop(ebay("GB", 9, 10, 200, {"--bucket", "10", "--leak-per-s", "40"}));
    Pcgd pcgd;
    add_shop(pcgd, "a", shop, "GB", {"page_size=20"});
    add_shop(pcgd, "b", shop, "GB", {"page_size=20"});
    const auto report = sync_json(pcgd);
    for (const auto& s : report.GetArray()) EXPECT_TRUE(s["ok"].GetBool());
    EXPECT_EQ(sum_field(report, "restarts"), 0) << "a 429 is a wait, never a failure";
    std::int64_t limited = 0;
    const auto stats = shop.stats();
    for (const auto& route : stats["by_route"].GetObject())
        if (route.value.HasMember("429")) limited += route.value["429"].GetInt64();
    EXPECT_GT(limited, 0) << "the limit was met";
    EXPECT_EQ(ground_truth_differences(pcgd, "a", shop), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "b", shop), "");
}

TEST(EbayEndToEnd, KillDuringSyncLosesAndDuplicatesNothing) {
    Emulator shop(ebay("GB", 21, 20, 1500, {"--bucket", "100000", "--leak-per-s", "100000", "--latency-ms", "10"}));
    const std::int64_t total = shop.summary()["counts"]["orders"].GetInt64();
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {"page_size=20"});
    std::int64_t previous = 0;
    for (int pages_before_kill : {1, 6, 15}) {
        const std::int64_t orders = kill_orders_sync_after(pcgd, "uk", previous + 20LL * pages_before_kill);
        EXPECT_LT(orders, total) << "killed too late to test anything";
        EXPECT_EQ(orders % 20, 0) << "whole pages only";
        previous = orders;
    }
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
}

TEST(EbayEndToEnd, ABadRefreshTokenIsReportedWithEbaysWords) {
    Emulator shop(ebay("GB", 1, 3, 5));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {}, "v^1.1#revoked");
    const auto check = pcgd({"shop", "check", "--id", "uk"});
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_NE(check.out.find("invalid_grant: the provided authorization refresh token is invalid"), std::string::npos) << check.out << check.err;
}

TEST(EbayEndToEnd, ASellerOnEbayGbAndEbayFrSharesOneAccountBudget) {
    // One seller, one eBay account, two marketplaces: two shops paced as one.
    Emulator gb(ebay("GB", 31, 15, 200, {"--bucket", "15", "--leak-per-s", "60"}));
    Emulator fr(ebay("FR", 31, 15, 200, {"--bucket", "15", "--leak-per-s", "60"}));
    Pcgd pcgd;
    const std::string token = "v^1.1#i^1#r^1#f^0#p^3#I^3#t^pcgd-emulator-refresh";
    add_shop(pcgd, "uk", gb, "GB", {"page_size=25"}, token, {"--account", "lumiere-ebay"});
    add_shop(pcgd, "fr", fr, "FR", {"page_size=25"}, token, {"--account", "lumiere-ebay"});
    const auto list = parse_json(pcgd({"shop", "list", "--json"}).out);
    EXPECT_STREQ(shop_entry(list, "uk")["budget"].GetString(), "ebay:lumiere-ebay");
    EXPECT_STREQ(shop_entry(list, "fr")["budget"].GetString(), "ebay:lumiere-ebay");
    const auto report = sync_json(pcgd);
    for (const auto& s : report.GetArray()) EXPECT_TRUE(s["ok"].GetBool()) << s["shop"].GetString();
    EXPECT_EQ(sum_field(report, "restarts"), 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", gb), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "fr", fr), "");
    for (const auto& o : pcgd.export_jsonl("orders", "fr")) ASSERT_STREQ(o["marketplace"].GetString(), "EBAY_FR");
    for (const auto& o : pcgd.export_jsonl("orders", "uk")) ASSERT_STREQ(o["marketplace"].GetString(), "EBAY_GB");
}

TEST(EbayEndToEnd, AnAccountRefusingListingAndDayReadsOneDayPerCall) {
    // eBay's spec lists DAY or LISTING; this emulator refuses the pair with 50001, as an account may.
    Emulator shop(ebay("GB", 14, 15, 20, {"--bucket", "100000", "--leak-per-s", "100000", "--data", "generated,one-dimension"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {"traffic_calls_per_day=100"});
    const auto first = sync_json(pcgd);
    EXPECT_TRUE(first[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    const auto calls = [&](const char* status) {
        const auto stats = shop.stats();
        const auto& route = stats["by_route"]["GET /sell/analytics/v1/traffic_report"];
        return route.HasMember(status) ? route[status].GetInt64() : 0;
    };
    // The refused pair, then the 90 days of traffic_days one by one.
    EXPECT_EQ(calls("400"), 1);
    EXPECT_EQ(calls("200"), 90);
    // The same day again: every final day is read, the refusal is remembered, no call is made.
    const auto second = sync_json(pcgd, {"--dataset", "traffic"});
    EXPECT_TRUE(second[0]["ok"].GetBool());
    EXPECT_EQ(calls("400"), 1);
    EXPECT_EQ(calls("200"), 90);
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
}

TEST(EbayEndToEnd, TheDailyBudgetLeavesTheOtherDaysForTheNextSync) {
    Emulator shop(ebay("GB", 14, 15, 20, {"--bucket", "100000", "--leak-per-s", "100000", "--data", "generated,one-dimension"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);  // traffic_calls_per_day: 50 by default
    const auto report = sync_json(pcgd, {"--dataset", "traffic"});
    EXPECT_TRUE(report[0]["ok"].GetBool());
    const auto stats = shop.stats();
    const auto& route = stats["by_route"]["GET /sell/analytics/v1/traffic_report"];
    EXPECT_EQ(route["400"].GetInt64(), 1);
    EXPECT_EQ(route["200"].GetInt64(), 49) << "the refusal counts against the 50";
    // The 49 oldest of the 90 days are in; nothing of the last 41.
    std::set<std::string> days;
    for (const auto& t : pcgd.export_jsonl("traffic", "uk")) days.insert(t["day"].GetString());
    EXPECT_EQ(days.size(), 49u);
}
