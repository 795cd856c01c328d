// The first marketing and sales review, a month after the plan: the figures
// of the full months since the plan against the same number of months before
// it, per channel and in total, from the planning tool's months and channels.
#pragma once

#include <string>
#include <vector>

#include "analysis/calendar.hpp"
#include "coaching/review.hpp"
#include "coaching/snapshot.hpp"
#include "store/coaching_records.hpp"

namespace pcgd::coaching {

struct PlanReview {
    analysis::Month before_from, before_to, after_from, after_to;
    std::string currency;
    std::vector<Delta> deltas;  // group total or channel; figures orders and sales
};

/// Throws std::invalid_argument when no full month has passed since the plan
/// (`planning` is the planning report of the last full month) or when the
/// period is longer than the report's 13 months can compare (6 months).
PlanReview plan_review(std::int64_t plan_day, const analysis::Report& planning);

/// The review of `plan` as of `now_ms`: runs the planning tool for the SME
/// (English, its reporting currency) and compares. Throws what the tool and
/// plan_review throw.
PlanReview review_plan(host::Store& store, const host::Config& config, const host::Plan& plan, std::int64_t now_ms);

}  // namespace pcgd::coaching
