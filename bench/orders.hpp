// Realistic orders for the benchmarks: three lines, presentment money, a fee.
#pragma once

#include <string>

#include <pcgd/model/json.hpp>

namespace pcgd::bench {

inline model::Order make_order(int i) {
    const auto gbp = model::Currency::of("GBP");
    const auto eur = model::Currency::of("EUR");
    auto bag = [&](std::int64_t minor) { return model::MoneyBag{model::Money{minor, gbp}, model::Money{minor * 117 / 100, eur}}; };
    model::Order o;
    o.id = std::to_string(5000000 + i);
    o.name = "#" + std::to_string(1000 + i);
    o.created_at = 1767225600000 + static_cast<std::int64_t>(i) * 60000;
    o.updated_at = o.created_at + 3600000;
    o.status = "closed";
    o.financial_status = "paid";
    o.fulfillment_status = "fulfilled";
    o.currency = gbp;
    o.presentment_currency = eur;
    o.country = "GB";
    o.subtotal = bag(4500 + i % 100);
    o.discounts = bag(0);
    o.shipping = bag(395);
    o.tax = bag(815);
    o.total = bag(4895 + i % 100);
    o.taxes_included = true;
    o.fees_known = true;
    o.fees = {model::Fee{"payment", model::Money{145, gbp}}};
    for (int l = 0; l < 3; ++l)
        o.lines.push_back(model::OrderLine{std::to_string(l + 1), "ML-CAN-LAV-" + std::to_string(l), "v" + std::to_string(l),
                                           "p" + std::to_string(l), "Bougie parfumée à la lavande", 1 + l, bag(1500),
                                           bag(0), bag(250)});
    return o;
}

}  // namespace pcgd::bench
