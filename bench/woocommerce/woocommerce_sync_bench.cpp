// A whole-process sync of N orders: pcgd-emulator and the real pcgd binary
// with the WooCommerce plugin over plain HTTP (OAuth 1.0a signatures, refunds
// read per refunded order). Reports records (orders and refunds) per second
// and the pcgd process's peak RSS, which should not grow with N.
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

static void BM_WooCommerceSyncOrders(benchmark::State& state) {
    Emulator::Options options;
    options.platform = "woocommerce";
    options.products = 40;
    options.orders = static_cast<int>(state.range(0));
    Emulator emulator(options);
    std::int64_t records = 0;
    double seconds = 0;
    std::int64_t peak_kib = 0;
    for (auto _ : state) {
        Pcgd pcgd;
        const auto add = pcgd({"shop", "add", "--id", "bench", "--platform", "woocommerce", "--base-url", emulator.base_url(),
                               "--credential", "consumer_key=ck_4c1d2b0a9e8f7d6c5b4a39281706f5e4d3c2b1a0", "--credential",
                               "consumer_secret=cs_0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3"});
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
BENCHMARK(BM_WooCommerceSyncOrders)->Arg(25000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
