// The eBay plugin: one pcgd shop is one eBay marketplace (EBAY_GB, EBAY_FR)
// of a seller.
//
// Auth is OAuth's refresh-token grant on /identity/v1/oauth2/token (Basic
// client id and secret); the two-hour user token is kept across jobs and
// refreshed before it expires, on the clock of eBay's `Date` headers (the
// plugin's only clock is Job::now_ms), and again after a 401.
// Inventory pages through inventory items, reads each SKU's offers for the
// shop's marketplace and each variation group once; orders page through
// getOrders by lastModifiedDate; traffic reads the Analytics traffic report
// by listing and day, 90 days per call at most, or, where eBay refuses that
// undocumented pair of dimensions, by listing for one day per call within a
// daily call budget. See docs/ebay.md.
#include "ebay_mapping.hpp"

#include <pcgd/model/json.hpp>
#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/plugin.hpp>
#include <pcgd/sdk/text.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pcgd::ebay {
namespace {

using model::TimestampMs;

constexpr TimestampMs day_ms = 86'400'000;
/// getOrders serves nothing older than two years.
constexpr TimestampMs order_window_ms = 730 * day_ms;
/// Orders changed while a sync runs can carry a lastModifiedDate just below
/// the high-water mark; re-reading this much before it catches them.
constexpr TimestampMs look_back_ms = 10 * 60 * 1000;
/// A token is refreshed this long before eBay would refuse it.
constexpr TimestampMs token_margin_ms = 5 * 60 * 1000;
/// The traffic report's range, in days, at most.
constexpr std::int64_t traffic_days_per_call = 90;
/// Traffic of recent days is revised while eBay catches up: re-read them.
constexpr std::int64_t traffic_reread_days = 3;
/// getTrafficReport's default daily quota (eBay's API call limits page).
constexpr std::int64_t traffic_quota_per_day = 100;
/// A LISTING report without listing_ids holds this many listings at most, and
/// listing_ids takes as many ids.
constexpr std::size_t report_listings_max = 200;
/// The report's metrics: views are what is kept; the others cost nothing more.
constexpr const char* traffic_metrics = "LISTING_VIEWS_TOTAL,LISTING_IMPRESSION_TOTAL,TRANSACTION";
/// An offers or group request whose answer does not parse is sent again this many times.
constexpr int max_fetch_repeats = 3;
/// A call limit (daily quota) reached without a Retry-After: wait this long, then ask again.
constexpr std::uint32_t call_limit_wait_ms = 60'000;

constexpr const char* scopes =
    "https://api.ebay.com/oauth/api_scope/sell.inventory.readonly https://api.ebay.com/oauth/api_scope/sell.fulfillment.readonly "
    "https://api.ebay.com/oauth/api_scope/sell.analytics.readonly";

std::string base64(std::string_view in) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                           static_cast<unsigned char>(in[i + 2]);
        out += {table[v >> 18], table[v >> 12 & 63], table[v >> 6 & 63], table[v & 63]};
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += {table[v >> 18], table[v >> 12 & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8;
        out += {table[v >> 18], table[v >> 12 & 63], table[v >> 6 & 63], '='};
    }
    return out;
}

/// The path and query of a `next` link: pages are read from the shop's own
/// base URL, so a link naming another host never receives the token.
std::string path_of(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return std::string(url);
    const auto slash = url.find('/', scheme + 3);
    return slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
}

enum class Stage { items, orders, traffic };

const char* to_string(Stage s) {
    switch (s) {
    case Stage::items: return "items";
    case Stage::orders: return "orders";
    case Stage::traffic: return "traffic";
    }
    return "?";
}

/// The resume state of one job.
struct Cursor {
    Stage stage = Stage::orders;
    std::optional<std::string> next;        // the next page of the pass in progress (path and query)
    std::optional<TimestampMs> high_water;  // greatest lastModifiedDate seen
    // Inventory: the product ids of the pass in progress and of the last
    // complete pass; a product of the last pass missing from this one was deleted.
    std::set<std::string> seen, previous;
    bool previous_known = false;
    // Traffic: the days still to read in this pass, and the last day read.
    std::optional<std::int64_t> traffic_from, traffic_to, traffic_last_day;
    // eBay refused dimension=LISTING,DAY once: read dimension=LISTING a day at a time from then on.
    bool traffic_one_dimension = false;
    // Report calls spent on eBay's day `traffic_calls_day`, against the daily budget.
    std::optional<std::int64_t> traffic_calls_day;
    std::int64_t traffic_calls = 0;

    std::string to_json() const {
        json::Writer w;
        w.begin_object().field("v", std::int64_t{1}).field("stage", to_string(stage));
        w.key("next");
        if (next) w.value(*next);
        else w.null();
        w.key("high_water");
        if (high_water) w.value(ebay_time(*high_water));
        else w.null();
        if (stage == Stage::items) {
            const auto list = [&](const char* key, const std::set<std::string>& ids) {
                w.key(key).begin_array();
                for (const auto& id : ids) w.value(id);
                w.end_array();
            };
            list("seen", seen);
            if (previous_known) list("previous", previous);
        }
        const auto day = [&](const char* key, const std::optional<std::int64_t>& d) {
            if (d) w.field(key, model::format_date(*d));
        };
        day("traffic_from", traffic_from);
        day("traffic_to", traffic_to);
        day("traffic_last_day", traffic_last_day);
        if (traffic_one_dimension) w.field("traffic_dimension", "LISTING");
        if (traffic_calls_day) {
            day("traffic_calls_day", traffic_calls_day);
            w.field("traffic_calls", traffic_calls);
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
        if (stage.str() == "items") c.stage = Stage::items;
        else if (stage.str() == "orders") c.stage = Stage::orders;
        else if (stage.str() == "traffic") c.stage = Stage::traffic;
        else stage.fail("unknown stage '" + std::string(stage.str()) + "'");
        if (auto next = n.find("next")) c.next = std::string(next->str());
        c.high_water = sdk::opt_instant(n, "high_water");
        if (auto seen = n.find("seen")) seen->for_each([&](const json::Node& id) { c.seen.emplace(id.str()); });
        if (auto previous = n.find("previous")) {
            c.previous_known = true;
            previous->for_each([&](const json::Node& id) { c.previous.emplace(id.str()); });
        }
        const auto day = [&](const char* key) -> std::optional<std::int64_t> {
            auto d = n.find(key);
            if (!d) return std::nullopt;
            auto parsed = model::parse_date(d->str());
            if (!parsed) d->fail("expected a date YYYY-MM-DD");
            return parsed;
        };
        c.traffic_from = day("traffic_from");
        c.traffic_to = day("traffic_to");
        c.traffic_last_day = day("traffic_last_day");
        if (auto d = n.find("traffic_dimension")) {
            if (d->str() != "LISTING") d->fail("expected LISTING");
            c.traffic_one_dimension = true;
        }
        c.traffic_calls_day = day("traffic_calls_day");
        if (auto calls = n.find("traffic_calls")) c.traffic_calls = calls->i64();
        return c;
    }
};

class EbayPlugin final : public sdk::Plugin {
public:
    static const char* manifest() {
        return R"M({"id":"ebay","name":"eBay","version":"1.0.0","platform":"eBay",)M"
               R"M("datasets":["inventory","orders","traffic"],"record_schema_version":1,"settings":[)M"
               R"M({"name":"base_url","type":"url","required":true,"description":"https://api.ebay.com (https://api.sandbox.ebay.com for the sandbox)"},)M"
               R"M({"name":"client_id","type":"string","secret":true,"required":true,"description":"The application's client id (App ID)"},)M"
               R"M({"name":"client_secret","type":"string","secret":true,"required":true,"description":"The application's client secret (Cert ID)"},)M"
               R"M({"name":"refresh_token","type":"string","secret":true,"description":"The seller's OAuth refresh token (18 months); stored by `pcgd shop connect` when the seller consents"},)M"
               R"M({"name":"marketplace_id","type":"string","description":"EBAY_GB or EBAY_FR; by default the shop country's marketplace"},)M"
               R"M({"name":"page_size","type":"integer","default":200,"description":"Orders or inventory items per page, 1 to 200"},)M"
               R"M({"name":"traffic_days","type":"integer","default":90,"description":"Days of traffic a first traffic sync reads, 1 to 730"},)M"
               R"M({"name":"traffic_calls_per_day","type":"integer","default":50,"description":"Traffic report calls a day at most, of eBay's 100 (the rest for other tools)"},)M"
               R"M({"name":"ru_name","type":"string","description":"The app's RuName (eBay redirect URL name), for `pcgd shop connect`"},)M"
               R"M({"name":"auth_url","type":"url","description":"eBay's consent host; by default https://auth.ebay.com (auth.sandbox.ebay.com for a sandbox base_url)"}]})M";
    }

    EbayPlugin(sdk::Host host, const json::Node& settings) : sdk::Plugin(std::move(host)) {
        base_ = std::string(settings.at("base_url").str());
        while (!base_.empty() && base_.back() == '/') base_.pop_back();
        if (base_.rfind("http://", 0) != 0 && base_.rfind("https://", 0) != 0)
            throw sdk::Error(PCGD_ERR_CONFIG, "settings.base_url: must start with https:// (or http:// for an emulator)");
        for (const char* key : {"client_id", "client_secret"})
            if (settings.at(key).str().empty()) throw sdk::Error(PCGD_ERR_CONFIG, std::string("settings.") + key + ": must not be empty");
        if (auto t = settings.find("refresh_token"); !t || t->str().empty())
            throw sdk::Error(PCGD_ERR_CONFIG,
                             "settings.refresh_token: missing: connect the shop (`pcgd shop connect`) or give "
                             "--credential refresh_token=...");
        basic_ = "Basic " + base64(std::string(settings.at("client_id").str()) + ":" + std::string(settings.at("client_secret").str()));
        refresh_token_ = std::string(settings.at("refresh_token").str());
        const auto shop = settings.at("shop");
        shop_currency_ = sdk::currency(shop.at("currency"));
        const std::string country(shop.str_or("country", ""));
        if (auto id = settings.find("marketplace_id")) {
            auto m = marketplace_by_id(id->str());
            if (!m) throw sdk::Error(PCGD_ERR_CONFIG, "settings.marketplace_id: expected EBAY_GB or EBAY_FR, found '" + std::string(id->str()) + "'");
            marketplace_ = *m;
        } else {
            auto m = marketplace_of_country(country);
            if (!m)
                throw sdk::Error(PCGD_ERR_CONFIG, "shop country '" + country +
                                                      "' has no eBay marketplace this plugin serves (GB, FR); set marketplace_id");
            marketplace_ = *m;
        }
        if (shop_currency_.code() != marketplace_.currency)
            throw sdk::Error(PCGD_ERR_CONFIG, "shop currency " + shop_currency_.str() + " is not " + std::string(marketplace_.id) +
                                                  "'s currency " + std::string(marketplace_.currency));
        const auto integer = [&](const char* key, std::int64_t lowest, std::int64_t highest, std::int64_t& into) {
            auto v = settings.find(key);
            if (!v) return;
            if (v->i64() < lowest || v->i64() > highest)
                throw sdk::Error(PCGD_ERR_CONFIG, std::string("settings.") + key + ": must be between " +
                                                      std::to_string(lowest) + " and " + std::to_string(highest));
            into = v->i64();
        };
        integer("page_size", 1, 200, page_size_);
        integer("traffic_days", 1, 730, traffic_days_);
        // eBay raises the quota on request (Application Growth Check), hence more than 100 allowed.
        integer("traffic_calls_per_day", 1, 10'000, traffic_budget_);
    }

    void begin(const sdk::Job& job) override {
        dataset_ = job.dataset;
        job_now_ms_ = job.now_ms;
        done_ = false;
        granting_ = false;  // an answer to a token request of a failed job will not come
        fetches_.clear();
        held_.clear();
        page_next_.reset();
        page_doc_.reset();
        groups_.clear();
        skipped_orders_ = 0;
        fetch_repeats_ = 0;
        refusals_in_a_row_ = 0;
        scanning_ = job.dataset == sdk::Dataset::traffic && !listings_known_;
        scan_next_.reset();
        const Stage stage = dataset_ == sdk::Dataset::inventory ? Stage::items
                            : dataset_ == sdk::Dataset::orders  ? Stage::orders
                                                                : Stage::traffic;
        cursor_ = Cursor{};
        cursor_.stage = stage;
        if (!job.cursor.empty()) {
            Cursor previous = Cursor::parse(job.cursor);
            if (previous.stage != stage) throw sdk::Error(PCGD_ERR_INVALID_ARGUMENT, "cursor: belongs to another dataset");
            if (!job.full) {
                cursor_ = std::move(previous);
            } else if (stage == Stage::items) {
                // A full pass still knows what the last one saw, so deletions are found.
                cursor_.previous = std::move(previous.previous);
                cursor_.previous_known = previous.previous_known;
            } else if (stage == Stage::traffic) {
                // A full pass reads every day again, but eBay's answer and today's calls stand.
                cursor_.traffic_one_dimension = previous.traffic_one_dimension;
                cursor_.traffic_calls_day = previous.traffic_calls_day;
                cursor_.traffic_calls = previous.traffic_calls;
            }
        }
        traffic_groups_.clear();
        if (scanning_ || (stage == Stage::items && !cursor_.next)) pass_listings_.clear();
        window_ready_ = (stage == Stage::orders && cursor_.next) || stage == Stage::items ||
                        (stage == Stage::traffic && !cursor_.traffic_one_dimension && cursor_.traffic_from &&
                         cursor_.traffic_to && *cursor_.traffic_from <= *cursor_.traffic_to);
    }

    sdk::Step next_step() override {
        if (done_) return sdk::Step::done();
        if (token_.empty() || server_now() + token_margin_ms >= token_expires_ms_) return token_request();
        if (!window_ready_) {
            open_window();
            if (done_) return sdk::Step::done();
        }
        if (traffic_call()) {
            const std::int64_t today = model::floor_div(server_now(), day_ms);
            if (cursor_.traffic_calls_day != today) {
                cursor_.traffic_calls_day = today;
                cursor_.traffic_calls = 0;
            }
            if (cursor_.traffic_calls >= traffic_budget_) {
                // The cursor committed with the last report holds the next day: the next sync starts there.
                host().log(sdk::LogLevel::warn,
                           "ebay: " + std::to_string(cursor_.traffic_calls) +
                               " traffic report calls today reach settings.traffic_calls_per_day; traffic from " +
                               model::format_date(*cursor_.traffic_from) + " on is read by the next sync");
                done_ = true;
                return sdk::Step::done();
            }
        }
        sdk::Request r = data_request(current_path());
        if (traffic_call()) {
            // The traffic report has a quota of its own: 100 calls a day.
            r.rate_bucket = "sell.analytics.traffic_report";
            r.rate_bucket_capacity = traffic_quota_per_day;
            r.rate_bucket_restore_milli_per_s = traffic_quota_per_day * 1000 / 86'400;
        }
        return sdk::Step::send(std::move(r));
    }

    void on_response(const sdk::Response& response, sdk::Result& out) override {
        if (auto date = response.header("Date"))
            if (auto t = parse_http_date(*date)) skew_ms_ = *t - job_now_ms_;
        if (granting_) return on_token(response);
        const std::string_view body = response.body();
        if (response.status() == 401) {
            // Refused again with the token granted after the last refusal: a new one will not do better.
            if (++refusals_in_a_row_ >= 2)
                throw sdk::Error(PCGD_ERR_AUTH, "eBay refused a new access token for " + operation() + ": " + errors_text(body));
            host().log(sdk::LogLevel::info, "ebay: the access token was refused (" + errors_text(body) + "); refreshing it");
            token_.clear();
            return;  // the same request again once the token is new
        }
        if (response.status() != 200 && is_call_limit(body)) {
            host().log(sdk::LogLevel::warn, "ebay: call limit reached for " + operation() + " (" + errors_text(body) + "); waiting");
            out.retry_after_ms = call_limit_wait_ms;
            return;
        }
        if (traffic_call()) ++cursor_.traffic_calls;
        if (response.status() == 403)
            throw sdk::Error(PCGD_ERR_AUTH, "eBay denied access to " + operation() + ": " + errors_text(body));
        if (response.status() == 400 && traffic_call() && lags(body)) {
            // 50600: some listings' figures do not reach the end date yet. Ask for a day less.
            host().log(sdk::LogLevel::info, "ebay: " + errors_text(body) + "; reading up to the day before");
            traffic_groups_.clear();
            if (--*cursor_.traffic_to < *cursor_.traffic_from) finish_traffic(out);
            return;
        }
        if (response.status() == 400 && traffic_call() && !cursor_.traffic_one_dimension && refuses_dimension(body)) {
            // The spec lists DAY or LISTING, one of them; the pair is a convenience an account may not have.
            host().log(sdk::LogLevel::info, "ebay: the traffic report refuses dimension=LISTING,DAY (" + errors_text(body) +
                                                "); reading dimension=LISTING one day per call from now on");
            cursor_.traffic_one_dimension = true;
            out.commit(cursor_.to_json());
            return;
        }
        const bool no_offer = response.status() == 404 && !fetches_.empty() && fetches_.front().kind == Fetch::offers;
        if (response.status() != 200 && !no_offer)
            throw sdk::bad_response("ebay: HTTP " + std::to_string(response.status()) + " for " + operation() + ": " + errors_text(body));
        refusals_in_a_row_ = 0;
        try {
            if (no_offer) return on_offers(nullptr, out);
            auto doc = std::make_unique<rapidjson::Document>();
            try {
                json::parse(*doc, body, "ebay " + operation() + " response");
            } catch (const json::ParseError& e) {
                // A page waits for one request per item: restarting it from its
                // checkpoint for one garbled answer would seldom get through.
                if (fetches_.empty() || ++fetch_repeats_ > max_fetch_repeats) throw;
                host().log(sdk::LogLevel::info, std::string(e.what()) + "; asking again");
                return;
            }
            fetch_repeats_ = 0;
            const json::Node root(*doc);
            if (!fetches_.empty()) {
                if (fetches_.front().kind == Fetch::offers) return on_offers(&root, out);
                return on_group(root, out);
            }
            if (scanning_) return on_items(std::move(doc), out);
            switch (cursor_.stage) {
            case Stage::orders: return on_orders(root, out);
            case Stage::items: return on_items(std::move(doc), out);
            case Stage::traffic: return on_traffic(root, out);
            }
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(e.what());
        }
    }

private:
    /// A request a page needs before its records are complete.
    struct Fetch {
        enum Kind { offers, group } kind;
        std::size_t item = 0;  // offers: the held item they belong to
        std::string key;       // group: its key
        std::string path;
    };

    /// An inventory item of the page in progress and, once read, its variant.
    struct Held {
        json::Node item;
        std::optional<model::Variant> variant;
        std::string listing_id;  // of its offer on this marketplace
    };

    /// eBay's clock: the job's start moved by how far eBay's Date headers
    /// were from it (a host clock that is off, or time passed in the job).
    TimestampMs server_now() const { return job_now_ms_ + skew_ms_; }

    std::string operation() const {
        if (granting_) return "the token refresh";
        if (!fetches_.empty()) return fetches_.front().kind == Fetch::offers ? "getOffers " + fetches_.front().path
                                                                              : "getInventoryItemGroup " + fetches_.front().key;
        if (scanning_) return "getInventoryItems (the listings of the traffic report)";
        switch (cursor_.stage) {
        case Stage::orders: return "getOrders";
        case Stage::items: return "getInventoryItems";
        case Stage::traffic: return "getTrafficReport";
        }
        return "?";
    }

    /// The request in flight (or next) is a traffic report.
    bool traffic_call() const {
        return cursor_.stage == Stage::traffic && !scanning_ && fetches_.empty() && !granting_;
    }

    sdk::Step token_request() {
        sdk::Request r;
        r.method = sdk::Method::post;
        r.url = base_ + "/identity/v1/oauth2/token";
        r.header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", basic_);
        r.body = "grant_type=refresh_token&refresh_token=" + sdk::url_encode(refresh_token_) + "&scope=" + sdk::url_encode(scopes);
        granting_ = true;
        return sdk::Step::send(std::move(r));
    }

    void on_token(const sdk::Response& response) {
        granting_ = false;
        const std::string_view body = response.body();
        if (response.status() == 400 || response.status() == 401)
            throw sdk::Error(PCGD_ERR_AUTH, "eBay refused the refresh token: " + errors_text(body));
        if (response.status() != 200)
            throw sdk::bad_response("ebay: HTTP " + std::to_string(response.status()) + " for the token refresh: " + errors_text(body));
        rapidjson::Document doc;
        try {
            json::parse(doc, body, "ebay token response");
            const json::Node n(doc, "token");
            token_ = std::string(n.at("access_token").str());
            if (token_.empty()) n.at("access_token").fail("empty access token");
            const auto expires_in = n.at("expires_in");
            if (expires_in.i64() <= 0) expires_in.fail("expected a positive lifetime in seconds");
            token_expires_ms_ = server_now() + expires_in.i64() * 1000;
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(e.what());
        }
    }

    sdk::Request data_request(const std::string& path) const {
        sdk::Request r;
        r.url = base_ + path;
        r.header("Authorization", "Bearer " + token_).header("Accept", "application/json");
        r.header("X-EBAY-C-MARKETPLACE-ID", std::string(marketplace_.id)).header("Accept-Language", std::string(marketplace_.language));
        return r;
    }

    /// The first page's filter needs eBay's "now", known once a response has
    /// carried its Date (the token refresh comes first in every process).
    void open_window() {
        window_ready_ = true;
        const std::int64_t today = model::floor_div(server_now(), day_ms);
        if (cursor_.stage == Stage::orders) {
            const TimestampMs since = cursor_.high_water ? *cursor_.high_water - look_back_ms : server_now() - order_window_ms;
            cursor_.next = "/sell/fulfillment/v1/order?filter=" + encode_filter("lastmodifieddate:[" + ebay_time(since) + "..]") +
                           "&limit=" + std::to_string(page_size_) + "&offset=0";
        } else if (cursor_.stage == Stage::traffic) {
            // Whole days only: today's figures are not in yet.
            const std::int64_t to = today - 1;
            std::int64_t from = cursor_.traffic_last_day ? *cursor_.traffic_last_day - (traffic_reread_days - 1)
                                                         : to - (traffic_days_ - 1);
            if (cursor_.traffic_one_dimension) {
                // A call per day: a day is read once its figures are final (lastUpdatedDate), so
                // nothing is re-read; a pass the budget stopped goes on from its next day.
                from = cursor_.traffic_from       ? *cursor_.traffic_from
                       : cursor_.traffic_last_day ? *cursor_.traffic_last_day + 1
                                                  : to - (traffic_days_ - 1);
            }
            from = std::max(from, to - 729);  // the report goes back two years
            cursor_.traffic_from = from;
            cursor_.traffic_to = to;
            if (from > to) done_ = true;
        }
    }

    std::int64_t traffic_chunk_end() const {
        if (cursor_.traffic_one_dimension) return *cursor_.traffic_from;
        return std::min(*cursor_.traffic_to, *cursor_.traffic_from + traffic_days_per_call - 1);
    }

    std::string current_path() const {
        if (!fetches_.empty()) return fetches_.front().path;
        if (scanning_) return scan_next_ ? *scan_next_ : first_items_path();
        switch (cursor_.stage) {
        case Stage::orders: return *cursor_.next;
        case Stage::items:
            return cursor_.next ? *cursor_.next : first_items_path();
        case Stage::traffic: {
            std::string filter = "marketplace_ids:{" + std::string(marketplace_.id) + "},date_range:[" + ebay_day(*cursor_.traffic_from) +
                                 ".." + ebay_day(traffic_chunk_end()) + "]";
            if (!traffic_groups_.empty()) filter += ",listing_ids:{" + traffic_groups_.front() + "}";
            return std::string("/sell/analytics/v1/traffic_report?dimension=") + (cursor_.traffic_one_dimension ? "LISTING" : "LISTING,DAY") +
                   "&metric=" + traffic_metrics + "&filter=" + encode_filter(filter);
        }
        }
        return "/";
    }

    std::string first_items_path() const {
        return "/sell/inventory/v1/inventory_item?limit=" + std::to_string(page_size_) + "&offset=0";
    }

    // ------------------------------------------------------------- orders

    void on_orders(const json::Node& root, sdk::Result& out) {
        if (auto orders = root.find("orders"))
            orders->for_each([&](const json::Node& n) {
                // getOrders answers for every marketplace of the seller; this shop is one of them.
                const std::string where = order_marketplace(n);
                if (where != marketplace_.id) {
                    ++skipped_orders_;
                    return;
                }
                const OrderParts parts = map_order(n, shop_currency_);
                host().emit(parts.order);
                // An order's refunds are re-sent whenever it changes: a late refund arrives with it.
                for (const auto& r : parts.refunds) host().emit(r);
                if (!cursor_.high_water || *cursor_.high_water < *parts.order.updated_at) cursor_.high_water = parts.order.updated_at;
            });
        if (auto next = root.find("next")) {
            cursor_.next = path_of(next->str());
        } else {
            cursor_.next.reset();
            done_ = true;
            if (skipped_orders_)
                host().log(sdk::LogLevel::info, "ebay: " + std::to_string(skipped_orders_) + " orders of other marketplaces than " +
                                                    std::string(marketplace_.id) + " left to their shops");
        }
        out.commit(cursor_.to_json());
    }

    // ------------------------------------------------------------- inventory

    void on_items(std::unique_ptr<rapidjson::Document> doc, sdk::Result& out) {
        page_doc_ = std::move(doc);
        const json::Node root(*page_doc_);
        held_.clear();
        std::set<std::string> queued;
        if (auto items = root.find("inventoryItems"))
            items->for_each([&](const json::Node& item) {
                const std::string sku(item.at("sku").str());
                held_.push_back(Held{item, std::nullopt, {}});
                fetches_.push_back(Fetch{Fetch::offers, held_.size() - 1, {},
                                         "/sell/inventory/v1/offer?sku=" + sdk::url_encode(sku) +
                                             "&marketplace_id=" + std::string(marketplace_.id)});
                const std::string group = group_key_of(item);
                if (!scanning_ && !group.empty() && !groups_.count(group) && queued.insert(group).second)
                    fetches_.push_back(Fetch{Fetch::group, 0, group, "/sell/inventory/v1/inventory_item_group/" + sdk::url_encode(group)});
            });
        page_next_.reset();
        if (auto next = root.find("next")) page_next_ = path_of(next->str());
        complete_items_page(out);
    }

    void on_offers(const json::Node* root, sdk::Result& out) {
        Fetch fetch = std::move(fetches_.front());
        fetches_.pop_front();
        Held& held = held_[fetch.item];
        if (root) {
            std::optional<json::Node> mine;
            if (auto offers = root->find("offers"))
                offers->for_each([&](const json::Node& o) {
                    if (o.str_or("marketplaceId", "") != marketplace_.id) return;
                    // A fixed-price offer is the listing's price; an auction beside it is not.
                    if (!mine || (o.str_or("format", "") == "FIXED_PRICE" && mine->str_or("format", "") != "FIXED_PRICE")) mine = o;
                });
            if (mine) {
                held.variant = map_variant(held.item, &*mine, marketplace_.id);
                if (auto listing = mine->find("listing")) held.listing_id = std::string(listing->str_or("listingId", ""));
            } else if (auto next = root->find("next")) {
                fetch.path = path_of(next->str());
                fetches_.push_front(std::move(fetch));
            }
        }
        complete_items_page(out);
    }

    void on_group(const json::Node& root, sdk::Result& out) {
        const Fetch fetch = std::move(fetches_.front());
        fetches_.pop_front();
        groups_[fetch.key] = map_group_product(root, marketplace_.id);
        complete_items_page(out);
    }

    /// Emits the page's products and variants once every offer and group of
    /// it is read; an item without an offer on this marketplace is not part of this shop.
    void complete_items_page(sdk::Result& out) {
        if (!fetches_.empty()) return;
        // A variation listing has several SKUs: its views go to the first (see docs/ebay.md).
        for (const Held& held : held_) {
            if (!held.variant || held.listing_id.empty()) continue;
            auto [it, added] = pass_listings_.emplace(held.listing_id, held.variant->sku);
            if (!added && held.variant->sku < it->second) it->second = held.variant->sku;
        }
        if (scanning_) {
            held_.clear();
            page_doc_.reset();
            scan_next_ = page_next_;
            if (!page_next_) {
                scanning_ = false;
                learn_listings();
            }
            return;  // the traffic job's own cursor has not moved
        }
        std::vector<model::Product> products;
        std::map<std::string, std::size_t> product_at;
        for (const Held& held : held_) {
            if (!held.variant) continue;
            const model::Variant& v = *held.variant;
            auto [it, added] = product_at.emplace(v.product_id, products.size());
            if (added) {
                const std::string group = group_key_of(held.item);
                products.push_back(group.empty() ? map_item_product(held.item, marketplace_.id) : groups_.at(group));
                products.back().active = false;
            }
            products[it->second].active = products[it->second].active || v.active;
        }
        for (const auto& p : products) {
            host().emit(p);
            cursor_.seen.insert(p.id);
        }
        for (const Held& held : held_)
            if (held.variant) host().emit(*held.variant);
        held_.clear();
        page_doc_.reset();
        cursor_.next = page_next_;
        if (!page_next_) end_of_items_pass();
        out.commit(cursor_.to_json());
    }

    /// Inventory has no deletion feed: a product of the last complete pass
    /// that this pass did not meet was deleted.
    void end_of_items_pass() {
        if (cursor_.previous_known)
            for (const auto& id : cursor_.previous)
                if (!cursor_.seen.count(id)) host().emit(model::Deletion{model::RecordKind::product, id, std::nullopt});
        cursor_.previous = std::move(cursor_.seen);
        cursor_.previous_known = true;
        cursor_.seen.clear();
        learn_listings();
        done_ = true;
    }

    /// The listings of a complete pass, for the traffic report's SKUs.
    void learn_listings() {
        listing_skus_ = std::move(pass_listings_);
        pass_listings_.clear();
        listings_known_ = true;
    }

    // ------------------------------------------------------------- traffic

    void on_traffic(const json::Node& root, sdk::Result& out) {
        const bool one_day = cursor_.traffic_one_dimension;
        const std::int64_t day = *cursor_.traffic_from;
        if (one_day)
            if (auto updated = root.find("lastUpdatedDate")) {
                // eBay stamps the update that brought in the day before it; a day past that has no final figures yet.
                const auto t = model::parse_iso8601(updated->str());
                if (!t) updated->fail("expected an ISO 8601 timestamp");
                if (day > model::floor_div(*t, day_ms) - 1) {
                    host().log(sdk::LogLevel::info, "ebay: the traffic of " + model::format_date(day) +
                                                        " is not final yet (lastUpdatedDate " +
                                                        std::string(updated->str()) + "); the next sync reads it");
                    traffic_groups_.clear();
                    cursor_.traffic_to = day - 1;
                    return finish_traffic(out);
                }
            }
        std::int64_t skipped = 0;
        std::set<std::string> unknown, reported;
        for (auto& t :
             map_traffic(root, marketplace_.id, skipped, one_day ? std::optional<std::int64_t>(day) : std::nullopt)) {
            if (auto it = listing_skus_.find(t.listing_id); it != listing_skus_.end()) t.sku = it->second;
            else unknown.insert(t.listing_id);
            host().emit(t);
        }
        if (!unknown.empty())
            host().log(sdk::LogLevel::warn, "ebay: " + std::to_string(unknown.size()) + " listings of the traffic report (e.g. " +
                                                *unknown.begin() + ") have no offer in this shop's inventory (ended, or not made through "
                                                "the Inventory API): their views carry no SKU");
        if (skipped)
            host().log(sdk::LogLevel::info, "ebay: " + std::to_string(skipped) + " traffic rows without applicable views left out");
        if (one_day && !traffic_groups_.empty()) {
            traffic_groups_.pop_front();
            if (!traffic_groups_.empty()) return;  // the day is complete with its last group
        } else if (one_day) {
            std::size_t rows = 0;
            if (auto records = root.find("records"))
                records->for_each([&](const json::Node& r) {
                    ++rows;
                    reported.insert(std::string(r.at("dimensionValues")[0].at("value").str()));
                });
            if (rows >= report_listings_max && queue_listing_groups(reported)) return;
            if (rows >= report_listings_max)
                host().log(sdk::LogLevel::warn,
                           "ebay: the traffic report of " + model::format_date(day) + " holds " + std::to_string(rows) +
                               " listings, eBay's most without listing_ids, and the inventory "
                               "knows no other listing to ask for by id: that day may lack listings");
        }
        const std::int64_t end = traffic_chunk_end();
        cursor_.traffic_last_day = end;
        cursor_.traffic_from = end + 1;
        if (*cursor_.traffic_from > *cursor_.traffic_to) return finish_traffic(out);
        out.commit(cursor_.to_json());
    }

    /// A one-day report stopped at eBay's 200 listings: the inventory's other
    /// listings are asked for by id, 200 a call. False when there are none.
    bool queue_listing_groups(const std::set<std::string>& reported) {
        std::string group;
        std::size_t in_group = 0;
        for (const auto& [listing, sku] : listing_skus_) {
            if (reported.count(listing)) continue;
            group += (in_group ? "|" : "") + listing;
            if (++in_group == report_listings_max) {
                traffic_groups_.push_back(std::move(group));
                group.clear();
                in_group = 0;
            }
        }
        if (in_group) traffic_groups_.push_back(std::move(group));
        return !traffic_groups_.empty();
    }

    void finish_traffic(sdk::Result& out) {
        traffic_groups_.clear();
        cursor_.traffic_from.reset();
        cursor_.traffic_to.reset();
        done_ = true;
        out.commit(cursor_.to_json());
    }

    static bool lags(std::string_view body) {
        const auto ids = error_ids(body);
        return std::find(ids.begin(), ids.end(), 50600) != ids.end();
    }

    /// 50001, "Invalid dimension specified": the id the spec's x-response-codes give getTrafficReport for a
    /// dimension it does not take (the spec lists DAY or LISTING, one of them).
    static bool refuses_dimension(std::string_view body) {
        const auto ids = error_ids(body);
        return std::find(ids.begin(), ids.end(), 50001) != ids.end();
    }

    // Settings.
    std::string base_, basic_, refresh_token_;
    Marketplace marketplace_;
    model::Currency shop_currency_;
    std::int64_t page_size_ = 200;
    std::int64_t traffic_days_ = 90;    // of a first traffic sync
    std::int64_t traffic_budget_ = 50;  // traffic report calls a day, of eBay's quota of 100
    // Across jobs.
    std::string token_;
    TimestampMs token_expires_ms_ = 0;  // on eBay's clock
    TimestampMs skew_ms_ = 0;           // eBay's clock minus the job's
    // This job.
    sdk::Dataset dataset_ = sdk::Dataset::orders;
    TimestampMs job_now_ms_ = 0;
    Cursor cursor_;
    bool done_ = false, window_ready_ = false, granting_ = false;
    int refusals_in_a_row_ = 0;  // 401s with no success between them
    std::int64_t skipped_orders_ = 0;
    int fetch_repeats_ = 0;  // garbled answers in a row to the offers or group request in flight
    // The inventory page in progress, held until its offers and groups are read.
    std::unique_ptr<rapidjson::Document> page_doc_;
    std::vector<Held> held_;
    std::deque<Fetch> fetches_;
    std::optional<std::string> page_next_;
    std::map<std::string, model::Product> groups_;  // read once per job
    // Listing id -> SKU, from the offers of the last complete inventory pass of
    // this process; a traffic job without one scans the inventory first.
    std::map<std::string, std::string> listing_skus_, pass_listings_;
    bool listings_known_ = false, scanning_ = false;
    std::optional<std::string> scan_next_;
    // The listing_ids groups (ids joined by '|') still to ask for on the day being read.
    std::deque<std::string> traffic_groups_;
};

}  // namespace
}  // namespace pcgd::ebay

PCGD_DECLARE_PLUGIN(pcgd::ebay::EbayPlugin)
