// The eBay plugin's response-to-records path, beside a plain RapidJSON parse
// of the same bytes: a 200-order getOrders page (the API's largest), and a
// 200-item inventory page with one getOffers answer per item.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include <pcgd/testing/fake_host.hpp>

using namespace pcgd;

namespace {

std::string fixture(const char* name) {
    std::ifstream in(std::string(PCGD_EBAY_DATA_DIR) + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string serialise(const rapidjson::Value& v) {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    v.Accept(w);
    return out.GetString();
}

std::string with_id(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

/// The sample's two orders (one refunded, one discounted) 100 times each with new ids.
std::string orders_page() {
    rapidjson::Document page;
    page.Parse(fixture("getOrders_EBAY_GB_page1.json").c_str());
    const std::string a = serialise(page["orders"][0]), b = serialise(page["orders"][1]);
    std::string out = R"({"href":"x","total":1000,"limit":200,"offset":0,"next":"https://api.ebay.com/sell/fulfillment/v1/order?offset=200","orders":[)";
    for (int i = 0; i < 100; ++i) {
        if (i) out += ',';
        out += with_id(a, "12-11111-22222", "12-2" + std::to_string(10000 + i) + "-22222") + ",";
        out += with_id(b, "12-11111-33333", "12-3" + std::to_string(10000 + i) + "-33333");
    }
    return out + "]}";
}

/// The sample's T-shirt item 200 times with new SKUs, outside any group.
std::string items_page() {
    rapidjson::Document page;
    page.Parse(fixture("getInventoryItems_page.json").c_str());
    page["inventoryItems"][0].RemoveMember("groupIds");
    page["inventoryItems"][0].RemoveMember("inventoryItemGroupKeys");
    const std::string item = serialise(page["inventoryItems"][0]);
    std::string out = R"({"href":"x","next":"https://api.ebay.com/sell/inventory/v1/inventory_item?offset=1&limit=200","limit":200,"size":5,"total":1000,"inventoryItems":[)";
    for (int i = 0; i < 200; ++i) out += (i ? "," : "") + with_id(item, "TSHIRT-BLK-M", "SKU-" + std::to_string(10000 + i));
    return out + "]}";
}

const std::string settings =
    R"({"base_url":"https://api.ebay.com","client_id":"c","client_secret":"s","refresh_token":"r",)"
    R"("shop":{"id":"d","platform":"ebay","country":"GB","currency":"GBP","time_zone":"Europe/London"}})";

/// A host whose plugin holds a token already.
std::unique_ptr<testing::FakeHost> host_with_token() {
    auto host = std::make_unique<testing::FakeHost>(pcgd_plugin_get_vtable(), settings);
    host->validate_records(false);
    host->begin(sdk::Dataset::orders);
    host->next_step();
    host->respond(200, {}, fixture("oauth_refresh_token_response.json"));
    return host;
}

}  // namespace

static void BM_EbayOrdersPage(benchmark::State& state) {
    const std::string body = orders_page();
    auto host = host_with_token();
    std::size_t records = 0;
    for (auto _ : state) {
        host->begin(sdk::Dataset::orders);
        host->next_step();
        host->respond(200, {}, body);
        records += host->records().size();
        host->clear_records();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EbayOrdersPage);

static void BM_PlainParseOfTheSameOrdersPage(benchmark::State& state) {
    const std::string body = orders_page();
    for (auto _ : state) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
        benchmark::DoNotOptimize(doc.IsObject());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_PlainParseOfTheSameOrdersPage);

static void BM_EbayInventoryPageWithOffers(benchmark::State& state) {
    const std::string items = items_page();
    std::vector<std::string> offers;
    for (int i = 0; i < 200; ++i) offers.push_back(with_id(fixture("getOffers_bySku.json"), "TSHIRT-BLK-M", "SKU-" + std::to_string(10000 + i)));
    std::size_t bytes = items.size();
    for (const auto& o : offers) bytes += o.size();
    auto host = host_with_token();
    std::size_t records = 0;
    for (auto _ : state) {
        host->begin(sdk::Dataset::inventory);
        host->next_step();
        host->respond(200, {}, items);
        for (const auto& o : offers) {
            host->next_step();
            host->respond(200, {}, o);
        }
        records += host->records().size();
        host->clear_records();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EbayInventoryPageWithOffers)->Unit(benchmark::kMillisecond);

static void BM_PlainParseOfTheSameInventory(benchmark::State& state) {
    const std::string items = items_page();
    const std::string offer = fixture("getOffers_bySku.json");
    for (auto _ : state) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseFullPrecisionFlag>(items.data(), items.size());
        benchmark::DoNotOptimize(doc.IsObject());
        for (int i = 0; i < 200; ++i) {
            rapidjson::Document o;
            o.Parse<rapidjson::kParseFullPrecisionFlag>(offer.data(), offer.size());
            benchmark::DoNotOptimize(o.IsObject());
        }
    }
}
BENCHMARK(BM_PlainParseOfTheSameInventory)->Unit(benchmark::kMillisecond);
