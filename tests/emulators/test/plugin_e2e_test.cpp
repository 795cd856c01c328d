// The testshop plugin against the testshop emulator: a minimal host loop
// (retry transport errors, 429 and 5xx; restart from the last checkpoint on
// a bad response; upsert records at each checkpoint) must end with exactly
// the emulator's ground truth, with and without faults.
#include "client.hpp"

#include <pcgd/testing/fake_host.hpp>

#include <gtest/gtest.h>


using namespace pcgd;
using namespace pcgd::emulator;
using namespace pcgd::emulator::testing;
using pcgd::testing::FakeHost;

namespace {

struct Store {
    std::map<std::pair<model::RecordKind, std::string>, std::string> records;
    std::string cursor[4];
    int restarts = 0;
    int requests = 0;

    std::size_t count(model::RecordKind k) const {
        std::size_t n = 0;
        for (const auto& [key, _] : records) n += key.first == k;
        return n;
    }

    void upsert(const pcgd::testing::EmittedRecord& r) {
        rapidjson::Document d;
        json::parse(d, r.json);
        std::string id = r.kind == model::RecordKind::traffic ? std::string(d["sku"].GetString()) + "@" + d["day"].GetString()
                                                               : d["id"].GetString();
        if (r.kind == model::RecordKind::deletion) records.erase({model::RecordKind::product, id});
        records[{r.kind, id}] = r.json;
    }
};

void sync(FakeHost& host, HttpClient& http, const std::string& base, Store& store, sdk::Dataset ds, bool full) {
    std::string& cursor = store.cursor[static_cast<int>(ds)];
    host.clear_records();
    host.begin(ds, full, full ? std::string() : cursor);
    std::size_t committed = 0;
    for (int steps = 0; steps < 20000; ++steps) {
        auto step = host.next_step();
        if (step.kind == sdk::Step::Kind::done) return;
        ASSERT_EQ(step.kind, sdk::Step::Kind::request);
        ASSERT_EQ(step.request.url.rfind(base, 0), 0u) << step.request.url;
        const std::string target = step.request.url.substr(base.size());
        std::map<std::string, std::string> headers(step.request.headers.begin(), step.request.headers.end());
        HttpReply reply;
        for (int attempt = 0;; ++attempt) {
            ASSERT_LT(attempt, 20) << "the emulator never let " << target << " through";
            ++store.requests;
            reply = http.request(step.request.method == sdk::Method::post ? "POST" : "GET", target, headers, step.request.body);
            if (reply.ok() && reply.status != 429 && reply.status < 500) break;
        }
        std::vector<std::pair<std::string, std::string>> h(reply.headers.begin(), reply.headers.end());
        try {
            auto result = host.respond(reply.status, h, reply.body);
            if (result.checkpoint) {
                for (std::size_t i = committed; i < host.records().size(); ++i) store.upsert(host.records()[i]);
                committed = host.records().size();
                cursor = result.cursor;
            }
        } catch (const pcgd::testing::SlotError& e) {
            ASSERT_EQ(e.code, PCGD_ERR_BAD_RESPONSE) << e.what();
            // Roll back to the last checkpoint and carry on from its cursor.
            ++store.restarts;
            host.clear_records();
            committed = 0;
            host.begin(ds, false, cursor);
        }
    }
    FAIL() << "sync did not finish";
}

std::string settings(const std::string& base) {
    return R"({"base_url":")" + base + R"(","client_id":"pcgd-test-client","client_secret":"pcgd-test-secret","page_size":40})";
}

rapidjson::Document summary(HttpClient& c) {
    rapidjson::Document d;
    json::parse(d, c.get("/_emulator/summary").body);
    return d;
}

void expect_matches_truth(const Store& store, HttpClient& admin) {
    auto truth = summary(admin);
    const auto& n = truth["counts"];
    EXPECT_EQ(store.count(model::RecordKind::product), n["products"].GetUint64());
    EXPECT_EQ(store.count(model::RecordKind::order), n["orders"].GetUint64());
    EXPECT_EQ(store.count(model::RecordKind::refund), n["refunds"].GetUint64());
    EXPECT_EQ(store.count(model::RecordKind::traffic), n["traffic"].GetUint64());
    EXPECT_EQ(store.count(model::RecordKind::deletion), n["deleted_products"].GetUint64());
    std::int64_t total = 0, lines = 0;
    for (const auto& [key, json] : store.records)
        if (key.first == model::RecordKind::order) {
            auto o = std::get<model::Order>(model::read_record(key.first, json));
            total += o.total.shop.minor;
            lines += static_cast<std::int64_t>(o.lines.size());
        }
    EXPECT_EQ(total, truth["order_totals"]["GBP"].GetInt64());
    EXPECT_EQ(lines, n["order_lines"].GetInt64());
}

EmulatorOptions options(const char* faults) {
    EmulatorOptions o;
    o.generator.seed = 21;
    o.generator.products = 40;
    o.generator.orders = 500;
    o.module.bucket_capacity = 100000;
    o.retry_after_s = 0;
    o.faults = parse_faults(faults);
    return o;
}

}  // namespace

TEST(TestshopPluginAgainstEmulator, FullSyncMatchesGroundTruth) {
    RunningEmulator emu(options(""));
    HttpClient http(emu.port());
    FakeHost host(pcgd_plugin_get_vtable(), settings(emu.url()));
    Store store;
    for (auto ds : {sdk::Dataset::inventory, sdk::Dataset::orders, sdk::Dataset::traffic}) sync(host, http, emu.url(), store, ds, true);
    expect_matches_truth(store, http);
    EXPECT_EQ(store.restarts, 0);
}

TEST(TestshopPluginAgainstEmulator, SurvivesFaultsAndFollowsMutations) {
    RunningEmulator emu(options("429:0.05,5xx:0.05,drop:0.03,truncate:0.03,malformed:0.05,expired-token:0.05"));
    HttpClient http(emu.port());
    FakeHost host(pcgd_plugin_get_vtable(), settings(emu.url()));
    Store store;
    for (auto ds : {sdk::Dataset::inventory, sdk::Dataset::orders, sdk::Dataset::traffic}) sync(host, http, emu.url(), store, ds, true);
    expect_matches_truth(store, http);
    EXPECT_GT(store.restarts, 0) << "malformed bodies were injected";
    // The shop changes; incremental runs pick up exactly the changes.
    for (int i = 0; i < 3; ++i) http.request("POST", "/_emulator/mutate");
    const int before = store.requests;
    for (auto ds : {sdk::Dataset::inventory, sdk::Dataset::orders}) sync(host, http, emu.url(), store, ds, false);
    expect_matches_truth(store, http);
    EXPECT_LT(store.requests - before, 40) << "incremental runs read only what changed";
}
