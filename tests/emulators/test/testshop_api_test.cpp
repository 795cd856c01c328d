// The testshop API through real sockets: an in-process server and a Beast client.
#include "client.hpp"

#include <pcgd/model/money.hpp>
#include <pcgd/sdk/json.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <set>

using namespace pcgd;
using namespace pcgd::emulator;
using namespace pcgd::emulator::testing;

namespace {

EmulatorOptions small(int products = 30, int orders = 400) {
    EmulatorOptions o;
    o.generator.seed = 11;
    o.generator.products = products;
    o.generator.orders = orders;
    o.module.bucket_capacity = 100000;  // paging tests must not wait on the rate limit
    return o;
}

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document d;
    json::parse(d, body);
    return d;
}

std::string token(HttpClient& c) {
    auto r = c.request("POST", "/oauth/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                       "grant_type=client_credentials&client_id=pcgd-test-client&client_secret=pcgd-test-secret");
    EXPECT_EQ(r.status, 200) << r.body;
    auto d = parse(r.body);
    EXPECT_STREQ(d["token_type"].GetString(), "Bearer");
    EXPECT_EQ(d["expires_in"].GetInt(), 3600);
    return d["access_token"].GetString();
}

/// Follows next_page_token to the end; returns every item.
std::vector<std::string> page_all(HttpClient& c, const std::string& auth, const std::string& first, const char* list,
                                  const std::function<void(const rapidjson::Value&)>& each = {}) {
    std::vector<std::string> ids;
    std::string target = first;
    const std::string path = first.substr(0, first.find('?'));
    for (int pages = 0; pages < 10000; ++pages) {
        auto r = c.get(target, {{"Authorization", "Bearer " + auth}});
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        if (r.status != 200) break;
        auto d = parse(r.body);
        for (const auto& item : d[list].GetArray()) {
            if (item.HasMember("id")) ids.emplace_back(item["id"].GetString());
            if (each) each(item);
        }
        if (d["next_page_token"].IsNull()) break;
        target = path + "?limit=" + (first.find("limit=") != std::string::npos ? first.substr(first.find("limit=") + 6, first.find('&', first.find("limit=")) - first.find("limit=") - 6) : "50") +
                 "&page_token=" + d["next_page_token"].GetString();
    }
    return ids;
}

}  // namespace

TEST(TestshopApi, AuthErrors) {
    RunningEmulator emu(small(5, 5));
    HttpClient c(emu.port());
    auto r = c.get("/api/v1/shop");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body, R"({"error":"invalid_token","error_description":"The access token is invalid or has expired"})");
    r = c.get("/api/v1/shop", {{"Authorization", "Bearer tst_nope"}});
    EXPECT_EQ(r.status, 401);
    r = c.request("POST", "/oauth/token", {}, "grant_type=client_credentials&client_id=pcgd-test-client&client_secret=wrong");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(parse(r.body)["error"].GetString(), std::string("invalid_client"));
    const std::string t = token(c);
    r = c.get("/api/v1/shop", {{"Authorization", "Bearer " + t}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parse(r.body)["shop"]["currency"].GetString(), std::string("GBP"));
    EXPECT_FALSE(r.header("x-ratelimit-limit").empty());
    EXPECT_FALSE(r.header("x-ratelimit-remaining").empty());
    EXPECT_EQ(c.connections(), 1) << "keep-alive";
}

TEST(TestshopApi, LimitAbove250Rejected) {
    RunningEmulator emu(small(5, 5));
    HttpClient c(emu.port());
    const std::string t = token(c);
    for (const char* bad : {"251", "0", "abc"}) {
        auto r = c.get(std::string("/api/v1/orders?limit=") + bad, {{"Authorization", "Bearer " + t}});
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_TRUE(parse(r.body).HasMember("error"));
    }
    EXPECT_EQ(c.get("/api/v1/orders?limit=250", {{"Authorization", "Bearer " + t}}).status, 200);
    EXPECT_EQ(c.get("/api/v1/orders?page_token=garbage", {{"Authorization", "Bearer " + t}}).status, 400);
}

TEST(TestshopApi, PagingMatchesGroundTruth) {
    RunningEmulator emu(small());
    HttpClient c(emu.port());
    auto truth = parse(c.get("/_emulator/summary").body);
    const std::string t = token(c);
    std::int64_t variants = 0, lines = 0, refunds = 0, total_minor = 0;
    auto products = page_all(c, t, "/api/v1/products?limit=7", "products",
                             [&](const rapidjson::Value& p) { variants += p["variants"].Size(); });
    auto orders = page_all(c, t, "/api/v1/orders?limit=33", "orders", [&](const rapidjson::Value& o) {
        lines += o["lines"].Size();
        refunds += o["refunds"].Size();
        total_minor += model::Money::parse(o["total"].GetString(), model::Currency::of("GBP")).minor;
    });
    std::int64_t traffic = 0;
    page_all(c, t, "/api/v1/traffic?limit=250", "traffic", [&](const rapidjson::Value&) { ++traffic; });
    auto deleted = page_all(c, t, "/api/v1/deletions?limit=250", "deletions");
    const auto& counts = truth["counts"];
    EXPECT_EQ(static_cast<std::int64_t>(products.size()), counts["products"].GetInt64());
    EXPECT_EQ(std::set<std::string>(products.begin(), products.end()).size(), products.size()) << "no duplicates";
    EXPECT_EQ(variants, counts["variants"].GetInt64());
    EXPECT_EQ(static_cast<std::int64_t>(orders.size()), counts["orders"].GetInt64());
    EXPECT_EQ(lines, counts["order_lines"].GetInt64());
    EXPECT_EQ(refunds, counts["refunds"].GetInt64());
    EXPECT_EQ(traffic, counts["traffic"].GetInt64());
    EXPECT_EQ(static_cast<std::int64_t>(deleted.size()), counts["deleted_products"].GetInt64());
    EXPECT_EQ(total_minor, truth["order_totals"]["GBP"].GetInt64());
}

TEST(TestshopApi, MutateChangesExactlyWhatItSays) {
    RunningEmulator emu(small());
    HttpClient c(emu.port());
    auto before = parse(c.get("/_emulator/summary").body);
    auto m = parse(c.request("POST", "/_emulator/mutate").body);
    auto after = parse(c.get("/_emulator/summary").body);
    const std::string clock = m["clock"].GetString();
    EXPECT_EQ(clock, "2026-11-01T01:00:00Z");
    EXPECT_EQ(after["clock"].GetString(), clock);
    auto n = [&](const char* k) { return static_cast<std::int64_t>(m[k].Size()); };
    auto cnt = [](const rapidjson::Document& d, const char* k) { return d["counts"][k].GetInt64(); };
    EXPECT_EQ(cnt(after, "orders"), cnt(before, "orders") + n("orders_added"));
    EXPECT_EQ(cnt(after, "refunds"), cnt(before, "refunds") + n("refunds_added"));
    EXPECT_EQ(cnt(after, "products"), cnt(before, "products") - n("products_deleted"));
    EXPECT_EQ(cnt(after, "deleted_products"), cnt(before, "deleted_products") + n("products_deleted"));
    EXPECT_EQ(n("orders_added"), 2);
    EXPECT_EQ(n("products_deleted"), 1);
    EXPECT_EQ(n("refunds_added"), 1);
    EXPECT_EQ(n("products_updated"), 4);

    // What changed is exactly what is listed as updated since the new clock.
    const std::string t = token(c);
    auto set_of = [&](std::initializer_list<const char*> keys) {
        std::set<std::string> s;
        for (auto k : keys)
            for (const auto& v : m[k].GetArray()) s.insert(v.GetString());
        return s;
    };
    auto products = page_all(c, t, "/api/v1/products?limit=50&updated_since=2026-11-01T01%3A00%3A00Z", "products");
    EXPECT_EQ(std::set<std::string>(products.begin(), products.end()), set_of({"products_updated"}));
    auto orders = page_all(c, t, "/api/v1/orders?limit=50&updated_since=2026-11-01T01:00:00Z", "orders");
    EXPECT_EQ(std::set<std::string>(orders.begin(), orders.end()),
              set_of({"orders_updated", "orders_refunded", "orders_cancelled", "orders_added"}));
    auto deleted = page_all(c, t, "/api/v1/deletions?since=2026-11-01T01:00:00Z", "deletions");
    EXPECT_EQ(std::set<std::string>(deleted.begin(), deleted.end()), set_of({"products_deleted"}));
}

TEST(TestshopApi, PageTokenStableUnderConcurrentUpdates) {
    RunningEmulator emu(small(60, 300));
    HttpClient c(emu.port());
    const std::string t = token(c);
    // Take the first page, let the shop change, then finish: every product
    // that still exists is seen, none skipped.
    auto first = parse(c.get("/api/v1/products?limit=10", {{"Authorization", "Bearer " + t}}).body);
    std::set<std::string> seen;
    for (const auto& p : first["products"].GetArray()) seen.insert(p["id"].GetString());
    for (int i = 0; i < 3; ++i) c.request("POST", "/_emulator/mutate");
    auto rest = page_all(c, t, std::string("/api/v1/products?limit=10&page_token=") + first["next_page_token"].GetString(), "products");
    seen.insert(rest.begin(), rest.end());
    auto all_now = page_all(c, t, "/api/v1/products?limit=250", "products");
    for (const auto& id : all_now) EXPECT_TRUE(seen.count(id)) << id << " was skipped";
}

TEST(TestshopApi, RateLimitLeakyBucket) {
    EmulatorOptions o = small(3, 3);
    o.module.bucket_capacity = 3;
    o.module.leak_per_s = 0.5;
    std::int64_t now_ms = 1'000'000;
    o.module.steady_now_ms = [&] { return now_ms; };
    Emulator e(o);
    auto tok = e.dispatch(Request::make("POST", "/oauth/token",
                                        "grant_type=client_credentials&client_id=pcgd-test-client&client_secret=pcgd-test-secret"));
    const std::string t = parse(tok.response.body)["access_token"].GetString();
    auto get = [&] { return e.dispatch(Request::make("GET", "/api/v1/shop", {}, {{"Authorization", "Bearer " + t}})).response; };
    auto header = [](const Response& r, const std::string& k) {
        for (const auto& [n, v] : r.headers)
            if (n == k) return v;
        return std::string();
    };
    EXPECT_EQ(header(get(), "X-RateLimit-Remaining"), "2");
    EXPECT_EQ(get().status, 200);
    auto third = get();
    EXPECT_EQ(third.status, 200);
    EXPECT_EQ(header(third, "X-RateLimit-Limit"), "3");
    EXPECT_EQ(header(third, "X-RateLimit-Remaining"), "0");
    auto refused = get();
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(header(refused, "Retry-After"), "2");
    now_ms += 2000;  // one unit drained
    EXPECT_EQ(get().status, 200);
}

TEST(TestshopApi, MalformedRequestAnswered400) {
    RunningEmulator emu(small(3, 3));
    const std::string reply = raw_exchange(emu.port(), "THIS IS NOT HTTP\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
    const std::string big = "POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n";
    EXPECT_EQ(raw_exchange(emu.port(), big).rfind("HTTP/1.1 413", 0), 0u);
}

TEST(TestshopApi, TransportFaults) {
    for (const char* spec : {"drop:0.45", "truncate:0.45", "malformed:0.45", "slow:0.45"}) {
        EmulatorOptions o = small(5, 5);
        o.faults = parse_faults(spec);
        o.slow_ms = 300;
        RunningEmulator emu(o);
        HttpClient c(emu.port());
        const std::string t = token(c);
        int faulted = 0;
        for (int i = 0; i < 12; ++i) {
            const auto start = std::chrono::steady_clock::now();
            auto r = c.get("/api/v1/products?limit=2", {{"Authorization", "Bearer " + t}});
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
            const std::string kind = spec;
            if (kind.rfind("drop", 0) == 0 || kind.rfind("truncate", 0) == 0) {
                faulted += !r.ok();
            } else if (kind.rfind("malformed", 0) == 0) {
                ASSERT_EQ(r.status, 200);
                rapidjson::Document d;
                d.Parse(r.body.c_str());
                faulted += d.HasParseError();
            } else {
                ASSERT_EQ(r.status, 200);
                faulted += ms >= 300;
            }
        }
        EXPECT_GT(faulted, 0) << spec;
        EXPECT_LE(faulted, 6) << spec << ": never twice in a row";
        auto stats = parse(c.get("/_emulator/stats").body);
        const std::string kind = std::string(spec).substr(0, std::string(spec).find(':'));
        EXPECT_EQ(stats["faults"][kind.c_str()].GetInt(), faulted) << spec;
    }
}

TEST(TestshopApi, ServesTls) {
    const std::string dir = PCGD_TEST_TLS_DIR;
    ServerOptions so;
    so.tls_cert_file = dir + "/server.pem";
    so.tls_key_file = dir + "/server.key";
    RunningEmulator emu(small(3, 3), so);
    EXPECT_EQ(emu.url().rfind("https://127.0.0.1:", 0), 0u);
    HttpClient c(emu.port(), dir + "/ca.pem");
    auto r = c.get("/_emulator/summary");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(parse(r.body)["platform"].GetString(), std::string("testshop"));
    EXPECT_EQ(c.get("/_emulator/stats").status, 200);
    EXPECT_EQ(c.connections(), 1);
}
