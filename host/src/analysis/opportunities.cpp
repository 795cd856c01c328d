// Guide 2: market evaluation. Each product is classed from its units,
// orders, views, stock on hand, sell-through and conversion over a window;
// the reason names the numbers.
#include <algorithm>
#include <set>

#include <pcgd/model/json.hpp>

#include "analysis/tools.hpp"

namespace pcgd::analysis {

namespace {

struct ProductStats {
    std::string shop, product_id, title;
    std::int64_t units = 0, orders = 0, views = 0, sessions = 0, views_first = 0, views_second = 0;
    std::optional<std::int64_t> on_hand;
    bool has_views = false;
};

/// Conversion as each platform defines it (see analysis.md): rates of
/// different bases are never compared, only products of one shop.
struct ConversionBasis {
    bool per_unit = false;     // numerator: units (else orders)
    bool per_session = false;  // denominator: sessions (else views)
    Text label;
};

ConversionBasis conversion_basis(const std::string& platform, bool sessions_known) {
    if (platform == "amazon" && sessions_known)
        return {true, true, {"units/sessions (Amazon Unit Session Percentage)", "unités/sessions (Unit Session Percentage d'Amazon)"}};
    if (platform == "amazon") return {true, false, {"units/page views (amazon)", "unités/pages vues (amazon)"}};
    if (platform == "ebay")
        return {true, false, {"units/listing views (eBay sales conversion rate)", "unités/vues de l'annonce (taux de conversion eBay)"}};
    if (sessions_known) return {false, true, {"orders/sessions (" + platform + ")", "commandes/sessions (" + platform + ")"}};
    return {false, false, {"orders/views (" + platform + ")", "commandes/vues (" + platform + ")"}};
}

std::string pct_text(std::int64_t num, std::int64_t den, Lang lang) {
    return format_percent(Percent{static_cast<double>(num) * 100.0 / static_cast<double>(den)}, lang);
}

}  // namespace

Report opportunities_report(host::Store& store, const host::Config& config, const Scope& scope) {
    const auto& a = config.analysis;
    const Lang lang = scope.lang;
    Report r = start_report("opportunities", {"Market evaluation", "Évaluation du marché"}, scope);
    const std::int64_t to_day = scope.month.last_day(), from_day = to_day - a.window_days + 1;
    const std::string window = std::to_string(a.window_days);
    r.definitions = {
        {"window", {"the " + window + " days to the end of the report month, " + model::format_date(from_day) + " to " + model::format_date(to_day),
                    "les " + window + " jours jusqu'à la fin du mois du rapport, du " + model::format_date(from_day) + " au " + model::format_date(to_day)}},
        {"sell_through", {"units sold / (units sold + units on hand) over the window; unknown when stock is not tracked",
                          "unités vendues / (unités vendues + unités en stock) sur la période ; inconnu si le stock n'est pas suivi"}},
        {"conversion", {"over the window, as each platform defines it: Amazon units / sessions (Unit Session Percentage), eBay units / listing views, "
                        "other shops orders / sessions, or orders / views where sessions are unknown; the basis is shown per row, and products "
                        "are compared within their shop only",
                        "sur la période, telle que chaque plateforme la définit : Amazon unités / sessions (Unit Session Percentage), eBay unités / "
                        "vues de l'annonce, autres boutiques commandes / sessions, ou commandes / vues si les sessions sont inconnues ; la base est "
                        "indiquée par ligne, et les produits ne sont comparés qu'au sein de leur boutique"}},
        {"strong", {"at least " + std::to_string(a.strong_min_units) + " units, sell-through >= " + std::to_string(a.strong_sell_through_pct) +
                        "% (or stock not tracked), conversion >= the shop median (or no views)",
                    "au moins " + std::to_string(a.strong_min_units) + " unités, écoulement >= " + std::to_string(a.strong_sell_through_pct) +
                        " % (ou stock non suivi), conversion >= la médiane de la boutique (ou pas de vues)"}},
        {"good", {"at least " + std::to_string(a.good_min_units) + " units and sell-through >= " + std::to_string(a.good_sell_through_pct) +
                      "% or conversion >= the shop median",
                  "au moins " + std::to_string(a.good_min_units) + " unités et écoulement >= " + std::to_string(a.good_sell_through_pct) +
                      " % ou conversion >= la médiane de la boutique"}},
        {"potential", {"first sales, or views rising by " + std::to_string(a.rising_views_pct) + "% or more (second half of the window over the first), or views at or above the shop median with conversion below it",
                       "premières ventes, ou vues en hausse de " + std::to_string(a.rising_views_pct) + " % ou plus (seconde moitié de la période sur la première), ou vues au moins égales à la médiane avec une conversion inférieure"}},
        {"new_market", {"a SKU sold in one shop of the SME and not listed (no active variant) in another",
                        "un SKU vendu dans une boutique de la PME et absent (aucune variante active) d'une autre"}},
    };
    Section tiers{"products", {"Products", "Produits"},
                  {{"shop", {"Shop", "Boutique"}}, {"product_id", {"Product", "Produit"}}, {"title", {"Title", "Titre"}},
                   {"tier", {"Opportunity", "Opportunité"}}, {"units", {"Units", "Unités"}}, {"orders", {"Orders", "Commandes"}},
                   {"views", {"Views", "Vues"}}, {"on_hand", {"On hand", "En stock"}}, {"sell_through_pct", {"Sell-through", "Écoulement"}},
                   {"conversion_pct", {"Conversion", "Conversion"}}, {"conversion_basis", {"Conversion basis", "Base de conversion"}},
                   {"reason", {"Why", "Pourquoi"}}},
                  {}, {}};
    std::map<std::string, std::set<std::string>> listed;                              // shop -> active SKUs
    std::map<std::string, std::map<std::string, std::pair<std::int64_t, std::string>>> sold;  // sku -> shop -> (units, title)
    const std::int64_t half = from_day + a.window_days / 2;
    for (const auto& shop : scope.shops) {
        const std::string& shop_id = shop.shop.id;
        std::map<std::string, ProductStats> stats;
        std::map<std::string, std::string> product_of_sku;
        store.for_each(model::RecordKind::product, shop_id, [&](std::string_view, std::string_view json) {
            const auto p = std::get<model::Product>(model::read_record(model::RecordKind::product, json));
            if (!p.active) return;
            ProductStats& s = stats[p.id];
            s.shop = shop_id;
            s.product_id = p.id;
            s.title = p.title;
        });
        store.for_each(model::RecordKind::variant, shop_id, [&](std::string_view, std::string_view json) {
            const auto v = std::get<model::Variant>(model::read_record(model::RecordKind::variant, json));
            auto it = stats.find(v.product_id);
            if (it == stats.end() || !v.active) return;
            if (!v.sku.empty()) {
                product_of_sku[v.sku] = v.product_id;
                listed[shop_id].insert(v.sku);
            }
            if (v.stock_total) it->second.on_hand = it->second.on_hand.value_or(0) + std::max<std::int64_t>(0, *v.stock_total);
        });
        store.for_each_sku_fact(shop_id, from_day, to_day, [&](const host::DaySkuFacts& f) {
            auto it = product_of_sku.find(f.sku);
            if (it == product_of_sku.end()) return;
            ProductStats& s = stats[it->second];
            s.units += f.units;
            s.orders += f.orders;
            if (f.units > 0) {
                auto& entry = sold[f.sku][shop_id];
                entry.first += f.units;
                entry.second = s.title;
            }
        });
        bool sessions_known = true;  // for the whole shop, so one basis serves its median
        store.for_each_views(shop_id, from_day, to_day, [&](const host::DayViews& v) {
            auto it = product_of_sku.find(std::string(v.sku));
            if (it == product_of_sku.end()) return;
            ProductStats& s = stats[it->second];
            s.has_views = true;
            s.views += v.views;
            if (v.sessions) s.sessions += *v.sessions;
            else sessions_known = false;
            (v.day < half ? s.views_first : s.views_second) += v.views;
        });
        const ConversionBasis basis = conversion_basis(shop.shop.platform, sessions_known);
        const auto conversion_of = [&](const ProductStats& s) {
            return std::make_pair(basis.per_unit ? s.units : s.orders, basis.per_session ? s.sessions : s.views);
        };
        // Shop medians of conversion (as a fraction compared exactly) and views.
        std::vector<std::pair<std::int64_t, std::int64_t>> conversions;
        std::vector<std::int64_t> views;
        for (const auto& [id, s] : stats)
            if (s.has_views && conversion_of(s).second > 0) {
                conversions.push_back(conversion_of(s));
                views.push_back(s.views);
            }
        const auto less = [](const auto& x, const auto& y) { return static_cast<__int128>(x.first) * y.second < static_cast<__int128>(y.first) * x.second; };
        std::sort(conversions.begin(), conversions.end(), less);
        std::sort(views.begin(), views.end());
        // Plain values with a flag: g++ 12 -O2 warns falsely on std::optional here.
        const bool has_median = !conversions.empty();
        const std::pair<std::int64_t, std::int64_t> median_conversion = has_median ? conversions[(conversions.size() - 1) / 2] : std::make_pair(std::int64_t{0}, std::int64_t{1});
        const std::int64_t median_views = has_median ? views[(views.size() - 1) / 2] : 0;
        for (const auto& [id, s] : stats) {
            const auto conversion = conversion_of(s);
            const bool has_conversion = s.has_views && conversion.second > 0;
            const bool conversion_at_median = has_conversion && has_median && !less(conversion, median_conversion);
            std::optional<std::pair<std::int64_t, std::int64_t>> sell_through;
            if (s.on_hand && s.units + *s.on_hand > 0) sell_through = std::make_pair(s.units, s.units + *s.on_hand);
            const auto st_at_least = [&](std::uint32_t pct) {
                return sell_through && static_cast<__int128>(sell_through->first) * 100 >= static_cast<__int128>(sell_through->second) * pct;
            };
            const bool rising = s.views_second * 100 >= s.views_first * (100 + static_cast<std::int64_t>(a.rising_views_pct)) && s.views_second > 0;
            // The numbers every reason starts with.
            std::string facts = std::to_string(s.units) + (lang == Lang::fr ? " unités, " : " units, ") + std::to_string(s.orders) +
                                (lang == Lang::fr ? " commandes" : " orders");
            if (sell_through) facts += (lang == Lang::fr ? ", écoulement " : ", sell-through ") + pct_text(sell_through->first, sell_through->second, lang);
            else facts += lang == Lang::fr ? ", stock non suivi" : ", stock not tracked";
            if (has_conversion) {
                facts += (lang == Lang::fr ? ", conversion " : ", conversion ") + pct_text(conversion.first, conversion.second, lang);
                if (has_median) facts += (lang == Lang::fr ? " (médiane " : " (median ") + pct_text(median_conversion.first, median_conversion.second, lang) + ")";
            } else {
                facts += lang == Lang::fr ? ", pas de vues" : ", no views";
            }
            Text tier, why;
            if (s.units >= a.strong_min_units && (st_at_least(a.strong_sell_through_pct) || !s.on_hand) && (!has_conversion || conversion_at_median)) {
                tier = {"strong", "forte"};
                why = {"proven sales: " + facts, "ventes avérées : " + facts};
            } else if (s.units >= a.good_min_units && (st_at_least(a.good_sell_through_pct) || conversion_at_median)) {
                tier = {"good", "bonne"};
                why = {"fewer sales but good signals: " + facts, "moins de ventes mais de bons signaux : " + facts};
            } else if (s.units > 0 || rising ||
                       (has_conversion && has_median && s.views >= median_views && !conversion_at_median)) {
                tier = {"potential", "potentielle"};
                std::string signal = s.units > 0 ? (lang == Lang::fr ? "premières ventes" : "first sales")
                                     : rising   ? (lang == Lang::fr ? "vues en hausse (" : "views rising (") + std::to_string(s.views_first) + " -> " + std::to_string(s.views_second) + ")"
                                                : (lang == Lang::fr ? "vues élevées, conversion faible" : "high views, low conversion");
                why = {"early signs, " + signal + ": " + facts, "signes précoces, " + signal + " : " + facts};
            } else {
                tier = {"none", "aucune"};
                why = {"no sales and no rising views: " + facts, "ni ventes ni vues en hausse : " + facts};
            }
            if (s.on_hand && *s.on_hand == 0 && s.units > 0) {
                why.en += "; out of stock: restock";
                why.fr += " ; en rupture : réapprovisionnez";
            }
            tiers.rows.push_back({s.shop, s.product_id, s.title, tier.in(lang), s.units, s.orders,
                                  s.has_views ? Cell{s.views} : Cell{}, s.on_hand ? Cell{*s.on_hand} : Cell{},
                                  sell_through ? percent_of(sell_through->first, sell_through->second) : Cell{},
                                  has_conversion ? percent_of(conversion.first, conversion.second) : Cell{}, basis.label.in(lang), why.in(lang)});
        }
    }
    Section candidates{"new_markets", {"New-market candidates", "Candidats pour de nouveaux marchés"},
                       {{"sku", {"SKU", "SKU"}}, {"title", {"Title", "Titre"}}, {"sells_in", {"Sells in", "Se vend sur"}},
                        {"units", {"Units", "Unités"}}, {"absent_from", {"Absent from", "Absent de"}}},
                       {}, {}};
    for (const auto& [sku, shops] : sold)
        for (const auto& [shop_id, entry] : shops)
            for (const auto& other : scope.shops)
                if (other.shop.id != shop_id && !listed[other.shop.id].count(sku))
                    candidates.rows.push_back({sku, entry.second, shop_id, entry.first,
                                               other.shop.id + " (" + other.shop.platform + ", " + other.shop.country + ")"});
    r.sections = {std::move(tiers), std::move(candidates)};
    return r;
}

}  // namespace pcgd::analysis
