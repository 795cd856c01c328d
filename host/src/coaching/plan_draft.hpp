// The first draft of the new-market entry plan, generated from the tools:
// strong opportunities, new-market candidates, the largest quality fixes and
// the planning projection, with a suggested target market and actions. The
// account manager then edits it (`pcgd plan edit`, `pcgd action ...`).
#pragma once

#include <string>
#include <vector>

#include "coaching/snapshot.hpp"
#include "store/coaching_records.hpp"

namespace pcgd::coaching {

struct PlanDraft {
    std::string month, currency;
    struct Opportunity {
        std::string shop, product_id, title;
        std::int64_t units = 0, orders = 0;
        std::string reason;
    };
    struct Candidate {
        std::string sku, title, sells_in, absent_from;  // shop ids
        std::int64_t units = 0;
    };
    struct Fix {
        std::string shop, product_id, factor;
        std::int64_t points = 0;  // taken off the product's score
        std::string reason, fix;
    };
    std::vector<Opportunity> strong;     // every strong opportunity, most units first
    std::vector<Candidate> new_markets;  // every candidate, most units first
    std::vector<Fix> fixes;              // the largest deductions, at most max_fixes
    std::int64_t projected_sales = 0, projected_sales_low = 0, projected_sales_high = 0, projected_orders = 0;
    /// The suggested target: the shop the candidates are most absent from,
    /// weighted by their units; empty when there is no candidate.
    std::string target_shop, target_country, target_channel;
    /// Suggested actions (status planned, no owner name, no due date), in the
    /// language of the reports.
    std::vector<host::Action> actions;
};

inline constexpr std::size_t max_fixes = 5;

/// `reports` are in `lang` (see run_tools): the fixes and reasons are the
/// tools' own text, and the suggested actions are written in that language.
PlanDraft draft_plan(const ToolReports& reports, analysis::Lang lang = analysis::Lang::en);

std::string to_json(const PlanDraft& d);
PlanDraft plan_draft_from_json(const std::string& json);

}  // namespace pcgd::coaching
