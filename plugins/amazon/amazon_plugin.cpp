// The Amazon plugin: Selling Partner API, EU endpoint, one marketplace per
// shop. Login with Amazon refresh-token grant (x-amz-access-token, no SigV4).
//
// orders:    Orders 2026-01-01 searchOrders by lastUpdatedAfter, each shipped
//            order's financial events (fees, refunds); incrementally, then the
//            financial events posted since the last run, whose orders are read
//            again with getOrder (a late fee or refund does not touch the order).
// inventory: FBA inventory summaries, then the GET_MERCHANT_LISTINGS_ALL_DATA
//            report (create, poll, document, gzip + Cp1252 download); listings
//            gone since the last snapshot are deleted; then the Listings Items
//            API (searchListingsItems, 20 SKUs a request) adds images with
//            their pixel sizes, GTINs and bullet points.
// traffic:   GET_SALES_AND_TRAFFIC_REPORT per day at child-ASIN level, ASINs
//            mapped to SKUs through the listings report.
// See docs/amazon.md.
#include <pcgd/model/json.hpp>
#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/plugin.hpp>
#include <pcgd/sdk/text.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mapping.hpp"
#include "report_text.hpp"
#include "sp_api.hpp"

namespace pcgd::amazon {
namespace {

constexpr const char* default_base_url = "https://sellingpartnerapi-eu.amazon.com";
constexpr const char* default_token_url = "https://api.amazon.com/auth/o2/token";
constexpr TimestampMs day_ms = 86'400'000;
/// Orders changed while a pass runs, and data Amazon makes visible late,
/// are caught by starting each pass this much before the last one's cut-off.
constexpr TimestampMs look_back_ms = 10 * 60 * 1000;
/// An access token is renewed this long before Amazon says it expires.
constexpr TimestampMs token_margin_ms = 5 * 60 * 1000;
/// Sales and Traffic figures are revised for a few days: re-read them.
constexpr std::int64_t traffic_reread_days = 3;
/// Access refused this many times in a row, each time with a new token, is an auth error.
constexpr int max_token_refusals = 3;
/// A report that ends FATAL is requested again this many times.
constexpr int max_report_failures = 3;
/// A document URL refused (expired) is fetched again this many times.
constexpr int max_download_refusals = 3;
/// searchListingsItems takes at most 20 identifiers (and pageSize <= 20).
constexpr std::size_t listings_batch = 20;

std::string iso(TimestampMs t) { return model::format_iso8601(t); }

enum class Phase {
    token,
    orders_page,
    order_events,
    fees_page,
    fees_order,
    fba_page,
    report_create,
    report_poll,
    report_document,
    report_download,
    listings_page,
};

/// What a report is for.
enum class ReportKind { listings, sku_map, traffic_day };

/// The resume state of one job, committed as JSON.
struct Cursor {
    std::string stage;  // orders, fees, inventory, traffic
    // orders
    std::optional<TimestampMs> since, cutoff, high_water, fees_since;
    std::optional<std::string> token, fees_token;
    // inventory and traffic
    std::optional<std::string> report_id;
    std::string known;  // inventory: "ASIN\tSKU\n" of the last complete snapshot, sorted
    // inventory: the listings being enriched (report_id is kept to rebuild
    // them after a restart); the last "ASIN\tSKU" emitted, empty before the first.
    std::optional<std::string> enrich;
    // traffic
    std::optional<std::int64_t> day, last_day;

    std::string to_json() const {
        json::Writer w;
        w.begin_object().field("v", std::int64_t{1}).field("stage", stage);
        const auto opt_str = [&](const char* k, const std::optional<std::string>& s) {
            if (s) w.field(k, *s);
        };
        const auto opt_time = [&](const char* k, const std::optional<TimestampMs>& t) {
            if (t) w.field(k, iso(*t));
        };
        const auto opt_day = [&](const char* k, const std::optional<std::int64_t>& d) {
            if (d) w.field(k, model::format_date(*d));
        };
        opt_time("since", since);
        opt_str("token", token);
        opt_time("cutoff", cutoff);
        opt_time("high_water", high_water);
        opt_time("fees_since", fees_since);
        opt_str("fees_token", fees_token);
        opt_str("report_id", report_id);
        if (!known.empty()) w.field("known", known);
        opt_str("enrich", enrich);
        opt_day("day", day);
        opt_day("last_day", last_day);
        w.end_object();
        return std::string(w.view());
    }

    static Cursor parse(std::string_view text) {
        rapidjson::Document doc;
        json::parse(doc, text, "cursor");
        const json::Node n(doc, "cursor");
        Cursor c;
        c.stage = std::string(n.at("stage").str());
        const auto opt_str = [&](const char* k) -> std::optional<std::string> {
            if (auto v = n.find(k)) return std::string(v->str());
            return std::nullopt;
        };
        const auto opt_day = [&](const char* k) -> std::optional<std::int64_t> {
            auto v = n.find(k);
            if (!v) return std::nullopt;
            auto d = model::parse_date(v->str());
            if (!d) v->fail("not a date");
            return d;
        };
        c.since = sdk::opt_instant(n, "since");
        c.token = opt_str("token");
        c.cutoff = sdk::opt_instant(n, "cutoff");
        c.high_water = sdk::opt_instant(n, "high_water");
        c.fees_since = sdk::opt_instant(n, "fees_since");
        c.fees_token = opt_str("fees_token");
        c.report_id = opt_str("report_id");
        c.known = std::string(n.str_or("known", ""));
        c.enrich = opt_str("enrich");
        c.day = opt_day("day");
        c.last_day = opt_day("last_day");
        return c;
    }
};

/// Parses a body whose numbers must stay exact (money as JSON numbers):
/// every number is kept as its text.
void parse_exact(rapidjson::Document& doc, std::string_view body, const std::string& what) {
    doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(body.data(), body.size());
    if (doc.HasParseError())
        throw sdk::bad_response(what + " is not valid JSON at byte " + std::to_string(doc.GetErrorOffset()) + ": " +
                                rapidjson::GetParseError_En(doc.GetParseError()));
}

class AmazonPlugin final : public sdk::Plugin {
public:
    static const char* manifest() {
        return R"M({"id":"amazon","name":"Amazon","version":"1.0.0","platform":"Amazon",)M"
               R"M("datasets":["inventory","orders","traffic"],"record_schema_version":1,"settings":[)M"
               R"M({"name":"base_url","type":"url","default":"https://sellingpartnerapi-eu.amazon.com","description":"SP-API endpoint (EU)"},)M"
               R"M({"name":"token_url","type":"url","default":"https://api.amazon.com/auth/o2/token","description":"Login with Amazon token endpoint"},)M"
               R"M({"name":"client_id","type":"string","required":true,"description":"LWA client identifier of the app"},)M"
               R"M({"name":"client_secret","type":"string","secret":true,"required":true,"description":"LWA client secret of the app"},)M"
               R"M({"name":"refresh_token","type":"string","secret":true,"description":"The seller's LWA refresh token (Atzr|...); stored by `pcgd shop connect` when the seller authorises the app"},)M"
               R"M({"name":"marketplace_id","type":"string","description":"Marketplace of the shop; by default the one of its country"},)M"
               R"M({"name":"page_size","type":"integer","default":100,"description":"Orders per page, 1 to 100"},)M"
               R"M({"name":"history_days","type":"integer","default":730,"description":"How far back a first orders sync reads (Amazon keeps two years)"},)M"
               R"M({"name":"traffic_days","type":"integer","default":90,"description":"Days of traffic a first traffic sync reads"},)M"
               R"M({"name":"report_poll_ms","type":"integer","default":15000,"description":"Wait between two looks at a report being prepared"},)M"
               R"M({"name":"application_id","type":"string","description":"The SP-API application id (amzn1.sp.solution...), for `pcgd shop connect`"},)M"
               R"M({"name":"seller_central_url","type":"url","description":"Seller Central of the shop's marketplace, for the consent page; by default the one of its country"},)M"
               R"M({"name":"draft_app","type":"boolean","default":false,"description":"The SP-API app is still in draft: `pcgd shop connect` asks Amazon for a beta authorization (version=beta)"},)M"
               R"M({"name":"seller_id","type":"string","description":"The seller's merchant token, for the Listings Items API; by default the selling_partner_id stored by `pcgd shop connect`"}]})M";
    }

    AmazonPlugin(sdk::Host host, const json::Node& settings) : sdk::Plugin(std::move(host)) {
        const auto url = [&](const char* key, const char* fallback) {
            std::string u(settings.str_or(key, fallback));
            while (!u.empty() && u.back() == '/') u.pop_back();
            if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)
                throw sdk::Error(PCGD_ERR_CONFIG, std::string("settings.") + key + ": must start with https:// (or http:// for an emulator)");
            return u;
        };
        base_ = url("base_url", default_base_url);
        token_url_ = url("token_url", default_token_url);
        const auto required = [&](const char* key) {
            auto n = settings.find(key);
            if (!n || n->str().empty()) throw sdk::Error(PCGD_ERR_CONFIG, std::string("settings.") + key + ": required");
            return std::string(n->str());
        };
        client_id_ = required("client_id");
        client_secret_ = required("client_secret");
        if (auto t = settings.find("refresh_token")) refresh_token_ = std::string(t->str());
        if (refresh_token_.empty())
            throw sdk::Error(PCGD_ERR_CONFIG,
                             "settings.refresh_token: missing: connect the shop (`pcgd shop connect`) or give "
                             "--credential refresh_token=...");
        const auto shop = settings.at("shop");
        if (auto id = settings.find("marketplace_id"); id && !id->str().empty()) {
            market_ = marketplace_by_id(id->str());
            if (!market_) throw sdk::Error(PCGD_ERR_CONFIG, "settings.marketplace_id: '" + std::string(id->str()) + "' is not an EU marketplace");
        } else {
            const std::string country(shop.str_or("country", ""));
            market_ = marketplace_by_country(country);
            if (!market_)
                throw sdk::Error(PCGD_ERR_CONFIG, "shop.country: no EU Amazon marketplace for '" + country + "' (set marketplace_id)");
        }
        if (auto c = shop.find("currency"); c && c->str() != market_->currency)
            throw sdk::Error(PCGD_ERR_CONFIG, "shop.currency: " + std::string(c->str()) + ", but " + std::string(market_->name) + " sells in " +
                                                  std::string(market_->currency));
        currency_ = model::Currency::of(market_->currency);
        const auto integer = [&](const char* key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
            auto n = settings.find(key);
            if (!n) return fallback;
            const std::int64_t v = n->i64();
            if (v < lo || v > hi)
                throw sdk::Error(PCGD_ERR_CONFIG, std::string("settings.") + key + ": must be between " + std::to_string(lo) + " and " +
                                                      std::to_string(hi));
            return v;
        };
        page_size_ = integer("page_size", 100, 1, 100);
        history_days_ = integer("history_days", 730, 1, 730);
        traffic_days_ = integer("traffic_days", 90, 1, 730);
        report_poll_ms_ = static_cast<std::uint32_t>(integer("report_poll_ms", 15000, 0, 600000));
        if (auto id = settings.find("seller_id"); id && !id->str().empty())
            seller_id_ = std::string(id->str());
        else if (auto sp = settings.find("selling_partner_id"))
            seller_id_ = std::string(sp->str());
    }

    void begin(const sdk::Job& job) override {
        dataset_ = job.dataset;
        now_ms_ = job.now_ms;
        done_ = false;
        wait_ms_ = 0;
        held_.clear();
        fetch_.clear();
        fee_ids_.clear();
        seen_orders_.clear();
        next_token_.reset();
        max_seen_.reset();
        report_failures_ = download_refusals_ = 0;
        fba_.clear();
        reset_report_stream();
        // The SKU map outlives a restart of the same job (begin with the last
        // checkpoint), not a new sync: a restart must not read the listings again.
        if (sku_map_built_ms_ != job.now_ms) sku_by_asin_.clear(), sku_map_built_ms_ = -1;
        const bool resume = !job.full && !job.cursor.empty();
        Cursor previous;
        if (resume) previous = Cursor::parse(job.cursor);
        switch (dataset_) {
        case sdk::Dataset::orders: begin_orders(resume, previous); break;
        case sdk::Dataset::inventory: begin_inventory(resume, previous); break;
        case sdk::Dataset::traffic: begin_traffic(resume, previous); break;
        }
    }

    sdk::Step next_step() override {
        if (done_) return sdk::Step::done();
        if (wait_ms_) {
            const auto ms = wait_ms_;
            wait_ms_ = 0;
            return sdk::Step::wait(ms);
        }
        if (phase_ != Phase::report_download && phase_ != Phase::token &&
            (access_token_.empty() || now_ms_ >= token_expires_ms_ - token_margin_ms)) {
            resume_phase_ = phase_;
            phase_ = Phase::token;
        }
        switch (phase_) {
        case Phase::token: return token_request();
        case Phase::orders_page: return orders_page_request();
        case Phase::order_events: return order_events_request();
        case Phase::fees_page: return fees_page_request();
        case Phase::fees_order: return get_order_request();
        case Phase::fba_page: return fba_request();
        case Phase::report_create: return report_create_request();
        case Phase::report_poll: return api(sdk::Method::get, "/reports/2021-06-30/reports/" + sdk::url_encode(*cursor_.report_id), op::get_report);
        case Phase::report_document:
            return api(sdk::Method::get, "/reports/2021-06-30/documents/" + sdk::url_encode(document_id_), op::get_report_document);
        case Phase::listings_page: return listings_request();
        case Phase::report_download: {
            reset_report_stream();
            sdk::Request r;
            r.url = document_url_;  // pre-signed: no SP-API headers
            r.stream_body = true;
            return sdk::Step::send(std::move(r));
        }
        }
        return sdk::Step::done();
    }

    void on_response(const sdk::Response& response, sdk::Result& out) override {
        if (phase_ == Phase::token) return on_token(response);
        if (phase_ == Phase::report_download) return on_download_chunk(response, out);
        const int status = response.status();
        if (status == 403) {
            std::string code;
            const std::string text = errors_text(response.body(), &code);
            // An expired (or revoked) access token: a new token, then the same
            // request. Refused again and again with fresh tokens, it is the
            // account's fault (a role missing): say so.
            if (refusals_in_a_row_ < max_token_refusals && (code == "Unauthorized" || code.empty())) {
                ++refusals_in_a_row_;
                access_token_.clear();
                host().log(sdk::LogLevel::info, "amazon: access token refused (" + text + "), getting a new one");
                return;
            }
            throw sdk::Error(PCGD_ERR_AUTH, "Amazon denied access: " + text);
        }
        if (status == 200 || status == 202) refusals_in_a_row_ = 0;
        if (auto milli = rate_limit_milli_per_s(response)) {
            out.budget_restore_milli_per_s = *milli;
            learned_rate_milli_[asked_bucket_] = *milli;
        }
        if ((status == 400 || status == 404) && phase_ == Phase::listings_page) {
            // The report's data of these SKUs stands: they are emitted as it gives them.
            host().log(sdk::LogLevel::warn, "amazon: searchListingsItems refused SKUs " +
                                                batch_.front().substr(batch_.front().find('\t') + 1) + " to " +
                                                batch_.back().substr(batch_.back().find('\t') + 1) + " (HTTP " +
                                                std::to_string(status) + ": " + errors_text(response.body()) +
                                                "); their listings are kept as the report gives them");
            return complete_listings_batch(out);
        }
        if (status == 404 && phase_ == Phase::fees_order) {
            host().log(sdk::LogLevel::warn, "amazon: order " + fee_ids_.front() + " of a financial event was not found; skipped");
            fee_ids_.pop_front();
            return after_fee_order(out);
        }
        if (status != 200 && status != 202)
            throw sdk::bad_response("amazon: HTTP " + std::to_string(status) + " for " + operation() + ": " + errors_text(response.body()));
        try {
            switch (phase_) {
            case Phase::orders_page: on_orders_page(response.body(), out); break;
            case Phase::order_events:
            case Phase::fees_order: on_order_detail(response.body(), out); break;
            case Phase::fees_page: on_fees_page(response.body(), out); break;
            case Phase::fba_page: on_fba_page(response.body()); break;
            case Phase::report_create: on_report_created(response.body(), out); break;
            case Phase::report_poll: on_report_status(response.body(), out); break;
            case Phase::report_document: on_report_document(response.body()); break;
            case Phase::listings_page: on_listings_page(response.body(), out); break;
            case Phase::token:
            case Phase::report_download: break;
            }
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(std::string("amazon: ") + e.what());
        }
    }

private:
    std::string operation() const {
        switch (phase_) {
        case Phase::token: return "the LWA token";
        case Phase::orders_page: return "searchOrders";
        case Phase::order_events: return "listFinancialEventsByOrderId " + fetch_.front().order_id;
        case Phase::fees_page: return "listFinancialEvents";
        case Phase::fees_order: return "getOrder " + fee_ids_.front();
        case Phase::fba_page: return "getInventorySummaries";
        case Phase::report_create: return "createReport";
        case Phase::report_poll: return "getReport";
        case Phase::report_document: return "getReportDocument";
        case Phase::report_download: return "the report download";
        case Phase::listings_page: return "searchListingsItems";
        }
        return "?";
    }

    // ------------------------------------------------------------- requests

    sdk::Step api(sdk::Method method, const std::string& path_and_query, const Operation& o, std::string body = {}) {
        sdk::Request r;
        r.method = method;
        r.url = base_ + path_and_query;
        r.header("x-amz-access-token", access_token_).header("Accept", "application/json");
        if (!body.empty()) r.header("Content-Type", "application/json");
        r.body = std::move(body);
        draw_on(r, o);
        // The rate Amazon says it applies to this seller (often above the default) wins.
        if (auto learned = learned_rate_milli_.find(o.bucket); learned != learned_rate_milli_.end())
            r.rate_bucket_restore_milli_per_s = learned->second;
        asked_bucket_ = o.bucket;
        return sdk::Step::send(std::move(r));
    }

    sdk::Step token_request() {
        sdk::Request r;
        r.method = sdk::Method::post;
        r.url = token_url_;
        r.header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        r.body = "grant_type=refresh_token&refresh_token=" + sdk::url_encode(refresh_token_) + "&client_id=" + sdk::url_encode(client_id_) +
                 "&client_secret=" + sdk::url_encode(client_secret_);
        return sdk::Step::send(std::move(r));
    }

    void on_token(const sdk::Response& response) {
        rapidjson::Document doc;
        doc.Parse(response.body().data(), response.body().size());
        const bool object = !doc.HasParseError() && doc.IsObject();
        if (response.status() != 200) {
            std::string what = std::string(response.body().substr(0, 200));
            if (object && doc.HasMember("error") && doc["error"].IsString()) {
                what = doc["error"].GetString();
                if (doc.HasMember("error_description") && doc["error_description"].IsString())
                    what += std::string(": ") + doc["error_description"].GetString();
            }
            if (response.status() == 400 || response.status() == 401)
                throw sdk::Error(PCGD_ERR_AUTH, "Login with Amazon refused the credentials: " + what);
            throw sdk::bad_response("amazon: HTTP " + std::to_string(response.status()) + " from the LWA token endpoint: " + what);
        }
        try {
            json::parse(doc, response.body(), "LWA token response");
            const json::Node n(doc, "token");
            access_token_ = std::string(n.at("access_token").str());
            token_expires_ms_ = now_ms_ + n.at("expires_in").i64() * 1000;
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(std::string("amazon: ") + e.what());
        }
        // A job outlives its clock: a token expiring within it is renewed on Amazon's 403.
        if (token_expires_ms_ - token_margin_ms <= now_ms_) token_expires_ms_ = now_ms_ + token_margin_ms + 1;
        phase_ = resume_phase_;
    }

    // ------------------------------------------------------------- orders

    struct Fetch {
        std::size_t held = 0;  // index in held_
        std::string order_id;
        std::optional<std::string> next;  // NextToken of its events
    };

    void begin_orders(bool resume, const Cursor& previous) {
        if (resume && previous.stage != "orders" && previous.stage != "fees")
            throw sdk::Error(PCGD_ERR_INVALID_ARGUMENT, "cursor: belongs to another dataset");
        cursor_ = resume ? previous : Cursor{};
        if (!resume) {
            cursor_.stage = "orders";
            cursor_.since = now_ms_ - history_days_ * day_ms;
            phase_ = Phase::orders_page;
            return;
        }
        if (cursor_.stage == "fees") {
            phase_ = Phase::fees_page;
            return;
        }
        phase_ = Phase::orders_page;
        if (cursor_.token) return;  // an interrupted pass carries on
        cursor_.since = cursor_.high_water ? *cursor_.high_water - look_back_ms : now_ms_ - history_days_ * day_ms;
        cursor_.cutoff.reset();
    }

    sdk::Step orders_page_request() {
        // No lastUpdatedBefore: Amazon's own cut-off (two minutes before its
        // clock) is the only one that is never too recent; it comes back in
        // the answer.
        std::string q = "/orders/2026-01-01/orders?lastUpdatedAfter=" + sdk::url_encode(iso(*cursor_.since)) +
                        "&marketplaceIds=" + std::string(market_->id) + "&maxResultsPerPage=" + std::to_string(page_size_) +
                        "&includedData=" + sdk::url_encode("PROCEEDS,FULFILLMENT");
        if (cursor_.token) q += "&paginationToken=" + sdk::url_encode(*cursor_.token);
        return api(sdk::Method::get, q, op::search_orders);
    }

    void on_orders_page(std::string_view body, sdk::Result& out) {
        rapidjson::Document doc;
        json::parse(doc, body, "searchOrders response");
        const json::Node root(doc);
        if (!cursor_.cutoff) cursor_.cutoff = sdk::opt_instant(root, "lastUpdatedBefore");
        held_.clear();
        fetch_.clear();
        root.at("orders").for_each([&](const json::Node& n) {
            OrderParts parts = order_of(n, *market_);
            if (parts.shipped) fetch_.push_back(Fetch{held_.size(), parts.order.id, std::nullopt});
            if (!max_seen_ || *max_seen_ < *parts.order.updated_at) max_seen_ = parts.order.updated_at;
            held_.push_back(std::move(parts));
        });
        next_token_.reset();
        if (auto p = root.find("pagination"))
            if (auto t = p->find("nextToken")) next_token_ = std::string(t->str());
        if (!fetch_.empty()) {
            phase_ = Phase::order_events;
            return;
        }
        complete_orders_page(out);
    }

    sdk::Step order_events_request() {
        const Fetch& f = fetch_.front();
        std::string q = "/finances/v0/orders/" + sdk::url_encode(f.order_id) + "/financialEvents?MaxResultsPerPage=100";
        if (f.next) q += "&NextToken=" + sdk::url_encode(*f.next);
        return api(sdk::Method::get, q, op::order_financial_events);
    }

    sdk::Step get_order_request() {
        return api(sdk::Method::get,
                   "/orders/2026-01-01/orders/" + sdk::url_encode(fee_ids_.front()) + "?includedData=" + sdk::url_encode("PROCEEDS,FULFILLMENT"),
                   op::get_order);
    }

    /// The financial events of a held order (order_events), or the order
    /// itself read again for a late event (fees_order).
    void on_order_detail(std::string_view body, sdk::Result& out) {
        if (phase_ == Phase::fees_order) {
            rapidjson::Document doc;
            json::parse(doc, body, "getOrder response");
            const json::Node root(doc);
            held_.clear();
            held_.push_back(order_of(root.at("order"), *market_));
            fetch_.push_back(Fetch{0, held_.back().order.id, std::nullopt});
            phase_ = Phase::order_events;
            return;
        }
        rapidjson::Document doc;
        parse_exact(doc, body, "listFinancialEventsByOrderId response");
        const json::Node root(doc, "$");
        const auto payload = root.at("payload");
        Fetch& f = fetch_.front();
        if (auto events = payload.find("FinancialEvents")) apply_financial_events(*events, *market_, held_[f.held]);
        if (auto next = payload.find("NextToken")) {
            f.next = std::string(next->str());
            return;
        }
        fetch_.pop_front();
        if (!fetch_.empty()) return;
        if (!fee_ids_.empty()) {
            emit_held();
            fee_ids_.pop_front();
            return after_fee_order(out);
        }
        complete_orders_page(out);
    }

    void emit_held() {
        for (const auto& parts : held_) {
            seen_orders_.insert(parts.order.id);
            host().emit(parts.order);
            for (const auto& r : parts.refunds) host().emit(r);
        }
        held_.clear();
    }

    void complete_orders_page(sdk::Result& out) {
        emit_held();
        phase_ = Phase::orders_page;
        cursor_.token = next_token_;
        if (!next_token_) {
            // The pass is complete up to Amazon's cut-off.
            cursor_.high_water = cursor_.cutoff ? cursor_.cutoff : max_seen_ ? max_seen_ : cursor_.since;
            cursor_.cutoff.reset();
            if (cursor_.fees_since) {
                cursor_.stage = "fees";
                cursor_.fees_token.reset();
                phase_ = Phase::fees_page;
            } else {
                // After a first pass every order's events were just read.
                cursor_.fees_since = cursor_.high_water;
                done_ = true;
            }
        }
        out.commit(cursor_.to_json());
    }

    sdk::Step fees_page_request() {
        std::string q = "/finances/v0/financialEvents?PostedAfter=" + sdk::url_encode(iso(*cursor_.fees_since - look_back_ms)) +
                        "&MaxResultsPerPage=100";
        if (cursor_.fees_token) q += "&NextToken=" + sdk::url_encode(*cursor_.fees_token);
        return api(sdk::Method::get, q, op::financial_events);
    }

    void on_fees_page(std::string_view body, sdk::Result& out) {
        rapidjson::Document doc;
        parse_exact(doc, body, "listFinancialEvents response");
        const json::Node root(doc, "$");
        const auto payload = root.at("payload");
        std::set<std::string> queued;
        const auto collect = [&](const char* list) {
            auto events = payload.find("FinancialEvents");
            if (!events) return;
            if (auto l = events->find(list))
                l->for_each([&](const json::Node& e) {
                    auto id = e.find("AmazonOrderId");
                    if (!id) return;
                    if (auto name = e.find("MarketplaceName"); name && name->str() != market_->name) return;
                    const std::string order_id(id->str());
                    if (seen_orders_.count(order_id) || !queued.insert(order_id).second) return;
                    fee_ids_.push_back(order_id);
                });
        };
        collect("ShipmentEventList");
        collect("RefundEventList");
        next_token_.reset();
        if (auto t = payload.find("NextToken")) next_token_ = std::string(t->str());
        if (!fee_ids_.empty()) {
            phase_ = Phase::fees_order;
            return;
        }
        complete_fees_page(out);
    }

    void after_fee_order(sdk::Result& out) {
        if (!fee_ids_.empty()) {
            phase_ = Phase::fees_order;
            return;
        }
        complete_fees_page(out);
    }

    void complete_fees_page(sdk::Result& out) {
        phase_ = Phase::fees_page;
        cursor_.fees_token = next_token_;
        if (!next_token_) {
            cursor_.stage = "orders";
            cursor_.fees_since = cursor_.high_water;
            done_ = true;
        }
        out.commit(cursor_.to_json());
    }

    // ------------------------------------------------------------- inventory

    void begin_inventory(bool resume, const Cursor& previous) {
        if (resume && previous.stage != "inventory") throw sdk::Error(PCGD_ERR_INVALID_ARGUMENT, "cursor: belongs to another dataset");
        cursor_ = resume ? previous : Cursor{};
        cursor_.stage = "inventory";
        report_kind_ = ReportKind::listings;
        products_.clear();
        variants_.clear();
        snapshot_.clear();
        batch_.clear();
        listings_token_.reset();
        unrequestable_ = 0;
        fba_token_.reset();
        // Killed while enriching: the same report is read again, silently (its
        // records up to `enrich` are stored), and the enrichment carries on.
        rebuilding_ = cursor_.enrich.has_value() && cursor_.report_id.has_value();
        if (cursor_.enrich && !cursor_.report_id) cursor_.enrich.reset();
        phase_ = Phase::fba_page;  // FBA stock first: the report's FBA rows need it
    }

    sdk::Step fba_request() {
        std::string q = "/fba/inventory/v1/summaries?details=true&granularityType=Marketplace&granularityId=" + std::string(market_->id) +
                        "&marketplaceIds=" + std::string(market_->id);
        if (fba_token_) q += "&nextToken=" + sdk::url_encode(*fba_token_);
        return api(sdk::Method::get, q, op::inventory_summaries);
    }

    void on_fba_page(std::string_view body) {
        rapidjson::Document doc;
        json::parse(doc, body, "getInventorySummaries response");
        const json::Node root(doc);
        root.at("payload").at("inventorySummaries").for_each([&](const json::Node& s) {
            auto sku = s.find("sellerSku");
            if (!sku) return;
            std::int64_t fulfillable = 0;
            if (auto d = s.find("inventoryDetails"); d && d->find("fulfillableQuantity")) fulfillable = d->at("fulfillableQuantity").i64();
            else fulfillable = s.at("totalQuantity").i64();
            fba_[std::string(sku->str())] += fulfillable;
        });
        fba_token_.reset();
        if (auto p = root.find("pagination"))
            if (auto t = p->find("nextToken"); t && !t->str().empty()) fba_token_ = std::string(t->str());
        if (fba_token_) return;
        phase_ = cursor_.report_id ? Phase::report_poll : Phase::report_create;
    }

    // ------------------------------------------------------------- traffic

    void begin_traffic(bool resume, const Cursor& previous) {
        if (resume && previous.stage != "traffic") throw sdk::Error(PCGD_ERR_INVALID_ARGUMENT, "cursor: belongs to another dataset");
        cursor_ = resume ? previous : Cursor{};
        cursor_.stage = "traffic";
        // The last whole day (UTC dates; the re-read window covers the marketplace's offset).
        end_day_ = model::floor_div(now_ms_, day_ms) - 1;
        const std::int64_t first = end_day_ - traffic_days_ + 1;
        if (!cursor_.day) {
            cursor_.day = cursor_.last_day ? std::max(first, *cursor_.last_day - traffic_reread_days + 1) : first;
            cursor_.report_id.reset();
        }
        if (*cursor_.day > end_day_) {
            done_ = true;
            return;
        }
        if (sku_map_built_ms_ == now_ms_) {
            report_kind_ = ReportKind::traffic_day;
            phase_ = cursor_.report_id ? Phase::report_poll : Phase::report_create;
            return;
        }
        // The day's report in progress is read once the SKU map is built.
        day_report_id_ = cursor_.report_id;
        cursor_.report_id.reset();
        report_kind_ = ReportKind::sku_map;
        phase_ = Phase::report_create;
    }

    // ------------------------------------------------------------- reports

    sdk::Step report_create_request() {
        json::Writer w;
        w.begin_object();
        if (report_kind_ == ReportKind::traffic_day) {
            const std::string day = model::format_date(*cursor_.day);
            w.field("reportType", "GET_SALES_AND_TRAFFIC_REPORT");
            w.key("reportOptions").begin_object().field("dateGranularity", "DAY").field("asinGranularity", "CHILD").end_object();
            w.field("dataStartTime", day + "T00:00:00Z").field("dataEndTime", day + "T23:59:59Z");
        } else {
            w.field("reportType", "GET_MERCHANT_LISTINGS_ALL_DATA");
            w.key("reportOptions").begin_object().field("preferredReportDocumentLocale", "en_US").end_object();
        }
        w.key("marketplaceIds").begin_array().value(market_->id).end_array();
        w.end_object();
        return api(sdk::Method::post, "/reports/2021-06-30/reports", op::create_report, std::string(w.view()));
    }

    void on_report_created(std::string_view body, sdk::Result& out) {
        rapidjson::Document doc;
        json::parse(doc, body, "createReport response");
        cursor_.report_id = std::string(json::Node(doc).at("reportId").str());
        phase_ = Phase::report_poll;
        // Known from now on: a restart looks at this report rather than asking for another.
        if (report_kind_ != ReportKind::sku_map) out.commit(cursor_.to_json());
    }

    void on_report_status(std::string_view body, sdk::Result& out) {
        rapidjson::Document doc;
        json::parse(doc, body, "getReport response");
        const json::Node n(doc);
        const auto status_node = n.at("processingStatus");
        const std::string status = lower_enum(status_node, {"IN_QUEUE", "IN_PROGRESS", "DONE", "CANCELLED", "FATAL"});
        if (status == "in_queue" || status == "in_progress") {
            wait_ms_ = report_poll_ms_;
            return;
        }
        if (status == "done") {
            document_id_ = std::string(n.at("reportDocumentId").str());
            download_refusals_ = 0;
            phase_ = Phase::report_document;
            return;
        }
        if (status == "cancelled") {
            // Amazon's "no data": an empty report. A listings snapshot is kept as it was.
            host().log(sdk::LogLevel::info, "amazon: report " + *cursor_.report_id + " was CANCELLED (no data)");
            return finish_report(out, false);
        }
        if (++report_failures_ > max_report_failures)
            throw sdk::bad_response("amazon: report " + *cursor_.report_id + " ended FATAL " + std::to_string(report_failures_) + " times");
        host().log(sdk::LogLevel::warn, "amazon: report " + *cursor_.report_id + " ended FATAL; requesting another");
        cursor_.report_id.reset();
        if (rebuilding_) {
            // Another report: the listings are read and enriched again from the start.
            rebuilding_ = false;
            cursor_.enrich.reset();
        }
        phase_ = Phase::report_create;
        if (report_kind_ != ReportKind::sku_map) out.commit(cursor_.to_json());
    }

    void on_report_document(std::string_view body) {
        rapidjson::Document doc;
        json::parse(doc, body, "getReportDocument response");
        const json::Node n(doc);
        document_url_ = std::string(n.at("url").str());
        gzip_ = false;
        if (auto c = n.find("compressionAlgorithm")) {
            if (c->str() != "GZIP") c->fail("unknown compression '" + std::string(c->str()) + "'");
            gzip_ = true;
        }
        phase_ = Phase::report_download;
    }

    void reset_report_stream() {
        inflater_.reset();
        lines_.reset();
        text_.clear();
        inflated_.clear();
        columns_ = Columns{};
        header_read_ = false;
        line_no_ = 0;
        document_.clear();
    }

    void on_download_chunk(const sdk::Response& response, sdk::Result& out) {
        if (response.status() == 403 || response.status() == 400) {
            // A pre-signed URL lives five minutes: ask for the document again.
            if (++download_refusals_ > max_download_refusals)
                throw sdk::bad_response("amazon: the report document download was refused " + std::to_string(download_refusals_) + " times");
            phase_ = Phase::report_document;
            return;
        }
        if (response.status() != 200)
            throw sdk::bad_response("amazon: HTTP " + std::to_string(response.status()) + " for the report document download");
        if (response.body_offset() == 0) utf8_ = is_utf8_charset(response.header("Content-Type"));
        std::string_view bytes = response.body();
        if (gzip_) {
            inflated_.clear();
            inflater_.feed(bytes, inflated_);
            bytes = inflated_;
        }
        if (report_kind_ == ReportKind::traffic_day) {
            document_.append(bytes);  // one day of one marketplace: small
        } else {
            text_.clear();
            if (utf8_) text_.assign(bytes);
            else cp1252_to_utf8(bytes, text_);
            lines_.feed(text_, [&](std::string_view line) { on_listing_line(line); });
        }
        if (!response.final_chunk()) return;
        if (gzip_ && !inflater_.finished()) throw sdk::bad_response("amazon: the report document ends before its gzip stream does");
        if (report_kind_ == ReportKind::traffic_day) {
            on_traffic_document();
        } else {
            lines_.finish([&](std::string_view line) { on_listing_line(line); });
            if (!header_read_) throw sdk::bad_response("amazon: the listings report is empty (no header line)");
        }
        finish_report(out, true);
    }

    void on_listing_line(std::string_view line) {
        ++line_no_;
        if (!header_read_) {
            columns_.read_header(line);
            if (!columns_.has("seller-sku"))
                throw sdk::bad_response("amazon: the listings report has no seller-sku column (headers not in en_US?): '" +
                                        std::string(line.substr(0, 120)) + "'");
            header_read_ = true;
            return;
        }
        if (line.empty()) return;
        const ListingRow row = listing_row(line, line_no_, columns_, fields_, currency_);
        const std::string asin = row.asin.empty() ? row.sku : row.asin;
        if (report_kind_ == ReportKind::sku_map) {
            // An ASIN sold under several SKUs: its views go to the first in order.
            auto it = sku_by_asin_.find(asin);
            if (it == sku_by_asin_.end() || row.sku < it->second) sku_by_asin_[asin] = row.sku;
            return;
        }
        model::Variant v;
        v.id = row.sku;
        v.product_id = asin;
        v.sku = row.sku;
        v.barcode = row.barcode;
        v.title = row.title;
        v.price = row.price;
        v.active = row.active();
        v.marketplace = std::string(market_->id);
        if (row.fba()) {
            if (auto it = fba_.find(row.sku); it != fba_.end()) {
                v.stock.push_back(model::StockLevel{"AFN", it->second});
                v.stock_total = it->second;
            }
        } else if (row.quantity) {
            v.stock.push_back(model::StockLevel{"DEFAULT", *row.quantity});
            v.stock_total = *row.quantity;
        }
        snapshot_.insert(asin + '\t' + row.sku);
        variants_[row.sku] = std::move(v);
        auto [it, fresh] = products_.try_emplace(asin);
        model::Product& p = it->second;
        if (fresh) {
            p.id = asin;
            p.title = row.title;
            p.description_html = row.description;
            p.description = sdk::html_to_text(row.description);
            p.marketplace = std::string(market_->id);
            p.active = false;
        }
        p.active = p.active || row.active();
        if (!row.image_url.empty() && std::none_of(p.images.begin(), p.images.end(), [&](const model::Image& im) { return im.url == row.image_url; }))
            p.images.push_back(model::Image{row.image_url, std::nullopt, std::nullopt});
        if (row.opened_at && (!p.created_at || *p.created_at > *row.opened_at)) p.created_at = row.opened_at;
    }

    void on_traffic_document() {
        rapidjson::Document doc;
        parse_exact(doc, document_, "GET_SALES_AND_TRAFFIC_REPORT document");
        try {
            const json::Node root(doc, "$");
            root.at("salesAndTrafficByAsin").for_each([&](const json::Node& row) {
                const auto child = row.find("childAsin");
                const std::string asin(child ? child->str() : row.at("parentAsin").str());
                const auto traffic = row.at("trafficByAsin");
                model::TrafficSample t;
                t.listing_id = asin;
                auto sku = sku_by_asin_.find(asin);
                if (sku != sku_by_asin_.end()) t.sku = sku->second;
                t.day = *cursor_.day;
                t.views = traffic.at("pageViews").i64_lenient();
                t.sessions = traffic.at("sessions").i64_lenient();
                t.marketplace = std::string(market_->id);
                host().emit(t);
            });
        } catch (const json::ParseError& e) {
            throw sdk::bad_response(std::string("amazon: ") + e.what());
        }
    }

    /// A report read to its end (or CANCELLED, `complete` false).
    void finish_report(sdk::Result& out, bool complete) {
        report_failures_ = 0;
        switch (report_kind_) {
        case ReportKind::listings: {
            // A complete report's id stays in the cursor while its listings
            // are enriched, so that a restart reads the same report again.
            if (!complete) {
                // Amazon's "no data": the snapshot is kept as it was.
                cursor_.report_id.reset();
                cursor_.enrich.reset();
                done_ = true;
                out.commit(cursor_.to_json());
                return;
            }
            if (rebuilding_) {
                rebuilding_ = false;
                return next_listings_batch(out);
            }
            std::string known;
            for (const auto& entry : snapshot_) known += entry + '\n';
            emit_deletions();
            cursor_.known = std::move(known);
            // Nothing of the report is emitted yet: its records go out batch by
            // batch, with what the Listings Items API adds to them.
            if (seller_id_.empty())
                host().log(sdk::LogLevel::warn,
                           "amazon: no seller_id (nor selling_partner_id from `pcgd shop connect`): listings are not enriched with the "
                           "Listings Items API (images with sizes, GTINs, bullet points)");
            cursor_.enrich = std::string();
            return next_listings_batch(out);
        }
        case ReportKind::sku_map:
            sku_map_built_ms_ = now_ms_;
            report_kind_ = ReportKind::traffic_day;
            cursor_.report_id = day_report_id_;
            day_report_id_.reset();
            phase_ = cursor_.report_id ? Phase::report_poll : Phase::report_create;
            return;
        case ReportKind::traffic_day:
            cursor_.report_id.reset();
            if (*cursor_.day >= end_day_) {
                cursor_.last_day = end_day_;
                cursor_.day.reset();
                done_ = true;
            } else {
                ++*cursor_.day;
                phase_ = Phase::report_create;
            }
            out.commit(cursor_.to_json());
            return;
        }
    }

    // ------------------------------------------------------------- listings items

    /// SKUs that can go in searchListingsItems' comma-separated identifiers.
    bool requestable(std::string_view entry) const {
        return !seller_id_.empty() && entry.find(',') == std::string_view::npos;
    }

    static std::string_view sku_of(std::string_view entry) { return entry.substr(entry.find('\t') + 1); }
    static std::string_view asin_of(std::string_view entry) { return entry.substr(0, entry.find('\t')); }

    /// The next SKUs after cursor_.enrich (in "ASIN\tSKU" order, so an ASIN's
    /// SKUs are together): up to 20 to ask for, with those that cannot be
    /// asked for in between. Batches with nothing to ask for are emitted at
    /// once; at the end the inventory is done.
    void next_listings_batch(sdk::Result& out) {
        for (;;) {
            batch_.clear();
            listings_token_.reset();
            std::size_t asked = 0;
            for (auto it = snapshot_.upper_bound(*cursor_.enrich); it != snapshot_.end() && asked < listings_batch;
                 ++it) {
                batch_.push_back(*it);
                if (requestable(*it))
                    ++asked;
                else if (!seller_id_.empty())
                    ++unrequestable_;
            }
            if (batch_.empty()) {
                if (unrequestable_)
                    host().log(sdk::LogLevel::warn, "amazon: " + std::to_string(unrequestable_) +
                                                        " SKUs with a comma cannot be looked up with "
                                                        "searchListingsItems; kept as the report gives them");
                cursor_.enrich.reset();
                cursor_.report_id.reset();
                done_ = true;
                out.commit(cursor_.to_json());
                return;
            }
            if (asked) {
                phase_ = Phase::listings_page;
                out.commit(cursor_.to_json());
                return;
            }
            emit_listings_batch();
        }
    }

    sdk::Step listings_request() {
        std::string identifiers;
        for (const auto& entry : batch_)
            if (requestable(entry)) identifiers += (identifiers.empty() ? "" : ",") + std::string(sku_of(entry));
        std::string q = "/listings/2021-08-01/items/" + sdk::url_encode(seller_id_) +
                        "?marketplaceIds=" + std::string(market_->id) +
                        "&includedData=" + sdk::url_encode("summaries,attributes") +
                        "&identifiersType=SKU&identifiers=" + sdk::url_encode(identifiers) +
                        "&pageSize=" + std::to_string(listings_batch);
        if (listings_token_) q += "&pageToken=" + sdk::url_encode(*listings_token_);
        return api(sdk::Method::get, q, op::search_listings_items);
    }

    void on_listings_page(std::string_view body, sdk::Result& out) {
        rapidjson::Document doc;
        json::parse(doc, body, "searchListingsItems response");
        const json::Node root(doc);
        std::map<std::string, std::string, std::less<>> asin_by_sku;
        for (const auto& entry : batch_) asin_by_sku.emplace(sku_of(entry), asin_of(entry));
        root.at("items").for_each([&](const json::Node& item) {
            const auto found = asin_by_sku.find(item.at("sku").str());
            if (found == asin_by_sku.end()) return;  // not asked for
            const ListingDetails details = listing_details(item, market_->id);
            apply_listing_details(details, variants_.at(found->first), products_.at(found->second));
        });
        // With 20 identifiers and pageSize 20 there is one page; a nextToken is
        // followed all the same, unless it is the one just sent (no loop).
        std::optional<std::string> next;
        if (auto p = root.find("pagination"))
            if (auto t = p->find("nextToken"); t && !t->str().empty() && t->str() != listings_token_.value_or(""))
                next = std::string(t->str());
        listings_token_ = std::move(next);
        if (listings_token_) return;
        complete_listings_batch(out);
    }

    void complete_listings_batch(sdk::Result& out) {
        emit_listings_batch();
        next_listings_batch(out);
    }

    /// The batch's variants, and the products whose SKUs are all read (an
    /// ASIN with more SKUs than a batch holds goes out with its last batch).
    void emit_listings_batch() {
        const std::string last_asin(asin_of(batch_.back()));
        auto after = snapshot_.upper_bound(batch_.back());
        const bool last_asin_continues = after != snapshot_.end() && asin_of(*after) == last_asin;
        std::set<std::string> asins;
        for (const auto& entry : batch_) {
            host().emit(variants_.at(std::string(sku_of(entry))));
            asins.emplace(asin_of(entry));
        }
        for (const auto& asin : asins)
            if (!(last_asin_continues && asin == last_asin)) host().emit(products_.at(asin));
        cursor_.enrich = batch_.back();
        batch_.clear();
    }

    /// Listings of the last snapshot that are gone: a SKU, or a whole ASIN.
    void emit_deletions() {
        std::set<std::string> asins_now;
        for (const auto& entry : snapshot_) asins_now.insert(entry.substr(0, entry.find('\t')));
        std::size_t start = 0;
        std::set<std::string> deleted_asins;
        while (start < cursor_.known.size()) {
            const auto end = cursor_.known.find('\n', start);
            const std::string entry = cursor_.known.substr(start, end - start);
            start = end == std::string::npos ? cursor_.known.size() : end + 1;
            if (entry.empty() || snapshot_.count(entry)) continue;
            const std::string asin = entry.substr(0, entry.find('\t'));
            if (!asins_now.count(asin)) {
                if (deleted_asins.insert(asin).second) host().emit(model::Deletion{model::RecordKind::product, asin, std::nullopt});
            } else {
                host().emit(model::Deletion{model::RecordKind::variant, entry.substr(entry.find('\t') + 1), std::nullopt});
            }
        }
    }

    // Settings.
    std::string base_, token_url_, client_id_, client_secret_, refresh_token_, seller_id_;
    const Marketplace* market_ = nullptr;
    model::Currency currency_;
    std::int64_t page_size_ = 100, history_days_ = 730, traffic_days_ = 90;
    std::uint32_t report_poll_ms_ = 15000;
    // Across jobs: each operation's rate as x-amzn-RateLimit-Limit gave it.
    std::map<std::string, std::int64_t> learned_rate_milli_;
    std::string asked_bucket_;
    // Across jobs: the access token and when it expires.
    std::string access_token_;
    TimestampMs token_expires_ms_ = 0;
    // This job.
    sdk::Dataset dataset_ = sdk::Dataset::orders;
    TimestampMs now_ms_ = 0;
    Cursor cursor_;
    Phase phase_ = Phase::orders_page, resume_phase_ = Phase::orders_page;
    bool done_ = false;
    std::uint32_t wait_ms_ = 0;
    int refusals_in_a_row_ = 0;  // 403s since the last answer that was not one (across restarts)
    // Orders: the page held until its financial events are read.
    std::vector<OrderParts> held_;
    std::deque<Fetch> fetch_;
    std::optional<std::string> next_token_;
    std::optional<TimestampMs> max_seen_;
    std::deque<std::string> fee_ids_;      // orders of late financial events, to read again
    std::set<std::string> seen_orders_;    // emitted by this job
    // Inventory.
    std::map<std::string, std::int64_t> fba_;  // SKU -> fulfillable units
    std::optional<std::string> fba_token_;
    std::map<std::string, model::Product> products_;  // by ASIN, emitted with their last SKU's batch
    std::map<std::string, model::Variant> variants_;  // by SKU, emitted with their batch
    std::set<std::string> snapshot_;                  // "ASIN\tSKU"
    bool rebuilding_ = false;                         // reading the report again after a restart
    std::vector<std::string> batch_;                  // "ASIN\tSKU" of the searchListingsItems request
    std::optional<std::string> listings_token_;
    std::size_t unrequestable_ = 0;
    // Traffic.
    std::map<std::string, std::string> sku_by_asin_;
    TimestampMs sku_map_built_ms_ = -1;  // the job (its now_ms) that built it
    std::optional<std::string> day_report_id_;
    std::int64_t end_day_ = 0;
    // The report in progress.
    ReportKind report_kind_ = ReportKind::listings;
    int report_failures_ = 0, download_refusals_ = 0;
    std::string document_id_, document_url_;
    bool gzip_ = false, utf8_ = false;
    Inflater inflater_;
    LineSplitter lines_;
    std::string inflated_, text_, document_;
    Columns columns_;
    std::vector<std::string_view> fields_;
    bool header_read_ = false;
    std::size_t line_no_ = 0;
};

}  // namespace
}  // namespace pcgd::amazon

PCGD_DECLARE_PLUGIN(pcgd::amazon::AmazonPlugin)
