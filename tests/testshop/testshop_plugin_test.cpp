// The testshop plugin through FakeHost: exact requests, exact records from
// recorded pages (data/), cursors, resume, re-grant, errors, look-back.
#include <pcgd/testing/fake_host.hpp>
#include <pcgd/testing/fixtures.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>


using namespace pcgd;
using pcgd::testing::FakeHost;
using pcgd::testing::SlotError;

namespace {

std::string fixture(const std::string& name) { return pcgd::testing::read_fixture(PCGD_TESTSHOP_DATA_DIR, name); }

const char* settings = R"({"base_url":"https://shop.example/","client_id":"cid","client_secret":"s&cret","page_size":50})";

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Answers the token grant so the next step is the first data request.
void grant(FakeHost& host, const std::string& token = "tst_first") {
    auto step = host.next_step();
    ASSERT_EQ(step.kind, sdk::Step::Kind::request);
    ASSERT_EQ(step.request.url, "https://shop.example/oauth/token");
    host.respond(200, {}, R"({"access_token":")" + token + R"(","token_type":"Bearer","expires_in":3600})");
}

rapidjson::Document parse(const std::string& s) { return pcgd::testing::parse_json(s); }

model::Money eur(std::int64_t minor) { return model::Money{minor, model::Currency::of("EUR")}; }
model::Money gbp(std::int64_t minor) { return model::Money{minor, model::Currency::of("GBP")}; }

}  // namespace

TEST(TestshopPlugin, ManifestDeclaresDatasetsAndSettings) {
    auto m = parse(pcgd_plugin_get_vtable()->manifest_json());
    EXPECT_STREQ(m["id"].GetString(), "testshop");
    EXPECT_EQ(m["datasets"].Size(), 3u);
    EXPECT_EQ(m["record_schema_version"].GetInt(), 1);
    ASSERT_EQ(m["settings"].Size(), 4u);
    EXPECT_STREQ(m["settings"][0]["name"].GetString(), "base_url");
    EXPECT_STREQ(m["settings"][0]["type"].GetString(), "url");
    EXPECT_TRUE(m["settings"][2]["secret"].GetBool());
    EXPECT_EQ(m["settings"][3]["default"].GetInt(), 100);
}

TEST(TestshopPlugin, BadSettingsAreConfigErrors) {
    for (const char* s : {R"({"client_id":"a","client_secret":"b"})", R"({"base_url":"ftp://x","client_id":"a","client_secret":"b"})",
                          R"({"base_url":"https://x","client_id":"a","client_secret":"b","page_size":500})"}) {
        try {
            FakeHost host(pcgd_plugin_get_vtable(), s);
            FAIL() << s;
        } catch (const SlotError& e) {
            EXPECT_EQ(e.code, PCGD_ERR_CONFIG) << s << ": " << e.what();
        }
    }
}

TEST(TestshopPlugin, FirstRequestsAreTokenGrantThenPage) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    auto step = host.next_step();
    ASSERT_EQ(step.kind, sdk::Step::Kind::request);
    EXPECT_EQ(step.request.method, sdk::Method::post);
    EXPECT_EQ(step.request.url, "https://shop.example/oauth/token");
    EXPECT_EQ(step.request.header("Content-Type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(step.request.body, "grant_type=client_credentials&client_id=cid&client_secret=s%26cret");
    auto r = host.respond(200, {}, fixture("token.json"));
    EXPECT_FALSE(r.checkpoint);
    step = host.next_step();
    EXPECT_EQ(step.request.method, sdk::Method::get);
    EXPECT_EQ(step.request.url, "https://shop.example/api/v1/orders?limit=50");
    EXPECT_EQ(step.request.header("Authorization"), "Bearer tst_first");
}

TEST(TestshopPlugin, ProductPageGivesExactRecordsAndCursor) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::inventory);
    grant(host);
    auto step = host.next_step();
    EXPECT_EQ(step.request.url, "https://shop.example/api/v1/products?limit=50");
    auto result = host.respond(200, {{"X-RateLimit-Limit", "40"}, {"X-RateLimit-Remaining", "37"}}, fixture("products_page.json"));

    auto products = host.records_of<model::Product>();
    ASSERT_EQ(products.size(), 1u);
    model::Product p;
    p.id = "7000002";
    p.title = "Bougie parfumée à la lavande";
    p.description_html = "<p>Coulée à la main. <strong>Notes de lavande &amp; de figue.</strong></p>";
    p.description = "Coulée à la main. Notes de lavande & de figue.";
    p.vendor = "Maison Lumière";
    p.product_type = "Bougie";
    p.tags = {"Candle", "Lavender"};
    p.active = true;
    p.images = {model::Image{"https://cdn.maison-lumiere.example/products/ML-CAN-LAV-1.jpg", 1500, 2000}};
    p.created_at = model::parse_iso8601("2025-01-10T10:00:00Z");
    p.updated_at = model::parse_iso8601("2026-10-30T15:00:00Z");
    EXPECT_EQ(products[0], p);

    auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 2u);
    model::Variant v;
    v.id = "8000002";
    v.product_id = "7000002";
    v.sku = "ML-CAN-LAV-180";
    v.barcode = "3760100000208";
    v.title = "180 g";
    v.price = eur(2090);
    v.compare_at_price = eur(2600);
    v.unit_cost = eur(732);
    v.stock = {{"fr-wh-1", 12}, {"fr-st-1", 0}};
    v.stock_total = 12;
    v.updated_at = model::parse_iso8601("2026-10-30T15:00:00Z");
    EXPECT_EQ(variants[0], v);
    EXPECT_TRUE(variants[1].barcode.empty());
    EXPECT_FALSE(variants[1].unit_cost.has_value()) << "unknown cost is not zero";
    EXPECT_FALSE(variants[1].compare_at_price.has_value());
    EXPECT_EQ(variants[1].stock_total, 0);

    EXPECT_TRUE(result.checkpoint);
    EXPECT_EQ(result.budget_capacity, 40);
    EXPECT_EQ(result.budget_remaining, 37);
    auto cursor = parse(result.cursor);
    EXPECT_STREQ(cursor["stage"].GetString(), "products");
    EXPECT_STREQ(cursor["page_token"].GetString(), "djF8cHJvZHVjdHN8fDE3OTMzNzMyMDAwMDB8MDAwMDAwMDAwMDAwMDcwMDAwMDI");
    EXPECT_STREQ(cursor["high_water"].GetString(), "2026-10-30T15:00:00Z");
    EXPECT_TRUE(cursor["updated_since"].IsNull());

    step = host.next_step();
    EXPECT_EQ(step.request.url,
              "https://shop.example/api/v1/products?limit=50&page_token=djF8cHJvZHVjdHN8fDE3OTMzNzMyMDAwMDB8MDAwMDAwMDAwMDAwMDcwMDAwMDI");
    // Last product page, then the deletions pass, then done.
    result = host.respond(200, {}, R"({"products":[],"next_page_token":null})");
    EXPECT_STREQ(parse(result.cursor)["stage"].GetString(), "deletions");
    step = host.next_step();
    EXPECT_EQ(step.request.url, "https://shop.example/api/v1/deletions?limit=250");
    result = host.respond(200, {}, fixture("deletions_page.json"));
    auto deletions = host.records_of<model::Deletion>();
    ASSERT_EQ(deletions.size(), 1u);
    EXPECT_EQ(deletions[0], (model::Deletion{model::RecordKind::product, "7000009", model::parse_iso8601("2026-10-31T10:00:00Z")}));
    cursor = parse(result.cursor);
    EXPECT_STREQ(cursor["stage"].GetString(), "products");
    EXPECT_STREQ(cursor["deletions_high_water"].GetString(), "2026-10-31T10:00:00Z");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(TestshopPlugin, OrderPageGivesOrderAndRefundRecords) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    grant(host);
    host.next_step();
    auto result = host.respond(200, {}, fixture("orders_page.json"));
    auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 1u);
    const auto& o = orders[0];
    EXPECT_EQ(o.id, "5000001");
    EXPECT_EQ(o.name, "#1001");
    EXPECT_EQ(o.currency.code(), "GBP");
    EXPECT_EQ(o.presentment_currency->code(), "EUR");
    EXPECT_EQ(o.total, (model::MoneyBag{gbp(2995), eur(3504)}));
    EXPECT_EQ(o.tax.shop, gbp(499));
    EXPECT_EQ(o.shipping.shop, gbp(395));
    EXPECT_TRUE(o.taxes_included);
    EXPECT_FALSE(o.fees_known) << "testshop does not report fees: unknown, not zero";
    ASSERT_EQ(o.lines.size(), 2u);
    EXPECT_EQ(o.lines[0].unit_price, (model::MoneyBag{gbp(1100), eur(1287)}));
    EXPECT_EQ(o.lines[1].sku, "ML-BAT-BER-500");
    EXPECT_EQ(o.financial_status, "partially_refunded");
    auto refunds = host.records_of<model::Refund>();
    ASSERT_EQ(refunds.size(), 1u);
    EXPECT_EQ(refunds[0].order_id, "5000001");
    EXPECT_EQ(refunds[0].amount, (model::MoneyBag{gbp(1100), eur(1287)}));
    ASSERT_EQ(refunds[0].lines.size(), 1u);
    EXPECT_EQ(refunds[0].lines[0].order_line_id, "50000011");
    EXPECT_EQ(refunds[0].lines[0].subtotal.shop, gbp(917));
    auto cursor = parse(result.cursor);
    EXPECT_TRUE(cursor["page_token"].IsNull());
    EXPECT_STREQ(cursor["high_water"].GetString(), "2026-10-20T08:00:00Z");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(TestshopPlugin, TrafficRecords) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::traffic);
    grant(host);
    EXPECT_EQ(host.next_step().request.url, "https://shop.example/api/v1/traffic?limit=250");
    auto result = host.respond(200, {}, fixture("traffic_page.json"));
    auto t = host.records_of<model::TrafficSample>();
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].sku, "ML-CAN-LAV-180");
    EXPECT_EQ(t[0].day, *model::parse_date("2026-10-30"));
    EXPECT_EQ(t[0].views, 31);
    EXPECT_EQ(t[0].sessions, 22);
    // The next run re-reads the last days, still being counted upstream.
    host.begin(sdk::Dataset::traffic, false, result.cursor);
    EXPECT_EQ(host.next_step().request.url, "https://shop.example/api/v1/traffic?limit=250&from=2026-10-28");
}

TEST(TestshopPlugin, ResumesFromACursorsPageToken) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders, false,
               R"({"v":1,"stage":"orders","page_token":"abc=","updated_since":"2026-10-01T00:00:00Z","high_water":"2026-10-05T00:00:00Z"})");
    grant(host);
    EXPECT_EQ(host.next_step().request.url, "https://shop.example/api/v1/orders?limit=50&page_token=abc%3D");
}

TEST(TestshopPlugin, IncrementalRunLooksBackTenMinutes) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    const char* cursor = R"({"v":1,"stage":"orders","page_token":null,"updated_since":null,"high_water":"2026-10-31T12:00:00Z"})";
    host.begin(sdk::Dataset::orders, false, cursor);
    grant(host);
    EXPECT_EQ(host.next_step().request.url, "https://shop.example/api/v1/orders?limit=50&updated_since=2026-10-31T11%3A50%3A00Z");
    // Full mode ignores the cursor.
    host.begin(sdk::Dataset::orders, true, cursor);
    EXPECT_EQ(host.next_step().request.url, "https://shop.example/api/v1/orders?limit=50");
    // A cursor of another dataset is refused.
    EXPECT_THROW(host.begin(sdk::Dataset::traffic, false, cursor), SlotError);
}

TEST(TestshopPlugin, ExpiredTokenIsRegrantedAndTheRequestRepeated) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    grant(host, "tst_first");
    auto first = host.next_step();
    auto r = host.respond(401, {}, R"({"error":"invalid_token","error_description":"The access token is invalid or has expired"})");
    EXPECT_FALSE(r.checkpoint);
    auto step = host.next_step();
    EXPECT_EQ(step.request.url, "https://shop.example/oauth/token");
    host.respond(200, {}, R"({"access_token":"tst_second","token_type":"Bearer","expires_in":3600})");
    step = host.next_step();
    EXPECT_EQ(step.request.url, first.request.url);
    EXPECT_EQ(step.request.header("Authorization"), "Bearer tst_second");
    // A fresh token refused too is an auth error, not a loop.
    try {
        host.respond(401, {}, R"({"error":"invalid_token"})");
        host.next_step();
        host.respond(200, {}, R"({"access_token":"tst_third","token_type":"Bearer","expires_in":3600})");
        host.next_step();
        host.respond(401, {}, R"({"error":"invalid_token"})");
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_AUTH);
    }
}

TEST(TestshopPlugin, RefusedCredentialsAreAuthErrors) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    try {
        host.respond(401, {}, R"({"error":"invalid_client","error_description":"Client authentication failed"})");
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_AUTH);
        EXPECT_NE(std::string(e.what()).find("invalid_client"), std::string::npos);
    }
}

TEST(TestshopPlugin, MalformedBodyIsBadResponseWithPath) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    grant(host);
    host.next_step();
    try {
        host.respond(200, {}, R"({"orders":[{"id":"5)");
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_BAD_RESPONSE);
    }
    std::string body = fixture("orders_page.json");
    body.replace(body.find(R"("total":"29.95")"), 15, R"("total":"29,95")");
    host.begin(sdk::Dataset::orders);
    host.next_step();
    try {
        host.respond(200, {}, body);
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_BAD_RESPONSE);
        EXPECT_NE(std::string(e.what()).find("$.orders[0].total"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(host.records().empty()) << "nothing emitted from a page that failed";
    host.begin(sdk::Dataset::orders);
    host.next_step();
    try {
        host.respond(500, {}, "<html>oops</html>");
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_BAD_RESPONSE);
    }
}
