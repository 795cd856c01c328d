// The testshop plugin: a sans-I/O plugin for the emulator's generic REST
// platform (tests/emulators/platforms/testshop.cpp; API in docs/emulator.md).
// It is the reference for how a plugin should behave: token grant, re-grant
// on an expired token, page tokens, a checkpoint per page, an incremental
// look-back, rate-limit hints, and errors that name the JSON path.
#include <pcgd/model/json.hpp>
#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/plugin.hpp>
#include <pcgd/sdk/text.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

namespace pcgd::testshop {
namespace {

using model::Money;
using model::MoneyBag;
using model::TimestampMs;

/// Records changed while a sync runs can carry an updated_at just below the
/// high-water mark we saw; re-reading this much before it catches them. The
/// store upserts, so what is read twice is harmless.
constexpr TimestampMs look_back_ms = 10 * 60 * 1000;
/// Traffic of the last days is still being counted upstream; re-read it.
constexpr std::int64_t traffic_look_back_days = 3;
/// Renew a token this long before the platform says it expires.
constexpr TimestampMs token_margin_ms = 60 * 1000;

using sdk::currency;
using sdk::instant;
using sdk::money;
using sdk::opt_instant;
using sdk::opt_money;
using sdk::url_encode;

/// An amount in shop money, with the buyer's-currency amount when the
/// platform gives one in "presentment_amounts".
MoneyBag bag(const json::Node& parent, const char* key, model::Currency shop, std::optional<model::Currency> buyer) {
    MoneyBag b{money(parent.at(key), shop), std::nullopt};
    if (auto p = parent.find("presentment_amounts"); p && buyer) b.presentment = money(p->at(key), *buyer);
    return b;
}

enum class Stage { products, deletions, orders, traffic };

const char* to_string(Stage s) {
    switch (s) {
    case Stage::products: return "products";
    case Stage::deletions: return "deletions";
    case Stage::orders: return "orders";
    case Stage::traffic: return "traffic";
    }
    return "?";
}

/// The resume state of one job. For inventory, products then deletions are
/// read, each with its own high-water mark.
struct Cursor {
    Stage stage = Stage::orders;
    std::optional<std::string> page_token;        // next page of the pass in progress
    std::optional<TimestampMs> updated_since;     // filter of the pass in progress
    std::optional<TimestampMs> high_water;        // greatest updated_at seen (products or orders)
    std::optional<TimestampMs> deletions_since;   // inventory: filter of the deletions pass
    std::optional<TimestampMs> deletions_high_water;
    std::optional<std::int64_t> traffic_from_day; // traffic: from= of the pass in progress
    std::optional<std::int64_t> traffic_last_day; // traffic: the latest day seen

    std::string to_json() const {
        json::Writer w;
        w.begin_object().field("v", std::int64_t{1}).field("stage", to_string(stage));
        auto opt_time = [&](const char* k, const std::optional<TimestampMs>& t) {
            w.key(k);
            if (t) w.value(model::format_iso8601(*t));
            else w.null();
        };
        w.key("page_token");
        if (page_token) w.value(*page_token);
        else w.null();
        opt_time("updated_since", updated_since);
        opt_time("high_water", high_water);
        opt_time("deletions_since", deletions_since);
        opt_time("deletions_high_water", deletions_high_water);
        auto opt_day = [&](const char* k, const std::optional<std::int64_t>& d) {
            w.key(k);
            if (d) w.value(model::format_date(*d));
            else w.null();
        };
        opt_day("traffic_from", traffic_from_day);
        opt_day("traffic_last_day", traffic_last_day);
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
        else if (s == "orders") c.stage = Stage::orders;
        else if (s == "traffic") c.stage = Stage::traffic;
        else stage.fail("unknown stage '" + std::string(s) + "'");
        if (auto t = n.find("page_token")) c.page_token = std::string(t->str());
        c.updated_since = opt_instant(n, "updated_since");
        c.high_water = opt_instant(n, "high_water");
        c.deletions_since = opt_instant(n, "deletions_since");
        c.deletions_high_water = opt_instant(n, "deletions_high_water");
        auto opt_day = [&](const char* k) -> std::optional<std::int64_t> {
            auto d = n.find(k);
            if (!d) return std::nullopt;
            auto v = model::parse_date(d->str());
            if (!v) d->fail("not a date: '" + std::string(d->str()) + "'");
            return v;
        };
        c.traffic_from_day = opt_day("traffic_from");
        c.traffic_last_day = opt_day("traffic_last_day");
        return c;
    }
};

class TestshopPlugin final : public sdk::Plugin {
public:
    static const char* manifest() {
        return R"M({"id":"testshop","name":"Testshop","version":"1.0.0","platform":"Testshop (emulated generic REST platform)",)M"
               R"M("datasets":["inventory","orders","traffic"],"record_schema_version":1,"settings":[)M"
               R"M({"name":"base_url","type":"url","required":true,"description":"Base URL of the shop's API, e.g. https://shop.example"},)M"
               R"M({"name":"client_id","type":"string","required":true,"description":"OAuth client id"},)M"
               R"M({"name":"client_secret","type":"string","secret":true,"required":true,"description":"OAuth client secret"},)M"
               R"M({"name":"page_size","type":"integer","default":100,"description":"Records per page, 1 to 250"}]})M";
    }

    TestshopPlugin(sdk::Host host, const json::Node& settings) : sdk::Plugin(std::move(host)) {
        base_url_ = std::string(settings.at("base_url").str());
        while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
        if (base_url_.rfind("http://", 0) != 0 && base_url_.rfind("https://", 0) != 0)
            throw sdk::Error(PCGD_ERR_CONFIG, "settings.base_url: must start with http:// or https://");
        client_id_ = std::string(settings.at("client_id").str());
        client_secret_ = std::string(settings.at("client_secret").str());
        if (client_id_.empty() || client_secret_.empty())
            throw sdk::Error(PCGD_ERR_CONFIG, "settings: client_id and client_secret must not be empty");
        if (auto p = settings.find("page_size")) {
            const std::int64_t n = p->i64();
            if (n < 1 || n > 250) throw sdk::Error(PCGD_ERR_CONFIG, "settings.page_size: must be between 1 and 250");
            page_size_ = static_cast<int>(n);
        }
    }

    void begin(const sdk::Job& job) override {
        dataset_ = job.dataset;
        now_ms_ = job.now_ms;
        done_ = false;
        awaiting_ = Awaiting::nothing;
        regranted_for_this_request_ = false;
        // A token outlives jobs, but not its expiry (judged on the host's clock).
        if (token_ && token_expires_ms_ - token_margin_ms <= now_ms_) token_.reset();

        Cursor previous;
        const bool resume = !job.full && !job.cursor.empty();
        if (resume) previous = Cursor::parse(job.cursor);
        cursor_ = Cursor{};
        switch (dataset_) {
        case sdk::Dataset::inventory: cursor_.stage = Stage::products; break;
        case sdk::Dataset::orders: cursor_.stage = Stage::orders; break;
        case sdk::Dataset::traffic: cursor_.stage = Stage::traffic; break;
        }
        if (!resume) return;
        const bool same_kind = (dataset_ == sdk::Dataset::inventory &&
                                (previous.stage == Stage::products || previous.stage == Stage::deletions)) ||
                               (dataset_ == sdk::Dataset::orders && previous.stage == Stage::orders) ||
                               (dataset_ == sdk::Dataset::traffic && previous.stage == Stage::traffic);
        if (!same_kind) throw sdk::Error(PCGD_ERR_INVALID_ARGUMENT, "cursor: belongs to another dataset");
        cursor_ = previous;
        if (cursor_.page_token) return;  // a pass was interrupted: carry on with its next page
        // A new pass from just before what the last one saw.
        if (dataset_ == sdk::Dataset::traffic) {
            if (cursor_.traffic_last_day) cursor_.traffic_from_day = *cursor_.traffic_last_day - traffic_look_back_days;
            return;
        }
        if (cursor_.stage == Stage::deletions) return;  // the products pass is complete; deletions remain
        if (cursor_.high_water) cursor_.updated_since = *cursor_.high_water - look_back_ms;
        if (dataset_ == sdk::Dataset::inventory && cursor_.deletions_high_water)
            cursor_.deletions_since = *cursor_.deletions_high_water - look_back_ms;
    }

    sdk::Step next_step() override {
        if (done_) return sdk::Step::done();
        if (!token_) {
            awaiting_ = Awaiting::token;
            sdk::Request r;
            r.method = sdk::Method::post;
            r.url = base_url_ + "/oauth/token";
            r.header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
            r.body = "grant_type=client_credentials&client_id=" + url_encode(client_id_) +
                     "&client_secret=" + url_encode(client_secret_);
            return sdk::Step::send(std::move(r));
        }
        awaiting_ = Awaiting::page;
        sdk::Request r;
        r.url = page_url();
        r.header("Authorization", "Bearer " + *token_).header("Accept", "application/json");
        return sdk::Step::send(std::move(r));
    }

    void on_response(const sdk::Response& response, sdk::Result& out) override {
        read_rate_limit(response, out);
        if (awaiting_ == Awaiting::token) return on_token(response);
        if (awaiting_ != Awaiting::page) throw sdk::Error(PCGD_ERR_STATE, "on_response without a request in flight");
        awaiting_ = Awaiting::nothing;
        if (response.status() == 401) {
            // Expired or revoked: get a new token and repeat the same request.
            // Twice in a row means the new token is refused too.
            if (regranted_for_this_request_)
                throw sdk::Error(PCGD_ERR_AUTH, "testshop refused a freshly granted token: " + snippet(response.body()));
            host().log(sdk::LogLevel::info, "testshop: access token refused, requesting a new one");
            token_.reset();
            regranted_for_this_request_ = true;
            return;
        }
        if (response.status() == 403) throw sdk::Error(PCGD_ERR_AUTH, "testshop: access denied: " + snippet(response.body()));
        if (response.status() != 200)
            throw sdk::bad_response("testshop: HTTP " + std::to_string(response.status()) + " for " + path_of_request() + ": " +
                                    snippet(response.body()));
        regranted_for_this_request_ = false;
        try {
            on_page(response.body(), out);
        } catch (const json::ParseError& e) {
            throw sdk::bad_response("testshop " + path_of_request() + ": " + e.what());
        }
    }

private:
    enum class Awaiting { nothing, token, page };

    static std::string snippet(std::string_view body) {
        return std::string(body.substr(0, 200));
    }

    std::string path_of_request() const {
        switch (cursor_.stage) {
        case Stage::products: return "GET /api/v1/products";
        case Stage::deletions: return "GET /api/v1/deletions";
        case Stage::orders: return "GET /api/v1/orders";
        case Stage::traffic: return "GET /api/v1/traffic";
        }
        return "?";
    }

    std::string page_url() const {
        std::string url = base_url_ + "/api/v1/" + to_string(cursor_.stage) + "?limit=" +
                          std::to_string(cursor_.stage == Stage::traffic || cursor_.stage == Stage::deletions ? 250 : page_size_);
        if (cursor_.page_token) return url + "&page_token=" + url_encode(*cursor_.page_token);
        switch (cursor_.stage) {
        case Stage::products:
        case Stage::orders:
            if (cursor_.updated_since) url += "&updated_since=" + url_encode(model::format_iso8601(*cursor_.updated_since));
            break;
        case Stage::deletions:
            if (cursor_.deletions_since) url += "&since=" + url_encode(model::format_iso8601(*cursor_.deletions_since));
            break;
        case Stage::traffic:
            if (cursor_.traffic_from_day) url += "&from=" + model::format_date(*cursor_.traffic_from_day);
            break;
        }
        return url;
    }

    void read_rate_limit(const sdk::Response& r, sdk::Result& out) const {
        auto number = [](std::string_view s) -> std::optional<std::int64_t> {
            if (s.empty() || s.size() > 12) return std::nullopt;
            std::int64_t v = 0;
            for (char c : s) {
                if (c < '0' || c > '9') return std::nullopt;
                v = v * 10 + (c - '0');
            }
            return v;
        };
        if (auto h = r.header("X-RateLimit-Limit"))
            if (auto v = number(*h)) out.budget_capacity = *v;
        if (auto h = r.header("X-RateLimit-Remaining"))
            if (auto v = number(*h)) out.budget_remaining = *v;
        if (auto h = r.header("Retry-After"))
            if (auto v = number(*h)) out.retry_after_ms = static_cast<std::uint32_t>(std::min<std::int64_t>(*v, 3600) * 1000);
    }

    void on_token(const sdk::Response& r) {
        awaiting_ = Awaiting::nothing;
        rapidjson::Document doc;
        if (r.status() == 400 || r.status() == 401) {
            std::string why = snippet(r.body());
            doc.Parse(r.body().data(), r.body().size());
            if (!doc.HasParseError() && doc.IsObject()) {
                const json::Node n(doc);
                why = std::string(n.str_or("error", "")) + ": " + std::string(n.str_or("error_description", ""));
            }
            throw sdk::Error(PCGD_ERR_AUTH, "testshop token grant refused: " + why);
        }
        if (r.status() != 200)
            throw sdk::bad_response("testshop: HTTP " + std::to_string(r.status()) + " for POST /oauth/token: " + snippet(r.body()));
        try {
            json::parse(doc, r.body(), "token response");
            const json::Node n(doc);
            const auto type = n.at("token_type");
            if (!sdk::iequals(type.str(), "bearer")) type.fail("expected 'Bearer', found '" + std::string(type.str()) + "'");
            token_ = std::string(n.at("access_token").str());
            token_expires_ms_ = now_ms_ + n.at("expires_in").i64() * 1000;
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(std::string("testshop POST /oauth/token: ") + e.what());
        }
    }

    /// Next page or the end of the pass; every page is a checkpoint.
    void on_page(std::string_view body, sdk::Result& out) {
        rapidjson::Document doc;
        json::parse(doc, body, "response body");
        const json::Node root(doc);
        std::optional<std::string> next;
        if (auto t = root.find("next_page_token")) next = std::string(t->str());

        switch (cursor_.stage) {
        case Stage::products:
            root.at("products").for_each([&](const json::Node& p) { emit_product(p); });
            break;
        case Stage::deletions:
            root.at("deletions").for_each([&](const json::Node& d) { emit_deletion(d); });
            break;
        case Stage::orders:
            root.at("orders").for_each([&](const json::Node& o) { emit_order(o); });
            break;
        case Stage::traffic:
            root.at("traffic").for_each([&](const json::Node& t) { emit_traffic(t); });
            break;
        }
        cursor_.page_token = next;
        if (!next) {
            // The pass is complete.
            if (cursor_.stage == Stage::products) {
                cursor_.stage = Stage::deletions;
            } else {
                if (cursor_.stage == Stage::deletions) cursor_.stage = Stage::products;
                done_ = true;
            }
        }
        out.commit(cursor_.to_json());
    }

    void raise(std::optional<TimestampMs>& mark, TimestampMs t) {
        if (!mark || *mark < t) mark = t;
    }

    void emit_product(const json::Node& n) {
        model::Product p;
        p.id = std::string(n.at("id").str());
        p.title = std::string(n.at("title").str());
        if (auto d = n.find("description_html")) {
            p.description_html = std::string(d->str());
            p.description = sdk::html_to_text(p.description_html);
        }
        p.vendor = std::string(n.str_or("vendor", ""));
        p.product_type = std::string(n.str_or("product_type", ""));
        if (auto tags = n.find("tags")) tags->for_each([&](const json::Node& t) { p.tags.emplace_back(t.str()); });
        p.active = n.at("status").str() == "active";
        if (auto images = n.find("images"))
            images->for_each([&](const json::Node& im) {
                model::Image image{std::string(im.at("url").str()), std::nullopt, std::nullopt};
                if (auto w = im.find("width")) image.width_px = static_cast<std::int32_t>(w->i64());
                if (auto h = im.find("height")) image.height_px = static_cast<std::int32_t>(h->i64());
                p.images.push_back(std::move(image));
            });
        p.created_at = opt_instant(n, "created_at");
        p.updated_at = instant(n.at("updated_at"));
        raise(cursor_.high_water, *p.updated_at);

        std::vector<model::Variant> variants;
        n.at("variants").for_each([&](const json::Node& vn) {
            model::Variant v;
            v.id = std::string(vn.at("id").str());
            v.product_id = p.id;
            v.sku = std::string(vn.str_or("sku", ""));
            v.barcode = std::string(vn.str_or("barcode", ""));
            v.title = std::string(vn.str_or("title", ""));
            const model::Currency cur = currency(vn.at("currency"));
            v.price = money(vn.at("price"), cur);
            v.compare_at_price = opt_money(vn, "compare_at_price", cur);
            v.unit_cost = opt_money(vn, "cost", cur);
            std::int64_t total = 0;
            vn.at("inventory").for_each([&](const json::Node& s) {
                model::StockLevel level{std::string(s.at("location_id").str()), s.at("available").i64()};
                total += level.quantity;
                v.stock.push_back(std::move(level));
            });
            v.stock_total = total;
            v.active = p.active;
            v.updated_at = opt_instant(vn, "updated_at");
            variants.push_back(std::move(v));
        });
        // Parse the whole product before emitting any of it: a bad variant
        // must not leave half a product in the store.
        host().emit(p);
        for (const auto& v : variants) host().emit(v);
    }

    void emit_deletion(const json::Node& n) {
        model::Deletion d;
        const auto kind = n.at("kind");
        if (kind.str() != "product") kind.fail("expected 'product', found '" + std::string(kind.str()) + "'");
        d.kind = model::RecordKind::product;
        d.id = std::string(n.at("id").str());
        d.deleted_at = instant(n.at("deleted_at"));
        raise(cursor_.deletions_high_water, *d.deleted_at);
        host().emit(d);
    }

    void emit_order(const json::Node& n) {
        model::Order o;
        o.id = std::string(n.at("id").str());
        o.name = std::string(n.str_or("name", ""));
        o.created_at = instant(n.at("created_at"));
        o.updated_at = instant(n.at("updated_at"));
        o.cancelled_at = opt_instant(n, "cancelled_at");
        o.status = std::string(n.str_or("status", ""));
        o.financial_status = std::string(n.str_or("financial_status", ""));
        o.fulfillment_status = std::string(n.str_or("fulfillment_status", ""));
        o.currency = currency(n.at("currency"));
        std::optional<model::Currency> buyer;
        if (auto pc = n.find("presentment_currency")) buyer = currency(*pc);
        o.presentment_currency = buyer;
        o.country = std::string(n.str_or("country", ""));
        o.taxes_included = n.bool_or("taxes_included", false);
        o.subtotal = bag(n, "subtotal", o.currency, buyer);
        o.discounts = bag(n, "total_discounts", o.currency, buyer);
        o.shipping = bag(n, "shipping", o.currency, buyer);
        o.tax = bag(n, "total_tax", o.currency, buyer);
        o.total = bag(n, "total", o.currency, buyer);
        o.fees_known = false;  // testshop does not report the seller's fees
        n.at("lines").for_each([&](const json::Node& l) {
            model::OrderLine line;
            line.id = std::string(l.at("id").str());
            line.sku = std::string(l.str_or("sku", ""));
            line.variant_id = std::string(l.str_or("variant_id", ""));
            line.product_id = std::string(l.str_or("product_id", ""));
            line.title = std::string(l.str_or("title", ""));
            line.quantity = l.at("quantity").i64();
            line.unit_price = bag(l, "unit_price", o.currency, buyer);
            line.discount = bag(l, "discount", o.currency, buyer);
            line.tax = bag(l, "tax", o.currency, buyer);
            o.lines.push_back(std::move(line));
        });
        std::vector<model::Refund> refunds;
        if (auto rs = n.find("refunds"))
            rs->for_each([&](const json::Node& r) {
                model::Refund refund;
                refund.id = std::string(r.at("id").str());
                refund.order_id = o.id;
                refund.created_at = instant(r.at("created_at"));
                refund.amount = bag(r, "amount", o.currency, buyer);
                refund.tax = bag(r, "tax", o.currency, buyer);
                refund.shipping = bag(r, "shipping", o.currency, buyer);
                refund.note = std::string(r.str_or("note", ""));
                r.at("lines").for_each([&](const json::Node& l) {
                    refund.lines.push_back(model::RefundLine{std::string(l.at("line_id").str()), std::string(l.str_or("sku", "")),
                                                             l.at("quantity").i64(), bag(l, "subtotal", o.currency, buyer),
                                                             bag(l, "tax", o.currency, buyer)});
                });
                refunds.push_back(std::move(refund));
            });
        raise(cursor_.high_water, *o.updated_at);
        host().emit(o);
        for (const auto& r : refunds) host().emit(r);
    }

    void emit_traffic(const json::Node& n) {
        model::TrafficSample t;
        t.sku = std::string(n.at("sku").str());
        const auto date = n.at("date");
        auto day = model::parse_date(date.str());
        if (!day) date.fail("not a date (YYYY-MM-DD): '" + std::string(date.str()) + "'");
        t.day = *day;
        t.views = n.at("views").i64();
        t.sessions = n.opt_i64("sessions");
        if (!cursor_.traffic_last_day || *cursor_.traffic_last_day < t.day) cursor_.traffic_last_day = t.day;
        host().emit(t);
    }

    // Settings.
    std::string base_url_, client_id_, client_secret_;
    int page_size_ = 100;
    // Across jobs.
    std::optional<std::string> token_;
    TimestampMs token_expires_ms_ = 0;
    // This job.
    sdk::Dataset dataset_ = sdk::Dataset::orders;
    TimestampMs now_ms_ = 0;
    Cursor cursor_;
    Awaiting awaiting_ = Awaiting::nothing;
    bool regranted_for_this_request_ = false;
    bool done_ = false;
};

}  // namespace
}  // namespace pcgd::testshop

PCGD_DECLARE_PLUGIN(pcgd::testshop::TestshopPlugin)
