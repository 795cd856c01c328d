// `pcgd obstacle`, `pcgd training` and `pcgd goal`: what held a plan back,
// the training on each tool, and goals whose progress the tools measure.
#include <cmath>
#include <iostream>

#include <CLI/CLI.hpp>
#include <pcgd/model/time.hpp>

#include "cli/coaching.hpp"
#include "coaching/goals.hpp"

namespace pcgd::host::cli {

using namespace coaching_cli;
namespace co = pcgd::coaching;

namespace {

std::int64_t today(const std::string& at) { return model::floor_div(at_ms(at), 86400000); }

/// A goal's target in its unit: money in minor units of the SME's currency,
/// orders, points, or a margin in tenths of a percent.
std::string target_text(const Goal& g) {
    if (g.metric == "monthly_sales") return analysis::format_money(model::Money{g.target, model::Currency::of(g.currency)}, analysis::Lang::en);
    if (g.metric == "margin") return analysis::format_percent(analysis::Percent{static_cast<double>(g.target) / 10.0}, analysis::Lang::en);
    return std::to_string(g.target) + " " + co::goal_unit(g);
}

std::string value_text(const Goal& g, std::int64_t v) {
    Goal copy = g;
    copy.target = v;
    return target_text(copy);
}

}  // namespace

std::vector<co::GoalProgress> goal_progress_of(Context& ctx, const std::string& sme_id, const std::string& at) {
    return with_tools([&] { return co::measure_goals(ctx.store(), ctx.config(), sme_id, at_ms(at)); });
}

std::string goal_line(const co::GoalProgress& p) {
    const Goal& g = p.goal;
    std::string line = "goal " + std::to_string(g.id) + ": " + g.metric + (g.shop_id.empty() ? "" : " of " + g.shop_id) + " " +
                       target_text(g) + " by " + model::format_date(g.due_day) + "; " + p.month.str() + ": ";
    line += p.value ? value_text(g, *p.value) : "unknown";
    if (p.percent) line += " (" + analysis::format_percent(analysis::Percent{*p.percent}, analysis::Lang::en) + ")";
    return line + ", " + p.state;
}

void add_obstacle_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("obstacle", "What held the SME's plan back");
    cmd->require_subcommand(1);
    struct Args {
        std::string sme, by, kind, note, day;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* add = cmd->add_subcommand("add", "Record an obstacle");
    add->add_option("--sme", args->sme, "SME id")->required();
    add->add_option("--by", args->by, "The account manager recording it")->required();
    add->add_option("--kind", args->kind, "external_shock, outside_expertise, data_skills or slowed_growth")->required();
    add->add_option("--note", args->note, "What happened")->required();
    add->add_option("--date", args->day, "When (YYYY-MM-DD; default today)");
    add->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        one_of(co::obstacle_kinds(), args->kind, "--kind");
        if (args->note.empty()) throw CommandError("--note must not be empty", 2);
        const std::int64_t d = args->day.empty() ? today("") : day_of(args->day, "--date");
        const auto id = ctx.store().add_obstacle(Obstacle{0, c.sme_id, args->kind, args->note, d, args->by});
        std::cout << "obstacle " << id << " (" << args->kind << ") recorded for " << c.sme_id << '\n';
    });
    auto* list = cmd->add_subcommand("list", "The SME's obstacles");
    list->add_option("--sme", args->sme, "SME id")->required();
    list->add_flag("--json", args->json, "JSON output");
    list->callback([&ctx, args] {
        require_sme(ctx, args->sme);
        const auto obstacles = ctx.store().list_obstacles(args->sme);
        if (args->json) {
            std::cout << co::obstacles_json(obstacles) << '\n';
            return;
        }
        std::vector<std::vector<std::string>> rows{{"ID", "DATE", "KIND", "NOTE", "BY"}};
        for (const auto& o : obstacles) rows.push_back({std::to_string(o.id), model::format_date(o.day), o.kind, o.note, o.recorded_by});
        std::cout << format_table(rows);
    });
}

void add_training_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("training", "Training follow-up on the four tools");
    cmd->require_subcommand(1);
    struct Args {
        std::string sme, by, tool, day, follow_up;
        int confidence = 0;
        bool not_trained = false, json = false;
    };
    auto args = std::make_shared<Args>();
    auto* record = cmd->add_subcommand("record", "Record training on one tool (replaces the previous record of that tool)");
    record->add_option("--sme", args->sme, "SME id")->required();
    record->add_option("--by", args->by, "The trainer (an account manager)")->required();
    record->add_option("--tool", args->tool, "quality, opportunities, planning or growth")->required();
    record->add_option("--date", args->day, "When (YYYY-MM-DD; default today)");
    record->add_option("--confidence", args->confidence, "The SME's confidence with the tool, 1-5");
    record->add_option("--follow-up", args->follow_up, "The follow-up still needed");
    record->add_flag("--not-trained", args->not_trained, "Record that the SME is not trained yet (only the follow-up)");
    record->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        one_of(co::tools(), args->tool, "--tool");
        Training t;
        t.sme_id = c.sme_id;
        t.tool = args->tool;
        t.trained = !args->not_trained;
        t.follow_up = args->follow_up;
        t.updated_at_ms = at_ms("");
        if (t.trained) {
            if (args->confidence < 1 || args->confidence > 5)
                throw CommandError("--confidence must be 1 to 5 for a training given, got " + std::to_string(args->confidence), 2);
            t.confidence = args->confidence;
            t.day = args->day.empty() ? today("") : day_of(args->day, "--date");
            t.trainer = args->by;
        } else if (args->confidence != 0 || !args->day.empty()) {
            throw CommandError("--not-trained takes no --confidence or --date", 2);
        }
        ctx.store().put_training(t);
        std::cout << "training on " << t.tool << " for " << c.sme_id << ": " << (t.trained ? "trained" : "not trained") << '\n';
    });
    auto* list = cmd->add_subcommand("list", "Training on each of the four tools");
    list->add_option("--sme", args->sme, "SME id")->required();
    list->add_flag("--json", args->json, "JSON output");
    list->callback([&ctx, args] {
        require_sme(ctx, args->sme);
        const auto training = ctx.store().list_training(args->sme);
        if (args->json) {
            std::cout << co::training_json(args->sme, training) << '\n';
            return;
        }
        std::map<std::string, Training> by_tool;
        for (const auto& t : training) by_tool[t.tool] = t;
        // A tool without a record: not trained yet.
        const auto of = [&](const std::string& tool) {
            if (const auto it = by_tool.find(tool); it != by_tool.end()) return it->second;
            Training t;
            t.sme_id = args->sme;
            t.tool = tool;
            return t;
        };
        std::vector<std::vector<std::string>> rows{{"TOOL", "TRAINED", "DATE", "BY", "CONFIDENCE", "FOLLOW-UP"}};
        for (const auto& tool : co::tools()) {
            const Training t = of(tool.key);
            rows.push_back({tool.key, t.trained ? "yes" : "no", t.day ? model::format_date(*t.day) : "-", t.trainer.empty() ? "-" : t.trainer,
                            t.confidence ? std::to_string(*t.confidence) + "/5" : "-", t.follow_up.empty() ? "-" : t.follow_up});
        }
        std::cout << format_table(rows);
    });
}

void add_goal_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("goal", "Goals set together, measured by the tools");
    cmd->require_subcommand(1);
    struct Args {
        std::string sme, by, metric, shop, target, due, note, at;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* add = cmd->add_subcommand("add", "Set a goal on a measured figure");
    add->add_option("--sme", args->sme, "SME id")->required();
    add->add_option("--by", args->by, "The account manager setting it with the SME")->required();
    add->add_option("--metric", args->metric, "monthly_sales, channel_orders, quality_score or margin")->required();
    add->add_option("--shop", args->shop, "The channel (shop) of channel_orders and quality_score");
    add->add_option("--target", args->target, "Sales in the SME's currency (2500.00), orders, points or a margin % (32.5)")->required();
    add->add_option("--due", args->due, "Due date (YYYY-MM-DD); measured on its month")->required();
    add->add_option("--note", args->note, "Why this goal");
    add->callback([&ctx, args] {
        const Coaching c = require_coaching(ctx, args->sme);
        require_manager(ctx, args->by);
        require_coach(c, args->by);
        const Sme sme = require_sme(ctx, args->sme);
        auto made = co::make_goal(ctx.store(), sme, {args->metric, args->shop, args->target, args->due, args->note, args->by},
                                  at_ms(""));
        if (auto* error = std::get_if<std::string>(&made)) throw CommandError("--" + *error, 2);
        Goal g = std::get<Goal>(made);
        g.id = ctx.store().add_goal(g);
        std::cout << "goal " << g.id << ": " << g.metric << (g.shop_id.empty() ? "" : " of " + g.shop_id) << " " << target_text(g) << " by "
                  << args->due << '\n';
    });
    auto* list = cmd->add_subcommand("list", "Goals and their progress, measured by the tools");
    list->add_option("--sme", args->sme, "SME id")->required();
    list->add_option("--at", args->at, "Measure as of this day (default now)");
    list->add_flag("--json", args->json, "JSON output");
    list->callback([&ctx, args] {
        require_sme(ctx, args->sme);
        const auto progress = goal_progress_of(ctx, args->sme, args->at);
        if (args->json) {
            std::cout << co::goals_json(progress) << '\n';
            return;
        }
        for (const auto& p : progress) std::cout << goal_line(p) << '\n';
    });
}

}  // namespace pcgd::host::cli
