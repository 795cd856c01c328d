// `pcgd plan draft|edit|show|review` and `pcgd action add|update|list`: the
// new-market entry plan, drafted from the tools and edited by the account
// manager, and the actions of the plan and of the sessions.
#include <iostream>

#include <CLI/CLI.hpp>
#include <pcgd/model/time.hpp>

#include "cli/coaching.hpp"
#include "coaching/plan_draft.hpp"
#include "coaching/plan_review.hpp"
#include "coaching/recording.hpp"
#include "analysis/tools.hpp"

namespace pcgd::host::cli {

using namespace coaching_cli;
namespace co = pcgd::coaching;

namespace {

Plan require_plan(Context& ctx, const std::string& sme_id) {
    auto p = ctx.store().get_plan(sme_id);
    if (!p) throw CommandError("SME '" + sme_id + "' has no new-market entry plan yet (draft one with `pcgd plan draft`)", 2);
    return *p;
}

void print_plan(Store& store, const Plan& p) { std::cout << co::plan_json(store, p) << '\n'; }

}  // namespace

void add_plan_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("plan", "The new-market entry plan");
    cmd->require_subcommand(1);
    struct Args {
        std::string sme, by, at, country, channel, segment, summary;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* draft = cmd->add_subcommand("draft", "Draft the plan from the four tools (opportunities, new markets, quality fixes, projection)");
    draft->add_option("--sme", args->sme, "SME id")->required();
    draft->add_option("--by", args->by, "The account manager drafting it")->required();
    draft->add_option("--at", args->at, "When (YYYY-MM-DD or ISO 8601; default now)");
    draft->add_flag("--json", args->json, "JSON output");
    draft->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        if (ctx.store().get_plan(c.sme_id))
            throw CommandError("SME '" + c.sme_id + "' already has a plan: change it with `pcgd plan edit` and `pcgd action`", 2);
        const Plan p =
            with_tools([&] { return co::record_plan_draft(ctx.store(), ctx.config(), c.sme_id, args->by, at_ms(args->at), at_ms("")); });
        const co::PlanDraft d = co::plan_draft_from_json(p.draft_json);
        if (args->json) return print_plan(ctx.store(), p);
        std::cout << "plan drafted for " << c.sme_id << " from " << d.month << ": " << d.strong.size() << " strong opportunities, "
                  << d.new_markets.size() << " new-market candidates, " << d.fixes.size() << " quality fixes, " << d.actions.size()
                  << " suggested actions; target " << (p.target_country.empty() ? "-" : p.target_country + " " + p.target_channel) << '\n';
    });

    auto* edit = cmd->add_subcommand("edit", "Set the target market and the summary");
    edit->add_option("--sme", args->sme, "SME id")->required();
    edit->add_option("--by", args->by, "The account manager editing it")->required();
    edit->add_option("--country", args->country, "Target country (ISO 3166 alpha-2)");
    edit->add_option("--channel", args->channel, "Target channel (a platform or marketplace)");
    edit->add_option("--segment", args->segment, "Target customer segment");
    edit->add_option("--summary", args->summary, "The plan in a few sentences");
    edit->add_flag("--json", args->json, "JSON output");
    edit->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        Plan p = require_plan(ctx, c.sme_id);
        if (const std::string bad = co::edit_plan(p, args->country, args->channel, args->segment, args->summary); !bad.empty())
            throw CommandError("--" + bad, 2);
        p.updated_by = args->by;
        p.updated_at_ms = at_ms("");
        ctx.store().put_plan(p, {});
        if (args->json) return print_plan(ctx.store(), p);
        std::cout << "plan of " << p.sme_id << ": target " << p.target_country << " " << p.target_channel << " " << p.target_segment << '\n';
    });

    auto* show = cmd->add_subcommand("show", "The plan, its draft and its actions");
    show->add_option("--sme", args->sme, "SME id")->required();
    show->add_flag("--json", args->json, "JSON output");
    show->callback([&ctx, args] {
        require_sme(ctx, args->sme);
        const Plan p = require_plan(ctx, args->sme);
        if (args->json) return print_plan(ctx.store(), p);
        std::cout << "new-market entry plan of " << p.sme_id << " (" << model::format_date(p.plan_day) << ")\n  target: "
                  << (p.target_country.empty() ? "-" : p.target_country) << " / " << (p.target_channel.empty() ? "-" : p.target_channel)
                  << " / " << (p.target_segment.empty() ? "-" : p.target_segment) << '\n';
        if (!p.summary.empty()) std::cout << "  " << p.summary << '\n';
        for (const auto& a : ctx.store().list_actions(p.sme_id))
            if (a.in_plan)
                std::cout << "  action " << a.id << " [" << a.status << "] " << a.owner_kind << (a.owner_name.empty() ? "" : " " + a.owner_name)
                          << ": " << a.title << '\n';
    });

    auto* review = cmd->add_subcommand("review", "The first marketing and sales review: figures since the plan against those before");
    review->add_option("--sme", args->sme, "SME id")->required();
    review->add_option("--at", args->at, "As of (default now)");
    review->add_flag("--json", args->json, "JSON output");
    review->callback([&ctx, args] {
        require_sme(ctx, args->sme);
        const Plan p = require_plan(ctx, args->sme);
        const std::int64_t at = at_ms(args->at);
        const co::PlanReview r = with_tools([&] { return co::review_plan(ctx.store(), ctx.config(), p, at); });
        if (args->json) {
            std::cout << co::plan_review_json(p, r) << '\n';
            return;
        }
        std::cout << "since the plan (" << r.after_from.str() << " to " << r.after_to.str() << ") against before (" << r.before_from.str()
                  << " to " << r.before_to.str() << "):\n";
        for (const auto& d : r.deltas) {
            const auto show = [&](std::int64_t v) {
                return d.money ? analysis::format_money(model::Money{v, model::Currency::of(r.currency)}, analysis::Lang::en) : std::to_string(v);
            };
            std::cout << "  " << (d.key.empty() ? "total" : d.key) << " " << d.figure << ": " << show(*d.before) << " -> " << show(*d.after)
                      << '\n';
        }
    });
}

void add_action_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("action", "Actions of the plan and of sessions, with owners and statuses");
    cmd->require_subcommand(1);
    struct Args {
        std::string sme, by, title, owner_kind, owner, due, status, note;
        std::int64_t id = 0, session = 0;
        bool plan = false, json = false;
    };
    auto args = std::make_shared<Args>();
    auto* add = cmd->add_subcommand("add", "Add an action");
    add->add_option("--sme", args->sme, "SME id")->required();
    add->add_option("--by", args->by, "The account manager adding it")->required();
    add->add_option("--title", args->title, "What is to be done")->required();
    add->add_option("--owner-kind", args->owner_kind, "sme_staff, external or account_manager")->required();
    add->add_option("--owner", args->owner, "Who (a name)");
    add->add_option("--due", args->due, "Due date (YYYY-MM-DD)");
    add->add_option("--session", args->session, "The session it was agreed in");
    add->add_flag("--plan", args->plan, "An action of the new-market entry plan");
    add->add_option("--note", args->note, "A note");
    add->add_flag("--json", args->json, "JSON output");
    add->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        if (args->title.empty()) throw CommandError("--title must not be empty", 2);
        one_of(co::owner_kinds(), args->owner_kind, "--owner-kind");
        if (args->plan) require_plan(ctx, c.sme_id);
        if (args->session && !ctx.store().get_session(c.sme_id, args->session))
            throw CommandError("--session: SME '" + c.sme_id + "' has no session " + std::to_string(args->session), 2);
        if (!args->plan && !args->session) throw CommandError("an action belongs to the plan (--plan) or to a session (--session ID)", 2);
        Action a;
        a.sme_id = c.sme_id;
        if (args->session) a.session_id = args->session;
        a.in_plan = args->plan;
        a.title = args->title;
        a.owner_kind = args->owner_kind;
        a.owner_name = args->owner;
        if (!args->due.empty()) a.due_day = day_of(args->due, "--due");
        a.note = args->note;
        a.created_by = a.updated_by = args->by;
        a.created_at_ms = a.updated_at_ms = at_ms("");
        a.id = ctx.store().add_action(a);
        if (args->json) {
            std::cout << co::action_json(a) << '\n';
            return;
        }
        std::cout << "action " << a.id << " added for " << a.sme_id << '\n';
    });

    auto* update = cmd->add_subcommand("update", "Change an action's status, owner, due date or note");
    update->add_option("--sme", args->sme, "SME id")->required();
    update->add_option("--id", args->id, "Action id")->required();
    update->add_option("--by", args->by, "The account manager updating it")->required();
    update->add_option("--status", args->status, "planned, in_progress, done, rejected (business decision) or deferred (beyond the programme)");
    update->add_option("--title", args->title, "New title");
    update->add_option("--owner-kind", args->owner_kind, "sme_staff, external or account_manager");
    update->add_option("--owner", args->owner, "Who (a name)");
    update->add_option("--due", args->due, "Due date (YYYY-MM-DD)");
    update->add_option("--note", args->note, "A note (why it was rejected or deferred...)");
    update->add_flag("--json", args->json, "JSON output");
    update->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        auto a = ctx.store().get_action(c.sme_id, args->id);
        if (!a) throw CommandError("SME '" + c.sme_id + "' has no action " + std::to_string(args->id) + " (see `pcgd action list`)", 2);
        if (!args->status.empty()) a->status = one_of(co::action_statuses(), args->status, "--status");
        if (!args->owner_kind.empty()) a->owner_kind = one_of(co::owner_kinds(), args->owner_kind, "--owner-kind");
        if (!args->title.empty()) a->title = args->title;
        if (!args->owner.empty()) a->owner_name = args->owner;
        if (!args->due.empty()) a->due_day = day_of(args->due, "--due");
        if (!args->note.empty()) a->note = args->note;
        a->updated_by = args->by;
        a->updated_at_ms = at_ms("");
        ctx.store().update_action(*a);
        if (args->json) {
            std::cout << co::action_json(*a) << '\n';
            return;
        }
        std::cout << "action " << a->id << ": " << a->status << '\n';
    });

    auto* list = cmd->add_subcommand("list", "The SME's actions");
    list->add_option("--sme", args->sme, "SME id")->required();
    list->add_flag("--json", args->json, "JSON output");
    list->callback([&ctx, args] {
        require_sme(ctx, args->sme);
        const auto actions = ctx.store().list_actions(args->sme);
        if (args->json) {
            std::cout << co::actions_json(actions) << '\n';
            return;
        }
        std::vector<std::vector<std::string>> rows{{"ID", "FROM", "STATUS", "OWNER", "DUE", "TITLE"}};
        for (const auto& a : actions)
            rows.push_back({std::to_string(a.id), a.in_plan ? "plan" : "session " + std::to_string(a.session_id.value_or(0)), a.status,
                            a.owner_kind + (a.owner_name.empty() ? "" : " " + a.owner_name), a.due_day ? model::format_date(*a.due_day) : "-",
                            a.title});
        std::cout << format_table(rows);
    });
}

}  // namespace pcgd::host::cli
