// "shopify": the GraphQL Admin API as the Shopify plugin uses it.
//
// POST /admin/api/VERSION/graphql.json with X-Shopify-Access-Token. Requests
// are recognised by their root field (products, orders, events,
// bulkOperationRunQuery, node, currentBulkOperation) and honour `first`,
// `after` and the `query` search filter; answers carry the fields the plugin
// asks for, in Shopify's shapes (GIDs, Money strings, MoneyBags), and the
// cost extension of a leaky bucket in cost points (THROTTLED at HTTP 200 when
// the requested cost exceeds what is available). Bulk operations run through
// CREATED, RUNNING, COMPLETED as they are polled and serve their JSONL result
// (children after their parent, with __parentId) from /bulk-results/N.jsonl.
// See docs/shopify.md.
#include <pcgd/emulator/platform.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <optional>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pcgd/sdk/text.hpp>
#include <chrono>

namespace pcgd::emulator {
namespace {

using model::TimestampMs;

constexpr const char* access_token = "shpat_pcgd_emulator_token";
// The app of the OAuth routes (/admin/oauth/authorize, /admin/oauth/access_token).
constexpr const char* client_id = "pcgd-emulator-client";
constexpr const char* client_secret = "pcgd-emulator-client-secret";
constexpr const char* pinned_version = "2025-10";
constexpr std::int64_t max_query_cost = 1000;
// Standard plan, as the samples show it: 2000 points, 100 restored per second.
constexpr double default_bucket_points = 2000;
constexpr double default_restore_per_s = 100;
// Node costs of the connections the plugin reads (see docs/shopify.md).
constexpr std::int64_t product_node_cost = 3, order_node_cost = 3, event_node_cost = 1, stock_node_cost = 3, nested_node_cost = 1;
constexpr std::int64_t mutation_cost = 10;
/// A bulk operation completes on its second poll: deterministic, no clock.
constexpr int polls_to_complete = 2;

std::string gid(std::string_view type, std::string_view id) { return "gid://shopify/" + std::string(type) + "/" + std::string(id); }
std::string iso(TimestampMs t) { return model::format_iso8601(t); }

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

/// Locations are named ("gb-wh-1") in the generator; Shopify's are numbers.
std::string location_number(const ShopData& d, const std::string& name) {
    for (std::size_t i = 0; i < d.locations.size(); ++i)
        if (d.locations[i].id == name) return std::to_string(65544149100ull + i + 1);
    return "0";
}

/// The search syntax subset the plugin sends: terms joined by AND, each
/// `field:value` or `field:>=value` / `field:>value`, values optionally quoted.
struct Filter {
    std::optional<TimestampMs> updated_min, created_min;
    bool strict_updated = false, strict_created = false;
    std::string subject_type, action;

    static std::optional<Filter> parse(std::string_view q, std::string& error) {
        Filter f;
        while (!q.empty()) {
            const auto sep = q.find(" AND ");
            std::string_view term = q.substr(0, sep);
            q = sep == std::string_view::npos ? std::string_view{} : q.substr(sep + 5);
            const auto colon = term.find(':');
            if (colon == std::string_view::npos) {
                error = "unsupported search term '" + std::string(term) + "'";
                return std::nullopt;
            }
            const std::string_view field = term.substr(0, colon);
            std::string_view value = term.substr(colon + 1);
            bool strict = false, at_least = false;
            if (value.rfind(">=", 0) == 0) at_least = true, value.remove_prefix(2);
            else if (value.rfind(">", 0) == 0) strict = true, value.remove_prefix(1);
            if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front())
                value = value.substr(1, value.size() - 2);
            if (field == "updated_at" || field == "created_at") {
                auto t = model::parse_iso8601(value);
                if (!t || !(strict || at_least)) {
                    error = "unsupported search term '" + std::string(term) + "'";
                    return std::nullopt;
                }
                (field == "updated_at" ? f.updated_min : f.created_min) = *t;
                (field == "updated_at" ? f.strict_updated : f.strict_created) = strict;
            } else if (field == "subject_type") {
                f.subject_type = std::string(value);
            } else if (field == "action") {
                f.action = std::string(value);
            } else {
                error = "unsupported search field '" + std::string(field) + "'";
                return std::nullopt;
            }
        }
        return f;
    }

    static bool after(TimestampMs t, const std::optional<TimestampMs>& min, bool strict) {
        return !min || (strict ? t > *min : t >= *min);
    }
};

/// Opaque to clients; decoded it is Shopify's {"last_id":...,"last_value":...}.
std::string page_cursor(std::uint64_t id, TimestampMs sort_value) {
    return base64url_encode(R"({"last_id":)" + std::to_string(id) + R"(,"last_value":")" + std::to_string(sort_value) + "\"}");
}

std::optional<std::pair<TimestampMs, std::uint64_t>> decode_cursor(const std::string& cursor) {
    auto raw = base64url_decode(cursor);
    if (!raw) return std::nullopt;
    rapidjson::Document d;
    d.Parse(raw->c_str(), raw->size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("last_id") || !d["last_id"].IsUint64() || !d.HasMember("last_value") ||
        !d["last_value"].IsString())
        return std::nullopt;
    TimestampMs v = 0;
    const std::string_view s = d["last_value"].GetString();
    if (std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc()) return std::nullopt;
    return std::make_pair(v, d["last_id"].GetUint64());
}

void put_money(json::Writer& w, std::string_view key, const std::optional<model::Money>& m) {
    w.key(key);
    if (m) w.value(m->decimal());
    else w.null();
}

/// A MoneyBag; the presentment side repeats the shop amount when the buyer
/// paid in the shop's currency, as Shopify does.
void put_bag(json::Writer& w, std::string_view key, const model::MoneyBag& b) {
    const model::Money& p = b.presentment ? *b.presentment : b.shop;
    w.key(key).begin_object();
    w.key("shopMoney").begin_object().field("amount", b.shop.decimal()).field("currencyCode", b.shop.currency.code()).end_object();
    w.key("presentmentMoney").begin_object().field("amount", p.decimal()).field("currencyCode", p.currency.code()).end_object();
    w.end_object();
}

model::MoneyBag minus(model::MoneyBag a, const model::MoneyBag& b) {
    a.shop -= b.shop;
    if (a.presentment && b.presentment) *a.presentment -= *b.presentment;
    return a;
}

/// How many children a page query asks for in each nested connection
/// (`media(first: 10)`); none: all of them, as in a bulk query.
struct NestedFirst {
    std::optional<std::int64_t> media, variants, levels, lines;

    static NestedFirst of(std::string_view query) {
        const auto first = [&](std::string_view connection) -> std::optional<std::int64_t> {
            const std::string key = " " + std::string(connection) + "(first: ";
            const auto at = query.find(key);
            std::int64_t n = 0;
            if (at == std::string_view::npos ||
                std::from_chars(query.data() + at + key.size(), query.data() + query.size(), n).ec != std::errc())
                return std::nullopt;
            return n;
        };
        return NestedFirst{first("media"), first("variants"), first("inventoryLevels"), first("lineItems")};
    }
};

/// Writes the nested connection `key` of `items` from `start` on, at most
/// `first` of them; its cursors are positions.
template <class T, class Write>
std::int64_t write_nested(json::Writer& w, std::string_view key, const std::vector<T>& items, std::size_t start,
                          std::optional<std::int64_t> first, Write write) {
    start = std::min(start, items.size());
    const std::size_t end = first ? std::min(items.size(), start + static_cast<std::size_t>(*first)) : items.size();
    w.key(key).begin_object().key("pageInfo").begin_object().field("hasNextPage", end < items.size()).key("endCursor");
    if (end > start) w.value(page_cursor(end - 1, 0));
    else w.null();
    w.end_object().key("nodes").begin_array();
    for (std::size_t i = start; i < end; ++i) write(w, items[i]);
    w.end_array().end_object();
    return static_cast<std::int64_t>(end - start);
}

/// The numeric tail of a GID variable ("gid://shopify/Product/12" -> "12").
std::string id_variable(const rapidjson::Value& vars) {
    if (!vars.HasMember("id") || !vars["id"].IsString()) return {};
    const std::string gid = vars["id"].GetString();
    return gid.substr(gid.rfind('/') + 1);
}

/// The recorded payloads of `--data samples` (tests/data/shopify, see its
/// SOURCES.md): served as they are, and the ground truth is what they hold.
struct Samples {
    std::string products, orders;  // the `products` / `orders` connection of each page, as JSON
    std::string bulk_products, bulk_orders;

    static std::string read(const std::filesystem::path& file) {
        std::ifstream in(file);
        if (!in) throw std::invalid_argument("--data samples: cannot read " + file.string());
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    /// `option` is "samples" (the fixtures beside this file's tests) or "samples=DIR".
    static Samples load(const std::string& option, ShopData& data) {
        const std::filesystem::path dir = option == "samples"
                                              ? std::filesystem::path(PCGD_SHOPIFY_SAMPLES_DIR)
                                              : std::filesystem::path(option.substr(std::string_view("samples=").size()));
        Samples s;
        s.bulk_products = read(dir / "bulk_products.jsonl");
        s.bulk_orders = read(dir / "bulk_orders.jsonl");
        rapidjson::Document products, orders;
        json::parse(products, read(dir / "products_page.json"), "products_page.json");
        json::parse(orders, read(dir / "orders_page.json"), "orders_page.json");
        s.products = serialise(products["data"]["products"]);
        s.orders = serialise(orders["data"]["orders"]);
        truth_of(products, orders, data);
        return s;
    }

    static std::string serialise(const rapidjson::Value& v) {
        rapidjson::StringBuffer out;
        rapidjson::Writer<rapidjson::StringBuffer> w(out);
        v.Accept(w);
        return out.GetString();
    }

    static std::string tail(const rapidjson::Value& gid) {
        const std::string s = gid.GetString();
        return s.substr(s.rfind('/') + 1);
    }

    /// Replaces the generated shop by what the samples hold: the records the
    /// ground truth counts, and the orders' totals in shop money.
    static void truth_of(const rapidjson::Document& products, const rapidjson::Document& orders, ShopData& data) {
        data.products.clear();
        data.orders.clear();
        data.traffic.clear();
        data.deletions.clear();
        for (const auto& p : products["data"]["products"]["nodes"].GetArray()) {
            ProductData pd;
            pd.product.id = tail(p["id"]);
            for (const auto& v : p["variants"]["nodes"].GetArray()) {
                model::Variant variant;
                variant.id = tail(v["id"]);
                pd.variants.push_back(std::move(variant));
            }
            data.products.push_back(std::move(pd));
        }
        for (const auto& o : orders["data"]["orders"]["nodes"].GetArray()) {
            OrderData od;
            const auto currency = *model::Currency::parse(o["currencyCode"].GetString());
            data.shop.currency = currency;
            od.order.id = tail(o["id"]);
            od.order.total.shop = model::Money::parse(o["totalPriceSet"]["shopMoney"]["amount"].GetString(), currency);
            for (const auto& l : o["lineItems"]["nodes"].GetArray()) {
                model::OrderLine line;
                line.id = tail(l["id"]);
                od.order.lines.push_back(std::move(line));
            }
            for (const auto& r : o["refunds"].GetArray()) {
                model::Refund refund{};
                refund.id = tail(r["id"]);
                od.refunds.push_back(std::move(refund));
            }
            data.orders.push_back(std::move(od));
        }
    }
};

struct BulkOperation {
    std::uint64_t number = 0;
    std::string kind;   // products or orders
    std::string query;  // as submitted
    std::string status = "CREATED";
    int polls = 0;
    std::string jsonl;  // the result, fixed when the operation completes
    std::int64_t objects = 0, roots = 0;
    std::string gid() const { return pcgd::emulator::gid("BulkOperation", std::to_string(number)); }
};

class Shopify final : public PlatformModule {
public:
    Shopify(ShopData& data, const ModuleOptions& options)
        : PlatformModule(data, options),
          capacity_(options.rate_limit_given ? options.bucket_capacity : default_bucket_points),
          restore_per_s_(options.rate_limit_given ? options.leak_per_s : default_restore_per_s),
          available_(capacity_) {
        // The Admin API has no per-product views: this shop serves no traffic.
        data.traffic.clear();
        if (options.data.rfind("samples", 0) == 0) samples_ = Samples::load(options.data, data);
        else if (options.data != "generated")
            throw std::invalid_argument("--data: expected generated, samples or samples=DIR, got '" + options.data + "'");
    }

    std::string_view name() const override { return "shopify"; }

    /// The shared changes, then stock moves on two products the step left alone:
    /// only their inventory items' updatedAt changes, as in Shopify.
    MutationReport mutate() override {
        if (samples_) return MutationReport{};  // recorded payloads do not change
        MutationReport report = PlatformModule::mutate();
        auto& products = data().products;
        int restocked = 0;
        for (std::size_t k = 0; k < products.size() && restocked < 2; ++k) {
            ProductData& p = products[(static_cast<std::size_t>(report.step) * 7 + k) % products.size()];
            const auto& edited = report.products_updated;
            if (p.deleted || p.variants.empty() || p.variants.front().stock.empty() ||
                std::find(edited.begin(), edited.end(), p.product.id) != edited.end())
                continue;
            model::Variant& v = p.variants.front();
            const std::int64_t delta = 3 + report.step;
            v.stock.front().quantity += delta;
            if (v.stock_total) *v.stock_total += delta;
            restocked_at_[v.id] = data().clock_ms;
            ++restocked;
        }
        return report;
    }

    bool is_data_route(const Request& r) const override {
        return graphql_version(r.path).has_value() || r.path.rfind("/bulk-results/", 0) == 0;
    }

    void write_credentials(json::Writer& w) const override {
        w.field("access_token", access_token).field("api_version", pinned_version);
        w.field("client_id", client_id).field("client_secret", client_secret);
    }

    Response expire_token(const Request& r) override {
        // A signed download URL refuses as the storage service does.
        if (r.path.rfind("/bulk-results/", 0) == 0) {
            Response res;
            res.status = 403;
            res.content_type = "application/xml";
            res.body = "<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>";
            return res;
        }
        // Admin API tokens do not expire; a refused one reads like this.
        return unauthorized();
    }

    Response too_many_requests(int retry_after_s) const override {
        Response r = Response::json(429, R"({"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})");
        r.header("Retry-After", std::to_string(retry_after_s) + ".0");
        return r;
    }

    Response handle(const Request& r) override {
        if (r.path.rfind("/bulk-results/", 0) == 0) return download(r);
        if (r.path == "/admin/oauth/authorize") return authorize(r);
        if (r.path == "/admin/oauth/access_token") return exchange_code(r);
        const auto version = graphql_version(r.path);
        if (!version) return Response::json(404, R"({"errors":"Not Found"})");
        if (r.header("x-shopify-access-token").value_or("") != access_token) return unauthorized();
        if (r.method != "POST") return Response::json(405, R"({"errors":"Method Not Allowed"})");
        Response res = graphql(r);
        res.header("X-Shopify-API-Version", *version);
        return res;
    }

private:
    static std::string hex_hmac(std::string_view key, std::string_view data) {
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), out, &n);
        static constexpr char digits[] = "0123456789abcdef";
        std::string hex;
        for (unsigned i = 0; i < n; ++i) hex += std::string{digits[out[i] >> 4], digits[out[i] & 15]};
        return hex;
    }

    /// The owner approves at once: a redirect to redirect_uri with code, hmac,
    /// host, shop, state and timestamp, signed as Shopify does (the sorted
    /// decoded parameters but hmac, HMAC-SHA256 with the client secret, hex).
    /// Emulator only: `pcgd_emulator_decline=a,b` leaves those scopes out.
    Response authorize(const Request& r) {
        if (r.param("client_id").value_or("") != client_id)
            return Response::json(400, R"({"errors":"Oauth error invalid_request: The client_id is invalid"})");
        const std::string redirect = r.param("redirect_uri").value_or("");
        if (redirect.rfind("http://", 0) != 0 && redirect.rfind("https://", 0) != 0)
            return Response::json(400, R"({"errors":"Oauth error invalid_request: The redirect_uri is missing or not whitelisted"})");
        std::string scopes, declined = "," + r.param("pcgd_emulator_decline").value_or("") + ",";
        std::string requested = r.param("scope").value_or("");
        for (std::size_t at = 0; at <= requested.size();) {
            const auto comma = std::min(requested.find(',', at), requested.size());
            const std::string scope = requested.substr(at, comma - at);
            if (!scope.empty() && declined.find("," + scope + ",") == std::string::npos)
                scopes += (scopes.empty() ? "" : ",") + scope;
            at = comma + 1;
        }
        const std::string code = "code" + std::to_string(++codes_issued_);
        codes_[code] = scopes;
        const std::string shop = r.header("host").value_or("127.0.0.1");
        std::map<std::string, std::string> params = {
            {"code", code}, {"host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvcGNnZA"}, {"shop", shop},
            {"state", r.param("state").value_or("")},
            {"timestamp", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count())}};
        std::string message;
        for (const auto& [k, v] : params) message += (message.empty() ? "" : "&") + k + "=" + v;
        params["hmac"] = hex_hmac(client_secret, message);
        std::string location = redirect + (redirect.find('?') == std::string::npos ? "?" : "&");
        bool first = true;
        for (const auto& [k, v] : params) {
            location += (first ? "" : "&") + k + "=" + sdk::url_encode(v);
            first = false;
        }
        Response res;
        res.status = 302;
        res.content_type = "text/html";
        res.body = "<html><body>You are being redirected.</body></html>";
        res.header("Location", location);
        return res;
    }

    /// POST client_id, client_secret, code (form or JSON body): the offline token once per code.
    Response exchange_code(const Request& r) {
        if (r.method != "POST") return Response::json(405, R"({"errors":"Method Not Allowed"})");
        std::map<std::string, std::string> form;
        const std::string& body = r.body;
        for (std::size_t at = 0; at < body.size();) {
            const auto amp = std::min(body.find('&', at), body.size());
            const std::string pair = body.substr(at, amp - at);
            const auto eq = pair.find('=');
            if (eq != std::string::npos) form[pair.substr(0, eq)] = url_decode(pair.substr(eq + 1));
            at = amp + 1;
        }
        const auto code = codes_.find(form["code"]);
        if (form["client_id"] != client_id || form["client_secret"] != client_secret || code == codes_.end())
            return Response::json(400, R"({"error":"invalid_request","error_description":"The authorization code was not found or was already used"})");
        json::Writer w;
        w.begin_object().field("access_token", access_token).field("scope", code->second).end_object();
        codes_.erase(code);
        return Response::json(200, std::string(w.view()));
    }

    static std::string url_decode(std::string_view s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '+') out += ' ';
            else if (s[i] == '%' && i + 2 < s.size()) {
                out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
                i += 2;
            } else out += s[i];
        }
        return out;
    }

    static Response unauthorized() {
        return Response::json(401, R"J({"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"})J");
    }

    static std::optional<std::string> graphql_version(const std::string& path) {
        constexpr std::string_view prefix = "/admin/api/", suffix = "/graphql.json";
        if (path.rfind(prefix, 0) != 0 || path.size() != prefix.size() + 7 + suffix.size() ||
            path.compare(prefix.size() + 7, suffix.size(), suffix) != 0)
            return std::nullopt;
        return path.substr(prefix.size(), 7);
    }

    // ------------------------------------------------------------- cost

    void restore() {
        const std::int64_t now = options().steady_now_ms();
        if (last_ms_ >= 0 && now > last_ms_) available_ = std::min(capacity_, available_ + restore_per_s_ * static_cast<double>(now - last_ms_) / 1000.0);
        if (now > last_ms_) last_ms_ = now;
    }

    void put_cost(json::Writer& w, std::int64_t requested, std::optional<std::int64_t> actual) {
        w.key("extensions").begin_object().key("cost").begin_object();
        w.field("requestedQueryCost", requested).key("actualQueryCost");
        if (actual) w.value(*actual);
        else w.null();
        w.key("throttleStatus").begin_object().field("maximumAvailable", capacity_);
        w.field("currentlyAvailable", static_cast<std::int64_t>(std::floor(available_))).field("restoreRate", restore_per_s_);
        w.end_object().end_object().end_object();
    }

    Response error_response(std::string_view message, std::string_view code, std::int64_t requested) {
        json::Writer w;
        w.begin_object().key("errors").begin_array().begin_object().field("message", message);
        w.key("extensions").begin_object().field("code", code).end_object().end_object().end_array();
        put_cost(w, requested, std::nullopt);
        w.end_object();
        return Response::json(200, std::string(w.view()));
    }

    // ------------------------------------------------------------- GraphQL

    /// The root field and operation type of a document ("products", false).
    static std::pair<std::string, bool> root_of(std::string_view doc) {
        const bool mutation = doc.substr(0, doc.find('{')).find("mutation") != std::string_view::npos;
        auto brace = doc.find('{');
        if (brace == std::string_view::npos) return {"", mutation};
        std::size_t i = brace + 1;
        while (i < doc.size() && (doc[i] == ' ' || doc[i] == '\n')) ++i;
        std::size_t j = i;
        while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == '_')) ++j;
        return {std::string(doc.substr(i, j - i)), mutation};
    }

    Response graphql(const Request& r) {
        rapidjson::Document body;
        body.Parse(r.body.c_str(), r.body.size());
        if (body.HasParseError() || !body.IsObject() || !body.HasMember("query") || !body["query"].IsString())
            return Response::json(400, R"({"errors":{"query":"Required parameter missing or invalid"}})");
        static const rapidjson::Value empty(rapidjson::kObjectType);
        const rapidjson::Value& vars = body.HasMember("variables") && body["variables"].IsObject() ? body["variables"] : empty;
        const auto [root, mutation] = root_of(body["query"].GetString());

        std::int64_t first = 0;
        const bool connection = root == "products" || root == "orders" || root == "events" || root == "inventoryItems" ||
                                root == "product" || root == "inventoryItem" || root == "order";
        if (connection && !mutation) {
            if (!vars.HasMember("first") || !vars["first"].IsInt64() || vars["first"].GetInt64() < 1 || vars["first"].GetInt64() > 250)
                return error_response("Variable $first of type Int! must be between 1 and 250", "BAD_USER_INPUT", 0);
            first = vars["first"].GetInt64();
        }
        const std::int64_t node_cost = root == "products"         ? product_node_cost
                                       : root == "orders"         ? order_node_cost
                                       : root == "inventoryItems" ? stock_node_cost
                                       : root == "events"         ? event_node_cost
                                                                  : nested_node_cost;
        std::int64_t requested = 1;
        if (mutation) requested = mutation_cost;
        else if (first > 0) requested = 2 + first * node_cost;
        if (requested > max_query_cost)
            return error_response("Query cost is " + std::to_string(requested) + ", which exceeds the single query max cost limit (1000).",
                                  "MAX_COST_EXCEEDED", requested);
        restore();
        if (static_cast<double>(requested) > available_) return error_response("Throttled", "THROTTLED", requested);
        available_ -= static_cast<double>(requested);

        json::Writer w;
        w.begin_object().key("data").begin_object();
        std::int64_t returned = 0;
        std::string error;
        const std::string_view query = body["query"].GetString();
        if (samples_ && (root == "products" || root == "orders" || root == "inventoryItems") && !mutation)
            returned = sample_page(w, root, vars);
        else if (root == "products" && !mutation) returned = products(w, vars, first, NestedFirst::of(query), error);
        else if (root == "orders" && !mutation) returned = orders(w, vars, first, NestedFirst::of(query), error);
        else if (root == "inventoryItems" && !mutation) returned = inventory_items(w, vars, first, NestedFirst::of(query), error);
        else if ((root == "product" || root == "inventoryItem" || root == "order") && !mutation)
            returned = follow_up(w, root, query, vars, first, error);
        else if (root == "events" && !mutation) returned = events(w, vars, first, error);
        else if (root == "bulkOperationRunQuery" && mutation) bulk_run(w, r, vars);
        else if (root == "node" && !mutation) bulk_node(w, r, vars);
        else if (root == "currentBulkOperation" && !mutation) bulk_current(w, r);
        else error = "Field '" + root + "' doesn't exist on type '" + (mutation ? "Mutation" : "QueryRoot") + "'";
        if (!error.empty()) {
            available_ += static_cast<double>(requested);
            return error_response(error, "BAD_USER_INPUT", requested);
        }
        w.end_object();
        // Refund the difference between what was asked for and what was served.
        const std::int64_t actual = first > 0 ? 2 + returned * node_cost : requested;
        available_ = std::min(capacity_, available_ + static_cast<double>(requested - actual));
        put_cost(w, requested, actual);
        w.end_object();
        return Response::json(200, std::string(w.view()));
    }

    /// Pages `items` (already filtered) sorted by (sort value, id) after `after`.
    template <class Item, class Key, class Write>
    std::int64_t page(json::Writer& w, const char* root, std::vector<Item> items, Key key, const rapidjson::Value& vars,
                      std::int64_t first, std::string& error, Write write) {
        std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) { return key(a) < key(b); });
        auto begin = items.begin();
        if (vars.HasMember("after") && vars["after"].IsString()) {
            auto pos = decode_cursor(vars["after"].GetString());
            if (!pos) {
                error = "Invalid cursor for current pagination sort.";
                return 0;
            }
            begin = std::upper_bound(items.begin(), items.end(), *pos, [&](const auto& p, const Item& x) { return p < key(x); });
        }
        const auto available = static_cast<std::int64_t>(items.end() - begin);
        const std::int64_t n = std::min(available, first);
        w.key(root).begin_object().key("pageInfo").begin_object().field("hasNextPage", n < available);
        w.key("endCursor");
        if (n > 0) {
            const auto [v, id] = key(begin[n - 1]);
            w.value(page_cursor(id, v));
        } else {
            w.null();
        }
        w.end_object().key("nodes").begin_array();
        for (std::int64_t i = 0; i < n; ++i) write(w, begin[i]);
        w.end_array().end_object();
        return n;
    }

    std::optional<Filter> filter_of(const rapidjson::Value& vars, std::string& error) const {
        if (!vars.HasMember("query") || vars["query"].IsNull()) return Filter{};
        if (!vars["query"].IsString()) {
            error = "Variable $query of type String must be a string";
            return std::nullopt;
        }
        return Filter::parse(vars["query"].GetString(), error);
    }

    std::int64_t products(json::Writer& w, const rapidjson::Value& vars, std::int64_t first, const NestedFirst& nested, std::string& error) {
        auto f = filter_of(vars, error);
        if (!f) return 0;
        std::vector<const ProductData*> items;
        for (const auto& p : data().products)
            if (!p.deleted && Filter::after(*p.product.updated_at, f->updated_min, f->strict_updated) &&
                Filter::after(*p.product.created_at, f->created_min, f->strict_created))
                items.push_back(&p);
        return page(
            w, "products", std::move(items), [](const ProductData* p) { return std::make_pair(*p->product.updated_at, p->key); }, vars,
            first, error, [&](json::Writer& out, const ProductData* p) { write_product(out, *p, &nested); });
    }

    std::int64_t orders(json::Writer& w, const rapidjson::Value& vars, std::int64_t first, const NestedFirst& nested, std::string& error) {
        auto f = filter_of(vars, error);
        if (!f) return 0;
        std::vector<const OrderData*> items;
        for (const auto& o : data().orders)
            if (Filter::after(*o.order.updated_at, f->updated_min, f->strict_updated) &&
                Filter::after(o.order.created_at, f->created_min, f->strict_created))
                items.push_back(&o);
        return page(
            w, "orders", std::move(items), [](const OrderData* o) { return std::make_pair(*o->order.updated_at, o->key); }, vars, first,
            error, [&](json::Writer& out, const OrderData* o) { write_order(out, *o, &nested); });
    }

    /// The recorded page, whole, as the first page; nothing after it. The
    /// samples record no stock change of their own: no inventory items.
    std::int64_t sample_page(json::Writer& w, const std::string& root, const rapidjson::Value& vars) const {
        const bool first_page = !vars.HasMember("after") || vars["after"].IsNull();
        w.key(root);
        if (root == "inventoryItems" || !first_page) {
            w.raw(R"({"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]})");
            return 0;
        }
        w.raw(root == "products" ? samples_->products : samples_->orders);
        return static_cast<std::int64_t>(root == "products" ? data().products.size() : data().orders.size());
    }

    /// Inventory items (one per variant) whose updatedAt passes the filter, by id.
    std::int64_t inventory_items(json::Writer& w, const rapidjson::Value& vars, std::int64_t first, const NestedFirst& nested,
                                 std::string& error) {
        auto f = filter_of(vars, error);
        if (!f) return 0;
        using Item = std::pair<const ProductData*, const model::Variant*>;
        std::vector<Item> items;
        for (const auto& p : data().products)
            if (!p.deleted)
                for (const auto& v : p.variants)
                    if (Filter::after(item_updated_at(v), f->updated_min, f->strict_updated)) items.emplace_back(&p, &v);
        return page(
            w, "inventoryItems", std::move(items),
            [](const Item& i) { return std::make_pair(TimestampMs{0}, static_cast<std::uint64_t>(std::stoull(i.second->id))); }, vars,
            first, error, [&](json::Writer& out, const Item& i) {
                const model::Variant& v = *i.second;
                out.begin_object();
                write_item_fields(out, v);
                out.key("variant").begin_object();
                write_variant_fields(out, v);
                out.key("product").begin_object().field("id", gid("Product", i.first->product.id)).field("status", upper(i.first->status));
                out.end_object().end_object();
                write_nested(out, "inventoryLevels", v.stock, 0, nested.levels,
                             [&](json::Writer& o, const model::StockLevel& s) { write_level(o, v, s, nullptr); });
                out.end_object();
            });
    }

    /// The rest of one product's, inventory item's or order's nested
    /// connection, read on from `after` (a position).
    std::int64_t follow_up(json::Writer& w, const std::string& root, std::string_view query, const rapidjson::Value& vars,
                           std::int64_t first, std::string& error) {
        std::size_t start = 0;
        if (vars.HasMember("after") && vars["after"].IsString()) {
            auto pos = decode_cursor(vars["after"].GetString());
            if (!pos) {
                error = "Invalid cursor for current pagination sort.";
                return 0;
            }
            start = static_cast<std::size_t>(pos->second + 1);
        }
        const std::string id = id_variable(vars);
        const NestedFirst nested = NestedFirst::of(query);
        w.key(root);
        if (root == "order") {
            for (const auto& o : data().orders)
                if (o.order.id == id) {
                    w.begin_object();
                    const auto n = write_nested(w, "lineItems", o.order.lines, start, first,
                                                [](json::Writer& out, const model::OrderLine& l) { write_line(out, l, nullptr); });
                    w.end_object();
                    return n;
                }
        } else {
            for (const auto& p : data().products) {
                if (p.deleted) continue;
                if (root == "product" && p.product.id == id) {
                    w.begin_object();
                    const auto n = query.find("media(") != std::string_view::npos
                                       ? write_nested(w, "media", p.product.images, start, first,
                                                      [](json::Writer& out, const model::Image& im) { write_image(out, im, nullptr); })
                                       : write_nested(w, "variants", p.variants, start, first, [&](json::Writer& out, const model::Variant& v) {
                                             write_variant(out, v, nullptr, &nested);
                                         });
                    w.end_object();
                    return n;
                }
                for (const auto& v : p.variants)
                    if (root == "inventoryItem" && v.id == id) {
                        w.begin_object();
                        const auto n = write_nested(w, "inventoryLevels", v.stock, start, first,
                                                    [&](json::Writer& out, const model::StockLevel& s) { write_level(out, v, s, nullptr); });
                        w.end_object();
                        return n;
                    }
            }
        }
        w.null();
        return 0;
    }

    std::int64_t events(json::Writer& w, const rapidjson::Value& vars, std::int64_t first, std::string& error) {
        auto f = filter_of(vars, error);
        if (!f) return 0;
        // Only product deletions happen in this shop; other subjects or actions find nothing.
        const bool wanted = (f->subject_type.empty() || f->subject_type == "PRODUCT") && (f->action.empty() || f->action == "destroy");
        std::vector<std::pair<std::uint64_t, const model::Deletion*>> items;
        const auto& all = data().deletions;
        for (std::size_t i = 0; i < all.size() && wanted; ++i)
            if (Filter::after(*all[i].deleted_at, f->created_min, f->strict_created)) items.emplace_back(900000000 + i, &all[i]);
        using Item = std::pair<std::uint64_t, const model::Deletion*>;
        return page(
            w, "events", std::move(items), [](const Item& e) { return std::make_pair(*e.second->deleted_at, e.first); }, vars, first, error,
            [](json::Writer& out, const Item& e) {
                out.begin_object().field("id", gid("BasicEvent", std::to_string(e.first)));
                out.field("createdAt", iso(*e.second->deleted_at)).field("action", "destroy");
                out.field("subjectId", gid("Product", e.second->id)).field("subjectType", "PRODUCT").end_object();
            });
    }

    // ------------------------------------------------------------- shapes

    /// In a bulk result every node is its own line, named by __typename,
    /// with its nested connections as the following lines.
    /// `page` null: a bulk row; else how many children of each nested connection the page asked for.
    void write_product(json::Writer& w, const ProductData& pd, const NestedFirst* page) const {
        const bool bulk = page == nullptr;
        const model::Product& p = pd.product;
        w.begin_object();
        if (bulk) w.field("__typename", "Product");
        w.field("id", gid("Product", p.id)).field("title", p.title).field("descriptionHtml", p.description_html);
        w.field("vendor", p.vendor).field("productType", p.product_type);
        w.key("tags").begin_array();
        for (const auto& t : p.tags) w.value(t);
        w.end_array();
        w.field("status", upper(pd.status)).field("createdAt", iso(*p.created_at)).field("updatedAt", iso(*p.updated_at));
        if (!bulk) {
            write_nested(w, "media", p.images, 0, page->media,
                         [](json::Writer& out, const model::Image& im) { write_image(out, im, nullptr); });
            write_nested(w, "variants", pd.variants, 0, page->variants,
                         [&](json::Writer& out, const model::Variant& v) { write_variant(out, v, nullptr, page); });
        }
        w.end_object();
    }

    static void write_image(json::Writer& w, const model::Image& im, const std::string* parent) {
        w.begin_object();
        if (parent) w.field("__typename", "MediaImage");
        w.key("image").begin_object().field("url", im.url).field("width", static_cast<std::int64_t>(*im.width_px));
        w.field("height", static_cast<std::int64_t>(*im.height_px)).end_object();
        if (parent) w.field("__parentId", *parent);
        w.end_object();
    }

    /// A stock change bumps the inventory item's updatedAt, not the variant's nor the product's.
    TimestampMs item_updated_at(const model::Variant& v) const {
        const auto restocked = restocked_at_.find(v.id);
        return restocked == restocked_at_.end() ? *v.updated_at : std::max(*v.updated_at, restocked->second);
    }

    static void write_variant_fields(json::Writer& w, const model::Variant& v) {
        w.field("id", gid("ProductVariant", v.id)).field("sku", v.sku);
        w.key("barcode");
        if (v.barcode.empty()) w.null();
        else w.value(v.barcode);
        w.field("title", v.title).field("price", v.price->decimal());
        put_money(w, "compareAtPrice", v.compare_at_price);
        w.field("updatedAt", iso(*v.updated_at));
    }

    void write_item_fields(json::Writer& w, const model::Variant& v) const {
        w.field("id", gid("InventoryItem", v.id)).field("tracked", true).field("updatedAt", iso(item_updated_at(v)));
        w.key("unitCost");
        if (v.unit_cost) w.begin_object().field("amount", v.unit_cost->decimal()).field("currencyCode", v.unit_cost->currency.code()).end_object();
        else w.null();
    }

    /// `parent`: a bulk row; else `page` says how many levels the page asked for.
    void write_variant(json::Writer& w, const model::Variant& v, const std::string* parent, const NestedFirst* page = nullptr) const {
        w.begin_object();
        if (parent) w.field("__typename", "ProductVariant");
        write_variant_fields(w, v);
        w.key("inventoryItem").begin_object();
        write_item_fields(w, v);
        if (!parent)
            write_nested(w, "inventoryLevels", v.stock, 0, page->levels,
                         [&](json::Writer& out, const model::StockLevel& s) { write_level(out, v, s, nullptr); });
        w.end_object();
        if (parent) w.field("__parentId", *parent);
        w.end_object();
    }

    void write_level(json::Writer& w, const model::Variant& v, const model::StockLevel& s, const std::string* parent) const {
        const std::string location = location_number(data(), s.location_id);
        w.begin_object();
        if (parent) w.field("__typename", "InventoryLevel");
        w.field("id", gid("InventoryLevel", location + "?inventory_item_id=" + v.id));
        w.key("location").begin_object().field("id", gid("Location", location)).end_object();
        w.key("quantities").begin_array().begin_object().field("name", "available").field("quantity", s.quantity).end_object().end_array();
        if (parent) w.field("__parentId", *parent);
        w.end_object();
    }

    static std::string fulfilment_enum(const std::string& s) { return s == "partial" ? "PARTIALLY_FULFILLED" : upper(s); }

    static void write_order(json::Writer& w, const OrderData& od, const NestedFirst* page) {
        const bool bulk = page == nullptr;
        const model::Order& o = od.order;
        w.begin_object();
        if (bulk) w.field("__typename", "Order");
        w.field("id", gid("Order", o.id)).field("name", o.name).field("createdAt", iso(o.created_at)).field("updatedAt", iso(*o.updated_at));
        w.key("cancelledAt");
        if (o.cancelled_at) w.value(iso(*o.cancelled_at));
        else w.null();
        w.field("closed", o.status == "closed");
        w.field("displayFinancialStatus", upper(o.financial_status)).field("displayFulfillmentStatus", fulfilment_enum(o.fulfillment_status));
        w.field("currencyCode", o.currency.code()).field("presentmentCurrencyCode", o.presentment_currency.value_or(o.currency).code());
        w.field("taxesIncluded", o.taxes_included).field("test", o.test);
        w.key("shippingAddress").begin_object().field("countryCodeV2", o.country).end_object();
        put_bag(w, "subtotalPriceSet", o.subtotal);
        put_bag(w, "totalDiscountsSet", o.discounts);
        put_bag(w, "totalShippingPriceSet", o.shipping);
        put_bag(w, "totalTaxSet", o.tax);
        put_bag(w, "totalPriceSet", o.total);
        // Refunds are a list field: inline even in a bulk result.
        w.key("refunds").begin_array();
        for (const auto& r : od.refunds) {
            w.begin_object().field("id", gid("Refund", r.id)).field("createdAt", iso(r.created_at));
            w.key("note");
            if (r.note.empty()) w.null();
            else w.value(r.note);
            put_bag(w, "totalRefundedSet", r.amount);
            model::MoneyBag shipping_tax = r.tax;
            for (const auto& l : r.lines) shipping_tax = minus(shipping_tax, l.tax);
            w.key("refundShippingLines").begin_object().key("nodes").begin_array();
            if (r.shipping.shop.minor != 0 || shipping_tax.shop.minor != 0) {
                w.begin_object();
                put_bag(w, "subtotalAmountSet", r.shipping);
                put_bag(w, "taxAmountSet", shipping_tax);
                w.end_object();
            }
            w.end_array().end_object();
            w.key("refundLineItems").begin_object().key("nodes").begin_array();
            for (const auto& l : r.lines) {
                w.begin_object().key("lineItem").begin_object().field("id", gid("LineItem", l.order_line_id)).field("sku", l.sku).end_object();
                w.field("quantity", l.quantity);
                put_bag(w, "subtotalSet", l.subtotal);
                put_bag(w, "totalTaxSet", l.tax);
                w.end_object();
            }
            w.end_array().end_object();
            w.end_object();
        }
        w.end_array();
        if (!bulk)
            write_nested(w, "lineItems", o.lines, 0, page->lines,
                         [](json::Writer& out, const model::OrderLine& l) { write_line(out, l, nullptr); });
        w.end_object();
    }

    static void write_line(json::Writer& w, const model::OrderLine& l, const std::string* parent) {
        w.begin_object();
        if (parent) w.field("__typename", "LineItem");
        w.field("id", gid("LineItem", l.id)).field("sku", l.sku).field("title", l.title).field("quantity", l.quantity);
        w.key("variant").begin_object().field("id", gid("ProductVariant", l.variant_id)).end_object();
        w.key("product").begin_object().field("id", gid("Product", l.product_id)).end_object();
        put_bag(w, "originalUnitPriceSet", l.unit_price);
        put_bag(w, "totalDiscountSet", l.discount);
        w.key("taxLines").begin_array().begin_object();
        put_bag(w, "priceSet", l.tax);
        w.end_object().end_array();
        if (parent) w.field("__parentId", *parent);
        w.end_object();
    }

    // ------------------------------------------------------------- bulk

    BulkOperation* current() {
        if (ops_.empty()) return nullptr;
        return &ops_.back();
    }

    static bool active(const BulkOperation& op) { return op.status == "CREATED" || op.status == "RUNNING"; }

    void bulk_run(json::Writer& w, const Request&, const rapidjson::Value& vars) {
        w.key("bulkOperationRunQuery").begin_object();
        const auto user_error = [&](std::string_view message) {
            w.key("bulkOperation").null().key("userErrors").begin_array().begin_object().key("field").null();
            w.field("message", message).end_object().end_array().end_object();
        };
        if (!vars.HasMember("query") || !vars["query"].IsString()) return user_error("Invalid bulk query: the query is missing");
        const std::string query = vars["query"].GetString();
        const std::string root = root_of(query).first;
        if (root != "products" && root != "orders") return user_error("Invalid bulk query: only products and orders are emulated");
        if (auto* op = current(); op && active(*op))
            return user_error("A bulk query operation for this app and shop is already in progress: " + op->gid() + ".");
        for (auto& old : ops_) old.jsonl.clear();  // an older result's URL has expired
        BulkOperation op;
        op.number = 4046676525245ull + ops_.size();
        op.kind = root;
        op.query = query;
        ops_.push_back(std::move(op));
        w.key("bulkOperation").begin_object().field("id", ops_.back().gid()).field("status", "CREATED").end_object();
        w.key("userErrors").begin_array().end_array().end_object();
    }

    /// Each look at a running operation moves it on: RUNNING, then COMPLETED.
    void advance(BulkOperation& op) {
        if (!active(op)) return;
        if (++op.polls < polls_to_complete) {
            op.status = "RUNNING";
            return;
        }
        op.status = "COMPLETED";
        op.jsonl = render_bulk(op.kind, op.objects, op.roots);
    }

    void write_operation(json::Writer& w, const BulkOperation& op, const Request& r, bool with_query) const {
        w.begin_object().field("id", op.gid()).field("status", op.status).key("errorCode").null();
        if (with_query) w.field("query", op.query);
        w.field("objectCount", std::to_string(op.objects));
        w.key("url");
        // Shopify gives no URL for an empty result.
        if (op.status == "COMPLETED" && op.objects > 0)
            w.value("http://" + r.header("host").value_or("127.0.0.1") + "/bulk-results/" + std::to_string(op.number) + ".jsonl");
        else
            w.null();
        w.end_object();
    }

    void bulk_node(json::Writer& w, const Request& r, const rapidjson::Value& vars) {
        w.key("node");
        const std::string id = vars.HasMember("id") && vars["id"].IsString() ? vars["id"].GetString() : "";
        for (auto& op : ops_)
            if (op.gid() == id) {
                advance(op);
                write_operation(w, op, r, false);
                return;
            }
        w.null();
    }

    void bulk_current(json::Writer& w, const Request& r) {
        w.key("currentBulkOperation");
        auto* op = current();
        if (!op) {
            w.null();
            return;
        }
        advance(*op);
        write_operation(w, *op, r, true);
    }

    std::string render_bulk(const std::string& kind, std::int64_t& objects, std::int64_t& roots) const {
        if (samples_) {
            std::string out = kind == "products" ? samples_->bulk_products : samples_->bulk_orders;
            objects = std::count(out.begin(), out.end(), '\n') + (!out.empty() && out.back() != '\n' ? 1 : 0);
            roots = static_cast<std::int64_t>(kind == "products" ? data().products.size() : data().orders.size());
            return out;
        }
        std::string out;
        json::Writer w;
        objects = roots = 0;
        const auto line = [&] {
            out.append(w.view());
            out += '\n';
            w.clear();
            ++objects;
        };
        if (kind == "products") {
            std::vector<const ProductData*> items;
            for (const auto& p : data().products)
                if (!p.deleted) items.push_back(&p);
            std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->key < b->key; });
            for (const auto* p : items) {
                ++roots;
                const std::string parent = gid("Product", p->product.id);
                write_product(w, *p, nullptr);
                line();
                for (const auto& im : p->product.images) write_image(w, im, &parent), line();
                for (const auto& v : p->variants) {
                    const std::string variant = gid("ProductVariant", v.id);
                    write_variant(w, v, &parent);
                    line();
                    for (const auto& s : v.stock) write_level(w, v, s, &variant), line();
                }
            }
        } else {
            for (const auto& o : data().orders) {
                ++roots;
                const std::string parent = gid("Order", o.order.id);
                write_order(w, o, nullptr);
                line();
                for (const auto& l : o.order.lines) write_line(w, l, &parent), line();
            }
        }
        return out;
    }

    Response download(const Request& r) {
        const std::string name = r.path.substr(std::string_view("/bulk-results/").size());
        for (const auto& op : ops_)
            if (op.status == "COMPLETED" && name == std::to_string(op.number) + ".jsonl") {
                Response res = Response::json(200, op.jsonl);
                res.content_type = "application/jsonl";
                return res;
            }
        Response res;
        res.status = 404;
        res.content_type = "application/xml";
        res.body = "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code></Error>";
        return res;
    }

    double capacity_, restore_per_s_, available_;
    std::int64_t last_ms_ = -1;
    std::vector<BulkOperation> ops_;
    std::map<std::string, TimestampMs> restocked_at_;
    std::optional<Samples> samples_;
    std::map<std::string, std::string> codes_;  // authorization code -> scopes granted; single use
    int codes_issued_ = 0;  // variant id -> when its stock last changed
};

}  // namespace

void register_shopify(Registry& registry) {
    registry.add("shopify", [](ShopData& data, const ModuleOptions& options) -> std::unique_ptr<PlatformModule> {
        return std::make_unique<Shopify>(data, options);
    });
}

}  // namespace pcgd::emulator
