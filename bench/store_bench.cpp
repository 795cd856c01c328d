// Store throughput: pages of orders upserted and committed with their cursor,
// as the sync engine does, first as inserts and then as unchanged records.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <unistd.h>

#include "orders.hpp"
#include "store/store.hpp"

using namespace pcgd;

namespace {

struct Fixture {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("pcgd-bench-" + std::to_string(::getpid()));
    std::unique_ptr<host::Store> store;
    std::vector<std::string> orders;

    explicit Fixture(int count) {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        store = host::open_sqlite_store((dir / "bench.db").string());
        host::ShopRecord shop;
        shop.shop = model::Shop{"s1", "testshop", "GB", model::Currency::of("GBP"), "Europe/London"};
        store->put_shop(shop);
        for (int i = 0; i < count; ++i) orders.push_back(model::to_json(bench::make_order(i)));
    }
    ~Fixture() {
        store.reset();
        std::filesystem::remove_all(dir);
    }
    host::CommitStats sync(int page_size) {
        host::CommitStats stats;
        for (std::size_t start = 0; start < orders.size(); start += static_cast<std::size_t>(page_size)) {
            auto batch = store->begin_batch("s1", sdk::Dataset::orders);
            for (std::size_t i = start; i < std::min(orders.size(), start + static_cast<std::size_t>(page_size)); ++i)
                batch->add(model::RecordKind::order, orders[i]);
            stats += batch->commit(std::to_string(start));
        }
        return stats;
    }
};

}  // namespace

static void BM_StoreFirstSync(benchmark::State& state) {
    const int count = static_cast<int>(state.range(0));
    std::unique_ptr<Fixture> f;
    for (auto _ : state) {
        state.PauseTiming();
        f.reset();  // a fresh, empty store each time, set up off the clock
        f = std::make_unique<Fixture>(count);
        state.ResumeTiming();
        benchmark::DoNotOptimize(f->sync(250));
    }
    state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_StoreFirstSync)->Arg(20000)->Unit(benchmark::kMillisecond)->Iterations(3);

static void BM_StoreUnchangedResync(benchmark::State& state) {
    const int count = static_cast<int>(state.range(0));
    Fixture f(count);
    f.sync(250);
    for (auto _ : state) benchmark::DoNotOptimize(f.sync(250));
    state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_StoreUnchangedResync)->Arg(20000)->Unit(benchmark::kMillisecond)->Iterations(3);
