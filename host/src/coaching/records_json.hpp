// The coaching records as JSON: one writer per kind of record, shared by the
// CLI's `--json` output and the service's API, so the two cannot drift apart.
#pragma once

#include <string>
#include <vector>

#include "coaching/goals.hpp"
#include "coaching/json.hpp"
#include "coaching/plan_review.hpp"
#include "store/coaching_records.hpp"
#include "store/store.hpp"

namespace pcgd::coaching {

/// "2026-10-05T00:00:00Z" (an instant) and "2026-10-05" or null (a day) as JSON members.
void write_instant(json::Writer& w, const char* key, std::int64_t ms);
void write_day(json::Writer& w, const char* key, const std::optional<std::int64_t>& day);

void write_action(json::Writer& w, const host::Action& action);
void write_goal(json::Writer& w, const GoalProgress& progress);
void write_obstacle(json::Writer& w, const host::Obstacle& obstacle);
/// A session: what it recorded; with `full`, also its answers, conclusions,
/// notes, the snapshot of the figures shown, the changes since the previous
/// session with a snapshot, and the actions agreed.
void write_session(json::Writer& w, host::Store& store, const host::Session& session, bool full);
/// The plan with its target market, the draft and the plan's actions.
void write_plan(json::Writer& w, host::Store& store, const host::Plan& plan);
/// One entry per tool, in the tools' order; a tool without a record is "not trained".
void write_training(json::Writer& w, const std::string& sme_id, const std::vector<host::Training>& training);

/// Whole documents.
std::string session_json(host::Store& store, const host::Session& session);
std::string sessions_json(host::Store& store, const std::string& sme_id);  // summaries
std::string plan_json(host::Store& store, const host::Plan& plan);
std::string action_json(const host::Action& action);
std::string actions_json(const std::vector<host::Action>& actions);
std::string goals_json(const std::vector<GoalProgress>& progress);
std::string obstacles_json(const std::vector<host::Obstacle>& obstacles);
std::string training_json(const std::string& sme_id, const std::vector<host::Training>& training);
std::string plan_review_json(const host::Plan& plan, const PlanReview& review);

}  // namespace pcgd::coaching
