// The emulator's woocommerce module without a socket: OAuth 1.0a checks in
// WooCommerce's order (signed here with the plugin's own signer, and with
// HMAC-SHA1 by hand), the server clock in Date, WordPress paging headers,
// the legacy-store option, the trash and the cost of goods.
#include <pcgd/emulator/emulator.hpp>

#include "auth.hpp"

#include <gtest/gtest.h>

using namespace pcgd;
using namespace pcgd::emulator;

namespace {

constexpr const char* key = "ck_4c1d2b0a9e8f7d6c5b4a39281706f5e4d3c2b1a0";
constexpr const char* secret = "cs_0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3";
constexpr const char* host = "127.0.0.1:8080";
const std::string origin = std::string("http://") + host;

struct Shop {
    std::int64_t steady_ms = 0;
    std::unique_ptr<Emulator> emulator;

    explicit Shop(const std::string& data = "generated", int products = 12, int orders = 40) {
        EmulatorOptions o;
        o.platform = "woocommerce";
        o.generator.seed = 4;
        o.generator.products = products;
        o.generator.orders = orders;
        o.module.data = data;
        o.module.steady_now_ms = [this] { return steady_ms; };
        emulator = std::make_unique<Emulator>(o);
    }

    Response get(const std::string& target, std::map<std::string, std::string> headers = {}) {
        headers["Host"] = host;
        return emulator->dispatch(Request::make("GET", target, "", std::move(headers))).response;
    }

    /// With the keys in the query string.
    Response keyed(const std::string& path_and_query) {
        const char sep = path_and_query.find('?') == std::string::npos ? '?' : '&';
        return get(path_and_query + sep + "consumer_key=" + key + "&consumer_secret=" + secret);
    }

    /// Signed as the plugin signs, at `timestamp_s`.
    Response signed_get(const std::string& path_and_query, std::int64_t timestamp_s, const std::string& nonce,
                        const std::string& with_secret = secret) {
        const std::string url = woocommerce::oauth1_signed_url("GET", origin + path_and_query, key, with_secret, timestamp_s, nonce);
        return get(url.substr(origin.size()));
    }
};

std::string header(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return {};
}

std::string message_of(const Response& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    return d.IsObject() && d.HasMember("message") ? d["message"].GetString() : r.body;
}

rapidjson::Document body(const Response& r) {
    rapidjson::Document d;
    json::parse(d, r.body);
    return d;
}

constexpr std::int64_t now_s = emulator::default_now_ms / 1000;  // the server's clock at start

}  // namespace

TEST(WooCommerceEmulator, OAuthChecksSignatureThenTimestampThenNonce) {
    Shop shop;
    EXPECT_EQ(shop.signed_get("/wp-json/wc/v3/products?per_page=5", now_s, "a1").status, 200);
    const auto replay = shop.signed_get("/wp-json/wc/v3/products?per_page=5", now_s, "a1");
    EXPECT_EQ(replay.status, 401);
    EXPECT_EQ(message_of(replay), "Invalid nonce - nonce has already been used.");
    const auto wrong = shop.signed_get("/wp-json/wc/v3/products", now_s - 3600, "a2", "cs_wrong");
    EXPECT_EQ(message_of(wrong), "Invalid signature - provided signature does not match.") << "the signature is checked first";
    EXPECT_EQ(message_of(shop.signed_get("/wp-json/wc/v3/products", now_s - 16 * 60, "a3")), "Invalid timestamp.");
    EXPECT_EQ(message_of(shop.signed_get("/wp-json/wc/v3/products", now_s + 16 * 60, "a4")), "Invalid timestamp.");
    EXPECT_EQ(shop.signed_get("/wp-json/wc/v3/products", now_s - 14 * 60, "a5").status, 200);
    // The server's clock runs on: twenty minutes later the same timestamp is stale.
    shop.steady_ms += 20 * 60 * 1000;
    EXPECT_EQ(message_of(shop.signed_get("/wp-json/wc/v3/products", now_s, "a6")), "Invalid timestamp.");
    EXPECT_EQ(header(shop.get("/wp-json/wc/v3/products"), "Date"), "Sun, 01 Nov 2026 00:20:00 GMT");
    EXPECT_EQ(shop.signed_get("/wp-json/wc/v3/products", now_s + 20 * 60, "a7").status, 200);
}

TEST(WooCommerceEmulator, OAuthHmacSha1AndMissingParameters) {
    Shop shop;
    const std::string url = origin + "/wp-json/wc/v3/orders?page=2";
    woocommerce::Params params = {{"page", "2"},
                                  {"oauth_consumer_key", key},
                                  {"oauth_nonce", "s1"},
                                  {"oauth_signature_method", "HMAC-SHA1"},
                                  {"oauth_timestamp", std::to_string(now_s)}};
    const std::string signature = woocommerce::oauth1_signature(woocommerce::HmacAlgorithm::sha1,
                                                                woocommerce::signature_base_string("GET", url, params), secret);
    std::string target = "/wp-json/wc/v3/orders?page=2";
    for (std::size_t i = 1; i < params.size(); ++i) target += "&" + params[i].first + "=" + woocommerce::percent_encode(params[i].second);
    EXPECT_EQ(shop.get(target + "&oauth_signature=" + woocommerce::percent_encode(signature)).status, 200);
    EXPECT_EQ(message_of(shop.get("/wp-json/wc/v3/orders?oauth_consumer_key=" + std::string(key) + "&oauth_timestamp=1&oauth_signature=x&"
                                  "oauth_signature_method=HMAC-SHA1")),
              "Missing OAuth parameter oauth_nonce");
    EXPECT_EQ(message_of(shop.get("/wp-json/wc/v3/orders?oauth_consumer_key=ck_other&oauth_timestamp=1&oauth_nonce=1&"
                                  "oauth_signature=x&oauth_signature_method=HMAC-SHA1")),
              "Consumer key is invalid.");
    EXPECT_EQ(message_of(shop.get("/wp-json/wc/v3/orders?oauth_consumer_key=" + std::string(key) +
                                  "&oauth_timestamp=1&oauth_nonce=1&oauth_signature=x&oauth_signature_method=PLAINTEXT")),
              "Invalid signature - signature method is invalid.");
}

TEST(WooCommerceEmulator, BasicAndQueryKeys) {
    Shop shop;
    EXPECT_EQ(shop.get("/wp-json/wc/v3/orders", {{"Authorization", woocommerce::basic_authorization(key, secret)}}).status, 200);
    const auto bad = shop.get("/wp-json/wc/v3/orders", {{"Authorization", woocommerce::basic_authorization(key, "cs_no")}});
    EXPECT_EQ(bad.status, 401);
    EXPECT_EQ(bad.body, R"({"code":"woocommerce_rest_authentication_error","message":"Consumer secret is invalid.","data":{"status":401}})");
    EXPECT_EQ(shop.keyed("/wp-json/wc/v3/orders").status, 200);
    EXPECT_EQ(shop.get("/wp-json/wc/v3/orders?consumer_key=ck_no&consumer_secret=x").status, 401);
}

TEST(WooCommerceEmulator, WordPressPagingHeaders) {
    Shop shop;
    const auto r = shop.keyed("/wp-json/wc/v3/orders?per_page=15&page=2&orderby=id&order=asc");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(header(r, "X-WP-Total"), "40");
    EXPECT_EQ(header(r, "X-WP-TotalPages"), "3");
    EXPECT_EQ(header(r, "Link"), "<http://127.0.0.1:8080/wp-json/wc/v3/orders?page=1>; rel=\"prev\", "
                                 "<http://127.0.0.1:8080/wp-json/wc/v3/orders?page=3>; rel=\"next\"");
    const auto page = body(r);
    ASSERT_EQ(page.Size(), 15u);
    EXPECT_LT(page[0]["id"].GetInt64(), page[1]["id"].GetInt64());
    EXPECT_EQ(body(shop.keyed("/wp-json/wc/v3/orders")).Size(), 10u) << "per_page defaults to 10";
    EXPECT_EQ(shop.keyed("/wp-json/wc/v3/orders?per_page=0").status, 400);
    EXPECT_EQ(shop.keyed("/wp-json/wc/v3/orders?page=0").status, 400);
    EXPECT_EQ(shop.keyed("/wp-json/wc/v3/orders?orderby=total").status, 400);
}

TEST(WooCommerceEmulator, ModifiedAfterFiltersUnlessTheStoreIsOld) {
    for (const bool legacy : {false, true}) {
        Shop shop(legacy ? "generated,legacy-store" : "generated");
        const auto all = shop.keyed("/wp-json/wc/v3/orders?per_page=100");
        shop.emulator->module().mutate();
        const auto since = shop.keyed("/wp-json/wc/v3/orders?per_page=100&modified_after=2026-11-01T00:30:00&dates_are_gmt=true");
        EXPECT_EQ(since.status, 200);
        if (legacy) {
            EXPECT_EQ(header(since, "X-WP-Total"), "42") << "every order, the filter ignored";
            EXPECT_EQ(shop.keyed("/wp-json/wc/v3/orders?orderby=modified").status, 400);
            EXPECT_EQ(body(shop.keyed("/wp-json/wc/v3/products?per_page=1"))[0].HasMember("cost_of_goods_sold"), false);
        } else {
            const auto changed = body(since);
            EXPECT_GE(changed.Size(), 3u);
            EXPECT_LT(changed.Size(), 10u);
            for (const auto& o : changed.GetArray()) EXPECT_STREQ(o["date_modified_gmt"].GetString(), "2026-11-01T01:00:00");
            EXPECT_EQ(shop.keyed("/wp-json/wc/v3/orders?orderby=modified").status, 200);
        }
        EXPECT_EQ(header(all, "X-WP-Total"), "40");
    }
}

TEST(WooCommerceEmulator, DeletedProductsAreInTheTrash) {
    Shop shop;
    const auto before = body(shop.keyed("/wp-json/wc/v3/products?status=trash"));
    const auto report = shop.emulator->module().mutate();
    ASSERT_EQ(report.products_deleted.size(), 1u);
    const auto trash = body(shop.keyed("/wp-json/wc/v3/products?status=trash&orderby=modified&order=desc"));
    ASSERT_EQ(trash.Size(), before.Size() + 1);
    EXPECT_EQ(std::to_string(trash[0]["id"].GetInt64()), report.products_deleted[0]);
    EXPECT_STREQ(trash[0]["status"].GetString(), "trash");
    EXPECT_STREQ(trash[0]["date_modified_gmt"].GetString(), "2026-11-01T01:00:00");
    EXPECT_STREQ(trash[0]["date_modified"].GetString(), "2026-11-01T01:00:00") << "London in winter is GMT";
    const auto listed = body(shop.keyed("/wp-json/wc/v3/products?per_page=100"));
    for (const auto& p : listed.GetArray()) EXPECT_STRNE(p["status"].GetString(), "trash") << "status any leaves the trash out";
}

TEST(WooCommerceEmulator, CostOfGoodsAndLinePricesAreNumbers) {
    Shop shop;
    bool some_cost = false, some_unknown = false;
    const auto products = body(shop.keyed("/wp-json/wc/v3/products?per_page=100"));
    for (const auto& p : products.GetArray()) {
        if (std::string(p["type"].GetString()) != "simple") continue;
        const auto& cogs = p["cost_of_goods_sold"];
        ASSERT_TRUE(cogs["total_value"].IsNumber());
        (cogs["values"].Size() > 0 ? some_cost : some_unknown) = true;
    }
    EXPECT_TRUE(some_cost);
    Shop off("generated,no-cogs");
    EXPECT_FALSE(body(off.keyed("/wp-json/wc/v3/products?per_page=1"))[0].HasMember("cost_of_goods_sold"));
    const auto orders = body(shop.keyed("/wp-json/wc/v3/orders?per_page=100"));
    for (const auto& o : orders.GetArray())
        for (const auto& l : o["line_items"].GetArray()) ASSERT_TRUE(l["price"].IsNumber());
    EXPECT_EQ(shop.keyed("/wp-json/wc/v3/customers").status, 404);
    EXPECT_EQ(shop.emulator->dispatch(Request::make("POST", "/wp-json/wc/v3/orders")).response.status, 404);
}
