// The deterministic data generator shared by every platform module.
//
// One SME, "Maison Lumière" (sold as "Lumiere Home" in the UK), whose
// catalogue of candles, soaps, linen... is shared across its shops with
// overlapping SKUs. A shop is (platform, country). The output is a
// platform-neutral ShopData made of pcgd::model records; each platform module
// renders it in the shape of its own API.
//
// Determinism: only mt19937_64 and our own integer helpers are used (the std
// distributions are implementation-defined), no floating point decides
// anything, and nothing reads the clock. Same options -> same bytes.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <pcgd/model/json.hpp>
#include <pcgd/model/records.hpp>

namespace pcgd::emulator {

/// SplitMix64 finaliser: turns structured inputs (seed, index) into
/// well-spread sub-seeds.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}
std::uint64_t hash_string(std::string_view s) noexcept;  // FNV-1a, stable everywhere

class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}
    std::uint64_t next() { return engine_(); }
    /// Uniform in [0, n); n > 0. Rejection sampling keeps it unbiased.
    std::uint64_t below(std::uint64_t n);
    /// Uniform in [lo, hi], inclusive.
    std::int64_t between(std::int64_t lo, std::int64_t hi);
    /// True with probability ppm / 1'000'000.
    bool chance_ppm(std::uint32_t ppm) { return below(1'000'000) < ppm; }
    bool percent(std::uint32_t pct) { return below(100) < pct; }
    template <class T>
    const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(below(v.size()))]; }
    template <class T>
    void shuffle(std::vector<T>& v) {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<std::size_t>(below(i))]);
    }

private:
    std::mt19937_64 engine_;
};

/// 2026-11-01T00:00:00Z
inline constexpr model::TimestampMs default_now_ms = 1793491200000;

struct GeneratorOptions {
    std::uint64_t seed = 1;
    int products = 40;
    int orders = 300;
    model::TimestampMs now_ms = default_now_ms;
    std::string platform = "testshop";
    std::string country = "GB";  // GB or FR
};

struct Location {
    std::string id;
    std::string name;
};

struct ProductData {
    std::uint64_t key = 0;  // numeric id, also the id's sort order
    model::Product product;
    std::string status;  // active, draft, archived
    std::vector<model::Variant> variants;
    bool deleted = false;
};

struct OrderData {
    std::uint64_t key = 0;
    model::Order order;
    std::string discount_code;            // empty when no discount
    std::int64_t presentment_rate_milli = 1000;
    std::vector<model::Refund> refunds;   // oldest first
};

struct Counts {
    std::int64_t products = 0, variants = 0, orders = 0, order_lines = 0, refunds = 0, traffic = 0,
                 deleted_products = 0;
};

/// What one mutate step changed (ids as the model holds them).
struct MutationReport {
    int step = 0;
    model::TimestampMs clock_ms = 0;
    std::vector<std::string> products_updated, orders_updated, orders_refunded, refunds_added, orders_cancelled,
        products_deleted, orders_added;
    std::string to_json() const;
};

struct ShopData {
    GeneratorOptions options;
    model::Shop shop;
    std::string shop_name;
    std::vector<Location> locations;
    std::vector<ProductData> products;  // deleted ones stay here with deleted = true
    std::vector<OrderData> orders;      // by created_at
    std::vector<model::TrafficSample> traffic;  // by (day, sku)
    std::vector<model::Deletion> deletions;
    model::TimestampMs clock_ms = 0;  // the emulator's clock: `now`, advanced by each mutate
    int mutations = 0;
    std::uint64_t next_key = 0;       // for records created by mutate

    static constexpr model::TimestampMs mutate_step_ms = 3'600'000;

    Counts counts() const;
    /// Sum of the orders' totals in shop money, by currency, cancelled included.
    std::map<std::string, std::int64_t> order_totals_minor() const;
    /// Applies the next deterministic batch of changes and advances the clock.
    MutationReport mutate();
    /// Everything, as JSON (for determinism checks and debugging).
    std::string dump_json() const;
};

ShopData generate(const GeneratorOptions& options);

/// Writes the platform-neutral part of the ground truth (platform, shop,
/// clock, counts, order_totals) as members of an open object.
void write_ground_truth_fields(json::Writer& w, const ShopData& data);

/// Valid EAN-13 check digit for 12 digits.
char ean13_check_digit(std::string_view twelve_digits);

}  // namespace pcgd::emulator
