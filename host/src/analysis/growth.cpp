// Guide 4: business growth. The overview comes from the same daily facts as
// planning; the order and product views split each converted daily amount
// among their rows, so they add up to the overview exactly.
#include <algorithm>
#include <memory>
#include <tuple>
#include <unordered_map>

#include "analysis/tools.hpp"

namespace pcgd::analysis {

namespace {

/// Amounts waiting to be converted: (day, currency, figure) -> (row, amount).
enum Figure { sales_figure, cost_figure, fee_figure };
using Groups = std::map<std::tuple<std::int64_t, model::Currency, int>, std::vector<std::pair<std::size_t, std::int64_t>>>;

struct RowMoney {
    std::int64_t sales = 0, goods_cost = 0, fees = 0;
};

void convert_groups(const Groups& groups, Exchange& exchange, std::vector<RowMoney>& rows) {
    for (const auto& [key, entries] : groups) {
        const auto& [day, currency, figure] = key;
        std::int64_t total = 0;
        std::vector<std::int64_t> weights;
        for (const auto& [row, amount] : entries) {
            total += amount;
            weights.push_back(amount);
        }
        const std::int64_t converted = exchange.convert(total, currency, day);
        const auto parts = split(converted, weights, [&, d = day, c = currency](std::int64_t w) { return exchange.convert(w, c, d); });
        for (std::size_t i = 0; i < entries.size(); ++i) {
            RowMoney& m = rows[entries[i].first];
            (figure == sales_figure ? m.sales : figure == cost_figure ? m.goods_cost : m.fees) += parts[i];
        }
    }
}

}  // namespace

Report growth_report(host::Store& store, const host::Config& config, const Scope& scope) {
    Report r = start_report("growth", {"Business growth", "Croissance de l'entreprise"}, scope);
    r.definitions = common_definitions();
    r.definitions.push_back({"order_profit", {"the order's sales minus its refunds in the month, its unit costs and its fees; refunds in the month of "
                                              "orders from earlier months form their own row",
                                              "ventes de la commande moins ses remboursements du mois, ses coûts unitaires et ses frais ; les "
                                              "remboursements du mois de commandes antérieures forment leur propre ligne"}});
    r.definitions.push_back({"product_profit", {"the product's sales minus its unit costs; shipping, fees and refunds not tied to a line form their own row",
                                                "ventes du produit moins ses coûts unitaires ; port, frais et remboursements non liés à une ligne forment leur propre ligne"}});
    Exchange exchange(store, scope.currency, config.analysis.rate_max_age_days);
    const CostBook costs(store, scope);
    const Month month = scope.month;
    const auto per_shop = monthly_figures(store, scope, config, costs, exchange, month, month).at(month);
    Figures overview;
    for (const auto& [id, f] : per_shop) overview += f;

    const auto money = [&](std::int64_t minor) { return model::Money{minor, scope.currency}; };
    const auto opt_money = [&](bool known, std::int64_t v) -> Cell { if (known) return money(v); return std::monostate{}; };

    // ---- orders
    struct OrderRow {
        std::int64_t day;
        std::string shop, name;
        model::Currency currency;
        bool cost_known = true, fees_known = true, fees_estimated = false;
    };
    std::vector<OrderRow> orders;
    Groups order_groups;
    std::vector<std::size_t> other_rows;  // per shop: refunds of earlier orders
    for (const auto& shop : scope.shops) {
        const auto [from_ms, to_ms] = month_range_ms(month, shop.shop.time_zone);
        const auto rule_it = config.fees.find(shop.shop.platform);
        const host::FeeRule* rule = rule_it == config.fees.end() ? nullptr : &rule_it->second;
        std::unordered_map<std::string, std::size_t> by_id;
        std::map<std::pair<std::int64_t, model::Currency>, std::vector<std::pair<std::size_t, std::int64_t>>> estimated;
        store.for_each_sale(shop.shop.id, from_ms, to_ms, [&](const host::OrderSale& o) {
            const std::size_t row = orders.size();
            OrderRow out{o.day, shop.shop.id, o.name.empty() ? o.id : o.name, o.currency};
            std::int64_t sales = o.shipping_net_minor;
            for (const auto& l : o.lines) {
                sales += l.net_minor;
                if (auto c = costs.unit_cost(shop.shop.id, l.sku, o.day)) order_groups[{o.day, c->currency, cost_figure}].emplace_back(row, c->minor * l.quantity);
                else if (l.quantity != 0) out.cost_known = false;
            }
            order_groups[{o.day, o.currency, sales_figure}].emplace_back(row, sales);
            if (o.fees_minor) order_groups[{o.day, o.currency, fee_figure}].emplace_back(row, *o.fees_minor);
            else if (rule) {
                out.fees_estimated = true;
                estimated[{o.day, o.currency}].emplace_back(row, sales);
            } else {
                out.fees_known = false;
            }
            by_id[o.id] = row;
            orders.push_back(std::move(out));
        });
        // The day's estimate is rounded once, then shared by sales.
        for (const auto& [key, entries] : estimated) {
            std::int64_t base = 0;
            std::vector<std::int64_t> weights;
            for (const auto& [row, s] : entries) {
                base += s;
                weights.push_back(s);
            }
            const std::int64_t fee = estimated_fee(*rule, base, static_cast<std::int64_t>(entries.size()));
            const auto parts = split(fee, weights, [&](std::int64_t w) { return estimated_fee(*rule, w, 1); });
            for (std::size_t i = 0; i < entries.size(); ++i)
                order_groups[{key.first, key.second, fee_figure}].emplace_back(entries[i].first, parts[i]);
        }
        const std::size_t other = orders.size();
        orders.push_back(OrderRow{month.first_day(), shop.shop.id, "", shop.shop.currency});
        other_rows.push_back(other);
        store.for_each_refund(shop.shop.id, from_ms, to_ms, [&](const host::RefundEntry& refund) {
            std::int64_t net = refund.other_net_minor;
            for (const auto& l : refund.lines) net += l.net_minor;
            const auto it = by_id.find(refund.order_id);
            order_groups[{refund.day, refund.currency, sales_figure}].emplace_back(it == by_id.end() ? other : it->second, -net);
        });
    }
    std::vector<RowMoney> order_money(orders.size());
    convert_groups(order_groups, exchange, order_money);

    // Most profitable: the top N known profits above zero.
    std::vector<std::pair<std::int64_t, std::size_t>> ranked;
    for (std::size_t i = 0; i < orders.size(); ++i) {
        const OrderRow& o = orders[i];
        if (o.name.empty() || !o.cost_known || !o.fees_known) continue;
        const RowMoney& m = order_money[i];
        const std::int64_t profit = m.sales - m.goods_cost - m.fees;
        if (profit > 0) ranked.emplace_back(profit, i);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<bool> top(orders.size(), false);
    for (std::size_t k = 0; k < ranked.size() && k < config.analysis.top_orders; ++k) top[ranked[k].second] = true;

    Section order_section{"orders", {"Orders", "Commandes"},
                          {{"date", {"Date", "Date"}}, {"shop", {"Shop", "Boutique"}}, {"order", {"Order", "Commande"}},
                           {"sales", {"Sales", "Ventes"}}, {"goods_cost", {"Unit costs", "Coûts unitaires"}},
                           {"fees", {"Fees", "Frais"}}, {"fees_estimated", {"Fees estimated", "Frais estimés"}},
                           {"profit", {"Profit", "Profit"}}, {"margin_pct", {"Margin", "Marge"}}, {"flag", {"Flag", "Repère"}}},
                          {}, {}};
    std::int64_t losses = 0;
    for (std::size_t i = 0; i < orders.size(); ++i) {
        const RowMoney& m = order_money[i];
        if (orders[i].cost_known && orders[i].fees_known && m.sales - m.goods_cost - m.fees < 0) ++losses;
    }
    // A month can hold a hundred thousand orders: their rows are made as the
    // renderer writes them, from these compact arrays, never held as cells.
    struct OrderList {
        std::vector<OrderRow> orders;
        std::vector<RowMoney> money;
        std::vector<bool> top;
        model::Currency currency;
        Lang lang;
    };
    auto list = std::make_shared<const OrderList>(OrderList{std::move(orders), std::move(order_money), std::move(top), scope.currency, scope.lang});
    order_section.generate = [list](const std::function<void(const Row&)>& emit) {
        const bool fr = list->lang == Lang::fr;
        const auto money = [&](std::int64_t minor) { return Cell{model::Money{minor, list->currency}}; };
        const auto opt_money = [&](bool known, std::int64_t v) { return known ? money(v) : Cell{}; };
        Row row;
        for (std::size_t i = 0; i < list->orders.size(); ++i) {
            const OrderRow& o = list->orders[i];
            const RowMoney& m = list->money[i];
            const bool other = o.name.empty();
            if (other && m.sales == 0) continue;
            const bool known = o.cost_known && o.fees_known;
            const std::int64_t profit = m.sales - m.goods_cost - m.fees;
            std::string flag;
            if (known && profit < 0) flag = fr ? "à perte" : "loss";
            else if (list->top[i]) flag = fr ? "plus rentable" : "most profitable";
            row.assign({other ? Cell{} : Cell{Day{o.day}}, o.shop,
                        other ? std::string(fr ? "(remboursements de commandes antérieures)" : "(refunds of earlier orders)") : o.name,
                        money(m.sales), opt_money(o.cost_known, m.goods_cost), opt_money(o.fees_known, m.fees),
                        std::string(o.fees_estimated ? (fr ? "oui" : "yes") : ""), opt_money(known, profit),
                        known ? percent_of(profit, m.sales) : Cell{}, std::move(flag)});
            emit(row);
        }
    };

    // ---- products
    std::vector<std::string> sku_names;
    std::map<std::pair<std::string, std::string>, std::size_t> sku_rows;  // (shop, sku)
    struct Counts {
        std::int64_t orders = 0, units = 0;
        bool cost_known = true;
    };
    std::vector<Counts> counts;
    std::vector<std::string> sku_shop;
    std::vector<bool> is_rest;
    Groups product_groups;
    for (const auto& shop : scope.shops) {
        const std::size_t other = counts.size();
        counts.push_back({});
        sku_names.push_back("");
        sku_shop.push_back(shop.shop.id);
        is_rest.push_back(true);
        store.for_each_order_fact(shop.shop.id, month.first_day(), month.last_day(), [&](const host::DayOrderFacts& f) {
            product_groups[{f.day, f.currency, sales_figure}].emplace_back(other, f.shipping_net_minor - f.refunds_other_minor);
        });
        store.for_each_sku_fact(shop.shop.id, month.first_day(), month.last_day(), [&](const host::DaySkuFacts& f) {
            auto [it, fresh] = sku_rows.emplace(std::make_pair(shop.shop.id, f.sku), counts.size());
            if (fresh) {
                counts.push_back({});
                sku_names.push_back(f.sku);
                sku_shop.push_back(shop.shop.id);
                is_rest.push_back(false);
            }
            const std::size_t row = it->second;
            counts[row].orders += f.orders;
            counts[row].units += f.units;
            product_groups[{f.day, f.currency, sales_figure}].emplace_back(row, f.sales_minor - f.refunds_minor);
            if (f.units == 0) return;
            if (auto c = costs.unit_cost(shop.shop.id, f.sku, f.day)) product_groups[{f.day, c->currency, cost_figure}].emplace_back(row, c->minor * f.units);
            else counts[row].cost_known = false;
        });
    }
    std::vector<RowMoney> product_money(counts.size());
    convert_groups(product_groups, exchange, product_money);
    Section product_section{"products", {"Products", "Produits"},
                            {{"shop", {"Shop", "Boutique"}}, {"sku", {"SKU", "SKU"}}, {"orders", {"Orders", "Commandes"}},
                             {"units", {"Units", "Unités"}}, {"sales", {"Sales", "Ventes"}}, {"goods_cost", {"Unit costs", "Coûts unitaires"}},
                             {"fees", {"Fees", "Frais"}}, {"profit", {"Profit", "Profit"}}, {"margin_pct", {"Margin", "Marge"}}},
                            {}, {{"fees are per order: each shop's are on its '(shipping, fees and other)' row",
                                  "les frais sont par commande : ceux de chaque boutique sont sur sa ligne « (port, frais et autres) »"}}};
    std::vector<std::size_t> order_of_rows(counts.size());
    for (std::size_t i = 0; i < order_of_rows.size(); ++i) order_of_rows[i] = i;
    std::stable_sort(order_of_rows.begin(), order_of_rows.end(), [&](std::size_t a, std::size_t b) -> bool {
        if (is_rest[a] != is_rest[b]) return is_rest[b];  // the rest rows last
        return std::tie(sku_shop[a], sku_names[a]) < std::tie(sku_shop[b], sku_names[b]);
    });
    for (std::size_t i : order_of_rows) {
        const RowMoney& m = product_money[i];
        if (is_rest[i]) {
            // Shipping, refunds not tied to a line, and the shop's fees (order-level).
            const Figures& shop_figures = per_shop.at(sku_shop[i]);
            const std::int64_t fees = shop_figures.fees;
            const bool fees_known = shop_figures.fee_orders_unknown == 0;
            product_section.rows.push_back({sku_shop[i], std::string(scope.lang == Lang::fr ? "(port, frais et autres)" : "(shipping, fees and other)"),
                                            Cell{}, Cell{}, money(m.sales), Cell{}, opt_money(fees_known, fees),
                                            opt_money(fees_known, m.sales - fees), Cell{}});
            continue;
        }
        const bool known = counts[i].cost_known;
        const std::int64_t profit = m.sales - m.goods_cost;
        product_section.rows.push_back({sku_shop[i], sku_names[i], counts[i].orders, counts[i].units, money(m.sales),
                                        opt_money(known, m.goods_cost), Cell{}, opt_money(known, profit),
                                        known ? percent_of(profit, m.sales) : Cell{}});
    }

    Section overview_section{"overview", {"Overview", "Vue d'ensemble"},
                             {{"month", {"Month", "Mois"}}, {"orders", {"Orders", "Commandes"}}, {"sales", {"Sales", "Ventes"}},
                              {"goods_cost", {"Unit costs", "Coûts unitaires"}}, {"fees", {"Fees", "Frais"}},
                              {"cost", {"Cost", "Coût"}}, {"profit", {"Profit", "Profit"}}, {"margin_pct", {"Margin", "Marge"}},
                              {"sales_without_cost_pct", {"Sales without cost", "Ventes sans coût"}},
                              {"loss_orders", {"Loss-making orders", "Commandes à perte"}}},
                             {}, {}};
    const auto profit = overview.profit();
    overview_section.rows.push_back({month, overview.orders, money(overview.sales), opt_money(overview.sales_without_cost == 0, overview.goods_cost),
                                     opt_money(overview.fee_orders_unknown == 0, overview.fees),
                                     overview.cost() ? Cell{money(*overview.cost())} : Cell{},
                                     profit ? Cell{money(*profit)} : Cell{}, profit ? percent_of(*profit, overview.sales) : Cell{},
                                     percent_of(overview.sales_without_cost, overview.line_sales), losses});
    if (overview.sales_without_cost != 0)
        r.warnings.push_back({"some sales have no unit cost: profit is unknown; import a cost sheet with `pcgd costs import`",
                              "des ventes n'ont pas de coût unitaire : profit inconnu ; importez une fiche de coûts avec `pcgd costs import`"});
    if (overview.fees_estimated != 0)
        r.warnings.push_back({"fees include " + format_money(money(overview.fees_estimated), scope.lang) + " estimated from [fees] rules",
                              "les frais comprennent " + format_money(money(overview.fees_estimated), scope.lang) + " estimés par les règles [fees]"});
    // Pushed one by one: a braced list would copy every order row.
    r.sections.reserve(3);
    r.sections.push_back(std::move(overview_section));
    r.sections.push_back(std::move(order_section));
    r.sections.push_back(std::move(product_section));
    r.rates = exchange.used();
    return r;
}

}  // namespace pcgd::analysis
