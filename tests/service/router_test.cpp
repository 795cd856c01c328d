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
        admin_ = token("admin", "");
        alice_ = token("manager", "alice");
        sme_a_ = token("sme", "sme-a");
        revoked_ = token("sme", "sme-a");
        store_->revoke_token(store_->list_tokens().back().id, 5);

        api_ = std::make_unique<Api>(Api{*store_, config_, metrics_, [] { return std::string(); },
                                         [] {
                                             return std::int64_t{1793491200000}; /* 2026-11-01 */
                                         }});
        api_->vault = std::make_shared<const Vault>(std::array<std::uint8_t, 32>{});
        router_ = std::make_unique<Router>(*store_);
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

    std::string token(const std::string& role, const std::string& subject) {
        const std::string t = new_token();
        store_->add_token(ApiToken{0, token_hash(t), role, subject, "test", 1, std::nullopt});
        return t;
    }

    Response get(const std::string& target, const std::string& token, const std::string& method = "GET") {
        Request r;
        r.method = method;
        std::string error;
        EXPECT_TRUE(parse_target(target, r, error)) << error;
        if (!token.empty()) r.authorization = "Bearer " + token;
        return router_->handle(r);
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
};

// Every route, every role. Expected statuses: no token, admin, manager alice
// (coaches sme-a, expert on sme-c), SME sme-a.
struct MatrixRow {
    const char* target;
    unsigned none, admin, manager, sme;
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
};

TEST_F(Service, RoleMatrixRouteByRoute) {
    for (const auto& row : matrix) {
        SCOPED_TRACE(row.target);
        EXPECT_EQ(get(row.target, "").status, row.none);
        EXPECT_EQ(get(row.target, admin_).status, row.admin) << get(row.target, admin_).body;
        EXPECT_EQ(get(row.target, alice_).status, row.manager) << get(row.target, alice_).body;
        EXPECT_EQ(get(row.target, sme_a_).status, row.sme) << get(row.target, sme_a_).body;
        if (row.none == 401) {
            EXPECT_EQ(get(row.target, revoked_).status, 401u);
            EXPECT_EQ(get(row.target, "pcgd_" + std::string(64, '0')).status, 401u);
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
    for (const auto& row : matrix) covered.insert(get(row.target, admin_).route);
    for (const auto& row : signature_protected) covered.insert(get(row.target, "", row.method).route);
    for (const auto& route : router_->routes()) EXPECT_TRUE(covered.count(route.pattern)) << route.pattern;
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
        R"j({"sme":"sme-a","phase":"not_started","reviews_held":0,"formal_sessions":4,"checkins":0,"end_review_held":false})j");
    store_->put_sme(Sme{"sme-d", "SME d", pcgd::model::Currency::of("GBP"), "en", 1});
    EXPECT_EQ(get("/api/smes/sme-d/programme", admin_).body,
              R"j({"error":"SME 'sme-d' is not in the programme: no account manager assigned"})j");
}

TEST_F(Service, NoRouteWritesForAnSme) {
    for (const auto& route : router_->routes())
        if (route.pattern.rfind("/webhooks/", 0) != 0) {
            EXPECT_EQ(route.method, "GET") << route.pattern;
        }
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
