#include "coaching/plan_review.hpp"

#include <map>
#include <stdexcept>

#include "analysis/scope.hpp"
#include "analysis/tools.hpp"

namespace pcgd::coaching {

PlanReview plan_review(std::int64_t plan_day, const analysis::Report& planning) {
    if (!planning.month) throw std::logic_error("the planning report has no month");
    const analysis::Month plan_month = analysis::Month::of_day(plan_day);
    const analysis::Month last = *planning.month;
    const int n = last.index() - plan_month.index();
    if (n < 1)
        throw std::invalid_argument("no full month since the plan of " + model::format_date(plan_day) + " yet: the first review needs " +
                                    plan_month.plus(1).str() + " to be over");
    if (n > 6) throw std::invalid_argument("the plan is more than 6 months old: compare with `pcgd report planning` instead");
    PlanReview r{plan_month.plus(1 - n), plan_month, plan_month.plus(1), last, planning.currency.str(), {}};
    const auto in = [](analysis::Month m, analysis::Month from, analysis::Month to) { return from <= m && m <= to; };

    struct Sums {
        std::int64_t orders = 0, sales = 0;
    };
    std::map<std::string, std::pair<Sums, Sums>> channels;  // shop -> (before, after)
    std::pair<Sums, Sums> total;
    const auto& ch = section(planning, "channels");
    for (const auto& row : ch.rows) {
        const auto m = std::get<analysis::Month>(row[column(ch, "month")]);
        const auto& shop = std::get<std::string>(row[column(ch, "shop")]);
        const std::int64_t orders = std::get<std::int64_t>(row[column(ch, "orders")]);
        const std::int64_t sales = std::get<model::Money>(row[column(ch, "sales")]).minor;
        auto& pair = channels[shop];
        for (auto [sums, from, to] : {std::tuple{&pair.first, r.before_from, r.before_to}, std::tuple{&pair.second, r.after_from, r.after_to}})
            if (in(m, from, to)) {
                sums->orders += orders;
                sums->sales += sales;
            }
        if (in(m, r.before_from, r.before_to)) total.first.orders += orders, total.first.sales += sales;
        if (in(m, r.after_from, r.after_to)) total.second.orders += orders, total.second.sales += sales;
    }
    const auto push = [&](const std::string& group, const std::string& key, const Sums& a, const Sums& b) {
        const auto delta = [&](const char* figure, bool money, std::int64_t x, std::int64_t y) {
            Delta d{group, key, figure, money, x, y, y - x, std::nullopt};
            if (x != 0) d.change_pct = static_cast<double>(y - x) * 100.0 / static_cast<double>(x);
            r.deltas.push_back(d);
        };
        delta("orders", false, a.orders, b.orders);
        delta("sales", true, a.sales, b.sales);
    };
    push("total", "", total.first, total.second);
    for (const auto& [shop, pair] : channels) push("channel", shop, pair.first, pair.second);
    return r;
}

PlanReview review_plan(host::Store& store, const host::Config& config, const host::Plan& plan, std::int64_t now_ms) {
    analysis::ReportRequest request;
    request.sme_id = plan.sme_id;
    request.lang = analysis::Lang::en;
    request.now_ms = now_ms;
    const auto scope = analysis::resolve_scope(store, request);
    return plan_review(plan.plan_day, analysis::planning_report(store, config, scope));
}

}  // namespace pcgd::coaching
