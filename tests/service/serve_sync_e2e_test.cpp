// The real `pcgd serve` syncing an emulated shop on loopback: the scheduler's
// first sync, a sync asked for over HTTP and followed to its end, the sync
// metrics, and a SIGTERM in the middle of a sync that a later `pcgd sync`
// resumes. Every check of data compares the store with the emulator's
// ground truth exactly.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "harness.hpp"
#include "store/store.hpp"

using namespace pcgd::test;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct Reply {
    unsigned status = 0;
    std::string body;
};

Reply call(unsigned short port, const std::string& method, const std::string& target, const std::string& token) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    const std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                token + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(request));
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return Reply{res.result_int(), res.body()};
}

/// Polls `done` every 100 ms; false after a minute (a hang guard, not a timing check).
bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 600; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

/// The value of one sample line of the Prometheus text, or -1.
double sample(const std::string& metrics, const std::string& series) {
    const auto at = metrics.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(metrics.substr(at + series.size() + 2));
}

std::int64_t sum_dataset(const rapidjson::Value& job, const char* dataset, const char* field) {
    std::int64_t n = 0;
    for (const auto& d : job["datasets"].GetArray())
        if (std::string(d["dataset"].GetString()) == dataset || *dataset == '\0') n += d[field].GetInt64();
    return n;
}

class ServeSyncs : public ::testing::Test {
protected:
    void start(const std::string& config, const std::vector<std::string>& shop_settings) {
        ASSERT_EQ(pcgd({"sme", "add", "--id", "lumiere", "--name", "Lumière", "--currency", "GBP"}).exit_code, 0);
        std::vector<std::string> add = {"shop",         "add",
                                        "--id",         "gb",
                                        "--sme",        "lumiere",
                                        "--platform",   "testshop",
                                        "--base-url",   emulator->base_url(),
                                        "--country",    "GB",
                                        "--timezone",   "UTC",
                                        "--setting",    "client_id=pcgd-test-client",
                                        "--credential", "client_secret=pcgd-test-secret"};
        for (const auto& s : shop_settings) add.insert(add.end(), {"--setting", s});
        const auto added = pcgd(add);
        ASSERT_EQ(added.exit_code, 0) << added.err;
        std::ofstream(std::filesystem::path(pcgd.store_path()).parent_path() / "pcgd.toml", std::ios::app) << config;
        const auto created = pcgd({"token", "create", "--role", "admin", "--name", "e2e"});
        ASSERT_EQ(created.exit_code, 0) << created.err;
        token = created.out.substr(0, created.out.find('\n'));
        server = pcgd.start({"serve", "--listen", "127.0.0.1:0"});
        const std::string line = server->read_line();
        const std::string prefix = "listening on http://127.0.0.1:";
        ASSERT_EQ(line.substr(0, prefix.size()), prefix) << line;
        port = static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
    }

    rapidjson::Document get_json(const std::string& target) {
        const auto r = call(port, "GET", target, token);
        EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
        return parse_json(r.body);
    }

    /// Follows GET /api/syncs/{id} until the sync has finished; its last answer.
    rapidjson::Document finished_sync(std::int64_t id) {
        rapidjson::Document job;
        const bool finished = eventually([&] {
            job = get_json("/api/syncs/" + std::to_string(id));
            const std::string state = job["state"].GetString();
            return state != "queued" && state != "running";
        });
        EXPECT_TRUE(finished) << "sync " << id << " never finished";
        return job;
    }

    pcgd::host::RecordCounts stored() {
        return pcgd::host::open_sqlite_store(pcgd.store_path())->counts(std::string_view("gb"));
    }
    std::int64_t stored_orders() { return stored().orders; }

    std::unique_ptr<Emulator> emulator;
    Pcgd pcgd;
    std::string token;
    std::unique_ptr<Subprocess> server;
    unsigned short port = 0;
};

}  // namespace

TEST_F(ServeSyncs, ScheduledAndRequestedSyncsBringTheStoreToGroundTruth) {
    emulator = std::make_unique<Emulator>(emulated("testshop", "GB", 13, 20, 300));
    start("[scheduler]\ninterval_s = 3600\njitter_pct = 0\nmax_concurrent = 2\n", {});

    // Never synced: the scheduler syncs the shop at once (sync 1).
    ASSERT_TRUE(eventually([&] { return get_json("/api/shops/gb/sync")["last_success_at"].IsString(); }));
    const auto schedule = get_json("/api/shops/gb/sync");
    EXPECT_EQ(std::string(schedule["state"].GetString()), "idle");
    EXPECT_EQ(schedule["consecutive_failures"].GetInt64(), 0);
    EXPECT_TRUE(schedule["last_error"].IsNull());
    EXPECT_TRUE(schedule["next_run_at"].IsString());
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", *emulator), "");
    const auto scheduled = finished_sync(1);
    EXPECT_EQ(std::string(scheduled["reason"].GetString()), "schedule");
    EXPECT_EQ(std::string(scheduled["state"].GetString()), "succeeded");
    // The orders dataset carries the orders and their refunds.
    const auto truth = emulator->summary();
    EXPECT_EQ(sum_dataset(scheduled, "orders", "inserted"),
              truth["counts"]["orders"].GetInt64() + truth["counts"]["refunds"].GetInt64());

    // Upstream changes, and a sync asked for over HTTP.
    emulator->mutate();
    const auto posted = call(port, "POST", "/api/shops/gb/sync", token);
    ASSERT_EQ(posted.status, 202u) << posted.body;
    const auto ticket = parse_json(posted.body);
    ASSERT_TRUE(ticket["already_queued"].IsBool());
    const std::int64_t id = ticket["sync_id"].GetInt64();
    EXPECT_EQ(id, 2);
    const auto asked = finished_sync(id);
    EXPECT_EQ(std::string(asked["reason"].GetString()), "api");
    EXPECT_EQ(std::string(asked["state"].GetString()), "succeeded");
    EXPECT_EQ(asked["datasets"].Size(), 3u);
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", *emulator), "");

    // The metrics add up both syncs exactly.
    const auto metrics = call(port, "GET", "/metrics", token).body;
    for (const char* dataset : {"inventory", "orders", "traffic"})
        EXPECT_EQ(
            sample(metrics, std::string("pcgd_sync_records_total{platform=\"testshop\",dataset=\"") + dataset + "\"}"),
            static_cast<double>(sum_dataset(scheduled, dataset, "records") + sum_dataset(asked, dataset, "records")))
            << dataset;
    EXPECT_EQ(sample(metrics, "pcgd_platform_requests_total{platform=\"testshop\",status=\"200\"}"),
              static_cast<double>(sum_dataset(scheduled, "", "requests") + sum_dataset(asked, "", "requests")));
    EXPECT_GE(sample(metrics, "pcgd_sync_lag_seconds{shop=\"gb\"}"), 0.0) << metrics;
    EXPECT_EQ(sample(metrics, "pcgd_sync_errors_total{platform=\"testshop\"}"), -1) << metrics;

    server->kill(SIGTERM);
    EXPECT_EQ(server->wait(), 0);
}

TEST_F(ServeSyncs, SigtermDuringASyncExitsZeroAndTheNextSyncResumes) {
    // Slow pages: the sync is caught in the middle.
    emulator = std::make_unique<Emulator>(emulated("testshop", "GB", 21, 40, 1200, {"--latency-ms", "40"}));
    const auto bound = 5000ms;
    start("[scheduler]\nenabled = false\n[server]\nshutdown_timeout_ms = 5000\n", {"page_size=20"});

    const auto posted = call(port, "POST", "/api/shops/gb/sync", token);
    ASSERT_EQ(posted.status, 202u) << posted.body;
    EXPECT_EQ(posted.body, R"({"sync_id":1,"already_queued":false})");
    // Asked again while it runs: the same sync.
    EXPECT_EQ(call(port, "POST", "/api/shops/gb/sync", token).body, R"({"sync_id":1,"already_queued":true})");
    ASSERT_TRUE(eventually([&] { return stored_orders() >= 100; }));
    EXPECT_EQ(std::string(get_json("/api/syncs/1")["state"].GetString()), "running");

    const auto signalled = std::chrono::steady_clock::now();
    server->kill(SIGTERM);
    EXPECT_EQ(server->wait(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, bound);
    const auto stopped_at = stored_orders();
    const auto refunds_at_stop = stored().refunds;
    EXPECT_LT(stopped_at, 1200) << "stopped too late to test anything";
    EXPECT_EQ(stopped_at % 20, 0);  // whole pages: each committed with its cursor

    const auto report = sync_json(pcgd, {"--shop", "gb"});
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", *emulator), "");
    std::int64_t orders_read = 0, orders_inserted = 0;
    for (const auto& d : report[0]["datasets"].GetArray())
        if (std::string(d["dataset"].GetString()) == "orders") {
            orders_read = d["records"].GetInt64();
            orders_inserted = d["inserted"].GetInt64();
        }
    // Nothing stored twice, nothing lost, and only what was missing read again.
    const auto truth = emulator->summary();
    const std::int64_t all = truth["counts"]["orders"].GetInt64() + truth["counts"]["refunds"].GetInt64();
    EXPECT_EQ(orders_inserted, all - stopped_at - refunds_at_stop);
    EXPECT_LT(orders_read, all);  // resumed from the last checkpoint, not from the start
}

TEST_F(ServeSyncs, SigtermDuringARateLimitWaitEndsTheWaitAndRecordsNoError) {
    // Every data request is throttled for 30 s: the sync sits in a wait far
    // longer than the shutdown bound.
    emulator = std::make_unique<Emulator>(
        emulated("testshop", "GB", 3, 5, 20, {"--faults", "429:1.0", "--retry-after-s", "30"}));
    const auto bound = 3000ms;
    start("[scheduler]\nenabled = false\n[server]\nshutdown_timeout_ms = 3000\n", {});
    const auto posted = call(port, "POST", "/api/shops/gb/sync", token);
    ASSERT_EQ(posted.status, 202u) << posted.body;
    ASSERT_TRUE(eventually([&] { return std::string(get_json("/api/syncs/1")["state"].GetString()) == "running"; }));
    std::this_thread::sleep_for(500ms);  // into the wait

    const auto signalled = std::chrono::steady_clock::now();
    server->kill(SIGTERM);
    EXPECT_EQ(server->wait(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, bound);
    // Stopped is not failed: no error is recorded for any dataset.
    const auto shops = parse_json(pcgd({"shop", "list", "--json"}).out);
    const auto& sync = shop_entry(shops, "gb")["sync"];
    for (const auto& d : sync.GetObject())
        EXPECT_TRUE(!d.value.HasMember("last_error") || d.value["last_error"].IsNull()) << d.name.GetString();
    EXPECT_EQ(stored_orders(), 0);
}
