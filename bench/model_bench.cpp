// The record model's JSON form: writing (plugins) and reading (host).
#include <benchmark/benchmark.h>

#include "orders.hpp"

using namespace pcgd;

static void BM_WriteOrderJson(benchmark::State& state) {
    const auto order = bench::make_order(1);
    json::Writer w;
    std::size_t bytes = 0;
    for (auto _ : state) {
        w.clear();
        model::write_json(w, order);
        bytes += w.view().size();
        benchmark::DoNotOptimize(w.view().data());
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_WriteOrderJson);

static void BM_ReadOrderJson(benchmark::State& state) {
    const std::string text = model::to_json(bench::make_order(1));
    for (auto _ : state) benchmark::DoNotOptimize(model::read_record(model::RecordKind::order, text));
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ReadOrderJson);

static void BM_ParseOrderJsonOnly(benchmark::State& state) {
    // The floor under BM_ReadOrderJson: RapidJSON's DOM parse of the same bytes.
    const std::string text = model::to_json(bench::make_order(1));
    for (auto _ : state) {
        rapidjson::Document doc;
        doc.Parse(text.data(), text.size());
        benchmark::DoNotOptimize(doc.IsObject());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseOrderJsonOnly);
