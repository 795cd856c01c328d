// The programme's shape: onboarding (data access and a baseline), four
// formal monthly review and planning sessions, informal check-ins, an
// end-of-programme review, then a continuing review cycle.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/coaching_records.hpp"
#include "store/store.hpp"

namespace pcgd::coaching {

inline constexpr std::int64_t formal_sessions = 4;

/// Where an SME stands: not_started, onboarded, in_sessions, ended (the end
/// review held; the continuing cycle follows).
struct ProgrammeStatus {
    std::string phase;
    std::int64_t reviews_held = 0;
    std::int64_t checkins = 0;
    bool end_review_held = false;
    std::optional<std::int64_t> last_session_ms;
};

ProgrammeStatus programme_status(const std::vector<host::Session>& sessions);

/// The status as `pcgd programme status --json` prints it and the service's
/// /api/smes/{id}/programme answers (without a trailing newline).
std::string programme_status_json(const std::string& sme_id, const ProgrammeStatus& status);

/// The number the next session of `kind` gets, or a message saying why it
/// cannot be held now (std::invalid_argument): no onboarding yet, a fifth
/// formal session, an end review before the fourth session, a session dated
/// before the last one.
std::int64_t next_session_number(const std::vector<host::Session>& sessions, const std::string& kind, std::int64_t held_at_ms);

/// The latest session before `session_id` (in held order) with a snapshot:
/// what a joint review compares with.
std::optional<host::Session> previous_with_snapshot(const std::vector<host::Session>& sessions, std::int64_t session_id);

/// Why the SME's data access is not ready for onboarding (no shop, a shop
/// never synced), or empty when it is.
std::string data_access_problem(host::Store& store, const std::string& sme_id);

}  // namespace pcgd::coaching
