// Recording a session: the one path by which `pcgd session record` and
// POST /api/smes/{id}/sessions store what was said, the actions agreed and
// the figures shown then.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "store/coaching_records.hpp"
#include "store/store.hpp"

namespace pcgd::coaching {

struct SessionInput {
    std::string sme_id, manager_id;
    std::string kind = "review";  // review, checkin, end_review, continuing (onboarding: `programme start`)
    std::int64_t held_at_ms = 0;
    std::map<std::string, std::string> answers;      // key question -> answer
    std::map<std::string, std::string> conclusions;  // area -> conclusion
    std::string notes;
    std::vector<std::string> actions;  // titles, owned by the SME's staff
};

/// Checks the input (kind, answer and conclusion keys, action titles); empty
/// when it is good, else what is wrong, naming the key and the choices.
std::string check_session_input(const SessionInput& input);

/// Stores the session with its actions and, but for a check-in, the snapshot
/// of the figures as of held_at_ms; returns it with its id. The caller has
/// checked the input and that the manager coaches the SME. Throws what the
/// tools throw (a missing exchange rate...) and std::invalid_argument for a
/// session out of the programme's order; nothing is stored then.
host::Session record_session(host::Store& store, const host::Config& config, const SessionInput& input,
                             std::int64_t now_ms);

/// Drafts the SME's new-market entry plan from the four tools as of `at_ms`
/// (in the SME's language: the fixes and reasons are the tools'), with its
/// suggested actions, and stores it; the caller has checked that the SME has
/// no plan yet. Throws what the tools throw; nothing is stored then.
host::Plan record_plan_draft(host::Store& store, const host::Config& config, const std::string& sme_id,
                             const std::string& manager_id, std::int64_t at_ms, std::int64_t now_ms);

/// The plan's target market and summary; empty fields keep their value.
/// Returns what is wrong (a country that is not ISO 3166 alpha-2), else "".
std::string edit_plan(host::Plan& plan, const std::string& country, const std::string& channel,
                      const std::string& segment, const std::string& summary);

}  // namespace pcgd::coaching
