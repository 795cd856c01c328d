// "ebay": eBay's Sell APIs as the eBay plugin uses them, for one marketplace
// (EBAY_GB for a GB shop, EBAY_FR for a FR one).
//
// POST /identity/v1/oauth2/token (refresh-token grant, Basic client
// credentials) grants two-hour user tokens; every /sell/ route needs one as
// a Bearer token and answers 401 errorId 1001 otherwise. Inventory: items
// paged by page index (`offset`) with `next` links, offers by SKU, variation
// groups. Fulfillment: getOrders with the lastmodifieddate / creationdate /
// orderfulfillmentstatus filters (brackets and braces must arrive
// percent-encoded), limit 1..200, offset paging with `next`; getOrder.
// Analytics: the traffic report by LISTING, by DAY or by both (the
// combination eBay's spec does not list; `--data generated,one-dimension`
// refuses it with 400 errorId 50001, as a real account may), at most 90
// days, one marketplace, an optional listing_ids filter of up to 200 ids and
// at most 200 listings without one. Money is `{value, currency}` with decimal strings; errors are
// eBay's `errors[]` container with the ids of the specs' x-response-codes.
// Every answer carries a `Date` on the emulator's clock. See docs/ebay.md.
#include <pcgd/emulator/platform.hpp>
#include <pcgd/sdk/text.hpp>

#include <set>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

namespace pcgd::emulator {
namespace {

using model::TimestampMs;

constexpr const char* client_id = "pcgd-ebay-client";
constexpr const char* client_secret = "pcgd-ebay-secret";
constexpr const char* refresh_token = "v^1.1#i^1#r^1#f^0#p^3#I^3#t^pcgd-emulator-refresh";
// The app's RuName: the redirect_uri of the consent page and the code grant.
constexpr const char* ru_name = "pcgd-emulator-RuName";
constexpr std::int64_t token_lifetime_s = 7200;
constexpr TimestampMs day_ms = 86'400'000;
/// getOrders serves nothing created more than two years ago (a day's margin
/// for a client whose "now" is a little ahead of this clock).
constexpr TimestampMs order_history_ms = 729 * day_ms;
constexpr std::int64_t max_traffic_days = 90;
/// A LISTING report without listing_ids holds this many listings at most; listing_ids takes as many.
constexpr std::size_t max_report_listings = 200;
/// Where `next` links point, as eBay's do (clients read their path and query).
constexpr const char* api_host = "https://api.ebay.com";

std::string b64(std::string_view in) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        acc = acc << 8 | c;
        bits += 8;
        while (bits >= 6) out += table[(acc >> (bits -= 6)) & 63];
    }
    if (bits) out += table[(acc << (6 - bits)) & 63];
    while (out.size() % 4) out += '=';
    return out;
}

std::string ebay_time(TimestampMs t) {
    const std::int64_t days = model::floor_div(t, day_ms);
    const std::int64_t ms = t - days * day_ms;
    const auto c = model::civil_from_days(days);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day, static_cast<int>(ms / 3'600'000),
                  static_cast<int>(ms / 60'000 % 60), static_cast<int>(ms / 1000 % 60), static_cast<int>(ms % 1000));
    return buf;
}

std::string ebay_day(std::int64_t day) {
    const auto c = model::civil_from_days(day);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u", c.year, c.month, c.day);
    return buf;
}

std::optional<std::int64_t> parse_day(std::string_view s) {
    if (s.size() != 8 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    return model::parse_date(std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" + std::string(s.substr(6, 2)));
}

std::string http_date(TimestampMs t) {
    static constexpr const char* weekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::int64_t days = model::floor_div(t, day_ms);
    const std::int64_t s = (t - days * day_ms) / 1000;
    const auto c = model::civil_from_days(days);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", weekdays[((days % 7) + 7) % 7], c.day, months[c.month - 1], c.year,
                  static_cast<int>(s / 3600), static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
    return buf;
}

std::optional<std::int64_t> to_i64(std::string_view s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    while (true) {
        const auto p = s.find(sep);
        out.emplace_back(s.substr(0, p));
        if (p == std::string_view::npos) break;
        s = s.substr(p + 1);
    }
    return out;
}

/// eBay's error container with one error.
Response error(int status, std::int64_t id, std::string_view domain, std::string_view message,
               std::vector<std::pair<std::string, std::string>> parameters = {}) {
    json::Writer w;
    w.begin_object().key("errors").begin_array().begin_object();
    w.field("errorId", id).field("domain", domain).field("category", status >= 500 ? "APPLICATION" : "REQUEST").field("message", message);
    if (!parameters.empty()) {
        w.key("parameters").begin_array();
        for (const auto& [name, value] : parameters) w.begin_object().field("name", name).field("value", value).end_object();
        w.end_array();
    }
    w.end_object().end_array().end_object();
    return Response::json(status, std::string(w.view()));
}

Response oauth_error(int status, std::string_view code, std::string_view description) {
    json::Writer w;
    w.begin_object().field("error", code).field("error_description", description).end_object();
    return Response::json(status, std::string(w.view()));
}

/// Percent-encodes what eBay's docs encode in a filter value.
std::string encode_filter(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == ',') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

void amount(json::Writer& w, std::string_view key, const model::Money& m) {
    w.key(key).begin_object().field("value", m.decimal()).field("currency", m.currency.code()).end_object();
}

/// An Amount, with the buyer's amount when eBay converted it.
void amount(json::Writer& w, std::string_view key, const model::MoneyBag& b) {
    w.key(key).begin_object().field("value", b.shop.decimal()).field("currency", b.shop.currency.code());
    if (b.presentment && b.presentment->currency != b.shop.currency)
        w.field("convertedFromValue", b.presentment->decimal()).field("convertedFromCurrency", b.presentment->currency.code());
    w.end_object();
}

model::MoneyBag scaled(const model::MoneyBag& b, std::int64_t k) {
    model::MoneyBag out = b;
    out.shop.minor *= k;
    if (out.presentment) out.presentment->minor *= k;
    return out;
}

model::MoneyBag minus(model::MoneyBag a, const model::MoneyBag& b) {
    a.shop -= b.shop;
    if (a.presentment && b.presentment) *a.presentment -= *b.presentment;
    return a;
}

model::MoneyBag negated(model::MoneyBag a) {
    a.shop.minor = -a.shop.minor;
    if (a.presentment) a.presentment->minor = -a.presentment->minor;
    return a;
}

struct Market {
    std::string id, locale, seller;
};

/// A date filter `[a..b]`, `[a..]`; false when malformed.
bool parse_range(std::string_view v, std::optional<TimestampMs>& from, std::optional<TimestampMs>& to) {
    if (v.size() < 4 || v.front() != '[' || v.back() != ']') return false;
    v = v.substr(1, v.size() - 2);
    const auto dots = v.find("..");
    if (dots == std::string_view::npos) return false;
    const std::string_view a = v.substr(0, dots), b = v.substr(dots + 2);
    if (a.empty()) return false;
    from = model::parse_iso8601(a);
    if (!from) return false;
    if (!b.empty()) {
        to = model::parse_iso8601(b);
        if (!to) return false;
    }
    return true;
}

class Ebay final : public PlatformModule {
public:
    Ebay(ShopData& data, const ModuleOptions& options)
        : PlatformModule(data, options),
          bucket_(options.bucket_capacity, options.leak_per_s),
          started_steady_ms_(this->options().steady_now_ms()) {
        const std::string expected = "--data: expected generated[,one-dimension], got '" + options.data + "'";
        bool generated = false;
        for (const std::string& item : options.data_items()) {
            if (item == "generated") generated = true;
            else if (item == "one-dimension") one_dimension_ = true;
            else throw std::invalid_argument(expected);
        }
        if (!generated) throw std::invalid_argument(expected);
        const bool fr = data.shop.country == "FR";
        market_ = fr ? Market{"EBAY_FR", "fr_FR", "maison_lumiere_fr"} : Market{"EBAY_GB", "en_GB", "lumiere_home_uk"};
        // Nothing older than two years is served: it is not part of the shop here.
        std::erase_if(data.orders, [&](const OrderData& o) { return o.order.created_at < data.clock_ms - order_history_ms; });
        // A cancelled eBay order is refunded in full.
        for (auto& o : data.orders)
            if (o.order.cancelled_at) refund_cancelled(o);
        // The report counts views per listing (one per product) and day.
        std::map<std::pair<std::int64_t, std::string>, model::TrafficSample> by_listing;
        for (const auto& t : data.traffic) {
            const std::string listing = listing_id(t.listing_id);
            auto [it, added] = by_listing.try_emplace({t.day, listing});
            if (added) {
                it->second.listing_id = listing;
                it->second.day = t.day;
                it->second.marketplace = market_.id;
            }
            it->second.views += t.views;
        }
        data.traffic.clear();
        for (auto& [key, t] : by_listing) data.traffic.push_back(std::move(t));
    }

    std::string_view name() const override { return "ebay"; }

    MutationReport mutate() override {
        MutationReport report = PlatformModule::mutate();
        for (const auto& id : report.orders_cancelled)
            for (auto& o : data().orders)
                if (o.order.id == id) refund_cancelled(o);
        return report;
    }

    bool is_data_route(const Request& r) const override { return r.path.rfind("/sell/", 0) == 0; }

    std::string route_of(const Request& r) const override {
        // One route per operation, whatever the key in the path.
        if (r.path.rfind("/sell/fulfillment/v1/order/", 0) == 0) return r.method + " /sell/fulfillment/v1/order/{orderId}";
        if (r.path.rfind("/sell/inventory/v1/inventory_item_group/", 0) == 0)
            return r.method + " /sell/inventory/v1/inventory_item_group/{inventoryItemGroupKey}";
        return r.method + " " + r.path;
    }

    void write_credentials(json::Writer& w) const override {
        w.field("client_id", client_id).field("client_secret", client_secret).field("refresh_token", refresh_token);
        w.field("token_url", "/identity/v1/oauth2/token").field("marketplace_id", market_.id).field("ru_name", ru_name);
    }

    Response expire_token(const Request& r) override {
        const std::string auth = r.header("authorization").value_or("");
        if (auth.rfind("Bearer ", 0) == 0) tokens_.erase(auth.substr(7));
        return dated(invalid_token());
    }

    Response too_many_requests(int retry_after_s) const override {
        Response r = error(429, 2001, "ACCESS", "Too many requests");
        r.header("Retry-After", std::to_string(retry_after_s));
        return dated(r);
    }

    Response handle(const Request& r) override { return dated(route(r)); }

private:
    // ------------------------------------------------------------- plumbing

    TimestampMs now_steady() const { return options().steady_now_ms(); }
    /// The emulator's clock as eBay's Date headers show it: the data's clock
    /// (moved by mutate) plus the time the emulator has been running.
    TimestampMs clock_now() const { return data().clock_ms + (now_steady() - started_steady_ms_); }

    Response dated(Response r) const {
        r.header("Date", http_date(clock_now()));
        return r;
    }

    static Response invalid_token() {
        json::Writer w;
        w.begin_object().key("errors").begin_array().begin_object();
        w.field("errorId", std::int64_t{1001}).field("domain", "OAuth").field("category", "REQUEST").field("message", "Invalid access token");
        w.field("longMessage", "Invalid access token. Check the value of the Authorization HTTP request header.");
        w.end_object().end_array().end_object();
        return Response::json(401, std::string(w.view()));
    }

    Response route(const Request& r) {
        if (r.path == "/identity/v1/oauth2/token") return token(r);
        if (r.path == "/oauth2/authorize") return authorize(r);
        if (!is_data_route(r)) return error(404, 2002, "ACCESS", "Resource not found");
        const std::string auth = r.header("authorization").value_or("");
        const auto t = auth.rfind("Bearer ", 0) == 0 ? tokens_.find(auth.substr(7)) : tokens_.end();
        if (t == tokens_.end() || t->second <= now_steady()) return invalid_token();
        int retry_after_s = 1;
        if (!bucket_.admit(now_steady(), retry_after_s)) {
            Response res = error(429, 2001, "ACCESS", "Too many requests");
            res.header("Retry-After", std::to_string(retry_after_s));
            return res;
        }
        if (r.method != "GET") return error(405, 2003, "ACCESS", "Method not allowed");
        // Filter values travel percent-encoded; a raw bracket or brace is refused.
        const auto query = r.target.find('?');
        if (query != std::string::npos && r.target.find_first_of("[]{}| ", query) != std::string::npos)
            return error(400, 30700, "API_FULFILLMENT", "Invalid filter name: the query is not URL-encoded");
        if (r.path == "/sell/inventory/v1/inventory_item") return inventory_items(r);
        if (r.path == "/sell/inventory/v1/offer") return offers(r);
        if (r.path.rfind("/sell/inventory/v1/inventory_item_group/", 0) == 0)
            return group(r.path.substr(std::string_view("/sell/inventory/v1/inventory_item_group/").size()));
        if (r.path == "/sell/fulfillment/v1/order") return orders(r);
        if (r.path.rfind("/sell/fulfillment/v1/order/", 0) == 0) return order(r.path.substr(std::string_view("/sell/fulfillment/v1/order/").size()));
        if (r.path == "/sell/analytics/v1/traffic_report") return traffic(r);
        return error(404, 2002, "ACCESS", "Resource not found");
    }

    Response token(const Request& r) {
        if (r.method != "POST") return oauth_error(405, "invalid_request", "use POST");
        if (r.header("authorization").value_or("") != "Basic " + b64(std::string(client_id) + ":" + client_secret))
            return oauth_error(401, "invalid_client", "client authentication failed");
        const auto form = parse_form(r.body);
        const auto get = [&](const char* k) {
            auto it = form.find(k);
            return it == form.end() ? std::string() : it->second;
        };
        const bool code_grant = get("grant_type") == "authorization_code";
        if (code_grant) {
            const auto code = codes_.find(get("code"));
            if (code == codes_.end() || get("redirect_uri") != ru_name)
                return oauth_error(400, "invalid_grant", "the provided authorization grant code is invalid or was issued to another client");
            codes_.erase(code);
        } else if (get("grant_type") != "refresh_token")
            return oauth_error(400, "unsupported_grant_type", "grant type in request is not supported by the authorization server");
        else if (get("refresh_token") != refresh_token)
            return oauth_error(400, "invalid_grant", "the provided authorization refresh token is invalid or was issued to another client");
        const std::string access = "v^1.1#i^1#p^3#r^1#I^3#f^0#t^pcgd-" + std::to_string(++grants_);
        tokens_[access] = now_steady() + token_lifetime_s * 1000;
        json::Writer w;
        w.begin_object().field("access_token", access).field("expires_in", token_lifetime_s);
        if (code_grant) w.field("refresh_token", refresh_token).field("refresh_token_expires_in", 47304000);
        w.field("token_type", "User Access Token").end_object();
        return Response::json(200, std::string(w.view()));
    }

    /// The seller consents at once: a redirect to the RuName's accept URL with
    /// code, state and expires_in. The accept URL is registered with eBay, not
    /// sent: the emulator takes it from `pcgd_emulator_accept_url`.
    Response authorize(const Request& r) {
        if (r.param("client_id").value_or("") != client_id || r.param("redirect_uri").value_or("") != ru_name ||
            r.param("response_type").value_or("") != "code")
            return oauth_error(400, "invalid_request", "client_id, redirect_uri or response_type is invalid");
        const std::string accept = r.param("pcgd_emulator_accept_url").value_or("");
        if (accept.rfind("http://", 0) != 0 && accept.rfind("https://", 0) != 0)
            return oauth_error(400, "invalid_request", "pcgd_emulator_accept_url is missing");
        const std::string code = "v^1.1#i^1#f^0#I^3#r^1#p^3#t^code" + std::to_string(++codes_issued_);
        codes_.insert(code);
        Response res;
        res.status = 302;
        res.content_type = "text/html";
        res.body = "<html><body>Redirecting</body></html>";
        res.header("Location", accept + (accept.find('?') == std::string::npos ? "?" : "&") +
                                   "code=" + sdk::url_encode(code) + "&state=" +
                                   sdk::url_encode(r.param("state").value_or("")) + "&expires_in=299");
        return res;
    }

    // ------------------------------------------------------------- ids

    /// eBay listing ids are 12 digits; one per product (a variation listing for several variants).
    static std::string listing_id(const std::string& product_id) { return "11" + std::string(10 - std::min<std::size_t>(10, product_id.size()), '0') + product_id; }
    static std::string offer_id(const std::string& variant_id) { return "9" + std::string(10 - std::min<std::size_t>(10, variant_id.size()), '0') + variant_id; }
    /// "12-05000-00001" for the generator's order 5000001.
    static std::string order_id(std::uint64_t key) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "12-%05llu-%05llu", static_cast<unsigned long long>(key / 100000),
                      static_cast<unsigned long long>(key % 100000));
        return buf;
    }

    void refund_cancelled(OrderData& od) {
        if (od.refunds.size() == 1 && od.refunds.front().id.rfind("75", 0) == 0) return;
        const model::Order& o = od.order;
        model::Refund r;
        r.id = "75" + std::to_string(od.key);
        r.order_id = o.id;
        r.created_at = *o.cancelled_at;
        r.amount = o.total;
        r.tax = o.tax;
        r.shipping = o.shipping;
        for (const auto& l : o.lines) r.lines.push_back({l.id, l.sku, l.quantity, minus(scaled(l.unit_price, l.quantity), l.discount), l.tax});
        od.refunds.push_back(std::move(r));
    }

    // ------------------------------------------------------------- inventory

    struct Item {
        const ProductData* product;
        const model::Variant* variant;
    };

    std::vector<Item> items() const {
        std::vector<Item> out;
        for (const auto& p : data().products)
            if (!p.deleted)
                for (const auto& v : p.variants) out.push_back(Item{&p, &v});
        return out;
    }

    static bool grouped(const ProductData& p) { return p.variants.size() > 1; }

    /// limit (1..max) and offset from the query; an error response when bad.
    static std::optional<Response> paging(const Request& r, std::int64_t default_limit, std::int64_t max_limit, std::int64_t& limit,
                                          std::int64_t& offset, std::int64_t limit_error, std::int64_t offset_error, std::string_view domain) {
        limit = default_limit;
        offset = 0;
        if (auto l = r.param("limit")) {
            auto v = to_i64(*l);
            if (!v || *v < 1 || *v > max_limit) return error(400, limit_error, domain, "Invalid limit: " + *l, {{"limitvalue", *l}});
            limit = *v;
        }
        if (auto o = r.param("offset")) {
            auto v = to_i64(*o);
            if (!v || *v < 0) return error(400, offset_error, domain, "Invalid offset: " + *o, {{"offsetvalue", *o}});
            offset = *v;
        }
        return std::nullopt;
    }

    Response inventory_items(const Request& r) const {
        std::int64_t limit, page;
        if (auto bad = paging(r, 25, 200, limit, page, 25706, 25706, "API_INVENTORY")) return *bad;
        const auto all = items();
        const auto total = static_cast<std::int64_t>(all.size());
        const std::int64_t pages = (total + limit - 1) / limit;
        const auto link = [&](std::int64_t p) {
            return std::string(api_host) + "/sell/inventory/v1/inventory_item?offset=" + std::to_string(p) + "&limit=" + std::to_string(limit);
        };
        json::Writer w;
        w.begin_object().field("href", link(page));
        if (page + 1 < pages) w.field("next", link(page + 1));
        if (page > 0) w.field("prev", link(page - 1));
        w.field("limit", limit).field("size", pages).field("total", total);
        w.key("inventoryItems").begin_array();
        // `offset` is a page number, as the spec says.
        for (std::int64_t i = page * limit; i < std::min(total, (page + 1) * limit); ++i) write_item(w, all[static_cast<std::size_t>(i)]);
        w.end_array().end_object();
        return Response::json(200, std::string(w.view()));
    }

    void write_item(json::Writer& w, const Item& it) const {
        const model::Product& p = it.product->product;
        const model::Variant& v = *it.variant;
        w.begin_object().field("sku", v.sku).field("locale", market_.locale);
        if (grouped(*it.product)) {
            w.key("groupIds").begin_array().value(p.id).end_array();
            w.key("inventoryItemGroupKeys").begin_array().value(p.id).end_array();
        }
        w.key("product").begin_object().field("title", grouped(*it.product) ? p.title + " - " + v.title : p.title);
        if (!p.description_html.empty()) w.field("description", p.description_html);
        w.key("aspects").begin_object();
        w.key(market_.id == "EBAY_FR" ? "Marque" : "Brand").begin_array().value(p.vendor).end_array();
        w.key("Type").begin_array().value(p.product_type).end_array();
        if (grouped(*it.product)) w.key(market_.id == "EBAY_FR" ? "Taille" : "Size").begin_array().value(v.title).end_array();
        w.end_object();
        if (!v.barcode.empty()) w.key("ean").begin_array().value(v.barcode).end_array();
        w.key("imageUrls").begin_array();
        for (const auto& im : p.images) w.value(im.url);
        w.end_array().end_object();
        w.field("condition", "NEW");
        w.key("availability").begin_object().key("shipToLocationAvailability").begin_object();
        w.field("quantity", v.stock_total.value_or(0));
        w.key("availabilityDistributions").begin_array();
        for (const auto& s : v.stock) w.begin_object().field("merchantLocationKey", s.location_id).field("quantity", s.quantity).end_object();
        w.end_array().end_object().end_object();
        w.end_object();
    }

    Response offers(const Request& r) const {
        const auto sku = r.param("sku");
        if (!sku || sku->empty()) return error(400, 25709, "API_INVENTORY", "Invalid value for sku.", {{"fieldName", "sku"}});
        std::int64_t limit, offset;
        if (auto bad = paging(r, 25, 200, limit, offset, 25706, 25706, "API_INVENTORY")) return *bad;
        const auto market = r.param("marketplace_id");
        if (market && *market != market_.id) return not_found();
        for (const auto& it : items()) {
            if (it.variant->sku != *sku) continue;
            json::Writer w;
            w.begin_object();
            w.field("href", std::string(api_host) + "/sell/inventory/v1/offer?sku=" + encode_filter(*sku) + "&limit=" + std::to_string(limit) +
                                "&offset=" + std::to_string(offset));
            w.field("limit", limit).field("size", std::int64_t{1}).field("total", std::int64_t{1});
            w.key("offers").begin_array();
            write_offer(w, it);
            w.end_array().end_object();
            return Response::json(200, std::string(w.view()));
        }
        return not_found();
    }

    static Response not_found() {
        return error(404, 25710, "API_INVENTORY", "We didn't find the resource/entity you are requesting. Please verify the request");
    }

    void write_offer(json::Writer& w, const Item& it) const {
        const model::Variant& v = *it.variant;
        const std::string& status = it.product->status;  // active, draft, archived
        w.begin_object().field("offerId", offer_id(v.id)).field("sku", v.sku).field("marketplaceId", market_.id);
        w.field("format", "FIXED_PRICE").field("listingDuration", "GTC").field("availableQuantity", v.stock_total.value_or(0));
        w.field("categoryId", "20584");
        if (!v.stock.empty()) w.field("merchantLocationKey", v.stock.front().location_id);
        w.key("listingPolicies").begin_object().field("fulfillmentPolicyId", "6000000001").field("paymentPolicyId", "6000000002");
        w.field("returnPolicyId", "6000000003").end_object();
        w.key("pricingSummary").begin_object();
        amount(w, "price", *v.price);
        if (v.compare_at_price) amount(w, "originalRetailPrice", *v.compare_at_price);
        w.end_object();
        if (status != "draft") {
            w.key("listing").begin_object().field("listingId", listing_id(it.product->product.id));
            w.field("listingStatus", status == "active" ? "ACTIVE" : "ENDED").field("soldQuantity", std::int64_t{0});
            w.field("listingOnHold", false).end_object();
        }
        w.field("status", status == "draft" ? "UNPUBLISHED" : "PUBLISHED");
        w.end_object();
    }

    Response group(const std::string& key) const {
        for (const auto& p : data().products) {
            if (p.deleted || p.product.id != key || !grouped(p)) continue;
            json::Writer w;
            w.begin_object().field("inventoryItemGroupKey", key).field("title", p.product.title);
            if (!p.product.description_html.empty()) w.field("description", p.product.description_html);
            w.key("aspects").begin_object().key(market_.id == "EBAY_FR" ? "Marque" : "Brand").begin_array().value(p.product.vendor).end_array();
            w.end_object();
            w.key("imageUrls").begin_array();
            for (const auto& im : p.product.images) w.value(im.url);
            w.end_array();
            w.key("variantSKUs").begin_array();
            for (const auto& v : p.variants) w.value(v.sku);
            w.end_array();
            w.key("variesBy").begin_object().key("aspectsImageVariesBy").begin_array().end_array();
            w.key("specifications").begin_array().begin_object().field("name", market_.id == "EBAY_FR" ? "Taille" : "Size");
            w.key("values").begin_array();
            for (const auto& v : p.variants) w.value(v.title);
            w.end_array().end_object().end_array().end_object();
            w.end_object();
            return Response::json(200, std::string(w.view()));
        }
        return error(404, 25705, "API_INVENTORY", "The Inventory Item Group named " + key + " could not be found or is not available in the system.");
    }

    // ------------------------------------------------------------- orders

    Response orders(const Request& r) const {
        std::int64_t limit, offset;
        if (auto bad = paging(r, 50, 200, limit, offset, 31100, 31000, "API_FULFILLMENT")) return *bad;
        std::optional<TimestampMs> created_from, created_to, modified_from, modified_to;
        std::set<std::string> fulfilment;
        const std::string filter = r.param("filter").value_or("");
        if (!filter.empty())
            for (const auto& term : split(filter, ',')) {
                const auto colon = term.find(':');
                const std::string field = term.substr(0, colon);
                const std::string value = colon == std::string::npos ? "" : term.substr(colon + 1);
                if (field == "creationdate" || field == "lastmodifieddate") {
                    auto& from = field == "creationdate" ? created_from : modified_from;
                    auto& to = field == "creationdate" ? created_to : modified_to;
                    if (!parse_range(value, from, to)) return error(400, 30810, "API_FULFILLMENT", "Invalid date format");
                    if (to && *to < *from) return error(400, 30840, "API_FULFILLMENT", "Start date should be before end date");
                } else if (field == "orderfulfillmentstatus") {
                    if (value.size() < 2 || value.front() != '{' || value.back() != '}')
                        return error(400, 30800, "API_FULFILLMENT", "Invalid filter value " + value + " for filter " + field,
                                     {{"fieldvalue", value}, {"fieldname", field}});
                    for (const auto& s : split(std::string_view(value).substr(1, value.size() - 2), '|')) fulfilment.insert(s);
                } else {
                    return error(400, 30700, "API_FULFILLMENT", "Invalid filter name: " + field, {{"fieldname", field}});
                }
            }
        // Both dates given: only creationdate applies, as eBay documents.
        if (created_from) modified_from.reset(), modified_to.reset();
        // No filter: the orders of the last 90 days.
        if (!created_from && !modified_from) created_from = data().clock_ms - 90 * day_ms;
        std::vector<const OrderData*> found;
        for (const auto& od : data().orders) {
            const model::Order& o = od.order;
            const TimestampMs modified = o.updated_at.value_or(o.created_at);
            if (created_from && (o.created_at < *created_from || (created_to && o.created_at > *created_to))) continue;
            if (modified_from && (modified < *modified_from || (modified_to && modified > *modified_to))) continue;
            if (!fulfilment.empty() && !fulfilment.count(fulfilment_status(o))) continue;
            found.push_back(&od);
        }
        // By creation date: new orders come last, so an offset already read stays read.
        std::stable_sort(found.begin(), found.end(), [](const OrderData* a, const OrderData* b) {
            return std::tie(a->order.created_at, a->key) < std::tie(b->order.created_at, b->key);
        });
        const auto total = static_cast<std::int64_t>(found.size());
        const auto link = [&](std::int64_t at) {
            return std::string(api_host) + "/sell/fulfillment/v1/order?" + (filter.empty() ? "" : "filter=" + encode_filter(filter) + "&") +
                   "limit=" + std::to_string(limit) + "&offset=" + std::to_string(at);
        };
        json::Writer w;
        w.begin_object().field("href", link(offset)).field("total", total).field("limit", limit).field("offset", offset);
        if (offset + limit < total) w.field("next", link(offset + limit));
        if (offset > 0) w.field("prev", link(std::max<std::int64_t>(0, offset - limit)));
        w.key("orders").begin_array();
        for (std::int64_t i = offset; i < std::min(total, offset + limit); ++i) write_order(w, *found[static_cast<std::size_t>(i)], false);
        w.end_array().end_object();
        return Response::json(200, std::string(w.view()));
    }

    Response order(const std::string& id) const {
        for (const auto& od : data().orders)
            if (order_id(od.key) == id) {
                json::Writer w;
                write_order(w, od, true);
                return Response::json(200, std::string(w.view()));
            }
        return error(404, 32100, "API_FULFILLMENT", "Order " + id + " not found.", {{"orderId", id}});
    }

    static std::string fulfilment_status(const model::Order& o) {
        return o.fulfillment_status == "fulfilled" ? "FULFILLED" : o.fulfillment_status == "partial" ? "IN_PROGRESS" : "NOT_STARTED";
    }

    static std::string payment_status(const OrderData& od) {
        std::int64_t refunded = 0;
        for (const auto& r : od.refunds) refunded += r.amount.shop.minor;
        if (refunded == 0) return "PAID";
        return refunded >= od.order.total.shop.minor ? "FULLY_REFUNDED" : "PARTIALLY_REFUNDED";
    }

    /// eBay's final value fee, roughly: 12.8% of the total plus 30p / 30 cents per order.
    static model::Money fee_of(const model::Order& o) {
        return model::Money{(o.total.shop.minor * 128 + 500) / 1000 + 30, o.total.shop.currency};
    }

    void write_order(json::Writer& w, const OrderData& od, bool with_cancel_requests) const {
        const model::Order& o = od.order;
        const std::string id = order_id(od.key);
        w.begin_object().field("orderId", id).field("legacyOrderId", id);
        w.field("creationDate", ebay_time(o.created_at)).field("lastModifiedDate", ebay_time(o.updated_at.value_or(o.created_at)));
        w.field("orderFulfillmentStatus", fulfilment_status(o)).field("orderPaymentStatus", payment_status(od));
        w.field("sellerId", market_.seller);
        w.key("buyer").begin_object().field("username", "buyer_" + std::to_string(od.key % 9973));
        w.key("taxAddress").begin_object().field("countryCode", o.country).end_object().end_object();
        w.key("pricingSummary").begin_object();
        model::MoneyBag gross = o.subtotal;  // before discounts
        gross.shop += o.discounts.shop;
        if (gross.presentment && o.discounts.presentment) *gross.presentment += *o.discounts.presentment;
        amount(w, "priceSubtotal", gross);
        if (o.discounts.shop.minor != 0) amount(w, "priceDiscount", negated(o.discounts));
        amount(w, "deliveryCost", o.shipping);
        amount(w, "total", o.total);
        w.end_object();
        w.key("cancelStatus").begin_object().field("cancelState", o.cancelled_at ? "CANCELED" : "NONE_REQUESTED");
        if (o.cancelled_at) w.field("cancelledDate", ebay_time(*o.cancelled_at));
        w.key("cancelRequests").begin_array();
        // getOrders leaves cancelRequests empty; getOrder fills them.
        if (with_cancel_requests && o.cancelled_at) {
            w.begin_object().field("cancelRequestId", "50" + std::to_string(od.key)).field("cancelRequestState", "COMPLETED");
            w.field("cancelInitiator", "BUYER").field("cancelReason", "BUYER_ASKED_CANCEL");
            w.field("cancelRequestedDate", ebay_time(o.created_at + 60'000)).field("cancelCompletedDate", ebay_time(*o.cancelled_at)).end_object();
        }
        w.end_array().end_object();
        w.key("paymentSummary").begin_object();
        model::MoneyBag due = o.total;
        for (const auto& r : od.refunds) due = minus(due, r.amount);
        amount(w, "totalDueSeller", due);
        w.key("refunds").begin_array();
        for (const auto& r : od.refunds) {
            w.begin_object().field("refundId", r.id).field("refundStatus", "REFUNDED");
            amount(w, "amount", r.amount);
            w.field("refundDate", ebay_time(r.created_at)).field("refundReferenceId", "RR" + r.id).end_object();
        }
        w.end_array();
        w.key("payments").begin_array().begin_object().field("paymentMethod", "EBAY").field("paymentReferenceId", "PAY" + std::to_string(od.key));
        w.field("paymentDate", ebay_time(o.created_at + 2000));
        amount(w, "amount", o.total);
        w.field("paymentStatus", "PAID").end_object().end_array();
        w.end_object();
        w.key("fulfillmentStartInstructions").begin_array().begin_object().field("fulfillmentInstructionsType", "SHIP_TO");
        w.field("ebaySupportedFulfillment", false).key("shippingStep").begin_object().key("shipTo").begin_object();
        w.field("fullName", "Buyer " + std::to_string(od.key % 9973));
        w.key("contactAddress").begin_object().field("addressLine1", "1 Example Street");
        w.field("city", o.country == "FR" ? "Lyon" : "Bristol").field("postalCode", o.country == "FR" ? "69002" : "BS1 5TR");
        w.field("countryCode", o.country).end_object().end_object();
        w.field("shippingServiceCode", o.country == "FR" ? "FR_ColiposteColissimo" : "UK_RoyalMailSecondClassStandard").end_object();
        w.end_object().end_array();
        w.key("fulfillmentHrefs").begin_array().end_array();
        w.key("lineItems").begin_array();
        for (const auto& l : o.lines) {
            const model::MoneyBag cost = scaled(l.unit_price, l.quantity);
            w.begin_object().field("lineItemId", l.id).field("legacyItemId", listing_id(l.product_id)).field("sku", l.sku).field("title", l.title);
            amount(w, "lineItemCost", cost);
            if (l.discount.shop.minor != 0) amount(w, "discountedLineItemCost", minus(cost, l.discount));
            w.field("quantity", l.quantity).field("soldFormat", "FIXED_PRICE");
            w.field("listingMarketplaceId", market_.id).field("purchaseMarketplaceId", market_.id);
            w.field("lineItemFulfillmentStatus", fulfilment_status(o));
            amount(w, "total", minus(cost, l.discount));
            w.key("deliveryCost").begin_object();
            amount(w, "shippingCost", model::Money::zero(o.currency));
            w.end_object();
            w.key("appliedPromotions").begin_array();
            if (l.discount.shop.minor != 0) {
                w.begin_object().field("promotionId", "5123456789").field("description", od.discount_code);
                amount(w, "discountAmount", l.discount);
                w.end_object();
            }
            w.end_array();
            w.key("taxes").begin_array().end_array();
            w.key("properties").begin_object().field("buyerProtection", true).end_object();
            w.key("refunds").begin_array();
            for (const auto& r : od.refunds)
                for (const auto& rl : r.lines)
                    if (rl.order_line_id == l.id) {
                        model::MoneyBag line_amount = rl.subtotal;
                        line_amount.shop += rl.tax.shop;
                        if (line_amount.presentment && rl.tax.presentment) *line_amount.presentment += *rl.tax.presentment;
                        w.begin_object();
                        amount(w, "amount", line_amount);
                        w.field("refundDate", ebay_time(r.created_at)).field("refundId", r.id).end_object();
                    }
            w.end_array();
            w.end_object();
        }
        w.end_array();
        w.field("salesRecordReference", o.name.empty() ? id : o.name.substr(1));
        amount(w, "totalFeeBasisAmount", o.total.shop);
        amount(w, "totalMarketplaceFee", fee_of(o));
        w.end_object();
    }

    // ------------------------------------------------------------- traffic

    Response traffic(const Request& r) const {
        static const std::vector<std::string> known_metrics = {
            "CLICK_THROUGH_RATE", "LISTING_IMPRESSION_SEARCH_RESULTS_PAGE", "LISTING_IMPRESSION_STORE", "LISTING_IMPRESSION_TOTAL",
            "LISTING_VIEWS_SOURCE_DIRECT", "LISTING_VIEWS_SOURCE_OFF_EBAY", "LISTING_VIEWS_SOURCE_OTHER_EBAY",
            "LISTING_VIEWS_SOURCE_SEARCH_RESULTS_PAGE", "LISTING_VIEWS_SOURCE_STORE", "LISTING_VIEWS_TOTAL", "SALES_CONVERSION_RATE",
            "TOTAL_IMPRESSION_TOTAL", "TRANSACTION"};
        const auto domain = "API_ANALYTICS";
        if (r.query.empty()) return error(400, 50009, domain, "The call requires at least one URI query parameter.");
        std::vector<std::string> dimensions = split(r.param("dimension").value_or(""), ',');
        std::vector<std::string> sorted_dimensions = dimensions;
        std::sort(sorted_dimensions.begin(), sorted_dimensions.end());
        // DAY or LISTING, as the spec lists them; both together only where an account accepts it.
        const bool combined = sorted_dimensions == std::vector<std::string>{"DAY", "LISTING"};
        if (!(combined && !one_dimension_) && dimensions != std::vector<std::string>{"DAY"} &&
            dimensions != std::vector<std::string>{"LISTING"})
            return error(400, 50001, domain, "Invalid dimension specified. For help, see the documentation.",
                         {{"dimension", r.param("dimension").value_or("")}});
        const std::string metric_param = r.param("metric").value_or("");
        if (metric_param.empty()) return error(400, 50008, domain, "The call requires at least one metric.");
        std::vector<std::string> metrics;
        for (auto m : split(metric_param, ',')) {
            for (char& c : m)
                if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');  // metric names are not case-sensitive
            if (std::find(known_metrics.begin(), known_metrics.end(), m) == known_metrics.end())
                return error(400, 50002, domain, "Invalid metric " + m + " specified.", {{"metricName", m}});
            metrics.push_back(m);
        }
        // The report's own order, not the request's: clients map values by the header.
        std::sort(metrics.begin(), metrics.end());
        const auto filter = r.param("filter");
        if (!filter) return error(400, 50005, domain, "No filter is specified, which is required.");
        std::string marketplace;
        std::optional<std::int64_t> from, to;
        std::optional<std::set<std::string>> listing_ids;
        for (const auto& term : split(*filter, ',')) {
            const auto colon = term.find(':');
            const std::string field = term.substr(0, colon);
            const std::string value = colon == std::string::npos ? "" : term.substr(colon + 1);
            if (field == "marketplace_ids") {
                if (value.size() < 2 || value.front() != '{' || value.back() != '}')
                    return error(400, 50024, domain, "The marketplace ID " + value + " is not valid.");
                marketplace = value.substr(1, value.size() - 2);
                if (marketplace.find('|') != std::string::npos) return error(400, 50023, domain, "Specify exactly one marketplace ID.");
            } else if (field == "date_range") {
                const auto dots = value.find("..");
                if (value.size() < 4 || value.front() != '[' || value.back() != ']' || dots == std::string::npos)
                    return error(400, 50033, domain, "Invalid date range filter format " + value + ".");
                from = parse_day(std::string_view(value).substr(1, dots - 1));
                if (!from) return error(400, 50013, domain, "Invalid date range format - Start Date. The format is yyyyMMdd.");
                to = parse_day(std::string_view(value).substr(dots + 2, value.size() - dots - 3));
                if (!to) return error(400, 50014, domain, "Invalid date range format - End Date. The format is yyyyMMdd.");
            } else if (field == "listing_ids") {
                if (value.size() < 2 || value.front() != '{' || value.back() != '}')
                    return error(400, 50034, domain, "Invalid listing ids filter format " + value + ".");
                listing_ids.emplace();
                for (const auto& id : split(std::string_view(value).substr(1, value.size() - 2), '|')) {
                    if (id.empty()) return error(400, 50027, domain, "The 'listing_id' value is empty.");
                    listing_ids->insert(id);
                }
                if (listing_ids->size() > max_report_listings)
                    return error(400, 50028, domain,
                                 "The maximum number of listing IDs has been exceeded. The maximum number of listing "
                                 "IDs is 200.");
            } else {
                return error(400, 50021, domain, "Invalid filter field " + field + " specified.");
            }
        }
        if (marketplace.empty()) return error(400, 50022, domain, "Specify at least one marketplace ID.");
        if (marketplace != "EBAY_GB" && marketplace != "EBAY_FR" && marketplace != "EBAY_DE" && marketplace != "EBAY_US")
            return error(400, 50024, domain, "The marketplace ID " + marketplace + " is not valid.");
        if (!from) return error(400, 50031, domain, "Date range is required.");
        if (*from > *to) return error(400, 50004, domain, "Invalid date range. Start date must be before or equal to end date.");
        const std::int64_t today = model::floor_div(clock_now(), day_ms);
        if (*to > today) return error(400, 50018, domain, "Neither the start date nor the end date can be in the future.");
        if (*to - *from + 1 > max_traffic_days)
            return error(400, 50026, domain, "The date range is too long. The date range must be less than or equal to 90 days.");
        if (*from < today - 730) return error(400, 50025, domain, "The start date is too far in the past.");
        // Data lags a day: the newest day with figures is yesterday (of the data's clock).
        const std::int64_t last_updated = model::floor_div(data().clock_ms, day_ms) - 1;
        json::Writer w;
        w.begin_object().key("header").begin_object().key("dimensionKeys").begin_array();
        for (const auto& d : dimensions) {
            if (d == "LISTING") w.begin_object().field("key", "LISTING_ID").field("localizedName", "Listing ID").field("dataType", "STRING").end_object();
            else w.begin_object().field("key", "DAY").field("localizedName", "Day").field("dataType", "DATE").end_object();
        }
        w.end_array().key("metrics").begin_array();
        for (const auto& m : metrics) w.begin_object().field("key", m).field("localizedName", m).field("dataType", "NUMBER").end_object();
        w.end_array().end_object();
        // One row per value of the dimensions, views summed over what the row covers, in the data's order (day, listing).
        std::vector<std::pair<std::vector<std::string>, std::int64_t>> rows;
        std::map<std::vector<std::string>, std::size_t> row_at;
        std::set<std::string> listings;
        if (marketplace == market_.id)
            for (const auto& t : data().traffic) {
                if (t.day < *from || t.day > std::min(*to, last_updated)) continue;
                if (listing_ids && !listing_ids->count(t.listing_id)) continue;
                // Without listing_ids a listing report stops at 200 listings.
                if (!listing_ids && dimensions == std::vector<std::string>{"LISTING"} && !listings.count(t.listing_id) &&
                    listings.size() == max_report_listings)
                    continue;
                listings.insert(t.listing_id);
                std::vector<std::string> key;
                for (const auto& d : dimensions) key.push_back(d == "LISTING" ? t.listing_id : ebay_day(t.day));
                auto [it, added] = row_at.try_emplace(key, rows.size());
                if (added) rows.emplace_back(std::move(key), 0);
                rows[it->second].second += t.views;
            }
        w.key("records").begin_array();
        for (const auto& [key, views] : rows) {
            w.begin_object().key("dimensionValues").begin_array();
            for (const auto& v : key) w.begin_object().field("value", v).field("applicable", true).end_object();
            w.end_array().key("metricValues").begin_array();
            for (const auto& m : metrics) {
                w.begin_object();
                if (m == "LISTING_VIEWS_TOTAL") w.field("value", views);
                else if (m == "LISTING_IMPRESSION_TOTAL" || m == "TOTAL_IMPRESSION_TOTAL") w.field("value", views * 23 + 7);
                else if (m == "TRANSACTION") w.field("value", views / 40);
                else if (m == "CLICK_THROUGH_RATE" || m == "SALES_CONVERSION_RATE") w.field("value", 0.0);
                else w.field("value", views / 3);
                w.field("applicable", true).end_object();
            }
            w.end_array().end_object();
        }
        w.end_array();
        w.field("startDate", ebay_time(*from * day_ms)).field("endDate", ebay_time((*to + 1) * day_ms - 1000));
        w.field("lastUpdatedDate", ebay_time((last_updated + 1) * day_ms + 9 * 3'600'000));
        w.end_object();
        return Response::json(200, std::string(w.view()));
    }

    Market market_;
    bool one_dimension_ = false;  // LISTING,DAY refused, as eBay's spec allows
    LeakyBucket bucket_;
    TimestampMs started_steady_ms_;
    std::map<std::string, std::int64_t> tokens_;  // access token -> expiry (steady ms)
    std::uint64_t grants_ = 0;
    std::set<std::string> codes_;  // authorization codes issued, single use
    std::uint64_t codes_issued_ = 0;
};

}  // namespace

void register_ebay(Registry& registry) {
    registry.add("ebay", [](ShopData& data, const ModuleOptions& options) -> std::unique_ptr<PlatformModule> {
        return std::make_unique<Ebay>(data, options);
    });
}

}  // namespace pcgd::emulator
