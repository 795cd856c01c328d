// The Shopify plugin through FakeHost: exact requests, exact records from the
// samples in tests/data/shopify (see SOURCES.md), cursors, bulk operations,
// throttling and every refusal.
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

std::string fixture(const std::string& name) { return pcgd::testing::read_fixture(PCGD_SHOPIFY_DATA_DIR, name); }

rapidjson::Document parse(const std::string& s) { return pcgd::testing::parse_json(s); }

/// One body of cost_throttle_bulk_envelopes.json, re-serialised.
std::string envelope(const char* name) {
    const auto all = parse(fixture("cost_throttle_bulk_envelopes.json"));
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    all[name]["body"].Accept(w);
    return out.GetString();
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    if (at == std::string::npos) throw std::runtime_error("fixture lacks " + from);
    return s.replace(at, from.size(), to);
}

const std::string shop = R"("shop":{"id":"demo","platform":"shopify","country":"US","currency":"USD","time_zone":"America/New_York"})";
const std::string pages = R"({"base_url":"https://demo.myshopify.com/","access_token":"shpat_x","bulk":false,"page_size":100,)" + shop + "}";
const std::string bulk = R"({"base_url":"https://demo.myshopify.com","access_token":"shpat_x",)" + shop + "}";
const std::string endpoint = "https://demo.myshopify.com/admin/api/2025-10/graphql.json";

model::Money usd(std::int64_t minor) { return model::Money{minor, model::Currency::of("USD")}; }
model::MoneyBag usd_bag(std::int64_t minor) { return model::MoneyBag{usd(minor), std::nullopt}; }

std::int32_t code_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const SlotError& e) {
        if (message) *message = e.what();
        return e.code;
    }
    return PCGD_OK;
}

/// The first variant of products_page.json, as it must be mapped.
model::Variant pink_variant() {
    model::Variant v;
    v.id = "808950810";
    v.product_id = "632910392";
    v.sku = "IPOD2008PINK";
    v.barcode = "1234_pink";
    v.title = "Pink";
    v.price = usd(19900);
    v.unit_cost = usd(2500);
    v.stock = {{"487838322", 9}, {"655441491", 1}};
    v.stock_total = 10;
    v.updated_at = model::parse_iso8601("2025-07-02T16:29:59Z");
    return v;
}

/// The variables of a recorded GraphQL request.
rapidjson::Document body_of(const pcgd::testing::RecordedStep& step) { return parse(step.request.body); }

}  // namespace

TEST(ShopifyPlugin, ManifestDeclaresSettings) {
    auto m = parse(pcgd_plugin_get_vtable()->manifest_json());
    EXPECT_STREQ(m["id"].GetString(), "shopify");
    ASSERT_EQ(m["datasets"].Size(), 2u);
    ASSERT_EQ(m["settings"].Size(), 7u);
    EXPECT_STREQ(m["settings"][1]["name"].GetString(), "access_token");
    EXPECT_TRUE(m["settings"][1]["secret"].GetBool());
    EXPECT_FALSE(m["settings"][1].HasMember("required"));  // stored later by `pcgd shop connect`
    EXPECT_STREQ(m["settings"][6]["name"].GetString(), "client_secret");
    EXPECT_TRUE(m["settings"][6]["secret"].GetBool());
    EXPECT_STREQ(m["settings"][2]["default"].GetString(), "2025-10");
    EXPECT_EQ(m["settings"][3]["default"].GetInt(), 250);
    EXPECT_TRUE(m["settings"][4]["default"].GetBool());
}

TEST(ShopifyPlugin, BadSettingsAreConfigErrors) {
    for (const std::string& s : {R"({"access_token":"t",)" + shop + "}", R"({"base_url":"ftp://x","access_token":"t",)" + shop + "}",
                                R"({"base_url":"https://x","access_token":"",)" + shop + "}",
                                R"({"base_url":"https://x","access_token":"t","api_version":"25-10",)" + shop + "}",
                                R"({"base_url":"https://x","access_token":"t","page_size":251,)" + shop + "}",
                                std::string(R"({"base_url":"https://x","access_token":"t"})"),
                                R"({"base_url":"https://x",)" + shop + "}"})
        EXPECT_EQ(code_of([&] { FakeHost host(pcgd_plugin_get_vtable(), s); }), PCGD_ERR_CONFIG) << s;
}

TEST(ShopifyPlugin, OrdersPageRequestIsExact) {
    FakeHost host(pcgd_plugin_get_vtable(), pages);
    host.begin(sdk::Dataset::orders);
    const auto step = host.next_step();
    ASSERT_EQ(step.kind, sdk::Step::Kind::request);
    EXPECT_EQ(step.request.method, sdk::Method::post);
    EXPECT_EQ(step.request.url, endpoint);
    EXPECT_EQ(step.request.header("X-Shopify-Access-Token"), "shpat_x");
    EXPECT_EQ(step.request.header("Content-Type"), "application/json");
    EXPECT_EQ(step.request.cost, 302u) << "2 + 100 orders x 3";
    const auto body = body_of(step);
    const std::string query = body["query"].GetString();
    EXPECT_EQ(query.rfind("query ShopifyOrders($first: Int!, $after: String, $query: String) { orders(first: $first, after: $after, "
                          "sortKey: UPDATED_AT, query: $query) { pageInfo { hasNextPage endCursor } nodes { id name createdAt",
                          0),
              0u)
        << query;
    EXPECT_NE(query.find("refundLineItems(first: 100) { nodes { lineItem { id sku } quantity"), std::string::npos);
    EXPECT_NE(query.find("fragment Bag on MoneyBag"), std::string::npos);
    EXPECT_EQ(body["variables"]["first"].GetInt(), 100);
    EXPECT_TRUE(body["variables"]["after"].IsNull());
    EXPECT_TRUE(body["variables"]["query"].IsNull());
}

TEST(ShopifyPlugin, OrdersPageGivesExactOrderAndRefundRecords) {
    FakeHost host(pcgd_plugin_get_vtable(), pages);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    const auto result = host.respond(200, {}, fixture("orders_page.json"));

    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 1u);
    model::Order o;
    o.id = "450789469";
    o.name = "#1001";
    o.created_at = *model::parse_iso8601("2008-01-10T16:00:00Z");
    o.updated_at = o.created_at;
    o.status = "open";
    o.financial_status = "partially_refunded";
    o.fulfillment_status = "unfulfilled";
    o.currency = model::Currency::of("USD");
    o.presentment_currency = model::Currency::of("USD");
    o.country = "US";
    o.subtotal = usd_bag(59700);
    o.discounts = usd_bag(1000);
    o.shipping = usd_bag(0);
    o.tax = usd_bag(1194);
    o.total = usd_bag(59894);
    for (auto [id, sku, variant] : {std::tuple{"466157049", "IPOD2008GREEN", "39072856"}, std::tuple{"518995019", "IPOD2008RED", "49148385"},
                                    std::tuple{"703073504", "IPOD2008BLACK", "457924702"}})
        o.lines.push_back(model::OrderLine{id, sku, variant, "632910392", "IPod Nano - 8gb", 1, usd_bag(19900), usd_bag(0), usd_bag(398)});
    EXPECT_EQ(orders[0], o);

    const auto refunds = host.records_of<model::Refund>();
    ASSERT_EQ(refunds.size(), 1u);
    model::Refund r;
    r.id = "509562969";
    r.order_id = "450789469";
    r.created_at = *model::parse_iso8601("2025-07-02T16:29:59Z");
    r.amount = usd_bag(20900);
    r.tax = usd_bag(796);
    r.shipping = usd_bag(0);
    r.note = "it broke during shipping";
    r.lines = {model::RefundLine{"703073504", "IPOD2008BLACK", 1, usd_bag(19566), usd_bag(398)},
               model::RefundLine{"466157049", "IPOD2008GREEN", 1, usd_bag(19567), usd_bag(398)}};
    EXPECT_EQ(refunds[0], r);

    EXPECT_TRUE(result.checkpoint);
    EXPECT_EQ(result.budget_remaining, 954);
    EXPECT_EQ(result.budget_capacity, 1000);
    EXPECT_EQ(result.budget_restore_milli_per_s, 50000);
    EXPECT_EQ(result.retry_after_ms, 0u);
    const auto cursor = parse(result.cursor);
    EXPECT_STREQ(cursor["stage"].GetString(), "orders");
    EXPECT_STREQ(cursor["after"].GetString(), "eyJsYXN0X2lkIjo0NTA3ODk0NjksImxhc3RfdmFsdWUiOiIyMDA4LTAxLTEwIDE2OjAwOjAwLjAwMDAwMCJ9");
    EXPECT_STREQ(cursor["high_water"].GetString(), "2008-01-10T16:00:00Z");

    // The next page carries the cursor; the last page ends the job.
    const auto next = body_of(host.next_step());
    EXPECT_STREQ(next["variables"]["after"].GetString(), "eyJsYXN0X2lkIjo0NTA3ODk0NjksImxhc3RfdmFsdWUiOiIyMDA4LTAxLTEwIDE2OjAwOjAwLjAwMDAwMCJ9");
    host.respond(200, {}, R"({"data":{"orders":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}})");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(ShopifyPlugin, ProductsPageGivesExactProductAndVariants) {
    FakeHost host(pcgd_plugin_get_vtable(), pages);
    host.begin(sdk::Dataset::inventory);
    const auto step = host.next_step();
    EXPECT_EQ(std::string(body_of(step)["query"].GetString()).rfind("query ShopifyProducts(", 0), 0u);
    const auto result = host.respond(200, {}, fixture("products_page.json"));
    const auto products = host.records_of<model::Product>();
    ASSERT_EQ(products.size(), 1u);
    const auto& p = products[0];
    EXPECT_EQ(p.id, "632910392");
    EXPECT_EQ(p.title, "IPod Nano - 8GB");
    EXPECT_EQ(p.description_html.substr(0, 30), "<p>It's the small iPod with on");
    EXPECT_EQ(p.description.substr(0, 27), "It's the small iPod with on");
    EXPECT_EQ(p.description.back(), '.') << "tags dropped";
    EXPECT_EQ(p.vendor, "Apple");
    EXPECT_EQ(p.product_type, "Cult Products");
    EXPECT_EQ(p.tags, (std::vector<std::string>{"Emotive", "Flash Memory", "MP3", "Music"}));
    EXPECT_TRUE(p.active);
    ASSERT_EQ(p.images.size(), 3u);
    EXPECT_EQ(p.images[1], (model::Image{"https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano-2.png?v=1735834183", 123, 456}));
    EXPECT_EQ(p.updated_at, model::parse_iso8601("2025-07-02T16:29:59Z"));

    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 4u);
    EXPECT_EQ(variants[0], pink_variant());
    EXPECT_FALSE(variants[1].unit_cost.has_value()) << "no cost entered: unknown, not zero";
    EXPECT_EQ(variants[1].stock_total, 0);

    const auto cursor = parse(result.cursor);
    EXPECT_STREQ(cursor["stage"].GetString(), "deletions");
    // Deletions come from events, in full the first time.
    const auto events = body_of(host.next_step());
    EXPECT_STREQ(events["variables"]["query"].GetString(), "subject_type:PRODUCT AND action:destroy");
    EXPECT_EQ(events["variables"]["first"].GetInt(), 250);
    host.respond(200, {},
                 R"({"data":{"events":{"pageInfo":{"hasNextPage":false,"endCursor":"x"},"nodes":[)"
                 R"({"id":"gid://shopify/BasicEvent/1","createdAt":"2026-10-31T10:00:00Z","action":"destroy","subjectId":"gid://shopify/Product/7000009","subjectType":"PRODUCT"}]}}})");
    const auto deletions = host.records_of<model::Deletion>();
    ASSERT_EQ(deletions.size(), 1u);
    EXPECT_EQ(deletions[0], (model::Deletion{model::RecordKind::product, "7000009", model::parse_iso8601("2026-10-31T10:00:00Z")}));
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(ShopifyPlugin, IncrementalRunLooksBackTenMinutes) {
    FakeHost host(pcgd_plugin_get_vtable(), bulk);
    const char* cursor = R"({"v":1,"stage":"orders","after":null,"since":null,"high_water":"2026-10-31T12:00:00Z"})";
    host.begin(sdk::Dataset::orders, false, cursor);
    const auto body = body_of(host.next_step());
    EXPECT_STREQ(body["variables"]["query"].GetString(), "updated_at:>='2026-10-31T11:50:00Z'");
    EXPECT_EQ(body["variables"]["first"].GetInt(), 250);
    // An inventory cursor carries on with its deletions from their own mark.
    host.begin(sdk::Dataset::inventory, false,
               R"({"v":1,"stage":"products","high_water":"2026-10-31T12:00:00Z","deletions_high_water":"2026-10-30T00:00:00Z"})");
    host.next_step();
    host.respond(200, {}, R"({"data":{"products":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}})");
    EXPECT_STREQ(body_of(host.next_step())["variables"]["query"].GetString(),
                 "subject_type:PRODUCT AND action:destroy AND created_at:>='2026-10-29T23:50:00Z'");
    EXPECT_EQ(code_of([&] { host.begin(sdk::Dataset::orders, false, R"({"v":1,"stage":"products"})"); }), PCGD_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(code_of([&] { host.begin(sdk::Dataset::traffic); }), PCGD_ERR_UNSUPPORTED);
}

TEST(ShopifyPlugin, ThrottledIsAWaitAndTheSameRequestAgain) {
    FakeHost host(pcgd_plugin_get_vtable(), pages);
    host.begin(sdk::Dataset::orders);
    const auto first = host.next_step();
    const auto r = host.respond(200, {}, envelope("throttled_error_example"));
    EXPECT_FALSE(r.checkpoint);
    EXPECT_EQ(r.retry_after_ms, 1720u) << "(752 requested - 666 available) / 50 per second";
    EXPECT_EQ(r.budget_remaining, 666);
    EXPECT_EQ(r.budget_capacity, 1000);
    EXPECT_EQ(r.budget_restore_milli_per_s, 50000);
    EXPECT_TRUE(host.records().empty());
    const auto again = host.next_step();
    EXPECT_EQ(again.request.body, first.request.body);
}

TEST(ShopifyPlugin, BulkOperationFromStartToRecords) {
    FakeHost host(pcgd_plugin_get_vtable(), bulk);
    host.begin(sdk::Dataset::orders);
    auto step = host.next_step();
    EXPECT_EQ(step.request.url, endpoint);
    EXPECT_EQ(step.request.cost, 10u);
    auto body = body_of(step);
    EXPECT_EQ(std::string(body["query"].GetString()),
              "mutation ShopifyBulkRun($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id status } "
              "userErrors { field message } } }");
    EXPECT_EQ(std::string(body["variables"]["query"].GetString()).rfind("{ orders { edges { node { __typename id name createdAt", 0), 0u);

    auto r = host.respond(200, {}, envelope("bulk_run_query_created"));
    EXPECT_TRUE(r.checkpoint) << "the operation id is committed: a restart polls it";
    EXPECT_STREQ(parse(r.cursor)["bulk"]["id"].GetString(), "gid://shopify/BulkOperation/0");
    EXPECT_EQ(r.budget_capacity, 2000);

    step = host.next_step();
    body = body_of(step);
    EXPECT_STREQ(body["variables"]["id"].GetString(), "gid://shopify/BulkOperation/0");
    EXPECT_EQ(std::string(body["query"].GetString()).rfind("query ShopifyBulkPoll($id: ID!) { node(id: $id)", 0), 0u);
    host.respond(200, {}, envelope("bulk_status_running"));
    step = host.next_step();
    EXPECT_EQ(step.kind, sdk::Step::Kind::wait);
    EXPECT_EQ(step.wait_ms, 1000u);
    host.next_step();
    const std::string jsonl = fixture("bulk_orders.jsonl");
    r = host.respond(200, {}, envelope("bulk_status_completed"));  // objectCount 4: the order and its three lines
    EXPECT_STREQ(parse(r.cursor)["bulk"]["url"].GetString(), "https://storage.googleapis.com/<signed-url>/bulk-0.jsonl");

    step = host.next_step();
    EXPECT_EQ(step.request.method, sdk::Method::get);
    EXPECT_EQ(step.request.url, "https://storage.googleapis.com/<signed-url>/bulk-0.jsonl");
    EXPECT_TRUE(step.request.stream_body);
    EXPECT_TRUE(step.request.header("X-Shopify-Access-Token").empty()) << "a signed URL takes no token";
    r = host.respond(200, {}, jsonl, 7);  // chunk boundaries inside lines, escapes and UTF-8

    // The same records as the page of the same order.
    FakeHost paged(pcgd_plugin_get_vtable(), pages);
    paged.begin(sdk::Dataset::orders);
    paged.next_step();
    paged.respond(200, {}, fixture("orders_page.json"));
    EXPECT_EQ(host.records_of<model::Order>(), paged.records_of<model::Order>());
    EXPECT_EQ(host.records_of<model::Refund>(), paged.records_of<model::Refund>());

    const auto cursor = parse(r.cursor);
    EXPECT_STREQ(cursor["stage"].GetString(), "orders");
    EXPECT_FALSE(cursor.HasMember("bulk"));
    EXPECT_STREQ(cursor["high_water"].GetString(), "2008-01-10T16:00:00Z");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(ShopifyPlugin, BulkProductsRebuildChildrenFromParentIds) {
    FakeHost host(pcgd_plugin_get_vtable(), bulk);
    host.begin(sdk::Dataset::inventory, false,
               R"({"v":1,"stage":"bulk","bulk":{"id":"gid://shopify/BulkOperation/7","url":"https://x/bulk.jsonl","objects":10,"lines":0}})");
    const auto step = host.next_step();
    EXPECT_EQ(step.request.url, "https://x/bulk.jsonl");
    const auto r = host.respond(200, {}, fixture("bulk_products.jsonl"), 64);
    FakeHost paged(pcgd_plugin_get_vtable(), pages);
    paged.begin(sdk::Dataset::inventory);
    paged.next_step();
    paged.respond(200, {}, fixture("products_page.json"));
    EXPECT_EQ(host.records_of<model::Product>(), paged.records_of<model::Product>());
    EXPECT_EQ(host.records_of<model::Variant>(), paged.records_of<model::Variant>());
    EXPECT_STREQ(parse(r.cursor)["stage"].GetString(), "deletions");
}

TEST(ShopifyPlugin, BulkRestartSkipsCommittedLines) {
    // Two orders: the first one's four lines were committed before the restart.
    std::string jsonl = fixture("bulk_orders.jsonl");
    std::string second = jsonl;
    for (std::size_t at; (at = second.find("450789469")) != std::string::npos;) second.replace(at, 9, "450789470");
    FakeHost host(pcgd_plugin_get_vtable(), bulk);
    host.begin(sdk::Dataset::orders, false,
               R"({"v":1,"stage":"bulk","bulk":{"id":"gid://shopify/BulkOperation/7","url":"https://x/b.jsonl","objects":8,"lines":4}})");
    host.next_step();
    host.respond(200, {}, jsonl + second, 100);
    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_EQ(orders[0].id, "450789470");
    EXPECT_EQ(orders[0].lines.size(), 3u);
}

TEST(ShopifyPlugin, CutOffBulkResultIsABadResponse) {
    const std::string jsonl = fixture("bulk_orders.jsonl");
    const std::string cursor = R"({"v":1,"stage":"bulk","bulk":{"id":"g","url":"https://x/b.jsonl","objects":4,"lines":0}})";
    FakeHost host(pcgd_plugin_get_vtable(), bulk);
    std::string message;
    // Cut at a line break: only the operation's object count can tell.
    host.begin(sdk::Dataset::orders, false, cursor);
    host.next_step();
    EXPECT_EQ(code_of([&] { host.respond(200, {}, jsonl.substr(0, jsonl.rfind('\n', jsonl.size() - 2) + 1)); }, &message),
              PCGD_ERR_BAD_RESPONSE);
    EXPECT_EQ(message, "shopify: the bulk result has 3 lines, the operation reported 4");
    // Cut inside a line.
    host.begin(sdk::Dataset::orders, false, cursor);
    host.next_step();
    EXPECT_EQ(code_of([&] { host.respond(200, {}, jsonl.substr(0, jsonl.size() - 40), 50); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_NE(message.find("bulk line 4 is not valid JSON"), std::string::npos) << message;
    EXPECT_TRUE(host.records().empty()) << "nothing from an order whose lines were not all read";
}

TEST(ShopifyPlugin, RealAirbyteMediaSampleIsRefusedClearly) {
    FakeHost host(pcgd_plugin_get_vtable(), bulk);
    host.begin(sdk::Dataset::inventory, false,
               R"({"v":1,"stage":"bulk","bulk":{"id":"g","url":"https://x/b.jsonl","objects":6,"lines":0}})");
    host.next_step();
    std::string message;
    EXPECT_EQ(code_of([&] { host.respond(200, {}, fixture("product_images_media.jsonl")); }, &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_EQ(message, "shopify: bulk line 1: missing required field 'title'");
}

TEST(ShopifyPlugin, AlreadyRunningOperationIsAdoptedOrAwaited) {
    FakeHost host(pcgd_plugin_get_vtable(), bulk);
    host.begin(sdk::Dataset::inventory);
    const std::string ours = body_of(host.next_step())["variables"]["query"].GetString();
    auto r = host.respond(200, {}, envelope("bulk_run_query_already_in_progress"));
    EXPECT_FALSE(r.checkpoint);
    auto body = body_of(host.next_step());
    EXPECT_STREQ(body["query"].GetString(), "query ShopifyBulkCurrent { currentBulkOperation { id status errorCode query objectCount url } }");
    // Another job's operation: wait for it, then start ours.
    json::Writer w;
    w.begin_object().key("data").begin_object().key("currentBulkOperation").begin_object();
    w.field("id", "gid://shopify/BulkOperation/4046676525245").field("status", "RUNNING").key("errorCode").null();
    w.field("query", "{ orders { edges { node { id } } } }").field("objectCount", "0").key("url").null();
    w.end_object().end_object().end_object();
    host.respond(200, {}, w.view());
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::wait);
    host.next_step();
    json::Writer w2;
    w2.begin_object().key("data").begin_object().key("currentBulkOperation").begin_object();
    w2.field("id", "gid://shopify/BulkOperation/4046676525245").field("status", "RUNNING").key("errorCode").null();
    w2.field("query", ours).field("objectCount", "0").key("url").null();
    w2.end_object().end_object().end_object();
    host.respond(200, {}, w2.view());
    body = body_of(host.next_step());
    EXPECT_STREQ(body["variables"]["id"].GetString(), "gid://shopify/BulkOperation/4046676525245") << "ours: adopted, polled";
}

TEST(ShopifyPlugin, RefusedAccessIsAnAuthErrorWithShopifysWords) {
    const std::string invalid = R"J({"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"})J";
    std::string message;
    {
        // Never accepted: refused at once, so that `pcgd shop check` says why.
        FakeHost fresh(pcgd_plugin_get_vtable(), pages);
        fresh.begin(sdk::Dataset::orders);
        fresh.next_step();
        EXPECT_EQ(code_of([&] { fresh.respond(401, {}, invalid); }, &message), PCGD_ERR_AUTH);
    }
    FakeHost host(pcgd_plugin_get_vtable(), pages);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    host.respond(200, {}, fixture("orders_page.json"));
    const auto first = host.next_step();
    // Accepted before: a 401 now is repeated three times, a second apart.
    for (int repeat = 1; repeat <= 3; ++repeat) {
        const auto result = host.respond(401, {}, invalid);
        EXPECT_FALSE(result.checkpoint);
        EXPECT_EQ(result.retry_after_ms, 1000u);
        EXPECT_EQ(host.next_step().request.body, first.request.body) << "repeat " << repeat;
    }
    EXPECT_EQ(code_of([&] { host.respond(401, {}, invalid); }, &message), PCGD_ERR_AUTH);
    EXPECT_EQ(message, "Shopify refused the access token: [API] Invalid API key or access token (unrecognized login or wrong password)");

    host.begin(sdk::Dataset::orders);
    host.next_step();
    EXPECT_EQ(code_of([&] {
                  host.respond(200, {},
                               R"({"errors":[{"message":"Access denied for orders field. Required access: `read_orders` access scope. Also: `read_all_orders` for orders older than 60 days.","extensions":{"code":"ACCESS_DENIED"}}]})");
              },
                      &message),
              PCGD_ERR_AUTH);
    EXPECT_NE(message.find("read_all_orders"), std::string::npos) << message;
    host.begin(sdk::Dataset::orders);
    host.next_step();
    EXPECT_EQ(code_of([&] { host.respond(403, {}, R"({"errors":"[API] This action requires merchant approval for read_all_orders scope."})"); },
                      &message),
              PCGD_ERR_AUTH);
    EXPECT_EQ(message, "Shopify denied access: [API] This action requires merchant approval for read_all_orders scope.");
}

TEST(ShopifyPlugin, BadResponsesNameThePathAndEmitNothing) {
    const std::string page = fixture("orders_page.json");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {replace(page, R"("displayFinancialStatus": "PARTIALLY_REFUNDED")", R"("displayFinancialStatus": "HALF_PAID")"),
         "$.data.orders.nodes[0].displayFinancialStatus: unknown value 'HALF_PAID'"},
        {replace(page, R"("quantity": 1)", R"("quantity": "1")"),
         "$.data.orders.nodes[0].refunds[0].refundLineItems.nodes[0].quantity: expected an integer, found a string"},
        {replace(page, R"("amount": "598.94")", R"("amount": 598.94)"),
         "$.data.orders.nodes[0].totalPriceSet.shopMoney.amount: expected a string, found a number"},
        {replace(page, R"("createdAt": "2008-01-10T16:00:00Z",)", ""), "$.data.orders.nodes[0]: missing required field 'createdAt'"},
        {"<html><body><h1>Shopify is down for maintenance</h1></body></html>", "is not valid JSON at byte 0"},
    };
    for (const auto& [body, expected] : cases) {
        FakeHost host(pcgd_plugin_get_vtable(), pages);
        host.begin(sdk::Dataset::orders);
        host.next_step();
        std::string message;
        EXPECT_EQ(code_of([&] { host.respond(200, {}, body); }, &message), PCGD_ERR_BAD_RESPONSE) << expected;
        EXPECT_NE(message.find(expected), std::string::npos) << message;
        EXPECT_TRUE(host.records().empty());
    }
    FakeHost host(pcgd_plugin_get_vtable(), pages);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    EXPECT_EQ(code_of([&] { host.respond(404, {}, "<html>Not Found</html>"); }), PCGD_ERR_BAD_RESPONSE);
}

namespace {

/// `json` with `edit` applied, re-serialised.
std::string edited(const std::string& json, const std::function<void(rapidjson::Document&)>& edit) {
    auto doc = parse(json);
    edit(doc);
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    doc.Accept(w);
    return out.GetString();
}

void set_more(rapidjson::Value& connection, rapidjson::Document& doc, const char* end_cursor) {
    connection["pageInfo"]["hasNextPage"].SetBool(true);
    connection["pageInfo"]["endCursor"].SetString(end_cursor, doc.GetAllocator());
}

/// A follow-up answer: `root { connection { pageInfo nodes } }`.
std::string follow_up_answer(const char* root, const char* connection, const std::string& nodes, const char* end_cursor = nullptr) {
    const std::string info = end_cursor ? R"({"hasNextPage":true,"endCursor":")" + std::string(end_cursor) + "\"}"
                                        : std::string(R"({"hasNextPage":false,"endCursor":null})");
    return R"({"data":{")" + std::string(root) + R"(":{")" + connection + R"(":{"pageInfo":)" + info + R"(,"nodes":[)" + nodes + "]}}}}";
}

void expect_follow_up(const pcgd::testing::RecordedStep& step, const char* operation, const char* id, const char* after) {
    ASSERT_EQ(step.kind, sdk::Step::Kind::request);
    EXPECT_EQ(step.request.cost, 102u) << "2 + 100 children x 1";
    const auto body = body_of(step);
    EXPECT_EQ(std::string(body["query"].GetString()).rfind("query " + std::string(operation) + "($id: ID!, $first: Int!, $after: String)", 0), 0u)
        << body["query"].GetString();
    EXPECT_STREQ(body["variables"]["id"].GetString(), id);
    EXPECT_EQ(body["variables"]["first"].GetInt(), 100);
    EXPECT_STREQ(body["variables"]["after"].GetString(), after);
}

const char* level_node = R"({"id":"gid://shopify/InventoryLevel/1?inventory_item_id=808950810","location":{"id":"gid://shopify/Location/999"},)"
                         R"("quantities":[{"name":"available","quantity":5}]})";

}  // namespace

TEST(ShopifyPlugin, CutShortNestedConnectionsOfAProductAreReadToTheirEndFirst) {
    const std::string page = edited(fixture("products_page.json"), [](rapidjson::Document& d) {
        auto& product = d["data"]["products"]["nodes"][0];
        set_more(product["media"], d, "m1");
        set_more(product["variants"]["nodes"][0]["inventoryItem"]["inventoryLevels"], d, "l1");
        set_more(product["variants"], d, "v1");
    });
    FakeHost host(pcgd_plugin_get_vtable(), pages);
    host.begin(sdk::Dataset::inventory);
    const auto first = host.next_step();
    EXPECT_NE(std::string(body_of(first)["query"].GetString()).find(" variants(first: 50) { pageInfo { hasNextPage endCursor } nodes {"),
              std::string::npos);
    auto r = host.respond(200, {}, page);
    EXPECT_FALSE(r.checkpoint);
    EXPECT_TRUE(host.records().empty()) << "nothing of a product before all of it is read";

    expect_follow_up(host.next_step(), "ShopifyProductMedia", "gid://shopify/Product/632910392", "m1");
    host.respond(200, {}, follow_up_answer("product", "media", R"({"image":{"url":"https://cdn.shopify.com/4.png","width":10,"height":20}},{})"));
    expect_follow_up(host.next_step(), "ShopifyInventoryLevels", "gid://shopify/InventoryItem/808950810", "l1");
    host.respond(200, {}, follow_up_answer("inventoryItem", "inventoryLevels", level_node, "l2"));
    expect_follow_up(host.next_step(), "ShopifyInventoryLevels", "gid://shopify/InventoryItem/808950810", "l2");
    // Throttled: the same follow-up again, still nothing emitted.
    host.respond(200, {}, envelope("throttled_error_example"));
    expect_follow_up(host.next_step(), "ShopifyInventoryLevels", "gid://shopify/InventoryItem/808950810", "l2");
    host.respond(200, {}, follow_up_answer("inventoryItem", "inventoryLevels", ""));
    EXPECT_TRUE(host.records().empty());
    expect_follow_up(host.next_step(), "ShopifyProductVariants", "gid://shopify/Product/632910392", "v1");
    const std::string fifth =
        R"({"id":"gid://shopify/ProductVariant/9","sku":"IPOD2008GOLD","barcode":null,"title":"Gold","price":"249.00","compareAtPrice":null,)"
        R"("updatedAt":"2025-07-03T10:00:00Z","inventoryItem":{"id":"gid://shopify/InventoryItem/9","tracked":true,"updatedAt":"2025-07-04T10:00:00Z",)"
        R"("unitCost":null,"inventoryLevels":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[)" + std::string(level_node) + "]}}}";
    r = host.respond(200, {}, follow_up_answer("product", "variants", fifth));
    EXPECT_TRUE(r.checkpoint);
    EXPECT_STREQ(parse(r.cursor)["stock_high_water"].GetString(), "2025-07-04T10:00:00Z");

    const auto products = host.records_of<model::Product>();
    ASSERT_EQ(products.size(), 1u);
    ASSERT_EQ(products[0].images.size(), 4u) << "a media node that is not an image is skipped";
    EXPECT_EQ(products[0].images[3], (model::Image{"https://cdn.shopify.com/4.png", 10, 20}));
    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 5u);
    EXPECT_EQ(variants[0].stock, (std::vector<model::StockLevel>{{"487838322", 9}, {"655441491", 1}, {"999", 5}}));
    EXPECT_EQ(variants[0].stock_total, 15);
    model::Variant gold;
    gold.id = "9";
    gold.product_id = "632910392";
    gold.sku = "IPOD2008GOLD";
    gold.title = "Gold";
    gold.price = usd(24900);
    gold.stock = {{"999", 5}};
    gold.stock_total = 5;
    gold.updated_at = model::parse_iso8601("2025-07-03T10:00:00Z");
    EXPECT_EQ(variants[4], gold);
    EXPECT_STREQ(parse(r.cursor)["stage"].GetString(), "deletions");
}

TEST(ShopifyPlugin, CutShortLineItemsOfAnOrderAreReadToTheirEndFirst) {
    const std::string page = edited(fixture("orders_page.json"), [](rapidjson::Document& d) {
        set_more(d["data"]["orders"]["nodes"][0]["lineItems"], d, "c1");
    });
    FakeHost host(pcgd_plugin_get_vtable(), pages);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    EXPECT_FALSE(host.respond(200, {}, page).checkpoint);
    const auto step = host.next_step();
    expect_follow_up(step, "ShopifyOrderLines", "gid://shopify/Order/450789469", "c1");
    EXPECT_NE(std::string(body_of(step)["query"].GetString()).find("fragment Bag on MoneyBag"), std::string::npos);
    // The answer's line is the page's first line under another id.
    const auto lines = parse(page);
    rapidjson::StringBuffer line;
    rapidjson::Writer<rapidjson::StringBuffer> w(line);
    lines["data"]["orders"]["nodes"][0]["lineItems"]["nodes"][0].Accept(w);
    const std::string fourth = replace(line.GetString(), "LineItem/466157049", "LineItem/466157050");
    // A bad follow-up fails the page: nothing of it is emitted.
    EXPECT_EQ(code_of([&] { host.respond(200, {}, follow_up_answer("order", "lineItems", R"({"id":"gid://shopify/LineItem/1"})")); }),
              PCGD_ERR_BAD_RESPONSE);
    EXPECT_TRUE(host.records().empty());

    host.begin(sdk::Dataset::orders);
    host.next_step();
    host.respond(200, {}, page);
    host.next_step();
    const auto r = host.respond(200, {}, follow_up_answer("order", "lineItems", fourth));
    EXPECT_TRUE(r.checkpoint);
    const auto orders = host.records_of<model::Order>();
    ASSERT_EQ(orders.size(), 1u);
    ASSERT_EQ(orders[0].lines.size(), 4u);
    EXPECT_EQ(orders[0].lines[3].id, "466157050");
    EXPECT_EQ(orders[0].lines[3].unit_price, usd_bag(19900));
    EXPECT_EQ(host.records_of<model::Refund>().size(), 1u);
}

TEST(ShopifyPlugin, IncrementalInventoryReadsChangedStockAfterDeletions) {
    FakeHost host(pcgd_plugin_get_vtable(), bulk);
    host.begin(sdk::Dataset::inventory, false,
               R"({"v":1,"stage":"products","high_water":"2026-10-31T12:00:00Z","deletions_high_water":"2026-10-30T00:00:00Z",)"
               R"("stock_high_water":"2026-10-31T13:00:00Z"})");
    host.next_step();
    host.respond(200, {}, R"({"data":{"products":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}})");
    host.next_step();
    auto r = host.respond(200, {}, R"({"data":{"events":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}})");
    EXPECT_STREQ(parse(r.cursor)["stage"].GetString(), "stock");
    const auto step = host.next_step();
    EXPECT_EQ(step.request.cost, 752u) << "2 + 250 items x 3";
    const auto body = body_of(step);
    EXPECT_EQ(std::string(body["query"].GetString()).rfind("query ShopifyStock($first: Int!, $after: String, $query: String) { inventoryItems(", 0), 0u);
    EXPECT_STREQ(body["variables"]["query"].GetString(), "updated_at:>='2026-10-31T12:50:00Z'");
    r = host.respond(200, {},
                     R"({"data":{"inventoryItems":{"pageInfo":{"hasNextPage":false,"endCursor":"e"},"nodes":[{"id":"gid://shopify/InventoryItem/808950810",)"
                     R"("tracked":true,"updatedAt":"2026-10-31T14:00:00Z","unitCost":{"amount":"25.00","currencyCode":"USD"},"variant":{)"
                     R"("id":"gid://shopify/ProductVariant/808950810","sku":"IPOD2008PINK","barcode":"1234_pink","title":"Pink","price":"199.00",)"
                     R"("compareAtPrice":null,"updatedAt":"2025-07-02T16:29:59Z","product":{"id":"gid://shopify/Product/632910392","status":"ACTIVE"}},)"
                     R"("inventoryLevels":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"location":{"id":"gid://shopify/Location/487838322"},)"
                     R"("quantities":[{"name":"available","quantity":4}]}]}}]}}})");
    EXPECT_TRUE(r.checkpoint);
    const auto cursor = parse(r.cursor);
    EXPECT_STREQ(cursor["stage"].GetString(), "products");
    EXPECT_STREQ(cursor["stock_high_water"].GetString(), "2026-10-31T14:00:00Z");
    EXPECT_TRUE(host.records_of<model::Product>().empty()) << "the product itself did not change";
    const auto variants = host.records_of<model::Variant>();
    ASSERT_EQ(variants.size(), 1u);
    model::Variant v = pink_variant();
    v.stock = {{"487838322", 4}};
    v.stock_total = 4;
    EXPECT_EQ(variants[0], v);
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}
