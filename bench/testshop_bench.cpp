// The plugin's response-to-records path on a 250-order page, beside a plain
// RapidJSON parse of the same bytes: the mapping should cost no more than the parse.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include <pcgd/testing/fake_host.hpp>

using namespace pcgd;

namespace {

/// The recorded orders page, its first order repeated 250 times with new ids.
std::string big_page() {
    std::ifstream in(PCGD_TESTSHOP_DATA_DIR "/orders_page.json");
    std::stringstream ss;
    ss << in.rdbuf();
    rapidjson::Document page;
    page.Parse(ss.str().c_str());
    rapidjson::Value& orders = page["orders"];
    rapidjson::Value first(orders[0], page.GetAllocator());
    orders.Clear();
    for (int i = 0; i < 250; ++i) {
        rapidjson::Value copy(first, page.GetAllocator());
        copy["id"].SetString(std::to_string(9000000 + i).c_str(), page.GetAllocator());
        orders.PushBack(copy, page.GetAllocator());
    }
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    page.Accept(w);
    return out.GetString();
}

const std::string settings =
    R"({"base_url":"https://shop.test","client_id":"c","client_secret":"s","page_size":250,)"
    R"("shop":{"id":"gb","platform":"testshop","country":"GB","currency":"GBP","time_zone":"Europe/London"}})";

}  // namespace

static void BM_TestshopOrdersPage(benchmark::State& state) {
    const std::string body = big_page();
    testing::FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.validate_records(false);
    host.begin(sdk::Dataset::orders);
    host.next_step();  // the token grant
    host.respond(200, {}, R"({"access_token":"t","token_type":"Bearer","expires_in":3600})");
    std::size_t records = 0;
    for (auto _ : state) {
        host.begin(sdk::Dataset::orders);
        host.next_step();
        host.respond(200, {{"X-RateLimit-Remaining", "39"}}, body);
        records += host.records().size();
        host.clear_records();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TestshopOrdersPage);

static void BM_PlainParseOfTheSamePage(benchmark::State& state) {
    const std::string body = big_page();
    for (auto _ : state) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
        benchmark::DoNotOptimize(doc.IsObject());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_PlainParseOfTheSamePage);
