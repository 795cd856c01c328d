// End to end: the real pcgd binary, the Shopify plugin module and the
// emulator's shopify platform on loopback. Every check compares the store
// with the emulator's ground truth exactly.
#include <gtest/gtest.h>

#include <csignal>
#include <set>
#include <thread>

#include "harness.hpp"
#include "store/store.hpp"

using namespace pcgd::test;

namespace {

/// A fast (Plus-plan sized) bucket unless a test is about throttling.
Emulator::Options shopify(int seed, int products, int orders, std::vector<std::string> extra = {"--bucket", "20000", "--leak-per-s", "1000"}) {
    Emulator::Options o;
    o.platform = "shopify";
    o.seed = seed;
    o.products = products;
    o.orders = orders;
    o.extra = std::move(extra);
    return o;
}

void add_shop(const Pcgd& pcgd, const std::string& id, const Emulator& emulator, std::vector<std::string> settings = {}) {
    std::vector<std::string> args = {"shop", "add", "--id", id, "--platform", "shopify", "--base-url", emulator.base_url(),
                                     "--country", "GB", "--credential", "access_token=shpat_pcgd_emulator_token"};
    for (const auto& s : settings) args.insert(args.end(), {"--setting", s});
    const auto r = pcgd(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

const rapidjson::Value& shop_entry(const rapidjson::Document& shops, const std::string& id) {
    for (const auto& s : shops.GetArray())
        if (id == s["id"].GetString()) return s;
    throw std::runtime_error("shop " + id + " not listed");
}

/// Counts, per-currency totals, and no order twice.
void expect_matches_ground_truth(const Pcgd& pcgd, const std::string& shop, const Emulator& emulator) {
    const auto truth = emulator.summary();
    const auto list = pcgd({"shop", "list", "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    const auto shops = parse_json(list.out);
    const auto& counts = shop_entry(shops, shop)["counts"];
    for (const char* k : {"products", "variants", "orders", "order_lines", "refunds"})
        EXPECT_EQ(counts[k].GetInt64(), truth["counts"][k].GetInt64()) << shop << " " << k;
    std::map<std::string, std::int64_t> totals;
    std::set<std::string> ids;
    const auto orders = pcgd.export_jsonl("orders", shop);
    for (const auto& o : orders) {
        totals[o["total"]["currency"].GetString()] += o["total"]["minor"].GetInt64();
        ids.insert(o["id"].GetString());
    }
    EXPECT_EQ(ids.size(), orders.size()) << "an order is stored twice";
    std::map<std::string, std::int64_t> expected;
    for (const auto& m : truth["order_totals"].GetObject()) expected[m.name.GetString()] = m.value.GetInt64();
    EXPECT_EQ(totals, expected) << shop;
}

rapidjson::Document sync_json(const Pcgd& pcgd, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = pcgd(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return parse_json(r.out);
}

std::int64_t sum_field(const rapidjson::Document& report, const char* field) {
    std::int64_t n = 0;
    for (const auto& shop : report.GetArray())
        for (const auto& d : shop["datasets"].GetArray()) n += d[field].GetInt64();
    return n;
}

}  // namespace

TEST(ShopifyEndToEnd, BulkFullSyncMatchesGroundTruthAndASecondSyncChangesNothing) {
    Emulator shop(shopify(11, 25, 400));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    const auto first = sync_json(pcgd);
    ASSERT_EQ(first[0]["datasets"].Size(), 2u);
    EXPECT_TRUE(first[0]["ok"].GetBool());
    expect_matches_ground_truth(pcgd, "uk", shop);
    const auto stats = shop.stats();
    EXPECT_GE(stats["by_route"]["GET /bulk-results/4046676525245.jsonl"]["200"].GetInt64(), 1) << "the full sync ran in bulk";

    const auto second = sync_json(pcgd);
    EXPECT_EQ(sum_field(second, "inserted") + sum_field(second, "updated") + sum_field(second, "deleted"), 0);
    expect_matches_ground_truth(pcgd, "uk", shop);
}

TEST(ShopifyEndToEnd, PagedFullSyncEqualsTheBulkOne) {
    Emulator shop(shopify(12, 20, 300));
    Pcgd pcgd;
    add_shop(pcgd, "pages", shop, {"bulk=false", "page_size=40"});
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_GT(sum_field(report, "pages"), 8);
    expect_matches_ground_truth(pcgd, "pages", shop);
}

TEST(ShopifyEndToEnd, IncrementalSyncCarriesEditsDeletionsAndLateRefunds) {
    Emulator shop(shopify(5, 20, 200));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    sync_json(pcgd);
    expect_matches_ground_truth(pcgd, "uk", shop);
    const auto before = shop.summary();
    shop.mutate();
    shop.mutate();
    const auto after = shop.summary();
    EXPECT_NE(before["counts"]["refunds"].GetInt64(), after["counts"]["refunds"].GetInt64());
    const auto report = sync_json(pcgd);
    EXPECT_GT(sum_field(report, "updated") + sum_field(report, "inserted"), 0);
    EXPECT_GT(sum_field(report, "deleted"), 0);
    EXPECT_LT(sum_field(report, "records"), 100) << "incremental, not a full pass";
    expect_matches_ground_truth(pcgd, "uk", shop);
    // The refunded order's refund is in the store.
    const auto refunds = pcgd.export_jsonl("refunds", "uk");
    EXPECT_EQ(static_cast<std::int64_t>(refunds.size()), after["counts"]["refunds"].GetInt64());
}

TEST(ShopifyEndToEnd, EveryFaultKindEndsWithCompleteData) {
    Emulator shop(shopify(3, 20, 300,
                          {"--bucket", "20000", "--leak-per-s", "1000", "--faults",
                           "429:0.08,5xx:0.08,drop:0.08,truncate:0.08,malformed:0.08,expired-token:0.05,slow:0.03", "--slow-ms", "300",
                           "--retry-after-s", "0"}));
    Pcgd pcgd;
    add_shop(pcgd, "bulk", shop);
    add_shop(pcgd, "pages", shop, {"bulk=false", "page_size=5"});
    const auto report = sync_json(pcgd);
    for (const auto& s : report.GetArray()) EXPECT_TRUE(s["ok"].GetBool()) << s["id"].GetString();
    EXPECT_GT(sum_field(report, "retries") + sum_field(report, "restarts"), 0);
    expect_matches_ground_truth(pcgd, "bulk", shop);
    expect_matches_ground_truth(pcgd, "pages", shop);
    const auto stats = shop.stats();
    for (const char* kind : {"429", "5xx", "drop", "truncate", "malformed", "expired-token"})
        EXPECT_GT(stats["faults"][kind].GetInt64(), 0) << kind << " was never injected";
}

TEST(ShopifyEndToEnd, ThrottledRunCompletesWithoutAFailedPage) {
    // Two shops of one emulator share its bucket while the host paces each
    // on its own: the second one meets THROTTLED answers and waits them out.
    Emulator shop(shopify(9, 10, 300, {"--bucket", "400", "--leak-per-s", "200"}));
    Pcgd pcgd;
    add_shop(pcgd, "a", shop, {"bulk=false", "page_size=50"});
    add_shop(pcgd, "b", shop, {"bulk=false", "page_size=50"});
    const auto report = sync_json(pcgd);
    for (const auto& s : report.GetArray()) EXPECT_TRUE(s["ok"].GetBool());
    EXPECT_EQ(sum_field(report, "restarts"), 0) << "a throttled page is a wait, never a failure";
    EXPECT_GT(sum_field(report, "waited_ms"), 0);
    expect_matches_ground_truth(pcgd, "a", shop);
    expect_matches_ground_truth(pcgd, "b", shop);
}

TEST(ShopifyEndToEnd, KillDuringSyncLosesAndDuplicatesNothing) {
    Emulator shop(shopify(21, 30, 1200, {"--bucket", "20000", "--leak-per-s", "1000", "--latency-ms", "10"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, {"bulk=false", "page_size=20"});
    std::int64_t previous = -1;
    for (int pages_before_kill : {1, 6, 15}) {
        auto sync = pcgd.start({"sync", "--dataset", "orders"});
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        std::int64_t orders = 0;
        for (;;) {
            {
                auto store = pcgd::host::open_sqlite_store(pcgd.store_path());
                orders = store->counts(std::string_view("uk")).orders;
            }
            if (orders >= previous + 20LL * pages_before_kill) break;
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "sync made no progress";
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        sync->kill(SIGKILL);
        EXPECT_EQ(sync->wait(), 128 + SIGKILL);
        auto store = pcgd::host::open_sqlite_store(pcgd.store_path());
        const auto counts = store->counts(std::string_view("uk"));
        EXPECT_LT(counts.orders, 1200) << "killed too late to test anything";
        EXPECT_EQ(counts.orders % 20, 0) << "whole pages only";
        previous = counts.orders;
    }
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    expect_matches_ground_truth(pcgd, "uk", shop);
}

TEST(ShopifyEndToEnd, KillDuringABulkDownloadResumesFromItsCheckpoint) {
    Emulator shop(shopify(22, 10, 8000));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    auto sync = pcgd.start({"sync", "--dataset", "orders"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    std::int64_t orders = 0;
    while (orders < 1000) {
        {
            auto store = pcgd::host::open_sqlite_store(pcgd.store_path());
            orders = store->counts(std::string_view("uk")).orders;
        }
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "sync made no progress";
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    sync->kill(SIGKILL);
    sync->wait();
    {
        auto store = pcgd::host::open_sqlite_store(pcgd.store_path());
        const auto counts = store->counts(std::string_view("uk"));
        EXPECT_GE(counts.orders, 999) << "bulk checkpoints after every 1,000 orders or so";
        EXPECT_LT(counts.orders, 8000) << "killed too late to test anything";
    }
    const auto report = sync_json(pcgd, {"--dataset", "orders"});
    EXPECT_TRUE(report[0]["ok"].GetBool());
    const auto truth = shop.summary();
    const auto list = parse_json(pcgd({"shop", "list", "--json"}).out);
    EXPECT_EQ(shop_entry(list, "uk")["counts"]["orders"].GetInt64(), truth["counts"]["orders"].GetInt64());
    EXPECT_EQ(shop_entry(list, "uk")["counts"]["refunds"].GetInt64(), truth["counts"]["refunds"].GetInt64());
    EXPECT_EQ(shop_entry(list, "uk")["counts"]["order_lines"].GetInt64(), truth["counts"]["order_lines"].GetInt64());
}

TEST(ShopifyEndToEnd, BadTokenIsReportedWithShopifysMessage) {
    Emulator shop(shopify(1, 3, 5));
    Pcgd pcgd;
    ASSERT_EQ(pcgd({"shop", "add", "--id", "uk", "--platform", "shopify", "--base-url", shop.base_url(), "--credential",
                    "access_token=shpat_wrong"})
                  .exit_code,
              0);
    const auto check = pcgd({"shop", "check", "--id", "uk"});
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_NE(check.out.find("Invalid API key or access token"), std::string::npos) << check.out << check.err;
}
