// Whole-process syncs against pcgd-emulator's ebay platform (rate limit
// off): the orders of a large shop, and every dataset of a mid-sized one.
// Reports records per second and the pcgd process's peak RSS.
#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "harness.hpp"

using namespace pcgd::test;

namespace {

/// The process's peak resident set so far (VmHWM), in KiB; 0 once it has exited.
std::int64_t peak_rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
    return 0;
}

void sync(benchmark::State& state, int products, int orders, std::vector<std::string> datasets) {
    Emulator::Options options;
    options.platform = "ebay";
    options.products = products;
    options.orders = orders;
    options.extra = {"--bucket", "1000000", "--leak-per-s", "1000000"};
    Emulator emulator(options);
    std::int64_t records = 0, peak_kib = 0;
    double seconds = 0;
    for (auto _ : state) {
        Pcgd pcgd;
        const auto add = pcgd({"shop", "add", "--id", "bench", "--platform", "ebay", "--base-url", emulator.base_url(), "--credential",
                               "client_id=pcgd-ebay-client", "--credential", "client_secret=pcgd-ebay-secret", "--credential",
                               "refresh_token=v^1.1#i^1#r^1#f^0#p^3#I^3#t^pcgd-emulator-refresh"});
        if (add.exit_code != 0) state.SkipWithError(add.err.c_str());
        std::vector<std::string> args = {"sync"};
        for (const auto& d : datasets) args.insert(args.end(), {"--dataset", d});
        const auto started = std::chrono::steady_clock::now();
        auto run = pcgd.start(args);
        for (std::int64_t kib; (kib = peak_rss_kib(run->pid())) > 0; std::this_thread::sleep_for(std::chrono::milliseconds(20)))
            peak_kib = std::max(peak_kib, kib);
        if (run->wait() != 0) state.SkipWithError("sync failed");
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const auto list = parse_json(pcgd({"shop", "list", "--json"}).out);
        const auto& c = list[0]["counts"];
        for (const char* k : {"products", "variants", "orders", "refunds", "traffic"}) records += c[k].GetInt64();
    }
    state.counters["records/s"] = static_cast<double>(records) / seconds;
    state.counters["peak_rss_MiB"] = static_cast<double>(peak_kib) / 1024.0;
}

}  // namespace

static void BM_EbaySyncOrders(benchmark::State& state) { sync(state, 40, static_cast<int>(state.range(0)), {"orders"}); }
BENCHMARK(BM_EbaySyncOrders)->Arg(30000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

static void BM_EbaySyncEverything(benchmark::State& state) { sync(state, 200, 5000, {}); }
BENCHMARK(BM_EbaySyncEverything)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
