// Time and peak memory of each report over 1M and 10M order lines.
// Peak RSS is reset (/proc/self/clear_refs) after the store is ready, so it
// measures the report alone.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <streambuf>

#include "analysis/tools.hpp"
#include "generated.hpp"

namespace {

using namespace pcgd;

std::string store_path(std::int64_t lines) {
    const char* dir = std::getenv("PCGD_BENCH_DIR");
    return std::string(dir && *dir ? dir : PCGD_BENCH_DEFAULT_DIR) + "/analysis-" + std::to_string(lines) + ".db";
}

host::Store& store_for(std::int64_t lines) {
    static std::map<std::int64_t, std::unique_ptr<host::Store>> stores;
    auto& s = stores[lines];
    if (!s) {
        const std::string path = store_path(lines);
        const bool fresh = !std::ifstream(path).good();
        s = host::open_sqlite_store(path);
        if (fresh) analysis::test::generate(*s, lines, 500);
    }
    return *s;
}

std::int64_t peak_rss_kb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
    return 0;
}

/// A stream buffer that only counts what is written to it.
struct CountingBuffer : std::streambuf {
    std::size_t bytes = 0;
    std::streamsize xsputn(const char*, std::streamsize n) override {
        bytes += static_cast<std::size_t>(n);
        return n;
    }
    int_type overflow(int_type c) override {
        if (c != traits_type::eof()) ++bytes;
        return c;
    }
};

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

template <analysis::Report (*Tool)(host::Store&, const host::Config&, const analysis::Scope&)>
void run(benchmark::State& state) {
    host::Store& store = store_for(state.range(0));
    host::Config config;
    config.fees["testshop"] = host::FeeRule{250, 20};
    analysis::ReportRequest request;
    request.sme_id = "gen";
    request.month = analysis::Month{2026, 6};
    const auto scope = analysis::resolve_scope(store, request);
    reset_peak_rss();
    std::size_t bytes = 0;
    for (auto _ : state) {
        // Counted, not kept: `pcgd report > file` holds none of it either.
        CountingBuffer counter;
        std::ostream out(&counter);
        analysis::render(Tool(store, config, scope), analysis::Format::json, analysis::Lang::en, out);
        bytes = counter.bytes;
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["peak_rss_MB"] = static_cast<double>(peak_rss_kb()) / 1024.0;
    state.counters["json_KB"] = static_cast<double>(bytes) / 1024.0;
}

}  // namespace

BENCHMARK(run<pcgd::analysis::planning_report>)->Name("planning")->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(run<pcgd::analysis::growth_report>)->Name("growth")->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(run<pcgd::analysis::quality_report>)->Name("quality")->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(run<pcgd::analysis::opportunities_report>)->Name("opportunities")->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);
