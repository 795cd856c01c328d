// The WooCommerce plugin: REST API wc/v3 (/wp-json/wc/v3).
//
// Products (with the variations of variable ones, read per product), then the
// products in the trash (as deletions); orders (with their refunds, read per
// order). Lists are read with page/per_page in id order, which edits during a
// sync do not reorder; X-WP-TotalPages says where they end. Increments filter
// on modified_after (GMT) from the server's time when the previous run
// started, less a look-back; stores that ignore the filter (WooCommerce before
// 5.x) are detected and read in full, keeping only what changed. The plugin's
// only clock is the host's at begin, moved on by each response's Date header:
// it dates OAuth 1.0a signatures and starts increments. See docs/woocommerce.md.
#include "auth.hpp"
#include "mapping.hpp"

#include <pcgd/model/json.hpp>
#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/plugin.hpp>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pcgd::woocommerce {
namespace {

using model::TimestampMs;

/// Records changed while a run reads can be missed by page-number paging;
/// the next run starts this long before the previous one did.
constexpr TimestampMs look_back_ms = 10 * 60 * 1000;
/// Children (variations, refunds) per request: WooCommerce's maximum.
constexpr std::int64_t children_per_page = 100;
/// A 401 for keys accepted before is repeated this often, a second apart.
constexpr int max_repeats_after_401 = 3;
/// A signature refused for its timestamp or nonce is sent again (re-dated,
/// with a new nonce) this often in a row.
constexpr int max_resigns = 2;

enum class Stage { products, trash, orders };

const char* to_string(Stage s) {
    switch (s) {
    case Stage::products: return "products";
    case Stage::trash: return "trash";
    case Stage::orders: return "orders";
    }
    return "?";
}

/// The resume state of one dataset.
struct Cursor {
    bool running = false;               // a run is in progress
    Stage stage = Stage::orders;        // its pass
    std::int64_t page = 1;              // next page of the pass
    std::optional<TimestampMs> since;   // modified_after of the run
    std::optional<TimestampMs> started; // server time when the run began
    std::optional<TimestampMs> high_water;  // latest date_modified seen in the run
    std::optional<TimestampMs> next;    // modified_after of the next run

    std::string to_json() const {
        json::Writer w;
        w.begin_object().field("v", std::int64_t{1}).field("running", running).field("stage", to_string(stage)).field("page", page);
        const auto time = [&](const char* k, const std::optional<TimestampMs>& t) {
            w.key(k);
            if (t) w.value(model::format_iso8601(*t));
            else w.null();
        };
        time("since", since);
        time("started", started);
        time("high_water", high_water);
        time("next", next);
        w.end_object();
        return std::string(w.view());
    }

    static Cursor parse(std::string_view text) {
        rapidjson::Document doc;
        json::parse(doc, text, "cursor");
        const json::Node n(doc, "cursor");
        Cursor c;
        c.running = n.at("running").boolean();
        const auto stage = n.at("stage");
        if (stage.str() == "products") c.stage = Stage::products;
        else if (stage.str() == "trash") c.stage = Stage::trash;
        else if (stage.str() == "orders") c.stage = Stage::orders;
        else stage.fail("unknown stage '" + std::string(stage.str()) + "'");
        c.page = n.at("page").i64();
        if (c.page < 1) n.at("page").fail("must be at least 1");
        c.since = sdk::opt_instant(n, "since");
        c.started = sdk::opt_instant(n, "started");
        c.high_water = sdk::opt_instant(n, "high_water");
        c.next = sdk::opt_instant(n, "next");
        return c;
    }
};

/// WooCommerce's error body {code, message, data.status}, as one line.
std::string error_text(int status, std::string_view body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    std::string out = "HTTP " + std::to_string(status);
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("code") && doc["code"].IsString()) {
        out += ", " + std::string(doc["code"].GetString());
        if (doc.HasMember("message") && doc["message"].IsString()) out += ": " + std::string(doc["message"].GetString());
        return out;
    }
    return out + ": " + std::string(body.substr(0, 200));
}

std::string error_code(std::string_view body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("code") || !doc["code"].IsString()) return {};
    return doc["code"].GetString();
}

std::string error_message(std::string_view body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("message") || !doc["message"].IsString()) return {};
    return doc["message"].GetString();
}

/// "2026-11-01T10:00:00": the GMT form WooCommerce compares with dates_are_gmt.
std::string gmt_text(TimestampMs t) {
    std::string s = model::format_iso8601(t);
    if (!s.empty() && s.back() == 'Z') s.pop_back();
    if (const auto dot = s.find('.'); dot != std::string::npos) s.erase(dot);
    return s;
}

class WooCommercePlugin final : public sdk::Plugin {
public:
    static const char* manifest() {
        return R"M({"id":"woocommerce","name":"WooCommerce","version":"1.0.0","platform":"WooCommerce",)M"
               R"M("datasets":["inventory","orders"],"record_schema_version":1,"settings":[)M"
               R"M({"name":"base_url","type":"url","required":true,"description":"The store's address, https://shop.example (the API is under /wp-json/wc/v3)"},)M"
               R"M({"name":"consumer_key","type":"string","secret":true,"required":true,"description":"REST API consumer key (ck_...)"},)M"
               R"M({"name":"consumer_secret","type":"string","secret":true,"required":true,"description":"REST API consumer secret (cs_...)"},)M"
               R"M({"name":"auth","type":"string","default":"auto","description":"auto (basic over https, oauth1 over http), basic, oauth1 or query (keys in the query string)"},)M"
               R"M({"name":"page_size","type":"integer","default":100,"description":"Products or orders per page, 1 to 100"},)M"
               R"M({"name":"webhook_secret","type":"string","secret":true,"description":"The secret of the store's webhooks: verifies their deliveries"}]})M";
    }

    WooCommercePlugin(sdk::Host host, const json::Node& settings) : sdk::Plugin(std::move(host)) {
        std::string base(settings.at("base_url").str());
        while (!base.empty() && base.back() == '/') base.pop_back();
        if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0)
            throw sdk::Error(PCGD_ERR_CONFIG, "settings.base_url: must start with https:// (or http:// with OAuth 1.0a)");
        api_root_ = base + "/wp-json/wc/v3";
        key_ = std::string(settings.at("consumer_key").str());
        secret_ = std::string(settings.at("consumer_secret").str());
        if (key_.empty()) throw sdk::Error(PCGD_ERR_CONFIG, "settings.consumer_key: must not be empty");
        if (secret_.empty()) throw sdk::Error(PCGD_ERR_CONFIG, "settings.consumer_secret: must not be empty");
        const std::string auth(settings.str_or("auth", "auto"));
        const auto scheme = auth_scheme_of(auth, base);
        if (!scheme) throw sdk::Error(PCGD_ERR_CONFIG, "settings.auth: expected auto, basic, oauth1 or query, found '" + auth + "'");
        scheme_ = *scheme;
        if (auto p = settings.find("page_size")) {
            page_size_ = p->i64();
            if (page_size_ < 1 || page_size_ > 100) throw sdk::Error(PCGD_ERR_CONFIG, "settings.page_size: must be between 1 and 100");
        }
        shop_currency_ = sdk::currency(settings.at("shop").at("currency"));
    }

    void begin(const sdk::Job& job) override {
        if (job.dataset == sdk::Dataset::traffic)
            throw sdk::Error(PCGD_ERR_UNSUPPORTED, "woocommerce: traffic is not offered (WooCommerce has no views or sessions API)");
        dataset_ = job.dataset;
        done_ = false;
        repeats_after_401_ = resigns_ = 0;
        warned_filter_ignored_ = repeated_unparseable_ = false;
        held_products_.clear();
        held_orders_.clear();
        fetches_.clear();
        job_now_ms_ = job.now_ms;
        clock_ms_ = job.now_ms + skew_ms_.value_or(0);
        skew_learnt_this_job_ = false;
        if (!nonce_epoch_ms_) nonce_epoch_ms_ = job.now_ms;
        const Stage first = first_stage();
        Cursor previous;
        const bool resume = !job.full && !job.cursor.empty();
        if (resume) {
            previous = Cursor::parse(job.cursor);
            if ((previous.stage == Stage::orders) != (first == Stage::orders))
                throw sdk::Error(PCGD_ERR_INVALID_ARGUMENT, "cursor: belongs to another dataset");
        }
        if (resume && previous.running) {
            cursor_ = previous;  // carry on with the interrupted pass
            return;
        }
        cursor_ = Cursor{};
        cursor_.running = true;
        cursor_.stage = first;
        if (resume) cursor_.since = previous.next;
    }

    sdk::Step next_step() override {
        if (done_) return sdk::Step::done();
        if (!fetches_.empty()) {
            const Fetch& f = fetches_.front();
            const std::string what = f.kind == Fetch::Kind::variations ? "/products/" + f.owner + "/variations"
                                                                        : "/orders/" + f.owner + "/refunds";
            return get(what + "?page=" + std::to_string(f.page) + "&per_page=" + std::to_string(children_per_page) +
                       "&orderby=id&order=asc");
        }
        std::string path = cursor_.stage == Stage::orders ? "/orders" : "/products";
        path += "?page=" + std::to_string(cursor_.page) + "&per_page=" + std::to_string(page_size_) + "&orderby=id&order=asc";
        if (cursor_.stage == Stage::trash) path += "&status=trash";
        if (cursor_.since) path += "&modified_after=" + gmt_text(*cursor_.since) + "&dates_are_gmt=true";
        return get(path);
    }

    void on_response(const sdk::Response& response, sdk::Result& out) override {
        read_date(response);
        if (response.status() == 401 || response.status() == 403) return on_refusal(response, out);
        repeats_after_401_ = resigns_ = 0;
        if (response.status() != 200) {
            if (response.status() == 404 && !fetches_.empty() && error_code(response.body()).ends_with("_invalid_id")) {
                // The product or order went away since its page was read: no children.
                fetches_.pop_front();
                return complete_page(out);
            }
            const std::string text = "WooCommerce answered " + error_text(response.status(), response.body()) + " for " + what();
            if (response.status() == 400 || response.status() == 404) throw sdk::Error(PCGD_ERR_CONFIG, text);
            throw sdk::bad_response(text);
        }
        keys_accepted_ = true;
        if (!cursor_.started) cursor_.started = clock_ms_;
        rapidjson::Document doc;
        try {
            parse_document(doc, response.body(), "woocommerce " + what() + " response");
        } catch (const json::ParseError& e) {
            // A body cut short (a proxy, a PHP time limit) is asked for once
            // more before the whole page and its children are read again.
            if (repeated_unparseable_) throw sdk::bad_response(e.what());
            repeated_unparseable_ = true;
            host().log(sdk::LogLevel::info, std::string(e.what()) + "; asking again");
            return;
        }
        repeated_unparseable_ = false;
        try {
            const json::Node list(doc, "$");
            if (!list.is_array()) list.fail("expected an array, found " + std::string(list.type_name()));
            if (!fetches_.empty()) on_children(list, total_pages(response));
            else on_page(list, total_pages(response));
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(e.what());
        }
        complete_page(out);
    }

private:
    /// A follow-up read of one product's variations or one order's refunds.
    struct Fetch {
        enum class Kind { variations, refunds } kind;
        std::string owner;  // product or order id
        std::size_t record = 0;
        std::int64_t page = 1;
    };

    struct HeldProduct {
        ProductParts parts;
        std::vector<model::Variant> variations;
    };

    struct HeldOrder {
        OrderParts parts;
        std::vector<model::Refund> refunds;
    };

    Stage first_stage() const { return dataset_ == sdk::Dataset::inventory ? Stage::products : Stage::orders; }

    std::string what() const {
        if (!fetches_.empty())
            return (fetches_.front().kind == Fetch::Kind::variations ? "the variations of product " : "the refunds of order ") +
                   fetches_.front().owner;
        return std::string(to_string(cursor_.stage)) + " page " + std::to_string(cursor_.page);
    }

    sdk::Step get(const std::string& path_and_query) {
        sdk::Request r;
        r.url = api_root_ + path_and_query;
        r.header("Accept", "application/json");
        switch (scheme_) {
        case AuthScheme::basic: r.header("Authorization", basic_authorization(key_, secret_)); break;
        case AuthScheme::query: r.url += "&consumer_key=" + percent_encode(key_) + "&consumer_secret=" + percent_encode(secret_); break;
        case AuthScheme::oauth1: {
            // Unique per key for as long as WooCommerce remembers nonces: this
            // instance's first clock reading and a counter.
            const std::string nonce = std::to_string(*nonce_epoch_ms_) + "n" + std::to_string(++nonce_counter_);
            r.url = oauth1_signed_url("GET", r.url, key_, secret_, clock_ms_ / 1000, nonce);
            break;
        }
        }
        return sdk::Step::send(std::move(r));
    }

    /// The server's Date moves the clock; the first one of a job also sets
    /// how far the server is from the host, for the next job's first request.
    void read_date(const sdk::Response& response) {
        const auto header = response.header("Date");
        if (!header) return;
        const auto server_ms = parse_http_date(*header);
        if (!server_ms) return;
        clock_ms_ = *server_ms;
        if (!skew_learnt_this_job_) {
            skew_ms_ = *server_ms - job_now_ms_;
            skew_learnt_this_job_ = true;
        }
    }

    void on_refusal(const sdk::Response& response, sdk::Result& out) {
        const std::string text = error_text(response.status(), response.body());
        const std::string message = error_message(response.body());
        // A signature dated or nonced wrongly is signed again: the Date of
        // this very answer has set the clock right.
        const bool stale = message.rfind("Invalid timestamp", 0) == 0 || message.rfind("Invalid nonce", 0) == 0;
        if (scheme_ == AuthScheme::oauth1 && stale && resigns_ < max_resigns) {
            ++resigns_;
            host().log(sdk::LogLevel::info, "woocommerce: " + text + "; signing again at the server's time");
            return;
        }
        // Keys accepted before and refused now may be a passing glitch (a
        // security plugin, a cache), as may a refusal that is not
        // WooCommerce's own JSON (a cut-off body, a proxy's page): a few more
        // tries, a second apart. WooCommerce's words on keys never accepted are final.
        const bool woocommerce_said_so = !error_code(response.body()).empty();
        if (response.status() == 401 && (keys_accepted_ || !woocommerce_said_so) && repeats_after_401_ < max_repeats_after_401) {
            ++repeats_after_401_;
            out.retry_after_ms = 1000;
            host().log(sdk::LogLevel::info, "woocommerce: " + text + "; repeating the request");
            return;
        }
        std::string hint;
        if (message.find("Consumer key is missing") != std::string::npos && scheme_ == AuthScheme::basic)
            hint = " (the server may strip the Authorization header: try auth=query)";
        throw sdk::Error(PCGD_ERR_AUTH, "WooCommerce refused the " + std::string(to_string(scheme_)) + " credentials for " + what() +
                                            ": " + text + hint);
    }

    static std::int64_t total_pages(const sdk::Response& response) {
        const auto header = response.header("X-WP-TotalPages");
        if (!header) throw sdk::bad_response("woocommerce: the answer has no X-WP-TotalPages header");
        std::int64_t n = 0;
        if (header->empty()) throw sdk::bad_response("woocommerce: X-WP-TotalPages is empty");
        for (const char c : *header) {
            if (c < '0' || c > '9' || n > 1'000'000'000) throw sdk::bad_response("woocommerce: X-WP-TotalPages is not a count: '" + std::string(*header) + "'");
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /// Whether a record of a filtered list is older than the filter: the
    /// store ignored modified_after (and returns everything), so only the
    /// records changed since are kept.
    bool changed(TimestampMs modified) {
        if (!cursor_.high_water || *cursor_.high_water < modified) cursor_.high_water = modified;
        if (!cursor_.since || modified >= *cursor_.since) return true;
        if (!warned_filter_ignored_) {
            warned_filter_ignored_ = true;
            host().log(sdk::LogLevel::warn, "woocommerce: the store ignores modified_after (WooCommerce before 5.x?): reading every " +
                                                std::string(cursor_.stage == Stage::orders ? "order" : "product") +
                                                " and keeping those changed since " + gmt_text(*cursor_.since) + " GMT");
        }
        return false;
    }

    void on_page(const json::Node& list, std::int64_t pages) {
        page_has_next_ = cursor_.page < pages;
        switch (cursor_.stage) {
        case Stage::products:
            list.for_each([&](const json::Node& p) {
                ProductParts parts = map_product(p, shop_currency_);
                if (!changed(*parts.product.updated_at)) return;
                if (parts.variable && parts.variation_count.value_or(1) > 0)
                    fetches_.push_back(Fetch{Fetch::Kind::variations, parts.product.id, held_products_.size(), 1});
                held_products_.push_back(HeldProduct{std::move(parts), {}});
            });
            break;
        case Stage::trash:
            list.for_each([&](const json::Node& p) {
                const auto modified = gmt(p.at("date_modified_gmt"));
                if (!changed(modified)) return;
                trashed_.push_back(model::Deletion{model::RecordKind::product, id_of(p.at("id")), modified});
            });
            break;
        case Stage::orders:
            list.for_each([&](const json::Node& o) {
                OrderParts parts = map_order(o);
                if (!changed(*parts.order.updated_at)) return;
                if (!parts.refund_ids.empty())
                    fetches_.push_back(Fetch{Fetch::Kind::refunds, parts.order.id, held_orders_.size(), 1});
                held_orders_.push_back(HeldOrder{std::move(parts), {}});
            });
            break;
        }
    }

    void on_children(const json::Node& list, std::int64_t pages) {
        Fetch& f = fetches_.front();
        if (f.kind == Fetch::Kind::variations) {
            HeldProduct& held = held_products_[f.record];
            list.for_each([&](const json::Node& v) { held.variations.push_back(map_variation(v, held.parts, shop_currency_)); });
        } else {
            HeldOrder& held = held_orders_[f.record];
            list.for_each([&](const json::Node& r) { held.refunds.push_back(map_refund(r, held.parts.order)); });
        }
        if (f.page < pages) ++f.page;
        else fetches_.pop_front();
    }

    /// Emits a page's records and commits once every follow-up is read; a
    /// product or order is never stored without its children.
    void complete_page(sdk::Result& out) {
        if (!fetches_.empty()) return;
        for (const auto& held : held_products_) {
            host().emit(held.parts.product);
            if (held.parts.own_variant) host().emit(*held.parts.own_variant);
            for (const auto& v : held.variations) host().emit(v);
        }
        for (const auto& d : trashed_) host().emit(d);
        for (const auto& held : held_orders_) {
            host().emit(held.parts.order);
            // An order's refunds are re-sent whenever it changes: a late refund arrives with it.
            for (const auto& r : held.refunds) host().emit(r);
        }
        held_products_.clear();
        held_orders_.clear();
        trashed_.clear();
        if (page_has_next_) {
            ++cursor_.page;
        } else if (cursor_.stage == Stage::products) {
            cursor_.stage = Stage::trash;
            cursor_.page = 1;
        } else {
            end_run();
        }
        out.commit(cursor_.to_json());
    }

    void end_run() {
        Cursor finished;
        finished.running = false;
        finished.stage = first_stage();
        // What changed after the run began may have been passed over.
        if (cursor_.started) finished.next = *cursor_.started - look_back_ms;
        else if (cursor_.high_water) finished.next = *cursor_.high_water - look_back_ms;
        else finished.next = cursor_.since;
        cursor_ = finished;
        done_ = true;
    }

    // Settings.
    std::string api_root_, key_, secret_;
    AuthScheme scheme_ = AuthScheme::basic;
    std::int64_t page_size_ = 100;
    model::Currency shop_currency_;
    // Across jobs.
    bool keys_accepted_ = false;
    std::optional<TimestampMs> skew_ms_;         // server clock minus host clock
    std::optional<TimestampMs> nonce_epoch_ms_;  // the host's clock at the first begin
    std::uint64_t nonce_counter_ = 0;
    // This job.
    sdk::Dataset dataset_ = sdk::Dataset::orders;
    Cursor cursor_;
    bool done_ = false;
    TimestampMs job_now_ms_ = 0, clock_ms_ = 0;
    bool skew_learnt_this_job_ = false;
    int repeats_after_401_ = 0, resigns_ = 0;
    bool warned_filter_ignored_ = false;
    bool repeated_unparseable_ = false;
    bool page_has_next_ = false;
    std::vector<HeldProduct> held_products_;
    std::vector<HeldOrder> held_orders_;
    std::vector<model::Deletion> trashed_;
    std::deque<Fetch> fetches_;
};

}  // namespace
}  // namespace pcgd::woocommerce

PCGD_DECLARE_PLUGIN(pcgd::woocommerce::WooCommercePlugin)
