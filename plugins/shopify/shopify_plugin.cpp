// The Shopify plugin: GraphQL Admin API (pinned version, X-Shopify-Access-Token).
//
// Full syncs run a bulk operation and stream its JSONL result, rebuilding each
// product or order from its child rows (`__parentId`); incremental syncs page
// through `products` / `orders` sorted by UPDATED_AT with an `updated_at`
// filter, then read product deletions from `events`. Cost-based throttling is
// reported to the host from `extensions.cost.throttleStatus`; a THROTTLED
// answer is a wait, never a failure. See docs/shopify.md.
#include <pcgd/model/json.hpp>
#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/plugin.hpp>
#include <pcgd/sdk/text.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pcgd::shopify {
namespace {

using model::Money;
using model::MoneyBag;
using model::TimestampMs;
using sdk::instant;
using sdk::money;

constexpr const char* default_api_version = "2025-10";
/// Records changed while a sync runs can carry an updated_at just below the
/// high-water mark; re-reading this much before it catches them (the store
/// upserts, so what is read twice is harmless).
constexpr TimestampMs look_back_ms = 10 * 60 * 1000;
/// A bulk operation is polled this often while it runs.
constexpr std::uint32_t bulk_poll_ms = 1000;
/// Checkpoint a bulk download every this many parents, so memory stays flat
/// and a restart re-reads little.
constexpr std::int64_t bulk_checkpoint_parents = 1000;
/// A failed bulk operation is started again this many times before giving up.
constexpr int max_bulk_failures = 3;
/// Children read with each product or order of a page. A longer nested
/// connection is read to its end by follow-up queries before the record is
/// emitted, so these only trade the size of a page against extra requests.
constexpr std::int64_t page_media = 10, page_variants = 50, page_levels = 10, page_lines = 100;
/// Children per follow-up query of one nested connection.
constexpr std::int64_t follow_up_first = 100;

// Requested cost of each operation, as the Admin API computes it for these
// queries: a connection costs 2 plus `first` times its node's cost.
constexpr std::int64_t product_node_cost = 3;
constexpr std::int64_t order_node_cost = 3;
constexpr std::int64_t event_node_cost = 1;
constexpr std::int64_t stock_node_cost = 3;
constexpr std::int64_t nested_node_cost = 1;
constexpr std::int64_t mutation_cost = 10;
constexpr std::int64_t poll_cost = 1;

constexpr std::string_view money_bag_fragment =
    "fragment Bag on MoneyBag { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }";

constexpr std::string_view product_fields =
    "id title descriptionHtml vendor productType tags status createdAt updatedAt";
constexpr std::string_view item_fields = "id tracked updatedAt unitCost { amount currencyCode }";
constexpr std::string_view media_fields = "... on MediaImage { image { url width height } }";
const std::string variant_fields =
    "id sku barcode title price compareAtPrice updatedAt inventoryItem { " + std::string(item_fields);
constexpr std::string_view level_fields = "location { id } quantities(names: [\"available\"]) { name quantity }";
constexpr std::string_view order_fields =
    "id name createdAt updatedAt cancelledAt closed displayFinancialStatus displayFulfillmentStatus currencyCode "
    "presentmentCurrencyCode taxesIncluded test shippingAddress { countryCodeV2 } subtotalPriceSet { ...Bag } "
    "totalDiscountsSet { ...Bag } totalShippingPriceSet { ...Bag } totalTaxSet { ...Bag } totalPriceSet { ...Bag } "
    "refunds { id createdAt note totalRefundedSet { ...Bag } "
    "refundShippingLines(first: 10) { nodes { subtotalAmountSet { ...Bag } taxAmountSet { ...Bag } } } "
    "refundLineItems(first: 100) { nodes { lineItem { id sku } quantity subtotalSet { ...Bag } totalTaxSet { ...Bag } } } }";
constexpr std::string_view line_fields =
    "id sku title quantity variant { id } product { id } originalUnitPriceSet { ...Bag } totalDiscountSet { ...Bag } "
    "taxLines { priceSet { ...Bag } }";

/// A nested connection of a page: its first children, and whether there are more.
std::string nested(std::string_view name, std::int64_t first, std::string_view node_fields) {
    return std::string(name) + "(first: " + std::to_string(first) + ") { pageInfo { hasNextPage endCursor } nodes { " +
           std::string(node_fields) + " } }";
}

std::string variant_node_fields() { return variant_fields + " " + nested("inventoryLevels", page_levels, level_fields) + " }"; }

std::string products_page_query() {
    return "query ShopifyProducts($first: Int!, $after: String, $query: String) { products(first: $first, after: $after, "
           "sortKey: UPDATED_AT, query: $query) { pageInfo { hasNextPage endCursor } nodes { " +
           std::string(product_fields) + " " + nested("media", page_media, media_fields) + " " +
           nested("variants", page_variants, variant_node_fields()) + " } } }";
}

std::string orders_page_query() {
    return "query ShopifyOrders($first: Int!, $after: String, $query: String) { orders(first: $first, after: $after, "
           "sortKey: UPDATED_AT, query: $query) { pageInfo { hasNextPage endCursor } nodes { " +
           std::string(order_fields) + " " + nested("lineItems", page_lines, line_fields) + " } } } " + std::string(money_bag_fragment);
}

/// Stock changes do not bump a product's updatedAt but do bump its inventory
/// items': this pass reads the items changed since the last run.
std::string stock_page_query() {
    return "query ShopifyStock($first: Int!, $after: String, $query: String) { inventoryItems(first: $first, after: $after, "
           "query: $query) { pageInfo { hasNextPage endCursor } nodes { " +
           std::string(item_fields) + " variant { id sku barcode title price compareAtPrice updatedAt product { id status } } " +
           nested("inventoryLevels", page_levels, level_fields) + " } } }";
}

/// The nested connections a page can cut short, each read on by its own query.
enum class Nested { media, variants, levels, lines };

std::string follow_up_query(Nested what) {
    const auto query = [](std::string_view name, std::string_view root, std::string_view connection, std::string_view fields) {
        return "query " + std::string(name) + "($id: ID!, $first: Int!, $after: String) { " + std::string(root) + "(id: $id) { " +
               std::string(connection) + "(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { " +
               std::string(fields) + " } } } }";
    };
    switch (what) {
    case Nested::media: return query("ShopifyProductMedia", "product", "media", media_fields);
    case Nested::variants: return query("ShopifyProductVariants", "product", "variants", variant_node_fields());
    case Nested::levels: return query("ShopifyInventoryLevels", "inventoryItem", "inventoryLevels", level_fields);
    case Nested::lines: return query("ShopifyOrderLines", "order", "lineItems", line_fields) + " " + std::string(money_bag_fragment);
    }
    return {};
}

constexpr std::string_view events_page_query =
    "query ShopifyDeletions($first: Int!, $after: String, $query: String) { events(first: $first, after: $after, "
    "sortKey: CREATED_AT, query: $query) { pageInfo { hasNextPage endCursor } nodes { id createdAt action "
    "... on BasicEvent { subjectId subjectType } } } }";

/// The queries a bulk operation runs: every node names its __typename so the
/// JSONL rows can be told apart; children follow their parent.
std::string products_bulk_query() {
    return "{ products { edges { node { __typename " + std::string(product_fields) +
           " media { edges { node { ... on MediaImage { __typename image { url width height } } } } } variants { edges { "
           "node { __typename " +
           variant_fields + " inventoryLevels { edges { node { __typename " + std::string(level_fields) +
           " } } } } } } } } } }";
}

std::string orders_bulk_query() {
    return "{ orders { edges { node { __typename " + std::string(order_fields) +
           " lineItems { edges { node { __typename " + std::string(line_fields) + " } } } } } } } " +
           std::string(money_bag_fragment);
}

constexpr std::string_view bulk_run_mutation =
    "mutation ShopifyBulkRun($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id status } "
    "userErrors { field message } } }";
constexpr std::string_view bulk_poll_query =
    "query ShopifyBulkPoll($id: ID!) { node(id: $id) { ... on BulkOperation { id status errorCode objectCount url } } }";
constexpr std::string_view bulk_current_query =
    "query ShopifyBulkCurrent { currentBulkOperation { id status errorCode query objectCount url } }";

/// "gid://shopify/Order/450789469" -> "450789469" (the id REST and the admin show).
std::string legacy_id(const json::Node& n) {
    const std::string_view gid = n.str();
    constexpr std::string_view prefix = "gid://shopify/";
    const auto slash = gid.rfind('/');
    if (gid.rfind(prefix, 0) != 0 || slash == std::string_view::npos || slash + 1 >= gid.size() || slash < prefix.size())
        n.fail("not a Shopify global id: '" + std::string(gid) + "'");
    std::string_view tail = gid.substr(slash + 1);
    tail = tail.substr(0, tail.find('?'));
    return std::string(tail);
}

/// Lower-cases an enum after checking it is one of `known`; an unknown value
/// is a clear error naming path and value, never a silent default.
std::string enum_value(const json::Node& n, std::initializer_list<std::string_view> known) {
    const std::string_view v = n.str();
    if (std::find(known.begin(), known.end(), v) == known.end()) n.fail("unknown value '" + std::string(v) + "'");
    std::string out(v);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// A MoneyBag { shopMoney presentmentMoney }. The buyer's amount is kept only
/// when the buyer paid in another currency than the shop's.
MoneyBag bag(const json::Node& n, model::Currency shop, std::optional<model::Currency> buyer) {
    const auto read = [](const json::Node& m) {
        return money(m.at("amount"), sdk::currency(m.at("currencyCode")));
    };
    const auto shop_node = n.at("shopMoney");
    MoneyBag b{read(shop_node), std::nullopt};
    if (b.shop.currency != shop) shop_node.at("currencyCode").fail("expected the shop currency " + shop.str());
    if (buyer) {
        b.presentment = read(n.at("presentmentMoney"));
        if (b.presentment->currency != *buyer)
            n.at("presentmentMoney").at("currencyCode").fail("expected the presentment currency " + buyer->str());
    }
    return b;
}

MoneyBag zero_bag(model::Currency shop, std::optional<model::Currency> buyer) {
    return MoneyBag{Money::zero(shop), buyer ? std::optional<Money>(Money::zero(*buyer)) : std::nullopt};
}

void add(MoneyBag& sum, const MoneyBag& b) {
    sum.shop += b.shop;
    if (sum.presentment && b.presentment) *sum.presentment += *b.presentment;
}

/// Calls f on each node of a connection given as `nodes` or `edges { node }`.
template <class F>
void for_each_node(const json::Node& connection, F&& f) {
    if (auto nodes = connection.find("nodes")) return nodes->for_each(f);
    connection.at("edges").for_each([&](const json::Node& e) { f(e.at("node")); });
}

enum class Stage { products, deletions, stock, orders, bulk };

const char* to_string(Stage s) {
    switch (s) {
    case Stage::products: return "products";
    case Stage::deletions: return "deletions";
    case Stage::stock: return "stock";
    case Stage::orders: return "orders";
    case Stage::bulk: return "bulk";
    }
    return "?";
}

/// The resume state of one job.
struct Cursor {
    Stage stage = Stage::orders;
    std::optional<std::string> after;            // next page of the pass in progress
    std::optional<TimestampMs> since;            // filter of the pass in progress
    std::optional<TimestampMs> high_water;       // greatest updatedAt seen
    std::optional<TimestampMs> deletions_since;  // filter of the deletions pass
    std::optional<TimestampMs> deletions_high_water;
    std::optional<TimestampMs> stock_since;  // filter of the stock pass; none after a full sync
    std::optional<TimestampMs> stock_high_water;  // greatest inventory item updatedAt seen
    // A bulk operation in progress: its id, then its result's URL and size,
    // and how many of its lines are committed.
    std::string bulk_id;
    std::string bulk_url;
    std::int64_t bulk_objects = 0;
    std::int64_t bulk_lines = 0;

    std::string to_json() const {
        json::Writer w;
        w.begin_object().field("v", std::int64_t{1}).field("stage", to_string(stage));
        const auto opt_str = [&](const char* k, const std::optional<std::string>& s) {
            w.key(k);
            if (s) w.value(*s);
            else w.null();
        };
        const auto opt_time = [&](const char* k, const std::optional<TimestampMs>& t) {
            opt_str(k, t ? std::optional<std::string>(model::format_iso8601(*t)) : std::nullopt);
        };
        opt_str("after", after);
        opt_time("since", since);
        opt_time("high_water", high_water);
        opt_time("deletions_since", deletions_since);
        opt_time("deletions_high_water", deletions_high_water);
        opt_time("stock_since", stock_since);
        opt_time("stock_high_water", stock_high_water);
        if (stage == Stage::bulk) {
            w.key("bulk").begin_object().field("id", bulk_id).field("url", bulk_url);
            w.field("objects", bulk_objects).field("lines", bulk_lines).end_object();
        }
        w.end_object();
        return std::string(w.view());
    }

    static Cursor parse(std::string_view text) {
        rapidjson::Document doc;
        json::parse(doc, text, "cursor");
        const json::Node n(doc, "cursor");
        Cursor c;
        const auto stage = n.at("stage");
        const std::string_view s = stage.str();
        if (s == "products") c.stage = Stage::products;
        else if (s == "deletions") c.stage = Stage::deletions;
        else if (s == "stock") c.stage = Stage::stock;
        else if (s == "orders") c.stage = Stage::orders;
        else if (s == "bulk") c.stage = Stage::bulk;
        else stage.fail("unknown stage '" + std::string(s) + "'");
        if (auto a = n.find("after")) c.after = std::string(a->str());
        c.since = sdk::opt_instant(n, "since");
        c.high_water = sdk::opt_instant(n, "high_water");
        c.deletions_since = sdk::opt_instant(n, "deletions_since");
        c.deletions_high_water = sdk::opt_instant(n, "deletions_high_water");
        c.stock_since = sdk::opt_instant(n, "stock_since");
        c.stock_high_water = sdk::opt_instant(n, "stock_high_water");
        if (auto b = n.find("bulk")) {
            c.bulk_id = std::string(b->at("id").str());
            c.bulk_url = std::string(b->at("url").str());
            c.bulk_objects = b->at("objects").i64();
            c.bulk_lines = b->at("lines").i64();
        }
        return c;
    }
};

class ShopifyPlugin final : public sdk::Plugin {
public:
    static const char* manifest() {
        return R"M({"id":"shopify","name":"Shopify","version":"1.0.0","platform":"Shopify",)M"
               R"M("datasets":["inventory","orders"],"record_schema_version":1,"settings":[)M"
               R"M({"name":"base_url","type":"url","required":true,"description":"The shop's admin URL, https://{shop}.myshopify.com"},)M"
               R"M({"name":"access_token","type":"string","secret":true,"description":"Admin API access token (shpat_...); stored by `pcgd shop connect` when the shop is connected through OAuth"},)M"
               R"M({"name":"api_version","type":"string","default":"2025-10","description":"GraphQL Admin API version, YYYY-MM"},)M"
               R"M({"name":"page_size","type":"integer","default":250,"description":"Products or orders per page, 1 to 250"},)M"
               R"M({"name":"bulk","type":"boolean","default":true,"description":"Full syncs through bulk operations"},)M"
               R"M({"name":"client_id","type":"string","description":"The app's client id (OAuth, `pcgd shop connect`)"},)M"
               R"M({"name":"client_secret","type":"string","secret":true,"description":"The app's client secret: verifies webhooks and OAuth callbacks"}]})M";
    }

    ShopifyPlugin(sdk::Host host, const json::Node& settings) : sdk::Plugin(std::move(host)) {
        std::string base(settings.at("base_url").str());
        while (!base.empty() && base.back() == '/') base.pop_back();
        if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0)
            throw sdk::Error(PCGD_ERR_CONFIG, "settings.base_url: must start with https:// (or http:// for an emulator)");
        // Optional in the manifest: a shop is added first and connected through OAuth later.
        if (auto t = settings.find("access_token")) token_ = std::string(t->str());
        if (token_.empty())
            throw sdk::Error(PCGD_ERR_CONFIG,
                             "settings.access_token: missing: connect the shop (`pcgd shop connect`) or give "
                             "--credential access_token=...");
        std::string version(settings.str_or("api_version", default_api_version));
        const bool well_formed = version.size() == 7 && version[4] == '-' &&
                                 std::all_of(version.begin(), version.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
        if (!well_formed && version != "unstable")
            throw sdk::Error(PCGD_ERR_CONFIG, "settings.api_version: expected YYYY-MM, found '" + version + "'");
        graphql_url_ = base + "/admin/api/" + version + "/graphql.json";
        if (auto p = settings.find("page_size")) {
            const std::int64_t n = p->i64();
            if (n < 1 || n > 250) throw sdk::Error(PCGD_ERR_CONFIG, "settings.page_size: must be between 1 and 250");
            page_size_ = n;
        }
        bulk_ = settings.bool_or("bulk", true);
        const auto shop = settings.at("shop");
        shop_currency_ = sdk::currency(shop.at("currency"));
    }

    void begin(const sdk::Job& job) override {
        if (job.dataset == sdk::Dataset::traffic)
            throw sdk::Error(PCGD_ERR_UNSUPPORTED, "shopify: traffic is not offered (the Admin API has no per-product views)");
        dataset_ = job.dataset;
        done_ = false;
        repeats_after_401_ = 0;
        phase_ = Phase::page;
        reset_bulk_stream();
        held_products_.clear();
        held_orders_.clear();
        fetches_.clear();
        const Stage first_pass = dataset_ == sdk::Dataset::inventory ? Stage::products : Stage::orders;
        const bool resume = !job.full && !job.cursor.empty();
        Cursor previous;
        if (resume) {
            previous = Cursor::parse(job.cursor);
            // A bulk cursor belongs to the dataset whose slot holds it (the host keeps one per dataset).
            const bool ours = previous.stage == Stage::bulk || (previous.stage == Stage::orders) == (first_pass == Stage::orders);
            if (!ours) throw sdk::Error(PCGD_ERR_INVALID_ARGUMENT, "cursor: belongs to another dataset");
        }
        cursor_ = Cursor{};
        cursor_.stage = first_pass;
        if (!resume) {
            if (bulk_) start_bulk();
            return;
        }
        cursor_ = previous;
        if (cursor_.stage == Stage::bulk) {
            // An interrupted bulk sync: poll the operation again, or download its result again.
            phase_ = cursor_.bulk_id.empty() ? Phase::bulk_run : cursor_.bulk_url.empty() ? Phase::bulk_poll : Phase::bulk_download;
            return;
        }
        if (cursor_.after) return;  // a pass was interrupted: carry on with its next page
        // The products pass is complete; deletions and stock remain.
        if (cursor_.stage == Stage::deletions || cursor_.stage == Stage::stock) return;
        const auto looking_back = [](const std::optional<TimestampMs>& mark) {
            return mark ? std::optional<TimestampMs>(*mark - look_back_ms) : std::nullopt;
        };
        cursor_.since = looking_back(cursor_.high_water);
        if (dataset_ == sdk::Dataset::inventory) {
            cursor_.deletions_since = looking_back(cursor_.deletions_high_water);
            cursor_.stock_since = looking_back(cursor_.stock_high_water);
        }
    }

    sdk::Step next_step() override {
        if (done_) return sdk::Step::done();
        if (wait_before_next_ms_) {
            const auto ms = wait_before_next_ms_;
            wait_before_next_ms_ = 0;
            return sdk::Step::wait(ms);
        }
        switch (phase_) {
        case Phase::page: return send_page();
        case Phase::bulk_run: {
            json::Writer v;
            v.begin_object().field("query", bulk_kind_products() ? products_bulk_query() : orders_bulk_query()).end_object();
            return graphql(bulk_run_mutation, v.view(), mutation_cost);
        }
        case Phase::bulk_current: return graphql(bulk_current_query, "{}", poll_cost);
        case Phase::bulk_poll: {
            json::Writer v;
            v.begin_object().field("id", cursor_.bulk_id).end_object();
            return graphql(bulk_poll_query, v.view(), poll_cost);
        }
        case Phase::follow_up: {
            const Fetch& f = fetches_.front();
            json::Writer v;
            v.begin_object().field("id", f.owner).field("first", follow_up_first).field("after", f.after).end_object();
            return graphql(follow_up_query(f.what), v.view(), 2 + follow_up_first * nested_node_cost);
        }
        case Phase::bulk_download: {
            reset_bulk_stream();
            sdk::Request r;
            r.url = cursor_.bulk_url;  // a signed URL: no token
            r.stream_body = true;
            return sdk::Step::send(std::move(r));
        }
        }
        return sdk::Step::done();
    }

    void on_response(const sdk::Response& response, sdk::Result& out) override {
        if (phase_ == Phase::bulk_download) return on_bulk_chunk(response, out);
        if (response.status() == 401) {
            // A token never accepted is wrong: say so at once (`pcgd shop check`
            // sees one response). One accepted before and refused now may be a
            // passing glitch (a shop's several jobs can meet it back to back):
            // try a few more times, a second apart, then report Shopify's words.
            if (!token_accepted_ || repeats_after_401_ >= max_repeats_after_401)
                throw sdk::Error(PCGD_ERR_AUTH, "Shopify refused the access token: " + errors_text(response.body()));
            ++repeats_after_401_;
            out.retry_after_ms = 1000;
            host().log(sdk::LogLevel::info, "shopify: 401 for a token accepted before, repeating the request");
            return;
        }
        repeats_after_401_ = 0;
        if (response.status() == 403)
            throw sdk::Error(PCGD_ERR_AUTH, "Shopify denied access: " + errors_text(response.body()));
        if (response.status() != 200)
            throw sdk::bad_response("shopify: HTTP " + std::to_string(response.status()) + " for " + operation() + ": " +
                                    snippet(response.body()));
        token_accepted_ = true;
        rapidjson::Document doc;
        try {
            json::parse(doc, response.body(), "shopify " + operation() + " response");
            const json::Node root(doc);
            if (!read_envelope(root, out)) return;  // throttled: the same request again
            const json::Node data = root.at("data");
            switch (phase_) {
            case Phase::page: on_page(data, out); break;
            case Phase::follow_up: on_follow_up(data, out); break;
            case Phase::bulk_run: on_bulk_run(data, out); break;
            case Phase::bulk_current: on_bulk_current(data); break;
            case Phase::bulk_poll: on_bulk_poll(data, out); break;
            case Phase::bulk_download: break;
            }
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(e.what());
        }
    }

private:
    enum class Phase { page, follow_up, bulk_run, bulk_current, bulk_poll, bulk_download };

    static std::string snippet(std::string_view body) { return std::string(body.substr(0, 200)); }

    /// Shopify's error text: {"errors":"..."} or {"errors":[{"message":...}]}.
    static std::string errors_text(std::string_view body) {
        rapidjson::Document doc;
        doc.Parse(body.data(), body.size());
        if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("errors")) return snippet(body);
        const auto& e = doc["errors"];
        if (e.IsString()) return e.GetString();
        std::string out;
        if (e.IsArray())
            for (const auto& x : e.GetArray())
                if (x.IsObject() && x.HasMember("message") && x["message"].IsString())
                    out += (out.empty() ? "" : "; ") + std::string(x["message"].GetString());
        return out.empty() ? snippet(body) : out;
    }

    std::string operation() const {
        switch (phase_) {
        case Phase::page: return std::string("ShopifyProducts/Orders/Deletions/Stock (") + to_string(cursor_.stage) + ")";
        case Phase::follow_up: return "the follow-up query for " + fetches_.front().owner;
        case Phase::bulk_run: return "ShopifyBulkRun";
        case Phase::bulk_current: return "ShopifyBulkCurrent";
        case Phase::bulk_poll: return "ShopifyBulkPoll";
        case Phase::bulk_download: return "the bulk result download";
        }
        return "?";
    }

    bool bulk_kind_products() const { return dataset_ == sdk::Dataset::inventory; }

    sdk::Step graphql(std::string_view query, std::string_view variables_json, std::int64_t cost) {
        json::Writer w;
        w.begin_object().field("query", query).key("variables").raw(variables_json).end_object();
        sdk::Request r;
        r.method = sdk::Method::post;
        r.url = graphql_url_;
        r.header("Content-Type", "application/json").header("Accept", "application/json").header("X-Shopify-Access-Token", token_);
        r.body = std::string(w.view());
        r.cost = static_cast<std::uint32_t>(cost);
        requested_cost_ = cost;
        return sdk::Step::send(std::move(r));
    }

    sdk::Step send_page() {
        json::Writer v;
        const std::int64_t first = cursor_.stage == Stage::deletions ? 250 : page_size_;
        v.begin_object().field("first", first);
        v.key("after");
        if (cursor_.after) v.value(*cursor_.after);
        else v.null();
        std::string filter;
        const auto at_least = [](const char* field, TimestampMs t) {
            return std::string(field) + ":>='" + model::format_iso8601(t) + "'";
        };
        switch (cursor_.stage) {
        case Stage::products:
        case Stage::orders:
            if (cursor_.since) filter = at_least("updated_at", *cursor_.since);
            break;
        case Stage::stock: filter = at_least("updated_at", *cursor_.stock_since); break;
        case Stage::deletions:
            filter = "subject_type:PRODUCT AND action:destroy";
            if (cursor_.deletions_since) filter += " AND " + at_least("created_at", *cursor_.deletions_since);
            break;
        case Stage::bulk: break;
        }
        v.key("query");
        if (filter.empty()) v.null();
        else v.value(filter);
        v.end_object();
        switch (cursor_.stage) {
        case Stage::products: return graphql(products_page_query(), v.view(), 2 + first * product_node_cost);
        case Stage::orders: return graphql(orders_page_query(), v.view(), 2 + first * order_node_cost);
        case Stage::stock: return graphql(stock_page_query(), v.view(), 2 + first * stock_node_cost);
        default: return graphql(events_page_query, v.view(), 2 + first * event_node_cost);
        }
    }

    /// Reads the cost extension into the host's hints and the top-level
    /// errors. False when throttled: the same request must be sent again.
    bool read_envelope(const json::Node& root, sdk::Result& out) {
        std::optional<std::int64_t> available, restore_per_s;
        if (auto ext = root.find("extensions"))
            if (auto cost = ext->find("cost")) {
                const auto t = cost->at("throttleStatus");
                available = std::llround(t.at("currentlyAvailable").number());
                restore_per_s = std::llround(t.at("restoreRate").number());
                out.budget_remaining = *available;
                out.budget_capacity = std::llround(t.at("maximumAvailable").number());
                out.budget_restore_milli_per_s = std::llround(t.at("restoreRate").number() * 1000);
                if (auto requested = cost->find("requestedQueryCost")) requested_cost_ = requested->i64();
            }
        const auto errors = root.find("errors");
        if (!errors) return true;
        std::string messages;
        bool throttled = false;
        errors->for_each([&](const json::Node& e) {
            std::string_view code;
            if (auto ext = e.find("extensions")) code = ext->str_or("code", "");
            const std::string message(e.str_or("message", ""));
            if (code == "THROTTLED") throttled = true;
            if (code == "ACCESS_DENIED")
                throw sdk::Error(PCGD_ERR_AUTH, "Shopify denied access (a scope is missing): " + message);
            messages += (messages.empty() ? "" : "; ") + message + (code.empty() ? "" : " (" + std::string(code) + ")");
        });
        if (!throttled) throw sdk::bad_response("shopify " + operation() + ": " + messages);
        // Wait until the bucket holds the requested cost again; at least a second, as Shopify advises.
        std::int64_t wait_ms = 1000;
        if (available && restore_per_s && *restore_per_s > 0)
            wait_ms = std::max<std::int64_t>(wait_ms, ((requested_cost_ - *available) * 1000 + *restore_per_s - 1) / *restore_per_s);
        out.retry_after_ms = static_cast<std::uint32_t>(std::min<std::int64_t>(wait_ms, 60'000));
        return false;
    }

    // ------------------------------------------------------------- pages

    void on_page(const json::Node& data, sdk::Result& out) {
        const char* root_name = cursor_.stage == Stage::products ? "products"
                                : cursor_.stage == Stage::orders ? "orders"
                                : cursor_.stage == Stage::stock  ? "inventoryItems"
                                                                 : "events";
        const auto connection = data.at(root_name);
        const auto info = connection.at("pageInfo");
        page_next_.reset();
        if (info.at("hasNextPage").boolean()) page_next_ = std::string(info.at("endCursor").str());
        const auto nodes = connection.at("nodes");
        switch (cursor_.stage) {
        case Stage::products: nodes.for_each([&](const json::Node& p) { hold_product_node(p); }); break;
        case Stage::orders: nodes.for_each([&](const json::Node& o) { hold_order_node(o); }); break;
        case Stage::stock: nodes.for_each([&](const json::Node& i) { hold_stock_node(i); }); break;
        case Stage::deletions: nodes.for_each([&](const json::Node& e) { emit_deletion(e); }); break;
        case Stage::bulk: break;
        }
        complete_page(out);
    }

    /// Emits the page's records and commits once no nested connection is left
    /// to read; until then nothing of the page is emitted.
    void complete_page(sdk::Result& out) {
        if (!fetches_.empty()) {
            phase_ = Phase::follow_up;
            return;
        }
        phase_ = Phase::page;
        for (const auto& held : held_products_) {
            if (held.product) host().emit(*held.product);
            for (const auto& v : held.variants) host().emit(v);
        }
        for (const auto& parts : held_orders_) emit_order(parts);
        held_products_.clear();
        held_orders_.clear();
        cursor_.after = page_next_;
        if (!page_next_) end_of_pass();
        out.commit(cursor_.to_json());
    }

    void end_of_pass() {
        cursor_.after.reset();
        if (cursor_.stage == Stage::products) {
            cursor_.stage = Stage::deletions;
            return;
        }
        // Stock is read only when a run is incremental: a full pass has just read every level.
        if (cursor_.stage == Stage::deletions && cursor_.stock_since) {
            cursor_.stage = Stage::stock;
            return;
        }
        if (cursor_.stage != Stage::orders) cursor_.stage = Stage::products;
        done_ = true;
    }

    /// Reads the children a page holds of a nested connection and, when it has
    /// more, queues the follow-up query that reads on from its end.
    template <class F>
    void read_nested(const json::Node& connection, Nested what, std::string_view owner, std::size_t record, std::size_t variant, F&& f) {
        connection.at("nodes").for_each(f);
        const auto info = connection.at("pageInfo");
        if (info.at("hasNextPage").boolean())
            fetches_.push_back(Fetch{what, std::string(owner), std::string(info.at("endCursor").str()), record, variant});
    }

    void on_follow_up(const json::Node& data, sdk::Result& out) {
        Fetch& f = fetches_.front();
        const char* root = f.what == Nested::levels ? "inventoryItem" : f.what == Nested::lines ? "order" : "product";
        const char* name = f.what == Nested::media      ? "media"
                           : f.what == Nested::variants ? "variants"
                           : f.what == Nested::levels   ? "inventoryLevels"
                                                        : "lineItems";
        const auto connection = data.at(root).at(name);
        const auto nodes = connection.at("nodes");
        switch (f.what) {
        case Nested::media: {
            model::Product& p = *held_products_[f.record].product;
            nodes.for_each([&](const json::Node& m) {
                if (auto im = image_of(m)) p.images.push_back(std::move(*im));
            });
            break;
        }
        case Nested::variants: {
            HeldProduct& held = held_products_[f.record];
            nodes.for_each([&](const json::Node& vn) {
                held.variants.push_back(variant_with_levels(vn, held.product->id, held.product->active, f.record, held.variants.size()));
            });
            break;
        }
        case Nested::levels:
            nodes.for_each([&](const json::Node& l) { add_level(held_products_[f.record].variants[f.variant], l); });
            break;
        case Nested::lines: {
            OrderParts& parts = held_orders_[f.record];
            nodes.for_each([&](const json::Node& l) { parts.order.lines.push_back(line_of(l, parts)); });
            break;
        }
        }
        const auto info = connection.at("pageInfo");
        if (info.at("hasNextPage").boolean()) f.after = std::string(info.at("endCursor").str());
        else fetches_.pop_front();
        complete_page(out);
    }

    void raise(std::optional<TimestampMs>& mark, TimestampMs t) {
        if (!mark || *mark < t) mark = t;
    }

    model::Product product_head(const json::Node& n) {
        model::Product p;
        p.id = legacy_id(n.at("id"));
        p.title = std::string(n.at("title").str());
        p.description_html = std::string(n.at("descriptionHtml").str());
        p.description = sdk::html_to_text(p.description_html);
        p.vendor = std::string(n.str_or("vendor", ""));
        p.product_type = std::string(n.str_or("productType", ""));
        n.at("tags").for_each([&](const json::Node& t) { p.tags.emplace_back(t.str()); });
        p.active = active(n.at("status"));
        p.created_at = instant(n.at("createdAt"));
        p.updated_at = instant(n.at("updatedAt"));
        raise(cursor_.high_water, *p.updated_at);
        return p;
    }

    /// A MediaImage's image; other media (videos, 3D models) have none.
    static std::optional<model::Image> image_of(const json::Node& media) {
        auto image = media.find("image");
        if (!image) return std::nullopt;
        model::Image im{std::string(image->at("url").str()), std::nullopt, std::nullopt};
        if (auto w = image->find("width")) im.width_px = static_cast<std::int32_t>(w->i64());
        if (auto h = image->find("height")) im.height_px = static_cast<std::int32_t>(h->i64());
        return im;
    }

    static bool active(const json::Node& status) { return enum_value(status, {"ACTIVE", "ARCHIVED", "DRAFT"}) == "active"; }

    /// A variant `n` with its inventory item `item` (nested in it, or its parent in the stock pass).
    model::Variant variant_of(const json::Node& n, const json::Node& item, const std::string& product_id, bool product_active) {
        model::Variant v;
        v.id = legacy_id(n.at("id"));
        v.product_id = product_id;
        v.sku = std::string(n.str_or("sku", ""));
        v.barcode = std::string(n.str_or("barcode", ""));
        v.title = std::string(n.str_or("title", ""));
        v.price = money(n.at("price"), shop_currency_);  // the Money scalar is in the shop's currency
        v.compare_at_price = sdk::opt_money(n, "compareAtPrice", shop_currency_);
        v.active = product_active;
        v.updated_at = sdk::opt_instant(n, "updatedAt");
        if (auto cost = item.find("unitCost")) v.unit_cost = money(cost->at("amount"), sdk::currency(cost->at("currencyCode")));
        if (item.at("tracked").boolean()) v.stock_total = 0;  // levels add up; untracked stock stays unknown
        if (auto changed = sdk::opt_instant(item, "updatedAt")) raise(cursor_.stock_high_water, *changed);
        return v;
    }

    /// A variant of a page with the levels the page holds; more levels are queued.
    model::Variant variant_with_levels(const json::Node& n, const std::string& product_id, bool product_active, std::size_t record,
                                       std::size_t index) {
        const auto item = n.at("inventoryItem");
        model::Variant v = variant_of(n, item, product_id, product_active);
        read_nested(item.at("inventoryLevels"), Nested::levels, item.at("id").str(), record, index,
                    [&](const json::Node& l) { add_level(v, l); });
        return v;
    }

    static void add_level(model::Variant& v, const json::Node& level) {
        model::StockLevel s{legacy_id(level.at("location").at("id")), 0};
        bool found = false;
        level.at("quantities").for_each([&](const json::Node& q) {
            if (q.at("name").str() == "available") {
                s.quantity = q.at("quantity").i64();
                found = true;
            }
        });
        if (!found) level.at("quantities").fail("no 'available' quantity");
        if (v.stock_total) *v.stock_total += s.quantity;
        v.stock.push_back(std::move(s));
    }

    /// A product of a page, or (in the stock pass, without its product) one variant.
    struct HeldProduct {
        std::optional<model::Product> product;
        std::vector<model::Variant> variants;
    };

    struct OrderParts {
        model::Order order;
        std::vector<model::Refund> refunds;
        std::optional<model::Currency> buyer;
    };

    /// A nested connection cut short by a page: whose it is (a GID), where to
    /// read on, and the held record (and variant) its children belong to.
    struct Fetch {
        Nested what;
        std::string owner;
        std::string after;
        std::size_t record = 0, variant = 0;
    };

    // Held whole until every nested connection is read: a bad or missing
    // child must not leave half a product or order in the store.
    void hold_product_node(const json::Node& n) {
        const std::size_t record = held_products_.size();
        HeldProduct held{product_head(n), {}};
        model::Product& p = *held.product;
        const std::string_view gid = n.at("id").str();
        read_nested(n.at("media"), Nested::media, gid, record, 0, [&](const json::Node& m) {
            if (auto im = image_of(m)) p.images.push_back(std::move(*im));
        });
        read_nested(n.at("variants"), Nested::variants, gid, record, 0, [&](const json::Node& vn) {
            held.variants.push_back(variant_with_levels(vn, p.id, p.active, record, held.variants.size()));
        });
        held_products_.push_back(std::move(held));
    }

    void hold_stock_node(const json::Node& item) {
        const std::size_t record = held_products_.size();
        const auto variant = item.at("variant");
        const auto product = variant.at("product");
        HeldProduct held{std::nullopt, {variant_of(variant, item, legacy_id(product.at("id")), active(product.at("status")))}};
        read_nested(item.at("inventoryLevels"), Nested::levels, item.at("id").str(), record, 0,
                    [&](const json::Node& l) { add_level(held.variants.front(), l); });
        held_products_.push_back(std::move(held));
    }

    void hold_order_node(const json::Node& n) {
        const std::size_t record = held_orders_.size();
        OrderParts parts = order_head(n);
        read_nested(n.at("lineItems"), Nested::lines, n.at("id").str(), record, 0,
                    [&](const json::Node& l) { parts.order.lines.push_back(line_of(l, parts)); });
        held_orders_.push_back(std::move(parts));
    }

    OrderParts order_head(const json::Node& n) {
        OrderParts parts;
        model::Order& o = parts.order;
        o.id = legacy_id(n.at("id"));
        o.name = std::string(n.str_or("name", ""));
        o.created_at = instant(n.at("createdAt"));
        o.updated_at = instant(n.at("updatedAt"));
        o.cancelled_at = sdk::opt_instant(n, "cancelledAt");
        o.status = o.cancelled_at ? "cancelled" : n.at("closed").boolean() ? "closed" : "open";
        o.financial_status = enum_value(n.at("displayFinancialStatus"), {"PENDING", "AUTHORIZED", "PARTIALLY_PAID", "PARTIALLY_REFUNDED",
                                                                         "VOIDED", "PAID", "REFUNDED", "EXPIRED"});
        const auto fulfilment = n.at("displayFulfillmentStatus");
        o.fulfillment_status = enum_value(fulfilment, {"UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED", "RESTOCKED",
                                                       "PENDING_FULFILLMENT", "OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED",
                                                       "REQUEST_DECLINED"});
        if (o.fulfillment_status == "partially_fulfilled") o.fulfillment_status = "partial";
        o.currency = sdk::currency(n.at("currencyCode"));
        if (o.currency != shop_currency_) n.at("currencyCode").fail("expected the shop currency " + shop_currency_.str());
        const model::Currency presented = sdk::currency(n.at("presentmentCurrencyCode"));
        if (presented != o.currency) parts.buyer = presented;
        o.presentment_currency = presented;
        if (auto address = n.find("shippingAddress")) o.country = std::string(address->str_or("countryCodeV2", ""));
        o.taxes_included = n.at("taxesIncluded").boolean();
        o.test = n.at("test").boolean();
        const auto b = [&](const char* key) { return bag(n.at(key), o.currency, parts.buyer); };
        o.subtotal = b("subtotalPriceSet");
        o.discounts = b("totalDiscountsSet");
        o.shipping = b("totalShippingPriceSet");
        o.tax = b("totalTaxSet");
        o.total = b("totalPriceSet");
        o.fees_known = false;  // Shopify Payments fees need the payouts scope; unknown, not zero
        n.at("refunds").for_each([&](const json::Node& r) {
            model::Refund refund;
            refund.id = legacy_id(r.at("id"));
            refund.order_id = o.id;
            refund.created_at = instant(r.at("createdAt"));
            refund.note = std::string(r.str_or("note", ""));
            refund.amount = bag(r.at("totalRefundedSet"), o.currency, parts.buyer);
            refund.tax = zero_bag(o.currency, parts.buyer);
            refund.shipping = zero_bag(o.currency, parts.buyer);
            for_each_node(r.at("refundShippingLines"), [&](const json::Node& s) {
                add(refund.shipping, bag(s.at("subtotalAmountSet"), o.currency, parts.buyer));
                add(refund.tax, bag(s.at("taxAmountSet"), o.currency, parts.buyer));
            });
            for_each_node(r.at("refundLineItems"), [&](const json::Node& l) {
                const auto item = l.at("lineItem");
                model::RefundLine line{legacy_id(item.at("id")), std::string(item.str_or("sku", "")), l.at("quantity").i64(),
                                       bag(l.at("subtotalSet"), o.currency, parts.buyer),
                                       bag(l.at("totalTaxSet"), o.currency, parts.buyer)};
                add(refund.tax, line.tax);
                refund.lines.push_back(std::move(line));
            });
            parts.refunds.push_back(std::move(refund));
        });
        raise(cursor_.high_water, *o.updated_at);
        return parts;
    }

    static model::OrderLine line_of(const json::Node& n, const OrderParts& parts) {
        const model::Currency shop = parts.order.currency;
        model::OrderLine line;
        line.id = legacy_id(n.at("id"));
        line.sku = std::string(n.str_or("sku", ""));
        line.title = std::string(n.str_or("title", ""));
        if (auto v = n.find("variant")) line.variant_id = legacy_id(v->at("id"));
        if (auto p = n.find("product")) line.product_id = legacy_id(p->at("id"));
        line.quantity = n.at("quantity").i64();
        line.unit_price = bag(n.at("originalUnitPriceSet"), shop, parts.buyer);
        line.discount = bag(n.at("totalDiscountSet"), shop, parts.buyer);
        line.tax = zero_bag(shop, parts.buyer);
        n.at("taxLines").for_each([&](const json::Node& t) { add(line.tax, bag(t.at("priceSet"), shop, parts.buyer)); });
        return line;
    }

    void emit_order(const OrderParts& parts) {
        host().emit(parts.order);
        // An order's refunds are re-sent whenever it changes: a late refund arrives with it.
        for (const auto& r : parts.refunds) host().emit(r);
    }

    void emit_deletion(const json::Node& n) {
        const auto created = instant(n.at("createdAt"));
        raise(cursor_.deletions_high_water, created);
        if (n.at("action").str() != "destroy") return;
        const auto type = n.at("subjectType");
        if (type.str() != "PRODUCT") return;
        host().emit(model::Deletion{model::RecordKind::product, legacy_id(n.at("subjectId")), created});
    }

    // ------------------------------------------------------------- bulk

    void start_bulk() {
        cursor_.stage = Stage::bulk;
        phase_ = Phase::bulk_run;
    }

    void on_bulk_run(const json::Node& data, sdk::Result& out) {
        const auto result = data.at("bulkOperationRunQuery");
        if (auto op = result.find("bulkOperation")) {
            cursor_.bulk_id = std::string(op->at("id").str());
            phase_ = Phase::bulk_poll;
            // Known from now on: a restart polls this operation rather than starting another.
            out.commit(cursor_.to_json());
            return;
        }
        std::string messages;
        bool running = false;
        result.at("userErrors").for_each([&](const json::Node& e) {
            const std::string m(e.at("message").str());
            if (m.find("already in progress") != std::string::npos) running = true;
            if (!m.empty()) messages += (messages.empty() ? "" : "; ") + m;
        });
        if (!running) throw sdk::bad_response("shopify: bulk operation refused: " + messages);
        // One bulk query per shop and app at a time (API 2025-10): adopt it if it is
        // ours (a previous run of this job), else wait for it to end.
        host().log(sdk::LogLevel::info, "shopify: " + messages + "; waiting for it");
        phase_ = Phase::bulk_current;
    }

    void on_bulk_current(const json::Node& data) {
        const auto op = data.find("currentBulkOperation");
        const bool active = op && (op->at("status").str() == "CREATED" || op->at("status").str() == "RUNNING" ||
                                   op->at("status").str() == "CANCELING");
        if (!active) {
            phase_ = Phase::bulk_run;
            return;
        }
        const std::string query(op->str_or("query", ""));
        if (query == (bulk_kind_products() ? products_bulk_query() : orders_bulk_query())) {
            cursor_.bulk_id = std::string(op->at("id").str());
            phase_ = Phase::bulk_poll;
            return;
        }
        wait_before_next_ms_ = bulk_poll_ms;
    }

    void on_bulk_poll(const json::Node& data, sdk::Result& out) {
        const auto op = data.at("node");
        const auto status_node = op.at("status");
        const std::string status =
            enum_value(status_node, {"CANCELED", "CANCELING", "COMPLETED", "CREATED", "EXPIRED", "FAILED", "RUNNING"});
        if (status == "created" || status == "running") {
            wait_before_next_ms_ = bulk_poll_ms;
            return;
        }
        if (status != "completed") {
            const std::string code(op.str_or("errorCode", ""));
            if (code == "ACCESS_DENIED")
                throw sdk::Error(PCGD_ERR_AUTH, "Shopify denied the bulk operation access (a read scope is missing)");
            if (++bulk_failures_ > max_bulk_failures)
                throw sdk::bad_response("shopify: bulk operation " + cursor_.bulk_id + " ended " + status + " " + code);
            host().log(sdk::LogLevel::warn, "shopify: bulk operation " + cursor_.bulk_id + " ended " + status + " " + code +
                                                "; starting another");
            cursor_.bulk_id.clear();
            phase_ = Phase::bulk_run;
            out.commit(cursor_.to_json());
            return;
        }
        bulk_failures_ = 0;
        cursor_.bulk_objects = op.at("objectCount").i64_lenient();
        cursor_.bulk_lines = 0;
        if (auto url = op.find("url")) {
            cursor_.bulk_url = std::string(url->str());
            phase_ = Phase::bulk_download;
            out.commit(cursor_.to_json());
            return;
        }
        if (cursor_.bulk_objects != 0) op.fail("COMPLETED with " + std::to_string(cursor_.bulk_objects) + " objects but no url");
        finish_bulk(out);  // nothing to read: an empty shop
    }

    void reset_bulk_stream() {
        carry_.clear();
        lines_read_ = 0;
        parent_start_line_ = 0;
        parents_since_commit_ = 0;
        product_.reset();
        order_.reset();
        variants_.clear();
    }

    void on_bulk_chunk(const sdk::Response& response, sdk::Result& out) {
        if (response.status() != 200)
            throw sdk::bad_response("shopify: HTTP " + std::to_string(response.status()) + " for the bulk result download: " +
                                    snippet(response.body()));
        std::string_view chunk = response.body();
        while (!chunk.empty()) {
            const auto nl = chunk.find('\n');
            if (nl == std::string_view::npos) {
                carry_.append(chunk);
                break;
            }
            if (carry_.empty()) {
                on_bulk_line(chunk.substr(0, nl));
            } else {
                carry_.append(chunk.substr(0, nl));
                on_bulk_line(carry_);
                carry_.clear();
            }
            chunk.remove_prefix(nl + 1);
        }
        if (!response.final_chunk()) {
            if (parents_since_commit_ >= bulk_checkpoint_parents) {
                cursor_.bulk_lines = parent_start_line_;
                parents_since_commit_ = 0;
                out.commit(cursor_.to_json());
            }
            return;
        }
        if (!carry_.empty()) {
            on_bulk_line(carry_);  // a last line without its newline
            carry_.clear();
        }
        // A cut-off file can end exactly at a line break; the operation's count says.
        if (lines_read_ != cursor_.bulk_objects)
            throw sdk::bad_response("shopify: the bulk result has " + std::to_string(lines_read_) + " lines, the operation reported " +
                                    std::to_string(cursor_.bulk_objects));
        flush_parent();
        finish_bulk(out);
    }

    /// After a complete bulk read: the next runs are incremental from what it saw.
    void finish_bulk(sdk::Result& out) {
        cursor_.bulk_id.clear();
        cursor_.bulk_url.clear();
        cursor_.bulk_objects = cursor_.bulk_lines = 0;
        cursor_.after.reset();
        if (bulk_kind_products()) {
            // Deletions are read in full once: products deleted before this sync are not in the store anyway.
            cursor_.stage = Stage::deletions;
            phase_ = Phase::page;
        } else {
            cursor_.stage = Stage::orders;
            done_ = true;
        }
        out.commit(cursor_.to_json());
    }

    void on_bulk_line(std::string_view line) {
        const std::int64_t line_no = lines_read_++;
        if (line_no < cursor_.bulk_lines) return;  // committed before a restart
        if (line.empty()) throw sdk::bad_response("shopify: bulk result line " + std::to_string(line_no + 1) + " is empty");
        // A small arena per line: a document's allocator never gives memory back otherwise.
        rapidjson::MemoryPoolAllocator<> allocator(line_arena_.data(), line_arena_.size());
        rapidjson::Document doc(&allocator);
        doc.Parse<rapidjson::kParseFullPrecisionFlag>(line.data(), line.size());
        const std::string where = "bulk line " + std::to_string(line_no + 1);
        if (doc.HasParseError())
            throw sdk::bad_response("shopify: " + where + " is not valid JSON at byte " + std::to_string(doc.GetErrorOffset()) + ": " +
                                    rapidjson::GetParseError_En(doc.GetParseError()));
        try {
            const json::Node n(doc, where);
            const auto type = n.find("__typename");
            if (!n.has("__parentId")) {
                flush_parent();
                parent_start_line_ = line_no;
                ++parents_since_commit_;
                const std::string_view expected = bulk_kind_products() ? "Product" : "Order";
                if (!type || type->str() != expected) n.fail("expected a " + std::string(expected) + " row");
                if (bulk_kind_products()) {
                    product_ = product_head(n);
                } else {
                    order_ = order_head(n);
                }
                return;
            }
            if (!type) return;  // a media row of another kind (video, 3D model): nothing we keep
            const auto parent = n.at("__parentId");
            const std::string_view t = type->str();
            if (bulk_kind_products() && product_) {
                if (t == "MediaImage") {
                    if (auto im = image_of(n)) product_->images.push_back(std::move(*im));
                    return;
                }
                if (t == "ProductVariant") {
                    variants_.emplace_back(std::string(n.at("id").str()),
                                           variant_of(n, n.at("inventoryItem"), product_->id, product_->active));
                    return;
                }
                if (t == "InventoryLevel") {
                    for (auto& [gid, v] : variants_)
                        if (gid == parent.str()) return add_level(v, n);
                    parent.fail("no variant '" + std::string(parent.str()) + "' before this row");
                }
            } else if (!bulk_kind_products() && order_ && t == "LineItem") {
                order_->order.lines.push_back(line_of(n, *order_));
                return;
            }
            type->fail("unexpected row '" + std::string(t) + "' (parent " + std::string(parent.str()) + ")");
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(std::string("shopify: ") + e.what());
        }
    }

    /// A parent is complete when the next parent row (or the end) arrives.
    void flush_parent() {
        if (product_) {
            host().emit(*product_);
            for (const auto& [gid, v] : variants_) host().emit(v);
            product_.reset();
            variants_.clear();
        }
        if (order_) {
            emit_order(*order_);
            order_.reset();
        }
    }

    // Settings.
    std::string graphql_url_, token_;
    std::int64_t page_size_ = 250;
    bool bulk_ = true;
    model::Currency shop_currency_;
    // Across jobs.
    bool token_accepted_ = false;
    // This job.
    sdk::Dataset dataset_ = sdk::Dataset::orders;
    Cursor cursor_;
    Phase phase_ = Phase::page;
    bool done_ = false;
    std::uint32_t repeats_after_401_ = 0;
    static constexpr std::uint32_t max_repeats_after_401 = 3;
    std::uint32_t wait_before_next_ms_ = 0;
    std::int64_t requested_cost_ = 1;
    int bulk_failures_ = 0;
    // The page in progress, held until its nested connections are read.
    std::vector<HeldProduct> held_products_;
    std::vector<OrderParts> held_orders_;
    std::deque<Fetch> fetches_;
    std::optional<std::string> page_next_;
    // The bulk download in progress.
    std::string carry_;  // the partial last line of the previous chunk
    std::int64_t lines_read_ = 0, parent_start_line_ = 0, parents_since_commit_ = 0;
    std::optional<model::Product> product_;
    std::vector<std::pair<std::string, model::Variant>> variants_;  // (gid, variant) of product_
    std::optional<OrderParts> order_;
    std::array<char, 16 * 1024> line_arena_{};
};

}  // namespace
}  // namespace pcgd::shopify

PCGD_DECLARE_PLUGIN(pcgd::shopify::ShopifyPlugin)
