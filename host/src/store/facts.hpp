// What an order or refund adds to the daily facts, and the local day of an
// instant. The formulas live here once: the fact tables maintained at write
// time and the per-order reads used by the growth report both use them, so
// a month's total and the sum of its orders cannot drift apart.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include <date/tz.h>

#include <pcgd/model/time.hpp>

namespace pcgd::host::facts {

/// Days since the epoch of the calendar day `t` falls on in `zone`.
inline std::int64_t local_day(model::TimestampMs t, const date::time_zone* zone) {
    using namespace std::chrono;
    const auto local = zone->to_local(sys_time<milliseconds>(milliseconds(t)));
    return floor<days>(local).time_since_epoch().count();
}

/// Cancelled and test orders are no sale.
inline bool is_sale(bool cancelled, std::string_view status, bool test) {
    return !cancelled && status != "cancelled" && !test;
}

/// A line's amount after its discounts, excluding tax. With tax-inclusive
/// prices the line's tax is taken out; otherwise the price has none.
inline std::int64_t line_net_minor(std::int64_t unit_price_minor, std::int64_t quantity, std::int64_t discount_minor,
                                   std::int64_t tax_minor, bool taxes_included) {
    return unit_price_minor * quantity - discount_minor - (taxes_included ? tax_minor : 0);
}

/// Shipping charged, excluding tax. Platforms give the tax of shipping only
/// inside the order's tax, so with tax-inclusive prices it is the order's tax
/// beyond its lines' taxes.
inline std::int64_t shipping_net_minor(std::int64_t shipping_minor, std::int64_t order_tax_minor,
                                       std::int64_t lines_tax_minor, bool taxes_included) {
    if (!taxes_included) return shipping_minor;
    return shipping_minor - std::max<std::int64_t>(0, order_tax_minor - lines_tax_minor);
}

}  // namespace pcgd::host::facts
