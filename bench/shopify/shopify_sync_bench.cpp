// A whole-process sync of N orders: pcgd-emulator (throttling off) and the
// real pcgd binary with the Shopify plugin, bulk operation and all. Reports
// records (orders and refunds) per second and the pcgd process's peak RSS, which should not grow with N.
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

}  // namespace

static void BM_ShopifySyncOrders(benchmark::State& state) {
    const auto orders = static_cast<int>(state.range(0));
    Emulator::Options options;
    options.platform = "shopify";
    options.products = 40;
    options.orders = orders;
    options.extra = {"--bucket", "1000000", "--leak-per-s", "1000000"};
    Emulator emulator(options);
    std::int64_t records = 0;
    double seconds = 0;
    std::int64_t peak_kib = 0;
    for (auto _ : state) {
        Pcgd pcgd;
        const auto add = pcgd({"shop", "add", "--id", "bench", "--platform", "shopify", "--base-url", emulator.base_url(),
                               "--credential", "access_token=shpat_pcgd_emulator_token"});
        if (add.exit_code != 0) state.SkipWithError(add.err.c_str());
        const auto started = std::chrono::steady_clock::now();
        auto sync = pcgd.start({"sync", "--dataset", "orders"});
        // Sampled until the process ends: the last reading is its peak.
        for (std::int64_t kib; (kib = peak_rss_kib(sync->pid())) > 0; std::this_thread::sleep_for(std::chrono::milliseconds(20)))
            peak_kib = std::max(peak_kib, kib);
        if (sync->wait() != 0) state.SkipWithError("sync failed");
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const auto list = parse_json(pcgd({"shop", "list", "--json"}).out);
        records += list[0]["counts"]["orders"].GetInt64() + list[0]["counts"]["refunds"].GetInt64();
    }
    state.counters["records/s"] = static_cast<double>(records) / seconds;
    state.counters["peak_rss_MiB"] = static_cast<double>(peak_kib) / 1024.0;
}
BENCHMARK(BM_ShopifySyncOrders)->Arg(25000)->Arg(100000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
