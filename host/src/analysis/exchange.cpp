#include "analysis/exchange.hpp"

#include <algorithm>

namespace pcgd::analysis {

std::int64_t round_half_even(__int128 num, __int128 den) {
    if (den < 0) { num = -num; den = -den; }
    __int128 q = num / den, r = num % den;
    if (r < 0) { q -= 1; r += den; }  // floor
    const __int128 twice = 2 * r;
    if (twice > den || (twice == den && (q % 2 != 0))) q += 1;
    return static_cast<std::int64_t>(q);
}

std::optional<DecimalRate> DecimalRate::parse(std::string_view s) noexcept {
    DecimalRate r;
    bool point = false, digit = false;
    for (char c : s) {
        if (c == '.') {
            if (point) return std::nullopt;
            point = true;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        digit = true;
        if (r.num > 100'000'000'000'000) return std::nullopt;
        r.num = r.num * 10 + (c - '0');
        if (point && ++r.scale > 12) return std::nullopt;
    }
    if (!digit || r.num == 0) return std::nullopt;
    return r;
}

namespace {
__int128 pow10(int n) {
    __int128 p = 1;
    while (n-- > 0) p *= 10;
    return p;
}
const model::Currency eur = model::Currency::of("EUR");
}  // namespace

Exchange::Exchange(host::Store& store, model::Currency target, std::uint32_t max_age_days)
    : store_(store), target_(target), max_age_days_(max_age_days) {}

const std::vector<Exchange::Quote>& Exchange::quotes(model::Currency from, model::Currency to) {
    const auto key = std::make_pair(from.str(), to.str());
    auto it = quotes_.find(key);
    if (it == quotes_.end()) {
        std::vector<Quote> q;
        for (const auto& r : store_.rates(from, to))
            if (auto d = DecimalRate::parse(r.rate)) q.push_back(Quote{r.day, *d, r.rate});
        it = quotes_.emplace(key, std::move(q)).first;
    }
    return it->second;
}

const Exchange::Quote* Exchange::find(model::Currency from, model::Currency to, std::int64_t day) {
    const auto& q = quotes(from, to);
    auto it = std::upper_bound(q.begin(), q.end(), day, [](std::int64_t d, const Quote& x) { return d < x.day; });
    if (it == q.begin()) return nullptr;
    --it;
    if (day - it->day > static_cast<std::int64_t>(max_age_days_)) return nullptr;
    return &*it;
}

Exchange::Factor Exchange::factor(model::Currency from, std::int64_t day) {
    // Minor units differ in size between currencies (JPY has none).
    const int shift = target_.exponent() - from.exponent();
    const __int128 up = pow10(std::max(shift, 0)), down = pow10(std::max(-shift, 0));
    if (const Quote* q = find(from, target_, day))
        return Factor{q->rate.num * up, pow10(q->rate.scale) * down, RateUsed{from, target_, q->day, q->text}};
    if (const Quote* q = find(target_, from, day))
        return Factor{pow10(q->rate.scale) * up, q->rate.num * down, RateUsed{from, target_, q->day, "1/" + q->text}};
    if (from != eur && target_ != eur) {
        const Quote* a = find(eur, from, day);
        const Quote* b = find(eur, target_, day);
        if (a && b)
            return Factor{pow10(a->rate.scale) * b->rate.num * up, a->rate.num * pow10(b->rate.scale) * down,
                          RateUsed{from, target_, std::min(a->day, b->day), b->text + "/" + a->text}};
    }
    throw MissingRate("no " + from.str() + "->" + target_.str() + " exchange rate for " + model::format_date(day) +
                      " (nor in the " + std::to_string(max_age_days_) +
                      " days before); import one with `pcgd rates import FILE`");
}

std::int64_t Exchange::convert(std::int64_t minor, model::Currency from, std::int64_t day) {
    if (from == target_) return minor;
    const auto key = std::make_pair(from.str(), day);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, factor(from, day)).first;
    return round_half_even(static_cast<__int128>(minor) * it->second.num, it->second.den);
}

std::vector<RateUsed> Exchange::used() const {
    std::map<std::tuple<std::string, std::int64_t, std::string>, RateUsed> distinct;
    for (const auto& [key, f] : cache_) distinct.emplace(std::make_tuple(f.shown.from.str(), f.shown.day, f.shown.rate), f.shown);
    std::vector<RateUsed> out;
    for (auto& [k, r] : distinct) out.push_back(r);
    return out;
}

}  // namespace pcgd::analysis
