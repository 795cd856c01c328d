// The eBay plugin through FakeHost: exact requests and exact records from the
// samples in tests/data/ebay (see SOURCES.md), token refresh on eBay's clock,
// cursors, deletions, call limits and every refusal.
#include <pcgd/testing/fake_host.hpp>
#include <pcgd/testing/fixtures.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

using namespace pcgd;
using pcgd::testing::FakeHost;
using pcgd::testing::SlotError;

namespace {

std::string fixture(const std::string& name) { return pcgd::testing::read_fixture(PCGD_EBAY_DATA_DIR, name); }

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    if (at == std::string::npos) throw std::runtime_error("fixture lacks " + from);
    return s.replace(at, from.size(), to);
}

template <class Record>
std::string json_of(const Record& r) {
    return model::to_json(r);
}

const std::string gb_shop = R"("shop":{"id":"uk","platform":"ebay","country":"GB","currency":"GBP","time_zone":"Europe/London"})";
const std::string fr_shop = R"("shop":{"id":"fr","platform":"ebay","country":"FR","currency":"EUR","time_zone":"Europe/Paris"})";
/// The credentials of oauth_refresh_token_request.http.
const std::string credentials =
    R"("client_id":"ExampleA-Example-PRD-000000000-00000000","client_secret":"PRD-000000000000-0000-0000-0000-0000",)"
    R"("refresh_token":"v^1.1#i^1#EXAMPLE-REFRESH-TOKEN")";
std::string settings(const std::string& extra = R"("page_size":2)", const std::string& shop = gb_shop) {
    return R"({"base_url":"https://api.ebay.com/",)" + credentials + "," + (extra.empty() ? "" : extra + ",") + shop + "}";
}

/// 2027-03-01T00:00:00Z, and the same instant as an HTTP date.
constexpr std::int64_t march_2027_ms = 1803859200000;
const std::vector<std::pair<std::string, std::string>> dated = {{"Date", "Mon, 01 Mar 2027 00:00:00 GMT"}};

model::Money gbp(std::int64_t minor) { return model::Money{minor, model::Currency::of("GBP")}; }
model::MoneyBag gbp_bag(std::int64_t minor) { return model::MoneyBag{gbp(minor), std::nullopt}; }
model::Money eur(std::int64_t minor) { return model::Money{minor, model::Currency::of("EUR")}; }
model::MoneyBag eur_bag(std::int64_t minor) { return model::MoneyBag{eur(minor), std::nullopt}; }

std::int32_t code_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const SlotError& e) {
        if (message) *message = e.what();
        return e.code;
    }
    return PCGD_OK;
}

/// Begins a job and answers the token refresh with the sample, dated.
void begin_with_token(FakeHost& host, sdk::Dataset dataset, std::string_view cursor = {}) {
    host.begin(dataset, false, cursor);
    const auto step = host.next_step();
    ASSERT_EQ(step.request.url, "https://api.ebay.com/identity/v1/oauth2/token");
    host.respond(200, dated, fixture("oauth_refresh_token_response.json"));
}

/// A traffic job's first pass over the inventory, to learn which SKU each listing sells; empty here.
void scan_no_listings(FakeHost& host, const std::vector<std::pair<std::string, std::string>>& date = dated) {
    ASSERT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/inventory_item?limit=2&offset=0");
    const auto result = host.respond(200, date, R"({"total":0,"size":0,"limit":2,"inventoryItems":[]})");
    EXPECT_FALSE(result.checkpoint) << "the traffic cursor has not moved";
}

const std::string sample_token = "Bearer v^1.1#i^1#p^3#r^1#I^3#f^0#t^EXAMPLE-USER-ACCESS-TOKEN";
const std::string orders_page_1 =
    "https://api.ebay.com/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B2025-03-01T00:00:00.000Z..%5D&limit=2&offset=0";

}  // namespace

TEST(EbayPlugin, TheTokenRefreshIsTheSampleRequest) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    host.begin(sdk::Dataset::orders);
    const auto step = host.next_step();
    ASSERT_EQ(step.kind, sdk::Step::Kind::request);
    const std::string sample = fixture("oauth_refresh_token_request.http");
    EXPECT_EQ(step.request.method, sdk::Method::post);
    EXPECT_EQ(step.request.url, "https://api.ebay.com/identity/v1/oauth2/token");
    EXPECT_EQ(step.request.header("Content-Type"), "application/x-www-form-urlencoded");
    EXPECT_NE(sample.find("Authorization: " + step.request.header("Authorization") + "\n"), std::string::npos)
        << step.request.header("Authorization");
    EXPECT_EQ(sample.substr(sample.rfind("\n\n") + 2), step.request.body + "\n");
}

TEST(EbayPlugin, OrdersPageMapsExactlyAndFollowsNext) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    const auto step = host.next_step();
    // Two years back from eBay's clock, the brackets percent-encoded as eBay's docs write them.
    EXPECT_EQ(step.request.url, orders_page_1);
    EXPECT_EQ(step.request.method, sdk::Method::get);
    EXPECT_EQ(step.request.header("Authorization"), sample_token);
    EXPECT_EQ(step.request.header("X-EBAY-C-MARKETPLACE-ID"), "EBAY_GB");
    EXPECT_EQ(step.request.header("Accept-Language"), "en-GB");
    EXPECT_EQ(step.request.header("Accept"), "application/json");
    const auto result = host.respond(200, dated, fixture("getOrders_EBAY_GB_page1.json"));
    EXPECT_TRUE(result.checkpoint);

    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 2u);
    model::Order o;
    o.id = o.name = "12-11111-22222";
    o.created_at = *model::parse_iso8601("2025-03-02T09:15:27Z");
    o.updated_at = model::parse_iso8601("2025-03-04T16:02:11Z");
    o.status = "closed";
    o.financial_status = "partially_refunded";
    o.fulfillment_status = "fulfilled";
    o.currency = model::Currency::of("GBP");
    o.presentment_currency = o.currency;
    o.marketplace = "EBAY_GB";
    o.country = "GB";
    o.subtotal = gbp_bag(3998);
    o.discounts = gbp_bag(0);
    o.shipping = gbp_bag(349);
    o.tax = gbp_bag(0);
    o.total = gbp_bag(4347);
    o.taxes_included = true;
    o.fees = {{"marketplace", gbp(632)}};
    o.fees_known = true;
    o.lines = {{"10000000000001", "TSHIRT-BLK-M", "TSHIRT-BLK-M", "", "Organic cotton T-shirt", 2, gbp_bag(1999), gbp_bag(0), gbp_bag(0)}};
    EXPECT_EQ(json_of(orders[0]), json_of(o));

    model::Order p = o;
    p.id = p.name = "12-11111-33333";
    p.created_at = *model::parse_iso8601("2025-03-03T18:40:02Z");
    p.updated_at = model::parse_iso8601("2025-03-03T18:40:05Z");
    p.status = "open";
    p.financial_status = "paid";
    p.fulfillment_status = "unfulfilled";
    p.subtotal = gbp_bag(2249);  // 24.99 less the -2.50 promotion
    p.discounts = gbp_bag(250);
    p.shipping = gbp_bag(0);
    p.total = gbp_bag(2249);
    p.fees = {{"marketplace", gbp(342)}};
    p.lines = {{"10000000000002", "MUG-CERAMIC-01", "MUG-CERAMIC-01", "", "Hand-glazed ceramic mug", 1, gbp_bag(2499), gbp_bag(250), gbp_bag(0)}};
    EXPECT_EQ(json_of(orders[1]), json_of(p));

    const auto refunds = host.records_of<model::Refund>();
    ASSERT_EQ(refunds.size(), 1u);
    model::Refund r;
    r.id = "5000012345";
    r.order_id = "12-11111-22222";
    r.created_at = *model::parse_iso8601("2025-03-04T16:01:58Z");
    r.amount = gbp_bag(1000);
    r.tax = r.shipping = gbp_bag(0);
    r.lines = {{"10000000000001", "TSHIRT-BLK-M", 0, gbp_bag(1000), gbp_bag(0)}};
    EXPECT_EQ(json_of(refunds[0]), json_of(r));

    // The next link's path and query, on the shop's own base URL.
    EXPECT_NE(result.cursor.find(R"("next":"/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B2025-03-01T00:00:00.000Z..%5D&limit=2&offset=2")"),
              std::string::npos)
        << result.cursor;
    EXPECT_NE(result.cursor.find(R"("high_water":"2025-03-04T16:02:11.000Z")"), std::string::npos) << result.cursor;
    EXPECT_EQ(host.next_step().request.url,
              "https://api.ebay.com/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B2025-03-01T00:00:00.000Z..%5D&limit=2&offset=2");

    // A last page without `next` ends the job; the next one starts from the high-water mark less ten minutes.
    const auto last = host.respond(200, dated, R"({"total":3,"limit":2,"offset":2,"orders":[]})");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
    host.begin(sdk::Dataset::orders, false, last.cursor);
    EXPECT_EQ(host.next_step().request.url,
              "https://api.ebay.com/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B2025-03-04T15:52:11.000Z..%5D&limit=2&offset=0");
}

TEST(EbayPlugin, ACancelledFrenchOrderIsFullyRefunded) {
    FakeHost host(pcgd_plugin_get_vtable(), settings("", fr_shop), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    EXPECT_EQ(host.next_step().request.header("Accept-Language"), "fr-FR");
    host.respond(200, dated, R"({"total":1,"limit":200,"offset":0,"orders":[)" + fixture("getOrder_EBAY_FR_cancelled.json") + "]}");
    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 1u);
    model::Order o;
    o.id = o.name = "03-22222-44444";
    o.created_at = *model::parse_iso8601("2025-04-10T07:05:11Z");
    o.updated_at = model::parse_iso8601("2025-04-11T10:20:45Z");
    o.cancelled_at = model::parse_iso8601("2025-04-11T10:20:40Z");
    o.status = "cancelled";
    o.financial_status = "refunded";
    o.fulfillment_status = "unfulfilled";
    o.currency = model::Currency::of("EUR");
    o.presentment_currency = o.currency;
    o.marketplace = "EBAY_FR";
    o.country = "FR";
    o.subtotal = eur_bag(5990);
    o.discounts = eur_bag(0);
    o.shipping = eur_bag(490);
    o.tax = eur_bag(0);
    o.total = eur_bag(6480);
    o.taxes_included = true;
    o.fees = {{"marketplace", eur(0)}};
    o.fees_known = true;
    o.lines = {{"20000000000001", "LAMPE-LAITON-01", "LAMPE-LAITON-01", "", "Lampe de bureau en laiton", 1, eur_bag(5990), eur_bag(0), eur_bag(0)}};
    EXPECT_EQ(json_of(orders[0]), json_of(o));
    const auto refunds = host.records_of<model::Refund>();
    ASSERT_EQ(refunds.size(), 1u);
    EXPECT_EQ(refunds[0].id, "5000077777");
    EXPECT_EQ(refunds[0].amount, eur_bag(6480));
    // The line refund has no id: it belongs to the order's only refund.
    ASSERT_EQ(refunds[0].lines.size(), 1u);
    EXPECT_EQ(refunds[0].lines[0].order_line_id, "20000000000001");
    EXPECT_EQ(refunds[0].lines[0].subtotal, eur_bag(6480));
}

TEST(EbayPlugin, OrdersOfAnotherMarketplaceAreLeftToTheirShop) {
    FakeHost host(pcgd_plugin_get_vtable(), settings("", fr_shop), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    host.next_step();
    // getOrders is not scoped by marketplace: the GB orders come to the FR shop too.
    host.respond(200, dated, fixture("getOrders_EBAY_GB_page1.json"));
    EXPECT_EQ(host.records().size(), 0u);
}

TEST(EbayPlugin, BuyerCurrencyAmountsBecomePresentmentMoney) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    host.next_step();
    std::string page = fixture("getOrders_EBAY_GB_page1.json");
    page = replace(page, R"("total": { "value": "22.49", "currency": "GBP" })",
                   R"("total": { "value": "22.49", "currency": "GBP", "convertedFromValue": "26.31", "convertedFromCurrency": "EUR" })");
    host.respond(200, dated, page);
    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 2u);
    EXPECT_EQ(orders[1].presentment_currency, model::Currency::of("EUR"));
    EXPECT_EQ(orders[1].total.presentment, (model::Money{2631, model::Currency::of("EUR")}));
    // The other amounts were not converted: the buyer's sums stay unknown.
    EXPECT_FALSE(orders[1].subtotal.presentment.has_value());
}

TEST(EbayPlugin, BadAmountsAndMalformedBodiesNameWhatIsWrong) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    host.next_step();
    std::string message;
    const std::string comma = replace(fixture("getOrders_EBAY_GB_page1.json"), R"("value": "43.47")", R"("value": "43,47")");
    EXPECT_EQ(code_of([&] { host.respond(200, dated, comma); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("orders[0].pricingSummary.total.value: not a decimal amount: '43,47'"), std::string::npos) << message;
    const std::string euros = replace(fixture("getOrders_EBAY_GB_page1.json"), R"("total": { "value": "43.47", "currency": "GBP" })",
                                      R"("total": { "value": "43.47", "currency": "EUR" })");
    EXPECT_EQ(code_of([&] { host.respond(200, dated, euros); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("pricingSummary.total.currency: expected the shop currency GBP, found EUR"), std::string::npos) << message;
    EXPECT_EQ(code_of([&] { host.respond(200, dated, R"({"orders":[{"orderId":)"); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
    const std::string status = replace(fixture("getOrders_EBAY_GB_page1.json"), R"("orderPaymentStatus": "PAID")",
                                       R"("orderPaymentStatus": "SETTLED")");
    EXPECT_EQ(code_of([&] { host.respond(200, dated, status); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("orders[1].orderPaymentStatus: unknown value 'SETTLED'"), std::string::npos) << message;
}

TEST(EbayPlugin, EbaysErrorContainerIsReportedWithErrorIdAndMessage) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    host.next_step();
    std::string message;
    EXPECT_EQ(code_of([&] { host.respond(400, dated, fixture("error_400_getOrders_invalid_filter.json")); }, &message),
              PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("HTTP 400 for getOrders: errorId 30800 (API_FULFILLMENT): Invalid filter value NOT_STARTED for filter "
                           "orderfulfillmentstatus"),
              std::string::npos)
        << message;
    const std::string denied = R"({"errors":[{"errorId":1100,"domain":"ACCESS","category":"REQUEST","message":"Access denied"}]})";
    EXPECT_EQ(code_of([&] { host.respond(403, dated, denied); }, &message), PCGD_ERR_AUTH);
    EXPECT_NE(message.find("errorId 1100 (ACCESS): Access denied"), std::string::npos) << message;
}

TEST(EbayPlugin, CallLimitsAreWaitsForTheSameRequest) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    EXPECT_EQ(host.next_step().request.url, orders_page_1);
    const std::string legacy = R"({"errors":[{"errorId":10001,"domain":"API_FULFILLMENT","category":"REQUEST",)"
                               R"("message":"Service call has exceeded the number of times the operation is allowed to be called"}]})";
    for (const auto& [status, body] : {std::pair{400, legacy}, std::pair{429, fixture("error_429_too_many_requests.json")}}) {
        const auto result = host.respond(status, dated, body);
        EXPECT_EQ(result.retry_after_ms, 60'000u) << status;
        EXPECT_FALSE(result.checkpoint);
        EXPECT_EQ(host.next_step().request.url, orders_page_1) << "the same page again";
    }
    EXPECT_EQ(host.records().size(), 0u);
}

TEST(EbayPlugin, A401RefreshesTheTokenAndRepeatsTheRequestOnce) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    host.next_step();
    host.respond(200, dated, fixture("getOrders_EBAY_GB_page1.json"));
    const std::string page_2 = host.next_step().request.url;
    host.respond(401, dated, fixture("error_401_invalid_access_token.json"));
    const auto refresh = host.next_step();
    EXPECT_EQ(refresh.request.url, "https://api.ebay.com/identity/v1/oauth2/token");
    host.respond(200, dated, replace(fixture("oauth_refresh_token_response.json"), "EXAMPLE-USER-ACCESS-TOKEN", "SECOND-TOKEN"));
    const auto repeated = host.next_step();
    EXPECT_EQ(repeated.request.url, page_2);
    EXPECT_EQ(repeated.request.header("Authorization"), "Bearer v^1.1#i^1#p^3#r^1#I^3#f^0#t^SECOND-TOKEN");
    // A token refused as soon as it is granted will not do better.
    std::string message;
    EXPECT_EQ(code_of([&] { host.respond(401, dated, fixture("error_401_invalid_access_token.json")); }, &message), PCGD_ERR_AUTH);
    EXPECT_NE(message.find("errorId 1001 (OAuth): Invalid access token"), std::string::npos) << message;
}

TEST(EbayPlugin, A401OnTheFirstRequestWithANewTokenIsRefreshedToo) {
    // An expired-token fault can meet the first request a token serves.
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    EXPECT_EQ(host.next_step().request.url, orders_page_1);
    host.respond(401, dated, fixture("error_401_invalid_access_token.json"));
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/identity/v1/oauth2/token");
    host.respond(200, dated, fixture("oauth_refresh_token_response.json"));
    EXPECT_EQ(host.next_step().request.url, orders_page_1);
    host.respond(200, dated, fixture("getOrders_EBAY_GB_page1.json"));
    EXPECT_EQ(host.records_of<model::Order>().size(), 2u);
}

TEST(EbayPlugin, TheTokenIsRefreshedBeforeItExpiresOnEbaysClock) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    host.next_step();
    host.respond(200, dated, R"({"total":0,"orders":[]})");
    // An hour later on eBay's clock (its Date header), the token still serves.
    host.begin(sdk::Dataset::inventory);
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/inventory_item?limit=2&offset=0");
    host.respond(200, {{"Date", "Mon, 01 Mar 2027 01:56:00 GMT"}}, R"({"total":0,"size":0,"limit":2,"inventoryItems":[]})");
    // Four minutes before its two hours are up, it is refreshed first.
    host.begin(sdk::Dataset::inventory);
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/identity/v1/oauth2/token");
}

TEST(EbayPlugin, TheJobsClockAloneAgesTheTokenToo) {
    // Without a Date header, the host's clock at each job's start is all there is.
    FakeHost first(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    first.begin(sdk::Dataset::orders);
    first.next_step();
    first.respond(200, {}, fixture("oauth_refresh_token_response.json"));
    EXPECT_NE(first.next_step().request.url.find("/sell/fulfillment/v1/order"), std::string::npos);
}

TEST(EbayPlugin, AnInvalidGrantIsAnAuthErrorWithEbaysWords) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    std::string message;
    EXPECT_EQ(code_of([&] { host.respond(400, dated, fixture("oauth_error_invalid_grant.json")); }, &message), PCGD_ERR_AUTH);
    EXPECT_NE(message.find("eBay refused the refresh token: invalid_grant: the provided authorization refresh token is invalid"),
              std::string::npos)
        << message;
}

TEST(EbayPlugin, InventoryReadsOffersAndGroupsBeforeEmitting) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::inventory);
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/inventory_item?limit=2&offset=0");
    auto result = host.respond(200, dated, fixture("getInventoryItems_page.json"));
    EXPECT_FALSE(result.checkpoint) << "nothing before the offers";
    auto step = host.next_step();
    EXPECT_EQ(step.request.url, "https://api.ebay.com/sell/inventory/v1/offer?sku=TSHIRT-BLK-M&marketplace_id=EBAY_GB");
    EXPECT_EQ(step.request.header("X-EBAY-C-MARKETPLACE-ID"), "EBAY_GB");
    host.respond(200, dated, fixture("getOffers_bySku.json"));
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/inventory_item_group/TSHIRT-GROUP");
    host.respond(200, dated, fixture("getInventoryItemGroup_TSHIRT-GROUP.json"));
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/offer?sku=MUG-CERAMIC-01&marketplace_id=EBAY_GB");
    EXPECT_EQ(host.records().size(), 0u);
    // The mug has no offer on EBAY_GB: it is not part of this shop.
    result = host.respond(404, dated, R"({"errors":[{"errorId":25713,"domain":"API_INVENTORY","category":"REQUEST","message":"This Offer is not available."}]})");
    ASSERT_TRUE(result.checkpoint);
    EXPECT_NE(result.cursor.find(R"("next":"/sell/inventory/v1/inventory_item?offset=1&limit=2")"), std::string::npos) << result.cursor;

    const auto products = host.records_of<model::Product>();
    ASSERT_EQ(products.size(), 1u);
    model::Product p;
    p.id = "TSHIRT-GROUP";
    p.title = "Organic cotton T-shirt";
    p.description_html = "<p>Soft organic cotton T-shirt, <b>three colours</b>.</p>";
    p.description = "Soft organic cotton T-shirt, three colours .";
    p.vendor = "ExampleBrand";
    p.images = {{"https://i.ebayimg.com/images/g/EXAMPLE0/s-l1600.jpg", std::nullopt, std::nullopt}};
    p.marketplace = "EBAY_GB";
    p.active = true;
    EXPECT_EQ(json_of(products[0]), json_of(p));
    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 1u);
    model::Variant v;
    v.id = v.sku = "TSHIRT-BLK-M";
    v.product_id = "TSHIRT-GROUP";
    v.barcode = "5012345678900";
    v.title = "Organic cotton T-shirt - Black - M";
    v.price = gbp(1999);
    v.stock_total = 14;  // no per-location distribution in the sample
    v.active = true;
    v.marketplace = "EBAY_GB";
    EXPECT_EQ(json_of(variants[0]), json_of(v));
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/inventory_item?offset=1&limit=2");
}

TEST(EbayPlugin, AProductMissingFromACompletePassIsDeleted) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    const std::string cursor = R"({"v":1,"stage":"items","next":null,"high_water":null,"seen":[],"previous":["GONE-1","MUG-CERAMIC-01"]})";
    begin_with_token(host, sdk::Dataset::inventory, cursor);
    host.next_step();
    const std::string one_item = R"({"total":1,"size":1,"limit":2,"inventoryItems":[{"sku":"MUG-CERAMIC-01","availability":)"
                                 R"({"shipToLocationAvailability":{"quantity":3,"availabilityDistributions":[{"merchantLocationKey":"mcr","quantity":3}]}}}]})";
    host.respond(200, dated, one_item);
    host.next_step();
    const auto offer = replace(replace(fixture("getOffers_bySku.json"), R"("status": "PUBLISHED")", R"("status": "UNPUBLISHED")"),
                               R"("price": { "value": "19.99", "currency": "GBP" })",
                               R"("price": { "value": "12.00", "currency": "GBP" }, "originalRetailPrice": { "value": "15.00", "currency": "GBP" })");
    const auto result = host.respond(200, dated, offer);
    ASSERT_TRUE(result.checkpoint);
    const auto deletions = host.records_of<model::Deletion>();
    ASSERT_EQ(deletions.size(), 1u);
    EXPECT_EQ(deletions[0].id, "GONE-1");
    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 1u);
    EXPECT_FALSE(variants[0].active) << "an unpublished offer";
    EXPECT_EQ(variants[0].compare_at_price, gbp(1500));
    EXPECT_EQ(variants[0].stock, (std::vector<model::StockLevel>{{"mcr", 3}}));
    EXPECT_NE(result.cursor.find(R"("previous":["MUG-CERAMIC-01"])"), std::string::npos) << result.cursor;
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(EbayPlugin, TrafficMapsValuesByTheHeadersIndex) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::traffic);
    // No inventory pass in this process yet: the offers say which SKU each listing sells.
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/inventory_item?limit=2&offset=0");
    host.respond(200, dated, replace(fixture("getInventoryItems_page.json"), R"("next": "https://api.ebay.com/sell/inventory/v1/inventory_item?offset=1&limit=2",)", ""));
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/offer?sku=TSHIRT-BLK-M&marketplace_id=EBAY_GB");
    host.respond(200, dated, fixture("getOffers_bySku.json"));
    EXPECT_EQ(host.next_step().request.url, "https://api.ebay.com/sell/inventory/v1/offer?sku=MUG-CERAMIC-01&marketplace_id=EBAY_GB")
        << "no group: nothing of it is emitted";
    host.respond(404, dated, R"({"errors":[{"errorId":25710,"domain":"API_INVENTORY","message":"We didn't find the resource/entity you are requesting."}]})");
    EXPECT_EQ(host.records().size(), 0u);
    // The 90 whole days before eBay's today, one marketplace.
    EXPECT_EQ(host.next_step().request.url,
              "https://api.ebay.com/sell/analytics/v1/traffic_report?dimension=LISTING,DAY&metric=LISTING_VIEWS_TOTAL,"
              "LISTING_IMPRESSION_TOTAL,TRANSACTION&filter=marketplace_ids:%7BEBAY_GB%7D,date_range:%5B20261201..20270228%5D");
    const auto result = host.respond(200, dated, fixture("getTrafficReport_LISTING_DAY_EBAY_GB.json"));
    ASSERT_TRUE(result.checkpoint);
    const auto traffic = host.records_of<model::TrafficSample>();
    // Views are the header's second metric, not the request's first; a view count eBay marks not applicable is left out.
    ASSERT_EQ(traffic.size(), 3u);
    const auto day = [](const char* d) { return *model::parse_date(d); };
    // The T-shirt's listing sells TSHIRT-BLK-M; the mug's listing is not in this shop's inventory.
    EXPECT_EQ(traffic[0], (model::TrafficSample{"TSHIRT-BLK-M", "110000000001", day("2025-03-01"), 40, std::nullopt, "EBAY_GB"}));
    EXPECT_EQ(traffic[1], (model::TrafficSample{"", "110000000002", day("2025-03-01"), 0, std::nullopt, "EBAY_GB"}));
    EXPECT_EQ(traffic[2], (model::TrafficSample{"TSHIRT-BLK-M", "110000000001", day("2025-03-02"), 36, std::nullopt, "EBAY_GB"}));
    bool warned = false;
    for (const auto& line : host.logs())
        warned = warned || line.find("1 listings of the traffic report (e.g. 110000000002) have no offer in this shop's inventory") !=
                               std::string::npos;
    EXPECT_TRUE(warned) << "a warning for the sync report";
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
    // The next run re-reads the last three days, up to yesterday.
    host.begin(sdk::Dataset::traffic, false, result.cursor);
    EXPECT_NE(host.next_step().request.url.find("date_range:%5B20270226..20270228%5D"), std::string::npos);
}

TEST(EbayPlugin, LongTrafficGapsAreReadNinetyDaysAtATime) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::traffic, R"({"v":1,"stage":"traffic","next":null,"high_water":null,"traffic_last_day":"2026-09-01"})");
    scan_no_listings(host);
    EXPECT_NE(host.next_step().request.url.find("date_range:%5B20260830..20261127%5D"), std::string::npos);
    const auto first = host.respond(200, dated, R"({"header":{"dimensionKeys":[{"key":"LISTING_ID"},{"key":"DAY"}],"metrics":[{"key":"LISTING_VIEWS_TOTAL"}]},"records":[]})");
    EXPECT_TRUE(first.checkpoint);
    const std::string empty = R"({"header":{"dimensionKeys":[{"key":"LISTING_ID"},{"key":"DAY"}],"metrics":[{"key":"LISTING_VIEWS_TOTAL"}]}})";
    EXPECT_NE(host.next_step().request.url.find("date_range:%5B20261128..20270225%5D"), std::string::npos);
    host.respond(200, dated, empty);
    EXPECT_NE(host.next_step().request.url.find("date_range:%5B20270226..20270228%5D"), std::string::npos);
    const auto last = host.respond(200, dated, empty);
    EXPECT_NE(last.cursor.find(R"("traffic_last_day":"2027-02-28")"), std::string::npos) << last.cursor;
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(EbayPlugin, AReportWithoutTheListingAndDayDimensionsIsRefused) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::traffic);
    scan_no_listings(host);
    host.next_step();
    std::string message;
    EXPECT_EQ(code_of([&] { host.respond(200, dated, fixture("getTrafficReport_DAY_EBAY_FR.json")); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("header.dimensionKeys: expected the dimensions LISTING_ID and DAY"), std::string::npos) << message;
}

TEST(EbayPlugin, TheMarketplaceFollowsTheShopUnlessASettingSaysOtherwise) {
    std::string message;
    const std::string us = R"("shop":{"id":"us","platform":"ebay","country":"US","currency":"USD","time_zone":"America/New_York"})";
    EXPECT_EQ(code_of([&] { FakeHost h(pcgd_plugin_get_vtable(), settings("", us)); }, &message), PCGD_ERR_CONFIG);
    EXPECT_NE(message.find("shop country 'US' has no eBay marketplace"), std::string::npos) << message;
    EXPECT_EQ(code_of([&] { FakeHost h(pcgd_plugin_get_vtable(), settings(R"("marketplace_id":"EBAY_FR")")); }, &message), PCGD_ERR_CONFIG);
    EXPECT_NE(message.find("shop currency GBP is not EBAY_FR's currency EUR"), std::string::npos) << message;
    EXPECT_EQ(code_of([&] { FakeHost h(pcgd_plugin_get_vtable(), settings(R"("marketplace_id":"EBAY_DE")")); }, &message), PCGD_ERR_CONFIG);
    EXPECT_EQ(code_of([&] { FakeHost h(pcgd_plugin_get_vtable(), settings(R"("page_size":201)")); }, &message), PCGD_ERR_CONFIG);
    // A shop in GB selling on EBAY_FR in euros.
    const std::string gb_eur = R"("shop":{"id":"x","platform":"ebay","country":"GB","currency":"EUR","time_zone":"Europe/London"})";
    FakeHost host(pcgd_plugin_get_vtable(), settings(R"("marketplace_id":"EBAY_FR")", gb_eur), march_2027_ms);
    begin_with_token(host, sdk::Dataset::orders);
    EXPECT_EQ(host.next_step().request.header("X-EBAY-C-MARKETPLACE-ID"), "EBAY_FR");
}

TEST(EbayPlugin, ACursorOfAnotherDatasetIsRefused) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    EXPECT_EQ(code_of([&] { host.begin(sdk::Dataset::inventory, false, R"({"v":1,"stage":"orders","next":null})"); }),
              PCGD_ERR_INVALID_ARGUMENT);
}

TEST(EbayPlugin, AGarbledOfferIsAskedForAgainNotThePage) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::inventory);
    host.next_step();
    host.respond(200, dated, fixture("getInventoryItems_page.json"));
    const std::string offer = host.next_step().request.url;
    const std::string garbled = fixture("getOffers_bySku.json").substr(0, 300);
    for (int i = 0; i < 3; ++i) {
        host.respond(200, dated, garbled);
        EXPECT_EQ(host.next_step().request.url, offer) << i;
    }
    // A fourth time in a row is the answer, not a glitch: the host restarts the page.
    EXPECT_EQ(code_of([&] { host.respond(200, dated, garbled); }), PCGD_ERR_BAD_RESPONSE);
}

TEST(EbayPlugin, FiguresNotYetUpdatedShortenTheRangeByADay) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(), march_2027_ms);
    begin_with_token(host, sdk::Dataset::traffic, R"({"v":1,"stage":"traffic","next":null,"high_water":null,"traffic_last_day":"2027-03-01"})");
    scan_no_listings(host);
    EXPECT_NE(host.next_step().request.url.find("date_range:%5B20270227..20270228%5D"), std::string::npos);
    const std::string lagging = R"({"errors":[{"errorId":50600,"domain":"API_ANALYTICS","category":"REQUEST",)"
                                R"("message":"Data for the listing Ids 110000000001 is not yet updated to 20270228"}]})";
    EXPECT_FALSE(host.respond(400, dated, lagging).checkpoint);
    EXPECT_NE(host.next_step().request.url.find("date_range:%5B20270227..20270227%5D"), std::string::npos);
    // Not even that day: the job ends with nothing newer, keeping its last day.
    const auto last = host.respond(400, dated, lagging);
    EXPECT_TRUE(last.checkpoint);
    EXPECT_NE(last.cursor.find(R"("traffic_last_day":"2027-03-01")"), std::string::npos) << last.cursor;
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

namespace {

const std::string refused_dimension = R"({"errors":[{"errorId":50001,"domain":"API_ANALYTICS","category":"REQUEST",)"
                                      R"("message":"Invalid dimension specified. For help, see the documentation.",)"
                                      R"("parameters":[{"name":"dimension","value":"LISTING,DAY"}]}]})";
const std::string report_prefix = "https://api.ebay.com/sell/analytics/v1/traffic_report?dimension=";

/// A one-day LISTING report as eBay answers it (getTrafficReport_LISTING_EBAY_GB.json's shape),
/// updated on 2027-03-01 09:10Z: figures up to 2027-02-28 are final.
std::string one_day_report(const std::vector<std::pair<std::string, std::int64_t>>& views) {
    std::string r = R"({"header":{"dimensionKeys":[{"key":"LISTING_ID","localizedName":"Listing ID","dataType":"STRING"}],)"
                    R"("metrics":[{"key":"LISTING_IMPRESSION_TOTAL"},{"key":"LISTING_VIEWS_TOTAL"},{"key":"TRANSACTION"}]},"records":[)";
    for (std::size_t i = 0; i < views.size(); ++i)
        r += std::string(i ? "," : "") + R"({"dimensionValues":[{"value":")" + views[i].first + R"(","applicable":true}],)" +
             R"("metricValues":[{"value":7,"applicable":true},{"value":)" + std::to_string(views[i].second) +
             R"(,"applicable":true},{"value":0,"applicable":true}]})";
    return r + R"(],"lastUpdatedDate":"2027-03-01T09:10:00.000Z"})";
}

std::string one_day_url(const std::string& day) {
    return report_prefix + "LISTING&metric=LISTING_VIEWS_TOTAL,LISTING_IMPRESSION_TOTAL,TRANSACTION&filter=marketplace_ids:%7BEBAY_GB%7D,date_range:%5B" +
           day + ".." + day + "%5D";
}

}  // namespace

TEST(EbayPlugin, ARefusedDimensionPairSwitchesToOneDayListingReports) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(R"("page_size":2,"traffic_days":3)"), march_2027_ms);
    begin_with_token(host, sdk::Dataset::traffic);
    scan_no_listings(host);
    EXPECT_EQ(host.next_step().request.url, report_prefix +
                                                "LISTING,DAY&metric=LISTING_VIEWS_TOTAL,LISTING_IMPRESSION_TOTAL,TRANSACTION&filter=marketplace_ids:"
                                                "%7BEBAY_GB%7D,date_range:%5B20270226..20270228%5D");
    const auto switched = host.respond(400, dated, refused_dimension);
    ASSERT_TRUE(switched.checkpoint) << "the switch is remembered at once";
    EXPECT_NE(switched.cursor.find(R"("traffic_dimension":"LISTING")"), std::string::npos) << switched.cursor;
    EXPECT_NE(switched.cursor.find(R"("traffic_calls_day":"2027-03-01","traffic_calls":1)"), std::string::npos) << switched.cursor;
    // The same first day, by listing alone.
    EXPECT_EQ(host.next_step().request.url, one_day_url("20270226"));
    host.respond(200, dated, one_day_report({{"110000000001", 40}, {"110000000002", 3}}));
    EXPECT_EQ(host.next_step().request.url, one_day_url("20270227"));
    host.respond(200, dated, one_day_report({{"110000000001", 36}}));
    EXPECT_EQ(host.next_step().request.url, one_day_url("20270228"));
    const auto last = host.respond(200, dated, one_day_report({}));
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
    const auto day = [](const char* d) { return *model::parse_date(d); };
    EXPECT_EQ(host.records_of<model::TrafficSample>(),
              (std::vector<model::TrafficSample>{{"", "110000000001", day("2027-02-26"), 40, std::nullopt, "EBAY_GB"},
                                                  {"", "110000000002", day("2027-02-26"), 3, std::nullopt, "EBAY_GB"},
                                                  {"", "110000000001", day("2027-02-27"), 36, std::nullopt, "EBAY_GB"}}));
    EXPECT_NE(last.cursor.find(R"("traffic_last_day":"2027-02-28","traffic_dimension":"LISTING")"), std::string::npos) << last.cursor;
    EXPECT_NE(last.cursor.find(R"("traffic_calls":4)"), std::string::npos) << last.cursor;

    // A later sync keeps to one day per call and reads only the day after the last one: 2027-03-01, on 2027-03-02.
    FakeHost later(pcgd_plugin_get_vtable(), settings(), march_2027_ms + 86'400'000);
    later.begin(sdk::Dataset::traffic, false, last.cursor);
    later.next_step();
    later.respond(200, {{"Date", "Tue, 02 Mar 2027 00:00:00 GMT"}}, fixture("oauth_refresh_token_response.json"));
    scan_no_listings(later, {{"Date", "Tue, 02 Mar 2027 00:00:00 GMT"}});
    EXPECT_EQ(later.next_step().request.url, one_day_url("20270301"));
    // eBay's figures still end on 2027-02-28: the day is left for the next sync.
    const auto early = later.respond(200, {{"Date", "Tue, 02 Mar 2027 00:00:00 GMT"}}, one_day_report({{"110000000001", 1}}));
    EXPECT_EQ(later.records().size(), 0u);
    EXPECT_NE(early.cursor.find(R"("traffic_last_day":"2027-02-28")"), std::string::npos) << early.cursor;
    EXPECT_NE(early.cursor.find(R"("traffic_calls_day":"2027-03-02","traffic_calls":1)"), std::string::npos) << early.cursor;
    EXPECT_EQ(later.next_step().kind, sdk::Step::Kind::done);
}

TEST(EbayPlugin, TheDailyCallBudgetStopsAndTheNextDayResumesAtTheNextDay) {
    const std::string cursor = R"({"v":1,"stage":"traffic","next":null,"high_water":null,"traffic_dimension":"LISTING"})";
    FakeHost host(pcgd_plugin_get_vtable(), settings(R"("page_size":2,"traffic_calls_per_day":2)"), march_2027_ms);
    begin_with_token(host, sdk::Dataset::traffic, cursor);
    scan_no_listings(host);
    // 90 days back from yesterday, the oldest first.
    EXPECT_EQ(host.next_step().request.url, one_day_url("20261201"));
    host.respond(200, dated, one_day_report({{"110000000001", 5}}));
    EXPECT_EQ(host.next_step().request.url, one_day_url("20261202"));
    const auto spent = host.respond(200, dated, one_day_report({{"110000000001", 6}}));
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done) << "two calls are today's budget";
    EXPECT_NE(spent.cursor.find(R"("traffic_from":"2026-12-03","traffic_to":"2027-02-28","traffic_last_day":"2026-12-02")"),
              std::string::npos)
        << spent.cursor;
    // Another sync the same day spends nothing.
    host.begin(sdk::Dataset::traffic, false, spent.cursor);
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
    // The next day goes on from the next day, up to the new yesterday.
    FakeHost next(pcgd_plugin_get_vtable(), settings(R"("page_size":2,"traffic_calls_per_day":2)"), march_2027_ms + 86'400'000);
    next.begin(sdk::Dataset::traffic, false, spent.cursor);
    next.next_step();
    next.respond(200, {{"Date", "Tue, 02 Mar 2027 00:00:00 GMT"}}, fixture("oauth_refresh_token_response.json"));
    scan_no_listings(next, {{"Date", "Tue, 02 Mar 2027 00:00:00 GMT"}});
    EXPECT_EQ(next.next_step().request.url, one_day_url("20261203"));
    const auto resumed = next.respond(200, {{"Date", "Tue, 02 Mar 2027 00:00:00 GMT"}}, one_day_report({}));
    EXPECT_NE(resumed.cursor.find(R"("traffic_from":"2026-12-04","traffic_to":"2027-03-01")"), std::string::npos) << resumed.cursor;
    std::string message;
    EXPECT_EQ(code_of([&] { FakeHost h(pcgd_plugin_get_vtable(), settings(R"("traffic_calls_per_day":0)")); }, &message), PCGD_ERR_CONFIG);
    EXPECT_NE(message.find("settings.traffic_calls_per_day: must be between 1 and 10000"), std::string::npos) << message;
}

TEST(EbayPlugin, OneDayReportsGiveTheRecordsOfTheCombinedReport) {
    // The combined sample's two days, read as one-day LISTING reports, give the same records.
    const auto records_of = [](bool one_dimension) {
        FakeHost host(pcgd_plugin_get_vtable(), settings(R"("page_size":2,"traffic_days":2)"), *model::parse_iso8601("2025-03-03T12:00:00Z"));
        const std::vector<std::pair<std::string, std::string>> date = {{"Date", "Mon, 03 Mar 2025 12:00:00 GMT"}};
        host.begin(sdk::Dataset::traffic, false,
                   one_dimension ? R"({"v":1,"stage":"traffic","next":null,"high_water":null,"traffic_dimension":"LISTING"})" : "");
        host.next_step();
        host.respond(200, date, fixture("oauth_refresh_token_response.json"));
        host.next_step();
        host.respond(200, date, R"({"total":0,"size":0,"limit":2,"inventoryItems":[]})");
        if (!one_dimension) {
            EXPECT_NE(host.next_step().request.url.find("LISTING,DAY"), std::string::npos);
            host.respond(200, date, fixture("getTrafficReport_LISTING_DAY_EBAY_GB.json"));
        } else {
            EXPECT_EQ(host.next_step().request.url, one_day_url("20250301"));
            host.respond(200, date, replace(one_day_report({{"110000000001", 40}, {"110000000002", 0}}), "2027-03-01", "2025-03-03"));
            EXPECT_EQ(host.next_step().request.url, one_day_url("20250302"));
            host.respond(200, date, replace(one_day_report({{"110000000001", 36}}), "2027-03-01", "2025-03-03"));
        }
        EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
        return host.records_of<model::TrafficSample>();
    };
    const auto combined = records_of(false);
    ASSERT_EQ(combined.size(), 3u);
    EXPECT_EQ(records_of(true), combined);
}

TEST(EbayPlugin, AOneDayReportAtTwoHundredListingsAsksForTheOthersById) {
    FakeHost host(pcgd_plugin_get_vtable(), settings(R"("page_size":200,"traffic_days":1)"), march_2027_ms);
    begin_with_token(host, sdk::Dataset::traffic, R"({"v":1,"stage":"traffic","next":null,"high_water":null,"traffic_dimension":"LISTING"})");
    // The inventory: 203 items, each with an offer listed as 120000000000 + i.
    std::string items = R"({"total":203,"size":203,"limit":200,"inventoryItems":[)";
    for (int i = 0; i < 203; ++i) items += std::string(i ? "," : "") + R"({"sku":"S)" + std::to_string(1000 + i) + R"(","product":{"title":"t"}})";
    host.next_step();
    host.respond(200, dated, items + "]}");
    for (int i = 0; i < 203; ++i) {
        const auto step = host.next_step();
        ASSERT_NE(step.request.url.find("offer?sku=S" + std::to_string(1000 + i)), std::string::npos) << step.request.url;
        host.respond(200, dated,
                     R"({"offers":[{"sku":"S)" + std::to_string(1000 + i) +
                         R"(","marketplaceId":"EBAY_GB","format":"FIXED_PRICE","status":"PUBLISHED","pricingSummary":{"price":{"value":"1.00","currency":"GBP"}},"listing":{"listingId":")" +
                         std::to_string(120000000000 + i) + R"(","listingStatus":"ACTIVE"}}]})");
    }
    // eBay answers its first 200 listings (the last 200 here); the 3 others are asked for by id.
    std::vector<std::pair<std::string, std::int64_t>> first;
    for (int i = 3; i < 203; ++i) first.emplace_back(std::to_string(120000000000 + i), 1);
    EXPECT_EQ(host.next_step().request.url, one_day_url("20270228"));
    EXPECT_FALSE(host.respond(200, dated, one_day_report(first)).checkpoint) << "the day is not complete";

    EXPECT_EQ(host.next_step().request.url,
              one_day_url("20270228").substr(0, one_day_url("20270228").size()) + ",listing_ids:%7B120000000000%7C120000000001%7C120000000002%7D");
    const auto done = host.respond(200, dated, one_day_report({{"120000000001", 9}}));
    ASSERT_TRUE(done.checkpoint);
    EXPECT_NE(done.cursor.find(R"("traffic_last_day":"2027-02-28")"), std::string::npos) << done.cursor;
    const auto traffic = host.records_of<model::TrafficSample>();
    ASSERT_EQ(traffic.size(), 201u);
    EXPECT_EQ(traffic.back(), (model::TrafficSample{"S1001", "120000000001", *model::parse_date("2027-02-28"), 9, std::nullopt, "EBAY_GB"}));
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}
