// End to end: the real pcgd binary, the Shopify plugin module and the
// emulator's shopify platform on loopback. Every check compares the store
// with the emulator's ground truth exactly.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <thread>

#include "harness.hpp"
#include "store/store.hpp"

using namespace pcgd::test;

namespace {

/// A fast (Plus-plan sized) bucket unless a test is about throttling.
Emulator::Options shopify(int seed, int products, int orders, std::vector<std::string> extra = {"--bucket", "20000", "--leak-per-s", "1000"}) {
    return emulated("shopify", "GB", seed, products, orders, std::move(extra));
}

void add_shop(const Pcgd& pcgd, const std::string& id, const Emulator& emulator, std::vector<std::string> settings = {}) {
    std::vector<std::string> args = {"shop", "add", "--id", id, "--platform", "shopify", "--base-url", emulator.base_url(),
                                     "--country", "GB", "--credential", "access_token=shpat_pcgd_emulator_token"};
    for (const auto& s : settings) args.insert(args.end(), {"--setting", s});
    const auto r = pcgd(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

/// Every variant as exported (stock per location included), by id.
std::map<std::string, std::string> variants_by_id(const Pcgd& pcgd, const std::string& shop) {
    std::map<std::string, std::string> out;
    for (const auto& v : pcgd.export_jsonl("variants", shop)) {
        rapidjson::StringBuffer text;
        rapidjson::Writer<rapidjson::StringBuffer> w(text);
        v.Accept(w);
        out[v["id"].GetString()] = text.GetString();
    }
    return out;
}

}  // namespace

TEST(ShopifyEndToEnd, BulkFullSyncMatchesGroundTruthAndASecondSyncChangesNothing) {
    Emulator shop(shopify(11, 25, 400));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    const auto first = sync_json(pcgd);
    ASSERT_EQ(first[0]["datasets"].Size(), 2u);
    EXPECT_TRUE(first[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    const auto stats = shop.stats();
    EXPECT_GE(stats["by_route"]["GET /bulk-results/4046676525245.jsonl"]["200"].GetInt64(), 1) << "the full sync ran in bulk";

    const auto second = sync_json(pcgd);
    EXPECT_EQ(sum_field(second, "inserted") + sum_field(second, "updated") + sum_field(second, "deleted"), 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
}

TEST(ShopifyEndToEnd, PagedFullSyncEqualsTheBulkOne) {
    Emulator shop(shopify(12, 20, 300));
    Pcgd pcgd;
    add_shop(pcgd, "pages", shop, {"bulk=false", "page_size=40"});
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_GT(sum_field(report, "pages"), 8);
    EXPECT_EQ(ground_truth_differences(pcgd, "pages", shop), "");
}

TEST(ShopifyEndToEnd, IncrementalSyncCarriesEditsDeletionsAndLateRefunds) {
    Emulator shop(shopify(5, 20, 200));
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
    EXPECT_GT(sum_field(report, "deleted"), 0);
    EXPECT_LT(sum_field(report, "records"), 100) << "incremental, not a full pass";
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    // The refunded order's refund is in the store.
    const auto refunds = pcgd.export_jsonl("refunds", "uk");
    EXPECT_EQ(static_cast<std::int64_t>(refunds.size()), after["counts"]["refunds"].GetInt64());
}

TEST(ShopifyEndToEnd, StockChangesAloneArriveWithTheNextIncrementalSync) {
    Emulator shop(shopify(6, 20, 100));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    sync_json(pcgd);
    const auto before = variants_by_id(pcgd, "uk");
    shop.mutate();  // restocks two products it does not otherwise edit
    const auto report = sync_json(pcgd);
    EXPECT_LT(sum_field(report, "records"), 60) << "incremental, not a full pass";
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    // The same as a full sync of the changed shop into a fresh store.
    Pcgd fresh;
    add_shop(fresh, "uk", shop);
    sync_json(fresh, {"--dataset", "inventory"});
    const auto after = variants_by_id(pcgd, "uk");
    EXPECT_EQ(after, variants_by_id(fresh, "uk"));
    int changed = 0;
    for (const auto& [id, row] : after) changed += before.count(id) && before.at(id) != row ? 1 : 0;
    EXPECT_GE(changed, 5) << "three price edits and two restocks";
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
    EXPECT_EQ(ground_truth_differences(pcgd, "bulk", shop), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "pages", shop), "");
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
    EXPECT_EQ(ground_truth_differences(pcgd, "a", shop), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "b", shop), "");
}

TEST(ShopifyEndToEnd, KillDuringSyncLosesAndDuplicatesNothing) {
    Emulator shop(shopify(21, 30, 1200, {"--bucket", "20000", "--leak-per-s", "1000", "--latency-ms", "10"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, {"bulk=false", "page_size=20"});
    std::int64_t previous = 0;
    for (int pages_before_kill : {1, 6, 15}) {
        const std::int64_t orders = kill_orders_sync_after(pcgd, "uk", previous + 20LL * pages_before_kill);
        EXPECT_LT(orders, 1200) << "killed too late to test anything";
        EXPECT_EQ(orders % 20, 0) << "whole pages only";
        previous = orders;
    }
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
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

TEST(ShopifyEndToEnd, RealSamplePayloadsSyncInBulkAndInPages) {
    Emulator shop(shopify(1, 1, 0, {"--data", "samples", "--bucket", "20000", "--leak-per-s", "1000"}));
    Pcgd pcgd;
    for (const auto& [id, bulk] : {std::pair{"bulk", "bulk=true"}, std::pair{"pages", "bulk=false"}})
        ASSERT_EQ(pcgd({"shop", "add", "--id", id, "--platform", "shopify", "--base-url", shop.base_url(), "--country", "US", "--currency",
                        "USD", "--timezone", "America/New_York", "--credential", "access_token=shpat_pcgd_emulator_token", "--setting", bulk})
                      .exit_code,
                  0);
    const auto first = sync_json(pcgd);
    for (const auto& s : first.GetArray()) EXPECT_TRUE(s["ok"].GetBool()) << s["id"].GetString();
    EXPECT_EQ(ground_truth_differences(pcgd, "bulk", shop), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "pages", shop), "");
    const auto orders = pcgd.export_jsonl("orders", "bulk");
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_STREQ(orders[0]["id"].GetString(), "450789469");
    EXPECT_EQ(orders[0]["total"]["minor"].GetInt64(), 59894);
    EXPECT_EQ(pcgd.export_jsonl("variants", "bulk").size(), 4u);
    const auto second = sync_json(pcgd);
    EXPECT_EQ(sum_field(second, "inserted") + sum_field(second, "updated") + sum_field(second, "deleted"), 0);
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
