// Success criteria: each goal is tied to a figure the tools measure, and its
// progress is read from their reports, never typed in.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "analysis/calendar.hpp"
#include "coaching/snapshot.hpp"
#include "store/coaching_records.hpp"

namespace pcgd::coaching {

struct GoalProgress {
    host::Goal goal;
    analysis::Month month;              // the month measured
    std::optional<std::int64_t> value;  // in the goal's unit; unknown when the tool shows none
    std::optional<double> percent;      // value / target x 100
    std::string state;                  // reached, in_progress, missed, unknown
};

/// The month a goal is measured on at `today` (a day since the epoch): the
/// last full month before today, but never after the month of its due day.
analysis::Month goal_month(const host::Goal& goal, std::int64_t today);

/// The goal's progress from the tools' reports for `month` (see goal_month).
/// Throws std::invalid_argument when the goal names a shop the reports do not show.
GoalProgress goal_progress(const host::Goal& goal, const ToolReports& reports, analysis::Month month,
                           std::int64_t today);

/// Every goal of the SME with its progress at `now_ms`; the tools run once
/// per month measured. Throws what run_tools and goal_progress throw.
std::vector<GoalProgress> measure_goals(host::Store& store, const host::Config& config, const std::string& sme_id,
                                        std::int64_t now_ms);

/// What a goal is set from, as typed: the target in the metric's unit
/// ("2500.00" in the SME's currency, orders, points, or a margin % "32.5").
struct GoalInput {
    std::string metric, shop_id, target, due, note, set_by;
};

/// The goal from `input` for `sme`, or an error naming the field ("target
/// for margin must be a percentage such as 32.5, got 'x'"): the metric, its
/// shop (required for channel_orders and quality_score, one of the SME's
/// shops; refused for the others), the target, the due day.
std::variant<host::Goal, std::string> make_goal(host::Store& store, const host::Sme& sme, const GoalInput& input,
                                                std::int64_t now_ms);

/// The goal's unit for display: a currency code, "orders", "points" or "%".
std::string goal_unit(const host::Goal& goal);

}  // namespace pcgd::coaching
