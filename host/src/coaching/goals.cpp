#include "coaching/goals.hpp"

#include <cmath>
#include <map>
#include <pcgd/model/time.hpp>
#include <regex>
#include <stdexcept>

#include "coaching/texts.hpp"

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
                    throw std::invalid_argument("goal " + std::to_string(goal.id) + " is in " + goal.currency +
                                                " but the report is in " + sales.currency.str());
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
        if (!found)
            throw std::invalid_argument("goal " + std::to_string(goal.id) + ": the SME has no shop '" + goal.shop_id +
                                        "'");
    } else if (goal.metric == "quality_score") {
        const auto& shops = section(r.quality, "shops");
        for (const Row& row : shops.rows)
            if (std::get<std::string>(row[column(shops, "shop")]) == goal.shop_id)
                p.value = std::get<std::int64_t>(row[column(shops, "score")]);
        if (!p.value)
            throw std::invalid_argument("goal " + std::to_string(goal.id) + ": the SME has no shop '" + goal.shop_id +
                                        "'");
    } else {
        throw std::invalid_argument("unknown goal metric '" + goal.metric + "'");
    }
    if (!p.value) return p;
    if (goal.target != 0) p.percent = static_cast<double>(*p.value) * 100.0 / static_cast<double>(goal.target);
    if (*p.value >= goal.target)
        p.state = "reached";
    else
        p.state = today > goal.due_day ? "missed" : "in_progress";
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

namespace {

/// The target in the goal's stored unit, or nullopt with `error` set.
std::optional<std::int64_t> parse_target(const std::string& metric, const std::string& text,
                                         const model::Currency& currency, std::string& error) {
    if (metric == "monthly_sales") {
        const auto m = model::Money::try_parse(text, currency);
        if (m && m->minor > 0) return m->minor;
        error = "target for monthly_sales must be a positive amount in " + currency.str() + " such as 2500.00, got '" +
                text + "'";
        return std::nullopt;
    }
    if (metric == "margin") {
        static const std::regex shape(R"(^-?\d{1,3}(\.\d)?$)");
        if (!std::regex_match(text, shape)) {
            error = "target for margin must be a percentage such as 32.5, got '" + text + "'";
            return std::nullopt;
        }
        const auto dot = text.find('.');
        const std::int64_t whole = std::stoll(text.substr(0, dot));
        const std::int64_t tenth = dot == std::string::npos ? 0 : text[dot + 1] - '0';
        return whole * 10 + (text[0] == '-' ? -tenth : tenth);
    }
    static const std::regex digits(R"(^\d{1,9}$)");
    if (!std::regex_match(text, digits) || std::stoll(text) <= 0) {
        error = "target for " + metric + " must be a positive whole number, got '" + text + "'";
        return std::nullopt;
    }
    const std::int64_t n = std::stoll(text);
    if (metric == "quality_score" && n > 100) {
        error = "target for quality_score must be at most 100, got '" + text + "'";
        return std::nullopt;
    }
    return n;
}

}  // namespace

std::variant<host::Goal, std::string> make_goal(host::Store& store, const host::Sme& sme, const GoalInput& input,
                                                std::int64_t now_ms) {
    if (!find_term(goal_metrics(), input.metric))
        return "metric must be " + keys_of(goal_metrics()) + ", got '" + input.metric + "'";
    const bool per_shop = input.metric == "channel_orders" || input.metric == "quality_score";
    if (per_shop) {
        if (input.shop_id.empty()) return "shop is required for " + input.metric;
        const auto shop = store.get_shop(input.shop_id);
        if (!shop || shop->sme_id != sme.id) return "shop: SME '" + sme.id + "' has no shop '" + input.shop_id + "'";
    } else if (!input.shop_id.empty()) {
        return "shop applies to channel_orders and quality_score only; " + input.metric + " is for the whole SME";
    }
    host::Goal g;
    g.sme_id = sme.id;
    g.metric = input.metric;
    g.shop_id = input.shop_id;
    g.currency = input.metric == "monthly_sales" ? sme.currency.str() : "";
    std::string error;
    const auto target = parse_target(input.metric, input.target, sme.currency, error);
    if (!target) return error;
    g.target = *target;
    const auto due = model::parse_date(input.due);
    if (!due) return "due must be a date (YYYY-MM-DD), got '" + input.due + "'";
    g.due_day = *due;
    g.note = input.note;
    g.set_by = input.set_by;
    g.created_at_ms = now_ms;
    return g;
}

}  // namespace pcgd::coaching
