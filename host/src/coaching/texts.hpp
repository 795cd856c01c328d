// The coaching programme's vocabulary in English and French: the six key
// questions of every formal session (French wording from the E-Channel
// coaching report, section 2.1), the areas a joint review concludes on, and
// the kinds, owners and statuses the store keeps as stable keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/report.hpp"

namespace pcgd::coaching {

using analysis::Lang;
using analysis::Text;

/// A stable key (stored, used on the command line) and its labels.
struct Term {
    std::string key;
    Text label;
};

/// The six key questions, in the order they are asked.
const std::vector<Term>& key_questions();
/// marketing, products, pricing, export, operations.
const std::vector<Term>& conclusion_areas();
/// external_shock, outside_expertise, data_skills, slowed_growth.
const std::vector<Term>& obstacle_kinds();
/// quality, opportunities, planning, growth.
const std::vector<Term>& tools();
/// sme_staff, external, account_manager.
const std::vector<Term>& owner_kinds();
/// planned, in_progress, done, rejected, deferred.
const std::vector<Term>& action_statuses();
/// monthly_sales, channel_orders, quality_score, margin.
const std::vector<Term>& goal_metrics();
/// onboarding, review, checkin, end_review, continuing.
const std::vector<Term>& session_kinds();

/// The term of `key` in `terms`, or nullptr.
const Term* find_term(const std::vector<Term>& terms, std::string_view key);
/// "a, b or c": the keys, for error messages.
std::string keys_of(const std::vector<Term>& terms);
/// The label of `key` in `lang`, or the key itself when unknown.
std::string label_of(const std::vector<Term>& terms, std::string_view key, Lang lang);

/// A fixed piece of the printed documents, by key (see texts.cpp).
const std::string& ui(std::string_view key, Lang lang);

}  // namespace pcgd::coaching
