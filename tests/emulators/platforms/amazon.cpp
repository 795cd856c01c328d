// "amazon": the Selling Partner API (EU endpoint) as the Amazon plugin uses
// it, for one seller account on the UK marketplace, or on the UK and FR ones
// (`--data both`).
//
// Login with Amazon (POST /auth/o2/token, refresh-token grant, expiring
// tokens), Orders 2026-01-01 (searchOrders, getOrder), Finances v0
// (financial events by order and by posting date), FBA inventory summaries,
// Reports 2021-06-30 (createReport, getReport through IN_QUEUE, IN_PROGRESS
// and DONE / FATAL / CANCELLED, getReportDocument) and the documents
// themselves (GET_MERCHANT_LISTINGS_ALL_DATA in Cp1252, GET_SALES_AND_TRAFFIC_REPORT
// in JSON, gzip by default) under /_docs/, Listings Items 2021-08-01
// (searchListingsItems, getListingsItem). One token bucket per operation for
// the whole account, 429 QuotaExceeded, x-amzn-RateLimit-Limit on answers.
//
// The generator's shop is rendered as Amazon shows it: one product (ASIN) per
// SKU; orders older than two years are gone; a refund exists only on a
// shipped order and does not touch the order's lastUpdatedTime (it is a
// financial event); traffic rows without a page view are not reported.
// The API's clock is the data's clock plus three minutes, so everything the
// data holds is visible (Amazon shows data two minutes late).
// See docs/amazon.md.
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <pcgd/emulator/platform.hpp>
#include <pcgd/sdk/text.hpp>
#include <set>
#include <stdexcept>
#include <variant>

namespace pcgd::emulator {
namespace {

using model::Money;
using model::TimestampMs;

constexpr TimestampMs day_ms = 86'400'000;
constexpr TimestampMs minute_ms = 60'000;
/// The API answers as of this long after the data's clock.
constexpr TimestampMs api_lag_ms = 3 * minute_ms;
/// Amazon keeps two years of orders (a day's margin for the client's clock).
constexpr TimestampMs history_ms = 729 * day_ms;
/// A shipment's financial event is posted this long after it ships.
constexpr TimestampMs fee_delay_ms = 2 * day_ms;

constexpr const char* client_id = "amzn1.application-oa2-client.pcgd-emulator";
constexpr const char* client_secret = "pcgd-emulator-client-secret";
constexpr const char* refresh_token = "Atzr|pcgd-emulator-refresh-token";
// The seller's authorisation (GET /apps/authorize/consent, then the code grant).
constexpr const char* application_id = "amzn1.sp.solution.pcgd-emulator";
constexpr const char* selling_partner_id = "A2PCGDEMULATOR";

struct MarketInfo {
    const char* id;
    const char* country;
    const char* name;
    const char* order_prefix;
    std::int64_t fba_unit_fee_minor;
};
constexpr MarketInfo uk_info{"A1F83G8C2ARO7P", "GB", "Amazon.co.uk", "204", 270};
constexpr MarketInfo fr_info{"A13V1IB3VIYZZH", "FR", "Amazon.fr", "403", 310};

/// The usage plans of the operations served, from the models.
struct Plan {
    const char* name;
    double rate;
    double burst;
};
constexpr Plan plans[] = {
    {"searchOrders", 0.0056, 20},
    {"getOrder", 0.5, 30},
    {"listFinancialEventsByOrderId", 0.5, 30},
    {"listFinancialEvents", 0.5, 30},
    {"getInventorySummaries", 2, 2},
    {"createReport", 0.0167, 15},
    {"getReport", 2, 15},
    {"getReportDocument", 0.0167, 15},
    {"searchListingsItems", 5, 5},
    {"getListingsItem", 5, 10},
};

std::string iso(TimestampMs t) { return model::format_iso8601(t); }

std::int64_t round_div(std::int64_t num, std::int64_t den) { return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den); }
std::int64_t vat_of_gross(std::int64_t gross) { return round_div(gross, 6); }

/// A stable ASIN per SKU, shared by the marketplaces as Amazon's catalogue is.
std::string asin_of(std::string_view sku) {
    static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::uint64_t h = mix64(hash_string(sku));
    std::string out = "B0";
    for (int i = 0; i < 8; ++i, h /= 36) out += alphabet[h % 36];
    return out;
}

bool is_fba(std::string_view sku) { return hash_string(sku) % 3 == 0; }

/// Listings created by EAN show it in the listings report's product-id; the
/// others (matched to an ASIN) show the ASIN there, and their EAN only in
/// the Listings Items API's attributes.
bool listed_by_ean(std::string_view sku) {
    return mix64(hash_string(sku)) % 2 == 0;
}

constexpr const char* listings_prefix = "/listings/2021-08-01/items/";

std::string error_body(std::string_view code, std::string_view message, std::string_view details = "") {
    json::Writer w;
    w.begin_object().key("errors").begin_array().begin_object().field("code", code).field("message", message).field("details", details);
    w.end_object().end_array().end_object();
    return std::string(w.view());
}

Response error(int status, std::string_view code, std::string_view message, std::string_view details = "") {
    return Response::json(status, error_body(code, message, details));
}

Response invalid_input(std::string_view details) {
    return error(400, "InvalidInput", "The input you have submitted is not valid. Please check your input and try again.", details);
}

/// Unicode to Windows-1252; what it cannot hold becomes '?', as Amazon's files do.
std::string utf8_to_cp1252(std::string_view s) {
    static constexpr char16_t high[32] = {0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
                                          0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
                                          0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        char32_t u = c;
        std::size_t n = 1;
        if (c >= 0xF0) u = 0xFFFF, n = 4;
        else if (c >= 0xE0 && i + 2 < s.size()) u = (c & 0x0F) << 12 | (s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F), n = 3;
        else if (c >= 0xC0 && i + 1 < s.size()) u = (c & 0x1F) << 6 | (s[i + 1] & 0x3F), n = 2;
        i += n;
        if (u < 0x80 || (u >= 0xA0 && u <= 0xFF)) {
            out += static_cast<char>(u);
            continue;
        }
        char mapped = '?';
        for (int k = 0; k < 32; ++k)
            if (high[k] && high[k] == u) mapped = static_cast<char>(0x80 + k);
        out += mapped;
    }
    return out;
}

std::string gzip(std::string_view in) {
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
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

/// A money object of Orders 2026.
void put_money(json::Writer& w, std::string_view key, const Money& m) {
    w.key(key).begin_object().field("amount", m.decimal()).field("currencyCode", m.currency.code()).end_object();
}

/// A Finances v0 Currency: the amount is a JSON number, written from its exact decimal text.
void put_currency(json::Writer& w, std::string_view key, const Money& m) {
    w.key(key).begin_object().field("CurrencyCode", m.currency.code()).key("CurrencyAmount");
    const std::string text = m.decimal();
    w.raw(text);
    w.end_object();
}

/// One marketplace of the seller: its generated shop, as Amazon shows it.
struct Market {
    const MarketInfo* info = nullptr;
    ShopData* data = nullptr;
    std::map<std::uint64_t, TimestampMs> updated;  // order key -> lastUpdatedTime (refunds excluded)
    std::map<std::uint64_t, TimestampMs> shipped;  // order key -> when it shipped

    model::Currency currency() const { return data->shop.currency; }
    std::string order_id(std::uint64_t key) const {
        const std::uint64_t a = key % 10'000'000, b = mix64(key ^ hash_string(info->country)) % 10'000'000;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s-%07llu-%07llu", info->order_prefix, static_cast<unsigned long long>(a),
                      static_cast<unsigned long long>(b));
        return buf;
    }
};

struct Report {
    std::string id, type, marketplace, doc_id;
    std::string status = "IN_QUEUE";
    TimestampMs created = 0;
    std::string start, end;  // dataStartTime, dataEndTime as given
    std::string document;     // as served (gzip unless no-gzip)
    std::string content_type;
};

struct Bucket {
    double capacity = 0, rate = 0, tokens = 0;
    std::int64_t last_ms = -1;
};

class Amazon final : public PlatformModule {
public:
    Amazon(ShopData& data, const ModuleOptions& options) : PlatformModule(data, options) {
        bool both = false;
        for (const std::string& item : options.data_items()) {
            if (item == "generated" || item.empty()) continue;
            if (item == "both") both = true;
            else if (item == "no-gzip") gzip_ = false;
            else if (item.rfind("fatal-every=", 0) == 0) fatal_every_ = std::stoi(item.substr(12));
            else if (item.rfind("token-ttl-s=", 0) == 0) token_ttl_ms_ = std::stoll(item.substr(12)) * 1000;
            else throw std::invalid_argument("--data: amazon accepts generated, both, no-gzip, fatal-every=N, token-ttl-s=N; got '" + item + "'");
        }
        markets_.push_back(Market{data.shop.country == "FR" ? &fr_info : &uk_info, &data, {}, {}});
        if (both) {
            GeneratorOptions other = data.options;
            other.country = data.shop.country == "FR" ? "GB" : "FR";
            other_ = std::make_unique<ShopData>(generate(other));
            markets_.push_back(Market{other.country == "FR" ? &fr_info : &uk_info, other_.get(), {}, {}});
        }
        for (auto& m : markets_) amazonise(m);
        for (const Plan& p : plans) {
            Bucket b;
            b.capacity = options.rate_limit_given ? options.bucket_capacity : p.burst;
            b.rate = options.rate_limit_given ? options.leak_per_s : p.rate;
            b.tokens = b.capacity;
            buckets_[p.name] = b;
        }
    }

    std::string_view name() const override { return "amazon"; }

    bool is_data_route(const Request& r) const override {
        return r.path != "/auth/o2/token" && r.path != "/apps/authorize/consent" && r.path.rfind("/_amazon/", 0) != 0;
    }

    std::string route_of(const Request& r) const override {
        // Ids in paths would make every request its own route.
        std::string p = r.path;
        for (const char* prefix : {"/orders/2026-01-01/orders/", "/reports/2021-06-30/reports/", "/reports/2021-06-30/documents/", "/_docs/"})
            if (p.rfind(prefix, 0) == 0 && p.size() > std::string_view(prefix).size()) {
                const auto rest = p.find('/', std::string_view(prefix).size());
                p = std::string(prefix) + "{id}" + (rest == std::string::npos ? "" : p.substr(rest));
            }
        if (p.rfind("/finances/v0/orders/", 0) == 0) p = "/finances/v0/orders/{id}/financialEvents";
        if (p.rfind(listings_prefix, 0) == 0)
            p = std::string(listings_prefix) +
                (p.find('/', std::string_view(listings_prefix).size()) == std::string::npos ? "{sellerId}"
                                                                                            : "{sellerId}/{sku}");
        return r.method + " " + p;
    }

    Response expire_token(const Request& r) override {
        if (r.path.rfind("/_docs/", 0) == 0) {
            Response res;
            res.status = 403;
            res.content_type = "application/xml";
            res.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";
            return res;
        }
        if (auto t = r.header("x-amz-access-token")) tokens_.erase(*t);
        return error(403, "Unauthorized", "Access to requested resource is denied.", "The access token you provided has expired.");
    }

    Response too_many_requests(int) const override {
        return error(429, "QuotaExceeded", "You exceeded your quota for the requested resource.");
    }

    void write_credentials(json::Writer& w) const override {
        w.field("client_id", client_id).field("client_secret", client_secret).field("refresh_token", refresh_token);
        w.field("token_url", "/auth/o2/token").field("application_id", application_id);
        w.key("marketplaces").begin_array();
        for (const auto& m : markets_) w.value(m.info->id);
        w.end_array();
    }

    MutationReport mutate() override {
        MutationReport first;
        for (std::size_t i = 0; i < markets_.size(); ++i) {
            Market& m = markets_[i];
            MutationReport rep = m.data->mutate();
            for (const auto& id : rep.orders_updated) stamp(m, id, rep.clock_ms, true);
            for (const auto& id : rep.orders_cancelled) stamp(m, id, rep.clock_ms, false);
            for (const auto& id : rep.orders_added) stamp(m, id, rep.clock_ms, false);
            // A refund is a financial event: the order's lastUpdatedTime stays.
            if (i == 0) first = rep;
        }
        return first;
    }

    Response handle(const Request& r) override {
        Response res = route(r);
        res.header("x-amzn-RequestId", "pcgd-" + std::to_string(++requests_));
        return res;
    }

private:
    // ------------------------------------------------------------- data

    /// The shop as Amazon shows it (see the file comment).
    void amazonise(Market& m) {
        ShopData& d = *m.data;
        std::vector<ProductData> split;
        std::map<std::string, std::vector<std::string>> asins_of;
        for (auto& p : d.products)
            for (auto& v : p.variants) {
                ProductData one;
                one.key = std::stoull(v.id);
                one.status = p.status;
                one.deleted = p.deleted;
                one.product = p.product;
                one.product.id = asin_of(v.sku);
                one.product.title = p.product.title + " – " + v.title;
                one.product.marketplace = m.info->id;
                v.product_id = one.product.id;
                v.marketplace = m.info->id;
                one.variants = {v};
                asins_of[p.product.id].push_back(one.product.id);
                split.push_back(std::move(one));
            }
        d.products = std::move(split);
        std::vector<model::Deletion> deletions;
        for (const auto& del : d.deletions)
            for (const auto& asin : asins_of[del.id]) deletions.push_back(model::Deletion{model::RecordKind::product, asin, del.deleted_at});
        d.deletions = std::move(deletions);
        std::vector<OrderData> kept;
        for (auto& od : d.orders) {
            auto& o = od.order;
            const bool fulfilled = o.fulfillment_status == "fulfilled";
            const TimestampMs shipped = o.created_at + 2 * day_ms;
            const TimestampMs updated = o.cancelled_at ? *o.cancelled_at : fulfilled ? shipped : o.created_at;
            if (updated < d.clock_ms - history_ms) continue;
            if (!fulfilled && !od.refunds.empty()) {
                // Amazon charges when it ships: an unshipped order is cancelled, never refunded.
                od.refunds.clear();
                o.financial_status = "paid";
            }
            for (auto& l : o.lines) l.product_id = asin_of(l.sku);
            m.updated[od.key] = updated;
            if (fulfilled) m.shipped[od.key] = shipped;
            kept.push_back(std::move(od));
        }
        d.orders = std::move(kept);
        std::vector<model::TrafficSample> traffic;
        for (auto& t : d.traffic) {
            if (t.views == 0) continue;  // no activity, no row
            t.listing_id = asin_of(t.sku);
            t.marketplace = m.info->id;
            traffic.push_back(std::move(t));
        }
        d.traffic = std::move(traffic);
    }

    void stamp(Market& m, const std::string& model_id, TimestampMs at, bool ships) {
        for (const auto& od : m.data->orders)
            if (od.order.id == model_id) {
                m.updated[od.key] = at;
                if (ships) m.shipped[od.key] = at;
            }
    }

    TimestampMs api_now() const { return markets_.front().data->clock_ms + api_lag_ms; }

    const Market* market_by_id(std::string_view id) const {
        for (const auto& m : markets_)
            if (id == m.info->id) return &m;
        return nullptr;
    }

    /// (market, order) of an Amazon order id.
    std::pair<const Market*, const OrderData*> find_order(const std::string& id) const {
        // Indexed again when orders were added (orders are only ever appended).
        std::size_t total = 0;
        for (const auto& m : markets_) total += m.data->orders.size();
        if (total != indexed_orders_) {
            order_index_.clear();
            for (std::size_t mi = 0; mi < markets_.size(); ++mi)
                for (std::size_t oi = 0; oi < markets_[mi].data->orders.size(); ++oi)
                    order_index_[markets_[mi].order_id(markets_[mi].data->orders[oi].key)] = {mi, oi};
            indexed_orders_ = total;
        }
        const auto it = order_index_.find(id);
        if (it == order_index_.end()) return {nullptr, nullptr};
        const Market& m = markets_[it->second.first];
        return {&m, &m.data->orders[it->second.second]};
    }

    // ------------------------------------------------------------- routing

    Response route(const Request& r) {
        if (r.path == "/auth/o2/token") return token(r);
        if (r.path == "/apps/authorize/consent") return consent(r);
        if (r.path.rfind("/_amazon/summary", 0) == 0) return Response::json(200, market_summaries());
        if (r.path.rfind("/_docs/", 0) == 0) return download(r);
        const std::string operation = operation_of(r);
        if (operation.empty()) return error(404, "NotFound", "Resource not found.");
        if (auto refused = authorise(r)) return *refused;
        auto& bucket = buckets_.at(operation);
        if (!admit(bucket)) return too_many_requests(0);
        Response res = serve(operation, r);
        char rate[32];
        std::snprintf(rate, sizeof rate, "%g", bucket.rate);
        res.header("x-amzn-RateLimit-Limit", rate);
        return res;
    }

    std::string operation_of(const Request& r) const {
        const std::string& p = r.path;
        if (r.method == "GET" && p == "/orders/2026-01-01/orders") return "searchOrders";
        if (r.method == "GET" && p.rfind("/orders/2026-01-01/orders/", 0) == 0) return "getOrder";
        if (r.method == "GET" && p.rfind("/finances/v0/orders/", 0) == 0 && p.size() > 36 && p.substr(p.size() - 16) == "/financialEvents")
            return "listFinancialEventsByOrderId";
        if (r.method == "GET" && p == "/finances/v0/financialEvents") return "listFinancialEvents";
        if (r.method == "GET" && p == "/fba/inventory/v1/summaries") return "getInventorySummaries";
        if (r.method == "POST" && p == "/reports/2021-06-30/reports") return "createReport";
        if (r.method == "GET" && p.rfind("/reports/2021-06-30/reports/", 0) == 0) return "getReport";
        if (r.method == "GET" && p.rfind("/reports/2021-06-30/documents/", 0) == 0) return "getReportDocument";
        if (r.method == "GET" && p.rfind(listings_prefix, 0) == 0 &&
            p.size() > std::string_view(listings_prefix).size())
            return p.find('/', std::string_view(listings_prefix).size()) == std::string::npos ? "searchListingsItems"
                                                                                              : "getListingsItem";
        return {};
    }

    bool admit(Bucket& b) {
        const std::int64_t now = options().steady_now_ms();
        if (b.last_ms >= 0 && now > b.last_ms) b.tokens = std::min(b.capacity, b.tokens + b.rate * static_cast<double>(now - b.last_ms) / 1000.0);
        if (now > b.last_ms) b.last_ms = now;
        if (b.tokens < 1.0) return false;
        b.tokens -= 1.0;
        return true;
    }

    std::optional<Response> authorise(const Request& r) {
        const auto token = r.header("x-amz-access-token");
        if (!token || token->empty())
            return error(403, "Unauthorized", "Access to requested resource is denied.", "");
        const auto it = tokens_.find(*token);
        if (it == tokens_.end())
            return error(403, "Unauthorized", "Access to requested resource is denied.", "The access token you provided is revoked, malformed or invalid.");
        if (options().steady_now_ms() >= it->second)
            return error(403, "Unauthorized", "Access to requested resource is denied.", "The access token you provided has expired.");
        return std::nullopt;
    }

    Response token(const Request& r) {
        if (r.method != "POST") return Response::json(405, R"({"error":"invalid_request","error_description":"POST only"})");
        const auto form = parse_form(r.body);
        const auto get = [&](const char* k) {
            auto it = form.find(k);
            return it == form.end() ? std::string() : it->second;
        };
        if (get("client_id") != client_id || get("client_secret") != client_secret)
            return Response::json(401, R"({"error_description":"Client authentication failed","error":"invalid_client"})");
        if (get("grant_type") == "authorization_code") {
            // The seller's consent: the code once, within 5 minutes, with the redirect_uri it was issued for.
            const auto code = codes_.find(get("code"));
            if (code == codes_.end() || code->second != get("redirect_uri"))
                return Response::json(400, R"({"error_description":"The request has an invalid grant parameter : code","error":"invalid_grant"})");
            codes_.erase(code);
        } else if (get("grant_type") != "refresh_token")
            return Response::json(400, R"({"error_description":"The authorization grant type is not supported","error":"unsupported_grant_type"})");
        else if (get("refresh_token") != refresh_token)
            return Response::json(400, R"({"error_description":"The request has an invalid grant parameter : refresh_token","error":"invalid_grant"})");
        const std::string t = "Atza|pcgd-emulator-" + std::to_string(++tokens_issued_);
        tokens_[t] = options().steady_now_ms() + token_ttl_ms_;
        json::Writer w;
        w.begin_object().field("access_token", t).field("refresh_token", refresh_token).field("token_type", "bearer");
        w.field("expires_in", token_ttl_ms_ / 1000).end_object();
        return Response::json(200, std::string(w.view()));
    }

    /// The seller approves at once: a redirect to redirect_uri with
    /// spapi_oauth_code, state and selling_partner_id (the app's login-URI leg
    /// is not emulated).
    Response consent(const Request& r) {
        if (r.param("application_id").value_or("") != application_id)
            return Response::json(400, R"({"error":"invalid_request","error_description":"Unknown application_id"})");
        const std::string redirect = r.param("redirect_uri").value_or("");
        if (redirect.rfind("http://", 0) != 0 && redirect.rfind("https://", 0) != 0)
            return Response::json(400, R"({"error":"invalid_request","error_description":"redirect_uri is missing"})");
        const std::string code = "ANpcgdcode" + std::to_string(++codes_issued_);
        codes_[code] = redirect;
        Response res;
        res.status = 302;
        res.content_type = "text/html";
        res.body = "<html><body>Redirecting</body></html>";
        res.header("Location", redirect + (redirect.find('?') == std::string::npos ? "?" : "&") +
                                   "spapi_oauth_code=" + sdk::url_encode(code) + "&state=" +
                                   sdk::url_encode(r.param("state").value_or("")) +
                                   "&selling_partner_id=" + selling_partner_id);
        return res;
    }

    Response serve(const std::string& op, const Request& r) {
        if (op == "searchOrders") return search_orders(r);
        if (op == "getOrder") return get_order(r);
        if (op == "listFinancialEventsByOrderId") return order_events(r);
        if (op == "listFinancialEvents") return financial_events(r);
        if (op == "getInventorySummaries") return inventory_summaries(r);
        if (op == "createReport") return create_report(r);
        if (op == "getReport") return get_report(r);
        if (op == "searchListingsItems") return search_listings_items(r);
        if (op == "getListingsItem") return get_listings_item(r);
        return get_report_document(r);
    }

    static std::vector<std::string> csv(const std::string& s) {
        std::vector<std::string> out;
        std::size_t start = 0;
        while (start <= s.size()) {
            const auto c = s.find(',', start);
            const std::string item = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
            if (!item.empty()) out.push_back(item);
            if (c == std::string::npos) break;
            start = c + 1;
        }
        return out;
    }

    // ------------------------------------------------------------- orders

    struct OrderFilter {
        bool by_update = true;
        TimestampMs after = 0, before = 0;
        std::vector<std::string> markets;
        std::optional<std::pair<TimestampMs, std::uint64_t>> position;  // after this (time, key)
        bool proceeds = false, fulfillment = false;
    };

    static std::string encode_filter(const OrderFilter& f, TimestampMs t, std::uint64_t key) {
        json::Writer w;
        w.begin_object().field("k", f.by_update ? "u" : "c").field("a", f.after).field("b", f.before).key("m").begin_array();
        for (const auto& m : f.markets) w.value(m);
        w.end_array().field("t", t).field("i", static_cast<std::uint64_t>(key)).end_object();
        return base64url_encode(w.view());
    }

    static std::optional<OrderFilter> decode_filter(const std::string& token) {
        auto raw = base64url_decode(token);
        if (!raw) return std::nullopt;
        rapidjson::Document d;
        d.Parse(raw->c_str(), raw->size());
        if (d.HasParseError() || !d.IsObject() || !d.HasMember("k") || !d.HasMember("a") || !d.HasMember("b") || !d.HasMember("m") ||
            !d.HasMember("t") || !d.HasMember("i") || !d["m"].IsArray())
            return std::nullopt;
        OrderFilter f;
        f.by_update = std::string(d["k"].GetString()) == "u";
        f.after = d["a"].GetInt64();
        f.before = d["b"].GetInt64();
        for (const auto& m : d["m"].GetArray()) f.markets.emplace_back(m.GetString());
        f.position = std::make_pair(d["t"].GetInt64(), d["i"].GetUint64());
        return f;
    }

    Response search_orders(const Request& r) {
        const auto max = r.param("maxResultsPerPage");
        std::int64_t page = 100;
        if (max) {
            if (std::from_chars(max->data(), max->data() + max->size(), page).ec != std::errc() || page < 1 || page > 100)
                return invalid_input("maxResultsPerPage must be between 1 and 100");
        }
        OrderFilter f;
        if (auto token = r.param("paginationToken")) {
            auto decoded = decode_filter(*token);
            if (!decoded) return invalid_input("Invalid paginationToken");
            f = *decoded;
        } else {
            const auto created_after = r.param("createdAfter"), updated_after = r.param("lastUpdatedAfter");
            if (created_after.has_value() == updated_after.has_value())
                return invalid_input("Exactly one of createdAfter and lastUpdatedAfter must be provided.");
            f.by_update = updated_after.has_value();
            const auto after = model::parse_iso8601(*(f.by_update ? updated_after : created_after));
            if (!after) return invalid_input("Invalid date: " + *(f.by_update ? updated_after : created_after));
            f.after = *after;
            const auto before_param = r.param(f.by_update ? "lastUpdatedBefore" : "createdBefore");
            if (r.param(f.by_update ? "createdBefore" : "lastUpdatedBefore"))
                return invalid_input("createdBefore goes with createdAfter, lastUpdatedBefore with lastUpdatedAfter.");
            f.before = api_now() - 2 * minute_ms;
            if (before_param) {
                const auto before = model::parse_iso8601(*before_param);
                if (!before) return invalid_input("Invalid date: " + *before_param);
                if (*before > api_now() - 2 * minute_ms)
                    return error(400, "InvalidInput",
                                 "The input you have submitted is not valid. Note that the error may be due to a systematic delay in data "
                                 "retrieval. The most updated data is 2 minutes after an order is created or last updated. If you set the "
                                 "CreatedBefore or LastUpdatedBefore parameters, please provide a date that is at least 2 minutes before "
                                 "current time and try again.");
                f.before = *before;
            }
            f.markets = csv(r.param("marketplaceIds").value_or(""));
            if (f.markets.empty())
                for (const auto& m : markets_) f.markets.push_back(m.info->id);
        }
        const auto included = csv(r.param("includedData").value_or(""));
        f.proceeds = std::find(included.begin(), included.end(), "PROCEEDS") != included.end();
        f.fulfillment = std::find(included.begin(), included.end(), "FULFILLMENT") != included.end();

        struct Hit {
            TimestampMs t;
            std::uint64_t key;
            const Market* m;
            const OrderData* o;
        };
        std::vector<Hit> hits;
        for (const auto& id : f.markets) {
            const Market* m = market_by_id(id);
            if (!m) continue;
            for (const auto& od : m->data->orders) {
                const TimestampMs t = f.by_update ? m->updated.at(od.key) : od.order.created_at;
                if (t < f.after || t > f.before) continue;
                // Keys repeat across marketplaces: the marketplace's rank breaks the tie.
                const std::uint64_t key = od.key * 4 + static_cast<std::uint64_t>(m - markets_.data());
                if (f.position && std::make_pair(t, key) <= *f.position) continue;
                hits.push_back({t, key, m, &od});
            }
        }
        std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return std::tie(a.t, a.key) < std::tie(b.t, b.key); });
        const std::size_t n = std::min(hits.size(), static_cast<std::size_t>(page));
        json::Writer w;
        w.begin_object().key("orders").begin_array();
        for (std::size_t i = 0; i < n; ++i) write_order(w, *hits[i].m, *hits[i].o, f.proceeds, f.fulfillment);
        w.end_array();
        if (n < hits.size()) w.key("pagination").begin_object().field("nextToken", encode_filter(f, hits[n - 1].t, hits[n - 1].key)).end_object();
        w.field(f.by_update ? "lastUpdatedBefore" : "createdBefore", iso(f.before));
        w.end_object();
        return Response::json(200, std::string(w.view()));
    }

    Response get_order(const Request& r) {
        const std::string id = r.path.substr(std::string_view("/orders/2026-01-01/orders/").size());
        const auto [m, od] = find_order(id);
        if (!od) return error(404, "NotFound", "The order " + id + " was not found.");
        const auto included = csv(r.param("includedData").value_or(""));
        json::Writer w;
        w.begin_object().key("order");
        write_order(w, *m, *od, std::find(included.begin(), included.end(), "PROCEEDS") != included.end(),
                    std::find(included.begin(), included.end(), "FULFILLMENT") != included.end());
        w.end_object();
        return Response::json(200, std::string(w.view()));
    }

    static void breakdown(json::Writer& w, std::string_view type, const Money& m) {
        w.begin_object().field("type", type);
        put_money(w, "subtotal", m);
        w.end_object();
    }

    void write_order(json::Writer& w, const Market& m, const OrderData& od, bool proceeds, bool fulfillment) const {
        const model::Order& o = od.order;
        const model::Currency cur = m.currency();
        const bool shipped = m.shipped.count(od.key) != 0;
        w.begin_object().field("orderId", m.order_id(od.key)).field("createdTime", iso(o.created_at));
        w.field("lastUpdatedTime", iso(m.updated.at(od.key)));
        w.key("salesChannel").begin_object().field("channelName", "AMAZON").field("marketplaceId", m.info->id);
        w.field("marketplaceName", m.info->name).end_object();
        if (proceeds) {
            std::int64_t items = 0;
            for (const auto& l : o.lines) items += l.unit_price.shop.minor * l.quantity;
            w.key("proceeds").begin_object();
            put_money(w, "grandTotal", o.total.shop);
            w.key("breakdowns").begin_array();
            breakdown(w, "ITEM", Money{items, cur});
            if (o.discounts.shop.minor != 0) breakdown(w, "DISCOUNT", -o.discounts.shop);
            if (o.shipping.shop.minor != 0) breakdown(w, "SHIPPING", o.shipping.shop);
            breakdown(w, "TAX", o.tax.shop);
            w.end_array().end_object();
        }
        if (fulfillment) {
            const char* status = o.cancelled_at ? "CANCELLED" : shipped ? "SHIPPED" : "UNSHIPPED";
            w.key("fulfillment").begin_object().field("fulfillmentStatus", status);
            w.field("fulfilledBy", !o.lines.empty() && is_fba(o.lines.front().sku) ? "AMAZON" : "MERCHANT");
            w.field("fulfillmentServiceLevel", "STANDARD").end_object();
        }
        w.key("orderItems").begin_array();
        for (const auto& l : o.lines) {
            w.begin_object().field("orderItemId", l.id).field("quantityOrdered", l.quantity);
            w.key("product").begin_object().field("asin", asin_of(l.sku)).field("title", l.title).field("sellerSku", l.sku);
            w.key("condition").begin_object().field("conditionType", "NEW").field("conditionSubtype", "NEW").end_object();
            w.key("price").begin_object();
            put_money(w, "unitPrice", l.unit_price.shop);
            w.end_object().end_object();
            if (proceeds) {
                const Money gross = l.unit_price.shop.times(l.quantity);
                w.key("proceeds").begin_object();
                put_money(w, "proceedsTotal", gross - l.discount.shop);
                w.key("breakdowns").begin_array();
                breakdown(w, "ITEM", gross);
                if (l.discount.shop.minor != 0) breakdown(w, "DISCOUNT", -l.discount.shop);
                breakdown(w, "TAX", l.tax.shop);
                w.end_array().end_object();
            }
            if (fulfillment) {
                const std::int64_t done = shipped ? l.quantity : 0;
                w.key("fulfillment").begin_object().field("quantityFulfilled", done).field("quantityUnfulfilled", l.quantity - done).end_object();
            }
            w.end_object();
        }
        w.end_array().end_object();
    }

    // ------------------------------------------------------------- finances

    struct Event {
        TimestampMs posted = 0;
        bool refund = false;
        const Market* m = nullptr;
        const OrderData* od = nullptr;
        const model::Refund* r = nullptr;
    };

    std::vector<Event> events_of(const Market& m, const OrderData& od) const {
        std::vector<Event> out;
        const TimestampMs clock = markets_.front().data->clock_ms;
        if (auto s = m.shipped.find(od.key); s != m.shipped.end() && !od.order.cancelled_at && s->second + fee_delay_ms <= clock)
            out.push_back({s->second + fee_delay_ms, false, &m, &od, nullptr});
        for (const auto& r : od.refunds)
            if (r.created_at <= clock) out.push_back({r.created_at, true, &m, &od, &r});
        return out;
    }

    static std::int64_t commission_of(std::int64_t gross_minor) { return round_div(gross_minor * 15, 100); }

    void write_shipment_event(json::Writer& w, const Event& e) const {
        const model::Order& o = e.od->order;
        const model::Currency cur = e.m->currency();
        w.begin_object().field("AmazonOrderId", e.m->order_id(e.od->key)).field("MarketplaceName", e.m->info->name);
        w.field("PostedDate", iso(e.posted)).key("ShipmentItemList").begin_array();
        bool first = true;
        for (const auto& l : o.lines) {
            const std::int64_t net = l.unit_price.shop.minor * l.quantity - l.discount.shop.minor;
            w.begin_object().field("SellerSKU", l.sku).field("OrderItemId", l.id).field("QuantityShipped", l.quantity);
            w.key("ItemChargeList").begin_array();
            const auto charge = [&](const char* type, std::int64_t minor) {
                w.begin_object().field("ChargeType", type);
                put_currency(w, "ChargeAmount", Money{minor, cur});
                w.end_object();
            };
            charge("Principal", net - l.tax.shop.minor);
            charge("Tax", l.tax.shop.minor);
            if (first && o.shipping.shop.minor != 0) {
                const std::int64_t vat = vat_of_gross(o.shipping.shop.minor);
                charge("ShippingCharge", o.shipping.shop.minor - vat);
                charge("ShippingTax", vat);
            }
            w.end_array().key("ItemFeeList").begin_array();
            const auto fee = [&](const char* type, std::int64_t minor) {
                w.begin_object().field("FeeType", type);
                put_currency(w, "FeeAmount", Money{-minor, cur});
                w.end_object();
            };
            fee("Commission", commission_of(net));
            if (is_fba(l.sku)) fee("FBAPerUnitFulfillmentFee", e.m->info->fba_unit_fee_minor * l.quantity);
            w.end_array().end_object();
            first = false;
        }
        w.end_array().end_object();
    }

    void write_refund_event(json::Writer& w, const Event& e) const {
        const model::Refund& r = *e.r;
        const model::Currency cur = e.m->currency();
        w.begin_object().field("AmazonOrderId", e.m->order_id(e.od->key)).field("MarketplaceName", e.m->info->name);
        w.field("PostedDate", iso(e.posted)).key("ShipmentItemAdjustmentList").begin_array();
        std::int64_t lines_tax = 0;
        for (const auto& l : r.lines) lines_tax += l.tax.shop.minor;
        for (std::size_t i = 0; i < r.lines.size(); ++i) {
            const auto& l = r.lines[i];
            w.begin_object().field("SellerSKU", l.sku).field("OrderItemId", l.order_line_id);
            w.field("OrderAdjustmentItemId", r.id + std::to_string(i + 1)).field("QuantityShipped", l.quantity);
            w.key("ItemChargeAdjustmentList").begin_array();
            const auto charge = [&](const char* type, std::int64_t minor) {
                w.begin_object().field("ChargeType", type);
                put_currency(w, "ChargeAmount", Money{-minor, cur});
                w.end_object();
            };
            charge("Principal", l.subtotal.shop.minor);
            charge("Tax", l.tax.shop.minor);
            if (i == 0 && r.shipping.shop.minor != 0) {
                const std::int64_t shipping_tax = r.tax.shop.minor - lines_tax;
                charge("ShippingCharge", r.shipping.shop.minor - shipping_tax);
                charge("ShippingTax", shipping_tax);
            }
            w.end_array().key("ItemFeeAdjustmentList").begin_array();
            const std::int64_t back = commission_of(l.subtotal.shop.minor + l.tax.shop.minor);
            w.begin_object().field("FeeType", "Commission");
            put_currency(w, "FeeAmount", Money{back, cur});
            w.end_object().begin_object().field("FeeType", "RefundCommission");
            put_currency(w, "FeeAmount", Money{-round_div(back, 5), cur});
            w.end_object().end_array().end_object();
        }
        w.end_array().end_object();
    }

    /// {"payload":{"FinancialEvents":{...},"NextToken"?}}
    std::string events_body(const std::vector<Event>& events, const std::optional<std::string>& next) const {
        json::Writer w;
        w.begin_object().key("payload").begin_object();
        if (next) w.field("NextToken", *next);
        w.key("FinancialEvents").begin_object().key("ShipmentEventList").begin_array();
        for (const auto& e : events)
            if (!e.refund) write_shipment_event(w, e);
        w.end_array().key("RefundEventList").begin_array();
        for (const auto& e : events)
            if (e.refund) write_refund_event(w, e);
        w.end_array().end_object().end_object().end_object();
        return std::string(w.view());
    }

    Response order_events(const Request& r) {
        constexpr std::string_view prefix = "/finances/v0/orders/";
        const std::string id = r.path.substr(prefix.size(), r.path.size() - prefix.size() - std::string_view("/financialEvents").size());
        const auto [m, od] = find_order(id);
        // An unknown order has no events (an empty payload, as Amazon answers).
        std::vector<Event> events;
        if (od) events = events_of(*m, *od);
        return Response::json(200, events_body(events, std::nullopt));
    }

    Response financial_events(const Request& r) {
        std::int64_t page = 100;
        if (auto max = r.param("MaxResultsPerPage")) {
            if (std::from_chars(max->data(), max->data() + max->size(), page).ec != std::errc() || page < 1 || page > 100)
                return invalid_input("MaxResultsPerPage must be between 1 and 100");
        }
        TimestampMs after = 0, before = api_now() - 2 * minute_ms;
        std::size_t offset = 0;
        if (auto token = r.param("NextToken")) {
            auto raw = base64url_decode(*token);
            long long a = 0, b = 0;
            unsigned long long o = 0;
            if (!raw || std::sscanf(raw->c_str(), "%lld/%lld/%llu", &a, &b, &o) != 3) return invalid_input("Invalid NextToken");
            after = a, before = b, offset = static_cast<std::size_t>(o);
        } else {
            const auto posted_after = r.param("PostedAfter");
            if (!posted_after) return invalid_input("PostedAfter is required");
            const auto pa = model::parse_iso8601(*posted_after);
            if (!pa) return invalid_input("Invalid PostedAfter");
            if (*pa > api_now() - 2 * minute_ms) return invalid_input("PostedAfter must be more than two minutes before the time of the request.");
            after = *pa;
            if (auto pb = r.param("PostedBefore")) {
                const auto t = model::parse_iso8601(*pb);
                if (!t || *t <= after) return invalid_input("PostedBefore must be later than PostedAfter");
                if (*t > api_now() - 2 * minute_ms) return invalid_input("PostedBefore must be more than two minutes before the time of the request.");
                before = *t;
            }
        }
        std::vector<Event> all;
        for (const auto& m : markets_)
            for (const auto& od : m.data->orders)
                for (const auto& e : events_of(m, od))
                    if (e.posted >= after && e.posted < before) all.push_back(e);
        std::stable_sort(all.begin(), all.end(), [](const Event& a, const Event& b) { return a.posted < b.posted; });
        const std::size_t end = std::min(all.size(), offset + static_cast<std::size_t>(page));
        std::vector<Event> slice(all.begin() + static_cast<std::ptrdiff_t>(std::min(offset, all.size())), all.begin() + static_cast<std::ptrdiff_t>(end));
        std::optional<std::string> next;
        if (end < all.size()) next = base64url_encode(std::to_string(after) + "/" + std::to_string(before) + "/" + std::to_string(end));
        return Response::json(200, events_body(slice, next));
    }

    // ------------------------------------------------------------- FBA

    Response inventory_summaries(const Request& r) {
        const auto type = r.param("granularityType"), id = r.param("granularityId"), markets = r.param("marketplaceIds");
        if (!type || *type != "Marketplace" || !id || !markets) return invalid_input("granularityType, granularityId and marketplaceIds are required");
        const Market* m = market_by_id(*id);
        if (!m) return invalid_input("Invalid granularityId " + *id);
        const bool details = r.param("details").value_or("false") == "true";
        std::vector<const ProductData*> items;
        for (const auto& p : m->data->products)
            if (!p.deleted && is_fba(p.variants.front().sku)) items.push_back(&p);
        std::size_t offset = 0;
        if (auto token = r.param("nextToken")) {
            auto raw = base64url_decode(*token);
            if (!raw || raw->rfind("fba:", 0) != 0) return invalid_input("Invalid nextToken");
            offset = static_cast<std::size_t>(std::stoull(raw->substr(4)));
        }
        constexpr std::size_t page = 50;
        const std::size_t end = std::min(items.size(), offset + page);
        json::Writer w;
        w.begin_object();
        if (end < items.size()) w.key("pagination").begin_object().field("nextToken", base64url_encode("fba:" + std::to_string(end))).end_object();
        w.key("payload").begin_object().key("granularity").begin_object().field("granularityType", "Marketplace").field("granularityId", *id).end_object();
        w.key("inventorySummaries").begin_array();
        for (std::size_t i = std::min(offset, items.size()); i < end; ++i) {
            const ProductData& p = *items[i];
            const model::Variant& v = p.variants.front();
            const std::int64_t q = v.stock_total.value_or(0);
            w.begin_object().field("asin", p.product.id).field("fnSku", "X00" + p.product.id.substr(3)).field("sellerSku", v.sku);
            w.field("condition", "NewItem");
            if (details) {
                w.key("inventoryDetails").begin_object().field("fulfillableQuantity", q).field("inboundWorkingQuantity", 0);
                w.field("inboundShippedQuantity", 0).field("inboundReceivingQuantity", 0);
                w.key("reservedQuantity").begin_object().field("totalReservedQuantity", 0).field("pendingCustomerOrderQuantity", 0);
                w.field("pendingTransshipmentQuantity", 0).field("fcProcessingQuantity", 0).end_object();
                w.key("unfulfillableQuantity").begin_object().field("totalUnfulfillableQuantity", 0).end_object();
                w.end_object();
            }
            w.field("lastUpdatedTime", iso(*v.updated_at)).field("productName", p.product.title).field("totalQuantity", q).end_object();
        }
        w.end_array().end_object().end_object();
        return Response::json(200, std::string(w.view()));
    }

    // ------------------------------------------------------------- listings items

    static Response listings_error(int status, std::string_view code, std::string_view details) {
        return error(status, code, status == 404 ? "Not found" : "Invalid input", details);
    }

    /// sellerId, marketplaceIds and includedData as Amazon checks them; the
    /// market and the data sets asked for, or the error.
    std::variant<Response, std::pair<const Market*, std::set<std::string>>> listings_query(
        const Request& r, std::string_view seller) const {
        if (seller != selling_partner_id)
            return listings_error(400, "BAD_REQUEST", "Invalid sellerId " + std::string(seller));
        const auto markets = csv(r.param("marketplaceIds").value_or(""));
        if (markets.empty()) return listings_error(400, "BAD_REQUEST", "marketplaceIds is required");
        const Market* m = market_by_id(markets.front());
        if (!m) return listings_error(400, "BAD_REQUEST", "Invalid marketplaceIds " + markets.front());
        std::set<std::string> included;
        for (const auto& d : csv(r.param("includedData").value_or("summaries"))) {
            static const std::set<std::string> known = {
                "summaries",   "attributes",    "issues",      "offers", "fulfillmentAvailability",
                "procurement", "relationships", "productTypes"};
            if (!known.count(d)) return listings_error(400, "BAD_REQUEST", "Invalid includedData " + d);
            included.insert(d);  // the emulator fills summaries and attributes; the others are left out
        }
        return std::make_pair(m, included);
    }

    /// A listings item (model #/definitions/Item) of one marketplace: one
    /// summary (mainImage with its pixel sizes: the first image) and the
    /// attributes the plugin reads (images as locators, without sizes; the
    /// EAN; the tags as bullet points; the description).
    void write_listings_item(json::Writer& w, const Market& m, const ProductData& p,
                             const std::set<std::string>& included) const {
        const model::Variant& v = p.variants.front();
        const std::string lang = std::string_view(m.info->country) == "FR" ? "fr_FR" : "en_GB";
        w.begin_object().field("sku", v.sku);
        if (included.count("summaries")) {
            w.key("summaries")
                .begin_array()
                .begin_object()
                .field("marketplaceId", m.info->id)
                .field("asin", p.product.id);
            w.field("productType", "HOME").field("conditionType", "new_new").key("status").begin_array();
            if (p.status == "active")
                w.value("BUYABLE").value("DISCOVERABLE");
            else if (p.status != "draft")
                w.value("DISCOVERABLE");
            w.end_array().field("itemName", p.product.title).field("createdDate", iso(*p.product.created_at));
            w.field("lastUpdatedDate", iso(p.product.updated_at.value_or(*p.product.created_at)));
            if (!p.product.images.empty()) {
                const model::Image& im = p.product.images.front();
                w.key("mainImage").begin_object().field("link", im.url).field("height", std::int64_t{*im.height_px});
                w.field("width", std::int64_t{*im.width_px}).end_object();
            }
            w.end_object().end_array();
        }
        if (included.count("attributes")) {
            const auto text = [&](const char* name, const std::vector<std::string>& values) {
                if (values.empty()) return;
                w.key(name).begin_array();
                for (const auto& value : values)
                    w.begin_object()
                        .field("value", value)
                        .field("language_tag", lang)
                        .field("marketplace_id", m.info->id)
                        .end_object();
                w.end_array();
            };
            w.key("attributes").begin_object();
            text("item_name", {p.product.title});
            if (!p.product.description_html.empty()) text("product_description", {p.product.description_html});
            text("bullet_point", p.product.tags);
            for (std::size_t k = 0; k < p.product.images.size() && k < 9; ++k) {
                const std::string name =
                    k == 0 ? "main_product_image_locator" : "other_product_image_locator_" + std::to_string(k);
                w.key(name)
                    .begin_array()
                    .begin_object()
                    .field("media_location", p.product.images[k].url)
                    .field("marketplace_id", m.info->id);
                w.end_object().end_array();
            }
            if (!v.barcode.empty()) {
                w.key("externally_assigned_product_identifier")
                    .begin_array()
                    .begin_object()
                    .field("type", "ean")
                    .field("value", v.barcode);
                w.field("marketplace_id", m.info->id).end_object().end_array();
            }
            w.end_object();
        }
        w.end_object();
    }

    /// GET /listings/2021-08-01/items/{sellerId}: the seller's listings of the
    /// first marketplace asked for, by SKU (Amazon sorts by lastUpdatedDate by
    /// default: the order is not part of the contract), pageSize <= 20, and at
    /// most 1000 items paged through without identifiers, as the model says.
    Response search_listings_items(const Request& r) {
        const auto query = listings_query(r, r.path.substr(std::string_view(listings_prefix).size()));
        if (const auto* refused = std::get_if<Response>(&query)) return *refused;
        const auto& [m, included] = std::get<1>(query);
        const auto identifiers = csv(r.param("identifiers").value_or(""));
        const auto type = r.param("identifiersType");
        if (!identifiers.empty() != type.has_value())
            return listings_error(400, "BAD_REQUEST", "identifiers and identifiersType go together");
        if (type && *type != "SKU")
            return listings_error(400, "BAD_REQUEST", "identifiersType " + *type + " is not emulated (SKU is)");
        if (identifiers.size() > 20) return listings_error(400, "BAD_REQUEST", "identifiers: at most 20");
        const std::set<std::string> wanted(identifiers.begin(), identifiers.end());
        std::int64_t page_size = 10;
        if (auto ps = r.param("pageSize")) {
            page_size = std::atoll(ps->c_str());
            if (page_size < 1 || page_size > 20)
                return listings_error(400, "BAD_REQUEST", "pageSize must be between 1 and 20");
        }
        std::vector<const ProductData*> items;
        for (const auto& p : m->data->products)
            if (!p.deleted && (wanted.empty() || wanted.count(p.variants.front().sku))) items.push_back(&p);
        std::sort(items.begin(), items.end(), [](const ProductData* a, const ProductData* b) {
            return a->variants.front().sku < b->variants.front().sku;
        });
        const std::size_t total = items.size(), pageable = wanted.empty() ? std::min<std::size_t>(total, 1000) : total;
        std::size_t offset = 0;
        if (auto token = r.param("pageToken")) {
            auto raw = base64url_decode(*token);
            if (!raw || raw->rfind("lst:", 0) != 0) return listings_error(400, "BAD_REQUEST", "Invalid pageToken");
            offset = std::min<std::size_t>(pageable, std::stoull(raw->substr(4)));
        }
        const std::size_t end = std::min(pageable, offset + static_cast<std::size_t>(page_size));
        json::Writer w;
        w.begin_object().field("numberOfResults", static_cast<std::int64_t>(total));
        if (end < pageable || offset > 0) {
            w.key("pagination").begin_object();
            if (end < pageable) w.field("nextToken", base64url_encode("lst:" + std::to_string(end)));
            if (offset > 0)
                w.field("previousToken",
                        base64url_encode("lst:" + std::to_string(offset - std::min<std::size_t>(offset, page_size))));
            w.end_object();
        }
        w.key("items").begin_array();
        for (std::size_t i = offset; i < end; ++i) write_listings_item(w, *m, *items[i], included);
        w.end_array().end_object();
        return Response::json(200, std::string(w.view()));
    }

    /// GET /listings/2021-08-01/items/{sellerId}/{sku}.
    Response get_listings_item(const Request& r) {
        const std::string rest = r.path.substr(std::string_view(listings_prefix).size());
        const auto slash = rest.find('/');
        const auto query = listings_query(r, rest.substr(0, slash));
        if (const auto* refused = std::get_if<Response>(&query)) return *refused;
        const auto& [m, included] = std::get<1>(query);
        const std::string sku = rest.substr(slash + 1);
        for (const auto& p : m->data->products)
            if (!p.deleted && p.variants.front().sku == sku) {
                json::Writer w;
                write_listings_item(w, *m, p, included);
                return Response::json(200, std::string(w.view()));
            }
        return listings_error(404, "NOT_FOUND", "SKU " + sku + " not found");
    }

    // ------------------------------------------------------------- reports

    Response create_report(const Request& r) {
        rapidjson::Document body;
        body.Parse(r.body.c_str(), r.body.size());
        if (body.HasParseError() || !body.IsObject() || !body.HasMember("reportType") || !body["reportType"].IsString() ||
            !body.HasMember("marketplaceIds") || !body["marketplaceIds"].IsArray() || body["marketplaceIds"].Empty())
            return invalid_input("reportType and marketplaceIds are required");
        Report rep;
        rep.type = body["reportType"].GetString();
        if (rep.type != "GET_MERCHANT_LISTINGS_ALL_DATA" && rep.type != "GET_SALES_AND_TRAFFIC_REPORT")
            return invalid_input("Report type " + rep.type + " is not emulated");
        // One marketplace per report: the first is taken.
        rep.marketplace = body["marketplaceIds"][0].GetString();
        if (!market_by_id(rep.marketplace)) return invalid_input("Invalid marketplaceId " + rep.marketplace);
        const auto text = [&](const char* k) { return body.HasMember(k) && body[k].IsString() ? std::string(body[k].GetString()) : std::string(); };
        rep.start = text("dataStartTime");
        rep.end = text("dataEndTime");
        if (rep.type == "GET_SALES_AND_TRAFFIC_REPORT") {
            const bool child = body.HasMember("reportOptions") && body["reportOptions"].IsObject() &&
                               body["reportOptions"].HasMember("asinGranularity") &&
                               std::string(body["reportOptions"]["asinGranularity"].GetString()) == "CHILD";
            if (!child || !model::parse_iso8601(rep.start) || !model::parse_iso8601(rep.end))
                return invalid_input("The emulator serves CHILD granularity with dataStartTime and dataEndTime");
        }
        rep.id = std::to_string(50000 + reports_.size() + 1);
        rep.created = api_now();
        reports_.push_back(std::move(rep));
        return Response::json(202, R"({"reportId":")" + reports_.back().id + "\"}");
    }

    Report* report(const std::string& id) {
        for (auto& r : reports_)
            if (r.id == id) return &r;
        return nullptr;
    }

    Response get_report(const Request& r) {
        Report* rep = report(r.path.substr(std::string_view("/reports/2021-06-30/reports/").size()));
        if (!rep) return error(404, "NotFound", "The report was not found.");
        // Each look moves a report on: IN_QUEUE, IN_PROGRESS, then its end.
        if (rep->status == "IN_QUEUE") rep->status = "IN_PROGRESS";
        else if (rep->status == "IN_PROGRESS") finish(*rep);
        json::Writer w;
        w.begin_object().field("reportId", rep->id).field("reportType", rep->type);
        if (!rep->start.empty()) w.field("dataStartTime", rep->start);
        if (!rep->end.empty()) w.field("dataEndTime", rep->end);
        w.key("marketplaceIds").begin_array().value(rep->marketplace).end_array();
        w.field("createdTime", iso(rep->created)).field("processingStatus", rep->status);
        if (rep->status != "IN_QUEUE") w.field("processingStartTime", iso(rep->created));
        if (rep->status == "DONE") w.field("reportDocumentId", rep->doc_id).field("processingEndTime", iso(rep->created));
        w.end_object();
        return Response::json(200, std::string(w.view()));
    }

    void finish(Report& rep) {
        ++finished_;
        if (fatal_every_ > 0 && finished_ % fatal_every_ == 0) {
            rep.status = "FATAL";
            return;
        }
        const Market& m = *market_by_id(rep.marketplace);
        std::string document;
        if (rep.type == "GET_MERCHANT_LISTINGS_ALL_DATA") {
            document = listings_document(m);
            rep.content_type = "text/plain;charset=Cp1252";
        } else {
            const auto day = model::parse_iso8601(rep.start);
            auto body = traffic_document(m, *day / day_ms, rep);
            if (!body) {
                rep.status = "CANCELLED";  // Amazon's "no data"
                return;
            }
            document = std::move(*body);
            rep.content_type = "application/json";
        }
        rep.status = "DONE";
        rep.doc_id = "amzn1.spdoc.1.4.eu." + rep.id + ".T" + std::to_string(rep.created / 1000);
        rep.document = gzip_ ? gzip(document) : std::move(document);
    }

    Response get_report_document(const Request& r) {
        const std::string id = r.path.substr(std::string_view("/reports/2021-06-30/documents/").size());
        for (const auto& rep : reports_)
            if (rep.status == "DONE" && rep.doc_id == id) {
                json::Writer w;
                w.begin_object().field("reportDocumentId", rep.doc_id);
                w.field("url", "http://" + r.header("host").value_or("127.0.0.1") + "/_docs/" + rep.doc_id);
                if (gzip_) w.field("compressionAlgorithm", "GZIP");
                w.end_object();
                return Response::json(200, std::string(w.view()));
            }
        return error(404, "NotFound", "The report document was not found.");
    }

    Response download(const Request& r) {
        const std::string id = r.path.substr(std::string_view("/_docs/").size());
        for (const auto& rep : reports_)
            if (rep.status == "DONE" && rep.doc_id == id) {
                Response res = Response::json(200, rep.document);
                res.content_type = rep.content_type;
                return res;
            }
        Response res;
        res.status = 404;
        res.content_type = "application/xml";
        res.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code></Error>";
        return res;
    }

    static std::string open_date(TimestampMs t) {
        const auto c = model::civil_from_days(model::floor_div(t, day_ms));
        const std::int64_t s = (t - model::floor_div(t, day_ms) * day_ms) / 1000;
        char buf[48];
        std::snprintf(buf, sizeof buf, "%02u/%02u/%04d %02d:%02d:%02d GMT", c.day, c.month, c.year, static_cast<int>(s / 3600),
                      static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
        return buf;
    }

    /// GET_MERCHANT_LISTINGS_ALL_DATA: en_US headers, tab-separated, Cp1252;
    /// the UK file ends its lines with LF, the FR one with CRLF.
    std::string listings_document(const Market& m) const {
        static constexpr const char* header[] = {
            "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date", "image-url", "item-is-marketplace",
            "product-id-type", "zshop-shipping-fee", "item-note", "item-condition", "zshop-category1", "zshop-browse-path",
            "zshop-storefront-feature", "asin1", "asin2", "asin3", "will-ship-internationally", "expedited-shipping", "zshop-boldface",
            "product-id", "bid-for-featured-placement", "add-delete", "pending-quantity", "fulfillment-channel", "merchant-shipping-group",
            "status"};
        const std::string eol = std::string_view(m.info->country) == "FR" ? "\r\n" : "\n";
        std::string out;
        for (std::size_t i = 0; i < std::size(header); ++i) out += (i ? "\t" : "") + std::string(header[i]);
        out += eol;
        for (const auto& p : m.data->products) {
            if (p.deleted) continue;
            const model::Variant& v = p.variants.front();
            const bool fba = is_fba(v.sku);
            std::map<std::string, std::string> row;
            const auto clean = [](std::string s) {
                std::replace(s.begin(), s.end(), '\t', ' ');
                std::replace(s.begin(), s.end(), '\n', ' ');
                return s;
            };
            row["item-name"] = clean(p.product.title);
            row["item-description"] = clean(p.product.description);
            row["listing-id"] = std::to_string(1100000000ull + p.key);
            row["seller-sku"] = v.sku;
            row["price"] = v.price ? v.price->decimal() : "";
            row["quantity"] = fba ? "" : std::to_string(v.stock_total.value_or(0));
            row["open-date"] = open_date(*p.product.created_at);
            row["image-url"] = p.product.images.empty() ? "" : p.product.images.front().url;
            row["item-is-marketplace"] = "y";
            const bool by_ean = !v.barcode.empty() && listed_by_ean(v.sku);
            row["product-id-type"] = by_ean ? "4" : "1";
            row["item-condition"] = "11";
            row["asin1"] = p.product.id;
            row["product-id"] = by_ean ? v.barcode : p.product.id;
            row["pending-quantity"] = "0";
            row["fulfillment-channel"] = fba ? "AMAZON_EU" : "DEFAULT";
            row["merchant-shipping-group"] = "Migrated Template";
            row["status"] = p.status == "active" ? "Active" : p.status == "draft" ? "Incomplete" : "Inactive";
            for (std::size_t i = 0; i < std::size(header); ++i) out += (i ? "\t" : "") + row[header[i]];
            out += eol;
        }
        return utf8_to_cp1252(out);
    }

    static void put_amount(json::Writer& w, std::string_view key, const Money& m) {
        w.key(key).begin_object().key("amount");
        w.raw(m.decimal());
        w.field("currencyCode", m.currency.code()).end_object();
    }

    static double percent(std::int64_t num, std::int64_t den) { return den == 0 ? 0.0 : std::round(10000.0 * static_cast<double>(num) / static_cast<double>(den)) / 100.0; }

    /// One day at CHILD granularity; nothing when the day has no row (CANCELLED).
    std::optional<std::string> traffic_document(const Market& m, std::int64_t day, const Report& rep) const {
        struct Sales {
            std::int64_t units = 0, items = 0, sales = 0;
        };
        std::map<std::string, Sales> by_sku;
        for (const auto& od : m.data->orders) {
            if (model::floor_div(od.order.created_at, day_ms) != day || od.order.cancelled_at) continue;
            for (const auto& l : od.order.lines) {
                Sales& s = by_sku[l.sku];
                s.units += l.quantity;
                s.items += 1;
                s.sales += l.unit_price.shop.minor * l.quantity - l.discount.shop.minor;
            }
        }
        std::vector<const model::TrafficSample*> rows;
        std::int64_t views = 0, sessions = 0;
        for (const auto& t : m.data->traffic)
            if (t.day == day) {
                rows.push_back(&t);
                views += t.views;
                sessions += t.sessions.value_or(0);
            }
        if (rows.empty()) return std::nullopt;
        const model::Currency cur = m.currency();
        Sales total;
        for (const auto& [sku, s] : by_sku) total.units += s.units, total.items += s.items, total.sales += s.sales;
        json::Writer w;
        w.begin_object().key("reportSpecification").begin_object().field("reportType", "GET_SALES_AND_TRAFFIC_REPORT");
        w.key("reportOptions").begin_object().field("dateGranularity", "DAY").field("asinGranularity", "CHILD").end_object();
        w.field("dataStartTime", rep.start.substr(0, 10)).field("dataEndTime", rep.end.substr(0, 10));
        w.key("marketplaceIds").begin_array().value(m.info->id).end_array().end_object();
        w.key("salesAndTrafficByDate").begin_array().begin_object().field("date", model::format_date(day));
        w.key("salesByDate").begin_object();
        put_amount(w, "orderedProductSales", Money{total.sales, cur});
        w.field("unitsOrdered", total.units).field("totalOrderItems", total.items);
        put_amount(w, "averageSalesPerOrderItem", Money{total.items ? total.sales / total.items : 0, cur});
        w.field("averageUnitsPerOrderItem", total.items ? std::round(100.0 * static_cast<double>(total.units) / static_cast<double>(total.items)) / 100.0 : 0.0);
        put_amount(w, "averageSellingPrice", Money{total.units ? total.sales / total.units : 0, cur});
        w.field("unitsRefunded", std::int64_t{0}).field("refundRate", 0.0).field("claimsGranted", std::int64_t{0});
        put_amount(w, "claimsAmount", Money{0, cur});
        put_amount(w, "shippedProductSales", Money{total.sales, cur});
        w.field("unitsShipped", total.units).field("ordersShipped", total.items).end_object();
        const std::int64_t browser_views = views * 7 / 10, browser_sessions = sessions * 7 / 10;
        w.key("trafficByDate").begin_object().field("browserPageViews", browser_views).field("mobileAppPageViews", views - browser_views);
        w.field("pageViews", views).field("browserSessions", browser_sessions).field("mobileAppSessions", sessions - browser_sessions);
        w.field("sessions", sessions).field("buyBoxPercentage", 100.0).field("orderItemSessionPercentage", percent(total.items, sessions));
        w.field("unitSessionPercentage", percent(total.units, sessions)).field("averageOfferCount", static_cast<std::int64_t>(rows.size()));
        w.field("averageParentItems", static_cast<std::int64_t>(rows.size())).field("feedbackReceived", std::int64_t{0});
        w.field("negativeFeedbackReceived", std::int64_t{0}).field("receivedNegativeFeedbackRate", 0.0).end_object();
        w.end_object().end_array();
        w.key("salesAndTrafficByAsin").begin_array();
        for (const auto* t : rows) {
            const Sales s = by_sku.count(t->sku) ? by_sku.at(t->sku) : Sales{};
            const std::int64_t v = t->views, se = t->sessions.value_or(0), bv = v * 7 / 10, bs = se * 7 / 10;
            w.begin_object().field("parentAsin", t->listing_id).field("childAsin", t->listing_id);
            w.key("salesByAsin").begin_object().field("unitsOrdered", s.units);
            put_amount(w, "orderedProductSales", Money{s.sales, cur});
            w.field("totalOrderItems", s.items).end_object();
            w.key("trafficByAsin").begin_object().field("browserSessions", bs).field("mobileAppSessions", se - bs).field("sessions", se);
            w.field("browserSessionPercentage", percent(bs, browser_sessions)).field("mobileAppSessionPercentage", percent(se - bs, sessions - browser_sessions));
            w.field("sessionPercentage", percent(se, sessions)).field("browserPageViews", bv).field("mobileAppPageViews", v - bv);
            w.field("pageViews", v).field("browserPageViewsPercentage", percent(bv, browser_views));
            w.field("mobileAppPageViewsPercentage", percent(v - bv, views - browser_views)).field("pageViewsPercentage", percent(v, views));
            w.field("buyBoxPercentage", 100.0).field("unitSessionPercentage", percent(s.units, se)).end_object();
            w.end_object();
        }
        w.end_array().end_object();
        return std::string(w.view());
    }

    // ------------------------------------------------------------- truth

    /// Per marketplace: the ground truth of each, and what the fees add up to.
    std::string market_summaries() const {
        json::Writer w;
        w.begin_object();
        for (const auto& m : markets_) {
            w.key(m.info->id).begin_object();
            write_ground_truth_fields(w, *m.data);
            // Fees are known once the shipment's event is posted; until then a
            // refund's fee adjustments alone say nothing of them.
            std::int64_t with_fees = 0, fees = 0;
            for (const auto& od : m.data->orders) {
                bool known = false;
                std::int64_t order_fees = 0;
                for (const auto& e : events_of(m, od)) {
                    if (e.refund) {
                        for (const auto& l : e.r->lines) {
                            const std::int64_t back = commission_of(l.subtotal.shop.minor + l.tax.shop.minor);
                            order_fees += -back + round_div(back, 5);
                        }
                        continue;
                    }
                    known = true;
                    for (const auto& l : od.order.lines) {
                        order_fees += commission_of(l.unit_price.shop.minor * l.quantity - l.discount.shop.minor);
                        if (is_fba(l.sku)) order_fees += m.info->fba_unit_fee_minor * l.quantity;
                    }
                }
                if (known) ++with_fees, fees += order_fees;
            }
            w.field("orders_with_fees", with_fees).field("fees_minor", fees);
            // Rows per day, for clients that read fewer days than the 90 generated.
            std::map<std::int64_t, std::int64_t> per_day;
            for (const auto& t : m.data->traffic) ++per_day[t.day];
            w.key("traffic_by_day").begin_object();
            for (const auto& [day, n] : per_day) w.field(model::format_date(day), n);
            w.end_object();
            // Each listing's EAN and images (pixel sizes as generated), by SKU.
            w.key("listings").begin_object();
            for (const auto& p : m.data->products) {
                if (p.deleted) continue;
                const model::Variant& v = p.variants.front();
                w.key(v.sku)
                    .begin_object()
                    .field("asin", p.product.id)
                    .field("barcode", v.barcode)
                    .key("images")
                    .begin_array();
                for (const auto& im : p.product.images)
                    w.begin_object()
                        .field("url", im.url)
                        .field("width", std::int64_t{*im.width_px})
                        .field("height", std::int64_t{*im.height_px})
                        .end_object();
                w.end_array().end_object();
            }
            w.end_object();
            w.end_object();
        }
        w.end_object();
        return std::string(w.view());
    }

    std::vector<Market> markets_;
    std::unique_ptr<ShopData> other_;
    mutable std::map<std::string, std::pair<std::size_t, std::size_t>> order_index_;  // Amazon id -> (market, order)
    mutable std::size_t indexed_orders_ = 0;
    std::map<std::string, Bucket> buckets_;
    std::map<std::string, std::int64_t> tokens_;  // access token -> expiry (steady ms)
    std::uint64_t tokens_issued_ = 0, requests_ = 0;
    std::map<std::string, std::string> codes_;  // authorization code -> the redirect_uri it was issued for
    std::uint64_t codes_issued_ = 0;
    std::int64_t token_ttl_ms_ = 3600 * 1000;
    std::vector<Report> reports_;
    int fatal_every_ = 0, finished_ = 0;
    bool gzip_ = true;
};

}  // namespace

void register_amazon(Registry& registry) {
    registry.add("amazon", [](ShopData& data, const ModuleOptions& options) -> std::unique_ptr<PlatformModule> {
        return std::make_unique<Amazon>(data, options);
    });
}

}  // namespace pcgd::emulator
