#include "coaching/review.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace pcgd::coaching {

namespace {

Delta make(std::string group, std::string key, std::string figure, bool money, std::optional<std::int64_t> before,
           std::optional<std::int64_t> after) {
    Delta d{std::move(group), std::move(key), std::move(figure), money, before, after, std::nullopt, std::nullopt};
    if (before && after) {
        d.change = *after - *before;
        if (*before != 0) d.change_pct = static_cast<double>(*d.change) * 100.0 / static_cast<double>(*before);
    }
    return d;
}

template <class T, class KeyOf>
std::map<std::string, const T*> index(const std::vector<T>& items, KeyOf key_of) {
    std::map<std::string, const T*> out;
    for (const auto& i : items) out[key_of(i)] = &i;
    return out;
}

void figures(std::vector<Delta>& out, const char* group, const std::vector<ChannelFigures>& a, const std::vector<ChannelFigures>& b) {
    const auto key = [](const ChannelFigures& c) { return c.key; };
    const auto ia = index(a, key), ib = index(b, key);
    std::set<std::string> keys;
    for (const auto& [k, v] : ia) keys.insert(k);
    for (const auto& [k, v] : ib) keys.insert(k);
    for (const auto& k : keys) {
        const auto fa = ia.find(k), fb = ib.find(k);
        const ChannelFigures zero{k, "", "", 0, 0, 0, std::int64_t{0}};
        const ChannelFigures& x = fa == ia.end() ? zero : *fa->second;
        const ChannelFigures& y = fb == ib.end() ? zero : *fb->second;
        out.push_back(make(group, k, "orders", false, x.orders, y.orders));
        out.push_back(make(group, k, "sales", true, x.sales, y.sales));
        out.push_back(make(group, k, "profit", true, x.profit, y.profit));
        out.push_back(make(group, k, "views", false, x.views, y.views));
    }
}

}  // namespace

std::vector<Delta> review_deltas(const Snapshot& a, const Snapshot& b) {
    if (a.currency != b.currency)
        throw std::invalid_argument("the two sessions' figures are in different currencies (" + a.currency + " and " + b.currency +
                                    "): they cannot be compared");
    std::vector<Delta> out;
    out.push_back(make("total", "", "orders", false, a.orders, b.orders));
    out.push_back(make("total", "", "sales", true, a.sales, b.sales));
    out.push_back(make("total", "", "profit", true, a.profit, b.profit));
    figures(out, "channel", a.channels, b.channels);
    figures(out, "country", a.countries, b.countries);

    const auto pkey = [](const ProductFigures& p) { return p.shop + "/" + p.sku; };
    const auto pa = index(a.products, pkey), pb = index(b.products, pkey);
    std::set<std::string> keys;
    for (const auto& [k, v] : pa) keys.insert(k);
    for (const auto& [k, v] : pb) keys.insert(k);
    for (const auto& k : keys) {
        const auto fa = pa.find(k), fb = pb.find(k);
        const ProductFigures zero{"", "", 0, 0, 0, std::int64_t{0}};
        const ProductFigures& x = fa == pa.end() ? zero : *fa->second;
        const ProductFigures& y = fb == pb.end() ? zero : *fb->second;
        out.push_back(make("product", k, "orders", false, x.orders, y.orders));
        out.push_back(make("product", k, "units", false, x.units, y.units));
        out.push_back(make("product", k, "sales", true, x.sales, y.sales));
        out.push_back(make("product", k, "profit", true, x.profit, y.profit));
    }

    // A shop's score is a state, not a flow: a shop missing on one side is unknown there.
    std::map<std::string, std::int64_t> qa(a.quality.begin(), a.quality.end()), qb(b.quality.begin(), b.quality.end());
    std::set<std::string> shops;
    for (const auto& [k, v] : qa) shops.insert(k);
    for (const auto& [k, v] : qb) shops.insert(k);
    for (const auto& k : shops) {
        const auto fa = qa.find(k), fb = qb.find(k);
        out.push_back(make("quality", k, "score", false, fa == qa.end() ? std::nullopt : std::optional<std::int64_t>(fa->second),
                           fb == qb.end() ? std::nullopt : std::optional<std::int64_t>(fb->second)));
    }
    out.push_back(make("opportunities", "", "strong", false, a.strong, b.strong));
    out.push_back(make("opportunities", "", "good", false, a.good, b.good));
    out.push_back(make("opportunities", "", "potential", false, a.potential, b.potential));
    out.push_back(make("opportunities", "", "new_markets", false, a.new_markets, b.new_markets));
    return out;
}

std::vector<Delta> top_product_moves(const std::vector<Delta>& deltas, std::size_t n) {
    std::vector<std::pair<std::int64_t, std::string>> moves;
    for (const auto& d : deltas)
        if (d.group == "product" && d.figure == "sales") moves.emplace_back(-std::abs(d.change.value_or(0)), d.key);
    std::sort(moves.begin(), moves.end());
    if (moves.size() > n) moves.resize(n);
    std::vector<Delta> out;
    for (const auto& [size, key] : moves)
        for (const auto& d : deltas)
            if (d.group == "product" && d.key == key) out.push_back(d);
    return out;
}

}  // namespace pcgd::coaching
