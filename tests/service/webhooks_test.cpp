// Webhook deliveries through the router, without a socket: a real SQLite
// store, shops with sealed secrets and a recording fake sync queue. The
// signature vectors were computed independently with
// `openssl dgst -sha256 -hmac SECRET -binary | base64`.
#include "server/webhooks.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/api.hpp"
#include "store/store.hpp"

using namespace pcgd::host;
using namespace pcgd::host::server;

namespace {

const std::string shopify_secret = "my_app_client_secret";
const std::string shopify_body = R"({"id":820982911946154508,"email":"jon@example.com","total_price":"403.00"})";
const std::string shopify_signature = "mf0euyxdte70lydNblUoH1eL2UATk1BcjvysoM1CdxU=";
const std::string woo_secret = "wh_example_secret_0123456789";
const std::string woo_signature = "w6eYR6tQcUXEIaVGU9jsDc25bxzAFej/dd4Cf7EIEno=";
constexpr std::int64_t now = 1793491200000;  // 2026-11-01T00:00:00Z
const std::string fresh = "2026-10-31T23:59:30.123456789Z";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(WebhookSignature, KnownVectors) {
    EXPECT_EQ(webhooks::base64(webhooks::hmac_sha256(shopify_secret, shopify_body)), shopify_signature);
    const auto woo_body = read_file(PCGD_WOOCOMMERCE_DATA_DIR "/webhook_order_updated_body.json");
    ASSERT_EQ(woo_body.size(), 2445u);
    EXPECT_TRUE(webhooks::verify_body_signature(woo_secret, woo_body, woo_signature));
    // Shopify's OAuth query HMAC: hex, same primitive.
    EXPECT_EQ(webhooks::hex(webhooks::hmac_sha256(
                  "hush",
                  "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823"
                  "&timestamp=1337178173")),
              "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf");
    EXPECT_EQ(webhooks::base64(""), "");
    EXPECT_EQ(webhooks::base64("ab"), "YWI=");
}

TEST(WebhookSignature, RefusesAnythingButTheExactSignatureOfTheRawBytes) {
    EXPECT_TRUE(webhooks::verify_body_signature(shopify_secret, shopify_body, shopify_signature));
    EXPECT_FALSE(webhooks::verify_body_signature(shopify_secret, shopify_body + " ", shopify_signature));
    EXPECT_FALSE(webhooks::verify_body_signature("other", shopify_body, shopify_signature));
    EXPECT_FALSE(webhooks::verify_body_signature(shopify_secret, shopify_body, shopify_signature.substr(0, 43)));
    EXPECT_FALSE(webhooks::verify_body_signature(shopify_secret, shopify_body, ""));
    EXPECT_FALSE(webhooks::verify_body_signature("", shopify_body, shopify_signature));
    // The hex digest of the same HMAC is not accepted in place of base64.
    EXPECT_FALSE(webhooks::verify_body_signature(shopify_secret, shopify_body,
                                                 webhooks::hex(webhooks::hmac_sha256(shopify_secret, shopify_body))));
    EXPECT_TRUE(webhooks::constant_time_equal("abc", "abc"));
    EXPECT_FALSE(webhooks::constant_time_equal("abc", "abd"));
    EXPECT_FALSE(webhooks::constant_time_equal("abc", "ab"));
}

TEST(WebhookSignature, TimestampWindow) {
    EXPECT_EQ(webhooks::timestamp_problem(fresh, now), "");
    EXPECT_EQ(webhooks::timestamp_problem("2026-10-30T00:00:01Z", now), "");
    EXPECT_EQ(webhooks::timestamp_problem("2026-10-29T23:59:59Z", now),
              "it was triggered at 2026-10-29T23:59:59Z, more than 48 h ago (a replay, or a retry too late to tell "
              "from one)");
    EXPECT_EQ(webhooks::timestamp_problem("2026-11-01T00:06:00Z", now),
              "it was triggered at 2026-11-01T00:06:00Z, in the future by more than 5 min");
    EXPECT_EQ(webhooks::timestamp_problem("yesterday", now), "its timestamp 'yesterday' is not ISO 8601");
}

class Webhooks : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/pcgd-webhooks-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        open();
        std::array<std::uint8_t, 32> key{};
        key[0] = 7;
        vault_ = std::make_shared<const Vault>(key);
        add_shop("uk-shopify", "shopify", {{"access_token", "shpat_x"}, {"client_secret", shopify_secret}});
        add_shop("fr-woo", "woocommerce", {{"consumer_key", "ck"}, {"webhook_secret", woo_secret}});
        add_shop("no-secret", "shopify", {{"access_token", "shpat_x"}});
        // Same secret as uk-shopify, another platform: a Shopify delivery must not be taken for it.
        add_shop("other", "testshop", {{"client_secret", shopify_secret}});
        make_api();
    }
    void TearDown() override {
        router_.reset();
        api_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    void open() { store_ = open_sqlite_store(dir_ + "/pcgd.db"); }
    void make_api() {
        router_.reset();
        api_ = std::make_unique<Api>(Api{metrics_, [] { return std::string(); }, [] { return now; }});
        api_->vault = vault_;
        api_->request_sync = [this](const std::string& shop, const std::string& reason) {
            syncs_.push_back(shop + " " + reason);
            return SyncTicket{static_cast<std::int64_t>(syncs_.size()), false};
        };
        router_ = std::make_unique<Router>();
        add_all_routes(*router_, *api_);
    }

    void add_shop(const std::string& id, const std::string& platform, const std::map<std::string, std::string>& creds) {
        ShopRecord s;
        s.shop.id = id;
        s.shop.platform = platform;
        s.shop.country = "GB";
        s.shop.currency = pcgd::model::Currency::of("GBP");
        s.shop.time_zone = "UTC";
        s.base_url = "http://127.0.0.1:1";
        s.sealed_credentials = vault_->seal(creds);
        store_->put_shop(s);
    }

    Response post(const std::string& path, const std::string& body,
                  std::vector<std::pair<std::string, std::string>> headers) {
        Request r;
        r.method = "POST";
        std::string error;
        EXPECT_TRUE(parse_target(path, r, error)) << error;
        r.body = body;
        r.headers = std::move(headers);
        return router_->handle(r, *store_, config_);
    }
    Response shopify(const std::string& shop, const std::string& id, const std::string& signature,
                     const std::string& triggered_at = fresh, const std::string& prefix = "X-") {
        return post("/webhooks/shopify/" + shop, shopify_body,
                    {{prefix + "Shopify-Topic", "orders/create"},
                     {prefix + "Shopify-Hmac-Sha256", signature},
                     {prefix + "Shopify-Webhook-Id", id},
                     {prefix + "Shopify-Triggered-At", triggered_at}});
    }
    Response woo(const std::string& shop, const std::string& delivery, const std::string& signature) {
        static const auto body = read_file(PCGD_WOOCOMMERCE_DATA_DIR "/webhook_order_updated_body.json");
        return post("/webhooks/woocommerce/" + shop, body,
                    {{"X-WC-Webhook-Topic", "order.updated"},
                     {"X-WC-Webhook-Signature", signature},
                     {"X-WC-Webhook-ID", "142"},
                     {"X-WC-Webhook-Delivery-ID", delivery}});
    }

    std::string dir_;
    std::unique_ptr<Store> store_;
    std::shared_ptr<const Vault> vault_;
    Config config_;
    Metrics metrics_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Router> router_;
    std::vector<std::string> syncs_;
};

const char* refused = R"j({"error":"the delivery's signature does not verify for this shop"})j";

TEST_F(Webhooks, ShopifyGoodDeliveryQueuesOneSync) {
    const auto r = shopify("uk-shopify", "b54557e4-1", shopify_signature);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"j({"status":"queued","sync":1,"already_queued":false})j");
    EXPECT_EQ(r.route, "/webhooks/shopify/{shop_id}");
    EXPECT_EQ(syncs_, (std::vector<std::string>{"uk-shopify webhook"}));
}

TEST_F(Webhooks, ShopifyHeadersWithoutTheXPrefix) {
    const auto r = shopify("uk-shopify", "b54557e4-2", shopify_signature, fresh, "");
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(syncs_.size(), 1u);
    // Header names are case-insensitive.
    const auto lower = post("/webhooks/shopify/uk-shopify", shopify_body,
                            {{"x-shopify-hmac-sha256", shopify_signature},
                             {"x-shopify-webhook-id", "b54557e4-3"},
                             {"x-shopify-triggered-at", fresh}});
    EXPECT_EQ(lower.status, 200u) << lower.body;
    EXPECT_EQ(syncs_.size(), 2u);
}

TEST_F(Webhooks, ShopifyDuplicateIsAnsweredAndDropped) {
    EXPECT_EQ(shopify("uk-shopify", "dup-1", shopify_signature).status, 200u);
    const auto again = shopify("uk-shopify", "dup-1", shopify_signature);
    EXPECT_EQ(again.status, 200u);
    EXPECT_EQ(again.body, R"j({"status":"duplicate"})j");
    EXPECT_EQ(syncs_.size(), 1u);
    // Remembered across a restart of the service.
    router_.reset();
    api_.reset();
    store_.reset();
    open();
    make_api();
    EXPECT_EQ(shopify("uk-shopify", "dup-1", shopify_signature).body, R"j({"status":"duplicate"})j");
    EXPECT_EQ(syncs_.size(), 1u);
    EXPECT_EQ(shopify("uk-shopify", "dup-2", shopify_signature).status, 200u);
    EXPECT_EQ(syncs_.size(), 2u);
}

TEST_F(Webhooks, ShopifyBadMissingAndWrongPrefixSignaturesAreRefused) {
    const auto bad = shopify("uk-shopify", "x1", "mf0euyxdte70lydNblUoH1eL2UATk1BcjvysoM1CdxV=");
    EXPECT_EQ(bad.status, 401u);
    EXPECT_EQ(bad.body, refused);
    const auto missing = post("/webhooks/shopify/uk-shopify", shopify_body,
                              {{"X-Shopify-Webhook-Id", "x2"}, {"X-Shopify-Triggered-At", fresh}});
    EXPECT_EQ(missing.status, 401u);
    EXPECT_EQ(missing.body, R"j({"error":"the delivery is not signed (no X-Shopify-Hmac-Sha256 header)"})j");
    // Only "X-" or no prefix: another prefix is no signature at all.
    EXPECT_EQ(shopify("uk-shopify", "x3", shopify_signature, fresh, "Y-").status, 401u);
    EXPECT_EQ(shopify("uk-shopify", "x4", shopify_signature, fresh, "X-X-").status, 401u);
    // The WooCommerce header does not sign a Shopify delivery.
    EXPECT_EQ(post("/webhooks/shopify/uk-shopify", shopify_body,
                   {{"X-WC-Webhook-Signature", shopify_signature}, {"X-Shopify-Webhook-Id", "x5"}})
                  .status,
              401u);
    // A body changed by one byte.
    EXPECT_EQ(post("/webhooks/shopify/uk-shopify", shopify_body + "\n",
                   {{"X-Shopify-Hmac-Sha256", shopify_signature},
                    {"X-Shopify-Webhook-Id", "x6"},
                    {"X-Shopify-Triggered-At", fresh}})
                  .status,
              401u);
    EXPECT_TRUE(syncs_.empty());
    // None of the refused ids was remembered.
    EXPECT_FALSE(store_->delivery_seen("uk-shopify", "x1"));
}

TEST_F(Webhooks, UnknownShopWrongPlatformAndNoSecretLookTheSame) {
    for (const char* shop : {"nobody", "fr-woo", "other", "no-secret"}) {
        const auto r = shopify(shop, "y1", shopify_signature);
        EXPECT_EQ(r.status, 401u) << shop;
        EXPECT_EQ(r.body, refused) << shop;
    }
    EXPECT_EQ(woo("uk-shopify", "y2", woo_signature).body, refused);
    EXPECT_TRUE(syncs_.empty());
}

TEST_F(Webhooks, ShopifyReplayOutsideTheWindowIsRefused) {
    const auto stale = shopify("uk-shopify", "old-1", shopify_signature, "2026-10-29T12:00:00Z");
    EXPECT_EQ(stale.status, 401u);
    EXPECT_EQ(
        stale.body,
        R"j({"error":"delivery refused: it was triggered at 2026-10-29T12:00:00Z, more than 48 h ago (a replay, or a retry too late to tell from one)"})j");
    const auto undated = post("/webhooks/shopify/uk-shopify", shopify_body,
                              {{"X-Shopify-Hmac-Sha256", shopify_signature}, {"X-Shopify-Webhook-Id", "old-2"}});
    EXPECT_EQ(undated.status, 401u);
    EXPECT_EQ(undated.body, R"j({"error":"no X-Shopify-Triggered-At header"})j");
    const auto no_id = post("/webhooks/shopify/uk-shopify", shopify_body,
                            {{"X-Shopify-Hmac-Sha256", shopify_signature}, {"X-Shopify-Triggered-At", fresh}});
    EXPECT_EQ(no_id.status, 400u);
    EXPECT_EQ(no_id.body, R"j({"error":"no X-Shopify-Webhook-Id header: a delivery must name its id"})j");
    EXPECT_TRUE(syncs_.empty());
}

TEST_F(Webhooks, WithoutASyncQueueTheDeliveryIsNotTaken) {
    api_->request_sync = nullptr;
    const auto r = shopify("uk-shopify", "q-1", shopify_signature);
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(r.body, R"j({"error":"no sync queue runs in this service: the delivery was not taken"})j");
    // Not remembered: the platform's retry is taken once a queue runs.
    make_api();
    EXPECT_EQ(shopify("uk-shopify", "q-1", shopify_signature).status, 200u);
    EXPECT_EQ(syncs_.size(), 1u);
}

TEST_F(Webhooks, WooCommerceGoodDuplicateBadMissing) {
    const auto good = woo("fr-woo", "6a3f0c2e9b1d4e8fa7c5b3d1e2f4a6b8", woo_signature);
    EXPECT_EQ(good.status, 200u) << good.body;
    EXPECT_EQ(good.body, R"j({"status":"queued","sync":1,"already_queued":false})j");
    const auto dup = woo("fr-woo", "6a3f0c2e9b1d4e8fa7c5b3d1e2f4a6b8", woo_signature);
    EXPECT_EQ(dup.body, R"j({"status":"duplicate"})j");
    EXPECT_EQ(woo("fr-woo", "d2", "w6eYR6tQcUXEIaVGU9jsDc25bxzAFej/dd4Cf7EIEnA=").status, 401u);
    const auto missing = post("/webhooks/woocommerce/fr-woo", R"({"id":727})", {{"X-WC-Webhook-Delivery-ID", "d3"}});
    EXPECT_EQ(missing.status, 401u);
    EXPECT_EQ(missing.body, R"j({"error":"the delivery is not signed (no X-WC-Webhook-Signature header)"})j");
    const auto no_id =
        post("/webhooks/woocommerce/fr-woo", read_file(PCGD_WOOCOMMERCE_DATA_DIR "/webhook_order_updated_body.json"),
             {{"X-WC-Webhook-Signature", woo_signature}});
    EXPECT_EQ(no_id.status, 400u);
    EXPECT_EQ(syncs_, (std::vector<std::string>{"fr-woo webhook"}));
}

TEST_F(Webhooks, WooCommercePingIsAnsweredWithoutASync) {
    const auto ping =
        post("/webhooks/woocommerce/fr-woo", "webhook_id=142", {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(ping.status, 200u);
    EXPECT_EQ(ping.body, R"j({"status":"ping"})j");
    // Anything else unsigned is not a ping.
    EXPECT_EQ(post("/webhooks/woocommerce/fr-woo", "webhook_id=142&x=1", {}).status, 401u);
    EXPECT_EQ(post("/webhooks/woocommerce/fr-woo", "webhook_id=", {}).status, 401u);
    // A signed ping-shaped body is a delivery, checked as one.
    EXPECT_EQ(post("/webhooks/woocommerce/fr-woo", "webhook_id=142", {{"X-WC-Webhook-Signature", "AAAA"}}).status,
              401u);
    EXPECT_TRUE(syncs_.empty());
}

TEST_F(Webhooks, OnlyPostAndNoTokenNeeded) {
    Request r;
    r.method = "GET";
    r.path = "/webhooks/shopify/uk-shopify";
    EXPECT_EQ(router_->handle(r, *store_, config_).status, 405u);
}

TEST_F(Webhooks, DeliveriesArePrunedAfterTheWindow) {
    store_->record_delivery("uk-shopify", "a", 1000, 0);
    EXPECT_TRUE(store_->delivery_seen("uk-shopify", "a"));
    EXPECT_FALSE(store_->delivery_seen("fr-woo", "a"));
    store_->record_delivery("fr-woo", "b", 2000, 1001);
    EXPECT_FALSE(store_->delivery_seen("uk-shopify", "a"));
    EXPECT_TRUE(store_->delivery_seen("fr-woo", "b"));
    // Removing the shop forgets its deliveries.
    EXPECT_TRUE(store_->remove_shop("fr-woo"));
    EXPECT_FALSE(store_->delivery_seen("fr-woo", "b"));
}

}  // namespace
