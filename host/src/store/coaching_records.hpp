// What the coaching programme stores (schema version 4): account managers,
// who coaches which SME, sessions with the snapshot of what was on screen,
// obstacles, training follow-up, goals, the new-market entry plan and its
// actions. Every row belongs to one SME so that the later API can show an SME
// only its own programme and an account manager only their SMEs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pcgd::host {

/// An account manager at a launchpad ("GB" or "FR").
struct Manager {
    std::string id, name, launchpad;
    std::int64_t created_at_ms = 0;
};

/// Who coaches an SME: one account manager at the SME's own country's
/// launchpad, and experts brought in from the other launchpad.
struct Coaching {
    std::string sme_id;
    std::string country;     // the SME's home country: GB or FR
    std::string manager_id;  // its account manager
    std::vector<std::string> experts;
    std::int64_t assigned_at_ms = 0;
    std::int64_t started_at_ms = 0;  // onboarding done; 0 before `programme start`
};

/// One meeting. kind: onboarding (number 0, the baseline), review (the four
/// formal monthly review and planning sessions, numbered 1-4), checkin
/// (informal), end_review, continuing (the review cycle after the programme).
struct Session {
    std::int64_t id = 0;
    std::string sme_id, kind;
    std::int64_t number = 0;
    std::int64_t held_at_ms = 0;
    std::string manager_id;       // who recorded it
    std::string answers_json = "{}";      // key question -> answer
    std::string conclusions_json = "{}";  // area -> conclusion (joint review)
    std::string notes;
    std::string snapshot_json;    // the figures shown, as taken then; empty for a check-in
    std::int64_t created_at_ms = 0;
};

/// What held a plan back.
struct Obstacle {
    std::int64_t id = 0;
    std::string sme_id, kind, note;
    std::int64_t day = 0;  // days since the epoch
    std::string recorded_by;
};

/// Training on one of the four tools.
struct Training {
    std::string sme_id, tool;  // quality, opportunities, planning, growth
    bool trained = false;
    std::optional<std::int64_t> day;
    std::string trainer;
    std::optional<std::int64_t> confidence;  // 1-5
    std::string follow_up;
    std::int64_t updated_at_ms = 0;
};

/// A success criterion tied to a measured figure. target: minor units in
/// `currency` for monthly_sales; orders for channel_orders; points for
/// quality_score; tenths of a percent for margin.
struct Goal {
    std::int64_t id = 0;
    std::string sme_id, metric, shop_id, currency, note;
    std::int64_t target = 0;
    std::int64_t due_day = 0;
    std::string set_by;
    std::int64_t created_at_ms = 0;
};

/// The new-market entry plan of an SME (one per SME).
struct Plan {
    std::string sme_id;
    std::int64_t plan_day = 0;  // when it was drafted and shared
    std::string draft_json;     // generated from the tools
    std::string target_country, target_channel, target_segment, summary;
    std::string created_by, updated_by;
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
};

/// An action of the plan, or agreed in a session.
struct Action {
    std::int64_t id = 0;
    std::string sme_id;
    std::optional<std::int64_t> session_id;  // the session it was agreed in
    bool in_plan = false;
    std::string title;
    std::string owner_kind;  // sme_staff, external, account_manager
    std::string owner_name;
    std::optional<std::int64_t> due_day;
    std::string status = "planned";  // planned, in_progress, done, rejected, deferred
    std::string note;
    std::string created_by, updated_by;
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
};

}  // namespace pcgd::host
