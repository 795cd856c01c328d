// "testshop": a generic modern REST platform (OAuth client credentials,
// bearer tokens, cursor paging by opaque page tokens, a leaky-bucket rate
// limit, money as decimal strings). The reference for what a well-behaved
// API looks like; the real platforms each deviate from it in their own way.
#include <pcgd/emulator/platform.hpp>

#include <algorithm>
#include <charconv>
#include <optional>
#include <tuple>

namespace pcgd::emulator {
namespace {

using model::TimestampMs;

constexpr std::int64_t token_lifetime_ms = 3'600'000;
constexpr int max_limit = 250;
constexpr std::int64_t day_ms = 86'400'000;

Response error(int status, std::string_view code, std::string_view description) {
    json::Writer w;
    w.begin_object().field("error", code).field("error_description", description).end_object();
    return Response::json(status, std::string(w.view()));
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

std::optional<std::int64_t> to_i64(std::string_view s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

/// The position after the last item of a page, plus the filter it was made
/// with. Positions are (sort value, id), not offsets: an item updated between
/// two pages moves past the position and is served again later rather than
/// shifting the others and making one get skipped.
struct PageToken {
    std::string resource;
    std::string filter;   // updated_since ms, or "from:to" days for traffic; "" when none
    std::int64_t sort_value = 0;
    std::string id;

    std::string encode() const {
        return base64url_encode("v1|" + resource + "|" + filter + "|" + std::to_string(sort_value) + "|" + id);
    }
    static std::optional<PageToken> decode(std::string_view token, std::string_view resource) {
        auto raw = base64url_decode(token);
        if (!raw) return std::nullopt;
        auto parts = split(*raw, '|');
        if (parts.size() != 5 || parts[0] != "v1" || parts[1] != resource) return std::nullopt;
        auto v = to_i64(parts[3]);
        if (!v) return std::nullopt;
        return PageToken{parts[1], parts[2], *v, parts[4]};
    }
};

std::string money(const model::Money& m) { return m.decimal(); }

void put_money_or_null(json::Writer& w, std::string_view key, const std::optional<model::Money>& m) {
    w.key(key);
    if (m) w.value(m->decimal());
    else w.null();
}

class Testshop final : public PlatformModule {
public:
    Testshop(ShopData& data, const ModuleOptions& options)
        : PlatformModule(data, options), bucket_(options.bucket_capacity, options.leak_per_s) {}

    std::string_view name() const override { return "testshop"; }

    bool is_data_route(const Request& r) const override { return r.path.rfind("/api/v1/", 0) == 0; }

    std::string route_of(const Request& r) const override { return r.method + " " + r.path; }

    void write_credentials(json::Writer& w) const override {
        w.field("client_id", client_id).field("client_secret", client_secret);
        w.field("token_url", "/oauth/token");
    }

    Response expire_token(const Request& r) override {
        if (auto t = bearer(r)) tokens_.erase(*t);
        return with_limits(invalid_token());
    }

    Response too_many_requests(int retry_after_s) const override {
        Response r = PlatformModule::too_many_requests(retry_after_s);
        r.header("X-RateLimit-Limit", std::to_string(options().bucket_capacity)).header("X-RateLimit-Remaining", "0");
        return r;
    }

    Response handle(const Request& r) override {
        if (r.path == "/oauth/token") return with_limits(r.method == "POST" ? grant(r) : error(405, "method_not_allowed", "Use POST"));
        if (!is_data_route(r)) return error(404, "not_found", "No such route");
        int retry_after_s = 1;
        if (!bucket_.admit(options().steady_now_ms(), retry_after_s)) return too_many_requests(retry_after_s);
        return with_limits(api(r));
    }

    static constexpr const char* client_id = "pcgd-test-client";
    static constexpr const char* client_secret = "pcgd-test-secret";

private:
    Response with_limits(Response r) {
        r.header("X-RateLimit-Limit", std::to_string(bucket_.capacity()));
        r.header("X-RateLimit-Remaining", std::to_string(bucket_.remaining(options().steady_now_ms())));
        return r;
    }

    static Response invalid_token() {
        return error(401, "invalid_token", "The access token is invalid or has expired");
    }

    std::optional<std::string> bearer(const Request& r) const {
        auto h = r.header("authorization");
        if (!h || h->rfind("Bearer ", 0) != 0) return std::nullopt;
        return h->substr(7);
    }

    Response grant(const Request& r) {
        const auto form = parse_form(r.body);
        auto get = [&](const char* k) -> std::string {
            auto it = form.find(k);
            return it == form.end() ? std::string() : it->second;
        };
        if (get("grant_type") != "client_credentials")
            return error(400, "unsupported_grant_type", "grant_type must be client_credentials");
        if (get("client_id") != client_id || get("client_secret") != client_secret)
            return error(401, "invalid_client", "Client authentication failed");
        // Deterministic tokens: the n-th grant of a seed always yields the same one.
        char buf[24];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mix64(data().options.seed ^ ++grants_)));
        const std::string token = std::string("tst_") + buf;
        tokens_[token] = options().steady_now_ms() + token_lifetime_ms;
        json::Writer w;
        w.begin_object().field("access_token", token).field("token_type", "Bearer").field("expires_in", std::int64_t{3600});
        w.end_object();
        return Response::json(200, std::string(w.view()));
    }

    Response api(const Request& r) {
        auto token = bearer(r);
        auto it = token ? tokens_.find(*token) : tokens_.end();
        if (it == tokens_.end() || it->second <= options().steady_now_ms()) return invalid_token();
        if (r.method != "GET") return error(405, "method_not_allowed", "Only GET is supported");
        if (r.path == "/api/v1/shop") return shop();
        if (r.path == "/api/v1/products") return products(r);
        if (r.path == "/api/v1/orders") return orders(r);
        if (r.path == "/api/v1/traffic") return traffic(r);
        if (r.path == "/api/v1/deletions") return deletions(r);
        return error(404, "not_found", "No such route");
    }

    Response shop() const {
        const ShopData& d = data();
        json::Writer w;
        w.begin_object().key("shop").begin_object();
        w.field("id", d.shop.id).field("name", d.shop_name).field("country", d.shop.country);
        w.field("currency", d.shop.currency.code()).field("time_zone", d.shop.time_zone);
        w.key("locations").begin_array();
        for (const auto& l : d.locations) w.begin_object().field("id", l.id).field("name", l.name).end_object();
        w.end_array();
        w.end_object().end_object();
        return Response::json(200, std::string(w.view()));
    }

    /// Reads limit, and page_token or the caller's filter. Returns an error response on bad input.
    std::optional<Response> paging(const Request& r, const char* resource, const char* since_param, int default_limit,
                                   int& limit, std::optional<PageToken>& token, std::string& filter) const {
        limit = default_limit;
        if (auto l = r.param("limit")) {
            auto v = to_i64(*l);
            if (!v || *v < 1 || *v > max_limit)
                return error(400, "invalid_request", "limit must be an integer between 1 and 250");
            limit = static_cast<int>(*v);
        }
        if (auto t = r.param("page_token")) {
            token = PageToken::decode(*t, resource);
            if (!token) return error(400, "invalid_page_token", "page_token is not a token this API issued");
            filter = token->filter;
        } else if (since_param) {
            if (auto s = r.param(since_param)) {
                auto ms = model::parse_iso8601(*s);
                if (!ms) return error(400, "invalid_request", std::string(since_param) + " must be an ISO 8601 timestamp");
                filter = std::to_string(*ms);
            }
        }
        return std::nullopt;
    }

    /// Where an item sorts: (sort value, id). Numeric ids compare as numbers
    /// (shorter first), without allocating: the emulator sorts on every page.
    struct Position {
        std::int64_t value = 0;
        std::string_view id;
        bool numeric_id = true;
        friend bool operator<(const Position& a, const Position& b) {
            if (a.value != b.value) return a.value < b.value;
            if (a.numeric_id && a.id.size() != b.id.size()) return a.id.size() < b.id.size();
            return a.id < b.id;
        }
    };

    /// Whether a key function orders ids as numbers (all but traffic's SKUs).
    template <class Item>
    static constexpr bool numeric_ids = !std::is_same_v<Item, const model::TrafficSample*>;

    /// One page: the `limit` first items after the token's position. Only
    /// the page is sorted (partial sort), so a page costs O(n log limit).
    template <class Item, class Key, class Write>
    Response page(const char* resource, const char* list_name, std::vector<Item> items, Key key, int limit,
                  const std::optional<PageToken>& token, const std::string& filter, Write write) const {
        if (token) {
            const Position after{token->sort_value, token->id, numeric_ids<Item>};
            std::erase_if(items, [&](const Item& x) { return !(after < key(x)); });
        }
        const auto n = std::min(items.size(), static_cast<std::size_t>(limit));
        const auto mid = items.begin() + static_cast<std::ptrdiff_t>(n);
        std::partial_sort(items.begin(), mid, items.end(), [&](const Item& a, const Item& b) { return key(a) < key(b); });
        json::Writer w;
        w.begin_object().key(list_name).begin_array();
        for (auto it = items.begin(); it != mid; ++it) write(w, *it);
        w.end_array();
        w.key("next_page_token");
        if (n < items.size() && n > 0) {
            const Position last = key(*(mid - 1));
            w.value(PageToken{resource, filter, last.value, std::string(last.id)}.encode());
        } else {
            w.null();
        }
        w.end_object();
        return Response::json(200, std::string(w.view()));
    }

    static Position by_update(TimestampMs t, const std::string& id) { return Position{t, id, true}; }

    Response products(const Request& r) const {
        int limit;
        std::optional<PageToken> token;
        std::string filter;
        if (auto bad = paging(r, "products", "updated_since", 50, limit, token, filter)) return *bad;
        const TimestampMs since = filter.empty() ? INT64_MIN : to_i64(filter).value_or(INT64_MIN);
        std::vector<const ProductData*> items;
        for (const auto& p : data().products)
            if (!p.deleted && p.product.updated_at.value_or(0) >= since) items.push_back(&p);
        return page(
            "products", "products", std::move(items),
            [](const ProductData* p) { return by_update(*p->product.updated_at, p->product.id); }, limit, token, filter,
            [](json::Writer& w, const ProductData* pd) { write_product(w, *pd); });
    }

    static void write_product(json::Writer& w, const ProductData& pd) {
        const model::Product& p = pd.product;
        w.begin_object().field("id", p.id).field("title", p.title);
        w.key("description_html");
        if (p.description_html.empty()) w.null();
        else w.value(p.description_html);
        w.field("vendor", p.vendor).field("product_type", p.product_type);
        w.key("tags").begin_array();
        for (const auto& t : p.tags) w.value(t);
        w.end_array();
        w.field("status", pd.status);
        w.field("created_at", model::format_iso8601(*p.created_at)).field("updated_at", model::format_iso8601(*p.updated_at));
        w.key("images").begin_array();
        std::int64_t pos = 0;
        for (const auto& im : p.images) {
            ++pos;
            w.begin_object().field("id", p.id + "-" + std::to_string(pos)).field("url", im.url);
            w.field("width", static_cast<std::int64_t>(*im.width_px)).field("height", static_cast<std::int64_t>(*im.height_px));
            w.field("position", pos).end_object();
        }
        w.end_array();
        w.key("variants").begin_array();
        pos = 0;
        for (const auto& v : pd.variants) {
            w.begin_object().field("id", v.id).field("sku", v.sku);
            w.key("barcode");
            if (v.barcode.empty()) w.null();
            else w.value(v.barcode);
            w.field("title", v.title).field("currency", v.price->currency.code());
            w.field("price", money(*v.price));
            put_money_or_null(w, "compare_at_price", v.compare_at_price);
            put_money_or_null(w, "cost", v.unit_cost);
            w.key("inventory").begin_array();
            for (const auto& s : v.stock) w.begin_object().field("location_id", s.location_id).field("available", s.quantity).end_object();
            w.end_array();
            w.field("position", ++pos);
            w.field("updated_at", model::format_iso8601(*v.updated_at));
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }

    Response orders(const Request& r) const {
        int limit;
        std::optional<PageToken> token;
        std::string filter;
        if (auto bad = paging(r, "orders", "updated_since", 50, limit, token, filter)) return *bad;
        const TimestampMs since = filter.empty() ? INT64_MIN : to_i64(filter).value_or(INT64_MIN);
        std::vector<const OrderData*> items;
        for (const auto& o : data().orders)
            if (o.order.updated_at.value_or(o.order.created_at) >= since) items.push_back(&o);
        return page(
            "orders", "orders", std::move(items),
            [](const OrderData* o) { return by_update(*o->order.updated_at, o->order.id); }, limit, token, filter,
            [](json::Writer& w, const OrderData* od) { write_order(w, *od); });
    }

    static bool foreign(const model::MoneyBag& b) { return b.presentment.has_value(); }

    /// "presentment_amounts": {...} with the buyer's-currency amounts, or null.
    template <class... Pairs>
    static void presentment(json::Writer& w, bool present, Pairs... pairs) {
        w.key("presentment_amounts");
        if (!present) {
            w.null();
            return;
        }
        w.begin_object();
        (w.field(pairs.first, pairs.second.presentment->decimal()), ...);
        w.end_object();
    }
    using P = std::pair<const char*, const model::MoneyBag&>;

    static void write_order(json::Writer& w, const OrderData& od) {
        const model::Order& o = od.order;
        w.begin_object().field("id", o.id).field("name", o.name);
        w.field("created_at", model::format_iso8601(o.created_at)).field("updated_at", model::format_iso8601(*o.updated_at));
        w.key("cancelled_at");
        if (o.cancelled_at) w.value(model::format_iso8601(*o.cancelled_at));
        else w.null();
        w.field("status", o.status).field("financial_status", o.financial_status);
        w.field("fulfillment_status", o.fulfillment_status);
        w.field("currency", o.currency.code()).field("presentment_currency", o.presentment_currency->code());
        w.field("country", o.country).field("taxes_included", o.taxes_included);
        w.field("subtotal", money(o.subtotal.shop)).field("total_discounts", money(o.discounts.shop));
        w.field("shipping", money(o.shipping.shop)).field("total_tax", money(o.tax.shop)).field("total", money(o.total.shop));
        presentment(w, foreign(o.total), P{"subtotal", o.subtotal}, P{"total_discounts", o.discounts}, P{"shipping", o.shipping},
                    P{"total_tax", o.tax}, P{"total", o.total});
        w.key("discount_codes").begin_array();
        if (!od.discount_code.empty())
            w.begin_object().field("code", od.discount_code).field("amount", money(o.discounts.shop)).end_object();
        w.end_array();
        w.key("lines").begin_array();
        for (const auto& l : o.lines) {
            w.begin_object().field("id", l.id).field("product_id", l.product_id).field("variant_id", l.variant_id);
            w.field("sku", l.sku).field("title", l.title).field("quantity", l.quantity);
            w.field("unit_price", money(l.unit_price.shop)).field("discount", money(l.discount.shop)).field("tax", money(l.tax.shop));
            presentment(w, foreign(l.unit_price), P{"unit_price", l.unit_price}, P{"discount", l.discount}, P{"tax", l.tax});
            w.end_object();
        }
        w.end_array();
        w.key("refunds").begin_array();
        for (const auto& r : od.refunds) {
            w.begin_object().field("id", r.id).field("created_at", model::format_iso8601(r.created_at)).field("note", r.note);
            w.field("amount", money(r.amount.shop)).field("tax", money(r.tax.shop)).field("shipping", money(r.shipping.shop));
            presentment(w, foreign(r.amount), P{"amount", r.amount}, P{"tax", r.tax}, P{"shipping", r.shipping});
            w.key("lines").begin_array();
            for (const auto& l : r.lines) {
                w.begin_object().field("line_id", l.order_line_id).field("sku", l.sku).field("quantity", l.quantity);
                w.field("subtotal", money(l.subtotal.shop)).field("tax", money(l.tax.shop));
                presentment(w, foreign(l.subtotal), P{"subtotal", l.subtotal}, P{"tax", l.tax});
                w.end_object();
            }
            w.end_array();
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }

    Response traffic(const Request& r) const {
        int limit;
        std::optional<PageToken> token;
        std::string filter;
        if (auto bad = paging(r, "traffic", nullptr, max_limit, limit, token, filter)) return *bad;
        const std::int64_t today = model::floor_div(data().clock_ms, day_ms);
        std::int64_t from = today - 90, to = today - 1;
        if (token) {
            auto parts = split(filter, ':');
            if (parts.size() != 2 || !to_i64(parts[0]) || !to_i64(parts[1]))
                return error(400, "invalid_page_token", "page_token is not a token this API issued");
            from = *to_i64(parts[0]);
            to = *to_i64(parts[1]);
        } else {
            for (auto [name, target] : {std::pair{"from", &from}, std::pair{"to", &to}})
                if (auto v = r.param(name)) {
                    auto d = model::parse_date(*v);
                    if (!d) return error(400, "invalid_request", std::string(name) + " must be a date YYYY-MM-DD");
                    *target = *d;
                }
            if (from > to) return error(400, "invalid_request", "from must not be after to");
            filter = std::to_string(from) + ":" + std::to_string(to);
        }
        std::vector<const model::TrafficSample*> items;
        for (const auto& t : data().traffic)
            if (t.day >= from && t.day <= to) items.push_back(&t);
        return page(
            "traffic", "traffic", std::move(items),
            [](const model::TrafficSample* t) { return Position{t->day, t->sku, false}; }, limit, token, filter,
            [](json::Writer& w, const model::TrafficSample* t) {
                w.begin_object().field("date", model::format_date(t->day)).field("sku", t->sku).field("product_id", t->listing_id);
                w.field("views", t->views).field("sessions", *t->sessions).end_object();
            });
    }

    Response deletions(const Request& r) const {
        int limit;
        std::optional<PageToken> token;
        std::string filter;
        if (auto bad = paging(r, "deletions", "since", max_limit, limit, token, filter)) return *bad;
        const TimestampMs since = filter.empty() ? INT64_MIN : to_i64(filter).value_or(INT64_MIN);
        std::vector<const model::Deletion*> items;
        for (const auto& d : data().deletions)
            if (*d.deleted_at >= since) items.push_back(&d);
        return page(
            "deletions", "deletions", std::move(items),
            [](const model::Deletion* d) { return by_update(*d->deleted_at, d->id); }, limit, token, filter,
            [](json::Writer& w, const model::Deletion* d) {
                w.begin_object().field("kind", model::to_string(d->kind)).field("id", d->id);
                w.field("deleted_at", model::format_iso8601(*d->deleted_at)).end_object();
            });
    }

    LeakyBucket bucket_;
    std::map<std::string, std::int64_t> tokens_;  // token -> expiry (steady ms)
    std::uint64_t grants_ = 0;
};

}  // namespace

void register_testshop(Registry& registry) {
    registry.add("testshop", [](ShopData& data, const ModuleOptions& options) -> std::unique_ptr<PlatformModule> {
        return std::make_unique<Testshop>(data, options);
    });
}

}  // namespace pcgd::emulator
