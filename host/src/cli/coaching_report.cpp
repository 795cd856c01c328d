// `pcgd programme report`: the whole programme of one SME on one page: the
// people, the sessions, obstacles, training, goals with their measured
// progress, and the plan's actions by status.
#include <iostream>

#include <CLI/CLI.hpp>
#include <pcgd/model/time.hpp>

#include "cli/coaching.hpp"
#include "coaching/programme.hpp"
#include "coaching/snapshot.hpp"

namespace pcgd::host::cli {

using namespace coaching_cli;
namespace cj = pcgd::coaching::json;
namespace co = pcgd::coaching;

void add_programme_report(CLI::App& programme, Context& ctx) {
    struct Args {
        std::string sme, at;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* report = programme.add_subcommand("report", "The programme's report: sessions, obstacles, training, goals, plan actions");
    report->add_option("--sme", args->sme, "SME id")->required();
    report->add_option("--at", args->at, "Measure goals as of this day (default now)");
    report->add_flag("--json", args->json, "JSON output");
    report->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        Store& store = ctx.store();
        const auto sessions = store.list_sessions(c.sme_id);
        const auto status = co::programme_status(sessions);
        const auto obstacles = store.list_obstacles(c.sme_id);
        std::map<std::string, Training> training;
        for (const auto& t : store.list_training(c.sme_id)) training[t.tool] = t;
        const auto goals = goal_progress_of(ctx, c.sme_id, args->at);
        const auto plan = store.get_plan(c.sme_id);
        std::map<std::string, std::int64_t> by_status;
        for (const auto& a : store.list_actions(c.sme_id)) ++by_status[a.status];
        if (args->json) {
            rapidjson::StringBuffer buffer;
            cj::Writer w(buffer);
            w.StartObject();
            cj::str(w, "sme", c.sme_id);
            cj::str(w, "country", c.country);
            cj::str(w, "manager", c.manager_id);
            w.Key("experts");
            w.StartArray();
            for (const auto& e : c.experts) w.String(e.c_str());
            w.EndArray();
            cj::str(w, "phase", status.phase);
            cj::num(w, "reviews_held", status.reviews_held);
            w.Key("sessions");
            w.StartArray();
            for (const auto& s : sessions) {
                w.StartObject();
                cj::num(w, "id", s.id);
                cj::str(w, "kind", s.kind);
                cj::num(w, "number", s.number);
                co::write_instant(w, "held_at", s.held_at_ms);
                cj::str(w, "by", s.manager_id);
                if (!s.snapshot_json.empty()) {
                    const auto snap = co::snapshot_from_json(s.snapshot_json);
                    cj::str(w, "month", snap.month);
                    cj::num(w, "sales", snap.sales);
                    cj::num(w, "orders", snap.orders);
                }
                w.EndObject();
            }
            w.EndArray();
            w.Key("obstacles");
            w.StartArray();
            for (const auto& o : obstacles) {
                w.StartObject();
                cj::str(w, "kind", o.kind);
                cj::str(w, "note", o.note);
                co::write_day(w, "date", o.day);
                w.EndObject();
            }
            w.EndArray();
            w.Key("training");
            w.StartArray();
            for (const auto& tool : co::tools()) {
                const auto it = training.find(tool.key);
                w.StartObject();
                cj::str(w, "tool", tool.key);
                w.Key("trained");
                w.Bool(it != training.end() && it->second.trained);
                cj::opt(w, "confidence", it == training.end() ? std::nullopt : it->second.confidence);
                cj::str(w, "follow_up", it == training.end() ? "" : it->second.follow_up);
                w.EndObject();
            }
            w.EndArray();
            w.Key("goals");
            w.StartArray();
            for (const auto& g : goals) co::write_goal(w, g);
            w.EndArray();
            w.Key("plan");
            if (!plan) w.Null();
            else {
                w.StartObject();
                co::write_day(w, "plan_date", plan->plan_day);
                cj::str(w, "target_country", plan->target_country);
                cj::str(w, "target_channel", plan->target_channel);
                cj::str(w, "target_segment", plan->target_segment);
                w.EndObject();
            }
            w.Key("actions_by_status");
            w.StartObject();
            for (const auto& st : co::action_statuses()) cj::num(w, st.key.c_str(), by_status[st.key]);
            w.EndObject();
            w.EndObject();
            return print_json(buffer);
        }
        std::cout << "programme of " << c.sme_id << " (" << c.country << "), account manager " << c.manager_id;
        for (const auto& e : c.experts) std::cout << ", expert " << e;
        std::cout << "\nphase: " << status.phase << ", " << status.reviews_held << " of " << co::formal_sessions << " formal sessions\n\nsessions:\n";
        for (const auto& s : sessions) {
            std::cout << "  " << s.id << " " << s.kind << " " << s.number << " " << model::format_iso8601(s.held_at_ms) << " by " << s.manager_id;
            if (!s.snapshot_json.empty()) {
                const auto snap = co::snapshot_from_json(s.snapshot_json);
                std::cout << ": " << snap.month << " " << snap.orders << " orders, sales "
                          << analysis::format_money(model::Money{snap.sales, model::Currency::of(snap.currency)}, analysis::Lang::en);
            }
            std::cout << '\n';
        }
        std::cout << "\nobstacles:\n";
        if (obstacles.empty()) std::cout << "  none\n";
        for (const auto& o : obstacles)
            std::cout << "  " << model::format_date(o.day) << " " << co::label_of(co::obstacle_kinds(), o.kind, co::Lang::en) << ": " << o.note << '\n';
        std::cout << "\ntraining:\n";
        for (const auto& tool : co::tools()) {
            const auto it = training.find(tool.key);
            std::cout << "  " << tool.key << ": ";
            if (it == training.end() || !it->second.trained) std::cout << "not trained";
            else std::cout << "trained " << model::format_date(*it->second.day) << " by " << it->second.trainer << ", confidence "
                           << *it->second.confidence << "/5";
            if (it != training.end() && !it->second.follow_up.empty()) std::cout << "; follow-up: " << it->second.follow_up;
            std::cout << '\n';
        }
        std::cout << "\ngoals:\n";
        if (goals.empty()) std::cout << "  none\n";
        for (const auto& g : goals) std::cout << "  " << goal_line(g) << '\n';
        std::cout << "\nplan: ";
        if (!plan) std::cout << "none yet\n";
        else std::cout << model::format_date(plan->plan_day) << ", target " << plan->target_country << " " << plan->target_channel << " "
                       << plan->target_segment << '\n';
        std::cout << "actions:";
        for (const auto& st : co::action_statuses()) std::cout << " " << st.key << " " << by_status[st.key];
        std::cout << '\n';
    });
}

}  // namespace pcgd::host::cli
