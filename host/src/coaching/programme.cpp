#include "coaching/programme.hpp"

#include <stdexcept>

#include <pcgd/model/time.hpp>

#include "coaching/json.hpp"

namespace pcgd::coaching {

ProgrammeStatus programme_status(const std::vector<host::Session>& sessions) {
    ProgrammeStatus s;
    bool onboarded = false;
    for (const auto& x : sessions) {
        onboarded = onboarded || x.kind == "onboarding";
        if (x.kind == "review") ++s.reviews_held;
        if (x.kind == "checkin") ++s.checkins;
        if (x.kind == "end_review") s.end_review_held = true;
        s.last_session_ms = x.held_at_ms;
    }
    s.phase = !onboarded ? "not_started" : s.end_review_held ? "ended" : s.reviews_held > 0 ? "in_sessions" : "onboarded";
    return s;
}

std::int64_t next_session_number(const std::vector<host::Session>& sessions, const std::string& kind, std::int64_t held_at_ms) {
    const ProgrammeStatus s = programme_status(sessions);
    if (kind == "onboarding") {
        if (s.phase != "not_started") throw std::invalid_argument("the programme has already started (onboarding is done)");
        return 0;
    }
    if (s.phase == "not_started") throw std::invalid_argument("the programme has not started: run `pcgd programme start` first");
    if (s.last_session_ms && held_at_ms < *s.last_session_ms)
        throw std::invalid_argument("the session is dated " + model::format_iso8601(held_at_ms) + ", before the last session (" +
                                    model::format_iso8601(*s.last_session_ms) + ")");
    std::int64_t same = 0;
    for (const auto& x : sessions) same += x.kind == kind;
    if (kind == "review") {
        if (s.end_review_held) throw std::invalid_argument("the programme has ended: record a 'continuing' review instead");
        if (s.reviews_held >= formal_sessions)
            throw std::invalid_argument("the four formal sessions have been held: record the 'end_review' next");
        return s.reviews_held + 1;
    }
    if (kind == "end_review") {
        if (s.end_review_held) throw std::invalid_argument("the end-of-programme review has already been held");
        if (s.reviews_held < formal_sessions)
            throw std::invalid_argument("the end-of-programme review follows the four formal sessions; " +
                                        std::to_string(s.reviews_held) + " held so far");
        return 1;
    }
    if (kind == "continuing") {
        if (!s.end_review_held) throw std::invalid_argument("the continuing review cycle starts after the end-of-programme review");
        return same + 1;
    }
    if (kind == "checkin") return same + 1;
    throw std::invalid_argument("unknown session kind '" + kind + "'");
}

std::optional<host::Session> previous_with_snapshot(const std::vector<host::Session>& sessions, std::int64_t session_id) {
    std::optional<host::Session> previous;
    for (const auto& s : sessions) {
        if (s.id == session_id) return previous;
        if (!s.snapshot_json.empty()) previous = s;
    }
    return std::nullopt;
}

std::string data_access_problem(host::Store& store, const std::string& sme_id) {
    std::size_t shops = 0;
    for (const auto& shop : store.list_shops()) {
        if (shop.sme_id != sme_id) continue;
        ++shops;
        for (auto dataset : {sdk::Dataset::inventory, sdk::Dataset::orders})
            if (store.sync_state(shop.shop.id, dataset).last_success_at_ms == 0)
                return "shop '" + shop.shop.id + "' has never synced its " + sdk::to_string(dataset) +
                       " (run `pcgd sync --shop " + shop.shop.id + "`)";
    }
    if (shops == 0) return "SME '" + sme_id + "' has no shop (connect one with `pcgd shop add --sme " + sme_id + " ...`)";
    return "";
}

std::string programme_status_json(const std::string& sme_id, const ProgrammeStatus& st) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.StartObject();
    json::str(w, "sme", sme_id);
    json::str(w, "phase", st.phase);
    json::num(w, "reviews_held", st.reviews_held);
    json::num(w, "formal_sessions", formal_sessions);
    json::num(w, "checkins", st.checkins);
    w.Key("end_review_held");
    w.Bool(st.end_review_held);
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace pcgd::coaching
