// /api/smes/{id}/programme, sessions, training, obstacles, goals, plan and
// actions: the coaching programme, as the CLI's `--json` output (the same
// writers: coaching/records_json.hpp). Reading follows the SME's access
// rules; changing an action takes an admin or a manager who coaches the SME.
#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <pcgd/model/time.hpp>
#include <variant>

#include "analysis/exchange.hpp"
#include "analysis/scope.hpp"
#include "coaching/programme.hpp"
#include "coaching/recording.hpp"
#include "coaching/records_json.hpp"
#include "coaching/texts.hpp"
#include "server/access.hpp"
#include "server/api.hpp"

namespace pcgd::host::server {

namespace co = pcgd::coaching;

namespace {

/// The SME's id from the path once `who` may read it, else the refusal.
std::optional<Response> refuse_sme(const Call& c) {
    if (auto bad = unknown_parameter(c.request, {})) return bad;
    const auto& id = c.params.at("id");
    return refusal(*c.principal, sme_access(c.store, *c.principal, id), "SME", id);
}

/// Runs one of the tools for a coaching figure: bad input or a missing rate is a 422 naming it.
template <class F>
Response with_tools(F&& f) {
    try {
        return json_ok(f());
    } catch (const analysis::InputError& e) {
        return json_error(422, e.what());
    } catch (const analysis::MissingRate& e) {
        return json_error(422, e.what());
    } catch (const std::invalid_argument& e) {
        return json_error(422, e.what());
    }
}

std::optional<std::int64_t> number_of(const std::string& text) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoll(text);
}

/// Applies a PATCH body to an action; an error message naming the member on bad input.
std::string apply_action_patch(const std::string& body, Action& a) {
    rapidjson::Document d;
    d.Parse(body.c_str(), body.size());
    if (d.HasParseError() || !d.IsObject()) return "the body must be a JSON object";
    if (d.MemberCount() == 0) return "nothing to change: give status, note, title, owner_kind, owner_name or due";
    for (const auto& m : d.GetObject()) {
        const std::string key(m.name.GetString(), m.name.GetStringLength());
        if (!m.value.IsString()) return "'" + key + "' must be a string";
        const std::string value(m.value.GetString(), m.value.GetStringLength());
        if (key == "status") {
            if (!co::find_term(co::action_statuses(), value))
                return "status must be " + co::keys_of(co::action_statuses()) + ", got '" + value + "'";
            a.status = value;
        } else if (key == "owner_kind") {
            if (!co::find_term(co::owner_kinds(), value))
                return "owner_kind must be " + co::keys_of(co::owner_kinds()) + ", got '" + value + "'";
            a.owner_kind = value;
        } else if (key == "due") {
            const auto day = model::parse_date(value);
            if (!day) return "due must be a date (YYYY-MM-DD), got '" + value + "'";
            a.due_day = *day;
        } else if (key == "title") {
            if (value.empty()) return "title must not be empty";
            a.title = value;
        } else if (key == "owner_name") {
            a.owner_name = value;
        } else if (key == "note") {
            a.note = value;
        } else {
            return "unknown member '" + key + "' (known: status, note, title, owner_kind, owner_name, due)";
        }
    }
    return {};
}

/// A session from a POST body: {"kind", "held_at", "answers": {key: text},
/// "conclusions": {area: text}, "notes", "actions": [title]}, all optional
/// (kind review, held now). `held_at` is the CLI's --at: a date (midnight UTC)
/// or an ISO 8601 instant, so that a session held on paper is recorded on its
/// day. An error message naming the member on bad input.
std::string session_input_from(const std::string& body, co::SessionInput& input) {
    rapidjson::Document d;
    d.Parse(body.c_str(), body.size());
    if (d.HasParseError() || !d.IsObject()) return "the body must be a JSON object";
    const auto text_map = [](const rapidjson::Value& v, const std::string& key,
                             std::map<std::string, std::string>& out) -> std::string {
        if (!v.IsObject()) return "'" + key + "' must be an object of texts";
        for (const auto& m : v.GetObject()) {
            if (!m.value.IsString()) return "'" + key + "." + m.name.GetString() + "' must be a string";
            out[m.name.GetString()] = std::string(m.value.GetString(), m.value.GetStringLength());
        }
        return {};
    };
    for (const auto& m : d.GetObject()) {
        const std::string key(m.name.GetString(), m.name.GetStringLength());
        std::string error;
        if (key == "kind" || key == "notes") {
            if (!m.value.IsString()) return "'" + key + "' must be a string";
            (key == "kind" ? input.kind : input.notes) = std::string(m.value.GetString(), m.value.GetStringLength());
        } else if (key == "answers") {
            error = text_map(m.value, key, input.answers);
        } else if (key == "conclusions") {
            error = text_map(m.value, key, input.conclusions);
        } else if (key == "held_at") {
            const std::string text = m.value.IsString() ? m.value.GetString() : "";
            const auto day = model::parse_date(text);
            const auto at = day ? std::optional<std::int64_t>(*day * 86400000) : model::parse_iso8601(text);
            if (!at) return "held_at must be a date (YYYY-MM-DD) or an ISO 8601 instant";
            input.held_at_ms = *at;
        } else if (key == "actions") {
            if (!m.value.IsArray()) return "'actions' must be an array of titles";
            for (const auto& a : m.value.GetArray()) {
                if (!a.IsString()) return "'actions' must be an array of titles";
                input.actions.emplace_back(a.GetString(), a.GetStringLength());
            }
        } else {
            return "unknown member '" + key + "' (known: kind, held_at, answers, conclusions, notes, actions)";
        }
        if (!error.empty()) return error;
    }
    return co::check_session_input(input);
}

/// The principal's refusal when it may not record for the SME: only the
/// manager who coaches it (a record names a person; admin tokens name none).
std::optional<Response> refuse_recorder(const Call& c, const char* what) {
    if (auto refused = refuse_sme(c)) return refused;
    const Principal& who = *c.principal;
    if (who.role == Role::sme)
        return json_error(403, std::string("an SME token is read-only: the account manager records ") + what);
    if (who.role != Role::manager)
        return json_error(403,
                          std::string("record ") + what + " with the token of the account manager who coaches the SME");
    if (!c.store.get_coaching(c.params.at("id")))
        return json_error(404, "SME '" + c.params.at("id") + "' is not in the programme: no account manager assigned");
    return std::nullopt;
}

/// Reads a JSON object body member by member; `take` returns an error
/// message for a member it does not accept.
std::string each_member(const std::string& body,
                        const std::function<std::string(const std::string&, const rapidjson::Value&)>& take) {
    rapidjson::Document d;
    d.Parse(body.c_str(), body.size());
    if (d.HasParseError() || !d.IsObject()) return "the body must be a JSON object";
    for (const auto& m : d.GetObject())
        if (std::string error = take(std::string(m.name.GetString(), m.name.GetStringLength()), m.value);
            !error.empty())
            return error;
    return {};
}

std::string day_member(const rapidjson::Value& v, const char* key, std::optional<std::int64_t>& day) {
    const auto parsed = v.IsString() ? model::parse_date(v.GetString()) : std::nullopt;
    if (!parsed) return std::string(key) + " must be a date (YYYY-MM-DD)";
    day = *parsed;
    return {};
}

}  // namespace

void add_coaching_routes(Router& router, Api& api) {
    router.add("GET", "/api/smes/{id}/programme", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        const auto& id = c.params.at("id");
        if (!c.store.get_coaching(id))
            return json_error(404, "SME '" + id + "' is not in the programme: no account manager assigned");
        return json_ok(co::programme_status_json(id, co::programme_status(c.store.list_sessions(id))));
    });
    router.add("GET", "/api/smes/{id}/sessions", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        return json_ok(co::sessions_json(c.store, c.params.at("id")));
    });
    // A session is recorded by the account manager (or an expert) who held it:
    // a manager token, so that the record names who did.
    router.add("POST", "/api/smes/{id}/sessions", [&api](const Call& c) {
        if (auto refused = refuse_recorder(c, "sessions")) return *refused;
        const auto& id = c.params.at("id");
        const Principal& who = *c.principal;
        co::SessionInput input;
        input.sme_id = id;
        input.manager_id = who.subject;
        const std::int64_t now = api.now_ms();
        input.held_at_ms = now;
        if (const std::string error = session_input_from(c.request.body, input); !error.empty())
            return json_error(400, error);
        // A record of what was said and shown: it cannot be of a session still to come.
        if (input.held_at_ms > now)
            return json_error(400, "held_at must not be in the future, got " + model::format_iso8601(input.held_at_ms));
        Response r =
            with_tools([&] { return co::session_json(c.store, co::record_session(c.store, c.config, input, now)); });
        if (r.status == 200) r.status = 201;
        return r;
    });
    router.add("GET", "/api/smes/{id}/sessions/{session}", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        const auto& id = c.params.at("id");
        const auto& text = c.params.at("session");
        const auto n = number_of(text);
        const auto session = n ? c.store.get_session(id, *n) : std::nullopt;
        if (!session) return json_error(404, "SME '" + id + "' has no session '" + text + "'");
        return json_ok(co::session_json(c.store, *session));
    });
    router.add("GET", "/api/smes/{id}/training", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        const auto& id = c.params.at("id");
        return json_ok(co::training_json(id, c.store.list_training(id)));
    });
    // Training on one tool, as `pcgd training record`: {"trained": true,
    // "date", "confidence": 1-5, "follow_up"} or {"trained": false, "follow_up"}.
    router.add("PUT", "/api/smes/{id}/training/{tool}", [&api](const Call& c) {
        if (auto refused = refuse_recorder(c, "training")) return *refused;
        const auto& tool = c.params.at("tool");
        if (!co::find_term(co::tools(), tool))
            return json_error(404, "no tool '" + tool + "' (" + co::keys_of(co::tools()) + ")");
        Training t;
        t.sme_id = c.params.at("id");
        t.tool = tool;
        std::optional<bool> trained;
        const std::string error = each_member(c.request.body, [&](const std::string& key, const rapidjson::Value& v) {
            if (key == "trained") {
                if (!v.IsBool()) return std::string("trained must be true or false");
                trained = v.GetBool();
            } else if (key == "date") {
                return day_member(v, "date", t.day);
            } else if (key == "confidence") {
                if (!v.IsInt() || v.GetInt() < 1 || v.GetInt() > 5) return std::string("confidence must be 1 to 5");
                t.confidence = v.GetInt();
            } else if (key == "follow_up") {
                if (!v.IsString()) return std::string("follow_up must be a string");
                t.follow_up = v.GetString();
            } else {
                return "unknown member '" + key + "' (known: trained, date, confidence, follow_up)";
            }
            return std::string();
        });
        if (!error.empty()) return json_error(400, error);
        if (!trained) return json_error(400, "trained is required (true or false)");
        t.trained = *trained;
        t.updated_at_ms = api.now_ms();
        if (t.trained) {
            if (!t.confidence) return json_error(400, "confidence (1 to 5) is required for a training given");
            if (!t.day) t.day = model::floor_div(t.updated_at_ms, 86400000);
            t.trainer = c.principal->subject;
        } else if (t.confidence || t.day) {
            return json_error(400, "a training not given takes no confidence or date");
        }
        c.store.put_training(t);
        return json_ok(co::training_json(t.sme_id, c.store.list_training(t.sme_id)));
    });
    // What held the plan back, as `pcgd obstacle add`: {"kind", "note", "date"}.
    router.add("POST", "/api/smes/{id}/obstacles", [&api](const Call& c) {
        if (auto refused = refuse_recorder(c, "obstacles")) return *refused;
        Obstacle o;
        o.sme_id = c.params.at("id");
        o.recorded_by = c.principal->subject;
        std::optional<std::int64_t> day;
        const std::string error = each_member(c.request.body, [&](const std::string& key, const rapidjson::Value& v) {
            if (key == "kind" || key == "note") {
                if (!v.IsString()) return key + " must be a string";
                (key == "kind" ? o.kind : o.note) = v.GetString();
            } else if (key == "date") {
                return day_member(v, "date", day);
            } else {
                return "unknown member '" + key + "' (known: kind, note, date)";
            }
            return std::string();
        });
        if (!error.empty()) return json_error(400, error);
        if (!co::find_term(co::obstacle_kinds(), o.kind))
            return json_error(400, "kind must be " + co::keys_of(co::obstacle_kinds()) + ", got '" + o.kind + "'");
        if (o.note.empty()) return json_error(400, "note must not be empty");
        o.day = day.value_or(model::floor_div(api.now_ms(), 86400000));
        o.id = c.store.add_obstacle(o);
        rapidjson::StringBuffer buffer;
        co::json::Writer w(buffer);
        co::write_obstacle(w, o);
        Response r = json_ok(std::string(buffer.GetString(), buffer.GetSize()));
        r.status = 201;
        return r;
    });
    router.add("GET", "/api/smes/{id}/obstacles", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        return json_ok(co::obstacles_json(c.store.list_obstacles(c.params.at("id"))));
    });
    // A goal set with the SME, as `pcgd goal add`: {"metric", "shop", "target"
    // (text, in the metric's unit), "due", "note"}; answers every goal as measured now.
    router.add("POST", "/api/smes/{id}/goals", [&api](const Call& c) {
        if (auto refused = refuse_recorder(c, "goals")) return *refused;
        const auto sme = c.store.get_sme(c.params.at("id"));
        co::GoalInput input;
        input.set_by = c.principal->subject;
        const std::string error = each_member(c.request.body, [&](const std::string& key, const rapidjson::Value& v) {
            std::string* field = key == "metric"   ? &input.metric
                                 : key == "shop"   ? &input.shop_id
                                 : key == "target" ? &input.target
                                 : key == "due"    ? &input.due
                                 : key == "note"   ? &input.note
                                                   : nullptr;
            if (!field) return "unknown member '" + key + "' (known: metric, shop, target, due, note)";
            if (!v.IsString()) return key + " must be a string";
            *field = v.GetString();
            return std::string();
        });
        if (!error.empty()) return json_error(400, error);
        auto made = co::make_goal(c.store, *sme, input, api.now_ms());
        if (auto* bad = std::get_if<std::string>(&made)) return json_error(400, *bad);
        c.store.add_goal(std::get<Goal>(made));
        Response r =
            with_tools([&] { return co::goals_json(co::measure_goals(c.store, c.config, sme->id, api.now_ms())); });
        if (r.status == 200) r.status = 201;
        return r;
    });
    router.add("GET", "/api/smes/{id}/goals", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        return with_tools(
            [&] { return co::goals_json(co::measure_goals(c.store, c.config, c.params.at("id"), api.now_ms())); });
    });
    router.add("GET", "/api/smes/{id}/plan", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        const auto& id = c.params.at("id");
        const auto plan = c.store.get_plan(id);
        if (!plan) return json_error(404, "SME '" + id + "' has no new-market entry plan yet");
        return json_ok(co::plan_json(c.store, *plan));
    });
    // The new-market entry plan, drafted from the tools now, as `pcgd plan draft`.
    router.add("POST", "/api/smes/{id}/plan", [&api](const Call& c) {
        if (auto refused = refuse_recorder(c, "the plan")) return *refused;
        if (auto bad = each_member(c.request.body.empty() ? "{}" : c.request.body,
                                   [](const std::string& key, const rapidjson::Value&) {
                                       return "unknown member '" + key + "' (the draft comes from the tools)";
                                   });
            !bad.empty())
            return json_error(400, bad);
        const auto& id = c.params.at("id");
        if (c.store.get_plan(id))
            return json_error(409, "SME '" + id + "' already has a plan: change it with PATCH /api/smes/" + id +
                                       "/plan and its actions");
        Response r = with_tools([&] {
            const std::int64_t now = api.now_ms();
            return co::plan_json(c.store, co::record_plan_draft(c.store, c.config, id, c.principal->subject, now, now));
        });
        if (r.status == 200) r.status = 201;
        return r;
    });
    // Its target market and summary, as `pcgd plan edit`.
    router.add("PATCH", "/api/smes/{id}/plan", [&api](const Call& c) {
        if (auto refused = refuse_recorder(c, "the plan")) return *refused;
        const auto& id = c.params.at("id");
        auto plan = c.store.get_plan(id);
        if (!plan) return json_error(404, "SME '" + id + "' has no new-market entry plan yet");
        std::map<std::string, std::string> fields;
        const std::string error = each_member(c.request.body, [&](const std::string& key, const rapidjson::Value& v) {
            if (key != "country" && key != "channel" && key != "segment" && key != "summary")
                return "unknown member '" + key + "' (known: country, channel, segment, summary)";
            if (!v.IsString()) return key + " must be a string";
            fields[key] = v.GetString();
            return std::string();
        });
        if (!error.empty()) return json_error(400, error);
        if (fields.empty()) return json_error(400, "nothing to change: give country, channel, segment or summary");
        if (const std::string bad =
                co::edit_plan(*plan, fields["country"], fields["channel"], fields["segment"], fields["summary"]);
            !bad.empty())
            return json_error(400, bad);
        plan->updated_by = c.principal->subject;
        plan->updated_at_ms = api.now_ms();
        c.store.put_plan(*plan, {});
        return json_ok(co::plan_json(c.store, *plan));
    });
    router.add("GET", "/api/smes/{id}/plan/review", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        const auto& id = c.params.at("id");
        const auto plan = c.store.get_plan(id);
        if (!plan) return json_error(404, "SME '" + id + "' has no new-market entry plan yet");
        return with_tools(
            [&] { return co::plan_review_json(*plan, co::review_plan(c.store, c.config, *plan, api.now_ms())); });
    });
    router.add("GET", "/api/smes/{id}/actions", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        return json_ok(co::actions_json(c.store.list_actions(c.params.at("id"))));
    });
    // An action of the plan or of a session, as `pcgd action add`: {"title",
    // "owner_kind", "owner_name", "due", "note", and "plan": true or "session": N}.
    router.add("POST", "/api/smes/{id}/actions", [&api](const Call& c) {
        if (auto refused = refuse_recorder(c, "actions")) return *refused;
        const auto& id = c.params.at("id");
        Action a;
        a.sme_id = id;
        std::string shared = "{";  // the members an action's PATCH also takes, checked the same way
        const std::string error = each_member(c.request.body, [&](const std::string& key, const rapidjson::Value& v) {
            if (key == "plan") {
                if (!v.IsBool()) return std::string("plan must be true or false");
                a.in_plan = v.GetBool();
            } else if (key == "session") {
                if (!v.IsInt64()) return std::string("session must be a session's id");
                a.session_id = v.GetInt64();
            } else {
                rapidjson::StringBuffer buffer;
                rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
                v.Accept(w);
                shared += (shared.size() > 1 ? "," : "") + std::string("\"") + key + "\":" + buffer.GetString();
            }
            return std::string();
        });
        if (!error.empty()) return json_error(400, error);
        // An empty object is "nothing to change" to a PATCH; here the missing title says more.
        if (const std::string bad = apply_action_patch(shared + "}", a);
            !bad.empty() && bad.rfind("nothing to change", 0) != 0)
            return json_error(400, bad);
        if (a.title.empty()) return json_error(400, "title is required");
        if (a.owner_kind.empty())
            return json_error(400, "owner_kind is required (" + co::keys_of(co::owner_kinds()) + ")");
        if (a.in_plan && !c.store.get_plan(id))
            return json_error(400, "SME '" + id + "' has no new-market entry plan yet");
        if (a.session_id && !c.store.get_session(id, *a.session_id))
            return json_error(400, "session: SME '" + id + "' has no session " + std::to_string(*a.session_id));
        if (!a.in_plan && !a.session_id)
            return json_error(400, "an action belongs to the plan (\"plan\": true) or to a session (\"session\": ID)");
        a.created_by = a.updated_by = c.principal->subject;
        a.created_at_ms = a.updated_at_ms = api.now_ms();
        a.id = c.store.add_action(a);
        Response r = json_ok(co::action_json(a));
        r.status = 201;
        return r;
    });
    router.add("PATCH", "/api/smes/{id}/actions/{action}", [&api](const Call& c) {
        if (auto refused = refuse_sme(c)) return *refused;
        const Principal& who = *c.principal;
        const auto& id = c.params.at("id");
        if (who.role == Role::sme)
            return json_error(403, "an SME token is read-only: the account manager updates actions");
        const auto& text = c.params.at("action");
        const auto n = number_of(text);
        auto action = n ? c.store.get_action(id, *n) : std::nullopt;
        if (!action) return json_error(404, "SME '" + id + "' has no action '" + text + "'");
        if (const std::string error = apply_action_patch(c.request.body, *action); !error.empty())
            return json_error(400, error);
        action->updated_by = who.role == Role::admin ? "admin" : who.subject;
        action->updated_at_ms = api.now_ms();
        c.store.update_action(*action);
        return json_ok(co::action_json(*action));
    });
}

}  // namespace pcgd::host::server
