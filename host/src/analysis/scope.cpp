#include "analysis/scope.hpp"

#include <algorithm>

#include <pcgd/model/json.hpp>

namespace pcgd::analysis {

Scope resolve_scope(host::Store& store, const ReportRequest& r) {
    if (r.sme_id.empty() == r.shop_id.empty()) throw InputError("give exactly one of --sme ID or --shop ID");
    Scope s;
    std::optional<host::Sme> sme;
    if (!r.sme_id.empty()) {
        sme = store.get_sme(r.sme_id);
        if (!sme) throw InputError("no SME '" + r.sme_id + "' (add it with `pcgd sme add`)");
        for (auto& shop : store.list_shops())
            if (shop.sme_id == r.sme_id) s.shops.push_back(std::move(shop));
        if (s.shops.empty()) throw InputError("SME '" + r.sme_id + "' has no shops (add one with `pcgd shop add --sme " + r.sme_id + "`)");
        s.kind = "sme";
        s.id = sme->id;
        s.name = sme->name;
    } else {
        auto shop = store.get_shop(r.shop_id);
        if (!shop) throw InputError("no shop '" + r.shop_id + "' (see `pcgd shop list`)");
        if (!shop->sme_id.empty()) sme = store.get_sme(shop->sme_id);
        s.kind = "shop";
        s.id = shop->shop.id;
        s.shops.push_back(std::move(*shop));
    }
    s.sme_id = sme ? sme->id : std::string();
    s.currency = r.currency ? *r.currency : sme ? sme->currency : s.shops.front().shop.currency;
    s.lang = r.lang ? *r.lang : sme && sme->lang == "fr" ? Lang::fr : Lang::en;
    if (r.month) {
        s.month = *r.month;
    } else {
        // The last full month in the first shop's time zone.
        s.month = Month::of_day(local_day(r.now_ms, s.shops.front().shop.time_zone)).plus(-1);
    }
    return s;
}

CostBook::CostBook(host::Store& store, const Scope& scope) {
    for (const auto& shop : scope.shops)
        store.for_each(model::RecordKind::variant, shop.shop.id, [&](std::string_view, std::string_view json) {
            const auto v = std::get<model::Variant>(model::read_record(model::RecordKind::variant, json));
            if (v.unit_cost && !v.sku.empty()) platform_[shop.shop.id].emplace(v.sku, *v.unit_cost);
        });
    if (!scope.sme_id.empty())
        for (auto& c : store.costs(scope.sme_id)) sheet_[c.sku].push_back(c);
}

std::optional<model::Money> CostBook::unit_cost(const std::string& shop_id, const std::string& sku, std::int64_t day) const {
    if (auto shop = platform_.find(shop_id); shop != platform_.end())
        if (auto it = shop->second.find(sku); it != shop->second.end()) return it->second;
    auto it = sheet_.find(sku);
    if (it == sheet_.end()) return std::nullopt;
    const host::CostEntry* valid = nullptr;
    for (const auto& c : it->second)
        if (c.valid_from_day <= day) valid = &c;
    if (!valid) return std::nullopt;
    return valid->unit_cost;
}

std::vector<std::int64_t> split(std::int64_t total, const std::vector<std::int64_t>& weights,
                                const std::function<std::int64_t(std::int64_t)>& fallback) {
    std::vector<std::int64_t> parts(weights.size(), 0);
    if (weights.empty()) return parts;
    __int128 sum = 0;
    for (auto w : weights) sum += w;
    if (sum == 0) {
        std::int64_t given = 0;
        std::size_t largest = 0;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            parts[i] = fallback(weights[i]);
            given += parts[i];
            if ((weights[i] < 0 ? -weights[i] : weights[i]) > (weights[largest] < 0 ? -weights[largest] : weights[largest])) largest = i;
        }
        parts[largest] += total - given;
        return parts;
    }
    const __int128 sign = sum < 0 ? -1 : 1;
    const __int128 den = sum * sign;
    std::vector<std::pair<__int128, std::size_t>> remainders;
    std::int64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const __int128 num = static_cast<__int128>(weights[i]) * sign * total;
        __int128 q = num / den, r = num % den;
        if (r < 0) { q -= 1; r += den; }
        parts[i] = static_cast<std::int64_t>(q);
        given += parts[i];
        remainders.emplace_back(r, i);
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::int64_t k = 0; k < total - given; ++k) parts[remainders[static_cast<std::size_t>(k)].second] += 1;
    return parts;
}

std::int64_t estimated_fee(const host::FeeRule& rule, std::int64_t base_minor, std::int64_t orders) {
    return round_half_even(static_cast<__int128>(base_minor) * rule.percent_bp, 10000) + rule.fixed_minor * orders;
}

Figures& Figures::operator+=(const Figures& o) {
    orders += o.orders;
    units += o.units;
    sales += o.sales;
    line_sales += o.line_sales;
    sales_without_cost += o.sales_without_cost;
    goods_cost += o.goods_cost;
    fees += o.fees;
    fees_estimated += o.fees_estimated;
    fee_orders_unknown += o.fee_orders_unknown;
    return *this;
}

std::optional<std::int64_t> Figures::cost() const {
    if (!cost_known()) return std::nullopt;
    return goods_cost + fees;
}

std::optional<std::int64_t> Figures::profit() const {
    if (!cost_known()) return std::nullopt;
    return sales - goods_cost - fees;
}

namespace {

/// One (shop, day)'s sums in their own currencies, converted once each on flush.
struct DayAccumulator {
    struct PerCurrency {
        std::int64_t sales = 0, line_sales = 0, sales_without_cost = 0, fees_known = 0, fee_base = 0, fee_orders = 0;
    };
    std::map<model::Currency, PerCurrency> money;
    std::map<model::Currency, std::int64_t> goods_cost;
    std::int64_t orders = 0, units = 0;
};

}  // namespace

std::map<Month, std::map<std::string, Figures>> monthly_figures(host::Store& store, const Scope& scope,
                                                                const host::Config& config, const CostBook& costs,
                                                                Exchange& exchange, Month from, Month to) {
    std::map<Month, std::map<std::string, Figures>> out;
    for (Month m = from; m <= to; m = m.plus(1))
        for (const auto& shop : scope.shops) out[m][shop.shop.id];
    for (const auto& shop : scope.shops) {
        const std::string& shop_id = shop.shop.id;
        const auto rule_it = config.fees.find(shop.shop.platform);
        const host::FeeRule* rule = rule_it == config.fees.end() ? nullptr : &rule_it->second;
        std::map<std::int64_t, DayAccumulator> days;
        store.for_each_order_fact(shop_id, from.first_day(), to.last_day(), [&](const host::DayOrderFacts& f) {
            DayAccumulator& d = days[f.day];
            auto& c = d.money[f.currency];
            d.orders += f.orders;
            c.sales += f.shipping_net_minor - f.refunds_other_minor;
            c.fees_known += f.fees_known_minor;
            c.fee_base += f.fee_base_minor;
            c.fee_orders += f.fee_unknown_orders;
        });
        const auto flush = [&](std::int64_t day, const DayAccumulator& d) {
            Figures& fig = out[Month::of_day(day)][shop_id];
            fig.orders += d.orders;
            fig.units += d.units;
            for (const auto& [currency, c] : d.money) {
                fig.sales += exchange.convert(c.sales, currency, day);
                fig.line_sales += exchange.convert(c.line_sales, currency, day);
                fig.sales_without_cost += exchange.convert(c.sales_without_cost, currency, day);
                std::int64_t fees = c.fees_known;
                if (c.fee_orders > 0) {
                    if (rule) {
                        const std::int64_t estimate = estimated_fee(*rule, c.fee_base, c.fee_orders);
                        fees += estimate;
                        fig.fees_estimated += exchange.convert(estimate, currency, day);
                    } else {
                        fig.fee_orders_unknown += c.fee_orders;
                    }
                }
                fig.fees += exchange.convert(fees, currency, day);
            }
            for (const auto& [currency, cost] : d.goods_cost) fig.goods_cost += exchange.convert(cost, currency, day);
        };
        // Sku facts stream by day; the day's order facts join them there.
        std::int64_t current = 0;
        bool open = false;
        store.for_each_sku_fact(shop_id, from.first_day(), to.last_day(), [&](const host::DaySkuFacts& f) {
            if (open && f.day != current) {
                flush(current, days[current]);
                days.erase(current);
            }
            while (!days.empty() && days.begin()->first < f.day) {
                flush(days.begin()->first, days.begin()->second);
                days.erase(days.begin());
            }
            current = f.day;
            open = true;
            DayAccumulator& d = days[f.day];
            auto& c = d.money[f.currency];
            d.units += f.units;
            c.sales += f.sales_minor - f.refunds_minor;
            c.line_sales += f.sales_minor;
            if (f.units != 0) {
                if (auto cost = costs.unit_cost(shop_id, f.sku, f.day)) d.goods_cost[cost->currency] += cost->minor * f.units;
                else c.sales_without_cost += f.sales_minor;
            }
        });
        for (const auto& [day, d] : days) flush(day, d);
    }
    return out;
}

Report start_report(std::string tool, Text title, const Scope& scope) {
    Report r;
    r.tool = std::move(tool);
    r.title = std::move(title);
    r.scope_kind = scope.kind;
    r.scope_id = scope.id;
    r.scope_name = scope.name;
    r.month = scope.month;
    r.currency = scope.currency;
    return r;
}

std::vector<std::pair<std::string, Text>> common_definitions() {
    return {
        {"month", {"calendar month in each shop's own time zone", "mois civil dans le fuseau horaire de chaque boutique"}},
        {"orders", {"orders created in the month, cancelled and test orders excluded",
                    "commandes créées dans le mois, hors commandes annulées et de test"}},
        {"sales", {"line amounts after discounts plus shipping charged, excluding tax, of those orders, minus refunds "
                   "(excluding tax) in the month the refund happened; tax collected by a marketplace is never revenue",
                   "montants des lignes après remises plus frais de port facturés, hors taxes, de ces commandes, moins les "
                   "remboursements (hors taxes) du mois où ils ont eu lieu ; la TVA collectée par une place de marché n'est "
                   "jamais du chiffre d'affaires"}},
        {"cost", {"units sold times unit cost (the platform's, else the SME's cost sheet valid that day), plus platform "
                  "fees (reported, else estimated from the channel's fee rule); unknown when any sale lacks a cost",
                  "unités vendues fois coût unitaire (celui de la plateforme, sinon la fiche de coûts de la PME valable ce "
                  "jour-là), plus les frais de plateforme (déclarés, sinon estimés par la règle du canal) ; inconnu dès "
                  "qu'une vente n'a pas de coût"}},
        {"fees_estimated", {"percent of the order's sales excluding tax plus a fixed amount per order, from [fees.<platform>], "
                            "rounded half-even once per shop and day",
                            "pourcentage des ventes HT de la commande plus un montant fixe par commande, selon "
                            "[fees.<plateforme>], arrondi au pair une fois par boutique et par jour"}},
        {"profit", {"sales minus cost", "ventes moins coût"}},
        {"margin", {"profit over sales", "profit sur ventes"}},
        {"change_pct", {"(this month - previous month) / previous month x 100; absent when the previous month is zero",
                        "(ce mois - mois précédent) / mois précédent x 100 ; absent si le mois précédent vaut zéro"}},
        {"conversion", {"each amount of a shop, local day and currency is converted once at that day's rate (else the "
                        "latest within rate_max_age_days before), rounded half-even; breakdowns get shares of that "
                        "converted amount by largest remainder, so they add up exactly",
                        "chaque montant d'une boutique, d'un jour local et d'une devise est converti une fois au taux du jour "
                        "(sinon le dernier dans les rate_max_age_days précédents), arrondi au pair ; les ventilations en "
                        "reçoivent une part au plus fort reste, si bien qu'elles s'additionnent exactement"}},
        {"percentages", {"computed in floating point from exact integer amounts, shown to one decimal",
                         "calculés en virgule flottante à partir de montants entiers exacts, affichés à une décimale"}},
    };
}

}  // namespace pcgd::analysis
