// The router, the role checks and the handlers, without a socket: a real
// SQLite store with three SMEs, two managers and tokens of every role.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <pcgd/sdk/json.hpp>
#include <set>

#include "server/api.hpp"
#include "server/auth.hpp"
#include "server/openapi.hpp"
#include "store/store.hpp"

using namespace pcgd::host;
using namespace pcgd::host::server;

namespace {

class Service : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/pcgd-service-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        store_ = open_sqlite_store(dir_ + "/pcgd.db");
        for (const char* id : {"sme-a", "sme-b", "sme-c"})
            store_->put_sme(Sme{id, std::string("SME ") + id, pcgd::model::Currency::of("GBP"), "en", 1});
        store_->put_manager(Manager{"alice", "Alice", "uk", 1});
        store_->put_manager(Manager{"bob", "Bob", "uk", 1});
        store_->put_coaching(Coaching{"sme-a", "GB", "alice", {}, 1, 0});
        // Alice is an expert on sme-c: that gives access too (Store::coached_smes).
        store_->put_coaching(Coaching{"sme-c", "GB", "bob", {"alice"}, 1, 0});
        store_->put_coaching(Coaching{"sme-b", "GB", "bob", {}, 1, 0});
        add_shop("shop-a1", "sme-a");
        add_shop("shop-b1", "sme-b");
        add_shop("shop-orphan", "");
        add_coaching_records();
        admin_ = token("admin", "");
        alice_ = token("manager", "alice");
        sme_a_ = token("sme", "sme-a");
        revoked_ = token("sme", "sme-a");
        store_->revoke_token(store_->list_tokens().back().id, 5);

        api_ = std::make_unique<Api>(Api{metrics_,
                                         [] { return std::string(); },
                                         [] {
                                             return std::int64_t{1793491200000}; /* 2026-11-01 */
                                         },
                                         {}});
        // The sync queue and scheduler, faked: what the handlers make of them.
        api_->request_sync = [this](const std::string& shop_id, const std::string& reason) {
            requested_.push_back(shop_id + "/" + reason);
            const auto it = queued_.find(shop_id);
            if (it != queued_.end()) return SyncTicket{it->second, true};
            const std::int64_t id = static_cast<std::int64_t>(queued_.size()) + 1;
            queued_[shop_id] = id;
            return SyncTicket{id, false};
        };
        api_->sync_job = [](std::int64_t id) -> std::optional<SyncJob> {
            const char* shops[] = {"shop-a1", "shop-b1", "shop-orphan"};
            if (id < 1 || id > 3) return std::nullopt;
            SyncJob job;
            job.id = id;
            job.shop_id = shops[id - 1];
            job.reason = "api";
            job.state = SyncJobState::succeeded;
            job.queued_at_ms = 1793491200000;
            job.started_at_ms = 1793491201000;
            job.finished_at_ms = 1793491202500;
            job.report.ok = true;
            DatasetReport d;
            d.dataset = pcgd::sdk::Dataset::orders;
            d.ok = true;
            d.records = 40;
            d.pages = 2;
            d.requests = 3;
            d.retries = 1;
            d.waited_ms = 250;
            d.stats.inserted = 38;
            d.stats.unchanged = 2;
            job.report.datasets.push_back(d);
            return job;
        };
        api_->shop_schedule = [](const std::string& shop_id) -> std::optional<ShopSchedule> {
            ShopSchedule s;
            s.shop_id = shop_id;
            s.phase = ShopSyncPhase::backing_off;
            s.next_run_at_ms = 1793494800000;
            s.last_success_at_ms = 1793484000000;
            s.consecutive_failures = 2;
            s.last_error = "orders: HTTP 500";
            return s;
        };
        api_->vault = std::make_shared<const Vault>(std::array<std::uint8_t, 32>{});
        router_ = std::make_unique<Router>();
        add_all_routes(*router_, *api_);
    }
    void TearDown() override {
        router_.reset();
        api_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    void add_shop(const std::string& id, const std::string& sme) {
        ShopRecord s;
        s.shop.id = id;
        s.shop.platform = "testshop";
        s.shop.country = "GB";
        s.shop.currency = pcgd::model::Currency::of("GBP");
        s.shop.time_zone = "UTC";
        s.base_url = "http://127.0.0.1:1";
        s.sme_id = sme;
        store_->put_shop(s);
    }

    // sme-a: an onboarding session (1) with an action (1), an obstacle, a
    // plan of 2026-09-01; sme-b: a session (2) with an action (2).
    void add_coaching_records() {
        Session onboarding;
        onboarding.sme_id = "sme-a";
        onboarding.kind = "onboarding";
        onboarding.held_at_ms = 1788220800000;  // 2026-09-01
        onboarding.manager_id = "alice";
        Action call;
        call.sme_id = "sme-a";
        call.title = "Call the photographer";
        call.owner_kind = "sme_staff";
        call.created_by = call.updated_by = "alice";
        store_->add_session(onboarding, {call});
        Session other = onboarding;
        other.sme_id = "sme-b";
        other.manager_id = "bob";
        Action other_action = call;
        other_action.sme_id = "sme-b";
        store_->add_session(other, {other_action});
        store_->add_obstacle(Obstacle{0, "sme-a", "data_skills", "No one reads the reports", 20697, "alice"});
        Plan plan;
        plan.sme_id = "sme-a";
        plan.plan_day = 20697;  // 2026-09-01
        plan.draft_json = "{}";
        plan.target_country = "FR";
        plan.created_by = plan.updated_by = "alice";
        store_->put_plan(plan, {});
    }

    std::string token(const std::string& role, const std::string& subject) {
        const std::string t = new_token();
        store_->add_token(ApiToken{0, token_hash(t), role, subject, "test", 1, std::nullopt});
        return t;
    }

    Response get(const std::string& target, const std::string& token, const std::string& method = "GET",
                 const std::string& body = "") {
        Request r;
        r.method = method;
        r.body = body;
        std::string error;
        EXPECT_TRUE(parse_target(target, r, error)) << error;
        if (!token.empty()) r.authorization = "Bearer " + token;
        return router_->handle(r, *store_, config_);
    }

    std::vector<std::int64_t> ids_of(const Response& r) {
        std::vector<std::int64_t> out;
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        for (const auto& e : d.GetArray()) out.push_back(e["id"].GetInt64());
        return out;
    }

    std::vector<std::string> ids(const Response& r) {
        std::vector<std::string> out;
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        for (const auto& e : d.GetArray()) out.push_back(e["id"].GetString());
        return out;
    }

    std::string dir_;
    std::unique_ptr<Store> store_;
    Config config_;
    Metrics metrics_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Router> router_;
    std::string admin_, alice_, sme_a_, revoked_;
    std::map<std::string, std::int64_t> queued_;
    std::vector<std::string> requested_;
};

// Every route, every role. Expected statuses: no token, admin, manager alice
// (coaches sme-a, expert on sme-c), SME sme-a.
struct MatrixRow {
    const char* target;
    unsigned none, admin, manager, sme;
    const char* method = "GET";
    const char* body = "";
};

const MatrixRow matrix[] = {
    {"/healthz", 200, 200, 200, 200},
    {"/readyz", 200, 200, 200, 200},
    {"/metrics", 401, 200, 403, 403},
    {"/api/openapi.json", 401, 200, 200, 200},
    {"/api/smes", 401, 200, 200, 200},
    {"/api/smes/sme-a", 401, 200, 200, 200},
    {"/api/smes/sme-b", 401, 200, 403, 404},
    {"/api/smes/sme-c", 401, 200, 200, 404},
    {"/api/smes/nobody", 401, 404, 404, 404},
    {"/api/smes/sme-a/shops", 401, 200, 200, 200},
    {"/api/smes/sme-b/shops", 401, 200, 403, 404},
    {"/api/smes/nobody/shops", 401, 404, 404, 404},
    {"/api/smes/sme-a/programme", 401, 200, 200, 200},
    {"/api/smes/sme-b/programme", 401, 200, 403, 404},
    {"/api/smes/nobody/programme", 401, 404, 404, 404},
    {"/api/smes/sme-a/sessions", 401, 200, 200, 200},
    {"/api/smes/sme-b/sessions", 401, 200, 403, 404},
    {"/api/smes/sme-a/sessions/1", 401, 200, 200, 200},
    {"/api/smes/sme-a/sessions/2", 401, 404, 404, 404},  // sme-b's session, asked through sme-a
    {"/api/smes/sme-b/sessions/2", 401, 200, 403, 404},
    {"/api/smes/sme-a/training", 401, 200, 200, 200},
    {"/api/smes/sme-b/training", 401, 200, 403, 404},
    {"/api/smes/sme-a/obstacles", 401, 200, 200, 200},
    {"/api/smes/sme-b/obstacles", 401, 200, 403, 404},
    {"/api/smes/sme-a/goals", 401, 200, 200, 200},
    {"/api/smes/sme-b/goals", 401, 200, 403, 404},
    {"/api/smes/sme-a/plan", 401, 200, 200, 200},
    {"/api/smes/sme-b/plan", 401, 404, 403, 404},
    {"/api/smes/sme-a/plan/review", 401, 200, 200, 200},
    {"/api/smes/sme-b/plan/review", 401, 404, 403, 404},
    {"/api/smes/sme-a/actions", 401, 200, 200, 200},
    {"/api/smes/sme-b/actions", 401, 200, 403, 404},
    {"/api/smes/sme-a/sessions", 401, 403, 201, 403, "POST", R"({"kind":"checkin"})"},
    {"/api/smes/sme-b/sessions", 401, 403, 403, 404, "POST", R"({"kind":"checkin"})"},
    {"/api/smes/sme-a/training/growth", 401, 403, 200, 403, "PUT", R"({"trained":false})"},
    {"/api/smes/sme-b/training/growth", 401, 403, 403, 404, "PUT", R"({"trained":false})"},
    {"/api/smes/sme-a/obstacles", 401, 403, 201, 403, "POST", R"({"kind":"external_shock","note":"Strike"})"},
    {"/api/smes/sme-b/obstacles", 401, 403, 403, 404, "POST", R"({"kind":"external_shock","note":"Strike"})"},
    {"/api/smes/sme-a/goals", 401, 403, 201, 403, "POST",
     R"({"metric":"monthly_sales","target":"2500.00","due":"2027-01-31"})"},
    {"/api/smes/sme-b/goals", 401, 403, 403, 404, "POST",
     R"({"metric":"monthly_sales","target":"2500.00","due":"2027-01-31"})"},
    {"/api/smes/sme-a/plan", 401, 403, 409, 403, "POST"},  // sme-a has its plan already
    {"/api/smes/sme-b/plan", 401, 403, 403, 404, "POST"},
    {"/api/smes/sme-a/plan", 401, 403, 200, 403, "PATCH", R"({"summary":"Amazon FR first"})"},
    {"/api/smes/sme-b/plan", 401, 403, 403, 404, "PATCH", R"({"summary":"Amazon FR first"})"},
    {"/api/smes/sme-a/actions", 401, 403, 201, 403, "POST", R"({"title":"Call","owner_kind":"sme_staff","plan":true})"},
    {"/api/smes/sme-b/actions", 401, 403, 403, 404, "POST", R"({"title":"Call","owner_kind":"sme_staff","plan":true})"},
    {"/api/smes/sme-a/actions/1", 401, 200, 200, 403, "PATCH", R"({"status":"in_progress"})"},
    {"/api/smes/sme-b/actions/2", 401, 200, 403, 404, "PATCH", R"({"status":"in_progress"})"},
    {"/api/smes/sme-a/actions/2", 401, 404, 404, 403, "PATCH", R"({"status":"in_progress"})"},
    {"/api/reports/quality?sme=sme-a&month=2026-10", 401, 200, 200, 200},
    {"/api/reports/opportunities?sme=sme-b&month=2026-10", 401, 200, 403, 404},
    {"/api/reports/planning?shop=shop-a1&month=2026-10", 401, 200, 200, 200},
    {"/api/reports/planning?shop=shop-b1&month=2026-10", 401, 200, 403, 404},
    {"/api/reports/growth?shop=shop-orphan&month=2026-10", 401, 200, 403, 404},
    {"/api/reports/growth?sme=nobody", 401, 404, 404, 404},
    {"/api/reports/growth?shop=no-shop", 401, 404, 404, 404},
    {"/api/exports/orders?shop=shop-a1&format=jsonl", 401, 200, 200, 200},
    {"/api/exports/orders?shop=shop-b1", 401, 200, 403, 404},
    {"/api/exports/products?shop=shop-orphan", 401, 200, 403, 404},
    {"/api/exports/orders", 401, 200, 400, 400},
    {"/api/exports/orders?shop=no-shop", 401, 404, 404, 404},
    // The dashboard's page and files hold no data: public. /api/me is not.
    {"/", 200, 200, 200, 200},
    {"/dashboard/app.js", 200, 200, 200, 200},
    {"/dashboard/nothing.js", 404, 404, 404, 404},
    {"/api/me", 401, 200, 200, 200},
    {"/api/shops/shop-a1/sync", 401, 200, 200, 200},
    {"/api/shops/shop-b1/sync", 401, 200, 403, 404},
    {"/api/shops/shop-orphan/sync", 401, 200, 403, 404},
    {"/api/shops/no-shop/sync", 401, 404, 404, 404},
    {"/api/syncs/1", 401, 200, 200, 200},
    {"/api/syncs/2", 401, 200, 403, 404},
    {"/api/syncs/3", 401, 200, 403, 404},
    {"/api/syncs/99", 401, 404, 404, 404},
    {"/api/syncs/x1", 401, 404, 404, 404},
    {"/api/shops/shop-a1/sync", 401, 202, 202, 403, "POST"},
    // Without a Host header the callback's address is unknown (connect_test has the link itself).
    {"/api/shops/shop-a1/connect", 401, 400, 400, 403, "POST"},
    {"/api/shops/shop-b1/connect", 401, 400, 403, 404, "POST"},
    {"/api/shops/shop-b1/sync", 401, 202, 403, 404, "POST"},
};

TEST_F(Service, RoleMatrixRouteByRoute) {
    for (const auto& row : matrix) {
        SCOPED_TRACE(row.target);
        const auto ask = [&](const std::string& token) { return get(row.target, token, row.method, row.body); };
        EXPECT_EQ(ask("").status, row.none);
        EXPECT_EQ(ask(admin_).status, row.admin) << ask(admin_).body;
        EXPECT_EQ(ask(alice_).status, row.manager) << ask(alice_).body;
        EXPECT_EQ(ask(sme_a_).status, row.sme) << ask(sme_a_).body;
        if (row.none == 401) {
            EXPECT_EQ(ask(revoked_).status, 401u);
            EXPECT_EQ(ask("pcgd_" + std::string(64, '0')).status, 401u);
        }
    }
}

// Routes that take no token because the platform signs each request: any
// role's token, or none, gets the same refusal without a good signature
// (tests/service/webhooks_test.cpp and connect_test.cpp cover the signatures).
struct SignedRow {
    const char* method;
    const char* target;
    unsigned unsigned_status;
};
const SignedRow signature_protected[] = {
    {"POST", "/webhooks/shopify/shop-a1", 401},
    {"POST", "/webhooks/woocommerce/shop-a1", 401},
    {"GET", "/connect/shopify/callback?code=x&shop=a.myshopify.com&state=s&hmac=00", 400},
    {"GET", "/connect/amazon/callback?spapi_oauth_code=x&state=s&selling_partner_id=A1", 400},
    {"GET", "/connect/ebay/callback?code=x&state=s", 400},
};

TEST_F(Service, SignatureProtectedRoutesIgnoreTokens) {
    for (const auto& row : signature_protected) {
        SCOPED_TRACE(row.target);
        for (const auto& t : {std::string(), admin_, alice_, sme_a_}) {
            const auto r = get(row.target, t, row.method);
            EXPECT_EQ(r.status, row.unsigned_status) << r.body;
            EXPECT_EQ(r.headers.size(), 0u);  // no WWW-Authenticate: a token would not help
        }
    }
}

TEST_F(Service, EveryRouteOfTheTableIsInTheMatrix) {
    std::set<std::string> covered;
    for (const auto& row : matrix)
        covered.insert(row.method + std::string(" ") + get(row.target, admin_, row.method, row.body).route);
    for (const auto& row : signature_protected)
        covered.insert(row.method + std::string(" ") + get(row.target, "", row.method).route);
    for (const auto& route : router_->routes())
        EXPECT_TRUE(covered.count(route.method + " " + route.pattern)) << route.method << " " << route.pattern;
}

TEST_F(Service, AnSmeCannotTellAnotherSmeFromANonexistentOne) {
    // Same status, same body: only the id differs, as the client wrote it.
    EXPECT_EQ(get("/api/smes/sme-b", sme_a_).body, R"j({"error":"no SME 'sme-b'"})j");
    EXPECT_EQ(get("/api/smes/zzz-b", sme_a_).body, R"j({"error":"no SME 'zzz-b'"})j");
    EXPECT_EQ(get("/api/reports/growth?shop=shop-b1", sme_a_).body, R"j({"error":"no shop 'shop-b1'"})j");
    EXPECT_EQ(get("/api/reports/growth?shop=shop-zz", sme_a_).body, R"j({"error":"no shop 'shop-zz'"})j");
    EXPECT_EQ(get("/api/exports/refunds?shop=shop-b1", sme_a_).body, R"j({"error":"no shop 'shop-b1'"})j");
    // A manager is told it exists but is not theirs.
    EXPECT_EQ(get("/api/smes/sme-b", alice_).body,
              R"j({"error":"SME 'sme-b' is not among those this token may read"})j");
}

TEST_F(Service, ListsOnlyTheSmesATokenMayRead) {
    EXPECT_EQ(ids(get("/api/smes", admin_)), (std::vector<std::string>{"sme-a", "sme-b", "sme-c"}));
    EXPECT_EQ(ids(get("/api/smes", alice_)), (std::vector<std::string>{"sme-a", "sme-c"}));
    EXPECT_EQ(ids(get("/api/smes", sme_a_)), (std::vector<std::string>{"sme-a"}));
    EXPECT_EQ(ids(get("/api/smes/sme-a/shops", sme_a_)), (std::vector<std::string>{"shop-a1"}));
    EXPECT_EQ(get("/api/smes/sme-a", sme_a_).body,
              R"j({"id":"sme-a","name":"SME sme-a","currency":"GBP","lang":"en","shops":["shop-a1"]})j");
}

TEST_F(Service, ProgrammeStatusAsTheCliPrintsIt) {
    EXPECT_EQ(
        get("/api/smes/sme-a/programme", sme_a_).body,
        R"j({"sme":"sme-a","phase":"onboarded","reviews_held":0,"formal_sessions":4,"checkins":0,"end_review_held":false})j");
    EXPECT_EQ(
        get("/api/smes/sme-c/programme", alice_).body,
        R"j({"sme":"sme-c","phase":"not_started","reviews_held":0,"formal_sessions":4,"checkins":0,"end_review_held":false})j");
    store_->put_sme(Sme{"sme-d", "SME d", pcgd::model::Currency::of("GBP"), "en", 1});
    EXPECT_EQ(get("/api/smes/sme-d/programme", admin_).body,
              R"j({"error":"SME 'sme-d' is not in the programme: no account manager assigned"})j");
}

TEST_F(Service, NoRouteWritesForAnSme) {
    // Every route that changes something refuses an SME token, even for its own SME.
    for (const auto& row : matrix) {
        if (std::string(row.method) != "GET") {
            EXPECT_TRUE(row.sme == 403 || row.sme == 404) << row.target;
        }
    }
    EXPECT_EQ(get("/api/smes/sme-a/actions/1", sme_a_, "PATCH", R"({"status":"done"})").body,
              R"j({"error":"an SME token is read-only: the account manager updates actions"})j");
    EXPECT_EQ(store_->get_action("sme-a", 1)->status, "planned");
    const auto r = get("/api/smes", sme_a_, "POST");
    EXPECT_EQ(r.status, 405u);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET"}));
}

TEST_F(Service, BadRequestsSayWhatIsWrong) {
    const std::pair<const char*, const char*> cases[] = {
        {"/api/reports/planning?sme=sme-a&month=2026-13", R"j({"error":"month must be YYYY-MM, got '2026-13'"})j"},
        {"/api/reports/planning?sme=sme-a&lang=de", R"j({"error":"lang must be en or fr, got 'de'"})j"},
        {"/api/reports/planning?sme=sme-a&currency=pounds",
         R"j({"error":"currency must be an ISO 4217 code such as GBP or EUR, got 'pounds'"})j"},
        {"/api/reports/planning", R"j({"error":"give exactly one of the parameters sme and shop"})j"},
        {"/api/reports/planning?sme=sme-a&shop=shop-a1",
         R"j({"error":"give exactly one of the parameters sme and shop"})j"},
        {"/api/reports/planning?sme=sme-a&monht=2026-10",
         R"j({"error":"unknown parameter 'monht' (known: sme, shop, month, lang, currency)"})j"},
        {"/api/reports/pricing?sme=sme-a",
         R"j({"error":"no report 'pricing' (quality, opportunities, planning or growth)"})j"},
        {"/api/exports/orders?shop=shop-a1&format=xml", R"j({"error":"format must be csv or jsonl, got 'xml'"})j"},
        {"/api/smes?x=1", R"j({"error":"unknown parameter 'x' (this route takes none)"})j"},
        {"/api/nothing", R"j({"error":"no route for /api/nothing"})j"},
    };
    for (const auto& [target, body] : cases) EXPECT_EQ(get(target, admin_).body, body) << target;
}

TEST_F(Service, MetricsCountRequestsByRouteAndStatus) {
    Metrics m;
    m.count_request("/api/smes", 200);
    m.count_request("/api/smes", 200);
    m.count_request("", 404);
    EXPECT_EQ(m.render(),
              "# HELP pcgd_http_requests_total HTTP requests answered, by route pattern and status.\n"
              "# TYPE pcgd_http_requests_total counter\n"
              "pcgd_http_requests_total{route=\"/api/smes\",status=\"200\"} 2\n"
              "pcgd_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n");
}

// The OpenAPI document and the router's table name the same (path, method)
// pairs, both ways.
TEST_F(Service, OpenApiDocumentMatchesTheRouteTable) {
    rapidjson::Document doc;
    const auto text = openapi_json();
    doc.Parse(text.data(), text.size());
    ASSERT_FALSE(doc.HasParseError());
    EXPECT_EQ(std::string(doc["openapi"].GetString()).substr(0, 2), "3.");
    std::set<std::string> documented, routed;
    for (const auto& path : doc["paths"].GetObject())
        for (const auto& op : path.value.GetObject()) {
            std::string method = op.name.GetString();
            for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            documented.insert(method + " " + path.name.GetString());
        }
    for (const auto& r : router_->routes()) routed.insert(r.method + " " + r.pattern);
    EXPECT_EQ(documented, routed);
    EXPECT_EQ(get("/api/openapi.json", sme_a_).body, std::string(text));
}

TEST_F(Service, MeNamesTheRoleTheSubjectAndTheReadableSmes) {
    EXPECT_EQ(get("/api/me", admin_).body, R"j({"role":"admin","subject":null,"smes":["sme-a","sme-b","sme-c"]})j");
    EXPECT_EQ(get("/api/me", alice_).body, R"j({"role":"manager","subject":"alice","smes":["sme-a","sme-c"]})j");
    EXPECT_EQ(get("/api/me", sme_a_).body, R"j({"role":"sme","subject":"sme-a","smes":["sme-a"]})j");
    EXPECT_EQ(get("/api/me?x=1", sme_a_).status, 400u);
}

std::string header(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return "(none)";
}

TEST_F(Service, DashboardFilesComeFromTheHostWithAStrictPolicy) {
    const auto page = get("/", "");
    EXPECT_EQ(page.status, 200u);
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(page, "Cache-Control"), "no-cache");
    const std::string csp = header(page, "Content-Security-Policy");
    EXPECT_EQ(csp.rfind("default-src 'self'; script-src 'self'; style-src 'self';", 0), 0u) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_NE(csp.find("form-action 'none'"), std::string::npos) << csp;  // a typed token never goes into a URL
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(page, "Referrer-Policy"), "no-referrer");
    // Nothing is loaded from elsewhere, and no script or style is inline.
    EXPECT_EQ(page.body.find("http://"), std::string::npos);
    EXPECT_EQ(page.body.find("https://"), std::string::npos);
    EXPECT_EQ(page.body.find("<script>"), std::string::npos);
    EXPECT_EQ(page.body.find("<style"), std::string::npos);
    EXPECT_EQ(page.body.find(" style="), std::string::npos);
    for (const char* name : {"app.js", "app.css"}) {
        SCOPED_TRACE(name);
        // The page names each file with its version; that URL may be cached for good.
        const std::string prefix = std::string("/dashboard/") + name + "?v=";
        const auto at = page.body.find(prefix);
        ASSERT_NE(at, std::string::npos);
        const std::string versioned = page.body.substr(at, prefix.size() + 16);
        const auto file = get(versioned, "");
        EXPECT_EQ(file.status, 200u);
        EXPECT_EQ(header(file, "Cache-Control"), "public, max-age=31536000, immutable");
        EXPECT_EQ(header(file, "Content-Security-Policy"), csp);
        EXPECT_FALSE(file.body.empty());
        const auto stale = get(prefix + "0000000000000000", "");
        EXPECT_EQ(header(stale, "Cache-Control"), "no-cache");
        EXPECT_EQ(stale.body, file.body);
    }
    EXPECT_EQ(get("/dashboard/app.js", "").content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(get("/dashboard/app.css", "").content_type, "text/css; charset=utf-8");
    EXPECT_EQ(get("/dashboard/index.html", "").body, R"j({"error":"no dashboard file 'index.html'"})j");
    EXPECT_EQ(get("/dashboard/app.js?x=1", "").body, R"j({"error":"unknown parameter 'x' (known: v)"})j");
    // The script reaches the network only through this origin's API.
    const auto script = get("/dashboard/app.js", "").body;
    EXPECT_EQ(script.find("https://"), std::string::npos);
    EXPECT_EQ(script.find("eval("), std::string::npos);
    EXPECT_EQ(script.find("innerHTML"), std::string::npos);
}

TEST(ServiceTarget, SplitsAndDecodesPathAndQuery) {
    Request r;
    std::string error;
    ASSERT_TRUE(parse_target("/api/smes/a%20b?month=2026-10&lang=fr&q=x+y&flag", r, error));
    EXPECT_EQ(r.path, "/api/smes/a b");
    EXPECT_EQ(r.query,
              (std::map<std::string, std::string>{{"month", "2026-10"}, {"lang", "fr"}, {"q", "x y"}, {"flag", ""}}));
    EXPECT_FALSE(parse_target("/api/%zz", r, error));
    EXPECT_EQ(error, "bad percent-escape in the path");
    EXPECT_FALSE(parse_target("/api/x?a=%4", r, error));
    EXPECT_EQ(error, "bad percent-escape in the query");
    EXPECT_FALSE(parse_target("http://example.com/", r, error));
    EXPECT_FALSE(parse_target("/api/smes/a%2Fshops", r, error));
    EXPECT_EQ(error, "an escaped '/' (%2F) in the path is not allowed");
}

TEST_F(Service, SyncRoutesStartASyncOnlyForAdminAndTheShopsManagers) {
    // Expected statuses: no token, admin, manager alice, SME sme-a.
    const MatrixRow rows[] = {
        {"/api/shops/shop-a1/sync", 401, 202, 202, 403},
        {"/api/shops/shop-b1/sync", 401, 202, 403, 404},
        {"/api/shops/shop-orphan/sync", 401, 202, 403, 404},
        {"/api/shops/no-shop/sync", 401, 404, 404, 404},
    };
    for (const auto& row : rows) {
        SCOPED_TRACE(row.target);
        EXPECT_EQ(get(row.target, "", "POST").status, row.none);
        EXPECT_EQ(get(row.target, revoked_, "POST").status, 401u);
        EXPECT_EQ(get(row.target, admin_, "POST").status, row.admin);
        EXPECT_EQ(get(row.target, alice_, "POST").status, row.manager);
        EXPECT_EQ(get(row.target, sme_a_, "POST").status, row.sme);
    }
    // Only admin and alice reached the queue, and alice found shop-a1 queued.
    EXPECT_EQ(requested_, (std::vector<std::string>{"shop-a1/api", "shop-a1/api", "shop-b1/api", "shop-orphan/api"}));
    EXPECT_EQ(get("/api/shops/shop-a1/sync", alice_, "POST").body, R"j({"sync_id":1,"already_queued":true})j");
    EXPECT_EQ(get("/api/shops/shop-a1/sync", sme_a_, "POST").body,
              R"j({"error":"an SME token is read-only: it cannot start a sync"})j");
    // An SME token cannot tell another SME's shop or sync from a nonexistent one.
    EXPECT_EQ(get("/api/shops/shop-b1/sync", sme_a_, "POST").body, R"j({"error":"no shop 'shop-b1'"})j");
    EXPECT_EQ(get("/api/shops/shop-zz/sync", sme_a_, "POST").body, R"j({"error":"no shop 'shop-zz'"})j");
    EXPECT_EQ(get("/api/syncs/2", sme_a_).body, R"j({"error":"no sync '2'"})j");
    EXPECT_EQ(get("/api/syncs/9", sme_a_).body, R"j({"error":"no sync '9'"})j");
    EXPECT_EQ(get("/api/syncs/2", alice_).body,
              R"j({"error":"sync '2' is of a shop not among those this token may read"})j");
    EXPECT_EQ(get("/api/shops/shop-a1/sync?now=1", admin_, "POST").body,
              R"j({"error":"unknown parameter 'now' (this route takes none)"})j");
}

TEST_F(Service, SyncRoutesAnswerTheJobAndTheSchedule) {
    EXPECT_EQ(get("/api/syncs/1", sme_a_).body,
              R"j({"id":1,"shop":"shop-a1","reason":"api","state":"succeeded","queued_at":"2026-11-01T00:00:00Z",)j"
              R"j("started_at":"2026-11-01T00:00:01Z","finished_at":"2026-11-01T00:00:02.500Z","error":null,)j"
              R"j("datasets":[{"dataset":"orders","ok":true,"stopped":false,"error":null,"records":40,"pages":2,)j"
              R"j("requests":3,"retries":1,"restarts":0,"waited_ms":250,"inserted":38,"updated":0,"unchanged":2,)j"
              R"j("deleted":0}]})j");
    // now_ms is 2026-11-01T00:00:00Z; the last success two hours before.
    EXPECT_EQ(get("/api/shops/shop-a1/sync", sme_a_).body,
              R"j({"shop":"shop-a1","state":"backing_off","next_run_at":"2026-11-01T01:00:00Z",)j"
              R"j("last_success_at":"2026-10-31T22:00:00Z","lag_s":7200,"consecutive_failures":2,)j"
              R"j("last_error":"orders: HTTP 500","sync_id":null})j");
}

TEST_F(Service, SyncRoutesWithoutAQueueAnswer503) {
    api_->request_sync = [](const std::string&, const std::string&) -> SyncTicket {
        throw std::runtime_error("the service is stopping: no new syncs are taken");
    };
    EXPECT_EQ(get("/api/shops/shop-a1/sync", admin_, "POST").body,
              R"j({"error":"the service is stopping: no new syncs are taken"})j");
    api_->request_sync = nullptr;
    api_->sync_job = nullptr;
    api_->shop_schedule = nullptr;
    const auto r = get("/api/shops/shop-a1/sync", admin_, "POST");
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(r.body, R"j({"error":"no sync queue runs in this process"})j");
    EXPECT_EQ(get("/api/syncs/1", admin_).status, 503u);
    EXPECT_EQ(get("/api/shops/shop-a1/sync", admin_).body, R"j({"error":"no scheduler runs in this process"})j");
}

TEST(ServiceMetrics, SyncCountersByPlatformAndTheLagPerShop) {
    Metrics m;
    ShopReport r;
    r.platform = "testshop";
    DatasetReport orders, traffic, stopped;
    orders.dataset = pcgd::sdk::Dataset::orders;
    orders.ok = true;
    orders.records = 120;
    orders.waited_ms = 1500;
    orders.statuses = {{200, 6}, {429, 2}};
    traffic.dataset = pcgd::sdk::Dataset::traffic;
    traffic.records = 3;
    traffic.statuses = {{0, 1}, {500, 3}};
    traffic.waited_ms = 250;
    stopped.dataset = pcgd::sdk::Dataset::inventory;
    stopped.stopped = true;
    r.datasets = {orders, traffic, stopped};
    m.count_sync(r);
    m.count_sync(r);
    m.set_sync_lag([] { return std::map<std::string, double>{{"gb", 12.5}, {"odd\"id", 1.0}}; });
    EXPECT_EQ(
        m.render(),
        "# HELP pcgd_http_requests_total HTTP requests answered, by route pattern and status.\n"
        "# TYPE pcgd_http_requests_total counter\n"
        "# HELP pcgd_platform_requests_total Requests of syncs to the platforms, by platform and response status "
        "(error: no response).\n"
        "# TYPE pcgd_platform_requests_total counter\n"
        "pcgd_platform_requests_total{platform=\"testshop\",status=\"200\"} 12\n"
        "pcgd_platform_requests_total{platform=\"testshop\",status=\"429\"} 4\n"
        "pcgd_platform_requests_total{platform=\"testshop\",status=\"500\"} 6\n"
        "pcgd_platform_requests_total{platform=\"testshop\",status=\"error\"} 2\n"
        "# HELP pcgd_sync_records_total Records received by syncs, by platform and dataset.\n"
        "# TYPE pcgd_sync_records_total counter\n"
        "pcgd_sync_records_total{platform=\"testshop\",dataset=\"inventory\"} 0\n"
        "pcgd_sync_records_total{platform=\"testshop\",dataset=\"orders\"} 240\n"
        "pcgd_sync_records_total{platform=\"testshop\",dataset=\"traffic\"} 6\n"
        "# HELP pcgd_rate_limit_wait_seconds_total Time syncs waited for rate limits and retry backoff, by platform.\n"
        "# TYPE pcgd_rate_limit_wait_seconds_total counter\n"
        "pcgd_rate_limit_wait_seconds_total{platform=\"testshop\"} 3.500\n"
        "# HELP pcgd_sync_errors_total Failed datasets (and shops that could not start), by platform.\n"
        "# TYPE pcgd_sync_errors_total counter\n"
        "pcgd_sync_errors_total{platform=\"testshop\"} 2\n"
        "# HELP pcgd_sync_lag_seconds Seconds since each shop's last successful sync.\n"
        "# TYPE pcgd_sync_lag_seconds gauge\n"
        "pcgd_sync_lag_seconds{shop=\"gb\"} 12.500\n"
        "pcgd_sync_lag_seconds{shop=\"odd\\\"id\"} 1.000\n");
}

TEST(ServiceAuth, TokensAreRandomAndOnlyTheirSha256IsKept) {
    EXPECT_EQ(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const auto a = new_token(), b = new_token();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.size(), 5u + 64u);
    EXPECT_EQ(a.substr(0, 5), "pcgd_");
}

TEST_F(Service, AuthorizationHeaderForms) {
    EXPECT_TRUE(authenticate(*store_, "Bearer " + admin_));
    EXPECT_TRUE(authenticate(*store_, "bearer " + admin_));
    EXPECT_EQ(authenticate(*store_, "Bearer " + alice_)->subject, "alice");
    EXPECT_EQ(authenticate(*store_, "Bearer " + sme_a_)->role, Role::sme);
    EXPECT_FALSE(authenticate(*store_, admin_));
    EXPECT_FALSE(authenticate(*store_, "Basic " + admin_));
    EXPECT_FALSE(authenticate(*store_, "Bearer "));
    EXPECT_FALSE(authenticate(*store_, "Bearer " + revoked_));
    EXPECT_FALSE(authenticate(*store_, "Bearer " + admin_.substr(0, 60)));
}

}  // namespace

namespace {

TEST_F(Service, CoachingRecordsAsTheCliPrintsThem) {
    EXPECT_EQ(
        get("/api/smes/sme-a/sessions", sme_a_).body,
        R"j([{"id":1,"sme":"sme-a","kind":"onboarding","number":0,"held_at":"2026-09-01T00:00:00Z","by":"alice"}])j");
    EXPECT_EQ(
        get("/api/smes/sme-a/obstacles", alice_).body,
        R"j([{"id":1,"kind":"data_skills","note":"No one reads the reports","date":"2026-09-01","recorded_by":"alice"}])j");
    const auto training = get("/api/smes/sme-a/training", sme_a_).body;
    EXPECT_EQ(
        training.rfind(
            R"j([{"tool":"quality","trained":false,"date":null,"trainer":"","confidence":null,"follow_up":""},{)j", 0),
        0u)
        << training;
    EXPECT_EQ(get("/api/smes/sme-a/goals", sme_a_).body, "[]");
    const auto session = get("/api/smes/sme-a/sessions/1", sme_a_).body;
    EXPECT_NE(
        session.find(
            R"j("compared_with":null,"changes":[],"actions":[{"id":1,"session_id":1,"in_plan":false,"title":"Call the photographer")j"),
        std::string::npos)
        << session;
    // The full month since the plan against as many months up to the plan.
    const auto review = get("/api/smes/sme-a/plan/review", alice_).body;
    EXPECT_NE(
        review.find(
            R"j("plan_date":"2026-09-01","currency":"GBP","before":{"from":"2026-09","to":"2026-09"},"after":{"from":"2026-10","to":"2026-10"})j"),
        std::string::npos)
        << review;
}

TEST_F(Service, AManagerFollowsAnActionThrough) {
    const auto r = get("/api/smes/sme-a/actions/1", alice_, "PATCH",
                       R"({"status":"done","note":"Photos online","due":"2026-11-15"})");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(
        r.body,
        R"j({"id":1,"session_id":1,"in_plan":false,"title":"Call the photographer","owner_kind":"sme_staff","owner_name":"","due":"2026-11-15","status":"done","note":"Photos online","created_by":"alice","updated_by":"alice","updated_at":"2026-11-01T00:00:00Z"})j");
    const auto stored = store_->get_action("sme-a", 1);
    EXPECT_EQ(stored->status, "done");
    EXPECT_EQ(stored->note, "Photos online");
    EXPECT_EQ(get("/api/smes/sme-a/actions", sme_a_).body, "[" + r.body + "]");
    EXPECT_EQ(get("/api/smes/sme-a/actions/1", admin_, "PATCH", R"({"status":"deferred"})")
                      .body.find(R"("updated_by":"admin")") != std::string::npos,
              true);
}

TEST_F(Service, ABadActionChangeIsRefusedAndChangesNothing) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"status":"finished"})",
         R"j({"error":"status must be planned, in_progress, done, rejected or deferred, got 'finished'"})j"},
        {R"({"colour":"red"})",
         R"j({"error":"unknown member 'colour' (known: status, note, title, owner_kind, owner_name, due)"})j"},
        {R"({"due":"15/11/2026"})", R"j({"error":"due must be a date (YYYY-MM-DD), got '15/11/2026'"})j"},
        {R"({"status":3})", R"j({"error":"'status' must be a string"})j"},
        {R"({"title":""})", R"j({"error":"title must not be empty"})j"},
        {R"({})", R"j({"error":"nothing to change: give status, note, title, owner_kind, owner_name or due"})j"},
        {"status=done", R"j({"error":"the body must be a JSON object"})j"},
    };
    for (const auto& [body, error] : cases) {
        const auto r = get("/api/smes/sme-a/actions/1", alice_, "PATCH", body);
        EXPECT_EQ(r.status, 400u) << body;
        EXPECT_EQ(r.body, error) << body;
    }
    EXPECT_EQ(get("/api/smes/sme-a/actions/x1", alice_, "PATCH", R"({"status":"done"})").body,
              R"j({"error":"SME 'sme-a' has no action 'x1'"})j");
    const auto stored = store_->get_action("sme-a", 1);
    EXPECT_EQ(stored->status, "planned");
    EXPECT_EQ(stored->updated_by, "alice");
    EXPECT_EQ(stored->due_day, std::nullopt);
}

TEST_F(Service, AManagerRecordsASessionOverTheApi) {
    const auto r = get("/api/smes/sme-a/sessions", alice_, "POST",
                       R"({"kind":"review","answers":{"on_track":"Yes"},"conclusions":{"export":"Try Amazon FR"},)"
                       R"("notes":"by phone","actions":["Photograph the diffusers"]})");
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(
        r.body.rfind(
            R"j({"id":3,"sme":"sme-a","kind":"review","number":1,"held_at":"2026-11-01T00:00:00Z","by":"alice","month":"2026-10","answers":{"on_track":"Yes"},"conclusions":{"export":"Try Amazon FR"},"notes":"by phone","snapshot":{)j",
            0),
        0u)
        << r.body;
    EXPECT_NE(r.body.find(R"("title":"Photograph the diffusers","owner_kind":"sme_staff")"), std::string::npos)
        << r.body;
    EXPECT_EQ(get("/api/smes/sme-a/sessions/3", sme_a_).body, r.body);
    EXPECT_EQ(ids_of(get("/api/smes/sme-a/sessions", sme_a_)), (std::vector<std::int64_t>{1, 3}));

    const std::pair<const char*, const char*> bad[] = {
        {R"({"kind":"party"})", R"j({"error":"kind must be review, checkin, end_review or continuing, got 'party'"})j"},
        {R"({"answers":{"mood":"ok"}})", "unknown key question 'mood'"},
        {R"({"conclusions":{"export":3}})", R"j({"error":"'conclusions.export' must be a string"})j"},
        {R"({"actions":[""]})", R"j({"error":"an action's title must not be empty"})j"},
        {R"({"when":"now"})",
         R"j({"error":"unknown member 'when' (known: kind, held_at, answers, conclusions, notes, actions)"})j"},
        {R"({"held_at":"last week"})", R"j({"error":"held_at must be a date (YYYY-MM-DD) or an ISO 8601 instant"})j"},
        {R"({"held_at":3})", R"j({"error":"held_at must be a date (YYYY-MM-DD) or an ISO 8601 instant"})j"},
        {R"({"held_at":"2026-11-02"})", R"j({"error":"held_at must not be in the future, got 2026-11-02T00:00:00Z"})j"},
        {"[]", R"j({"error":"the body must be a JSON object"})j"},
    };
    for (const auto& [body, error] : bad) {
        const auto refused = get("/api/smes/sme-a/sessions", alice_, "POST", body);
        EXPECT_EQ(refused.status, 400u) << body;
        EXPECT_NE(refused.body.find(error), std::string::npos) << body << " -> " << refused.body;
    }
    // Out of the programme's order: an end review before the fourth session.
    const auto early = get("/api/smes/sme-a/sessions", alice_, "POST", R"({"kind":"end_review"})");
    EXPECT_EQ(early.status, 422u) << early.body;
    EXPECT_EQ(ids_of(get("/api/smes/sme-a/sessions", sme_a_)), (std::vector<std::int64_t>{1, 3}));
}

// A session held on paper is recorded on its day (the dashboard's date field, the CLI's --at).
TEST_F(Service, ASessionRecordedOverTheApiTakesTheDayItWasHeld) {
    const auto r = get("/api/smes/sme-a/sessions", alice_, "POST",
                       R"({"kind":"checkin","held_at":"2026-10-15T09:30:00Z","answers":{"on_track":"Yes"}})");
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(
        r.body.rfind(R"j({"id":3,"sme":"sme-a","kind":"checkin","number":1,"held_at":"2026-10-15T09:30:00Z",)j", 0), 0u)
        << r.body;
    const auto day = get("/api/smes/sme-a/sessions", alice_, "POST", R"({"kind":"checkin","held_at":"2026-10-20"})");
    ASSERT_EQ(day.status, 201u) << day.body;
    EXPECT_NE(day.body.find(R"("held_at":"2026-10-20T00:00:00Z")"), std::string::npos) << day.body;
    // Before the last session: the programme's order refuses it, and nothing is stored.
    const auto early = get("/api/smes/sme-a/sessions", alice_, "POST", R"({"kind":"review","held_at":"2026-10-01"})");
    EXPECT_EQ(early.status, 422u) << early.body;
    EXPECT_NE(early.body.find("before the last session"), std::string::npos) << early.body;
    EXPECT_EQ(ids_of(get("/api/smes/sme-a/sessions", sme_a_)), (std::vector<std::int64_t>{1, 3, 4}));
}

TEST_F(Service, AManagerRecordsTrainingAndObstaclesOverTheApi) {
    const auto trained = get("/api/smes/sme-a/training/planning", alice_, "PUT",
                             R"({"trained":true,"date":"2026-10-20","confidence":4,"follow_up":"projection"})");
    ASSERT_EQ(trained.status, 200u) << trained.body;
    EXPECT_NE(
        trained.body.find(
            R"j({"tool":"planning","trained":true,"date":"2026-10-20","trainer":"alice","confidence":4,"follow_up":"projection"})j"),
        std::string::npos)
        << trained.body;
    EXPECT_EQ(get("/api/smes/sme-a/training", sme_a_).body, trained.body);
    const std::pair<const char*, const char*> bad_training[] = {
        {R"({"trained":true})", R"j({"error":"confidence (1 to 5) is required for a training given"})j"},
        {R"({"trained":true,"confidence":6})", R"j({"error":"confidence must be 1 to 5"})j"},
        {R"({"trained":false,"date":"2026-10-20"})",
         R"j({"error":"a training not given takes no confidence or date"})j"},
        {R"({"confidence":3})", R"j({"error":"trained is required (true or false)"})j"},
        {R"({"trained":"yes"})", R"j({"error":"trained must be true or false"})j"},
        {R"({"trained":true,"confidence":3,"date":"20/10/2026"})", R"j({"error":"date must be a date (YYYY-MM-DD)"})j"},
    };
    for (const auto& [body, error] : bad_training)
        EXPECT_EQ(get("/api/smes/sme-a/training/planning", alice_, "PUT", body).body, error) << body;
    EXPECT_EQ(get("/api/smes/sme-a/training/pricing", alice_, "PUT", R"({"trained":false})").body,
              R"j({"error":"no tool 'pricing' (quality, opportunities, planning or growth)"})j");
    EXPECT_EQ(get("/api/smes/sme-a/training", sme_a_).body, trained.body);  // nothing changed

    const auto obstacle =
        get("/api/smes/sme-a/obstacles", alice_, "POST", R"({"kind":"slowed_growth","note":"Paused the FR shop"})");
    ASSERT_EQ(obstacle.status, 201u) << obstacle.body;
    EXPECT_EQ(
        obstacle.body,
        R"j({"id":2,"kind":"slowed_growth","note":"Paused the FR shop","date":"2026-11-01","recorded_by":"alice"})j");
    EXPECT_EQ(get("/api/smes/sme-a/obstacles", alice_, "POST", R"({"kind":"flood","note":"x"})").status, 400u);
    EXPECT_EQ(get("/api/smes/sme-a/obstacles", alice_, "POST", R"({"kind":"slowed_growth"})").body,
              R"j({"error":"note must not be empty"})j");
    EXPECT_EQ(get("/api/smes/sme-a/obstacles", admin_, "POST", R"({"kind":"slowed_growth","note":"x"})").body,
              R"j({"error":"record obstacles with the token of the account manager who coaches the SME"})j");
}

TEST_F(Service, AManagerSetsAGoalOverTheApi) {
    const auto r =
        get("/api/smes/sme-a/goals", alice_, "POST",
            R"({"metric":"channel_orders","shop":"shop-a1","target":"40","due":"2026-12-31","note":"Xmas"})");
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(
        r.body,
        R"j([{"id":1,"metric":"channel_orders","shop":"shop-a1","unit":"orders","target":40,"due":"2026-12-31","note":"Xmas","set_by":"alice","month":"2026-10","value":0,"percent":0.0,"state":"in_progress"}])j");
    EXPECT_EQ(get("/api/smes/sme-a/goals", sme_a_).body, r.body);
    const std::pair<const char*, const char*> bad[] = {
        {R"({"metric":"channel_orders","target":"40","due":"2026-12-31"})",
         R"j({"error":"shop is required for channel_orders"})j"},
        {R"({"metric":"channel_orders","shop":"shop-b1","target":"40","due":"2026-12-31"})",
         R"j({"error":"shop: SME 'sme-a' has no shop 'shop-b1'"})j"},
        {R"({"metric":"margin","target":"a third","due":"2026-12-31"})",
         R"j({"error":"target for margin must be a percentage such as 32.5, got 'a third'"})j"},
        {R"({"metric":"monthly_sales","target":"2500.00","due":"soon"})",
         R"j({"error":"due must be a date (YYYY-MM-DD), got 'soon'"})j"},
        {R"({"metric":"monthly_sales","target":2500,"due":"2026-12-31"})", R"j({"error":"target must be a string"})j"},
    };
    for (const auto& [body, error] : bad)
        EXPECT_EQ(get("/api/smes/sme-a/goals", alice_, "POST", body).body, error) << body;
    EXPECT_EQ(get("/api/smes/sme-a/goals", sme_a_).body, r.body);  // nothing more stored
}

TEST_F(Service, AManagerDraftsAndEditsThePlanOverTheApi) {
    // sme-c (Alice advises it) has no plan: drafted from the tools, in its language.
    add_shop("shop-c1", "sme-c");
    const auto drafted = get("/api/smes/sme-c/plan", alice_, "POST");
    ASSERT_EQ(drafted.status, 201u) << drafted.body;
    EXPECT_EQ(drafted.body.rfind(R"j({"sme":"sme-c","plan_date":"2026-11-01",)j", 0), 0u) << drafted.body;
    EXPECT_NE(drafted.body.find(R"("created_by":"alice","updated_by":"alice","draft":{)"), std::string::npos)
        << drafted.body;
    EXPECT_EQ(get("/api/smes/sme-c/plan", alice_).body, drafted.body);
    EXPECT_EQ(
        get("/api/smes/sme-c/plan", alice_, "POST").body,
        R"j({"error":"SME 'sme-c' already has a plan: change it with PATCH /api/smes/sme-c/plan and its actions"})j");
    EXPECT_EQ(get("/api/smes/sme-c/plan", alice_, "POST", R"({"country":"FR"})").status, 400u);

    const auto edited = get("/api/smes/sme-c/plan", alice_, "PATCH",
                            R"({"country":"FR","channel":"amazon","summary":"Amazon FR first"})");
    ASSERT_EQ(edited.status, 200u) << edited.body;
    EXPECT_NE(
        edited.body.find(R"("target":{"country":"FR","channel":"amazon","segment":""},"summary":"Amazon FR first")"),
        std::string::npos)
        << edited.body;
    EXPECT_EQ(get("/api/smes/sme-c/plan", alice_, "PATCH", R"({"country":"France"})").body,
              R"j({"error":"country must be an ISO 3166 alpha-2 code such as GB or FR, got 'France'"})j");
    EXPECT_EQ(get("/api/smes/sme-c/plan", alice_, "PATCH", R"({})").body,
              R"j({"error":"nothing to change: give country, channel, segment or summary"})j");
    EXPECT_EQ(get("/api/smes/sme-c/plan", alice_).body, edited.body);  // the refused edits changed nothing
}

TEST_F(Service, AManagerAddsAnActionOverTheApi) {
    const auto added = get("/api/smes/sme-a/actions", alice_, "POST",
                           R"({"title":"List on Amazon FR","owner_kind":"external","owner_name":"Agence Lumen",)"
                           R"("due":"2027-01-15","plan":true})");
    ASSERT_EQ(added.status, 201u) << added.body;
    EXPECT_EQ(
        added.body,
        R"j({"id":3,"session_id":null,"in_plan":true,"title":"List on Amazon FR","owner_kind":"external","owner_name":"Agence Lumen","due":"2027-01-15","status":"planned","note":"","created_by":"alice","updated_by":"alice","updated_at":"2026-11-01T00:00:00Z"})j");
    EXPECT_NE(get("/api/smes/sme-a/plan", sme_a_).body.find(R"("title":"List on Amazon FR")"), std::string::npos);
    const std::pair<const char*, const char*> bad[] = {
        {R"({"owner_kind":"sme_staff","plan":true})", R"j({"error":"title is required"})j"},
        {R"({"title":"x","plan":true})",
         R"j({"error":"owner_kind is required (sme_staff, external or account_manager)"})j"},
        {R"({"title":"x","owner_kind":"intern","plan":true})",
         R"j({"error":"owner_kind must be sme_staff, external or account_manager, got 'intern'"})j"},
        {R"({"title":"x","owner_kind":"sme_staff"})",
         R"j({"error":"an action belongs to the plan (\"plan\": true) or to a session (\"session\": ID)"})j"},
        {R"({"title":"x","owner_kind":"sme_staff","session":2})",
         R"j({"error":"session: SME 'sme-a' has no session 2"})j"},
        {R"({"title":"x","owner_kind":"sme_staff","plan":"yes"})", R"j({"error":"plan must be true or false"})j"},
    };
    for (const auto& [body, error] : bad)
        EXPECT_EQ(get("/api/smes/sme-a/actions", alice_, "POST", body).body, error) << body;
    EXPECT_EQ(ids_of(get("/api/smes/sme-a/actions", sme_a_)), (std::vector<std::int64_t>{1, 3}));
}

}  // namespace
