// Connecting a Shopify shop: the signed state, Shopify's query HMAC (the
// published vectors), the authorization URL, and the callback through the
// router with a fake code exchange.
#include "server/connect.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <filesystem>
#include <pcgd/model/time.hpp>

#include "server/api.hpp"
#include "server/auth.hpp"
#include "store/store.hpp"

using namespace pcgd::host;
using namespace pcgd::host::server;

namespace {

constexpr std::int64_t now = 1793491200000;  // 2026-11-01T00:00:00Z
const std::string key(32, 'k');

TEST(ConnectState, SignedExpiringAndBoundToTheShop) {
    const connect::State s{"shopify", "uk.shop-1", now + 1000, std::string(32, 'a')};
    const auto text = connect::sign_state(key, s);
    const std::string head = "shopify.uk.shop-1.1793491201000.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.";
    EXPECT_EQ(text.substr(0, head.size()), head);
    EXPECT_EQ(text.size(), head.size() + 64);
    std::string error;
    const auto back = connect::verify_state(key, text, now, error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->platform, "shopify");
    EXPECT_EQ(back->shop_id, "uk.shop-1");
    EXPECT_EQ(back->expires_at_ms, now + 1000);
    EXPECT_FALSE(connect::verify_state(key, text, now + 1001, error));
    EXPECT_EQ(error, "the link has expired: ask for a new one (`pcgd shop connect`)");
    EXPECT_FALSE(connect::verify_state(std::string(32, 'x'), text, now, error));
    EXPECT_EQ(error, "the state's signature does not verify (a link from another service, or altered)");
    std::string other_shop = text;
    other_shop.replace(8, 2, "fr");
    EXPECT_FALSE(connect::verify_state(key, other_shop, now, error));
    EXPECT_FALSE(connect::verify_state(key, "nonsense", now, error));
    EXPECT_EQ(error, "the state is malformed");
    EXPECT_NE(connect::new_nonce(), connect::new_nonce());
    EXPECT_EQ(connect::new_nonce().size(), 32u);
}

TEST(ConnectShopify, QueryHmacPublishedVectors) {
    std::map<std::string, std::string> q = {{"code", "0907a61c0c8d55e99db179b68161bc00"},
                                            {"shop", "some-shop.myshopify.com"},
                                            {"state", "0.6784241404160823"},
                                            {"timestamp", "1337178173"}};
    EXPECT_EQ(connect::shopify_query_hmac("hush", q),
              "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf");
    q["hmac"] = "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf";
    EXPECT_TRUE(connect::verify_shopify_query("hush", q));
    EXPECT_FALSE(connect::verify_shopify_query("hush2", q));
    q.erase("state");
    EXPECT_EQ(connect::shopify_query_hmac("hush", q),
              "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20");
    EXPECT_FALSE(connect::verify_shopify_query("hush", q));  // the hmac was for the query with state
    q.erase("hmac");
    EXPECT_FALSE(connect::verify_shopify_query("hush", q));
}

TEST(ConnectShopify, MissingScopesAndWhatTheyCost) {
    EXPECT_TRUE(
        connect::missing_shopify_scopes("read_products,read_inventory,read_locations,read_orders,read_all_orders")
            .empty());
    // write_X implies read_X.
    EXPECT_TRUE(
        connect::missing_shopify_scopes("write_products, read_inventory,read_locations,write_orders,read_all_orders")
            .empty());
    const auto missing = connect::missing_shopify_scopes("read_products,read_inventory,read_locations,read_orders");
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_STREQ(missing[0].scope, "read_all_orders");
    EXPECT_STREQ(missing[0].cost, "only the last 60 days of orders: growth and planning lack history");
    EXPECT_EQ(connect::missing_shopify_scopes("").size(), 5u);
}

class Connect : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/pcgd-connect-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        store_ = open_sqlite_store(dir_ + "/pcgd.db");
        std::array<std::uint8_t, 32> k{};
        k[1] = 9;
        vault_ = std::make_shared<const Vault>(k);
        ShopRecord s;
        s.shop.id = "uk";
        s.shop.platform = "shopify";
        s.shop.country = "GB";
        s.shop.currency = pcgd::model::Currency::of("GBP");
        s.shop.time_zone = "UTC";
        s.base_url = "https://lumiere.myshopify.com/";
        s.settings_json = R"({"client_id":"cid"})";
        s.sealed_credentials = vault_->seal({{"client_secret", "hush"}});
        store_->put_shop(s);
        api_ = std::make_unique<Api>(Api{metrics_, [] { return std::string(); }, [] { return now; }});
        api_->vault = vault_;
        api_->post_form = [this](const std::string& url, const std::string& form, const std::string& authorization) {
            exchanges_.push_back(url + " " + form + (authorization.empty() ? "" : " " + authorization));
            return reply_;
        };
        router_ = std::make_unique<Router>();
        add_all_routes(*router_, *api_);
    }
    void TearDown() override {
        router_.reset();
        api_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    /// The query Shopify would send back for `state`, signed with `secret`.
    std::map<std::string, std::string> callback_query(const std::string& state, const std::string& secret = "hush",
                                                      const std::string& shop = "lumiere.myshopify.com") {
        std::map<std::string, std::string> q = {{"code", "c0de"},
                                                {"host", "YWRtaW4"},
                                                {"shop", shop},
                                                {"state", state},
                                                {"timestamp", std::to_string(now / 1000 - 30)}};
        q["hmac"] = connect::shopify_query_hmac(secret, q);
        return q;
    }
    Response callback(const std::map<std::string, std::string>& q) {
        Request r;
        r.method = "GET";
        r.path = "/connect/shopify/callback";
        r.query = q;
        return router_->handle(r, *store_, config_);
    }
    std::string fresh_state(const std::string& shop = "uk", std::int64_t expires = now + 3600000) {
        return connect::sign_state(connect::state_key(*vault_),
                                   connect::State{"shopify", shop, expires, connect::new_nonce()});
    }

    std::string dir_;
    std::unique_ptr<Store> store_;
    std::shared_ptr<const Vault> vault_;
    Config config_;
    Metrics metrics_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Router> router_;
    std::vector<std::string> exchanges_;
    std::pair<int, std::string> reply_{
        200, R"({"access_token":"shpat_new","scope":"read_products,read_inventory,read_locations,read_orders"})"};
};

TEST_F(Connect, AuthorizeUrlAsksForTheToolsScopes) {
    const auto url = connect::shopify_authorize_url(*store_->get_shop("uk"),
                                                    vault_->open(store_->get_shop("uk")->sealed_credentials),
                                                    connect::state_key(*vault_), "https://pcgd.example/", now);
    const std::string expected =
        "https://lumiere.myshopify.com/admin/oauth/authorize?client_id=cid"
        "&scope=read_products%2Cread_inventory%2Cread_locations%2Cread_orders%2Cread_all_orders"
        "&redirect_uri=https%3A%2F%2Fpcgd.example%2Fconnect%2Fshopify%2Fcallback&state=shopify.uk.";
    EXPECT_EQ(url.substr(0, expected.size()), expected);
    Request r;
    std::string error;
    ASSERT_TRUE(parse_target(url.substr(url.find("/admin")), r, error));
    const auto state = connect::verify_state(connect::state_key(*vault_), r.query.at("state"), now, error);
    ASSERT_TRUE(state) << error;
    EXPECT_EQ(state->expires_at_ms, now + connect::link_validity_ms);
    // A shop without the app's client id or secret is told what it lacks.
    auto bare = *store_->get_shop("uk");
    bare.settings_json = "{}";
    try {
        connect::shopify_authorize_url(bare, {}, "k", "https://pcgd.example", now);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()),
                  "shop 'uk' lacks the setting client_id and the credential client_secret of the Shopify app (remove "
                  "and add it again with --setting client_id=... --credential client_secret=...)");
    }
}

TEST_F(Connect, CallbackExchangesTheCodeAndSealsTheToken) {
    const auto r = callback(callback_query(fresh_state()));
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("<h1>Connected</h1>"), std::string::npos);
    EXPECT_NE(r.body.find("read_all_orders: only the last 60 days of orders"), std::string::npos) << r.body;
    EXPECT_EQ(
        exchanges_,
        (std::vector<std::string>{
            "https://lumiere.myshopify.com/admin/oauth/access_token client_id=cid&client_secret=hush&code=c0de"}));
    const auto creds = vault_->open(store_->get_shop("uk")->sealed_credentials);
    EXPECT_EQ(creds, (std::map<std::string, std::string>{
                         {"access_token", "shpat_new"},
                         {"client_secret", "hush"},
                         {"scope", "read_products,read_inventory,read_locations,read_orders"}}));
}

TEST_F(Connect, CallbackRefusals) {
    const auto sealed_before = store_->get_shop("uk")->sealed_credentials;
    const std::string state = fresh_state();
    // Shopify's signature, with another secret.
    EXPECT_EQ(callback(callback_query(state, "other")).status, 400u);
    // Another shop than the state's.
    EXPECT_EQ(callback(callback_query(state, "hush", "evil.myshopify.com")).status, 400u);
    // An expired link, a forged state, no state.
    EXPECT_EQ(callback(callback_query(fresh_state("uk", now - 1))).status, 400u);
    EXPECT_EQ(callback(callback_query(connect::sign_state(
                           "forged", connect::State{"shopify", "uk", now + 1000, std::string(32, 'b')})))
                  .status,
              400u);
    auto no_state = callback_query(state);
    no_state.erase("state");
    EXPECT_EQ(callback(no_state).status, 400u);
    // A stale timestamp.
    auto old = callback_query(state);
    old["timestamp"] = std::to_string(now / 1000 - 7200);
    old["hmac"] = connect::shopify_query_hmac("hush", old);
    EXPECT_EQ(callback(old).status, 400u);
    EXPECT_TRUE(exchanges_.empty());
    EXPECT_EQ(store_->get_shop("uk")->sealed_credentials, sealed_before);
    // The exchange refused: nothing stored, and the state stays usable.
    reply_ = {400, R"({"error":"invalid_request"})"};
    const auto refused = callback(callback_query(state));
    EXPECT_EQ(refused.status, 502u);
    EXPECT_NE(refused.body.find("Shopify refused to finish the connection"), std::string::npos);
    EXPECT_EQ(store_->get_shop("uk")->sealed_credentials, sealed_before);
    reply_ = {200, R"({"access_token":"shpat_new","scope":"read_products"})"};
    EXPECT_EQ(callback(callback_query(state)).status, 200u);
    // Used once: the same link again is refused.
    const auto again = callback(callback_query(state));
    EXPECT_EQ(again.status, 400u);
    EXPECT_NE(again.body.find("This link has been used already"), std::string::npos);
    EXPECT_EQ(exchanges_.size(), 2u);
}

class ConnectAmazon : public Connect {
protected:
    void SetUp() override {
        Connect::SetUp();
        ShopRecord s = *store_->get_shop("uk");
        s.shop.id = "amz-fr";
        s.shop.platform = "amazon";
        s.shop.country = "FR";
        s.base_url = "https://sellingpartnerapi-eu.amazon.com";
        s.settings_json = R"({"client_id":"amzn1.application-oa2-client.x","application_id":"amzn1.sp.solution.y"})";
        s.sealed_credentials = vault_->seal({{"client_secret", "lwa-secret"}});
        store_->put_shop(s);
        reply_ = {200,
                  R"({"access_token":"Atza|a","refresh_token":"Atzr|new","token_type":"bearer","expires_in":3600})"};
    }
    Response callback(const std::string& state, const std::string& code = "ANcode") {
        Request r;
        r.method = "GET";
        std::string error;
        EXPECT_TRUE(parse_target("/connect/amazon/callback?spapi_oauth_code=" + code + "&selling_partner_id=A3SELLER",
                                 r, error));
        r.query["state"] = state;
        r.headers = {{"Host", "pcgd.example"}, {"X-Forwarded-Proto", "https"}};
        return router_->handle(r, *store_, config_);
    }
    std::string amazon_state(std::int64_t expires = now + 3600000) {
        return connect::sign_state(connect::state_key(*vault_),
                                   connect::State{"amazon", "amz-fr", expires, connect::new_nonce()});
    }
};

TEST_F(ConnectAmazon, ConsentUrlOfTheShopsSellerCentral) {
    const auto shop = *store_->get_shop("amz-fr");
    const auto url = connect::amazon_authorize_url(shop, vault_->open(shop.sealed_credentials),
                                                   connect::state_key(*vault_), "https://pcgd.example", now);
    const std::string expected =
        "https://sellercentral.amazon.fr/apps/authorize/"
        "consent?application_id=amzn1.sp.solution.y&state=amazon.amz-fr.";
    EXPECT_EQ(url.substr(0, expected.size()), expected);
    const std::string tail = "&redirect_uri=https%3A%2F%2Fpcgd.example%2Fconnect%2Famazon%2Fcallback";
    EXPECT_EQ(url.substr(url.size() - tail.size()), tail);
    // An app still in draft asks for a beta authorization.
    auto draft = shop;
    draft.settings_json.insert(draft.settings_json.rfind('}'), R"(,"draft_app":true)");
    const auto beta = connect::amazon_authorize_url(draft, vault_->open(shop.sealed_credentials),
                                                    connect::state_key(*vault_), "https://pcgd.example", now);
    EXPECT_EQ(beta.substr(beta.size() - tail.size() - 13), tail + "&version=beta");
    auto bare = shop;
    bare.settings_json = R"({"client_id":"c"})";
    EXPECT_THROW(connect::amazon_authorize_url(bare, {{"client_secret", "s"}}, "k", "https://pcgd.example", now),
                 std::invalid_argument);
    EXPECT_THROW(connect::amazon_authorize_url(*store_->get_shop("uk"), {}, "k", "https://pcgd.example", now),
                 std::invalid_argument);
}

TEST_F(ConnectAmazon, CallbackExchangesTheCodeForARefreshToken) {
    const std::string state = amazon_state();
    const auto r = callback(state);
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(exchanges_,
              (std::vector<std::string>{"https://api.amazon.com/auth/o2/token grant_type=authorization_code&code=ANcode"
                                        "&redirect_uri=https%3A%2F%2Fpcgd.example%2Fconnect%2Famazon%2Fcallback"
                                        "&client_id=amzn1.application-oa2-client.x&client_secret=lwa-secret"}));
    EXPECT_EQ(vault_->open(store_->get_shop("amz-fr")->sealed_credentials),
              (std::map<std::string, std::string>{
                  {"client_secret", "lwa-secret"}, {"refresh_token", "Atzr|new"}, {"selling_partner_id", "A3SELLER"}}));
    EXPECT_EQ(callback(state).status, 400u);                  // used once
    EXPECT_EQ(callback(amazon_state(now - 1)).status, 400u);  // expired
    EXPECT_EQ(callback(fresh_state("uk")).status, 400u);      // a Shopify link
    reply_ = {400, R"({"error":"invalid_grant"})"};
    EXPECT_EQ(callback(amazon_state()).status, 502u);
    EXPECT_EQ(exchanges_.size(), 2u);
}

TEST_F(Connect, EbayConsentAndCodeGrant) {
    ShopRecord s = *store_->get_shop("uk");
    s.shop.id = "eb";
    s.shop.platform = "ebay";
    s.base_url = "https://api.ebay.com";
    s.settings_json = R"({"ru_name":"Lumiere-App-PRD-x"})";
    s.sealed_credentials = vault_->seal({{"client_id", "App-ID"}, {"client_secret", "Cert-ID"}});
    store_->put_shop(s);
    const auto url =
        connect::ebay_authorize_url(s, vault_->open(s.sealed_credentials), connect::state_key(*vault_), now);
    const std::string expected =
        "https://auth.ebay.com/oauth2/authorize?client_id=App-ID&redirect_uri=Lumiere-App-PRD-x&response_type=code"
        "&scope=https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope%2Fsell.inventory.readonly%20https%3A%2F%2Fapi.ebay.com";
    EXPECT_EQ(url.substr(0, expected.size()), expected);
    EXPECT_NE(url.find("&state=ebay.eb."), std::string::npos);
    EXPECT_THROW(connect::ebay_authorize_url(s, {{"client_id", "App-ID"}}, "k", now), std::invalid_argument);

    reply_ = {200,
              R"({"access_token":"v^a","expires_in":7200,"refresh_token":"v^r","refresh_token_expires_in":47304000})"};
    const std::string state = connect::sign_state(connect::state_key(*vault_),
                                                  connect::State{"ebay", "eb", now + 1000, connect::new_nonce()});
    Request r;
    r.method = "GET";
    r.path = "/connect/ebay/callback";
    r.query = {{"code", "v^1.1#code"}, {"state", state}, {"expires_in", "299"}};
    const auto answer = router_->handle(r, *store_, config_);
    EXPECT_EQ(answer.status, 200u) << answer.body;
    // Basic base64("App-ID:Cert-ID"), as `printf App-ID:Cert-ID | base64` gives.
    EXPECT_EQ(exchanges_, (std::vector<std::string>{"https://api.ebay.com/identity/v1/oauth2/token "
                                                    "grant_type=authorization_code&code=v%5E1.1%23code"
                                                    "&redirect_uri=Lumiere-App-PRD-x Basic QXBwLUlEOkNlcnQtSUQ="}));
    const auto creds = vault_->open(store_->get_shop("eb")->sealed_credentials);
    EXPECT_EQ(creds.at("refresh_token"), "v^r");
    // 2026-11-01 + 47,304,000 s (547.5 days): the grant's end, for `pcgd shop check`.
    EXPECT_EQ(creds.at("refresh_token_expires_at"), "2028-05-01T12:00:00Z");
    EXPECT_EQ(router_->handle(r, *store_, config_).status, 400u);  // used once
}

}  // namespace

namespace {

// The dashboard's "connect" button: the same link as `pcgd shop connect`,
// with the callback at the address the service was reached at.
TEST_F(Connect, TheApiGivesTheConsentLinkToSend) {
    const std::string admin = new_token();
    store_->add_token(ApiToken{0, token_hash(admin), "admin", "", "test", 1, std::nullopt});
    Request r;
    r.method = "POST";
    r.path = "/api/shops/uk/connect";
    r.authorization = "Bearer " + admin;
    r.headers = {{"Host", "pcgd.example:8443"}, {"X-Forwarded-Proto", "https"}};
    const auto answer = router_->handle(r, *store_, config_);
    ASSERT_EQ(answer.status, 200u) << answer.body;
    rapidjson::Document d;
    d.Parse(answer.body.c_str());
    ASSERT_TRUE(d.IsObject()) << answer.body;
    EXPECT_STREQ(d["platform"].GetString(), "shopify");
    EXPECT_STREQ(d["callback"].GetString(), "https://pcgd.example:8443/connect/shopify/callback");
    EXPECT_EQ(d["expires_at"].GetString(), pcgd::model::format_iso8601(now + connect::link_validity_ms));
    const std::string url = d["url"].GetString();
    EXPECT_EQ(url.rfind("https://lumiere.myshopify.com/admin/oauth/authorize?client_id=cid&scope=", 0), 0u) << url;
    EXPECT_NE(url.find("redirect_uri=https%3A%2F%2Fpcgd.example%3A8443%2Fconnect%2Fshopify%2Fcallback"),
              std::string::npos)
        << url;
    // Its state is one this service accepts, for this shop.
    const auto at = url.find("state=");
    ASSERT_NE(at, std::string::npos);
    std::string state = url.substr(at + 6, url.find('&', at) - at - 6);
    for (std::size_t p; (p = state.find("%2E")) != std::string::npos;) state.replace(p, 3, ".");
    std::string error;
    const auto claims = connect::verify_state(connect::state_key(*vault_), state, now, error);
    ASSERT_TRUE(claims) << error << " " << state;
    EXPECT_EQ(claims->shop_id, "uk");

    // A shop without a consent page is told so; no Host, no link.
    ShopRecord woo = *store_->get_shop("uk");
    woo.shop.id = "fr";
    woo.shop.platform = "woocommerce";
    store_->put_shop(woo);
    r.path = "/api/shops/fr/connect";
    const auto refused = router_->handle(r, *store_, config_);
    EXPECT_EQ(refused.status, 422u);
    EXPECT_NE(refused.body.find("implemented for shopify, amazon and ebay; shop 'fr' is on woocommerce"),
              std::string::npos)
        << refused.body;
    r.path = "/api/shops/uk/connect";
    r.headers.clear();
    EXPECT_EQ(router_->handle(r, *store_, config_).body,
              R"j({"error":"no Host header and no [server] public_url: the callback's address is unknown"})j");

    // A configured address wins over what the request says (a proxy's Host).
    r.headers = {{"Host", "10.0.0.5:8080"}};
    Config behind_proxy = config_;
    behind_proxy.server.public_url = "https://pcgd.example";
    const auto configured = router_->handle(r, *store_, behind_proxy);
    ASSERT_EQ(configured.status, 200u) << configured.body;
    d.Parse(configured.body.c_str());
    EXPECT_STREQ(d["callback"].GetString(), "https://pcgd.example/connect/shopify/callback");
}

}  // namespace
