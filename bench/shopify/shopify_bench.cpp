// The Shopify plugin's response-to-records path, beside a plain RapidJSON
// parse of the same bytes: a 250-order GraphQL page, and a large bulk JSONL
// result streamed in 64 KiB chunks. The aim: mapping costs no more than parsing.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include <pcgd/testing/fake_host.hpp>

using namespace pcgd;

namespace {

std::string fixture(const char* name) {
    std::ifstream in(std::string(PCGD_SHOPIFY_DATA_DIR) + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string with_id(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

/// The sample order (three lines, one refund) 250 times with new ids.
std::string orders_page() {
    rapidjson::Document page;
    page.Parse(fixture("orders_page.json").c_str());
    rapidjson::Value& nodes = page["data"]["orders"]["nodes"];
    rapidjson::StringBuffer first;
    rapidjson::Writer<rapidjson::StringBuffer> fw(first);
    nodes[0].Accept(fw);
    std::string out = R"({"data":{"orders":{"pageInfo":{"hasNextPage":true,"endCursor":"abc"},"nodes":[)";
    for (int i = 0; i < 250; ++i) {
        if (i) out += ',';
        out += with_id(first.GetString(), "450789469", std::to_string(450789469 + i * 7 + 1));
    }
    return out + R"(]}},"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":752,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1248,"restoreRate":100.0}}}})";
}

/// The sample bulk order and its lines, 20,000 times with new ids.
std::string bulk_orders(int orders) {
    const std::string one = fixture("bulk_orders.jsonl");
    std::string out;
    out.reserve(one.size() * static_cast<std::size_t>(orders));
    for (int i = 0; i < orders; ++i) out += with_id(one, "450789469", std::to_string(1000000000 + i));
    return out;
}

const std::string settings =
    R"({"base_url":"https://demo.myshopify.com","access_token":"t","bulk":false,"shop":{"id":"d","platform":"shopify","country":"US","currency":"USD","time_zone":"UTC"}})";
const std::string bulk_settings =
    R"({"base_url":"https://demo.myshopify.com","access_token":"t","shop":{"id":"d","platform":"shopify","country":"US","currency":"USD","time_zone":"UTC"}})";

}  // namespace

static void BM_ShopifyOrdersPage(benchmark::State& state) {
    const std::string body = orders_page();
    testing::FakeHost host(pcgd_plugin_get_vtable(), settings);
    host.validate_records(false);
    std::size_t records = 0;
    for (auto _ : state) {
        host.begin(sdk::Dataset::orders);
        host.next_step();
        host.respond(200, {}, body);
        records += host.records().size();
        host.clear_records();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ShopifyOrdersPage);

static void BM_PlainParseOfTheSamePage(benchmark::State& state) {
    const std::string body = orders_page();
    for (auto _ : state) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
        benchmark::DoNotOptimize(doc.IsObject());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_PlainParseOfTheSamePage);

constexpr int bulk_order_count = 20000;

static void BM_ShopifyBulkJsonl(benchmark::State& state) {
    const std::string body = bulk_orders(bulk_order_count);
    const std::string cursor = R"({"v":1,"stage":"bulk","bulk":{"id":"g","url":"https://x/b.jsonl","objects":)" +
                               std::to_string(bulk_order_count * 4) + R"(,"lines":0}})";
    testing::FakeHost host(pcgd_plugin_get_vtable(), bulk_settings);
    host.validate_records(false);
    std::size_t records = 0;
    for (auto _ : state) {
        host.begin(sdk::Dataset::orders, false, cursor);
        host.next_step();
        host.respond(200, {}, body, 64 * 1024);
        records += host.records().size();
        host.clear_records();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ShopifyBulkJsonl)->Unit(benchmark::kMillisecond);

static void BM_PlainParseOfTheSameJsonl(benchmark::State& state) {
    const std::string body = bulk_orders(bulk_order_count);
    for (auto _ : state) {
        std::size_t start = 0;
        while (start < body.size()) {
            const auto end = body.find('\n', start);
            rapidjson::Document doc;
            doc.Parse<rapidjson::kParseFullPrecisionFlag>(body.data() + start, end - start);
            benchmark::DoNotOptimize(doc.IsObject());
            start = end + 1;
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_PlainParseOfTheSameJsonl)->Unit(benchmark::kMillisecond);
