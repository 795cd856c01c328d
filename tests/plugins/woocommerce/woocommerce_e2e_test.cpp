// End to end: the real pcgd binary, the WooCommerce plugin module and the
// emulator's woocommerce platform on loopback, over TLS with HTTP Basic, over
// plain HTTP with OAuth 1.0a, and with the keys in the query string. Every
// check compares the store with the emulator's ground truth exactly.
#include <gtest/gtest.h>

#include "harness.hpp"

using namespace pcgd::test;

namespace {

constexpr const char* key = "ck_4c1d2b0a9e8f7d6c5b4a39281706f5e4d3c2b1a0";
constexpr const char* secret = "cs_0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3";

Emulator::Options woo(int seed, int products, int orders, std::vector<std::string> extra = {}, bool tls = false) {
    return emulated("woocommerce", "GB", seed, products, orders, std::move(extra), tls);
}

void add_shop(const Pcgd& pcgd, const std::string& id, const Emulator& emulator, std::vector<std::string> settings = {},
              const std::string& consumer_secret = secret) {
    std::vector<std::string> args = {"shop", "add", "--id", id, "--platform", "woocommerce", "--base-url", emulator.base_url(),
                                     "--country", "GB", "--credential", std::string("consumer_key=") + key, "--credential",
                                     "consumer_secret=" + consumer_secret};
    for (const auto& s : settings) args.insert(args.end(), {"--setting", s});
    const auto r = pcgd(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::int64_t status_count(const rapidjson::Document& stats, const char* route, const char* status) {
    const auto& by_route = stats["by_route"];
    if (!by_route.HasMember(route) || !by_route[route].HasMember(status)) return 0;
    return by_route[route][status].GetInt64();
}

}  // namespace

TEST(WooCommerceEndToEnd, BasicOverTlsFullSyncMatchesGroundTruthAndASecondSyncChangesNothing) {
    Emulator shop(woo(11, 25, 400, {}, true));
    ASSERT_EQ(shop.base_url().rfind("https://", 0), 0u);
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    const auto first = sync_json(pcgd);
    ASSERT_EQ(first[0]["datasets"].Size(), 2u) << "inventory and orders, no traffic";
    EXPECT_TRUE(first[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    const auto stats = shop.stats();
    EXPECT_GT(status_count(stats, "GET /wp-json/wc/v3/products/{id}/variations", "200"), 0) << "variable products read";
    EXPECT_GT(status_count(stats, "GET /wp-json/wc/v3/orders/{id}/refunds", "200"), 0) << "refunds read";
    EXPECT_EQ(status_count(stats, "GET /wp-json/wc/v3/orders", "401"), 0) << "Basic needs no clock";

    const auto second = sync_json(pcgd);
    EXPECT_EQ(sum_field(second, "inserted") + sum_field(second, "updated") + sum_field(second, "deleted"), 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
}

TEST(WooCommerceEndToEnd, OAuth1OverHttpFullThenIncrementalWithEditsTrashAndLateRefunds) {
    // A clock far from the host's, whatever the day the test runs.
    Emulator shop(woo(5, 20, 200, {"--now", "2024-06-01T00:00:00Z"}));
    ASSERT_EQ(shop.base_url().rfind("http://", 0), 0u);
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);  // auth=auto: OAuth 1.0a over http
    sync_json(pcgd);
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    // The emulator's clock is far from the host's: the first signature of
    // each run is refused as stale and signed again at the server's time.
    EXPECT_GE(status_count(shop.stats(), "GET /wp-json/wc/v3/products", "401"), 1);

    const auto before = shop.summary();
    shop.mutate();  // moves the server's clock an hour on
    shop.mutate();
    const auto after = shop.summary();
    EXPECT_NE(before["counts"]["refunds"].GetInt64(), after["counts"]["refunds"].GetInt64());
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_GT(sum_field(report, "updated") + sum_field(report, "inserted"), 0);
    EXPECT_EQ(sum_field(report, "deleted"), 2) << "one product trashed per mutation";
    EXPECT_LT(sum_field(report, "records"), 60) << "incremental, not a full pass";
    for (const auto& d : report[0]["datasets"].GetArray()) EXPECT_EQ(d["warnings"].Size(), 0u) << "a store that filters";
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
    const auto refunds = pcgd.export_jsonl("refunds", "uk");
    EXPECT_EQ(static_cast<std::int64_t>(refunds.size()), after["counts"]["refunds"].GetInt64());

    const auto third = sync_json(pcgd);
    EXPECT_EQ(sum_field(third, "inserted") + sum_field(third, "updated") + sum_field(third, "deleted"), 0);
}

TEST(WooCommerceEndToEnd, QueryStringKeysOverTls) {
    Emulator shop(woo(8, 15, 150, {}, true));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, {"auth=query", "page_size=30"});
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "uk", shop), "");
}

TEST(WooCommerceEndToEnd, AStoreIgnoringModifiedAfterIsScannedInFullAndOnlyChangesAreStored) {
    Emulator shop(woo(6, 20, 250, {"--data", "generated,legacy-store"}));
    Pcgd pcgd;
    add_shop(pcgd, "old", shop, {"auth=basic", "page_size=50"});
    sync_json(pcgd);
    EXPECT_EQ(ground_truth_differences(pcgd, "old", shop), "");
    shop.mutate();
    const auto report = sync_json(pcgd);
    EXPECT_EQ(ground_truth_differences(pcgd, "old", shop), "");
    EXPECT_GE(sum_field(report, "pages"), 6) << "every page read again";
    EXPECT_LT(sum_field(report, "records"), 30) << "only the changed records kept";
    // The plugin's warning reaches the report of each dataset.
    const auto& datasets = report[0]["datasets"];
    ASSERT_EQ(datasets.Size(), 2u);
    for (const auto& d : datasets.GetArray()) {
        const std::string what = std::string(d["dataset"].GetString()) == "orders" ? "order" : "product";
        ASSERT_EQ(d["warnings"].Size(), 1u) << d["dataset"].GetString();
        // Since the server's time when the first sync began (00:00:0x), less ten minutes.
        const std::string expected = "woocommerce: the store ignores modified_after (WooCommerce before 5.x?): reading every " + what +
                                     " and keeping those changed since 2026-10-31T23:50:0";
        EXPECT_EQ(std::string(d["warnings"][0].GetString()).substr(0, expected.size()), expected);
    }
}

TEST(WooCommerceEndToEnd, EveryFaultKindEndsWithCompleteData) {
    Emulator shop(woo(3, 20, 300,
                      {"--faults", "429:0.08,5xx:0.08,drop:0.08,truncate:0.08,malformed:0.08,expired-token:0.04,slow:0.03",
                       "--slow-ms", "300", "--retry-after-s", "0"}));
    Pcgd pcgd;
    add_shop(pcgd, "oauth", shop);
    add_shop(pcgd, "small", shop, {"auth=query", "page_size=10"});
    // One shop after the other, so that the faults meet the same requests on
    // every run: keys refused on a shop's very first request are wrong keys.
    std::int64_t retried = 0;
    for (const char* id : {"oauth", "small"}) {
        const auto report = sync_json(pcgd, {"--shop", id});
        EXPECT_TRUE(report[0]["ok"].GetBool()) << id;
        retried += sum_field(report, "retries") + sum_field(report, "restarts");
    }
    EXPECT_GT(retried, 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "oauth", shop), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "small", shop), "");
    const auto stats = shop.stats();
    for (const char* kind : {"429", "5xx", "slow", "drop", "truncate", "malformed", "expired-token"})
        EXPECT_GT(stats["faults"][kind].GetInt64(), 0) << kind << " was never injected";
}

TEST(WooCommerceEndToEnd, KillDuringSyncLosesAndDuplicatesNothing) {
    Emulator shop(woo(21, 30, 1200, {"--latency-ms", "10"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, {"page_size=20"});
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

TEST(WooCommerceEndToEnd, RefusedKeysAreReportedWithWooCommercesMessage) {
    Emulator shop(woo(1, 3, 5));
    Pcgd pcgd;
    add_shop(pcgd, "oauth", shop, {}, "cs_wrong");
    add_shop(pcgd, "basic", shop, {"auth=basic"}, "cs_wrong");
    const auto oauth = pcgd({"shop", "check", "--id", "oauth"});
    EXPECT_EQ(oauth.exit_code, 1);
    EXPECT_NE((oauth.out + oauth.err).find("Invalid signature - provided signature does not match."), std::string::npos)
        << oauth.out << oauth.err;
    const auto basic = pcgd({"shop", "check", "--id", "basic"});
    EXPECT_EQ(basic.exit_code, 1);
    EXPECT_NE((basic.out + basic.err).find("woocommerce_rest_authentication_error: Consumer secret is invalid."), std::string::npos)
        << basic.out << basic.err;
}

TEST(WooCommerceEndToEnd, TheEmulatorRefusesWhatWooCommerceRefuses) {
    Emulator shop(woo(1, 3, 5));
    const std::string keys = std::string("&consumer_key=") + key + "&consumer_secret=" + secret;
    const auto too_many = http("GET", shop.base_url() + "/wp-json/wc/v3/products?per_page=101" + keys);
    EXPECT_EQ(too_many.status, 400);
    EXPECT_EQ(too_many.body,
              R"J({"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400,"params":{"per_page":)J"
              R"J("per_page must be between 1 (inclusive) and 100 (inclusive)"},"details":{"per_page":{"code":"rest_out_of_bounds",)J"
              R"J("message":"per_page must be between 1 (inclusive) and 100 (inclusive)","data":null}}}})J");
    const auto anonymous = http("GET", shop.base_url() + "/wp-json/wc/v3/orders");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_NE(anonymous.body.find("woocommerce_rest_cannot_view"), std::string::npos) << anonymous.body;
    const auto stale = http("GET", shop.base_url() + "/wp-json/wc/v3/orders?oauth_consumer_key=" + key +
                                       "&oauth_nonce=1&oauth_signature_method=HMAC-SHA256&oauth_timestamp=1&oauth_signature=x");
    EXPECT_EQ(stale.status, 401);
    EXPECT_NE(stale.body.find("Invalid signature"), std::string::npos) << "the signature is checked before the timestamp: " << stale.body;
    const auto no_route = http("GET", shop.base_url() + "/wp-json/wc/v3/customers?" + keys.substr(1));
    EXPECT_EQ(no_route.status, 404);
    EXPECT_NE(no_route.body.find("rest_no_route"), std::string::npos) << no_route.body;
    const auto paged = http("GET", shop.base_url() + "/wp-json/wc/v3/orders?per_page=2&page=4" + keys);
    EXPECT_EQ(paged.status, 200);
    EXPECT_EQ(paged.body, "[]") << "a page past the end is empty";
}
