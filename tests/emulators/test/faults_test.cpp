#include <pcgd/emulator/emulator.hpp>
#include <pcgd/emulator/faults.hpp>

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace pcgd::emulator;

TEST(Faults, ParseList) {
    auto specs = parse_faults("429:0.2,5xx:0.1,slow:0.05,drop:0.05,truncate:0.05,malformed:0.05,expired-token:0.02");
    ASSERT_EQ(specs.size(), 7u);
    EXPECT_EQ(specs[0].kind, FaultKind::rate_limit);
    EXPECT_EQ(specs[0].ppm, 200000u);
    EXPECT_EQ(specs[6].kind, FaultKind::expired_token);
    EXPECT_EQ(specs[6].ppm, 20000u);
    EXPECT_TRUE(parse_faults("").empty());
    EXPECT_THROW(parse_faults("teapot:0.1"), std::invalid_argument);
    EXPECT_THROW(parse_faults("429:1.5"), std::invalid_argument);
    EXPECT_THROW(parse_faults("429"), std::invalid_argument);
    EXPECT_THROW(parse_faults("429:0.6,5xx:0.6"), std::invalid_argument);
    try {
        parse_faults("429:abc");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("--faults"), std::string::npos);
    }
}

TEST(Faults, SameSeedSameDecisions) {
    FaultPlan a(parse_faults("429:0.1,drop:0.1"), 7), b(parse_faults("429:0.1,drop:0.1"), 7), c(parse_faults("429:0.1,drop:0.1"), 8);
    int differ = 0;
    for (std::uint64_t n = 0; n < 1000; ++n) {
        const std::string route = n % 2 ? "GET /a" : "GET /b";
        const auto x = a.decide(n, route), y = b.decide(n, route), z = c.decide(n, route);
        EXPECT_EQ(x, y);
        differ += x != z;
    }
    EXPECT_GT(differ, 0);
}

namespace {
Request api_get(const std::string& target, const std::string& token) {
    return Request::make("GET", target, {}, {{"Authorization", "Bearer " + token}});
}
std::string grant(Emulator& e) {
    auto o = e.dispatch(Request::make("POST", "/oauth/token", "grant_type=client_credentials&client_id=pcgd-test-client&client_secret=pcgd-test-secret"));
    const auto p = o.response.body.find("tst_");
    return o.response.body.substr(p, 20);
}
}  // namespace

// Through the emulator core, without sockets: each kind at its rate, never
// twice in a row on one route.
TEST(Faults, EachKindAtItsRateNeverTwiceInARow) {
    EmulatorOptions opt;
    opt.generator.products = 5;
    opt.generator.orders = 5;
    opt.module.bucket_capacity = 1'000'000;
    opt.faults = parse_faults("429:0.1,5xx:0.05,slow:0.05,drop:0.05,truncate:0.05,malformed:0.05,expired-token:0.02");
    Emulator e(opt);
    std::string token = grant(e);
    std::map<std::string, int> seen;
    std::map<std::string, bool> last_faulted;
    const int n = 20000;
    std::set<int> statuses_5xx;
    for (int i = 0; i < n; ++i) {
        const std::string route = i % 3 == 0 ? "/api/v1/shop" : i % 3 == 1 ? "/api/v1/deletions" : "/api/v1/products?limit=1";
        Outcome o = e.dispatch(api_get(route, token));
        std::string kind;
        if (o.delivery == Delivery::drop) kind = "drop";
        else if (o.delivery == Delivery::truncate) kind = "truncate";
        else if (o.response.status == 429) kind = "429";
        else if (o.response.status >= 500) kind = "5xx", statuses_5xx.insert(o.response.status);
        else if (o.response.status == 401) kind = "expired-token";
        else if (o.delay_ms >= opt.slow_ms) kind = "slow";
        else if (o.response.status == 200 && o.response.body.back() != '}') kind = "malformed";
        const std::string path = route.substr(0, route.find('?'));
        if (!kind.empty()) {
            ++seen[kind];
            EXPECT_FALSE(last_faulted[path]) << "request " << i << " on " << path << " faulted twice in a row";
        }
        last_faulted[path] = !kind.empty();
        if (kind == "expired-token") token = grant(e);  // the token was revoked
    }
    const std::map<std::string, double> rates = {{"429", 0.1},      {"5xx", 0.05},       {"slow", 0.05},         {"drop", 0.05},
                                                  {"truncate", 0.05}, {"malformed", 0.05}, {"expired-token", 0.02}};
    for (const auto& [kind, rate] : rates) EXPECT_NEAR(seen[kind] / double(n), rate, rate * 0.2) << kind;
    EXPECT_EQ(statuses_5xx, (std::set<int>{500, 502, 503}));
    // Stats agree.
    const std::string stats = e.stats_json();
    EXPECT_NE(stats.find("\"429\":" + std::to_string(seen["429"])), std::string::npos) << stats;
}

TEST(Faults, NeverOnAdminOrTokenRoutes) {
    EmulatorOptions opt;
    opt.generator.products = 3;
    opt.generator.orders = 3;
    opt.faults = parse_faults("drop:0.4");
    Emulator e(opt);
    for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(e.dispatch(Request::make("GET", "/_emulator/summary")).delivery, Delivery::normal);
        EXPECT_EQ(e.dispatch(Request::make("POST", "/oauth/token", "grant_type=client_credentials")).delivery, Delivery::normal);
    }
}

TEST(Faults, LatencyOnDataRoutesOnly) {
    EmulatorOptions opt;
    opt.generator.products = 3;
    opt.generator.orders = 3;
    opt.latency_ms = 250;
    Emulator e(opt);
    EXPECT_EQ(e.dispatch(Request::make("GET", "/api/v1/shop")).delay_ms, 250u);
    EXPECT_EQ(e.dispatch(Request::make("GET", "/_emulator/stats")).delay_ms, 0u);
}
