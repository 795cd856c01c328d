// The WooCommerce plugin's response-to-records path, beside a plain RapidJSON
// parse of the same bytes: a page of 100 products (the documentation's simple
// product) and a page of 100 orders (its two-line order). The aim: mapping
// costs little more than parsing.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include <pcgd/testing/fake_host.hpp>

using namespace pcgd;

namespace {

std::string fixture(const char* name) {
    std::ifstream in(std::string(PCGD_WOOCOMMERCE_DATA_DIR) + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Element `index` of a fixture's array, 100 times with ids counting up.
std::string page_of(const char* name, rapidjson::SizeType index) {
    rapidjson::Document doc;
    doc.Parse(fixture(name).c_str());
    rapidjson::Document page(rapidjson::kArrayType);
    for (int i = 0; i < 100; ++i) {
        rapidjson::Value item(doc[index], page.GetAllocator());
        item["id"] = 10000 + i;
        page.PushBack(item, page.GetAllocator());
    }
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    page.Accept(w);
    return out.GetString();
}

const std::string settings =
    R"({"base_url":"https://shop.example","consumer_key":"ck","consumer_secret":"cs","shop":{"id":"d","platform":"woocommerce","country":"US","currency":"USD","time_zone":"UTC"}})";
const std::vector<std::pair<std::string, std::string>> headers = {{"X-WP-Total", "100"}, {"X-WP-TotalPages", "1"}};

void run_page(benchmark::State& state, sdk::Dataset dataset, const std::string& body) {
    testing::FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.validate_records(false);
    std::size_t records = 0;
    for (auto _ : state) {
        host.begin(dataset);
        host.next_step();
        host.respond(200, headers, body);
        records += host.records().size();
        host.clear_records();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

void plain_parse(benchmark::State& state, const std::string& body) {
    for (auto _ : state) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
        benchmark::DoNotOptimize(doc.IsArray());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

}  // namespace

static void BM_WooCommerceProductsPage(benchmark::State& state) {
    run_page(state, sdk::Dataset::inventory, page_of("products_list_response.json", 1));
}
BENCHMARK(BM_WooCommerceProductsPage);

static void BM_PlainParseOfTheProductsPage(benchmark::State& state) { plain_parse(state, page_of("products_list_response.json", 1)); }
BENCHMARK(BM_PlainParseOfTheProductsPage);

static void BM_WooCommerceOrdersPage(benchmark::State& state) {
    run_page(state, sdk::Dataset::orders, page_of("orders_list_response.json", 0));
}
BENCHMARK(BM_WooCommerceOrdersPage);

static void BM_PlainParseOfTheOrdersPage(benchmark::State& state) { plain_parse(state, page_of("orders_list_response.json", 0)); }
BENCHMARK(BM_PlainParseOfTheOrdersPage);
