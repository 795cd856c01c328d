// The Amazon plugin through FakeHost: exact requests, exact records from the
// official model examples in tests/data/amazon (see SOURCES.md), cursors,
// token renewal, reports and every refusal.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <functional>
#include <pcgd/testing/fake_host.hpp>
#include <pcgd/testing/fixtures.hpp>
#include <regex>
#include <sstream>

#include "mapping.hpp"
#include "sp_api.hpp"

using namespace pcgd;
using pcgd::testing::FakeHost;
using pcgd::testing::SlotError;

namespace {

std::string fixture(const std::string& name) { return pcgd::testing::read_fixture(PCGD_AMAZON_DATA_DIR, name); }

rapidjson::Document parse(const std::string& s) { return pcgd::testing::parse_json(s); }

std::string serialise(const rapidjson::Value& v) { return pcgd::testing::to_json(v); }

/// The `response` member of a sandbox example.
std::string sandbox(const std::string& name) { return serialise(parse(fixture(name))["response"]); }

std::string gzip(const std::string& in) {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

const std::string shop_gb = R"("shop":{"id":"uk","platform":"amazon","country":"GB","currency":"GBP","time_zone":"Europe/London"})";
const std::string settings = R"({"base_url":"https://sellingpartnerapi-eu.amazon.com","client_id":"amzn1.application-oa2-client.test",)"
                             R"("client_secret":"s3cr3t","refresh_token":"Atzr|IwEB-test","report_poll_ms":5000,)" + shop_gb + "}";
const std::string api = "https://sellingpartnerapi-eu.amazon.com";
const std::string access_token = "Atza|EXAMPLE-ACCESS-TOKEN";

model::Money gbp(std::int64_t minor) { return model::Money{minor, model::Currency::of("GBP")}; }
model::MoneyBag gbp_bag(std::int64_t minor) { return model::MoneyBag{gbp(minor), std::nullopt}; }

std::int32_t code_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const SlotError& e) {
        if (message) *message = e.what();
        return e.code;
    }
    return PCGD_OK;
}

/// Answers the LWA token request the plugin starts with.
void grant_token(FakeHost& host) {
    const auto step = host.next_step();
    ASSERT_EQ(step.request.url, "https://api.amazon.com/auth/o2/token");
    host.respond(200, {}, fixture("lwa.token.200.example.json"));
}

/// A shipment event and a refund event of the UK sample order, written from
/// the Finances v0 model's definitions (the model's sandbox has neither).
const std::string uk_order_events = R"({"payload":{"FinancialEvents":{
  "ShipmentEventList":[{"AmazonOrderId":"202-7654321-1098765","MarketplaceName":"Amazon.co.uk","PostedDate":"2024-12-26T10:00:00Z",
    "ShipmentItemList":[{"SellerSKU":"ECHO-DOT-4-UK-CHARCOAL-SINGLE","OrderItemId":"20276543210987","QuantityShipped":1,
      "ItemChargeList":[{"ChargeType":"Principal","ChargeAmount":{"CurrencyCode":"GBP","CurrencyAmount":29.16}},
                        {"ChargeType":"Tax","ChargeAmount":{"CurrencyCode":"GBP","CurrencyAmount":5.83}}],
      "ItemFeeList":[{"FeeType":"Commission","FeeAmount":{"CurrencyCode":"GBP","CurrencyAmount":-5.25}},
                     {"FeeType":"FBAPerUnitFulfillmentFee","FeeAmount":{"CurrencyCode":"GBP","CurrencyAmount":-2.70}}]}]}],
  "RefundEventList":[{"AmazonOrderId":"202-7654321-1098765","MarketplaceName":"Amazon.co.uk","PostedDate":"2025-01-03T09:30:00Z",
    "ShipmentItemAdjustmentList":[{"SellerSKU":"ECHO-DOT-4-UK-CHARCOAL-SINGLE","OrderItemId":"20276543210987","OrderAdjustmentItemId":"98765",
      "QuantityShipped":1,
      "ItemChargeAdjustmentList":[{"ChargeType":"Principal","ChargeAmount":{"CurrencyCode":"GBP","CurrencyAmount":-29.16}},
                                  {"ChargeType":"Tax","ChargeAmount":{"CurrencyCode":"GBP","CurrencyAmount":-5.83}}],
      "ItemFeeAdjustmentList":[{"FeeType":"Commission","FeeAmount":{"CurrencyCode":"GBP","CurrencyAmount":5.25}},
                               {"FeeType":"RefundCommission","FeeAmount":{"CurrencyCode":"GBP","CurrencyAmount":-1.05}}]}]},
  {"AmazonOrderId":"202-7654321-1098765","MarketplaceName":"Amazon.fr","PostedDate":"2025-01-03T09:30:00Z"}]}}})";

}  // namespace

TEST(AmazonPlugin, ManifestDeclaresSettings) {
    auto m = parse(pcgd_plugin_get_vtable()->manifest_json());
    EXPECT_STREQ(m["id"].GetString(), "amazon");
    ASSERT_EQ(m["datasets"].Size(), 3u);
    ASSERT_EQ(m["settings"].Size(), 14u);
    EXPECT_STREQ(m["settings"][13]["name"].GetString(), "seller_id");
    EXPECT_STREQ(m["settings"][12]["name"].GetString(), "draft_app");
    EXPECT_FALSE(m["settings"][12]["default"].GetBool());
    EXPECT_STREQ(m["settings"][10]["name"].GetString(), "application_id");
    EXPECT_STREQ(m["settings"][1]["name"].GetString(), "token_url");
    EXPECT_STREQ(m["settings"][1]["default"].GetString(), "https://api.amazon.com/auth/o2/token");
    EXPECT_TRUE(m["settings"][3]["secret"].GetBool());
    EXPECT_TRUE(m["settings"][4]["secret"].GetBool());
    EXPECT_STREQ(m["settings"][5]["name"].GetString(), "marketplace_id");
}

TEST(AmazonPlugin, BadSettingsAreConfigErrors) {
    const std::string creds = R"("client_id":"c","client_secret":"s","refresh_token":"r",)";
    for (const std::string& s :
         {"{" + creds + R"("shop":{"country":"US","currency":"USD"}})", "{" + creds + R"("shop":{"country":"GB","currency":"EUR"}})",
          "{" + creds + R"("marketplace_id":"ATVPDKIKX0DER",)" + shop_gb + "}", R"({"client_id":"c","client_secret":"s",)" + shop_gb + "}",
          "{" + creds + R"("base_url":"ftp://x",)" + shop_gb + "}", "{" + creds + R"("page_size":101,)" + shop_gb + "}",
          R"({"client_id":"c","client_secret":"s","refresh_token":"",)" + shop_gb + "}"})
        EXPECT_EQ(code_of([&] { FakeHost host(pcgd_plugin_get_vtable(), s); }), PCGD_ERR_CONFIG) << s;
    // The marketplace setting overrides the country's.
    EXPECT_EQ(code_of([&] {
                  FakeHost host(pcgd_plugin_get_vtable(), "{" + creds + R"("marketplace_id":"A13V1IB3VIYZZH","shop":{"country":"GB","currency":"EUR"}})");
              }),
              PCGD_OK);
}

TEST(AmazonPlugin, TokenGrantThenSearchOrdersAreExact) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    const auto token = host.next_step();
    ASSERT_EQ(token.kind, sdk::Step::Kind::request);
    EXPECT_EQ(token.request.method, sdk::Method::post);
    EXPECT_EQ(token.request.url, "https://api.amazon.com/auth/o2/token");
    EXPECT_EQ(token.request.header("Content-Type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(token.request.body,
              "grant_type=refresh_token&refresh_token=Atzr%7CIwEB-test&client_id=amzn1.application-oa2-client.test&client_secret=s3cr3t");
    EXPECT_EQ(token.request.header("x-amz-access-token"), "");
    host.respond(200, {}, fixture("lwa.token.200.example.json"));

    const auto search = host.next_step();
    EXPECT_EQ(search.request.method, sdk::Method::get);
    // 730 days before 2026-01-01; no lastUpdatedBefore, ever.
    EXPECT_EQ(search.request.url, api + "/orders/2026-01-01/orders?lastUpdatedAfter=2024-01-02T00%3A00%3A00Z&marketplaceIds=A1F83G8C2ARO7P"
                                       "&maxResultsPerPage=100&includedData=PROCEEDS%2CFULFILLMENT");
    EXPECT_EQ(search.request.header("x-amz-access-token"), access_token);
    EXPECT_EQ(search.request.header("Authorization"), "") << "no SigV4";
    EXPECT_EQ(search.request.body, "");

}

TEST(AmazonPlugin, UkSampleOrderWithItsFeesAndRefundIsExact) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    grant_token(host);
    host.next_step();
    auto result = host.respond(200, {{"x-amzn-RateLimit-Limit", "0.0056"}}, sandbox("orders2026.searchOrders.200.sandbox2.json"));
    EXPECT_FALSE(result.checkpoint) << "the page is held until its orders' events are read";
    EXPECT_EQ(result.budget_restore_milli_per_s, 5);
    EXPECT_TRUE(host.records().empty());

    // SHIPPED: its financial events. The sandbox answer has none of its own and a NextToken.
    const auto events = host.next_step();
    EXPECT_EQ(events.request.url, api + "/finances/v0/orders/202-7654321-1098765/financialEvents?MaxResultsPerPage=100");
    host.respond(200, {}, sandbox("financesV0.listFinancialEventsByOrderId.200.sandbox1.json"));
    EXPECT_EQ(host.next_step().request.url,
              api + "/finances/v0/orders/202-7654321-1098765/financialEvents?MaxResultsPerPage=100&NextToken=Next%20token%20value");
    result = host.respond(200, {}, uk_order_events);
    EXPECT_TRUE(result.checkpoint);

    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 1u);
    model::Order o;
    o.id = o.name = "202-7654321-1098765";
    o.created_at = *model::parse_iso8601("2024-12-24T14:20:00Z");
    o.updated_at = *model::parse_iso8601("2024-12-24T18:45:00Z");
    o.status = "closed";
    o.financial_status = "refunded";
    o.fulfillment_status = "fulfilled";
    o.currency = model::Currency::of("GBP");
    o.marketplace = "A1F83G8C2ARO7P";
    o.country = "GB";
    o.subtotal = gbp_bag(3499);
    o.discounts = gbp_bag(0);
    o.shipping = gbp_bag(0);
    o.tax = gbp_bag(0);
    o.total = gbp_bag(3499);
    o.taxes_included = true;
    o.fees_known = true;
    o.fees = {model::Fee{"commission", gbp(0)}, model::Fee{"fba_fulfilment", gbp(270)}, model::Fee{"refund_commission", gbp(105)}};
    o.lines = {model::OrderLine{"20276543210987", "ECHO-DOT-4-UK-CHARCOAL-SINGLE", "ECHO-DOT-4-UK-CHARCOAL-SINGLE", "B08C1W5N87",
                                "Amazon Echo Dot (4th Generation) | Smart speaker with Alexa | Charcoal", 1, gbp_bag(3499), gbp_bag(0), gbp_bag(0)}};
    EXPECT_EQ(orders[0], o);

    const auto refunds = host.records_of<model::Refund>();
    ASSERT_EQ(refunds.size(), 1u) << "the Amazon.fr event is another marketplace's";
    model::Refund r;
    r.id = "202-7654321-1098765-98765";
    r.order_id = o.id;
    r.created_at = *model::parse_iso8601("2025-01-03T09:30:00Z");
    r.amount = gbp_bag(3499);
    r.tax = gbp_bag(583);
    r.shipping = gbp_bag(0);
    r.lines = {model::RefundLine{"20276543210987", "ECHO-DOT-4-UK-CHARCOAL-SINGLE", 1, gbp_bag(2916), gbp_bag(583)}};
    EXPECT_EQ(refunds[0], r);

    // No nextToken: the pass is complete up to the greatest lastUpdatedTime (the answer has no lastUpdatedBefore).
    const auto cursor = parse(result.cursor);
    EXPECT_STREQ(cursor["stage"].GetString(), "orders");
    EXPECT_FALSE(cursor.HasMember("token"));
    EXPECT_STREQ(cursor["high_water"].GetString(), "2024-12-24T18:45:00Z");
    EXPECT_STREQ(cursor["fees_since"].GetString(), "2024-12-24T18:45:00Z");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(AmazonPlugin, AnOrderWithoutItsShipmentEventHasUnknownFees) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    grant_token(host);
    host.next_step();
    host.respond(200, {}, sandbox("orders2026.searchOrders.200.sandbox2.json"));
    host.next_step();
    // The sandbox events belong to another order and end without a NextToken here.
    auto events = parse(sandbox("financesV0.listFinancialEventsByOrderId.200.sandbox1.json"));
    events["payload"].RemoveMember("NextToken");
    host.respond(200, {}, serialise(events));
    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_FALSE(orders[0].fees_known);
    EXPECT_TRUE(orders[0].fees.empty()) << "unknown, not zero";
    EXPECT_EQ(orders[0].financial_status, "paid");
}

TEST(AmazonPlugin, IncrementalRunReadsLateFinancialEventsAndTheirOrders) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders, false,
               R"({"v":1,"stage":"orders","high_water":"2025-01-01T12:00:00Z","fees_since":"2025-01-01T12:00:00Z"})");
    grant_token(host);
    EXPECT_EQ(host.next_step().request.url, api + "/orders/2026-01-01/orders?lastUpdatedAfter=2025-01-01T11%3A50%3A00Z"
                                                  "&marketplaceIds=A1F83G8C2ARO7P&maxResultsPerPage=100&includedData=PROCEEDS%2CFULFILLMENT");
    auto result = host.respond(200, {}, R"({"orders":[],"lastUpdatedBefore":"2025-01-05T10:00:00Z"})");
    ASSERT_TRUE(result.checkpoint);
    EXPECT_STREQ(parse(result.cursor)["stage"].GetString(), "fees");
    EXPECT_STREQ(parse(result.cursor)["high_water"].GetString(), "2025-01-05T10:00:00Z");

    EXPECT_EQ(host.next_step().request.url, api + "/finances/v0/financialEvents?PostedAfter=2025-01-01T11%3A50%3A00Z&MaxResultsPerPage=100");
    host.respond(200, {}, uk_order_events);
    EXPECT_EQ(host.next_step().request.url, api + "/orders/2026-01-01/orders/202-7654321-1098765?includedData=PROCEEDS%2CFULFILLMENT");
    auto order = parse(sandbox("orders2026.searchOrders.200.sandbox2.json"));
    rapidjson::Document one;
    one.SetObject();
    one.AddMember("order", rapidjson::Value(order["orders"][0], one.GetAllocator()), one.GetAllocator());
    host.respond(200, {}, serialise(one));
    EXPECT_EQ(host.next_step().request.url, api + "/finances/v0/orders/202-7654321-1098765/financialEvents?MaxResultsPerPage=100");
    result = host.respond(200, {}, uk_order_events);
    EXPECT_EQ(host.records_of<model::Order>().size(), 1u);
    EXPECT_EQ(host.records_of<model::Refund>().size(), 1u);
    ASSERT_TRUE(result.checkpoint);
    const auto cursor = parse(result.cursor);
    EXPECT_STREQ(cursor["stage"].GetString(), "orders");
    EXPECT_STREQ(cursor["fees_since"].GetString(), "2025-01-05T10:00:00Z");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(AmazonPlugin, AnExpiredAccessTokenIsRenewedAndTheRequestRepeated) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    grant_token(host);
    const std::string url = host.next_step().request.url;
    const auto result = host.respond(403, {}, fixture("errors.403.expired-access-token.json"));
    EXPECT_FALSE(result.checkpoint);
    const auto token = host.next_step();
    EXPECT_EQ(token.request.url, "https://api.amazon.com/auth/o2/token");
    host.respond(200, {}, R"({"access_token":"Atza|second","token_type":"bearer","expires_in":3600})");
    const auto again = host.next_step();
    EXPECT_EQ(again.request.url, url);
    EXPECT_EQ(again.request.header("x-amz-access-token"), "Atza|second");
    // Refused again and again with fresh tokens: an auth error with Amazon's words.
    std::string message;
    EXPECT_EQ(code_of([&] {
                  for (int i = 0; i < 5; ++i) {
                      host.respond(403, {}, fixture("errors.403.expired-access-token.json"));
                      host.next_step();
                      host.respond(200, {}, R"({"access_token":"Atza|again","token_type":"bearer","expires_in":3600})");
                      host.next_step();
                  }
              },
                      &message),
              PCGD_ERR_AUTH);
    EXPECT_NE(message.find("The access token you provided has expired."), std::string::npos) << message;
}

TEST(AmazonPlugin, RefusedCredentialsAreAuthErrorsWithLwasWords) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    std::string message;
    EXPECT_EQ(code_of([&] { host.respond(401, {}, fixture("lwa.token.401.invalid-client.json")); }, &message), PCGD_ERR_AUTH);
    EXPECT_NE(message.find("invalid_client: Client authentication failed"), std::string::npos) << message;
}

TEST(AmazonPlugin, BadOrdersAreBadResponsesNamingThePath) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::orders);
    grant_token(host);
    host.next_step();
    std::string body = sandbox("orders2026.searchOrders.200.sandbox2.json");
    body.replace(body.find("\"SHIPPED\""), 9, "\"SHIPPING\"");
    std::string message;
    EXPECT_EQ(code_of([&] { host.respond(200, {}, body); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("orders[0].fulfillment.fulfillmentStatus: unknown value 'SHIPPING'"), std::string::npos) << message;
    EXPECT_TRUE(host.records().empty());
    // Amazon's 400 for a too-recent date is a bad response too, with its text.
    host.begin(sdk::Dataset::orders);
    host.next_step();
    EXPECT_EQ(code_of([&] { host.respond(400, {}, fixture("errors.400.orders-createdbefore-too-recent.json")); }, &message),
              PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("InvalidInput"), std::string::npos) << message;
}

TEST(AmazonPlugin, ListingsReportFromRequestToRecords) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::inventory);
    grant_token(host);
    // FBA stock first, every page of it.
    EXPECT_EQ(host.next_step().request.url, api + "/fba/inventory/v1/summaries?details=true&granularityType=Marketplace"
                                                  "&granularityId=A1F83G8C2ARO7P&marketplaceIds=A1F83G8C2ARO7P");
    host.respond(200, {}, sandbox("fbaInventoryV1.getInventorySummaries.200.sandbox1.json"));
    EXPECT_EQ(host.next_step().request.url, api + "/fba/inventory/v1/summaries?details=true&granularityType=Marketplace"
                                                  "&granularityId=A1F83G8C2ARO7P&marketplaceIds=A1F83G8C2ARO7P&nextToken=seed");
    host.respond(200, {},
                 R"({"payload":{"granularity":{"granularityType":"Marketplace","granularityId":"A1F83G8C2ARO7P"},"inventorySummaries":[)"
                 R"({"asin":"B0SYNTH002","fnSku":"X0SYNTH002","sellerSku":"SYN-FILT-100","condition":"NewItem",)"
                 R"("inventoryDetails":{"fulfillableQuantity":57},"totalQuantity":60}]}})");
    const auto create = host.next_step();
    EXPECT_EQ(create.request.method, sdk::Method::post);
    EXPECT_EQ(create.request.url, api + "/reports/2021-06-30/reports");
    EXPECT_EQ(create.request.header("Content-Type"), "application/json");
    EXPECT_EQ(create.request.body, R"({"reportType":"GET_MERCHANT_LISTINGS_ALL_DATA","reportOptions":{"preferredReportDocumentLocale":"en_US"},)"
                                   R"("marketplaceIds":["A1F83G8C2ARO7P"]})");
    auto result = host.respond(202, {}, sandbox("reports2021.createReport.202.sandbox1.json"));
    ASSERT_TRUE(result.checkpoint) << "a restart looks at this report, never asks for another";
    EXPECT_STREQ(parse(result.cursor)["report_id"].GetString(), "ID323");

    EXPECT_EQ(host.next_step().request.url, api + "/reports/2021-06-30/reports/ID323");
    host.respond(200, {}, sandbox("reports2021.getReport.200.sandbox1.json"));  // IN_PROGRESS
    const auto wait = host.next_step();
    EXPECT_EQ(wait.kind, sdk::Step::Kind::wait);
    EXPECT_EQ(wait.wait_ms, 5000u);
    EXPECT_EQ(host.next_step().request.url, api + "/reports/2021-06-30/reports/ID323");
    auto done = parse(sandbox("reports2021.getReport.200.sandbox1.json"));
    done["processingStatus"].SetString("DONE");
    done.AddMember("reportDocumentId", "0356cf79-b8b0-4226-b4b9-0ee058ea5760", done.GetAllocator());
    host.respond(200, {}, serialise(done));
    EXPECT_EQ(host.next_step().request.url, api + "/reports/2021-06-30/documents/0356cf79-b8b0-4226-b4b9-0ee058ea5760");
    auto document = parse(sandbox("reports2021.getReportDocument.200.sandbox1.json"));
    document.AddMember("compressionAlgorithm", "GZIP", document.GetAllocator());
    host.respond(200, {}, serialise(document));

    const auto download = host.next_step();
    EXPECT_EQ(download.request.url, "https://d34o8swod1owfl.cloudfront.net/Report_47700__GET_MERCHANT_LISTINGS_ALL_DATA_.txt");
    EXPECT_TRUE(download.request.stream_body);
    EXPECT_EQ(download.request.header("x-amz-access-token"), "") << "a pre-signed URL takes no SP-API headers";
    // CRLF line ends this time, gzip, in chunks that cut characters and lines anywhere.
    std::string tsv = fixture("GET_MERCHANT_LISTINGS_ALL_DATA.synthetic-uk.cp1252.tsv");
    std::string crlf;
    for (char c : tsv) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    result = host.respond(200, {{"Content-Type", "text/plain;charset=Cp1252"}}, gzip(crlf), 7);
    ASSERT_TRUE(result.checkpoint);
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);

    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 3u);
    model::Variant v;
    v.id = v.sku = "SYN-DRIP-WHT";
    v.product_id = "B0SYNTH001";
    v.title = "Ceramic Pour-Over Coffee Dripper, White";
    v.price = gbp(1899);
    v.stock = {model::StockLevel{"DEFAULT", 42}};
    v.stock_total = 42;
    v.marketplace = "A1F83G8C2ARO7P";
    EXPECT_EQ(variants[0], v);
    EXPECT_EQ(variants[1].title, "Café Filter Papers Size 02 (100 pack)") << "Cp1252 0xE9 is é";
    EXPECT_EQ(variants[1].barcode, "5012345678900");
    EXPECT_EQ(variants[1].stock, (std::vector<model::StockLevel>{{"AFN", 57}})) << "FBA stock from the inventory summaries";
    EXPECT_FALSE(variants[2].active);
    EXPECT_EQ(variants[2].stock_total, 0);

    const auto products = host.records_of<model::Product>();
    ASSERT_EQ(products.size(), 3u);
    EXPECT_EQ(products[0].id, "B0SYNTH001");
    EXPECT_EQ(products[0].created_at, model::parse_iso8601("2024-03-12T09:15:02Z"));
    EXPECT_EQ(products[1].created_at, model::parse_iso8601("2024-07-05T15:40:11Z")) << "16:40:11 BST";
    EXPECT_FALSE(products[2].active);
    EXPECT_EQ(parse(result.cursor)["known"].GetString(),
              std::string("B0SYNTH001\tSYN-DRIP-WHT\nB0SYNTH002\tSYN-FILT-100\nB0SYNTH003\tSYN-SERV-600\n"));
}

TEST(AmazonPlugin, ListingsGoneSinceTheLastSnapshotAreDeleted) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::inventory, false,
               R"({"v":1,"stage":"inventory","report_id":"ID9","known":"B0GONE0001\tOLD-SKU\nB0SYNTH001\tSYN-DRIP-WHT\nB0SYNTH001\tSYN-DRIP-OLD\n"})");
    grant_token(host);
    host.next_step();
    host.respond(200, {}, R"({"payload":{"granularity":{},"inventorySummaries":[]}})");
    EXPECT_EQ(host.next_step().request.url, api + "/reports/2021-06-30/reports/ID9") << "the report of the interrupted run";
    host.respond(200, {}, R"({"reportId":"ID9","reportType":"GET_MERCHANT_LISTINGS_ALL_DATA","createdTime":"2025-01-01T00:00:00Z",)"
                          R"("processingStatus":"DONE","reportDocumentId":"D9"})");
    host.next_step();
    host.respond(200, {}, R"({"reportDocumentId":"D9","url":"https://example.com/d9"})");
    host.next_step();
    host.respond(200, {}, fixture("GET_MERCHANT_LISTINGS_ALL_DATA.synthetic-uk.cp1252.tsv"));
    const auto deletions = host.records_of<model::Deletion>();
    ASSERT_EQ(deletions.size(), 2u);
    EXPECT_EQ(deletions[0], (model::Deletion{model::RecordKind::product, "B0GONE0001", std::nullopt}));
    EXPECT_EQ(deletions[1], (model::Deletion{model::RecordKind::variant, "SYN-DRIP-OLD", std::nullopt}));
}

TEST(AmazonPlugin, ReportFailuresAndRefusedDownloads) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::inventory);
    grant_token(host);
    host.next_step();
    host.respond(200, {}, R"({"payload":{"granularity":{},"inventorySummaries":[]}})");
    host.next_step();
    host.respond(202, {}, R"({"reportId":"R1"})");
    host.next_step();
    // FATAL: another report is asked for, and the cursor forgets the failed one.
    auto result = host.respond(200, {}, R"({"reportId":"R1","reportType":"x","createdTime":"2025-01-01T00:00:00Z","processingStatus":"FATAL"})");
    ASSERT_TRUE(result.checkpoint);
    EXPECT_FALSE(parse(result.cursor).HasMember("report_id"));
    EXPECT_EQ(host.next_step().request.url, api + "/reports/2021-06-30/reports");
    host.respond(202, {}, R"({"reportId":"R2"})");
    host.next_step();
    host.respond(200, {}, R"({"reportId":"R2","reportType":"x","createdTime":"2025-01-01T00:00:00Z","processingStatus":"DONE","reportDocumentId":"D2"})");
    host.next_step();
    host.respond(200, {}, R"({"reportDocumentId":"D2","url":"https://example.com/d2","compressionAlgorithm":"GZIP"})");
    host.next_step();
    // The pre-signed URL expired: the document is asked for again.
    host.respond(403, {}, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
    EXPECT_EQ(host.next_step().request.url, api + "/reports/2021-06-30/documents/D2");
    host.respond(200, {}, R"({"reportDocumentId":"D2","url":"https://example.com/d2b","compressionAlgorithm":"GZIP"})");
    EXPECT_EQ(host.next_step().request.url, "https://example.com/d2b");
    std::string message;
    EXPECT_EQ(code_of([&] { host.respond(200, {}, gzip(fixture("GET_MERCHANT_LISTINGS_ALL_DATA.synthetic-uk.cp1252.tsv")).substr(0, 40)); },
                      &message),
              PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("ends before its gzip stream does"), std::string::npos) << message;
    // Headers in another language are refused, not guessed.
    host.begin(sdk::Dataset::inventory, false, R"({"v":1,"stage":"inventory","report_id":"R2"})");
    host.next_step();
    host.respond(200, {}, R"({"payload":{"granularity":{},"inventorySummaries":[]}})");
    host.next_step();
    host.respond(200, {}, R"({"reportId":"R2","reportType":"x","createdTime":"2025-01-01T00:00:00Z","processingStatus":"DONE","reportDocumentId":"D2"})");
    host.next_step();
    host.respond(200, {}, R"({"reportDocumentId":"D2","url":"https://example.com/d2"})");
    host.next_step();
    EXPECT_EQ(code_of([&] { host.respond(200, {}, "nom-article\tsku-vendeur\nBougie\tX\n"); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("no seller-sku column"), std::string::npos) << message;
}

TEST(AmazonPlugin, SalesAndTrafficDocumentGivesDailyViewsPerSku) {
    const std::string one_day = R"({"base_url":"https://sellingpartnerapi-eu.amazon.com","client_id":"c","client_secret":"s","refresh_token":"r",)"
                                R"("report_poll_ms":1,"traffic_days":1,)" + shop_gb + "}";
    FakeHost host(pcgd_plugin_get_vtable(), one_day);  // now: 2026-01-01, so the day read is 2025-12-31
    host.begin(sdk::Dataset::traffic);
    grant_token(host);
    // The ASIN -> SKU map, from the listings report.
    EXPECT_NE(host.next_step().request.body.find("GET_MERCHANT_LISTINGS_ALL_DATA"), std::string::npos);
    host.respond(202, {}, R"({"reportId":"M1"})");
    host.next_step();
    host.respond(200, {}, R"({"reportId":"M1","reportType":"x","createdTime":"2025-01-01T00:00:00Z","processingStatus":"DONE","reportDocumentId":"DM"})");
    host.next_step();
    host.respond(200, {}, R"({"reportDocumentId":"DM","url":"https://example.com/dm"})");
    host.next_step();
    std::string tsv = fixture("GET_MERCHANT_LISTINGS_ALL_DATA.synthetic-uk.cp1252.tsv");
    tsv.replace(tsv.find("B0SYNTH001"), 10, "B123456789");
    host.respond(200, {}, tsv);
    EXPECT_TRUE(host.records().empty());

    const auto create = host.next_step();
    EXPECT_EQ(create.request.body, R"({"reportType":"GET_SALES_AND_TRAFFIC_REPORT","reportOptions":{"dateGranularity":"DAY","asinGranularity":"CHILD"},)"
                                   R"("dataStartTime":"2025-12-31T00:00:00Z","dataEndTime":"2025-12-31T23:59:59Z","marketplaceIds":["A1F83G8C2ARO7P"]})");
    host.respond(202, {}, R"({"reportId":"T1"})");
    host.next_step();
    host.respond(200, {}, R"({"reportId":"T1","reportType":"x","createdTime":"2025-01-01T00:00:00Z","processingStatus":"DONE","reportDocumentId":"DT"})");
    host.next_step();
    host.respond(200, {}, R"({"reportDocumentId":"DT","url":"https://example.com/dt","compressionAlgorithm":"GZIP"})");
    host.next_step();
    const auto result = host.respond(200, {}, gzip(fixture("reports.GET_SALES_AND_TRAFFIC_REPORT.document.example.json")), 100);
    const auto traffic = host.records_of<model::TrafficSample>();
    ASSERT_GE(traffic.size(), 2u);
    const std::int64_t day = *model::parse_date("2025-12-31");
    EXPECT_EQ(traffic[0], (model::TrafficSample{"SYN-DRIP-WHT", "B123456789", day, 43, 18, "A1F83G8C2ARO7P"}));
    EXPECT_EQ(traffic[1].sku, "") << "an ASIN the listings do not know keeps no SKU";
    EXPECT_EQ(traffic[1].listing_id, "B234567890");
    ASSERT_TRUE(result.checkpoint);
    EXPECT_STREQ(parse(result.cursor)["last_day"].GetString(), "2025-12-31");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(AmazonPlugin, EachOperationDrawsOnItsBucketWithTheModelsUsagePlan) {
    struct Case {
        const amazon::Operation& op;
        const char* model;
        const char* path;
        const char* method;
    };
    const Case cases[] = {
        {amazon::op::search_orders, "orders_2026-01-01.json", "/orders/2026-01-01/orders", "get"},
        {amazon::op::get_order, "orders_2026-01-01.json", "/orders/2026-01-01/orders/{orderId}", "get"},
        {amazon::op::create_report, "reports_2021-06-30.json", "/reports/2021-06-30/reports", "post"},
        {amazon::op::get_report, "reports_2021-06-30.json", "/reports/2021-06-30/reports/{reportId}", "get"},
        {amazon::op::get_report_document, "reports_2021-06-30.json", "/reports/2021-06-30/documents/{reportDocumentId}",
         "get"},
        {amazon::op::inventory_summaries, "fbaInventory.json", "/fba/inventory/v1/summaries", "get"},
        {amazon::op::order_financial_events, "financesV0.json", "/finances/v0/orders/{orderId}/financialEvents", "get"},
        {amazon::op::financial_events, "financesV0.json", "/finances/v0/financialEvents", "get"},
        {amazon::op::search_listings_items, "listingsItems_2021-08-01.json", "/listings/2021-08-01/items/{sellerId}",
         "get"},
    };
    for (const auto& c : cases) {
        const auto model = parse(fixture(std::string("models/") + c.model));
        const std::string description = model["paths"][c.path][c.method]["description"].GetString();
        std::smatch m;
        ASSERT_TRUE(std::regex_search(description, m, std::regex(R"(\| ([0-9.]+) \| ([0-9]+) \|)"))) << c.path;
        EXPECT_EQ(std::stod(m[1].str()), c.op.rate_per_s) << c.path;
        EXPECT_EQ(std::stoll(m[2].str()), c.op.burst) << c.path;
        sdk::Request r;
        amazon::draw_on(r, c.op);
        EXPECT_EQ(r.rate_bucket, c.op.bucket);
        EXPECT_EQ(r.rate_bucket_capacity, c.op.burst);
        EXPECT_EQ(r.rate_bucket_restore_milli_per_s, static_cast<std::int64_t>(std::stod(m[1].str()) * 1000 + 1e-9)) << "rounded down";
    }
}

namespace {

const std::string seller_settings =
    R"({"base_url":"https://sellingpartnerapi-eu.amazon.com","client_id":"c","client_secret":"s",)"
    R"("refresh_token":"r","report_poll_ms":1,"selling_partner_id":"A3SELLER",)" +
    shop_gb + "}";

/// The official searchListingsItems example (a US and a CA listing) moved to
/// the UK marketplace and given the SKU asked for; the example's attributes
/// hold no image locator nor product identifier, so those are added, shaped
/// as Amazon's product type definitions have them (`media_location`, `type`/`value`).
std::string uk_search_example(const std::string& sku) {
    std::string text = fixture("listings2021.searchListingsItems.200.example.json");
    for (auto at = text.find("ATVPDKIKX0DER"); at != std::string::npos; at = text.find("ATVPDKIKX0DER", at))
        text.replace(at, 13, "A1F83G8C2ARO7P");
    auto doc = parse(text);
    auto& a = doc.GetAllocator();
    auto& item = doc["items"][0];
    item["sku"].SetString(sku.c_str(), a);
    auto& attributes = item["attributes"];
    const auto add = [&](const char* name, const std::string& json) {
        rapidjson::Document value(&a);
        value.Parse(json.c_str());
        attributes.AddMember(rapidjson::Value(name, a), rapidjson::Value(value, a), a);
    };
    add("main_product_image_locator",
        R"([{"media_location":"https://www.example.com/luggage.png","marketplace_id":"A1F83G8C2ARO7P"}])");
    add("other_product_image_locator_1",
        R"([{"media_location":"https://www.example.com/luggage-side.png","marketplace_id":"A1F83G8C2ARO7P"}])");
    add("other_product_image_locator_2",
        R"([{"media_location":"https://www.example.com/luggage-ca.png","marketplace_id":"A2EUQ1WTGCTBG2"}])");
    add("externally_assigned_product_identifier",
        R"([{"type":"upc","value":"012345678905","marketplace_id":"A2EUQ1WTGCTBG2"},{"type":"ean","value":"5012345678917","marketplace_id":"A1F83G8C2ARO7P"}])");
    return serialise(doc);
}

/// The example's UK bullet points, as the plugin writes them when the report has no description.
std::string uk_bullets_html() {
    std::string text = fixture("listings2021.searchListingsItems.200.example.json");
    const auto doc = parse(text);
    std::string html = "<ul>";
    for (const auto& b : doc["items"][0]["attributes"]["bullet_point"].GetArray())
        if (std::string(b["marketplace_id"].GetString()) == "ATVPDKIKX0DER")
            html += std::string("<li>") + b["value"].GetString() + "</li>";
    return html + "</ul>";
}

/// Token, FBA, a DONE report and its document: the next answer is the listings file.
void to_the_listings_download(FakeHost& host, const std::string& report_id) {
    host.next_step();
    host.respond(200, {}, R"({"payload":{"granularity":{},"inventorySummaries":[]}})");
    if (host.next_step().request.method == sdk::Method::post) {
        host.respond(202, {}, R"({"reportId":")" + report_id + "\"}");
        host.next_step();
    }
    host.respond(
        200, {},
        R"({"reportId":")" + report_id +
            R"(","reportType":"x","createdTime":"2025-01-01T00:00:00Z","processingStatus":"DONE","reportDocumentId":"D1"})");
    host.next_step();
    host.respond(200, {}, R"({"reportDocumentId":"D1","url":"https://example.com/d1"})");
    host.next_step();
}

std::string listings_url(const std::string& skus, const std::string& page_token = {}) {
    return api +
           "/listings/2021-08-01/items/"
           "A3SELLER?marketplaceIds=A1F83G8C2ARO7P&includedData=summaries%2Cattributes&identifiersType=SKU&"
           "identifiers=" +
           skus + "&pageSize=20" + (page_token.empty() ? "" : "&pageToken=" + page_token);
}

}  // namespace

TEST(AmazonPlugin, ListingsItemsAddImagesWithSizesGtinsAndBulletPoints) {
    FakeHost host(pcgd_plugin_get_vtable(), seller_settings);
    host.begin(sdk::Dataset::inventory);
    grant_token(host);
    to_the_listings_download(host, "ID1");
    auto result = host.respond(200, {{"Content-Type", "text/plain;charset=Cp1252"}},
                               fixture("GET_MERCHANT_LISTINGS_ALL_DATA.synthetic-uk.cp1252.tsv"));
    ASSERT_TRUE(result.checkpoint);
    const auto cursor = parse(result.cursor);
    EXPECT_STREQ(cursor["enrich"].GetString(), "") << "the report is read; its listings are enriched from the first";
    EXPECT_STREQ(cursor["report_id"].GetString(), "ID1") << "kept, to read the listings again after a restart";
    EXPECT_TRUE(host.records_of<model::Variant>().empty()) << "nothing goes out before its listings are read";

    // One request for the three SKUs (its bucket: EachOperationDrawsOnItsBucketWithTheModelsUsagePlan).
    const auto search = host.next_step();
    EXPECT_EQ(search.request.url, listings_url("SYN-DRIP-WHT%2CSYN-FILT-100%2CSYN-SERV-600"));
    EXPECT_EQ(search.request.header("x-amz-access-token"), access_token);
    result = host.respond(200, {}, uk_search_example("SYN-DRIP-WHT"));
    EXPECT_FALSE(result.checkpoint) << "the example has a nextToken: the same SKUs' next page first";
    EXPECT_EQ(host.next_step().request.url, listings_url("SYN-DRIP-WHT%2CSYN-FILT-100%2CSYN-SERV-600",
                                                         "xsdflkj324lkjsdlkj3423klkjsdfkljlk2j34klj2l3k4jlksdjl234"));
    // The same token again would be a loop: the batch ends there.
    result = host.respond(
        200, {},
        R"({"numberOfResults":3,"pagination":{"nextToken":"xsdflkj324lkjsdlkj3423klkjsdfkljlk2j34klj2l3k4jlksdjl234"},"items":[]})");
    ASSERT_TRUE(result.checkpoint);
    EXPECT_FALSE(parse(result.cursor).HasMember("enrich"));
    EXPECT_FALSE(parse(result.cursor).HasMember("report_id"));
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);

    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 3u);
    EXPECT_EQ(variants[0].sku, "SYN-DRIP-WHT");
    EXPECT_EQ(variants[0].barcode, "5012345678917") << "the UK EAN; the report's product-id is the ASIN";
    EXPECT_EQ(variants[1].barcode, "5012345678900") << "the report's EAN stays";
    EXPECT_EQ(variants[2].barcode, "") << "no listing details for it";
    const auto products = host.records_of<model::Product>();
    ASSERT_EQ(products.size(), 3u);
    EXPECT_EQ(products[0].id, "B0SYNTH001");
    EXPECT_EQ(products[0].images,
              (std::vector<model::Image>{{"https://www.example.com/luggage.png", 500, 500},
                                         {"https://www.example.com/luggage-side.png", std::nullopt, std::nullopt}}))
        << "the summary's mainImage with its pixels, the same URL once, the other marketplace's image left out";
    EXPECT_EQ(products[0].description_html, uk_bullets_html()) << "the report has no description: the bullet points";
    EXPECT_EQ(products[0].description.rfind("SMART TV WITH UNIVERSAL GUIDE: Simple On-screen Guide", 0), 0u)
        << products[0].description;
    EXPECT_EQ(products[0].title, "Ceramic Pour-Over Coffee Dripper, White") << "the report's title stays";
    EXPECT_TRUE(products[1].images.empty());
}

TEST(AmazonPlugin, ListingDetailsNeverReplaceTheReportsDescriptionNorBarcode) {
    rapidjson::Document doc;
    doc.Parse(
        R"({"sku":"S","summaries":[{"marketplaceId":"A1F83G8C2ARO7P","productType":"HOME","status":[],"createdDate":"2025-01-01T00:00:00Z",)"
        R"("lastUpdatedDate":"2025-01-01T00:00:00Z","mainImage":{"link":"https://x/a.jpg","height":1200,"width":900}}],)"
        R"("attributes":{"product_description":[{"value":"<p>Made & dyed</p>","marketplace_id":"A1F83G8C2ARO7P"}],)"
        R"("bullet_point":[{"value":"Wax < 200 g","marketplace_id":"A1F83G8C2ARO7P"},{"value":"Cire","marketplace_id":"A13V1IB3VIYZZH"}],)"
        R"("externally_assigned_product_identifier":[{"type":"asin","value":"B0X"},{"type":"ean","value":"3760000000017"}]}})");
    const auto details = amazon::listing_details(json::Node(doc), "A1F83G8C2ARO7P");
    EXPECT_EQ(details.barcode, "3760000000017") << "an untagged value is every marketplace's; an ASIN is no GTIN";
    EXPECT_EQ(details.bullets, (std::vector<std::string>{"Wax < 200 g"}));
    model::Variant v;
    model::Product p;
    p.images = {{"https://x/a.jpg", std::nullopt, std::nullopt}};
    amazon::apply_listing_details(details, v, p);
    EXPECT_EQ(v.barcode, "3760000000017");
    EXPECT_EQ(p.images, (std::vector<model::Image>{{"https://x/a.jpg", 900, 1200}}))
        << "the report's image gains its size";
    EXPECT_EQ(p.description_html, "<p>Made & dyed</p><ul><li>Wax &lt; 200 g</li></ul>");
    model::Variant kept;
    kept.barcode = "5000000000001";
    model::Product described;
    described.description_html = "<p>From the report</p>";
    described.description = "From the report";
    amazon::apply_listing_details(details, kept, described);
    EXPECT_EQ(kept.barcode, "5000000000001");
    EXPECT_EQ(described.description_html, "<p>From the report</p>");
    EXPECT_EQ(described.description, "From the report");
    doc.Parse(
        R"({"sku":"S","summaries":[{"marketplaceId":"A1F83G8C2ARO7P","mainImage":{"link":"https://x/a.jpg","height":0,"width":900}}]})");
    EXPECT_EQ(amazon::listing_details(json::Node(doc), "A1F83G8C2ARO7P").images,
              (std::vector<model::Image>{{"https://x/a.jpg", std::nullopt, std::nullopt}}))
        << "a height of 0 is no size";
    doc.Parse(
        R"({"sku":"S","summaries":[{"marketplaceId":"A1F83G8C2ARO7P","mainImage":{"link":"https://x/a.jpg","height":"big","width":900}}]})");
    EXPECT_THROW(amazon::listing_details(json::Node(doc), "A1F83G8C2ARO7P"), json::ParseError)
        << "not a number at all: a bad answer";
}

TEST(AmazonPlugin, ARefusedListingsPageKeepsTheReportsData) {
    FakeHost host(pcgd_plugin_get_vtable(), seller_settings);
    host.begin(sdk::Dataset::inventory);
    grant_token(host);
    to_the_listings_download(host, "ID1");
    host.respond(200, {}, fixture("GET_MERCHANT_LISTINGS_ALL_DATA.synthetic-uk.cp1252.tsv"));
    host.next_step();
    const auto result = host.respond(400, {}, sandbox("listings2021.searchListingsItems.400.sandbox1.json"));
    ASSERT_TRUE(result.checkpoint);
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
    EXPECT_EQ(host.records_of<model::Variant>().size(), 3u);
    EXPECT_EQ(host.records_of<model::Product>().size(), 3u);
    ASSERT_FALSE(host.logs().empty());
    EXPECT_NE(
        host.logs().back().find(
            "searchListingsItems refused SKUs SYN-DRIP-WHT to SYN-SERV-600 (HTTP 400: BAD_REQUEST: Invalid input"),
        std::string::npos)
        << host.logs().back();
    // Anything else is the host's to retry.
    FakeHost other(pcgd_plugin_get_vtable(), seller_settings);
    other.begin(sdk::Dataset::inventory);
    grant_token(other);
    to_the_listings_download(other, "ID1");
    other.respond(200, {}, fixture("GET_MERCHANT_LISTINGS_ALL_DATA.synthetic-uk.cp1252.tsv"));
    other.next_step();
    EXPECT_EQ(code_of([&] { other.respond(500, {}, R"({"errors":[{"code":"InternalFailure","message":"x"}]})"); }),
              PCGD_ERR_BAD_RESPONSE);
}

TEST(AmazonPlugin, WithoutASellerIdTheReportAloneIsStoredWithAWarning) {
    FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.begin(sdk::Dataset::inventory);
    grant_token(host);
    to_the_listings_download(host, "ID1");
    ASSERT_TRUE(host.respond(200, {}, fixture("GET_MERCHANT_LISTINGS_ALL_DATA.synthetic-uk.cp1252.tsv")).checkpoint);
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
    EXPECT_EQ(host.records_of<model::Product>().size(), 3u);
    ASSERT_EQ(host.logs().size(), 1u);
    EXPECT_NE(host.logs()[0].find("no seller_id"), std::string::npos) << host.logs()[0];
    EXPECT_EQ(host.logs()[0].rfind(std::to_string(PCGD_LOG_WARN) + " ", 0), 0u);
}

TEST(AmazonPlugin, ListingsAreAskedForTwentyAtATimeAndARestartCarriesOn) {
    // 25 SKUs; the three of ASIN B0ITEM0017X (SKU-18..20) straddle the first 20.
    std::string tsv =
        "item-name\tseller-sku\tprice\tquantity\tasin1\tproduct-id-type\tproduct-id\tfulfillment-channel\tstatus\n";
    std::vector<std::string> skus;
    for (int i = 0; i < 25; ++i) {
        char sku[16], asin[16];
        std::snprintf(sku, sizeof sku, "SKU-%02d", i);
        std::snprintf(asin, sizeof asin, i >= 18 && i <= 20 ? "B0ITEM0017X" : "B0ITEM%04d", i);
        skus.emplace_back(sku);
        tsv += std::string("Item ") + sku + "\t" + sku + "\t1.00\t1\t" + asin + "\t1\t" + asin + "\tDEFAULT\tActive\n";
    }
    const auto joined = [&](std::size_t from, std::size_t to) {
        std::string out;
        for (std::size_t i = from; i < to; ++i) out += (out.empty() ? "" : "%2C") + skus[i];
        return out;
    };
    FakeHost host(pcgd_plugin_get_vtable(), seller_settings);
    host.begin(sdk::Dataset::inventory);
    grant_token(host);
    to_the_listings_download(host, "ID1");
    host.respond(200, {}, tsv);
    // In "ASIN\tSKU" order; the family's product waits for its last SKU.
    EXPECT_EQ(host.next_step().request.url, listings_url(joined(0, 20)));
    auto result = host.respond(200, {}, R"({"numberOfResults":20,"items":[]})");
    ASSERT_TRUE(result.checkpoint);
    EXPECT_STREQ(parse(result.cursor)["enrich"].GetString(), "B0ITEM0017X\tSKU-19");
    EXPECT_EQ(host.records_of<model::Variant>().size(), 20u);
    EXPECT_EQ(host.records_of<model::Product>().size(), 18u);
    const std::string after_first_batch = result.cursor;
    EXPECT_EQ(host.next_step().request.url, listings_url(joined(20, 25)));

    // Killed here: a restart reads the same report again, emits nothing of
    // it, and asks for the five SKUs left.
    FakeHost again(pcgd_plugin_get_vtable(), seller_settings);
    again.begin(sdk::Dataset::inventory, false, after_first_batch);
    grant_token(again);
    to_the_listings_download(again, "ID1");
    again.respond(200, {}, tsv);
    EXPECT_TRUE(again.records().empty());
    EXPECT_EQ(again.next_step().request.url, listings_url(joined(20, 25)));
    result = again.respond(200, {}, R"({"numberOfResults":5,"items":[]})");
    ASSERT_TRUE(result.checkpoint);
    EXPECT_EQ(again.next_step().kind, sdk::Step::Kind::done);
    EXPECT_EQ(again.records_of<model::Variant>().size(), 5u);
    EXPECT_EQ(again.records_of<model::Product>().size(), 5u);
    EXPECT_TRUE(again.records_of<model::Deletion>().empty()) << "the snapshot was taken before the restart";
}

TEST(AmazonPlugin, GetListingsItemExampleGivesItsMarketplacesMainImage) {
    const auto doc = parse(fixture("listings2021.getListingsItem.200.example.json"));
    const auto us = amazon::listing_details(json::Node(doc), "ATVPDKIKX0DER");
    EXPECT_EQ(us.images, (std::vector<model::Image>{{"https://www.example.com/luggage.png", 500, 500}}));
    EXPECT_EQ(us.barcode, "");
    EXPECT_TRUE(us.bullets.empty());
    EXPECT_TRUE(amazon::listing_details(json::Node(doc), "A1F83G8C2ARO7P").images.empty())
        << "another marketplace's summaries";
}
