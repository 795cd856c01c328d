// Joint reviews: how the figures moved between two sessions, from the two
// snapshots as they were shown (never from today's data).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "coaching/snapshot.hpp"

namespace pcgd::coaching {

/// One figure before and after. Money is in minor units of the snapshots'
/// currency. A flow that did not exist on one side (a product not sold that
/// month) counts as 0; an unknown value (profit with a cost missing) stays
/// unknown and so does its change.
struct Delta {
    std::string group;   // total, channel, country, product, quality, opportunities
    std::string key;     // shop id, country, "shop/sku", or empty for a total
    std::string figure;  // orders, sales, profit, views, units, score, strong, good, potential, new_markets
    bool money = false;
    std::optional<std::int64_t> before, after, change;
    std::optional<double> change_pct;  // absent when before is 0 or unknown
};

/// Throws std::invalid_argument when the snapshots are in different currencies.
std::vector<Delta> review_deltas(const Snapshot& before, const Snapshot& after);

/// The product deltas of `deltas` with the largest absolute sales change,
/// at most `n` products (all their figures), ties by key.
std::vector<Delta> top_product_moves(const std::vector<Delta>& deltas, std::size_t n);

}  // namespace pcgd::coaching
