// `pcgd programme start|status` and `pcgd session record|show|list`: the
// onboarding baseline, the formal sessions with their key questions, and the
// snapshot of the figures shown, compared with the previous session.
#include <iostream>

#include <CLI/CLI.hpp>
#include <pcgd/model/time.hpp>

#include "cli/coaching.hpp"
#include "coaching/html.hpp"
#include "coaching/programme.hpp"
#include "coaching/recording.hpp"
#include "coaching/review.hpp"
#include "coaching/snapshot.hpp"

namespace pcgd::host::cli {

using namespace coaching_cli;
namespace co = pcgd::coaching;

namespace {

void print_session(Store& store, const Session& s) { std::cout << co::session_json(store, s) << '\n'; }

std::string money_text(std::int64_t minor, const std::string& currency) {
    return analysis::format_money(model::Money{minor, model::Currency::of(currency)}, analysis::Lang::en);
}

/// One line per total figure: "sales £1.00 -> £2.00 (+100.0%)".
void print_changes(Store& store, const Session& s) {
    if (s.snapshot_json.empty()) return;
    const auto now = co::snapshot_from_json(s.snapshot_json);
    const auto previous = co::previous_with_snapshot(store.list_sessions(s.sme_id), s.id);
    std::cout << "figures of " << now.month << ": " << now.orders << " orders, sales " << money_text(now.sales, now.currency) << '\n';
    if (!previous) return;
    const auto before = co::snapshot_from_json(previous->snapshot_json);
    for (const auto& d : co::review_deltas(before, now)) {
        if (d.group != "total" || !d.change) continue;
        const auto show = [&](std::int64_t v) { return d.money ? money_text(v, now.currency) : std::to_string(v); };
        std::cout << "  " << d.figure << " since session " << previous->id << " (" << before.month << "): " << show(*d.before) << " -> "
                  << show(*d.after);
        if (d.change_pct) std::cout << " (" << analysis::format_percent(analysis::Percent{*d.change_pct}, analysis::Lang::en) << ")";
        std::cout << '\n';
    }
}

}  // namespace

void add_programme_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("programme", "The four-month coaching programme of an SME");
    cmd->require_subcommand(1);
    struct Args {
        std::string sme, by, at;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* start = cmd->add_subcommand("start", "Onboarding: check the data access and take the baseline of the four tools");
    start->add_option("--sme", args->sme, "SME id")->required();
    start->add_option("--by", args->by, "The account manager recording it")->required();
    start->add_option("--at", args->at, "When (YYYY-MM-DD or ISO 8601; default now)");
    start->add_flag("--json", args->json, "JSON output");
    start->callback([&ctx, args] {
        Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        const std::int64_t at = at_ms(args->at);
        Store& store = ctx.store();
        with_tools([&] { return co::next_session_number(store.list_sessions(c.sme_id), "onboarding", at); });
        if (const auto problem = co::data_access_problem(store, c.sme_id); !problem.empty())
            throw CommandError("data access is not ready: " + problem, 2);
        const co::Snapshot snapshot = with_tools([&] { return co::take_snapshot(store, ctx.config(), c.sme_id, at); });
        Session s;
        s.sme_id = c.sme_id;
        s.kind = "onboarding";
        s.held_at_ms = at;
        s.manager_id = args->by;
        s.snapshot_json = co::to_json(snapshot);
        s.created_at_ms = at_ms("");
        s.id = store.add_session(s, {});
        c.started_at_ms = at;
        store.put_coaching(c);
        if (args->json) return print_session(store, s);
        std::cout << "programme of " << c.sme_id << " started: baseline session " << s.id << '\n';
        print_changes(store, s);
    });

    auto* status = cmd->add_subcommand("status", "Where the SME stands in the programme");
    status->add_option("--sme", args->sme, "SME id")->required();
    status->add_flag("--json", args->json, "JSON output");
    status->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        const auto sessions = ctx.store().list_sessions(c.sme_id);
        const auto st = co::programme_status(sessions);
        if (args->json) {
            std::cout << co::programme_status_json(c.sme_id, st) << '\n';
            return;
        }
        std::cout << c.sme_id << ": " << st.phase << ", " << st.reviews_held << " of " << co::formal_sessions << " formal sessions, "
                  << st.checkins << " check-ins" << (st.end_review_held ? ", end review held" : "") << '\n';
    });
    add_programme_report(*cmd, ctx);
}

void add_session_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("session", "Review and planning sessions, check-ins and reviews");
    cmd->require_subcommand(1);
    struct Args {
        std::string sme, by, at, kind = "review", answers_file, notes;
        std::vector<std::string> answers, conclusions, actions;
        std::int64_t id = 0;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* record = cmd->add_subcommand("record", "Record a session: answers, conclusions, actions agreed and a snapshot of the figures");
    record->add_option("--sme", args->sme, "SME id")->required();
    record->add_option("--by", args->by, "The account manager recording it")->required();
    record->add_option("--kind", args->kind, "review (the four formal sessions), checkin, end_review or continuing")->capture_default_str();
    record->add_option("--at", args->at, "When (YYYY-MM-DD or ISO 8601; default now)");
    record->add_option("--answer", args->answers, "KEY=TEXT, KEY one of the six key questions (repeatable)");
    record->add_option("--answers-file", args->answers_file, "Answers (and a `conclusions` table) in TOML or JSON");
    record->add_option("--conclusion", args->conclusions, "AREA=TEXT: marketing, products, pricing, export or operations (repeatable)");
    record->add_option("--action", args->actions, "An action agreed, owned by the SME's staff (repeatable; details with `pcgd action`)");
    record->add_option("--notes", args->notes, "Free notes");
    record->add_flag("--json", args->json, "JSON output");
    record->callback([&ctx, args] {
        Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        const std::vector<Term> kinds(co::session_kinds().begin() + 1, co::session_kinds().end());  // not onboarding
        one_of(kinds, args->kind, "--kind");
        for (const auto& a : args->actions)
            if (a.empty()) throw CommandError("--action must not be empty", 2);
        co::SessionInput input;
        input.sme_id = c.sme_id;
        input.manager_id = args->by;
        input.kind = args->kind;
        if (!args->answers_file.empty()) read_answers_file(args->answers_file, input.answers, input.conclusions);
        add_pairs(input.answers, args->answers, co::key_questions(), "--answer");
        add_pairs(input.conclusions, args->conclusions, co::conclusion_areas(), "--conclusion");
        input.notes = args->notes;
        input.actions = args->actions;
        input.held_at_ms = at_ms(args->at);
        if (const std::string bad = co::check_session_input(input); !bad.empty()) throw CommandError(bad, 2);
        Store& store = ctx.store();
        const Session s = with_tools([&] { return co::record_session(store, ctx.config(), input, at_ms("")); });
        if (args->json) return print_session(store, s);
        std::cout << "session " << s.id << " (" << s.kind << " " << s.number << ") recorded for " << c.sme_id << '\n';
        print_changes(store, s);
    });

    auto* show = cmd->add_subcommand("show", "A session as recorded, with the figures shown then and how they moved");
    show->add_option("--sme", args->sme, "SME id")->required();
    show->add_option("--id", args->id, "Session id")->required();
    show->add_flag("--json", args->json, "JSON output");
    show->callback([&ctx, args] {
        require_sme(ctx, args->sme);
        const auto s = ctx.store().get_session(args->sme, args->id);
        if (!s) throw CommandError("SME '" + args->sme + "' has no session " + std::to_string(args->id) + " (see `pcgd session list`)", 2);
        if (args->json) return print_session(ctx.store(), *s);
        std::cout << "session " << s->id << ": " << s->kind << " " << s->number << ", held " << model::format_iso8601(s->held_at_ms)
                  << " by " << s->manager_id << '\n';
        const auto answers = co::string_map(s->answers_json);
        for (const auto& q : co::key_questions())
            if (const auto it = answers.find(q.key); it != answers.end()) std::cout << "  " << q.label.en << "\n    " << it->second << '\n';
        const auto conclusions = co::string_map(s->conclusions_json);
        for (const auto& [area, text] : conclusions) std::cout << "  conclusion (" << area << "): " << text << '\n';
        print_changes(ctx.store(), *s);
        for (const auto& a : ctx.store().list_actions(s->sme_id))
            if (a.session_id == s->id) std::cout << "  action " << a.id << ": " << a.title << " [" << a.status << "]\n";
    });

    auto* list = cmd->add_subcommand("list", "The SME's sessions");
    list->add_option("--sme", args->sme, "SME id")->required();
    list->add_flag("--json", args->json, "JSON output");
    list->callback([&ctx, args] {
        require_sme(ctx, args->sme);
        const auto sessions = ctx.store().list_sessions(args->sme);
        if (args->json) {
            std::cout << co::sessions_json(ctx.store(), args->sme) << '\n';
            return;
        }
        std::vector<std::vector<std::string>> rows{{"ID", "KIND", "NUMBER", "HELD AT", "BY", "MONTH SHOWN"}};
        for (const auto& s : sessions)
            rows.push_back({std::to_string(s.id), s.kind, std::to_string(s.number), model::format_iso8601(s.held_at_ms), s.manager_id,
                            s.snapshot_json.empty() ? "-" : co::snapshot_from_json(s.snapshot_json).month});
        std::cout << format_table(rows);
    });
}

}  // namespace pcgd::host::cli
