// End to end: the real pcgd binary, the Amazon plugin module and the
// emulator's amazon platform on loopback. Every check compares the store with
// the emulator's ground truth exactly, per marketplace.
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "harness.hpp"
#include "store/store.hpp"

using namespace pcgd::test;

namespace {

constexpr const char* uk = "A1F83G8C2ARO7P";
constexpr const char* fr = "A13V1IB3VIYZZH";

/// The emulator's "now" is the wall clock (to the minute), as the plugin's is:
/// the days of traffic and the two years of orders are counted from it.
std::string wall_now() {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return pcgd::model::format_iso8601((s - s % 60) * 1000);
}

const std::vector<std::string> fast = {"--bucket", "1000", "--leak-per-s", "1000"};

Emulator::Options amazon(int seed, int products, int orders, std::vector<std::string> extra = fast) {
    extra.insert(extra.end(), {"--now", wall_now()});
    return emulated("amazon", "GB", seed, products, orders, std::move(extra));
}

void add_shop(const Pcgd& pcgd, const std::string& id, const Emulator& emulator, const std::string& country = "GB",
              std::vector<std::string> settings = {}, const std::string& refresh_token = "Atzr|pcgd-emulator-refresh-token") {
    // One seller account: the shops of its marketplaces share its budget.
    std::vector<std::string> args = {"shop", "add", "--id", id, "--platform", "amazon", "--base-url", emulator.base_url(), "--country", country,
                                     "--account", "lumiere-eu",
                                     "--setting", "client_id=amzn1.application-oa2-client.pcgd-emulator", "--setting",
                                     "token_url=" + emulator.base_url() + "/auth/o2/token", "--setting", "report_poll_ms=1",
                                     "--credential", "client_secret=pcgd-emulator-client-secret", "--credential", "refresh_token=" + refresh_token};
    for (const auto& s : settings) args.insert(args.end(), {"--setting", s});
    const auto r = pcgd(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

/// The ground truth of one marketplace of the seller.
rapidjson::Document truth_of(const Emulator& emulator, const char* marketplace) {
    auto all = parse_json(http("GET", emulator.base_url() + "/_amazon/summary").body);
    rapidjson::Document one;
    one.CopyFrom(all[marketplace], one.GetAllocator());
    return one;
}

/// Fees as stored: orders whose fees are known, and the sum of every fee.
std::string fee_differences(const Pcgd& pcgd, const std::string& shop, const rapidjson::Value& truth) {
    std::int64_t known = 0, total = 0;
    for (const auto& o : pcgd.export_jsonl("orders", shop)) {
        if (!o["fees_known"].GetBool()) continue;
        ++known;
        if (o.HasMember("fees"))
            for (const auto& f : o["fees"].GetArray()) total += f["amount"]["minor"].GetInt64();
    }
    std::string out;
    if (known != truth["orders_with_fees"].GetInt64())
        out += shop + " orders with fees: " + std::to_string(known) + " stored, " + std::to_string(truth["orders_with_fees"].GetInt64()) + "\n";
    if (total != truth["fees_minor"].GetInt64())
        out += shop + " fees: " + std::to_string(total) + " stored, " + std::to_string(truth["fees_minor"].GetInt64()) + "\n";
    return out;
}

/// The shop reads only the last `days` days of traffic (setting traffic_days):
/// the truth counts the rows of those days.
void keep_traffic_days(rapidjson::Document& truth, int days) {
    std::vector<std::int64_t> counts;
    for (const auto& d : truth["traffic_by_day"].GetObject()) counts.push_back(d.value.GetInt64());
    std::int64_t n = 0;
    for (std::size_t i = counts.size() > static_cast<std::size_t>(days) ? counts.size() - static_cast<std::size_t>(days) : 0; i < counts.size(); ++i)
        n += counts[i];
    truth["counts"]["traffic"].SetInt64(n);
}

std::string all_differences(const Pcgd& pcgd, const std::string& shop, const Emulator& emulator, const char* marketplace = uk,
                            int traffic_days = 90) {
    auto truth = truth_of(emulator, marketplace);
    keep_traffic_days(truth, traffic_days);
    return ground_truth_differences(pcgd, shop, truth) + fee_differences(pcgd, shop, truth);
}

}  // namespace

TEST(AmazonEndToEnd, FullSyncMatchesGroundTruthAndASecondSyncChangesNothing) {
    Emulator shop(amazon(11, 25, 300));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    const auto first = sync_json(pcgd);
    ASSERT_EQ(first[0]["datasets"].Size(), 3u);
    EXPECT_TRUE(first[0]["ok"].GetBool());
    EXPECT_EQ(all_differences(pcgd, "uk", shop), "");
    const auto truth = truth_of(shop, uk);
    EXPECT_GT(truth["counts"]["refunds"].GetInt64(), 0);
    EXPECT_GT(truth["counts"]["traffic"].GetInt64(), 1000);

    const auto second = sync_json(pcgd);
    EXPECT_EQ(sum_field(second, "inserted") + sum_field(second, "updated") + sum_field(second, "deleted"), 0);
    EXPECT_EQ(all_differences(pcgd, "uk", shop), "");
}

TEST(AmazonEndToEnd, OneSellerOnTheUkAndFrenchMarketplaces) {
    Emulator shop(amazon(12, 20, 200, {"--bucket", "1000", "--leak-per-s", "1000", "--data", "both"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB");
    add_shop(pcgd, "fr", shop, "FR");
    const auto report = sync_json(pcgd);
    for (const auto& s : report.GetArray()) EXPECT_TRUE(s["ok"].GetBool()) << s["id"].GetString();
    EXPECT_EQ(all_differences(pcgd, "uk", shop, uk), "");
    EXPECT_EQ(all_differences(pcgd, "fr", shop, fr), "");
    for (const auto& o : pcgd.export_jsonl("orders", "fr")) {
        EXPECT_STREQ(o["marketplace"].GetString(), fr);
        EXPECT_STREQ(o["total"]["currency"].GetString(), "EUR");
    }
    // Titles came through Cp1252 intact.
    bool accented = false;
    for (const auto& p : pcgd.export_jsonl("products", "fr")) accented = accented || std::string(p["title"].GetString()).find("é") != std::string::npos;
    EXPECT_TRUE(accented);
}

TEST(AmazonEndToEnd, IncrementalSyncCarriesChangesDeletionsAndLateRefunds) {
    Emulator shop(amazon(5, 20, 250));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    sync_json(pcgd);
    EXPECT_EQ(all_differences(pcgd, "uk", shop), "");
    const auto before = truth_of(shop, uk);
    shop.mutate();
    shop.mutate();
    const auto after = truth_of(shop, uk);
    EXPECT_GT(after["counts"]["refunds"].GetInt64(), before["counts"]["refunds"].GetInt64());
    const auto report = sync_json(pcgd);
    EXPECT_GT(sum_field(report, "updated") + sum_field(report, "inserted"), 0);
    EXPECT_GT(sum_field(report, "deleted"), 0);
    EXPECT_EQ(all_differences(pcgd, "uk", shop), "");
    const auto stats = shop.stats();
    EXPECT_GE(stats["by_route"]["GET /finances/v0/financialEvents"]["200"].GetInt64(), 1) << "late events were looked for";
    EXPECT_GE(stats["by_route"]["GET /orders/2026-01-01/orders/{id}"]["200"].GetInt64(), 2) << "refunded orders read again";
}

TEST(AmazonEndToEnd, EveryFaultKindEndsWithCompleteData) {
    Emulator shop(amazon(3, 15, 150,
                         {"--bucket", "1000", "--leak-per-s", "1000", "--data", "fatal-every=4", "--faults",
                          "429:0.03,5xx:0.04,drop:0.04,truncate:0.04,malformed:0.04,expired-token:0.04,slow:0.02", "--slow-ms", "200"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {"page_size=10", "traffic_days=8"});
    const auto report = sync_json(pcgd);
    for (const auto& s : report.GetArray()) EXPECT_TRUE(s["ok"].GetBool()) << s["id"].GetString();
    EXPECT_GT(sum_field(report, "retries") + sum_field(report, "restarts"), 0);
    EXPECT_EQ(all_differences(pcgd, "uk", shop, uk, 8), "");
    const auto stats = shop.stats();
    for (const char* kind : {"429", "5xx", "drop", "truncate", "malformed", "expired-token", "slow"})
        EXPECT_GT(stats["faults"][kind].GetInt64(), 0) << kind << " was never injected";
}

TEST(AmazonEndToEnd, ExpiringAccessTokensAreRenewed) {
    Emulator shop(amazon(4, 10, 120, {"--bucket", "1000", "--leak-per-s", "1000", "--data", "token-ttl-s=1", "--latency-ms", "40"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {"page_size=5"});
    const auto report = sync_json(pcgd, {"--dataset", "orders"});
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(all_differences(pcgd, "uk", shop).find("orders"), std::string::npos);
    const auto stats = shop.stats();
    EXPECT_GE(stats["by_route"]["POST /auth/o2/token"]["200"].GetInt64(), 2) << "a second token after the first expired";
    std::int64_t refused = 0;
    for (const auto& route : stats["by_route"].GetObject())
        if (route.value.HasMember("403")) refused += route.value["403"].GetInt64();
    EXPECT_GE(refused, 1) << "an expired token was refused and replaced";
}

TEST(AmazonEndToEnd, ThrottledRunCompletesWithoutAFailedPage) {
    // Bursts smaller than the documented ones: the plugin's first guesses
    // meet 429 QuotaExceeded, then x-amzn-RateLimit-Limit paces each operation.
    Emulator shop(amazon(9, 10, 80, {"--bucket", "4", "--leak-per-s", "100"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {"page_size=20", "traffic_days=2"});
    const auto report = sync_json(pcgd);
    for (const auto& s : report.GetArray()) EXPECT_TRUE(s["ok"].GetBool());
    EXPECT_EQ(sum_field(report, "restarts"), 0) << "a 429 is a wait, never a failure";
    const auto stats = shop.stats();
    std::int64_t throttled = 0;
    for (const auto& route : stats["by_route"].GetObject())
        if (route.value.HasMember("429")) throttled += route.value["429"].GetInt64();
    EXPECT_GT(throttled, 0);
    EXPECT_EQ(all_differences(pcgd, "uk", shop, uk, 2), "");
}

TEST(AmazonEndToEnd, KillDuringSyncLosesAndDuplicatesNothing) {
    Emulator shop(amazon(21, 20, 900, {"--bucket", "1000", "--leak-per-s", "1000", "--latency-ms", "5"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {"page_size=20"});
    std::int64_t previous = 0;
    for (int pages_before_kill : {1, 5, 12}) {
        const std::int64_t orders = kill_orders_sync_after(pcgd, "uk", previous + 20LL * pages_before_kill);
        EXPECT_LT(orders, 900) << "killed too late to test anything";
        EXPECT_EQ(orders % 20, 0) << "whole pages only";
        previous = orders;
    }
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(all_differences(pcgd, "uk", shop), "");
}

TEST(AmazonEndToEnd, RefusedCredentialsAreReportedWithAmazonsWords) {
    Emulator shop(amazon(1, 3, 5));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {}, "Atzr|revoked");
    const auto check = pcgd({"shop", "check", "--id", "uk"});
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_NE((check.out + check.err).find("invalid_grant"), std::string::npos) << check.out << check.err;
}
