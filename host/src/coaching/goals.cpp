#include "coaching/goals.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

#include <pcgd/model/time.hpp>

namespace pcgd::coaching {

using analysis::Cell;
using analysis::Row;

analysis::Month goal_month(const host::Goal& goal, std::int64_t today) {
    const analysis::Month last_full = analysis::Month::of_day(today).plus(-1);
    const analysis::Month due = analysis::Month::of_day(goal.due_day);
    return std::min(last_full, due);
}

std::string goal_unit(const host::Goal& goal) {
    if (goal.metric == "monthly_sales") return goal.currency;
    if (goal.metric == "channel_orders") return "orders";
    if (goal.metric == "quality_score") return "points";
    return "%";
}

GoalProgress goal_progress(const host::Goal& goal, const ToolReports& r, analysis::Month month, std::int64_t today) {
    GoalProgress p{goal, month, std::nullopt, std::nullopt, "unknown"};
    const auto row_of_month = [&](const analysis::Section& s) -> const Row* {
        for (const Row& row : s.rows)
            if (const auto* m = std::get_if<analysis::Month>(&row[column(s, "month")]); m && *m == month) return &row;
        return nullptr;
    };
    if (goal.metric == "monthly_sales" || goal.metric == "margin") {
        const auto& months = section(r.planning, "months");
        if (const Row* row = row_of_month(months)) {
            if (goal.metric == "monthly_sales") {
                const auto& sales = std::get<model::Money>((*row)[column(months, "sales")]);
                if (sales.currency.str() != goal.currency)
                    throw std::invalid_argument("goal " + std::to_string(goal.id) + " is in " + goal.currency + " but the report is in " +
                                                sales.currency.str());
                p.value = sales.minor;
            } else if (const auto* m = std::get_if<analysis::Percent>(&(*row)[column(months, "margin_pct")])) {
                p.value = std::llround(m->value * 10.0);  // tenths of a percent, as shown
            }
        }
    } else if (goal.metric == "channel_orders") {
        const auto& channels = section(r.planning, "channels");
        bool found = false;
        for (const Row& row : channels.rows) {
            const auto* m = std::get_if<analysis::Month>(&row[column(channels, "month")]);
            if (!m || *m != month || std::get<std::string>(row[column(channels, "shop")]) != goal.shop_id) continue;
            p.value = std::get<std::int64_t>(row[column(channels, "orders")]);
            found = true;
        }
        if (!found) throw std::invalid_argument("goal " + std::to_string(goal.id) + ": the SME has no shop '" + goal.shop_id + "'");
    } else if (goal.metric == "quality_score") {
        const auto& shops = section(r.quality, "shops");
        for (const Row& row : shops.rows)
            if (std::get<std::string>(row[column(shops, "shop")]) == goal.shop_id) p.value = std::get<std::int64_t>(row[column(shops, "score")]);
        if (!p.value) throw std::invalid_argument("goal " + std::to_string(goal.id) + ": the SME has no shop '" + goal.shop_id + "'");
    } else {
        throw std::invalid_argument("unknown goal metric '" + goal.metric + "'");
    }
    if (!p.value) return p;
    if (goal.target != 0) p.percent = static_cast<double>(*p.value) * 100.0 / static_cast<double>(goal.target);
    if (*p.value >= goal.target) p.state = "reached";
    else p.state = today > goal.due_day ? "missed" : "in_progress";
    return p;
}

std::vector<GoalProgress> measure_goals(host::Store& store, const host::Config& config, const std::string& sme_id,
                                        std::int64_t now_ms) {
    const std::int64_t today = model::floor_div(now_ms, 86400000);
    std::map<analysis::Month, ToolReports> reports;
    std::vector<GoalProgress> out;
    for (const auto& g : store.list_goals(sme_id)) {
        const analysis::Month m = goal_month(g, today);
        auto it = reports.find(m);
        if (it == reports.end()) it = reports.emplace(m, run_tools(store, config, sme_id, now_ms, m)).first;
        out.push_back(goal_progress(g, it->second, m, today));
    }
    return out;
}

}  // namespace pcgd::coaching
