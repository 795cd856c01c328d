// The WooCommerce plugin through FakeHost: exact requests and exact records
// from the documentation's examples in tests/data/woocommerce (see
// SOURCES.md), the three ways of authenticating, increments, stores that
// ignore modified_after, and every refusal.
#include <pcgd/sdk/text.hpp>
#include <pcgd/testing/fake_host.hpp>
#include <pcgd/testing/fixtures.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <tuple>
#include <sstream>

using namespace pcgd;
using pcgd::testing::FakeHost;
using pcgd::testing::SlotError;

namespace {

std::string fixture(const std::string& name) { return pcgd::testing::read_fixture(PCGD_WOOCOMMERCE_DATA_DIR, name); }

rapidjson::Document parse(const std::string& s) { return pcgd::testing::parse_json(s); }

std::string serialise(const rapidjson::Value& v) { return pcgd::testing::to_json(v); }

std::string settings(const std::string& base_url, const std::string& extra = "") {
    return R"({"base_url":")" + base_url + R"(","consumer_key":"ck_test","consumer_secret":"cs_test",)" + extra +
           R"("shop":{"id":"demo","platform":"woocommerce","country":"US","currency":"USD","time_zone":"America/New_York"}})";
}

const std::string https_shop = settings("https://shop.example/");
const std::string root = "https://shop.example/wp-json/wc/v3";
constexpr const char* nov_first = "Sun, 01 Nov 2026 00:00:00 GMT";

extern "C" const pcgd_plugin_vtable* pcgd_plugin_get_vtable(void);

std::vector<std::pair<std::string, std::string>> page_headers(int total, int pages, const char* date = nov_first) {
    return {{"X-WP-Total", std::to_string(total)}, {"X-WP-TotalPages", std::to_string(pages)}, {"Date", date}};
}

model::Money usd(std::int64_t minor) { return model::Money{minor, model::Currency::of("USD")}; }
model::MoneyBag bag(std::int64_t minor) { return model::MoneyBag{usd(minor), std::nullopt}; }
model::TimestampMs at(const char* iso) { return *model::parse_iso8601(iso); }

std::int32_t code_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const SlotError& e) {
        if (message) *message = e.what();
        return e.code;
    }
    return PCGD_OK;
}

std::string list_url(const std::string& what, int page = 1, const std::string& extra = "") {
    return root + "/" + what + "?page=" + std::to_string(page) + "&per_page=100&orderby=id&order=asc" + extra;
}

/// Reads the products list example through the products and trash passes.
void sync_products(FakeHost& host, const std::string& products_body) {
    host.begin(sdk::Dataset::inventory);
    EXPECT_EQ(host.next_step().request.url, list_url("products"));
    host.respond(200, page_headers(2, 1), products_body);
}

}  // namespace

TEST(WooCommercePlugin, ManifestOffersInventoryAndOrdersOnly) {
    const auto m = parse(pcgd_plugin_get_vtable()->manifest_json());
    ASSERT_EQ(m["datasets"].Size(), 2u);
    EXPECT_STREQ(m["datasets"][0].GetString(), "inventory");
    EXPECT_STREQ(m["datasets"][1].GetString(), "orders");
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    std::string message;
    EXPECT_EQ(code_of([&] { host.begin(sdk::Dataset::traffic); }, &message), PCGD_ERR_UNSUPPORTED);
    EXPECT_NE(message.find("no views"), std::string::npos) << message;
}

TEST(WooCommercePlugin, BadSettingsAreConfigErrors) {
    const auto create = [](const std::string& s) { return code_of([&] { FakeHost host(pcgd_plugin_get_vtable(), s); }); };
    EXPECT_EQ(create(settings("https://shop.example", R"("page_size":101,)")), PCGD_ERR_CONFIG);
    EXPECT_EQ(create(settings("https://shop.example", R"("page_size":0,)")), PCGD_ERR_CONFIG);
    EXPECT_EQ(create(settings("https://shop.example", R"("auth":"digest",)")), PCGD_ERR_CONFIG);
    EXPECT_EQ(create(settings("ftp://shop.example")), PCGD_ERR_CONFIG);
    EXPECT_EQ(create(R"({"base_url":"https://s.example","consumer_key":"","consumer_secret":"cs","shop":{"currency":"USD"}})"),
              PCGD_ERR_CONFIG);
}

TEST(WooCommercePlugin, BasicOverHttpsAndTheDocsProductsExactly) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    host.begin(sdk::Dataset::inventory);
    const auto step = host.next_step();
    ASSERT_EQ(step.kind, sdk::Step::Kind::request);
    EXPECT_EQ(step.request.method, sdk::Method::get);
    EXPECT_EQ(step.request.url, list_url("products"));
    EXPECT_EQ(step.request.header("Authorization"), "Basic Y2tfdGVzdDpjc190ZXN0");
    EXPECT_EQ(step.request.header("Accept"), "application/json");
    const std::string body = fixture("products_list_response.json");
    const auto page = host.respond(200, page_headers(2, 1), body);
    EXPECT_TRUE(page.checkpoint);

    // The variable product 799 lists no variations: nothing more to read for it.
    const auto products = host.records_of<model::Product>();
    ASSERT_EQ(products.size(), 2u);
    const auto doc = parse(body);
    model::Product simple;
    simple.id = "794";
    simple.title = "Premium Quality";
    simple.description_html = doc[1]["description"].GetString();
    simple.description = sdk::html_to_text(simple.description_html);
    simple.product_type = "Clothing";
    simple.active = true;
    simple.images = {{"https://example.com/wp-content/uploads/2017/03/T_2_front-4.jpg", {}, {}},
                     {"https://example.com/wp-content/uploads/2017/03/T_2_back-2.jpg", {}, {}}};
    simple.created_at = at("2017-03-23T20:01:14Z");
    simple.updated_at = at("2017-03-23T20:01:14Z");
    EXPECT_EQ(products[1], simple);
    EXPECT_EQ(products[0].id, "799");
    EXPECT_EQ(products[0].images.size(), 4u);

    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 1u);
    model::Variant own;
    own.id = "794";
    own.product_id = "794";
    own.price = usd(2199);
    own.active = true;
    own.updated_at = simple.updated_at;
    EXPECT_EQ(variants[0], own) << "a simple product is its own variant; stock not managed is unknown";

    // Then the trash, as deletions.
    EXPECT_EQ(host.next_step().request.url, list_url("products", 1, "&status=trash"));
    const auto trash = host.respond(200, page_headers(0, 0), "[]");
    EXPECT_TRUE(trash.checkpoint);
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
    EXPECT_EQ(trash.cursor,
              R"({"v":1,"running":false,"stage":"products","page":1,"since":null,"started":null,"high_water":null,"next":"2026-10-31T23:50:00Z"})");
}

TEST(WooCommercePlugin, VariationsAreReadPerVariableProductBeforeItIsEmitted) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    auto doc = parse(fixture("products_list_response.json"));
    doc[0]["variations"].PushBack(733, doc.GetAllocator()).PushBack(732, doc.GetAllocator());
    sync_products(host, serialise(doc));
    EXPECT_EQ(host.records().size(), 0u) << "held until its variations are read";
    EXPECT_EQ(host.next_step().request.url, root + "/products/799/variations?page=1&per_page=100&orderby=id&order=asc");
    const auto r = host.respond(200, page_headers(2, 1), fixture("product_variations_list_response.json"));
    EXPECT_TRUE(r.checkpoint);
    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 3u);
    model::Variant green;
    green.id = "733";
    green.product_id = "799";
    green.title = "Green";
    green.price = usd(900);
    green.active = true;
    green.images = {{"https://example.com/wp-content/uploads/2016/10/T_3_front-12.jpg", {}, {}}};
    green.updated_at = at("2017-03-23T03:53:11Z");
    EXPECT_EQ(variants[0], green);
    EXPECT_EQ(variants[1].id, "732");
    EXPECT_EQ(variants[1].title, "Black");
    EXPECT_EQ(variants[2].id, "794");
    EXPECT_EQ(host.next_step().request.url, list_url("products", 1, "&status=trash"));
}

TEST(WooCommercePlugin, StockCostAndSalePricesOfAVariation) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    auto doc = parse(fixture("products_list_response.json"));
    doc[0]["variations"].PushBack(733, doc.GetAllocator());
    doc[0]["manage_stock"] = true;
    doc[0]["stock_quantity"] = 40;
    sync_products(host, serialise(doc));
    // The synthesized COGS fragment, completed with the fields a variation always has,
    // then a copy managed by its parent and without a defined cost.
    auto cogs = parse(fixture("product_variation_with_cogs_fragment.json"));
    auto& a = cogs.GetAllocator();
    cogs.AddMember("date_modified_gmt", "2026-10-01T10:00:00", a);
    rapidjson::Document parent_managed;
    parent_managed.CopyFrom(cogs, parent_managed.GetAllocator());
    parent_managed["id"] = 734;
    parent_managed["manage_stock"] = "parent";
    parent_managed["cost_of_goods_sold"]["values"].Clear();
    parent_managed["cost_of_goods_sold"]["total_value"] = 0;
    rapidjson::Document list(rapidjson::kArrayType);
    list.PushBack(rapidjson::Value(cogs, list.GetAllocator()), list.GetAllocator());
    list.PushBack(rapidjson::Value(parent_managed, list.GetAllocator()), list.GetAllocator());
    host.next_step();
    host.respond(200, page_headers(2, 1), serialise(list));
    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 3u);
    model::Variant v;
    v.id = "733";
    v.product_id = "799";
    v.sku = "TSHIRT-BLK-M";
    v.price = usd(1800);
    v.compare_at_price = usd(2000);
    v.unit_cost = usd(650);
    v.stock = {{"default", 14}};
    v.stock_total = 14;
    v.active = true;
    v.updated_at = at("2026-10-01T10:00:00Z");
    EXPECT_EQ(variants[0], v);
    EXPECT_EQ(variants[1].stock_total, std::optional<std::int64_t>(40)) << "manage_stock \"parent\": the parent's stock";
    EXPECT_EQ(variants[1].unit_cost, std::nullopt) << "no cost defined is unknown, not zero";
}

TEST(WooCommercePlugin, TheDocsOrdersWithTheirRefundsExactly) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    host.begin(sdk::Dataset::orders);
    EXPECT_EQ(host.next_step().request.url, list_url("orders"));
    const auto first = host.respond(200, page_headers(2, 1), fixture("orders_list_response.json"));
    EXPECT_FALSE(first.checkpoint) << "order 723 waits for its refunds";
    EXPECT_EQ(host.next_step().request.url, root + "/orders/723/refunds?page=1&per_page=100&orderby=id&order=asc");
    const auto done = host.respond(200, page_headers(2, 1), fixture("order_refunds_list_response.json"));
    EXPECT_TRUE(done.checkpoint);
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);

    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 2u);
    model::Order o;
    o.id = "727";
    o.name = "#727";
    o.created_at = at("2017-03-22T19:28:02Z");
    o.updated_at = at("2017-03-22T19:28:08Z");
    o.status = "open";
    o.financial_status = "paid";
    o.fulfillment_status = "unfulfilled";
    o.currency = model::Currency::of("USD");
    o.country = "US";
    o.subtotal = bag(1800);
    o.discounts = bag(0);
    o.shipping = bag(1000);
    o.tax = bag(135);
    o.total = bag(2935);
    o.lines = {{"315", "", "93", "93", "Woo Single #1", 2, bag(300), bag(0), bag(45)},
               {"316", "Bar3", "23", "22", "Ship Your Idea &ndash; Color: Black, Size: M Test", 1, bag(1200), bag(0), bag(90)}};
    EXPECT_EQ(orders[0], o);

    model::Order refunded;
    refunded.id = "723";
    refunded.name = "#723";
    refunded.created_at = at("2017-03-21T19:16:00Z");
    refunded.updated_at = at("2017-03-21T19:54:51Z");
    refunded.status = "closed";
    refunded.financial_status = "partially_refunded";
    refunded.fulfillment_status = "fulfilled";
    refunded.currency = model::Currency::of("USD");
    refunded.country = "BR";
    refunded.subtotal = bag(2900);
    refunded.discounts = bag(0);
    refunded.shipping = bag(1000);
    refunded.tax = bag(0);
    refunded.total = bag(3900);
    refunded.lines = {{"311", "", "87", "87", "Woo Album #2", 1, bag(900), bag(0), bag(0)},
                      {"313", "", "34", "34", "Woo Ninja", 1, bag(2000), bag(0), bag(0)}};
    EXPECT_EQ(orders[1], refunded);

    const auto refunds = host.records_of<model::Refund>();
    ASSERT_EQ(refunds.size(), 2u);
    model::Refund whole{"726", "723", at("2017-03-21T20:07:11Z"), bag(1000), bag(0), bag(0), {}, ""};
    model::Refund line{"724", "723", at("2017-03-21T19:55:37Z"), bag(900), bag(0), bag(0), {{"311", "", 1, bag(900), bag(0)}}, ""};
    EXPECT_EQ(refunds[0], whole);
    EXPECT_EQ(refunds[1], line);
    // Emitted whole: each order, then its refunds.
    ASSERT_EQ(host.records().size(), 4u);
    EXPECT_EQ(host.records()[1].kind, model::RecordKind::order);
    EXPECT_EQ(host.records()[2].kind, model::RecordKind::refund);
}

TEST(WooCommercePlugin, LinePricesAreReadFromTheirDigitsNotThroughADouble) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    // 0.285 is 0.28499999999999998 as a double: rounding that gives 28 cents, the text 29.
    std::string body = fixture("orders_list_response.json");
    const auto swap = [&](const std::string& from, const std::string& to) {
        const auto pos = body.find(from);
        ASSERT_NE(pos, std::string::npos) << from;
        body.replace(pos, from.size(), to);
    };
    swap(R"("price": 3)", R"("price": 0.285)");
    swap(R"("subtotal": "6.00",)", R"("subtotal": "0.57",)");
    swap(R"("total": "6.00",)", R"("total": "0.57",)");
    // A discounted line: `price` is after the discount, the unit price is not.
    swap(R"("subtotal": "12.00",)", R"("subtotal": "13.00",)");
    host.respond(200, page_headers(2, 1), body);
    host.next_step();
    host.respond(200, page_headers(0, 0), "[]");
    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 2u);
    EXPECT_EQ(orders[0].lines[0].unit_price, bag(29));
    EXPECT_EQ(orders[0].lines[1].unit_price, bag(1300));
    EXPECT_EQ(orders[0].lines[1].discount, bag(100));

    FakeHost again(pcgd_plugin_get_vtable(), https_shop);
    again.begin(sdk::Dataset::orders);
    again.next_step();
    std::string message;
    const std::string exponent = std::string(body).replace(body.find(R"("price": 0.285)"), 14, R"("price": 2.85e-1)");
    EXPECT_EQ(code_of([&] { again.respond(200, page_headers(2, 1), exponent); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("$[0].line_items[0].price: an amount with an exponent"), std::string::npos) << message;
}

TEST(WooCommercePlugin, PagesFollowXWpTotalPagesAndCheckpointEachPage) {
    FakeHost host(pcgd_plugin_get_vtable(), settings("https://shop.example", R"("page_size":1,)"));
    host.begin(sdk::Dataset::orders);
    const std::string one = "https://shop.example/wp-json/wc/v3/orders?page=1&per_page=1&orderby=id&order=asc";
    EXPECT_EQ(host.next_step().request.url, one);
    auto doc = parse(fixture("orders_list_response.json"));
    rapidjson::Document first(rapidjson::kArrayType);
    first.PushBack(rapidjson::Value(doc[0], first.GetAllocator()), first.GetAllocator());
    const auto r = host.respond(200, page_headers(2, 2), serialise(first));
    EXPECT_TRUE(r.checkpoint);
    EXPECT_NE(r.cursor.find(R"("running":true,"stage":"orders","page":2)"), std::string::npos) << r.cursor;
    EXPECT_EQ(host.next_step().request.url, "https://shop.example/wp-json/wc/v3/orders?page=2&per_page=1&orderby=id&order=asc");

    // A restart from that cursor asks for page 2 again.
    FakeHost resumed(pcgd_plugin_get_vtable(), settings("https://shop.example", R"("page_size":1,)"));
    resumed.begin(sdk::Dataset::orders, false, r.cursor);
    EXPECT_EQ(resumed.next_step().request.url, "https://shop.example/wp-json/wc/v3/orders?page=2&per_page=1&orderby=id&order=asc");
    std::string message;
    EXPECT_EQ(code_of([&] { resumed.begin(sdk::Dataset::inventory, false, r.cursor); }, &message), PCGD_ERR_INVALID_ARGUMENT);
}

TEST(WooCommercePlugin, IncrementsFilterOnModifiedAfterFromTheServersTime) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    const std::string previous =
        R"({"v":1,"running":false,"stage":"orders","page":1,"since":null,"started":null,"high_water":null,"next":"2017-03-22T19:00:00Z"})";
    host.begin(sdk::Dataset::orders, false, previous);
    EXPECT_EQ(host.next_step().request.url, list_url("orders", 1, "&modified_after=2017-03-22T19:00:00&dates_are_gmt=true"));
    auto doc = parse(fixture("orders_list_response.json"));
    rapidjson::Document newer(rapidjson::kArrayType);
    newer.PushBack(rapidjson::Value(doc[0], newer.GetAllocator()), newer.GetAllocator());
    const auto r = host.respond(200, page_headers(1, 1, "Sun, 01 Nov 2026 08:00:00 GMT"), serialise(newer));
    EXPECT_EQ(r.cursor,
              R"({"v":1,"running":false,"stage":"orders","page":1,"since":null,"started":null,"high_water":null,"next":"2026-11-01T07:50:00Z"})");
    EXPECT_EQ(host.records_of<model::Order>().size(), 1u);
    for (const auto& line : host.logs()) EXPECT_NE(line.rfind("3 ", 0), 0u) << "no warning for a store that filters: " << line;
    // A full sync ignores the cursor.
    host.begin(sdk::Dataset::orders, true, previous);
    EXPECT_EQ(host.next_step().request.url, list_url("orders"));
}

TEST(WooCommercePlugin, AStoreThatIgnoresModifiedAfterIsReadInFullKeepingTheChangesAndSaysSo) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    host.begin(sdk::Dataset::orders, false,
               R"({"v":1,"running":false,"stage":"orders","page":1,"since":null,"started":null,"high_water":null,"next":"2017-03-22T00:00:00Z"})");
    host.next_step();
    // Order 723 (modified 2017-03-21) is older than the filter: the store did not apply it.
    host.respond(200, page_headers(2, 1), fixture("orders_list_response.json"));
    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_EQ(orders[0].id, "727");
    ASSERT_EQ(host.logs().size(), 1u);
    EXPECT_EQ(host.logs()[0], "3 woocommerce: the store ignores modified_after (WooCommerce before 5.x?): reading every order and "
                              "keeping those changed since 2017-03-22T00:00:00 GMT");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done) << "no refunds read for an order left out";
}

TEST(WooCommercePlugin, OAuth1OverHttpSignsWithTheServersClockAndNeverRepeatsANonce) {
    FakeHost host(pcgd_plugin_get_vtable(), settings("http://shop.example"));
    host.begin(sdk::Dataset::inventory);
    const auto first = host.next_step().request;
    EXPECT_EQ(first.header("Authorization"), "");
    EXPECT_EQ(first.url, "http://shop.example/wp-json/wc/v3/products?page=1&per_page=100&orderby=id&order=asc"
                         "&oauth_consumer_key=ck_test&oauth_nonce=1767225600000n1&oauth_signature_method=HMAC-SHA256"
                         "&oauth_timestamp=1767225600&oauth_signature=%2F95sBEhAgguGYGVleepkupj%2FQRQYhljVrOrZPWnL9GY%3D");
    // The server's clock is ten months ahead: it refuses the timestamp, and its Date sets ours.
    const auto refused = host.respond(401, {{"Date", "Sun, 01 Nov 2026 00:01:00 GMT"}},
                                      R"({"code":"woocommerce_rest_authentication_error","message":"Invalid timestamp.","data":{"status":401}})");
    EXPECT_FALSE(refused.checkpoint);
    EXPECT_EQ(refused.retry_after_ms, 0u);
    const auto second = host.next_step().request;
    EXPECT_EQ(second.url, "http://shop.example/wp-json/wc/v3/products?page=1&per_page=100&orderby=id&order=asc"
                          "&oauth_consumer_key=ck_test&oauth_nonce=1767225600000n2&oauth_signature_method=HMAC-SHA256"
                          "&oauth_timestamp=1793491260&oauth_signature=IHnws44W5mu3sN9LFEv5Yukcnv6ejHi0%2Bs9rJxjuygk%3D");
    // A timestamp refused again and again is the keys' or the server's fault, not ours to hide.
    host.respond(401, {{"Date", "Sun, 01 Nov 2026 00:01:00 GMT"}},
                 R"({"code":"woocommerce_rest_authentication_error","message":"Invalid timestamp.","data":{"status":401}})");
    host.next_step();
    std::string message;
    EXPECT_EQ(code_of([&] {
                  host.respond(401, {}, R"({"code":"woocommerce_rest_authentication_error","message":"Invalid timestamp.","data":{"status":401}})");
              }, &message),
              PCGD_ERR_AUTH);
    EXPECT_NE(message.find("woocommerce_rest_authentication_error: Invalid timestamp."), std::string::npos) << message;
}

TEST(WooCommercePlugin, QueryStringKeysForServersThatStripAuthorization) {
    FakeHost host(pcgd_plugin_get_vtable(), settings("https://shop.example", R"("auth":"query",)"));
    host.begin(sdk::Dataset::orders);
    const auto r = host.next_step().request;
    EXPECT_EQ(r.url, list_url("orders") + "&consumer_key=ck_test&consumer_secret=cs_test");
    EXPECT_EQ(r.header("Authorization"), "");
}

TEST(WooCommercePlugin, RefusalsNameWooCommercesCodeAndMessage) {
    const auto refusal = [](const std::string& settings_json, int status, const std::string& body, std::string& message) {
        FakeHost host(pcgd_plugin_get_vtable(), settings_json);
        host.begin(sdk::Dataset::orders);
        host.next_step();
        return code_of([&] { host.respond(status, {}, body); }, &message);
    };
    std::string message;
    EXPECT_EQ(refusal(https_shop, 401, fixture("error_401_woocommerce_rest_authentication_error.json"), message), PCGD_ERR_AUTH);
    EXPECT_EQ(message, "WooCommerce refused the basic credentials for orders page 1: HTTP 401, "
                       "woocommerce_rest_authentication_error: Consumer key is invalid.");
    EXPECT_EQ(refusal(https_shop, 401, R"({"code":"woocommerce_rest_authentication_error","message":"Consumer key is missing.","data":{"status":401}})",
                      message),
              PCGD_ERR_AUTH);
    EXPECT_NE(message.find("try auth=query"), std::string::npos) << message;
    EXPECT_EQ(refusal(https_shop, 403, R"({"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":403}})",
                      message),
              PCGD_ERR_AUTH);
    EXPECT_NE(message.find("woocommerce_rest_cannot_view: Sorry, you cannot list resources."), std::string::npos) << message;
    EXPECT_EQ(refusal(https_shop, 400, fixture("error_400_rest_invalid_param_per_page.json"), message), PCGD_ERR_CONFIG);
    EXPECT_EQ(message, "WooCommerce answered HTTP 400, rest_invalid_param: Invalid parameter(s): per_page for orders page 1");
    EXPECT_EQ(refusal(https_shop, 404, fixture("error_404_rest_no_route.json"), message), PCGD_ERR_CONFIG);
    EXPECT_NE(message.find("rest_no_route"), std::string::npos) << message;
    EXPECT_EQ(refusal(https_shop, 410, "<html>Gone</html>", message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("HTTP 410: <html>Gone</html>"), std::string::npos) << message;
}

TEST(WooCommercePlugin, KeysAcceptedBeforeAreTriedAgainAfterA401) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    // Not WooCommerce's JSON (a proxy's page, a cut-off body): not its final word on the keys.
    EXPECT_EQ(host.respond(401, {}, R"({"code":"woocommerce_rest_authentic)").retry_after_ms, 1000u);
    host.next_step();
    host.respond(200, page_headers(0, 0), "[]");
    host.begin(sdk::Dataset::orders);
    const std::string invalid = fixture("error_401_woocommerce_rest_authentication_error.json");
    for (int i = 0; i < 3; ++i) {
        host.next_step();
        EXPECT_EQ(host.respond(401, {}, invalid).retry_after_ms, 1000u);
    }
    host.next_step();
    EXPECT_EQ(code_of([&] { host.respond(401, {}, invalid); }), PCGD_ERR_AUTH);
}

TEST(WooCommercePlugin, MalformedPagesAreBadResponsesNamingWhatIsWrong) {
    const auto bad = [](std::vector<std::pair<std::string, std::string>> headers, const std::string& body, std::string& message) {
        FakeHost host(pcgd_plugin_get_vtable(), https_shop);
        host.begin(sdk::Dataset::orders);
        host.next_step();
        return code_of([&] { host.respond(200, headers, body); }, &message);
    };
    std::string message;
    const std::string orders = fixture("orders_list_response.json");
    // A body that does not parse is asked for once more, then the page restarts.
    {
        FakeHost host(pcgd_plugin_get_vtable(), https_shop);
        host.begin(sdk::Dataset::orders);
        const auto first = host.next_step().request.url;
        const auto again = host.respond(200, page_headers(2, 1), orders.substr(0, orders.size() / 2));
        EXPECT_FALSE(again.checkpoint);
        EXPECT_EQ(host.next_step().request.url, first);
        EXPECT_EQ(code_of([&] { host.respond(200, page_headers(2, 1), orders.substr(0, 100)); }, &message), PCGD_ERR_BAD_RESPONSE);
        EXPECT_NE(message.find("orders page 1 response is not valid JSON at byte 100"), std::string::npos) << message;
    }
    EXPECT_EQ(bad({{"X-WP-Total", "2"}}, orders, message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("X-WP-TotalPages"), std::string::npos) << message;
    EXPECT_EQ(bad(page_headers(1, 1), R"({"orders":[]})", message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("expected an array"), std::string::npos) << message;
    std::string comma = orders;
    comma.replace(comma.find(R"("total": "29.35")"), 16, R"("total": "29,35")");
    EXPECT_EQ(bad(page_headers(2, 1), comma, message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("$[0].total: not a decimal amount: '29,35'"), std::string::npos) << message;
    std::string zoned = orders;
    zoned.replace(zoned.find(R"("date_created_gmt": "2017-03-22T19:28:02")"), 41, R"("date_created_gmt": "22/03/2017 19:28:02")");
    EXPECT_EQ(bad(page_headers(2, 1), zoned, message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("$[0].date_created_gmt"), std::string::npos) << message;
}

TEST(WooCommercePlugin, AProductOrOrderGoneBeforeItsChildrenAreReadHasNone) {
    FakeHost host(pcgd_plugin_get_vtable(), https_shop);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    host.respond(200, page_headers(2, 1), fixture("orders_list_response.json"));
    host.next_step();
    const auto r = host.respond(404, {}, R"({"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}})");
    EXPECT_TRUE(r.checkpoint);
    EXPECT_EQ(host.records_of<model::Order>().size(), 2u);
    EXPECT_EQ(host.records_of<model::Refund>().size(), 0u);
}

TEST(WooCommercePlugin, FeeLinesStatusesAndAnOrderWithCostOfGoods) {
    // The synthesized COGS order, completed with the fields every order has,
    // a fee line, and then each status in turn.
    auto order = parse(fixture("order_cogs_fragment.json"));
    auto& a = order.GetAllocator();
    const auto add = [&](const char* k, const char* v) { order.AddMember(rapidjson::Value(k, a), rapidjson::Value(v, a), a); };
    add("number", "1201");
    add("status", "processing");
    add("date_created_gmt", "2026-10-01T09:00:00");
    add("date_modified_gmt", "2026-10-02T09:00:00");
    add("date_paid_gmt", "2026-10-01T09:00:00");
    add("discount_total", "0.00");
    add("shipping_total", "0.00");
    add("total_tax", "0.00");
    order["total"] = "38.50";
    order["line_items"][0].AddMember("sku", "TSHIRT-BLK-M", a).AddMember("total_tax", "0.00", a).AddMember("name", "T-shirt", a);
    rapidjson::Value fee(rapidjson::kObjectType);
    fee.AddMember("id", 510, a).AddMember("name", "Gift wrap", a).AddMember("total", "2.50", a).AddMember("total_tax", "0.00", a);
    rapidjson::Value fees(rapidjson::kArrayType);
    fees.PushBack(fee, a);
    order.AddMember("fee_lines", fees, a);

    const std::vector<std::tuple<const char*, const char*, const char*, const char*>> statuses = {
        {"pending", "open", "pending", "unfulfilled"},       {"processing", "open", "paid", "unfulfilled"},
        {"on-hold", "open", "pending", "unfulfilled"},       {"completed", "closed", "paid", "fulfilled"},
        {"cancelled", "cancelled", "voided", "unfulfilled"}, {"refunded", "closed", "refunded", "unfulfilled"},
        {"failed", "open", "failed", "unfulfilled"},         {"shipped", "open", "paid", "unfulfilled"}};
    const std::string eur = R"("shop":{"id":"demo","platform":"woocommerce","country":"FR","currency":"EUR","time_zone":"Europe/Paris"}})";
    for (const auto& [wc, status, financial, fulfilment] : statuses) {
        order["status"].SetString(wc, a);
        FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://shop.example","consumer_key":"ck","consumer_secret":"cs",)" + eur);
        host.begin(sdk::Dataset::orders);
        host.next_step();
        rapidjson::Document list(rapidjson::kArrayType);
        list.PushBack(rapidjson::Value(order, list.GetAllocator()), list.GetAllocator());
        host.respond(200, page_headers(1, 1), serialise(list));
        const auto orders = host.records_of<model::Order>();
        ASSERT_EQ(orders.size(), 1u) << wc;
        const auto& o = orders[0];
        EXPECT_EQ(o.status, status) << wc;
        EXPECT_EQ(o.financial_status, financial) << wc;
        EXPECT_EQ(o.fulfillment_status, fulfilment) << wc;
        const auto eur_bag = [](std::int64_t minor) { return model::MoneyBag{model::Money{minor, model::Currency::of("EUR")}, std::nullopt}; };
        EXPECT_EQ(o.currency, model::Currency::of("EUR"));
        EXPECT_EQ(o.subtotal, eur_bag(3850)) << "the lines and the fee";
        EXPECT_EQ(o.total, eur_bag(3850));
        ASSERT_EQ(o.lines.size(), 2u);
        EXPECT_EQ(o.lines[0], (model::OrderLine{"501", "TSHIRT-BLK-M", "733", "732", "T-shirt", 2, eur_bag(1800), eur_bag(0), eur_bag(0)}));
        EXPECT_EQ(o.lines[1], (model::OrderLine{"fee-510", "", "", "", "Gift wrap", 1, eur_bag(250), eur_bag(0), eur_bag(0)}));
        EXPECT_FALSE(o.fees_known) << "payment fees are not in the REST order";
    }
}
