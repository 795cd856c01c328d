// A deterministic data set for invariants and benchmarks: one SME with a UK
// (GBP) and a French (EUR) shop, `skus` products, orders spread over three
// years with seasonality, a few cancellations, refunds in later months,
// fees reported for half the orders, a cost sheet for every SKU and daily
// EUR->GBP rates. Only mt19937_64 bits decide, so the data is the same everywhere.
#pragma once

#include <random>
#include <string>

#include <pcgd/model/json.hpp>

#include "store/store.hpp"

namespace pcgd::analysis::test {

struct Generated {
    std::int64_t orders = 0, lines = 0;
};

inline Generated generate(host::Store& store, std::int64_t target_lines, int skus = 200, std::uint64_t seed = 7) {
    std::mt19937_64 rng(seed);
    const auto below = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
    store.put_sme(host::Sme{"gen", "Generated", model::Currency::of("GBP"), "en", 0});
    const char* ids[] = {"gen-uk", "gen-fr"};
    const char* currencies[] = {"GBP", "EUR"};
    for (int s = 0; s < 2; ++s) {
        host::ShopRecord shop;
        shop.shop = model::Shop{ids[s], "testshop", s ? "FR" : "GB", model::Currency::of(currencies[s]), s ? "Europe/Paris" : "Europe/London"};
        shop.base_url = "https://gen.example";
        shop.sme_id = "gen";
        store.put_shop(shop);
    }
    const std::int64_t first_day = *model::parse_date("2023-11-01"), days = 3 * 365;
    std::vector<host::CostEntry> costs;
    for (int k = 0; k < skus; ++k)
        costs.push_back(host::CostEntry{"SKU" + std::to_string(k), first_day - 30, model::Money{100 + k % 50 * 10, model::Currency::of("GBP")}});
    store.put_costs("gen", costs);
    std::vector<host::ExchangeRate> rates;
    for (std::int64_t d = first_day - 10; d < first_day + days + 60; ++d)
        rates.push_back(host::ExchangeRate{model::Currency::of("EUR"), model::Currency::of("GBP"), d, "0.8" + std::to_string(100 + (d % 97))});
    store.put_rates(rates);

    Generated g;
    const std::int64_t orders = target_lines / 3;
    const std::int64_t ms_per_order = days * 86'400'000 / std::max<std::int64_t>(1, orders / 2);
    for (int s = 0; s < 2; ++s) {
        const char* currency = currencies[s];
        auto batch = store.begin_batch(ids[s], sdk::Dataset::orders);
        model::TimestampMs t = first_day * 86'400'000;
        for (std::int64_t i = 0; i < orders / 2; ++i) {
            t += ms_per_order / 2 + below(static_cast<std::uint64_t>(ms_per_order));
            model::Order o;
            o.id = std::to_string(i);
            o.name = "#" + o.id;
            o.created_at = t;
            o.status = "open";
            o.currency = model::Currency::of(currency);
            const int n = 1 + static_cast<int>(below(5));
            std::int64_t subtotal = 0, tax = 0;
            for (int l = 0; l < n; ++l) {
                model::OrderLine line;
                line.id = std::to_string(l);
                line.sku = "SKU" + std::to_string(below(static_cast<std::uint64_t>(skus)));
                line.quantity = 1 + below(3);
                const std::int64_t unit = 500 + below(4000);
                line.unit_price = {model::Money{unit, o.currency}, std::nullopt};
                line.discount = {model::Money{below(4) == 0 ? unit / 10 : 0, o.currency}, std::nullopt};
                line.tax = {model::Money{(unit * line.quantity - line.discount.shop.minor) / 6, o.currency}, std::nullopt};
                subtotal += unit * line.quantity - line.discount.shop.minor;
                tax += line.tax.shop.minor;
                o.lines.push_back(std::move(line));
            }
            const std::int64_t shipping = below(3) == 0 ? 0 : 399;
            o.taxes_included = true;
            o.subtotal = {model::Money{subtotal, o.currency}, std::nullopt};
            o.discounts = {model::Money{0, o.currency}, std::nullopt};
            o.shipping = {model::Money{shipping, o.currency}, std::nullopt};
            o.tax = {model::Money{tax + shipping / 6, o.currency}, std::nullopt};
            o.total = {model::Money{subtotal + shipping, o.currency}, std::nullopt};
            if (below(50) == 0) {
                o.cancelled_at = t + 3'600'000;
                o.status = "cancelled";
            }
            if (below(2) == 0) {
                o.fees_known = true;
                o.fees = {model::Fee{"commission", model::Money{subtotal / 12, o.currency}}};
            }
            batch->add(model::RecordKind::order, model::to_json(o));
            g.lines += n;
            ++g.orders;
            if (!o.cancelled_at && below(25) == 0) {
                model::Refund r;
                r.id = "R" + o.id;
                r.order_id = o.id;
                r.created_at = t + (10 + below(50)) * 86'400'000;
                const auto& l = o.lines.front();
                const std::int64_t net = l.unit_price.shop.minor - l.tax.shop.minor / l.quantity;
                r.amount = {model::Money{l.unit_price.shop.minor, o.currency}, std::nullopt};
                r.tax = {model::Money{l.unit_price.shop.minor - net, o.currency}, std::nullopt};
                r.shipping = {model::Money{0, o.currency}, std::nullopt};
                r.lines = {model::RefundLine{l.id, l.sku, 1, {model::Money{net, o.currency}, std::nullopt},
                                             {model::Money{l.unit_price.shop.minor - net, o.currency}, std::nullopt}}};
                batch->add(model::RecordKind::refund, model::to_json(r));
            }
            if (i % 20000 == 19999) batch->commit("");
        }
        batch->commit("");
    }
    return g;
}

}  // namespace pcgd::analysis::test
