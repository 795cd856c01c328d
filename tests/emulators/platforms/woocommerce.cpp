// "woocommerce": the WooCommerce REST API wc/v3 as a store serves it.
//
// GET /wp-json/wc/v3/products[/{id}/variations], /orders[/{id}/refunds] with
// WooCommerce's shapes (decimal strings, line `price` as a JSON number, dates
// twice: site-local and `_gmt`, both without a zone), paging by page/per_page
// (1..100, anything else 400 rest_invalid_param) with X-WP-Total,
// X-WP-TotalPages and Link, filters after/before/modified_after/
// modified_before with dates_are_gmt, and the three ways of authenticating:
// HTTP Basic, the keys in the query string, and OAuth 1.0a one-legged
// signatures (HMAC-SHA1/SHA256, timestamp within 15 minutes of the server's
// clock, nonces never reused), refused with WooCommerce's error bodies. Every
// answer carries a Date header from the server's clock: the emulator's clock
// plus the time it has been running. Deleted products are in the trash
// (status=trash). `--data` is `generated` with, comma-separated:
// `legacy-store` (ignores modified_after/modified_before, no orderby=modified,
// no cost of goods: a store before WooCommerce 5.x) and `no-cogs` (the cost of
// goods feature off). See docs/woocommerce.md.
#include <pcgd/emulator/platform.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace pcgd::emulator {
namespace {

using model::Money;
using model::TimestampMs;

constexpr const char* consumer_key = "ck_4c1d2b0a9e8f7d6c5b4a39281706f5e4d3c2b1a0";
constexpr const char* consumer_secret = "cs_0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3";
constexpr std::int64_t oauth_window_s = 15 * 60;
constexpr std::string_view api_prefix = "/wp-json/wc/v3";

Response wc_error(int status, std::string_view code, std::string_view message) {
    json::Writer w;
    w.begin_object().field("code", code).field("message", message);
    w.key("data").begin_object().field("status", static_cast<std::int64_t>(status)).end_object().end_object();
    return Response::json(status, std::string(w.view()));
}

Response auth_error(std::string_view message) { return wc_error(401, "woocommerce_rest_authentication_error", message); }

Response invalid_param(std::string_view param, std::string_view message, std::string_view detail_code) {
    json::Writer w;
    w.begin_object().field("code", "rest_invalid_param").field("message", "Invalid parameter(s): " + std::string(param));
    w.key("data").begin_object().field("status", std::int64_t{400});
    w.key("params").begin_object().field(param, message).end_object();
    w.key("details").begin_object().key(param).begin_object().field("code", detail_code).field("message", message).key("data").null();
    w.end_object().end_object().end_object().end_object();
    return Response::json(400, std::string(w.view()));
}

// ------------------------------------------------------------- crypto

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string base64(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (i + 1 < bytes.size()) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view s) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : s) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        else if (c == '=') break;
        else return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

std::string hmac_base64(const EVP_MD* md, std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(),
         &size);
    return base64(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

// ------------------------------------------------------------- dates

/// Europe's summer time: from the last Sunday of March to the last Sunday of
/// October, 01:00 UTC both.
bool eu_summer_time(TimestampMs t) {
    const std::int64_t day = model::floor_div(t, 86'400'000);
    const auto civil = model::civil_from_days(day);
    const auto last_sunday = [&](unsigned month) {
        const std::int64_t last = model::days_from_civil(civil.year, month, 31);
        const std::int64_t weekday = ((last + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday (4)
        return (last - weekday) * 86'400'000 + 3'600'000;
    };
    return t >= last_sunday(3) && t < last_sunday(10);
}

/// "2026-10-31T23:00:00": ISO 8601 without zone, as WooCommerce sends dates.
std::string wc_date(TimestampMs t) {
    std::string s = model::format_iso8601(model::floor_div(t, 1000) * 1000);
    if (!s.empty() && s.back() == 'Z') s.pop_back();
    if (const auto dot = s.find('.'); dot != std::string::npos) s.erase(dot);
    return s;
}

std::string http_date(TimestampMs t) {
    static constexpr std::array<const char*, 7> days = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::int64_t day = model::floor_div(t, 86'400'000);
    const auto c = model::civil_from_days(day);
    const std::int64_t s = model::floor_div(t, 1000) - day * 86'400;
    char out[40];
    std::snprintf(out, sizeof out, "%s, %02u %s %04d %02lld:%02lld:%02lld GMT", days[static_cast<std::size_t>(((day % 7) + 7) % 7)], c.day,
                  months[c.month - 1], c.year, static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
                  static_cast<long long>(s % 60));
    return out;
}

/// PHP's json_encode of a float (serialize_precision -1): the shortest text
/// that reads back as the same double, with ".0" on whole numbers.
std::string php_float(double v) {
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v);
    std::string s(buffer.data(), ec == std::errc() ? end : buffer.data());
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

double as_double(const Money& m) {
    double scale = 1;
    for (int k = 0; k < m.currency.exponent(); ++k) scale *= 10;
    return static_cast<double>(m.minor) / scale;
}

std::uint64_t id_number(const std::string& id) { return static_cast<std::uint64_t>(std::stoull(id)); }

std::optional<std::int64_t> to_i64(std::string_view s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

/// The window of one list request.
struct Query {
    std::int64_t page = 1, per_page = 10;
    std::string orderby = "date", order = "desc";
    std::optional<TimestampMs> after, before, modified_after, modified_before;
    bool gmt = false;
    std::string status = "any";
};

class WooCommerce final : public PlatformModule {
public:
    WooCommerce(ShopData& data, const ModuleOptions& options)
        : PlatformModule(data, options),
          bucket_(options.bucket_capacity, options.leak_per_s),
          started_steady_ms_(this->options().steady_now_ms()) {
        data.traffic.clear();  // WooCommerce has no views or sessions
        bool generated = false;
        for (const std::string& item : options.data_items()) {
            if (item == "generated") generated = true;
            else if (item == "legacy-store") legacy_ = true, cogs_ = false;
            else if (item == "no-cogs") cogs_ = false;
            else throw std::invalid_argument("--data: expected generated[,legacy-store][,no-cogs], got '" + options.data + "'");
        }
        if (!generated) throw std::invalid_argument("--data: expected generated[,legacy-store][,no-cogs], got '" + options.data + "'");
    }

    std::string_view name() const override { return "woocommerce"; }

    bool is_data_route(const Request& r) const override { return r.path.rfind("/wp-json/", 0) == 0; }

    /// Children routes as one label each, so "never twice in a row" is per list.
    std::string route_of(const Request& r) const override {
        std::string path = r.path;
        for (const char* child : {"/variations", "/refunds"}) {
            const auto at = path.find(child);
            if (at == std::string::npos) continue;
            const auto slash = path.rfind('/', at - 1);
            if (slash != std::string::npos) path = path.substr(0, slash) + "/{id}" + path.substr(at);
        }
        return r.method + " " + path;
    }

    void write_credentials(json::Writer& w) const override {
        w.field("consumer_key", consumer_key).field("consumer_secret", consumer_secret);
        w.field("api_root", std::string(api_prefix));
    }

    /// WooCommerce keys do not expire; a key refused (revoked, its user
    /// deleted) reads like this.
    Response expire_token(const Request&) override { return dated(auth_error("Consumer key is invalid.")); }

    Response too_many_requests(int retry_after_s) const override {
        Response r = wc_error(429, "too_many_requests", "Too many requests.");
        r.header("Retry-After", std::to_string(retry_after_s));
        return r;
    }

    Response handle(const Request& r) override {
        if (r.path.rfind(std::string(api_prefix) + "/", 0) != 0 || r.method != "GET")
            return dated(wc_error(404, "rest_no_route", "No route was found matching the URL and request method"));
        if (options().rate_limit_given) {
            int retry_after_s = 1;
            if (!bucket_.admit(options().steady_now_ms(), retry_after_s)) return dated(too_many_requests(retry_after_s));
        }
        if (auto refused = authenticate(r)) return dated(std::move(*refused));
        return dated(api(r));
    }

private:
    TimestampMs server_now() const { return data().clock_ms + (options().steady_now_ms() - started_steady_ms_); }

    Response dated(Response r) const {
        r.header("Date", http_date(server_now()));
        return r;
    }

    // ------------------------------------------------------------- auth

    /// Nothing when the request may go on; else WooCommerce's refusal.
    std::optional<Response> authenticate(const Request& r) {
        if (auto h = r.header("authorization"); h && h->rfind("Basic ", 0) == 0) {
            const auto decoded = base64_decode(h->substr(6));
            const auto colon = decoded ? decoded->find(':') : std::string::npos;
            if (colon == std::string::npos) return auth_error("Consumer key is missing.");
            return check_keys(decoded->substr(0, colon), decoded->substr(colon + 1));
        }
        if (r.param("consumer_key") || r.param("consumer_secret"))
            return check_keys(r.param("consumer_key").value_or(""), r.param("consumer_secret").value_or(""));
        if (r.param("oauth_consumer_key") || r.param("oauth_signature")) return check_oauth(r);
        return wc_error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.");
    }

    static std::optional<Response> check_keys(const std::string& key, const std::string& secret) {
        if (key.empty()) return auth_error("Consumer key is missing.");
        if (key != consumer_key) return auth_error("Consumer key is invalid.");
        if (secret != consumer_secret) return auth_error("Consumer secret is invalid.");
        return std::nullopt;
    }

    /// WC_REST_Authentication::perform_oauth_authentication, in its order:
    /// parameters, key, signature, then timestamp and nonce.
    std::optional<Response> check_oauth(const Request& r) {
        for (const char* p : {"oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"})
            if (!r.param(p)) return auth_error(std::string("Missing OAuth parameter ") + p);
        if (*r.param("oauth_consumer_key") != consumer_key) return auth_error("Consumer key is invalid.");
        const std::string method = *r.param("oauth_signature_method");
        const EVP_MD* md = method == "HMAC-SHA1" ? EVP_sha1() : method == "HMAC-SHA256" ? EVP_sha256() : nullptr;
        if (!md) return auth_error("Invalid signature - signature method is invalid.");
        // Every parameter but the signature, encoded, sorted, joined and encoded again.
        std::vector<std::pair<std::string, std::string>> params;
        for (const auto& [k, v] : r.query)
            if (k != "oauth_signature") params.emplace_back(percent_encode(k), percent_encode(v));
        std::sort(params.begin(), params.end());
        std::string joined;
        for (const auto& [k, v] : params) joined += (joined.empty() ? "" : "&") + k + "=" + v;
        const std::string host = r.header("host").value_or("127.0.0.1");
        const std::string key = std::string(consumer_secret) + "&";
        // The module cannot see the transport: a signature for either scheme passes.
        bool valid = false;
        for (const char* scheme : {"http://", "https://"}) {
            const std::string base = "GET&" + percent_encode(scheme + host + r.path) + "&" + percent_encode(joined);
            valid = valid || hmac_base64(md, key, base) == *r.param("oauth_signature");
        }
        if (!valid) return auth_error("Invalid signature - provided signature does not match.");
        const auto timestamp = to_i64(*r.param("oauth_timestamp"));
        const std::int64_t now_s = model::floor_div(server_now(), 1000);
        if (!timestamp || *timestamp < now_s - oauth_window_s || *timestamp > now_s + oauth_window_s)
            return auth_error("Invalid timestamp.");
        if (!used_nonces_.insert(*r.param("oauth_nonce")).second) return auth_error("Invalid nonce - nonce has already been used.");
        return std::nullopt;
    }

    // ------------------------------------------------------------- lists

    std::optional<Response> read_query(const Request& r, Query& q) {
        if (auto p = r.param("page")) {
            const auto v = to_i64(*p);
            if (!v || *v < 1) return invalid_param("page", "page must be greater than or equal to 1", "rest_out_of_bounds");
            q.page = *v;
        }
        if (auto p = r.param("per_page")) {
            const auto v = to_i64(*p);
            if (!v || *v < 1 || *v > 100)
                return invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)", "rest_out_of_bounds");
            q.per_page = *v;
        }
        if (auto p = r.param("orderby")) {
            const bool known = *p == "date" || *p == "id" || *p == "include" || *p == "title" || *p == "slug" || (*p == "modified" && !legacy_);
            if (!known)
                return invalid_param("orderby", legacy_ ? "orderby is not one of date, id, include, title, and slug."
                                                        : "orderby is not one of date, id, include, title, slug, and modified.",
                                     "rest_not_in_enum");
            q.orderby = *p;
        }
        if (auto p = r.param("order")) {
            if (*p != "asc" && *p != "desc") return invalid_param("order", "order is not one of asc and desc.", "rest_not_in_enum");
            q.order = *p;
        }
        if (auto p = r.param("dates_are_gmt")) q.gmt = *p == "true" || *p == "1";
        const auto date = [&](const char* name, std::optional<TimestampMs>& out) -> std::optional<Response> {
            auto p = r.param(name);
            if (!p) return std::nullopt;
            auto t = model::parse_iso8601(*p, model::NoZone::utc);
            if (!t) return invalid_param(name, "Invalid date.", "rest_invalid_date");
            out = t;
            return std::nullopt;
        };
        for (auto [name, slot] : {std::pair{"after", &q.after}, std::pair{"before", &q.before}}) {
            if (auto e = date(name, *slot)) return e;
        }
        // A store before 5.x knows nothing of these and ignores them, as WordPress does unknown parameters.
        if (!legacy_) {
            for (auto [name, slot] : {std::pair{"modified_after", &q.modified_after}, std::pair{"modified_before", &q.modified_before}}) {
                if (auto e = date(name, *slot)) return e;
            }
        }
        if (auto p = r.param("status")) q.status = *p;
        return std::nullopt;
    }

    /// The site-local form of an instant (the shop's time zone).
    TimestampMs local(TimestampMs t) const {
        const bool paris = data().shop.time_zone == "Europe/Paris";
        return t + (paris ? 3'600'000 : 0) + (eu_summer_time(t) ? 3'600'000 : 0);
    }

    /// WP_Query's date_query: `after`/`before` are exclusive, at second precision.
    bool in_window(const Query& q, TimestampMs created, TimestampMs modified) const {
        const auto cmp = [&](TimestampMs t) { return model::floor_div(q.gmt ? t : local(t), 1000); };
        const auto s = [](TimestampMs t) { return model::floor_div(t, 1000); };
        if (q.after && !(cmp(created) > s(*q.after))) return false;
        if (q.before && !(cmp(created) < s(*q.before))) return false;
        if (q.modified_after && !(cmp(modified) > s(*q.modified_after))) return false;
        if (q.modified_before && !(cmp(modified) < s(*q.modified_before))) return false;
        return true;
    }

    struct Item {
        std::size_t index;
        std::uint64_t id;
        TimestampMs created, modified;
    };

    /// Sorts, cuts the page and writes the paging headers; calls `write` for each item of the page.
    template <class Write>
    Response page_of(const Request& r, const Query& q, std::vector<Item>& items, Write write) {
        const auto key = [&](const Item& i) {
            return q.orderby == "id" ? static_cast<TimestampMs>(i.id) : q.orderby == "modified" ? i.modified : i.created;
        };
        // Already in id order when asked for it, as the data is: no sort for the common case.
        const auto less = [&](const Item& a, const Item& b) { return key(a) != key(b) ? key(a) < key(b) : a.id < b.id; };
        if (!std::is_sorted(items.begin(), items.end(), less)) std::stable_sort(items.begin(), items.end(), less);
        if (q.order == "desc") std::reverse(items.begin(), items.end());
        const std::int64_t total = static_cast<std::int64_t>(items.size());
        const std::int64_t pages = (total + q.per_page - 1) / q.per_page;
        const std::int64_t from = std::min(total, (q.page - 1) * q.per_page), to = std::min(total, from + q.per_page);
        json::Writer w;
        w.begin_array();
        for (std::int64_t i = from; i < to; ++i) write(w, items[static_cast<std::size_t>(i)]);
        w.end_array();
        Response res = Response::json(200, std::string(w.view()));
        res.header("X-WP-Total", std::to_string(total)).header("X-WP-TotalPages", std::to_string(pages));
        // Core's CRUD controller links prev and next only.
        const std::string base = "http://" + r.header("host").value_or("127.0.0.1") + r.path + "?page=";
        std::string link;
        if (q.page > 1 && q.page - 1 <= std::max<std::int64_t>(pages, 1)) link = "<" + base + std::to_string(q.page - 1) + ">; rel=\"prev\"";
        if (q.page < pages) link += (link.empty() ? "" : ", ") + std::string("<") + base + std::to_string(q.page + 1) + ">; rel=\"next\"";
        if (!link.empty()) res.header("Link", link);
        return res;
    }

    Response api(const Request& r) {
        const std::string path = r.path.substr(api_prefix.size());
        Query q;
        if (auto bad = read_query(r, q)) return std::move(*bad);
        if (path == "/products") return products(r, q);
        if (path == "/orders") return orders(r, q);
        const auto children = [&](std::string_view prefix, std::string_view suffix) -> std::optional<std::string> {
            if (path.rfind(prefix, 0) != 0 || path.size() <= prefix.size() + suffix.size() ||
                path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
                return std::nullopt;
            return path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
        };
        if (auto id = children("/products/", "/variations")) return variations(r, q, *id);
        if (auto id = children("/orders/", "/refunds")) return refunds(r, q, *id);
        return wc_error(404, "rest_no_route", "No route was found matching the URL and request method");
    }

    // ------------------------------------------------------------- products

    TimestampMs deleted_at(const ProductData& p) const {
        for (const auto& d : data().deletions)
            if (d.id == p.product.id) return *d.deleted_at;
        return *p.product.updated_at;
    }

    std::string status_of(const ProductData& p) const {
        if (p.deleted) return "trash";
        return p.status == "active" ? "publish" : p.status == "draft" ? "draft" : "private";
    }

    TimestampMs modified_of(const ProductData& p) const {
        return p.deleted ? deleted_at(p) : p.product.updated_at.value_or(*p.product.created_at);
    }

    Response products(const Request& r, const Query& q) {
        std::vector<Item> items;
        const auto& all = data().products;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const ProductData& p = all[i];
            const std::string status = status_of(p);
            // "any" is every status but the trash, as WordPress lists posts.
            if (q.status == "any" ? status == "trash" : q.status != status) continue;
            const TimestampMs created = *p.product.created_at, modified = modified_of(p);
            if (!in_window(q, created, modified)) continue;
            items.push_back(Item{i, p.key, created, modified});
        }
        return page_of(r, q, items, [&](json::Writer& w, const Item& i) { write_product(w, all[i.index]); });
    }

    void dates(json::Writer& w, std::string_view name, TimestampMs t) const {
        w.field(name, wc_date(local(t))).field(std::string(name) + "_gmt", wc_date(t));
    }

    void null_dates(json::Writer& w, std::string_view name) const {
        w.key(name).null().key(std::string(name) + "_gmt").null();
    }

    /// Price, stock and cost fields shared by simple products and variations.
    void write_offer(json::Writer& w, const model::Variant& v) const {
        w.field("sku", v.sku);
        const bool on_sale = v.compare_at_price && v.price && v.compare_at_price->minor > v.price->minor;
        w.field("price", v.price ? v.price->decimal() : "");
        w.field("regular_price", on_sale ? v.compare_at_price->decimal() : v.price ? v.price->decimal() : "");
        w.field("sale_price", on_sale ? v.price->decimal() : "");
        w.field("on_sale", on_sale);
        if (!legacy_) w.field("global_unique_id", v.barcode);
        w.field("manage_stock", v.stock_total.has_value()).key("stock_quantity");
        if (v.stock_total) w.value(*v.stock_total);
        else w.null();
        w.field("stock_status", !v.stock_total || *v.stock_total > 0 ? "instock" : "outofstock");
        w.field("backorders", "no");
        if (cogs_) {
            // Numbers in the store's currency; no cost defined reads as an empty `values`.
            w.key("cost_of_goods_sold").begin_object().key("values").begin_array();
            if (v.unit_cost) {
                w.begin_object().key("defined_value").raw(php_float(as_double(*v.unit_cost)));
                w.key("effective_value").raw(php_float(as_double(*v.unit_cost))).end_object();
            }
            w.end_array().key("total_value").raw(v.unit_cost ? php_float(as_double(*v.unit_cost)) : "0");
            w.end_object();
        }
    }

    void write_product(json::Writer& w, const ProductData& pd) const {
        const model::Product& p = pd.product;
        const bool variable = pd.variants.size() > 1;
        w.begin_object().key("id").value(static_cast<std::uint64_t>(pd.key)).field("name", p.title);
        w.field("slug", "product-" + p.id).field("permalink", "https://lumiere.example/product/product-" + p.id + "/");
        dates(w, "date_created", *p.created_at);
        dates(w, "date_modified", modified_of(pd));
        w.field("type", variable ? "variable" : "simple").field("status", status_of(pd)).field("featured", false);
        w.field("catalog_visibility", "visible").field("description", p.description_html).field("short_description", "");
        if (variable) {
            std::optional<Money> lowest;
            for (const auto& v : pd.variants)
                if (v.price && (!lowest || v.price->minor < lowest->minor)) lowest = v.price;
            w.field("sku", "").field("price", lowest ? lowest->decimal() : "").field("regular_price", "").field("sale_price", "");
            w.field("on_sale", false).field("manage_stock", false).key("stock_quantity").null().field("stock_status", "instock");
            w.field("backorders", "no");
        } else if (!pd.variants.empty()) {
            write_offer(w, pd.variants.front());
        }
        w.field("total_sales", std::int64_t{0}).field("tax_status", "taxable").field("tax_class", "");
        w.key("categories").begin_array();
        if (!p.product_type.empty())
            w.begin_object().field("id", static_cast<std::int64_t>(hash_string(p.product_type) % 1000 + 15)).field("name", p.product_type)
                .field("slug", p.product_type).end_object();
        w.end_array().key("tags").begin_array();
        for (const auto& t : p.tags)
            w.begin_object().field("id", static_cast<std::int64_t>(hash_string(t) % 1000 + 1100)).field("name", t).field("slug", t).end_object();
        w.end_array().key("images").begin_array();
        std::uint64_t n = 0;
        for (const auto& im : p.images) {
            w.begin_object().field("id", static_cast<std::uint64_t>(pd.key * 10 + ++n));
            dates(w, "date_created", *p.created_at);
            dates(w, "date_modified", *p.created_at);
            w.field("src", im.url).field("name", "").field("alt", "").end_object();
        }
        w.end_array().key("attributes").begin_array();
        if (variable) {
            w.begin_object().field("id", std::int64_t{0}).field("name", "Option").field("position", std::int64_t{0}).field("visible", true);
            w.field("variation", true).key("options").begin_array();
            for (const auto& v : pd.variants) w.value(v.title);
            w.end_array().end_object();
        }
        w.end_array().key("variations").begin_array();
        if (variable)
            for (const auto& v : pd.variants) w.raw(v.id);
        w.end_array().field("menu_order", std::int64_t{0}).key("meta_data").begin_array().end_array().end_object();
    }

    const ProductData* product_by_id(std::string_view id) const {
        for (const auto& p : data().products)
            if (p.product.id == id) return &p;
        return nullptr;
    }

    Response variations(const Request& r, const Query& q, const std::string& product_id) {
        const ProductData* p = product_by_id(product_id);
        if (!p) return wc_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
        std::vector<Item> items;
        if (p->variants.size() > 1)
            for (std::size_t i = 0; i < p->variants.size(); ++i) {
                const auto& v = p->variants[i];
                const TimestampMs modified = v.updated_at.value_or(*p->product.created_at);
                if (!in_window(q, *p->product.created_at, modified)) continue;
                items.push_back(Item{i, id_number(v.id), *p->product.created_at, modified});
            }
        return page_of(r, q, items, [&](json::Writer& w, const Item& i) {
            const model::Variant& v = p->variants[i.index];
            w.begin_object().key("id").raw(v.id);
            dates(w, "date_created", *p->product.created_at);
            dates(w, "date_modified", i.modified);
            w.field("description", "").field("permalink", "https://lumiere.example/product/product-" + p->product.id + "/?attribute_option=" + v.id);
            write_offer(w, v);
            w.field("status", "publish").field("tax_status", "taxable").field("tax_class", "").key("image");
            if (v.images.empty()) {
                w.null();
            } else {
                w.begin_object().field("id", id_number(v.id) * 10).field("src", v.images.front().url).field("name", "").field("alt", "").end_object();
            }
            w.key("attributes").begin_array().begin_object().field("id", std::int64_t{0}).field("name", "Option").field("option", v.title);
            w.end_object().end_array().field("menu_order", std::int64_t{0}).key("meta_data").begin_array().end_array().end_object();
        });
    }

    // ------------------------------------------------------------- orders

    static std::string wc_status(const OrderData& od) {
        const auto& o = od.order;
        if (o.cancelled_at || o.status == "cancelled") return "cancelled";
        if (o.financial_status == "refunded") return "refunded";
        if (o.status == "closed" || o.fulfillment_status == "fulfilled") return "completed";
        return "processing";
    }

    bool variable(const std::string& product_id) {
        if (variable_.empty())
            for (const auto& p : data().products) variable_[p.product.id] = p.variants.size() > 1;
        const auto it = variable_.find(product_id);
        return it != variable_.end() && it->second;
    }

    Response orders(const Request& r, const Query& q) {
        std::vector<Item> items;
        const auto& all = data().orders;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const OrderData& od = all[i];
            if (q.status != "any") {
                const std::string status = wc_status(od);
                bool wanted = false;
                std::string_view list = q.status;
                while (!list.empty() && !wanted) {
                    const auto comma = list.find(',');
                    wanted = list.substr(0, comma) == status;
                    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
                }
                if (!wanted) continue;
            }
            const TimestampMs created = od.order.created_at, modified = od.order.updated_at.value_or(created);
            if (!in_window(q, created, modified)) continue;
            items.push_back(Item{i, od.key, created, modified});
        }
        return page_of(r, q, items, [&](json::Writer& w, const Item& i) { write_order(w, all[i.index]); });
    }

    void write_order(json::Writer& w, const OrderData& od) {
        const model::Order& o = od.order;
        const model::Currency c = o.currency;
        const std::string status = wc_status(od);
        w.begin_object().key("id").value(static_cast<std::uint64_t>(od.key)).field("parent_id", std::int64_t{0});
        w.field("number", o.name.size() > 1 && o.name[0] == '#' ? o.name.substr(1) : o.name);
        w.field("order_key", "wc_order_" + std::to_string(mix64(od.key) % 100000000000ull)).field("created_via", "checkout");
        w.field("version", legacy_ ? "4.9.2" : "10.3.0").field("status", status).field("currency", c.code());
        dates(w, "date_created", o.created_at);
        dates(w, "date_modified", o.updated_at.value_or(o.created_at));
        w.field("discount_total", o.discounts.shop.decimal()).field("discount_tax", Money::zero(c).decimal());
        w.field("shipping_total", o.shipping.shop.decimal()).field("shipping_tax", Money::zero(c).decimal());
        w.field("cart_tax", o.tax.shop.decimal()).field("total", o.total.shop.decimal()).field("total_tax", o.tax.shop.decimal());
        w.field("prices_include_tax", o.taxes_included).field("customer_id", std::int64_t{0});
        w.key("billing").begin_object().field("first_name", "Client").field("last_name", std::to_string(od.key));
        w.field("country", o.country).field("email", "client" + std::to_string(od.key) + "@example.com").end_object();
        w.key("shipping").begin_object().field("first_name", "Client").field("last_name", std::to_string(od.key));
        w.field("country", o.country).end_object();
        w.field("payment_method", "stripe").field("payment_method_title", "Credit card").field("transaction_id", "");
        if (status == "cancelled") null_dates(w, "date_paid");
        else dates(w, "date_paid", o.created_at);
        if (status == "completed" || (status == "refunded" && o.fulfillment_status == "fulfilled"))
            dates(w, "date_completed", o.updated_at.value_or(o.created_at));
        else null_dates(w, "date_completed");
        w.key("meta_data").begin_array().end_array();
        w.key("line_items").begin_array();
        for (const auto& l : o.lines) write_line(w, l, c, 1);
        w.end_array();
        w.key("tax_lines").begin_array();
        w.begin_object().field("id", static_cast<std::uint64_t>(od.key * 10 + 8)).field("rate_code", o.country + "-VAT-1").field("rate_id", std::int64_t{1});
        w.field("label", "VAT").field("compound", false).field("tax_total", o.tax.shop.decimal());
        w.field("shipping_tax_total", Money::zero(c).decimal()).key("meta_data").begin_array().end_array().end_object();
        w.end_array().key("shipping_lines").begin_array();
        if (o.shipping.shop.minor != 0) {
            w.begin_object().field("id", static_cast<std::uint64_t>(od.key * 10 + 9)).field("method_title", "Flat rate").field("method_id", "flat_rate");
            w.field("total", o.shipping.shop.decimal()).field("total_tax", Money::zero(c).decimal());
            w.key("taxes").begin_array().end_array().key("meta_data").begin_array().end_array().end_object();
        }
        w.end_array().key("fee_lines").begin_array().end_array().key("coupon_lines").begin_array();
        if (!od.discount_code.empty()) {
            w.begin_object().field("id", static_cast<std::uint64_t>(od.key * 10 + 7)).field("code", od.discount_code).field("discount", o.discounts.shop.decimal());
            w.field("discount_tax", Money::zero(c).decimal()).key("meta_data").begin_array().end_array().end_object();
        }
        w.end_array().key("refunds").begin_array();
        for (auto it = od.refunds.rbegin(); it != od.refunds.rend(); ++it)  // newest first, as core lists them
            w.begin_object().key("id").raw(it->id).field("reason", it->note).field("total", (-it->amount.shop).decimal()).end_object();
        w.end_array().end_object();
    }

    /// A line as WooCommerce stores it: amounts net of tax, `subtotal` before
    /// discounts, `total` after, `price` = total / quantity as a PHP float.
    /// `sign` is -1 in a refund.
    void write_line(json::Writer& w, const model::OrderLine& l, model::Currency c, int sign) {
        const Money gross = l.unit_price.shop.times(l.quantity);
        const Money net_of_discount = gross - l.discount.shop;
        const Money total = net_of_discount - l.tax.shop;
        Money subtotal_tax = l.tax.shop;
        if (l.discount.shop.minor != 0 && net_of_discount.minor != 0)
            subtotal_tax.minor = (l.tax.shop.minor * gross.minor * 2 / net_of_discount.minor + 1) / 2;
        const Money subtotal = gross - subtotal_tax;
        const auto s = [&](const Money& m) { return (sign < 0 ? -m : m).decimal(); };
        w.begin_object().key("id").raw(l.id).field("name", l.title);
        w.key("product_id").raw(l.product_id.empty() ? "0" : l.product_id);
        w.key("variation_id").raw(variable(l.product_id) ? l.variant_id : "0");
        w.field("quantity", sign * l.quantity).field("tax_class", "");
        w.field("subtotal", s(subtotal)).field("subtotal_tax", s(subtotal_tax)).field("total", s(total)).field("total_tax", s(l.tax.shop));
        w.key("taxes").begin_array().begin_object().field("id", std::int64_t{1}).field("total", s(l.tax.shop));
        w.field("subtotal", s(subtotal_tax)).end_object().end_array();
        w.key("meta_data").begin_array().end_array().field("sku", l.sku);
        w.key("price").raw(php_float(l.quantity ? sign * as_double(total) / static_cast<double>(l.quantity) : 0.0));
        w.end_object();
        (void)c;
    }

    Response refunds(const Request& r, const Query& q, const std::string& order_id) {
        const OrderData* order = nullptr;
        for (const auto& od : data().orders)
            if (od.order.id == order_id) order = &od;
        if (!order) return wc_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
        std::vector<Item> items;
        for (std::size_t i = 0; i < order->refunds.size(); ++i) {
            const auto& rf = order->refunds[i];
            if (!in_window(q, rf.created_at, rf.created_at)) continue;
            items.push_back(Item{i, id_number(rf.id), rf.created_at, rf.created_at});
        }
        return page_of(r, q, items, [&](json::Writer& w, const Item& i) {
            const model::Refund& rf = order->refunds[i.index];
            const model::Currency c = order->order.currency;
            w.begin_object().key("id").raw(rf.id);
            dates(w, "date_created", rf.created_at);
            w.field("amount", rf.amount.shop.decimal()).field("reason", rf.note).field("refunded_by", std::int64_t{1});
            w.field("refunded_payment", true).key("meta_data").begin_array().end_array().key("line_items").begin_array();
            std::uint64_t n = 0;
            for (const auto& rl : rf.lines) {
                const model::OrderLine* line = nullptr;
                for (const auto& l : order->order.lines)
                    if (l.id == rl.order_line_id) line = &l;
                const Money total = rl.subtotal.shop;
                w.begin_object().field("id", id_number(rf.id) * 10 + ++n).field("name", line ? line->title : "");
                w.key("product_id").raw(line && !line->product_id.empty() ? line->product_id : "0");
                w.key("variation_id").raw(line && variable(line->product_id) ? line->variant_id : "0");
                w.field("quantity", -rl.quantity).field("tax_class", "");
                w.field("subtotal", (-total).decimal()).field("subtotal_tax", (-rl.tax.shop).decimal());
                w.field("total", (-total).decimal()).field("total_tax", (-rl.tax.shop).decimal());
                w.key("taxes").begin_array().end_array().key("meta_data").begin_array();
                w.begin_object().field("id", id_number(rf.id) * 10 + 5).field("key", "_refunded_item_id").field("value", rl.order_line_id);
                w.end_object().end_array().field("sku", rl.sku);
                w.key("price").raw(php_float(rl.quantity ? -as_double(total) / static_cast<double>(rl.quantity) : 0.0)).end_object();
            }
            w.end_array().key("shipping_lines").begin_array();
            if (rf.shipping.shop.minor != 0) {
                w.begin_object().field("id", id_number(rf.id) * 10 + 9).field("method_title", "Flat rate").field("method_id", "flat_rate");
                w.field("total", (-rf.shipping.shop).decimal()).field("total_tax", Money::zero(c).decimal());
                w.key("taxes").begin_array().end_array().key("meta_data").begin_array().end_array().end_object();
            }
            w.end_array().end_object();
        });
    }

    LeakyBucket bucket_;
    std::int64_t started_steady_ms_;
    bool legacy_ = false, cogs_ = true;
    std::set<std::string> used_nonces_;
    std::map<std::string, bool> variable_;
};

}  // namespace

void register_woocommerce(Registry& registry) {
    registry.add("woocommerce", [](ShopData& data, const ModuleOptions& options) {
        return std::make_unique<WooCommerce>(data, options);
    });
}

}  // namespace pcgd::emulator
