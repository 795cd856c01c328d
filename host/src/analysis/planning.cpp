// Guide 3: activity planning.
#include <cmath>

#include "analysis/tools.hpp"

namespace pcgd::analysis {

namespace {

Text trend_of(std::int64_t now, std::int64_t before, std::uint32_t band_pct) {
    if (before == 0) return now == 0 ? Text{"about the same", "à peu près stable"} : Text{"up", "en hausse"};
    // |now - before| / |before| within the band, compared in integers.
    const __int128 diff = static_cast<__int128>(now - before) * 100;
    const __int128 limit = static_cast<__int128>(before < 0 ? -before : before) * band_pct;
    if (diff > limit) return {"up", "en hausse"};
    if (-diff > limit) return {"down", "en baisse"};
    return {"about the same", "à peu près stable"};
}

Cell change_pct(std::int64_t now, std::int64_t before) {
    if (before == 0) return std::monostate{};
    return Percent{static_cast<double>(now - before) * 100.0 / static_cast<double>(before)};
}

struct Projection {
    std::int64_t point = 0, low = 0, high = 0;
    Text method;
};

double stddev(const std::vector<double>& xs) {
    if (xs.size() < 2) return -1;
    double mean = 0;
    for (double x : xs) mean += x;
    mean /= static_cast<double>(xs.size());
    double ss = 0;
    for (double x : xs) ss += (x - mean) * (x - mean);
    return std::sqrt(ss / static_cast<double>(xs.size() - 1));
}

/// `y` holds the months of history, oldest first, the last being the report's month.
Projection project(const std::vector<std::int64_t>& y, const std::function<std::string(std::int64_t)>& money) {
    Projection p;
    const std::size_t t = y.size();
    double sigma = -1, widen = 1;
    if (t >= 15) {
        const std::int64_t last_year = y[t - 12];
        const std::int64_t recent = y[t - 1] + y[t - 2] + y[t - 3], before = y[t - 13] + y[t - 14] + y[t - 15];
        std::vector<double> residuals;
        for (std::size_t i = 12; i < t; ++i) residuals.push_back(static_cast<double>(y[i] - y[i - 12]));
        sigma = stddev(residuals);
        if (before > 0) {
            p.point = round_half_even(static_cast<__int128>(last_year) * recent, before);
            p.method = {"year-on-year growth: same month last year (" + money(last_year) + ") x the last 3 months over the same 3 months a year before (" +
                            money(recent) + " / " + money(before) + "); range: +-1.28 x std. dev. of same-month-last-year errors (80%)",
                        "croissance annuelle : même mois l'an dernier (" + money(last_year) + ") x les 3 derniers mois sur les mêmes 3 mois un an plus tôt (" +
                            money(recent) + " / " + money(before) + ") ; fourchette : +-1,28 x écart-type des erreurs du même mois l'an dernier (80 %)"};
        } else {
            p.point = last_year;
            p.method = {"seasonal naive: same month last year (" + money(last_year) + "); range: +-1.28 x std. dev. of its past errors (80%)",
                        "saisonnier naïf : même mois l'an dernier (" + money(last_year) + ") ; fourchette : +-1,28 x écart-type de ses erreurs passées (80 %)"};
        }
    } else if (t >= 12) {
        p.point = y[t - 12];
        std::vector<double> residuals;
        for (std::size_t i = 12; i < t; ++i) residuals.push_back(static_cast<double>(y[i] - y[i - 12]));
        sigma = stddev(residuals);
        p.method = {"seasonal naive: same month last year (" + money(p.point) + "), history too short for a growth ratio",
                    "saisonnier naïf : même mois l'an dernier (" + money(p.point) + "), historique trop court pour un taux de croissance"};
    } else if (t >= 3) {
        p.point = round_half_even(static_cast<__int128>(y[t - 1]) + y[t - 2] + y[t - 3], 3);
        std::vector<double> residuals;
        for (std::size_t i = 3; i < t; ++i)
            residuals.push_back(static_cast<double>(y[i]) - static_cast<double>(y[i - 1] + y[i - 2] + y[i - 3]) / 3.0);
        sigma = stddev(residuals);
        widen = std::sqrt(1.0 + 1.0 / 3.0);
        p.method = {"mean of the last 3 months (less than 12 months of history, no seasonality); range: +-1.28 x std. dev. of past errors (80%)",
                    "moyenne des 3 derniers mois (moins de 12 mois d'historique, sans saisonnalité) ; fourchette : +-1,28 x écart-type des erreurs passées (80 %)"};
    } else {
        p.point = t ? y[t - 1] : 0;
        p.method = {"naive: last month, indicative only (less than 3 months of history)",
                    "naïf : dernier mois, à titre indicatif (moins de 3 mois d'historique)"};
    }
    // The range is a statistical estimate: computed in double, rounded to minor units.
    const double half = sigma >= 0 ? 1.28 * sigma * widen : std::abs(static_cast<double>(p.point)) * 0.5;
    if (sigma < 0) {
        p.method.en += "; range +-50% (too few past errors to measure)";
        p.method.fr += " ; fourchette +-50 % (trop peu d'erreurs passées pour la mesurer)";
    }
    p.low = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::llround(static_cast<double>(p.point) - half)));
    p.high = static_cast<std::int64_t>(std::llround(static_cast<double>(p.point) + half));
    return p;
}

}  // namespace

Report planning_report(host::Store& store, const host::Config& config, const Scope& scope) {
    Report r = start_report("planning", {"Activity planning", "Planification des activités"}, scope);
    r.definitions = common_definitions();
    r.definitions.push_back({"trend", {"up or down when the change is beyond +-" + std::to_string(config.analysis.flat_band_pct) + "%, else about the same",
                                       "en hausse ou en baisse au-delà de +-" + std::to_string(config.analysis.flat_band_pct) + " %, sinon à peu près stable"}});

    Exchange exchange(store, scope.currency, config.analysis.rate_max_age_days);
    const CostBook costs(store, scope);
    const Month last = scope.month, first = last.plus(-35);
    const auto figures = monthly_figures(store, scope, config, costs, exchange, first, last);
    std::map<Month, Figures> total;
    for (const auto& [m, shops] : figures)
        for (const auto& [id, f] : shops) total[m] += f;
    const auto money = [&](std::int64_t minor) { return model::Money{minor, scope.currency}; };
    const auto money_text = [&](std::int64_t minor) { return format_money(money(minor), scope.lang); };
    const auto opt_money = [&](std::optional<std::int64_t> v) -> Cell { if (v) return money(*v); return std::monostate{}; };

    Section months{"months", {"Months", "Mois"},
                   {{"month", {"Month", "Mois"}}, {"orders", {"Orders", "Commandes"}}, {"sales", {"Sales", "Ventes"}},
                    {"change_pct", {"Change", "Variation"}}, {"cost", {"Cost", "Coût"}}, {"profit", {"Profit", "Profit"}},
                    {"margin_pct", {"Margin", "Marge"}}, {"sales_without_cost_pct", {"Sales without cost", "Ventes sans coût"}}},
                   {}, {}};
    for (Month m = last.plus(-12); m <= last; m = m.plus(1)) {
        const Figures& f = total[m];
        const auto profit = f.profit();
        months.rows.push_back({m, f.orders, money(f.sales), change_pct(f.sales, total[m.plus(-1)].sales), opt_money(f.cost()),
                               opt_money(profit), profit ? percent_of(*profit, f.sales) : Cell{},
                               percent_of(f.sales_without_cost, f.line_sales)});
    }
    Section channels{"channels", {"Channels", "Canaux"},
                     {{"month", {"Month", "Mois"}}, {"shop", {"Shop", "Boutique"}}, {"platform", {"Platform", "Plateforme"}},
                      {"country", {"Country", "Pays"}}, {"orders", {"Orders", "Commandes"}}, {"sales", {"Sales", "Ventes"}}},
                     {}, {}};
    for (Month m = last.plus(-12); m <= last; m = m.plus(1))
        for (const auto& shop : scope.shops) {
            const Figures& f = figures.at(m).at(shop.shop.id);
            channels.rows.push_back({m, shop.shop.id, shop.shop.platform, shop.shop.country, f.orders, money(f.sales)});
        }

    // History starts at the first month with any activity.
    std::vector<std::int64_t> sales_history, orders_history;
    bool started = false;
    for (Month m = first; m <= last; m = m.plus(1)) {
        const Figures& f = total[m];
        started = started || f.orders != 0 || f.sales != 0;
        if (!started) continue;
        sales_history.push_back(f.sales);
        orders_history.push_back(f.orders);
    }
    const auto sales_projection = project(sales_history, money_text);
    const auto orders_projection = project(orders_history, [&](std::int64_t n) { return format_integer(n, scope.lang); });
    Section projection{"projection", {"Projection for " + format_month(last.plus(1), Lang::en), "Projection pour " + format_month(last.plus(1), Lang::fr)},
                       {{"figure", {"Figure", "Indicateur"}}, {"month", {"Month", "Mois"}}, {"projected", {"Projected", "Projeté"}},
                        {"low", {"Low", "Bas"}}, {"high", {"High", "Haut"}}, {"history_months", {"Months of history", "Mois d'historique"}},
                        {"method", {"Method", "Méthode"}}},
                       {}, {}};
    projection.rows.push_back({std::string(scope.lang == Lang::fr ? "ventes" : "sales"), last.plus(1), money(sales_projection.point),
                               money(sales_projection.low), money(sales_projection.high),
                               static_cast<std::int64_t>(sales_history.size()), sales_projection.method.in(scope.lang)});
    projection.rows.push_back({std::string(scope.lang == Lang::fr ? "commandes" : "orders"), last.plus(1), orders_projection.point,
                               orders_projection.low, orders_projection.high,
                               static_cast<std::int64_t>(orders_history.size()), orders_projection.method.in(scope.lang)});

    Section comparisons{"comparisons", {"Comparisons", "Comparaisons"},
                        {{"comparison", {"Comparison", "Comparaison"}}, {"figure", {"Figure", "Indicateur"}},
                         {"period", {"Period", "Période"}}, {"value", {"Value", "Valeur"}},
                         {"previous_period", {"Previous period", "Période précédente"}}, {"previous_value", {"Previous", "Précédent"}},
                         {"change_pct", {"Change", "Variation"}}, {"trend", {"Trend", "Tendance"}}},
                        {}, {}};
    const auto sum = [&](Month from, Month to) {
        Figures s;
        for (Month m = from; m <= to; m = m.plus(1)) s += total[m];
        return s;
    };
    const auto period = [&](Month from, Month to) {
        return from == to ? format_month(from, scope.lang) : format_month(from, scope.lang) + " - " + format_month(to, scope.lang);
    };
    struct Pair {
        Text name;
        Month a_from, a_to, b_from, b_to;
    };
    const Month january{last.year, 1};
    const Pair pairs[] = {
        {{"month on month", "mois sur mois"}, last, last, last.plus(-1), last.plus(-1)},
        {{"same month last year", "même mois l'an dernier"}, last, last, last.plus(-12), last.plus(-12)},
        {{"last 6 months vs 6 before", "6 derniers mois vs 6 précédents"}, last.plus(-5), last, last.plus(-11), last.plus(-6)},
        {{"year to date vs last year", "année en cours vs an dernier"}, january, last, january.plus(-12), last.plus(-12)},
    };
    for (const auto& p : pairs) {
        const Figures a = sum(p.a_from, p.a_to), b = sum(p.b_from, p.b_to);
        comparisons.rows.push_back({p.name.in(scope.lang), std::string(scope.lang == Lang::fr ? "ventes" : "sales"),
                                    period(p.a_from, p.a_to), money(a.sales), period(p.b_from, p.b_to), money(b.sales),
                                    change_pct(a.sales, b.sales), trend_of(a.sales, b.sales, config.analysis.flat_band_pct).in(scope.lang)});
        comparisons.rows.push_back({p.name.in(scope.lang), std::string(scope.lang == Lang::fr ? "commandes" : "orders"),
                                    period(p.a_from, p.a_to), a.orders, period(p.b_from, p.b_to), b.orders,
                                    change_pct(a.orders, b.orders), trend_of(a.orders, b.orders, config.analysis.flat_band_pct).in(scope.lang)});
    }
    const Figures& now = total[last];
    if (now.sales_without_cost != 0)
        r.warnings.push_back({"some sales have no unit cost (see 'Sales without cost'): import a cost sheet with `pcgd costs import`",
                              "des ventes n'ont pas de coût unitaire (voir « Ventes sans coût ») : importez une fiche de coûts avec `pcgd costs import`"});
    if (now.fee_orders_unknown != 0)
        r.warnings.push_back({std::to_string(now.fee_orders_unknown) + " orders have no reported fees and their platform has no [fees] rule: cost unknown",
                              std::to_string(now.fee_orders_unknown) + " commandes sans frais déclarés et sans règle [fees] pour leur plateforme : coût inconnu"});
    if (now.fees_estimated != 0)
        r.warnings.push_back({"fees include " + money_text(now.fees_estimated) + " estimated from [fees] rules",
                              "les frais comprennent " + money_text(now.fees_estimated) + " estimés par les règles [fees]"});
    r.sections = {std::move(months), std::move(channels), std::move(projection), std::move(comparisons)};
    r.rates = exchange.used();
    return r;
}

}  // namespace pcgd::analysis
