#include "coaching/recording.hpp"

#include <cctype>
#include <pcgd/model/time.hpp>

#include "coaching/json.hpp"
#include "coaching/plan_draft.hpp"
#include "coaching/programme.hpp"
#include "coaching/snapshot.hpp"
#include "coaching/texts.hpp"

namespace pcgd::coaching {

namespace {

std::string object_json(const std::map<std::string, std::string>& m) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.StartObject();
    for (const auto& [k, v] : m) json::str(w, k.c_str(), v);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

std::string check_session_input(const SessionInput& input) {
    const std::vector<Term> kinds(session_kinds().begin() + 1, session_kinds().end());  // not onboarding
    if (!find_term(kinds, input.kind)) return "kind must be " + keys_of(kinds) + ", got '" + input.kind + "'";
    for (const auto& [key, text] : input.answers)
        if (!find_term(key_questions(), key))
            return "unknown key question '" + key + "' (expected " + keys_of(key_questions()) + ")";
    for (const auto& [key, text] : input.conclusions)
        if (!find_term(conclusion_areas(), key))
            return "unknown conclusion area '" + key + "' (expected " + keys_of(conclusion_areas()) + ")";
    for (const auto& title : input.actions)
        if (title.empty()) return "an action's title must not be empty";
    return {};
}

host::Session record_session(host::Store& store, const host::Config& config, const SessionInput& input,
                             std::int64_t now_ms) {
    host::Session s;
    s.sme_id = input.sme_id;
    s.kind = input.kind;
    s.number = next_session_number(store.list_sessions(input.sme_id), input.kind, input.held_at_ms);
    s.held_at_ms = input.held_at_ms;
    s.manager_id = input.manager_id;
    s.answers_json = object_json(input.answers);
    s.conclusions_json = object_json(input.conclusions);
    s.notes = input.notes;
    // An informal check-in shows no figures; every other session does.
    if (input.kind != "checkin")
        s.snapshot_json = to_json(take_snapshot(store, config, input.sme_id, input.held_at_ms));
    s.created_at_ms = now_ms;
    std::vector<host::Action> actions;
    for (const auto& title : input.actions) {
        host::Action a;
        a.sme_id = input.sme_id;
        a.title = title;
        a.owner_kind = "sme_staff";
        a.created_by = a.updated_by = input.manager_id;
        a.created_at_ms = a.updated_at_ms = now_ms;
        actions.push_back(a);
    }
    s.id = store.add_session(s, actions);
    return s;
}

host::Plan record_plan_draft(host::Store& store, const host::Config& config, const std::string& sme_id,
                             const std::string& manager_id, std::int64_t at_ms, std::int64_t now_ms) {
    const auto sme = store.get_sme(sme_id);
    const auto lang = sme && sme->lang == "fr" ? analysis::Lang::fr : analysis::Lang::en;
    const PlanDraft d = draft_plan(run_tools(store, config, sme_id, at_ms, std::nullopt, lang), lang);
    host::Plan p;
    p.sme_id = sme_id;
    p.plan_day = model::floor_div(at_ms, 86400000);
    p.draft_json = to_json(d);
    p.target_country = d.target_country;
    p.target_channel = d.target_channel;
    p.created_by = p.updated_by = manager_id;
    p.created_at_ms = p.updated_at_ms = now_ms;
    std::vector<host::Action> actions = d.actions;
    for (auto& a : actions) {
        a.sme_id = sme_id;
        a.created_by = a.updated_by = manager_id;
        a.created_at_ms = a.updated_at_ms = now_ms;
    }
    store.put_plan(p, actions);
    return p;
}

std::string edit_plan(host::Plan& plan, const std::string& country, const std::string& channel,
                      const std::string& segment, const std::string& summary) {
    if (!country.empty()) {
        if (country.size() != 2 || !std::isupper(static_cast<unsigned char>(country[0])) ||
            !std::isupper(static_cast<unsigned char>(country[1])))
            return "country must be an ISO 3166 alpha-2 code such as GB or FR, got '" + country + "'";
        plan.target_country = country;
    }
    if (!channel.empty()) plan.target_channel = channel;
    if (!segment.empty()) plan.target_segment = segment;
    if (!summary.empty()) plan.summary = summary;
    return {};
}

}  // namespace pcgd::coaching
