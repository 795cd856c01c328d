#include "coaching/records_json.hpp"

#include <cmath>
#include <map>
#include <pcgd/model/time.hpp>

#include "coaching/programme.hpp"
#include "coaching/review.hpp"
#include "coaching/snapshot.hpp"
#include "coaching/texts.hpp"

namespace pcgd::coaching {

namespace {

void write_raw(json::Writer& w, const char* key, const std::string& text) {
    w.Key(key);
    if (text.empty())
        w.Null();
    else
        w.RawValue(text.c_str(), text.size(), rapidjson::kObjectType);
}

void write_delta(json::Writer& w, const Delta& d) {
    w.StartObject();
    json::str(w, "group", d.group);
    json::str(w, "key", d.key);
    json::str(w, "figure", d.figure);
    w.Key("money");
    w.Bool(d.money);
    json::opt(w, "before", d.before);
    json::opt(w, "after", d.after);
    json::opt(w, "change", d.change);
    w.Key("change_pct");
    if (d.change_pct)
        w.Double(std::round(*d.change_pct * 10.0) / 10.0);
    else
        w.Null();
    w.EndObject();
}

template <class F>
std::string document(F&& write) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    write(w);
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

void write_instant(json::Writer& w, const char* key, std::int64_t ms) {
    json::str(w, key, model::format_iso8601(ms));
}

void write_day(json::Writer& w, const char* key, const std::optional<std::int64_t>& day) {
    w.Key(key);
    if (!day) {
        w.Null();
        return;
    }
    const std::string s = model::format_date(*day);
    w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_action(json::Writer& w, const host::Action& a) {
    w.StartObject();
    json::num(w, "id", a.id);
    json::opt(w, "session_id", a.session_id);
    w.Key("in_plan");
    w.Bool(a.in_plan);
    json::str(w, "title", a.title);
    json::str(w, "owner_kind", a.owner_kind);
    json::str(w, "owner_name", a.owner_name);
    write_day(w, "due", a.due_day);
    json::str(w, "status", a.status);
    json::str(w, "note", a.note);
    json::str(w, "created_by", a.created_by);
    json::str(w, "updated_by", a.updated_by);
    write_instant(w, "updated_at", a.updated_at_ms);
    w.EndObject();
}

void write_goal(json::Writer& w, const GoalProgress& p) {
    const host::Goal& g = p.goal;
    w.StartObject();
    json::num(w, "id", g.id);
    json::str(w, "metric", g.metric);
    json::str(w, "shop", g.shop_id);
    json::str(w, "unit", goal_unit(g));
    json::num(w, "target", g.target);
    write_day(w, "due", g.due_day);
    json::str(w, "note", g.note);
    json::str(w, "set_by", g.set_by);
    json::str(w, "month", p.month.str());
    json::opt(w, "value", p.value);
    w.Key("percent");
    if (p.percent)
        w.Double(std::round(*p.percent * 10.0) / 10.0);
    else
        w.Null();
    json::str(w, "state", p.state);
    w.EndObject();
}

void write_obstacle(json::Writer& w, const host::Obstacle& o) {
    w.StartObject();
    json::num(w, "id", o.id);
    json::str(w, "kind", o.kind);
    json::str(w, "note", o.note);
    write_day(w, "date", o.day);
    json::str(w, "recorded_by", o.recorded_by);
    w.EndObject();
}

void write_session(json::Writer& w, host::Store& store, const host::Session& s, bool full) {
    w.StartObject();
    json::num(w, "id", s.id);
    json::str(w, "sme", s.sme_id);
    json::str(w, "kind", s.kind);
    json::num(w, "number", s.number);
    write_instant(w, "held_at", s.held_at_ms);
    json::str(w, "by", s.manager_id);
    if (!s.snapshot_json.empty()) json::str(w, "month", snapshot_from_json(s.snapshot_json).month);
    if (full) {
        write_raw(w, "answers", s.answers_json);
        write_raw(w, "conclusions", s.conclusions_json);
        json::str(w, "notes", s.notes);
        write_raw(w, "snapshot", s.snapshot_json);
        const auto previous = previous_with_snapshot(store.list_sessions(s.sme_id), s.id);
        w.Key("compared_with");
        if (previous && !s.snapshot_json.empty())
            w.Int64(previous->id);
        else
            w.Null();
        w.Key("changes");
        w.StartArray();
        if (previous && !s.snapshot_json.empty())
            for (const auto& d :
                 review_deltas(snapshot_from_json(previous->snapshot_json), snapshot_from_json(s.snapshot_json)))
                write_delta(w, d);
        w.EndArray();
        w.Key("actions");
        w.StartArray();
        for (const auto& a : store.list_actions(s.sme_id))
            if (a.session_id == s.id) write_action(w, a);
        w.EndArray();
    }
    w.EndObject();
}

void write_plan(json::Writer& w, host::Store& store, const host::Plan& p) {
    w.StartObject();
    json::str(w, "sme", p.sme_id);
    write_day(w, "plan_date", p.plan_day);
    w.Key("target");
    w.StartObject();
    json::str(w, "country", p.target_country);
    json::str(w, "channel", p.target_channel);
    json::str(w, "segment", p.target_segment);
    w.EndObject();
    json::str(w, "summary", p.summary);
    json::str(w, "created_by", p.created_by);
    json::str(w, "updated_by", p.updated_by);
    w.Key("draft");
    w.RawValue(p.draft_json.c_str(), p.draft_json.size(), rapidjson::kObjectType);
    w.Key("actions");
    w.StartArray();
    for (const auto& a : store.list_actions(p.sme_id))
        if (a.in_plan) write_action(w, a);
    w.EndArray();
    w.EndObject();
}

void write_training(json::Writer& w, const std::string& sme_id, const std::vector<host::Training>& training) {
    std::map<std::string, host::Training> by_tool;
    for (const auto& t : training) by_tool[t.tool] = t;
    w.StartArray();
    for (const auto& tool : tools()) {
        host::Training t;
        if (const auto it = by_tool.find(tool.key); it != by_tool.end())
            t = it->second;
        else
            t.sme_id = sme_id, t.tool = tool.key;
        w.StartObject();
        json::str(w, "tool", tool.key);
        w.Key("trained");
        w.Bool(t.trained);
        write_day(w, "date", t.day);
        json::str(w, "trainer", t.trainer);
        json::opt(w, "confidence", t.confidence);
        json::str(w, "follow_up", t.follow_up);
        w.EndObject();
    }
    w.EndArray();
}

std::string session_json(host::Store& store, const host::Session& session) {
    return document([&](json::Writer& w) { write_session(w, store, session, true); });
}

std::string sessions_json(host::Store& store, const std::string& sme_id) {
    return document([&](json::Writer& w) {
        w.StartArray();
        for (const auto& s : store.list_sessions(sme_id)) write_session(w, store, s, false);
        w.EndArray();
    });
}

std::string plan_json(host::Store& store, const host::Plan& plan) {
    return document([&](json::Writer& w) { write_plan(w, store, plan); });
}

std::string action_json(const host::Action& action) {
    return document([&](json::Writer& w) { write_action(w, action); });
}

std::string actions_json(const std::vector<host::Action>& actions) {
    return document([&](json::Writer& w) {
        w.StartArray();
        for (const auto& a : actions) write_action(w, a);
        w.EndArray();
    });
}

std::string goals_json(const std::vector<GoalProgress>& progress) {
    return document([&](json::Writer& w) {
        w.StartArray();
        for (const auto& p : progress) write_goal(w, p);
        w.EndArray();
    });
}

std::string obstacles_json(const std::vector<host::Obstacle>& obstacles) {
    return document([&](json::Writer& w) {
        w.StartArray();
        for (const auto& o : obstacles) write_obstacle(w, o);
        w.EndArray();
    });
}

std::string training_json(const std::string& sme_id, const std::vector<host::Training>& training) {
    return document([&](json::Writer& w) { write_training(w, sme_id, training); });
}

std::string plan_review_json(const host::Plan& plan, const PlanReview& r) {
    return document([&](json::Writer& w) {
        const auto period = [&](const char* key, const analysis::Month& from, const analysis::Month& to) {
            w.Key(key);
            w.StartObject();
            json::str(w, "from", from.str());
            json::str(w, "to", to.str());
            w.EndObject();
        };
        w.StartObject();
        json::str(w, "sme", plan.sme_id);
        write_day(w, "plan_date", plan.plan_day);
        json::str(w, "currency", r.currency);
        period("before", r.before_from, r.before_to);
        period("after", r.after_from, r.after_to);
        w.Key("changes");
        w.StartArray();
        for (const auto& d : r.deltas) {
            w.StartObject();
            json::str(w, "group", d.group);
            json::str(w, "key", d.key);
            json::str(w, "figure", d.figure);
            json::opt(w, "before", d.before);
            json::opt(w, "after", d.after);
            json::opt(w, "change", d.change);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    });
}

}  // namespace pcgd::coaching
