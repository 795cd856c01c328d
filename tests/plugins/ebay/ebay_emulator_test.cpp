// The ebay emulator module without a socket: what its answers promise
// (docs/ebay.md) beyond their shapes, which ebay_schema_test checks.
#include <pcgd/emulator/emulator.hpp>

#include <gtest/gtest.h>

#include <rapidjson/document.h>

using namespace pcgd;
using namespace pcgd::emulator;

namespace {

const std::string basic = "Basic cGNnZC1lYmF5LWNsaWVudDpwY2dkLWViYXktc2VjcmV0";  // pcgd-ebay-client:pcgd-ebay-secret
const std::string grant = "grant_type=refresh_token&refresh_token=v%5E1.1%23i%5E1%23r%5E1%23f%5E0%23p%5E3%23I%5E3%23t%5Epcgd-emulator-refresh";

struct Fixture {
    std::int64_t steady_ms = 1'000'000;
    std::unique_ptr<Emulator> emulator;
    std::string bearer;

    explicit Fixture(int bucket = 1'000'000, const std::string& country = "GB", const std::string& data = "generated") {
        EmulatorOptions o;
        o.platform = "ebay";
        o.generator.seed = 4;
        o.generator.products = 12;
        o.generator.orders = 300;
        o.generator.country = country;
        o.module.bucket_capacity = bucket;
        o.module.leak_per_s = bucket;
        o.module.steady_now_ms = [this] { return steady_ms; };
        o.module.data = data;
        emulator = std::make_unique<Emulator>(o);
        const auto token = call("POST", "/identity/v1/oauth2/token", grant, basic);
        rapidjson::Document d;
        d.Parse(token.body.c_str());
        bearer = std::string("Bearer ") + d["access_token"].GetString();
    }

    Response call(const std::string& method, const std::string& target, const std::string& body = {}, const std::string& auth = {}) {
        return emulator->dispatch(Request::make(method, target, body, {{"Authorization", auth.empty() ? bearer : auth}})).response;
    }
    Response get(const std::string& target) { return call("GET", target); }

    static rapidjson::Document json(const Response& r) {
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        return d;
    }
    static std::int64_t error_id(const Response& r) { return json(r)["errors"][0]["errorId"].GetInt64(); }
    static std::string header(const Response& r, const std::string& name) {
        for (const auto& [n, v] : r.headers)
            if (n == name) return v;
        return {};
    }
};

}  // namespace

TEST(EbayEmulator, TheTokenEndpointRefusesAsEbayDoes) {
    Fixture f;
    const auto bad_client = f.call("POST", "/identity/v1/oauth2/token", grant, "Basic bm9ib2R5Om5vdGhpbmc=");
    EXPECT_EQ(bad_client.status, 401);
    EXPECT_STREQ(Fixture::json(bad_client)["error"].GetString(), "invalid_client");
    const auto bad_token = f.call("POST", "/identity/v1/oauth2/token", "grant_type=refresh_token&refresh_token=revoked", basic);
    EXPECT_EQ(bad_token.status, 400);
    EXPECT_STREQ(Fixture::json(bad_token)["error"].GetString(), "invalid_grant");
    const auto bad_grant = f.call("POST", "/identity/v1/oauth2/token", "grant_type=client_credentials", basic);
    EXPECT_STREQ(Fixture::json(bad_grant)["error"].GetString(), "unsupported_grant_type");
}

TEST(EbayEmulator, ATokenServesTwoHoursThenGets1001) {
    Fixture f;
    EXPECT_EQ(f.get("/sell/fulfillment/v1/order?limit=1").status, 200);
    f.steady_ms += 7'199'000;
    EXPECT_EQ(f.get("/sell/fulfillment/v1/order?limit=1").status, 200);
    f.steady_ms += 1'000;
    const auto expired = f.get("/sell/fulfillment/v1/order?limit=1");
    EXPECT_EQ(expired.status, 401);
    EXPECT_EQ(Fixture::error_id(expired), 1001);
    EXPECT_STREQ(Fixture::json(expired)["errors"][0]["domain"].GetString(), "OAuth");
}

TEST(EbayEmulator, EveryAnswerIsDatedOnTheEmulatorsClock) {
    Fixture f;
    f.steady_ms += 61'000;
    // --now defaults to 2026-11-01T00:00:00Z, a Sunday; 61 s later.
    EXPECT_EQ(Fixture::header(f.get("/sell/fulfillment/v1/order?limit=1"), "Date"), "Sun, 01 Nov 2026 00:01:01 GMT");
}

TEST(EbayEmulator, FiltersMustArriveEncodedAndWellFormed) {
    Fixture f;
    EXPECT_EQ(f.get("/sell/fulfillment/v1/order?filter=lastmodifieddate:[2026-01-01T00:00:00.000Z..]").status, 400);
    EXPECT_EQ(f.get("/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B2026-01-01T00:00:00.000Z..%5D").status, 200);
    EXPECT_EQ(Fixture::error_id(f.get("/sell/fulfillment/v1/order?filter=orderfulfillmentstatus:NOT_STARTED")), 30800);
    EXPECT_EQ(Fixture::error_id(f.get("/sell/fulfillment/v1/order?filter=updated:%5B2026-01-01T00:00:00.000Z..%5D")), 30700);
    EXPECT_EQ(Fixture::error_id(f.get("/sell/fulfillment/v1/order?limit=201")), 31100);
    EXPECT_EQ(Fixture::error_id(f.get("/sell/fulfillment/v1/order?offset=-1")), 31000);
}

TEST(EbayEmulator, GetOrdersPagesByOffsetWithFiltersAsDocumented) {
    Fixture f;
    const auto total = [&](const std::string& query) { return Fixture::json(f.get("/sell/fulfillment/v1/order?" + query))["total"].GetInt64(); };
    const std::int64_t all = total("filter=creationdate:%5B2020-01-01T00:00:00.000Z..%5D");
    EXPECT_EQ(all, f.emulator->module().data().counts().orders);
    EXPECT_LT(total(""), all) << "no filter: the last 90 days";
    // Both dates given: only creationdate applies.
    EXPECT_EQ(total("filter=creationdate:%5B2020-01-01T00:00:00.000Z..%5D,lastmodifieddate:%5B2030-01-01T00:00:00.000Z..%5D"), all);
    const std::int64_t unfulfilled = total("filter=creationdate:%5B2020-01-01T00:00:00.000Z..%5D,orderfulfillmentstatus:%7BNOT_STARTED%7CIN_PROGRESS%7D");
    EXPECT_GT(unfulfilled, 0);
    EXPECT_LT(unfulfilled, all);
    std::int64_t seen = 0;
    std::string target = "/sell/fulfillment/v1/order?filter=creationdate:%5B2020-01-01T00:00:00.000Z..%5D&limit=37";
    while (!target.empty()) {
        const auto page = Fixture::json(f.get(target));
        seen += page["orders"].Size();
        target = page.HasMember("next") ? std::string(page["next"].GetString()).substr(std::string("https://api.ebay.com").size()) : "";
    }
    EXPECT_EQ(seen, all);
}

TEST(EbayEmulator, ACancelledOrderIsFullyRefundedAndGetOrderShowsTheRequest) {
    Fixture f;
    f.call("POST", "/_emulator/mutate");
    const auto page = Fixture::json(f.get("/sell/fulfillment/v1/order?filter=creationdate:%5B2020-01-01T00:00:00.000Z..%5D&limit=200"));
    int cancelled = 0;
    for (const auto& o : page["orders"].GetArray()) {
        if (std::string_view(o["cancelStatus"]["cancelState"].GetString()) != "CANCELED") continue;
        ++cancelled;
        EXPECT_STREQ(o["orderPaymentStatus"].GetString(), "FULLY_REFUNDED");
        EXPECT_EQ(o["cancelStatus"]["cancelRequests"].Size(), 0u) << "getOrders leaves them empty";
        const auto one = Fixture::json(f.get(std::string("/sell/fulfillment/v1/order/") + o["orderId"].GetString()));
        EXPECT_EQ(one["cancelStatus"]["cancelRequests"].Size(), 1u);
    }
    EXPECT_GT(cancelled, 0);
}

TEST(EbayEmulator, TheTrafficReportKeepsEbaysRules) {
    Fixture f;
    const std::string base = "/sell/analytics/v1/traffic_report?dimension=LISTING,DAY&metric=TRANSACTION,listing_views_total&filter=marketplace_ids:%7BEBAY_GB%7D,";
    const auto ok = f.get(base + "date_range:%5B20261003..20261031%5D");
    ASSERT_EQ(ok.status, 200) << ok.body;
    const auto report = Fixture::json(ok);
    // Metric names are not case-sensitive; the header orders them its own way.
    EXPECT_STREQ(report["header"]["metrics"][0]["key"].GetString(), "LISTING_VIEWS_TOTAL");
    EXPECT_STREQ(report["header"]["metrics"][1]["key"].GetString(), "TRANSACTION");
    EXPECT_EQ(Fixture::error_id(f.get(base + "date_range:%5B20260801..20261031%5D")), 50026) << "91 days";
    EXPECT_EQ(Fixture::error_id(f.get(base + "date_range:%5B20261031..20261102%5D")), 50018) << "the future";
    EXPECT_EQ(Fixture::error_id(f.get(base + "date_range:%5B20261031..20261001%5D")), 50004);
    EXPECT_EQ(Fixture::error_id(f.get("/sell/analytics/v1/traffic_report?dimension=LISTING,DAY&metric=VIEWS&filter=marketplace_ids:%7BEBAY_GB%7D")), 50002);
    const auto fr = Fixture::json(f.get("/sell/analytics/v1/traffic_report?dimension=LISTING,DAY&metric=LISTING_VIEWS_TOTAL&filter=marketplace_ids:%7BEBAY_FR%7D,date_range:%5B20261003..20261031%5D"));
    EXPECT_EQ(fr["records"].Size(), 0u) << "this seller's GB shop has no EBAY_FR traffic";
}

TEST(EbayEmulator, OverTheBucketIsA429WithEbaysBody) {
    Fixture f(3);
    int limited = 0;
    for (int i = 0; i < 6; ++i) {
        const auto r = f.get("/sell/inventory/v1/inventory_item?limit=5");
        if (r.status != 429) continue;
        ++limited;
        EXPECT_EQ(Fixture::error_id(r), 2001);
        EXPECT_FALSE(Fixture::header(r, "Retry-After").empty());
    }
    EXPECT_GE(limited, 3);
}

TEST(EbayEmulator, OneDimensionRefusesTheListingAndDayPairAndServesEachAlone) {
    Fixture f(1'000'000, "GB", "generated,one-dimension");
    const std::string filter = "&metric=LISTING_VIEWS_TOTAL&filter=marketplace_ids:%7BEBAY_GB%7D,date_range:%5B20261030..20261030%5D";
    const auto refused = f.get("/sell/analytics/v1/traffic_report?dimension=LISTING,DAY" + filter);
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(Fixture::error_id(refused), 50001);
    EXPECT_STREQ(Fixture::json(refused)["errors"][0]["parameters"][0]["name"].GetString(), "dimension");
    // One day by listing sums to the day's total by DAY.
    const auto listing = Fixture::json(f.get("/sell/analytics/v1/traffic_report?dimension=LISTING" + filter));
    const auto day = Fixture::json(f.get("/sell/analytics/v1/traffic_report?dimension=DAY" + filter));
    std::int64_t sum = 0;
    for (const auto& r : listing["records"].GetArray()) sum += r["metricValues"][0]["value"].GetInt64();
    ASSERT_EQ(day["records"].Size(), 1u);
    EXPECT_STREQ(day["records"][0]["dimensionValues"][0]["value"].GetString(), "20261030");
    EXPECT_EQ(day["records"][0]["metricValues"][0]["value"].GetInt64(), sum);
    EXPECT_GT(sum, 0);
    EXPECT_EQ(Fixture::error_id(f.get("/sell/analytics/v1/traffic_report?dimension=LISTING" + filter + ",listing_ids:%7B%7D")), 50027);
}
