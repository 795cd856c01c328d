// End to end: the real pcgd binary, the Amazon plugin module and the
// emulator's amazon platform on loopback. Every check compares the store with
// the emulator's ground truth exactly, per marketplace.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <thread>

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
              std::vector<std::string> settings = {},
              const std::string& refresh_token = "Atzr|pcgd-emulator-refresh-token",
              const std::string& selling_partner_id = "A2PCGDEMULATOR") {
    // One seller account: the shops of its marketplaces share its budget.
    std::vector<std::string> args = {"shop", "add", "--id", id, "--platform", "amazon", "--base-url", emulator.base_url(), "--country", country,
                                     "--account", "lumiere-eu",
                                     "--setting", "client_id=amzn1.application-oa2-client.pcgd-emulator", "--setting",
                                     "token_url=" + emulator.base_url() + "/auth/o2/token", "--setting", "report_poll_ms=1",
                                     "--credential", "client_secret=pcgd-emulator-client-secret", "--credential", "refresh_token=" + refresh_token};
    // The Listings Items API's sellerId (`pcgd shop connect` stores it as the credential selling_partner_id).
    if (!selling_partner_id.empty()) args.insert(args.end(), {"--setting", "seller_id=" + selling_partner_id});
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

/// Images and GTINs as stored, against the emulator's listings: the main
/// image with its pixel sizes (searchListingsItems' summary mainImage), the
/// others by URL (the attributes' locators carry no size); every EAN (half
/// of them reach the store only through the Listings Items API).
std::string listing_differences(const Pcgd& pcgd, const std::string& shop, const rapidjson::Value& truth) {
    std::map<std::string, std::string> expected_images, expected_barcodes, stored_images, stored_barcodes;
    for (const auto& l : truth["listings"].GetObject()) {
        std::string images;
        for (const auto& im : l.value["images"].GetArray()) {
            images += std::string(im["url"].GetString());
            if (images.size() == im["url"].GetStringLength())
                images += " " + std::to_string(im["width"].GetInt()) + "x" + std::to_string(im["height"].GetInt());
            images += ";";
        }
        expected_images[l.value["asin"].GetString()] = images;
        expected_barcodes[l.name.GetString()] = l.value["barcode"].GetString();
    }
    for (const auto& p : pcgd.export_jsonl("products", shop)) {
        std::string images;
        if (p.HasMember("images"))
            for (const auto& im : p["images"].GetArray()) {
                images += std::string(im["url"].GetString());
                if (im.HasMember("width_px"))
                    images +=
                        " " + std::to_string(im["width_px"].GetInt()) + "x" + std::to_string(im["height_px"].GetInt());
                images += ";";
            }
        stored_images[p["id"].GetString()] = images;
    }
    for (const auto& v : pcgd.export_jsonl("variants", shop))
        stored_barcodes[v["sku"].GetString()] = v.HasMember("barcode") ? v["barcode"].GetString() : "";
    std::string out;
    for (const auto& [asin, images] : expected_images)
        if (stored_images[asin] != images)
            out += shop + " product " + asin + " images: '" + stored_images[asin] + "' stored, '" + images +
                   "' expected\n";
    for (const auto& [sku, barcode] : expected_barcodes)
        if (stored_barcodes[sku] != barcode)
            out += shop + " variant " + sku + " barcode: '" + stored_barcodes[sku] + "' stored, '" + barcode +
                   "' expected\n";
    return out;
}

std::string all_differences(const Pcgd& pcgd, const std::string& shop, const Emulator& emulator, const char* marketplace = uk,
                            int traffic_days = 90) {
    auto truth = truth_of(emulator, marketplace);
    keep_traffic_days(truth, traffic_days);
    return ground_truth_differences(pcgd, shop, truth) + fee_differences(pcgd, shop, truth) +
           listing_differences(pcgd, shop, truth);
}

std::int64_t count_429s(const rapidjson::Value& stats, const std::string& route) {
    const auto& by_route = stats["by_route"];
    if (!by_route.HasMember(route.c_str()) || !by_route[route.c_str()].HasMember("429")) return 0;
    return by_route[route.c_str()]["429"].GetInt64();
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

    // The Listings Items API gave what the report lacks: several images with
    // their sizes, and EANs the report showed as ASINs.
    std::int64_t sized = 0, several = 0;
    for (const auto& p : pcgd.export_jsonl("products", "uk"))
        if (p.HasMember("images")) {
            sized += p["images"][0].HasMember("width_px") ? 1 : 0;
            several += p["images"].Size() > 1 ? 1 : 0;
        }
    EXPECT_GT(sized, 10);
    EXPECT_GT(several, 5);
    EXPECT_EQ(shop.stats()["by_route"]["GET /listings/2021-08-01/items/{sellerId}"]["200"].GetInt64(),
              (truth["counts"]["variants"].GetInt64() + 19) / 20)
        << "one request per 20 SKUs";

    const auto second = sync_json(pcgd);
    EXPECT_EQ(sum_field(second, "inserted") + sum_field(second, "updated") + sum_field(second, "deleted"), 0);
    EXPECT_EQ(all_differences(pcgd, "uk", shop), "");
}

TEST(AmazonEndToEnd, WithoutASellerIdTheInventoryIsTheReportsWithAWarning) {
    Emulator shop(amazon(11, 8, 20));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {}, "Atzr|pcgd-emulator-refresh-token", "");
    const auto report = sync_json(pcgd, {"--dataset", "inventory"});
    EXPECT_TRUE(report[0]["ok"].GetBool());
    const auto& warnings = report[0]["datasets"][0]["warnings"];
    ASSERT_EQ(warnings.Size(), 1u);
    EXPECT_NE(std::string(warnings[0].GetString()).find("no seller_id"), std::string::npos) << warnings[0].GetString();
    const auto truth = truth_of(shop, uk);
    const auto differences = listing_differences(pcgd, "uk", truth);
    EXPECT_NE(differences, "") << "without the Listings Items API, sizes and some EANs are missing";
    EXPECT_FALSE(shop.stats()["by_route"].HasMember("GET /listings/2021-08-01/items/{sellerId}"));
}

TEST(AmazonEndToEnd, KillDuringTheListingsEnrichmentLosesNothing) {
    // 80 products of one or more sizes: several batches of 20 SKUs, each a checkpoint.
    Emulator shop(amazon(23, 80, 10, {"--bucket", "1000", "--leak-per-s", "1000", "--latency-ms", "150"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop, "GB", {"traffic_days=1"});
    const auto truth = truth_of(shop, uk);
    const std::int64_t skus = truth["counts"]["variants"].GetInt64();
    ASSERT_GT(skus, 60) << "too few batches to kill one in the middle";
    auto sync = pcgd.start({"sync", "--dataset", "inventory"});
    const auto variants = [&] {
        return pcgd::host::open_sqlite_store(pcgd.store_path())->counts(std::string_view("uk")).variants;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (variants() < 20) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the sync made no progress";
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    sync->kill(SIGKILL);
    ASSERT_EQ(sync->wait(), 128 + SIGKILL);
    const std::int64_t stored = variants();
    EXPECT_LT(stored, skus) << "killed too late to test anything";
    EXPECT_EQ(stored % 20, 0) << "whole batches only";
    const auto before = shop.stats()["by_route"]["GET /listings/2021-08-01/items/{sellerId}"]["200"].GetInt64();

    const auto report = sync_json(pcgd, {"--dataset", "inventory"});
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(listing_differences(pcgd, "uk", truth), "");
    const auto counts = pcgd::host::open_sqlite_store(pcgd.store_path())->counts(std::string_view("uk"));
    EXPECT_EQ(counts.variants, skus);
    EXPECT_EQ(counts.products, truth["counts"]["products"].GetInt64());
    const auto stats = shop.stats();
    EXPECT_EQ(stats["by_route"]["GET /listings/2021-08-01/items/{sellerId}"]["200"].GetInt64() - before,
              (skus - stored + 19) / 20)
        << "the restart asked only for the SKUs left";
    EXPECT_EQ(stats["by_route"]["POST /reports/2021-06-30/reports"]["202"].GetInt64(), 1)
        << "the same report was read again";
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

TEST(AmazonEndToEnd, ThrottledListingsEnrichmentCompletes) {
    // Burst 2 at 4 per second for every operation: searchListingsItems' first
    // guess (burst 5) meets 429 QuotaExceeded, then waits.
    Emulator shop(amazon(31, 40, 10, {"--bucket", "2", "--leak-per-s", "4"}));
    Pcgd pcgd;
    add_shop(pcgd, "uk", shop);
    const auto report = sync_json(pcgd, {"--dataset", "inventory"});
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(sum_field(report, "restarts"), 0) << "a 429 is a wait, never a failure";
    EXPECT_GT(count_429s(shop.stats(), "GET /listings/2021-08-01/items/{sellerId}"), 0);
    EXPECT_EQ(listing_differences(pcgd, "uk", truth_of(shop, uk)), "");
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
