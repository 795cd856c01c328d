#include <pcgd/emulator/generator.hpp>

#include <gtest/gtest.h>

#include <set>

using namespace pcgd;
using namespace pcgd::emulator;

namespace {
GeneratorOptions opts(std::uint64_t seed, std::string country = "GB", int products = 60, int orders = 2000) {
    GeneratorOptions o;
    o.seed = seed;
    o.country = std::move(country);
    o.products = products;
    o.orders = orders;
    return o;
}
}  // namespace

TEST(Generator, SameSeedGivesIdenticalJson) {
    EXPECT_EQ(generate(opts(42)).dump_json(), generate(opts(42)).dump_json());
    EXPECT_EQ(generate(opts(42, "FR")).dump_json(), generate(opts(42, "FR")).dump_json());
}

TEST(Generator, DifferentSeedDiffers) { EXPECT_NE(generate(opts(42)).dump_json(), generate(opts(43)).dump_json()); }

TEST(Generator, MutationsAreDeterministic) {
    auto a = generate(opts(5)), b = generate(opts(5));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(a.mutate().to_json(), b.mutate().to_json());
    EXPECT_EQ(a.dump_json(), b.dump_json());
}

TEST(Generator, ShopsByCountry) {
    auto gb = generate(opts(1, "GB")), fr = generate(opts(1, "FR"));
    EXPECT_EQ(gb.shop.currency.code(), "GBP");
    EXPECT_EQ(gb.shop.time_zone, "Europe/London");
    EXPECT_EQ(fr.shop.currency.code(), "EUR");
    EXPECT_EQ(fr.shop.time_zone, "Europe/Paris");
    bool accent = false;
    for (const auto& p : fr.products) accent |= p.product.title.find("é") != std::string::npos || p.product.title.find("à") != std::string::npos;
    EXPECT_TRUE(accent) << "French titles carry accents";
    // The catalogue is shared: SKUs overlap across shops without being identical.
    std::set<std::string> gb_skus, fr_skus;
    for (const auto& p : gb.products)
        for (const auto& v : p.variants) gb_skus.insert(v.sku);
    for (const auto& p : fr.products)
        for (const auto& v : p.variants) fr_skus.insert(v.sku);
    std::size_t common = 0;
    for (const auto& s : gb_skus) common += fr_skus.count(s);
    EXPECT_GT(common, gb_skus.size() / 2);
    EXPECT_LT(common, gb_skus.size());
}

TEST(Generator, CatalogueHasTheAwkwardCases) {
    auto d = generate(opts(3));
    int no_barcode = 0, no_cost = 0, zero_stock = 0, no_image = 0, no_description = 0, all_caps = 0, compare_at = 0;
    std::set<std::string> skus;
    for (const auto& p : d.products) {
        no_image += p.product.images.empty();
        no_description += p.product.description.empty();
        bool lower = false;
        for (char c : p.product.title) lower |= c >= 'a' && c <= 'z';
        all_caps += !lower;
        for (const auto& v : p.variants) {
            EXPECT_TRUE(skus.insert(v.sku).second) << "duplicate SKU " << v.sku;
            if (v.barcode.empty()) {
                ++no_barcode;
            } else {
                ASSERT_EQ(v.barcode.size(), 13u);
                EXPECT_EQ(v.barcode[12], ean13_check_digit(v.barcode.substr(0, 12))) << v.barcode;
            }
            no_cost += !v.unit_cost;
            compare_at += v.compare_at_price.has_value();
            zero_stock += v.stock_total == 0;
        }
    }
    EXPECT_GT(no_barcode, 0);
    EXPECT_GT(no_cost, 0);
    EXPECT_GT(zero_stock, 0);
    EXPECT_GT(no_image, 0);
    EXPECT_GT(no_description, 0);
    EXPECT_EQ(all_caps, 1);
    EXPECT_GT(compare_at, 0);
    EXPECT_EQ(ean13_check_digit("400638133393"), '1');  // a published EAN-13: 4006381333931
}

TEST(Generator, OrdersLookLikeAShopsYear) {
    auto d = generate(opts(9, "GB", 60, 6000));
    ASSERT_EQ(d.orders.size(), 6000u);
    int by_month[13] = {};
    int cancelled = 0, refunded = 0, late_refund = 0, partial = 0, foreign = 0, discounted = 0;
    for (const auto& od : d.orders) {
        const auto& o = od.order;
        EXPECT_GE(o.created_at, d.options.now_ms - 3 * 366 * 86'400'000LL);
        EXPECT_LE(o.created_at, d.options.now_ms);
        EXPECT_GE(o.lines.size(), 1u);
        EXPECT_LE(o.lines.size(), 4u);
        ++by_month[model::civil_from_days(o.created_at / 86'400'000).month];
        cancelled += o.cancelled_at.has_value();
        foreign += o.presentment_currency && *o.presentment_currency != o.currency;
        discounted += !od.discount_code.empty();
        // Tax-inclusive totals hold together.
        std::int64_t sub = 0;
        for (const auto& l : o.lines) sub += l.unit_price.shop.minor * l.quantity - l.discount.shop.minor;
        EXPECT_EQ(sub, o.subtotal.shop.minor);
        EXPECT_EQ(o.total.shop.minor, o.subtotal.shop.minor + o.shipping.shop.minor);
        if (!od.refunds.empty()) {
            ++refunded;
            const auto& r = od.refunds.front();
            EXPECT_GT(r.created_at, o.created_at);
            EXPECT_LE(r.created_at, d.options.now_ms);
            const auto a = model::civil_from_days(o.created_at / 86'400'000), b = model::civil_from_days(r.created_at / 86'400'000);
            late_refund += a.month != b.month || a.year != b.year;
            partial += r.amount.shop.minor < o.total.shop.minor;
        }
    }
    const double avg = 6000.0 / 12;
    EXPECT_GT(by_month[12], 1.5 * avg);
    EXPECT_GT(by_month[11], 1.4 * avg);
    EXPECT_NEAR(cancelled / 6000.0, 0.03, 0.01);
    EXPECT_NEAR(refunded / 6000.0, 0.06 * 0.97, 0.015);
    EXPECT_GT(late_refund, 0);
    EXPECT_GT(partial, 0);
    EXPECT_GT(foreign, 0);
    EXPECT_LT(foreign, 300);
    EXPECT_GT(discounted, 0);
}

TEST(Generator, TrafficCoversTheLast90Days) {
    auto d = generate(opts(4));
    std::set<std::int64_t> days;
    for (const auto& t : d.traffic) days.insert(t.day);
    ASSERT_EQ(days.size(), 90u);
    EXPECT_EQ(*days.rbegin(), d.options.now_ms / 86'400'000 - 1);
}
