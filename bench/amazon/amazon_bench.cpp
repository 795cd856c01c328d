// The Amazon plugin: records per second mapping searchOrders pages and the
// listings report, and the requests a sync of 10,000 orders (and an inventory
// sync of N SKUs, Listings Items enrichment included) makes, with how long
// they take under Amazon's published usage plans.
//
// The plugin runs through FakeHost against the amazon emulator module in
// process (Emulator::dispatch, no sockets), so the request count is exact and
// the rate-limit time is simulated: each operation's token bucket (rate,
// burst from the models), requests one after another as the plugin sends them.
#include <benchmark/benchmark.h>

#include <pcgd/emulator/emulator.hpp>
#include <pcgd/testing/fake_host.hpp>

#include <cmath>
#include <cstdio>
#include <map>

using namespace pcgd;

namespace {

/// The usage plans (requests per second, burst) from the models.
const std::map<std::string, std::pair<double, double>> plans = {
    {"orders.searchOrders", {0.0056, 20}},
    {"orders.getOrder", {0.5, 30}},
    {"finances.listFinancialEventsByOrderId", {0.5, 30}},
    {"finances.listFinancialEvents", {0.5, 30}},
    {"fbaInventory.getInventorySummaries", {2, 2}},
    {"reports.createReport", {0.0167, 15}},
    {"reports.getReport", {2, 15}},
    {"reports.getReportDocument", {0.0167, 15}},
    {"listings.searchListingsItems", {5, 5}},
};

std::string bucket_of(const std::string& url) {
    if (url.find("/orders/2026-01-01/orders/") != std::string::npos) return "orders.getOrder";
    if (url.find("/orders/2026-01-01/orders") != std::string::npos) return "orders.searchOrders";
    if (url.find("/finances/v0/orders/") != std::string::npos) return "finances.listFinancialEventsByOrderId";
    if (url.find("/finances/v0/financialEvents") != std::string::npos) return "finances.listFinancialEvents";
    if (url.find("/fba/") != std::string::npos) return "fbaInventory.getInventorySummaries";
    if (url.find("/listings/2021-08-01/items/") != std::string::npos) return "listings.searchListingsItems";
    if (url.find("/reports/2021-06-30/documents/") != std::string::npos) return "reports.getReportDocument";
    if (url.find("/reports/2021-06-30/reports/") != std::string::npos) return "reports.getReport";
    if (url.find("/reports/2021-06-30/reports") != std::string::npos) return "reports.createReport";
    return "other";  // the LWA token, report downloads: no SP-API plan
}

struct Run {
    std::map<std::string, std::int64_t> requests;
    std::int64_t records = 0;
    double simulated_s = 0;  // under the usage plans
};

/// Runs one job of the plugin against an in-process emulator to its end.
Run run_job(emulator::Emulator& emu, testing::FakeHost& host, sdk::Dataset dataset) {
    Run run;
    std::map<std::string, std::pair<double, double>> tokens;  // bucket -> (tokens, last time)
    host.begin(dataset);
    for (;;) {
        const auto step = host.next_step();
        if (step.kind == sdk::Step::Kind::done) break;
        if (step.kind == sdk::Step::Kind::wait) continue;  // report polls: the emulator moves on each look
        const std::string& url = step.request.url;
        const std::string target = url.substr(url.find('/', url.find("//") + 2));
        std::map<std::string, std::string> headers{{"host", "127.0.0.1"}};
        for (const auto& [n, v] : step.request.headers) {
            std::string lower = n;
            for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            headers[lower] = v;
        }
        const char* method = step.request.method == sdk::Method::post ? "POST" : "GET";
        const auto outcome = emu.dispatch(emulator::Request::make(method, target, step.request.body, headers));
        const std::string bucket = bucket_of(url);
        ++run.requests[bucket];
        if (auto plan = plans.find(bucket); plan != plans.end()) {
            auto& [have, last] = tokens.try_emplace(bucket, plan->second.second, 0.0).first->second;
            have = std::min(plan->second.second, have + (run.simulated_s - last) * plan->second.first);
            if (have < 1.0) run.simulated_s += (1.0 - have) / plan->second.first, have = 1.0;
            have -= 1.0;
            last = run.simulated_s;
        }
        std::vector<std::pair<std::string, std::string>> response_headers{{"Content-Type", outcome.response.content_type}};
        host.respond(outcome.response.status, response_headers, outcome.response.body, step.request.stream_body ? 64 * 1024 : 0);
    }
    run.records = static_cast<std::int64_t>(host.records().size());
    return run;
}

emulator::EmulatorOptions options(int products, int orders) {
    emulator::EmulatorOptions o;
    o.platform = "amazon";
    o.generator.seed = 42;
    o.generator.products = products;
    o.generator.orders = orders;
    o.module.rate_limit_given = true;
    o.module.bucket_capacity = 1000000;
    o.module.leak_per_s = 1000000;
    return o;
}

/// Without a seller id: the listings report alone (no Listings Items enrichment).
std::string settings(const std::string& seller_id = {}) {
    return std::string(
               R"({"base_url":"http://127.0.0.1","token_url":"http://127.0.0.1/auth/o2/token","client_id":"amzn1.application-oa2-client.pcgd-emulator",)"
               R"("client_secret":"pcgd-emulator-client-secret","refresh_token":"Atzr|pcgd-emulator-refresh-token","report_poll_ms":0,)") +
           (seller_id.empty() ? std::string() : R"("seller_id":")" + seller_id + R"(",)") +
           R"("shop":{"id":"b","platform":"amazon","country":"GB","currency":"GBP","time_zone":"Europe/London"}})";
}

}  // namespace

/// A whole orders sync (pages, each shipped order's financial events) of N
/// orders; records/s is the plugin's and the emulator's work together.
/// The last run's requests, per rate bucket and in all.
static void count_requests(benchmark::State& state, const Run& last) {
    std::int64_t total = 0;
    for (const auto& [bucket, n] : last.requests) {
        state.counters["req." + bucket] = static_cast<double>(n);
        total += n;
    }
    state.counters["requests"] = static_cast<double>(total);
}

static void BM_AmazonOrdersSync(benchmark::State& state) {
    const int orders = static_cast<int>(state.range(0));
    Run last;
    std::int64_t records = 0;
    for (auto _ : state) {
        state.PauseTiming();
        emulator::Emulator emu(options(40, orders));
        testing::FakeHost host(pcgd_plugin_get_vtable(), settings(), emu.module().data().clock_ms);
        host.validate_records(false);
        state.ResumeTiming();
        last = run_job(emu, host, sdk::Dataset::orders);
        records += last.records;
    }
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
    count_requests(state, last);
    state.counters["orders_served"] = static_cast<double>(emulator::Emulator(options(40, orders)).module().data().orders.size());
    state.counters["published_limits_h"] = last.simulated_s / 3600.0;
}
// 15,000 generated over three years: the two years Amazon serves hold about 10,000.
BENCHMARK(BM_AmazonOrdersSync)->Arg(15000)->Iterations(1)->Unit(benchmark::kMillisecond);

/// Mapping searchOrders pages alone: one page of 100 orders, answered again and again.
static void BM_AmazonOrdersPageMapping(benchmark::State& state) {
    emulator::Emulator emu(options(40, 2000));
    std::map<std::string, std::string> headers{{"host", "127.0.0.1"}};
    const auto token = emu.dispatch(emulator::Request::make(
        "POST", "/auth/o2/token",
        "grant_type=refresh_token&refresh_token=Atzr%7Cpcgd-emulator-refresh-token&client_id=amzn1.application-oa2-client.pcgd-emulator"
        "&client_secret=pcgd-emulator-client-secret", headers));
    rapidjson::Document t;
    t.Parse(token.response.body.c_str());
    headers["x-amz-access-token"] = t["access_token"].GetString();
    const std::string page =
        emu.dispatch(emulator::Request::make("GET", "/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00%3A00%3A00Z&marketplaceIds=A1F83G8C2ARO7P"
                                                    "&maxResultsPerPage=100&includedData=PROCEEDS%2CFULFILLMENT", {}, headers))
            .response.body;
    // Unshipped orders only, so the page is mapped and emitted without events.
    std::string unshipped = page;
    for (std::size_t at; (at = unshipped.find("\"SHIPPED\"")) != std::string::npos;) unshipped.replace(at, 9, "\"UNSHIPPED\"");
    testing::FakeHost host(pcgd_plugin_get_vtable(), settings());
    host.validate_records(false);
    host.begin(sdk::Dataset::orders);
    host.next_step();
    host.respond(200, {}, token.response.body);
    std::int64_t records = 0;
    for (auto _ : state) {
        host.clear_records();
        host.next_step();
        host.respond(200, {}, unshipped);
        records += static_cast<std::int64_t>(host.records().size());
        host.begin(sdk::Dataset::orders);
    }
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
    state.counters["bytes/page"] = static_cast<double>(unshipped.size());
}
BENCHMARK(BM_AmazonOrdersPageMapping)->Unit(benchmark::kMicrosecond);

/// The listings report of N SKUs: gzip inflated, Cp1252 decoded, rows mapped.
static void BM_AmazonListingsReport(benchmark::State& state) {
    Run last;
    std::int64_t records = 0;
    for (auto _ : state) {
        state.PauseTiming();
        emulator::Emulator emu(options(static_cast<int>(state.range(0)), 10));
        testing::FakeHost host(pcgd_plugin_get_vtable(), settings(), emu.module().data().clock_ms);
        host.validate_records(false);
        state.ResumeTiming();
        last = run_job(emu, host, sdk::Dataset::inventory);
        records += last.records;
    }
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AmazonListingsReport)->Arg(5000)->Iterations(3)->Unit(benchmark::kMillisecond);

/// A whole inventory sync of N generated products (one SKU per size): FBA
/// summaries, the listings report, then searchListingsItems for 20 SKUs a
/// request; the requests per operation and their time under the usage plans.
static void BM_AmazonInventorySync(benchmark::State& state) {
    Run last;
    std::int64_t records = 0, skus = 0;
    for (auto _ : state) {
        state.PauseTiming();
        emulator::Emulator emu(options(static_cast<int>(state.range(0)), 10));
        skus = 0;  // listed: the deleted ones are not
        for (const auto& p : emu.module().data().products) skus += p.deleted ? 0 : 1;
        testing::FakeHost host(pcgd_plugin_get_vtable(), settings("A2PCGDEMULATOR"), emu.module().data().clock_ms);
        host.validate_records(false);
        state.ResumeTiming();
        last = run_job(emu, host, sdk::Dataset::inventory);
        records += last.records;
    }
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
    count_requests(state, last);
    state.counters["skus"] = static_cast<double>(skus);
    state.counters["published_limits_s"] = last.simulated_s;
}
BENCHMARK(BM_AmazonInventorySync)->Arg(800)->Iterations(1)->Unit(benchmark::kMillisecond);
