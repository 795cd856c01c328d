// `pcgd manager add|list` and `pcgd sme assign`: account managers at the two
// launchpads, and who coaches which SME.
#include <iostream>
#include <regex>

#include <CLI/CLI.hpp>

#include "cli/coaching.hpp"

namespace pcgd::host::cli {

using namespace coaching_cli;
namespace cj = pcgd::coaching::json;

void add_manager_command(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("manager", "Account managers at the UK (GB) and French (FR) launchpads");
    cmd->require_subcommand(1);
    struct Args {
        std::string id, name, launchpad;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* add = cmd->add_subcommand("add", "Add or rename an account manager");
    add->add_option("--id", args->id, "Manager id")->required();
    add->add_option("--name", args->name, "Full name")->required();
    add->add_option("--launchpad", args->launchpad, "GB or FR")->required();
    add->callback([&ctx, args] {
        static const std::regex id_shape(R"(^[a-z0-9][a-z0-9._-]{0,63}$)");
        if (!std::regex_match(args->id, id_shape))
            throw CommandError("manager id '" + args->id + "' must be 1-64 characters of a-z, 0-9, '.', '_' or '-'", 2);
        if (args->launchpad != "GB" && args->launchpad != "FR")
            throw CommandError("--launchpad must be GB or FR, got '" + args->launchpad + "'", 2);
        if (args->name.empty()) throw CommandError("--name must not be empty", 2);
        Manager m{args->id, args->name, args->launchpad, at_ms("")};
        if (const auto old = ctx.store().get_manager(m.id)) m.created_at_ms = old->created_at_ms;
        ctx.store().put_manager(m);
        std::cout << "manager " << m.id << " (" << m.name << ", launchpad " << m.launchpad << ")\n";
    });
    auto* list = cmd->add_subcommand("list", "List account managers and the SMEs they coach");
    list->add_flag("--json", args->json, "JSON output");
    list->callback([&ctx, args] {
        const auto managers = ctx.store().list_managers();
        if (args->json) {
            rapidjson::StringBuffer buffer;
            cj::Writer w(buffer);
            w.StartArray();
            for (const auto& m : managers) {
                w.StartObject();
                cj::str(w, "id", m.id);
                cj::str(w, "name", m.name);
                cj::str(w, "launchpad", m.launchpad);
                w.Key("smes");
                w.StartArray();
                for (const auto& s : ctx.store().coached_smes(m.id)) w.String(s.c_str());
                w.EndArray();
                w.EndObject();
            }
            w.EndArray();
            print_json(buffer);
            return;
        }
        std::vector<std::vector<std::string>> rows{{"ID", "NAME", "LAUNCHPAD", "SMES"}};
        for (const auto& m : managers) {
            std::string smes;
            for (const auto& s : ctx.store().coached_smes(m.id)) smes += (smes.empty() ? "" : ", ") + s;
            rows.push_back({m.id, m.name, m.launchpad, smes.empty() ? "-" : smes});
        }
        std::cout << format_table(rows);
    });
}

void add_sme_assign_command(CLI::App& app, Context& ctx) {
    CLI::App* sme = app.get_subcommand("sme");
    struct Args {
        std::string sme, manager, country;
        std::vector<std::string> experts;
    };
    auto args = std::make_shared<Args>();
    auto* assign = sme->add_subcommand("assign", "Give an SME its account manager (own country's launchpad) and experts (the other one)");
    assign->add_option("--sme", args->sme, "SME id")->required();
    assign->add_option("--manager", args->manager, "Account manager id")->required();
    assign->add_option("--expert", args->experts, "An expert from the other launchpad (repeatable)");
    assign->add_option("--country", args->country, "The SME's home country, GB or FR (default: kept, else from its currency)");
    assign->callback([&ctx, args] {
        const Sme s = require_sme(ctx, args->sme);
        const auto old = ctx.store().get_coaching(args->sme);
        std::string country = args->country;
        if (country.empty()) country = old ? old->country : s.currency.str() == "EUR" ? "FR" : "GB";
        if (country != "GB" && country != "FR") throw CommandError("--country must be GB or FR, got '" + country + "'", 2);
        const Manager m = require_manager(ctx, args->manager, "--manager");
        if (m.launchpad != country)
            throw CommandError("--manager: '" + m.id + "' works at the " + m.launchpad + " launchpad; SME '" + s.id +
                                   "' is in " + country + " and needs an account manager of its own country's launchpad",
                               2);
        for (const auto& e : args->experts) {
            const Manager x = require_manager(ctx, e, "--expert");
            if (x.launchpad == country)
                throw CommandError("--expert: '" + x.id + "' is at the " + x.launchpad +
                                       " launchpad; experts come from the other launchpad",
                                   2);
        }
        Coaching c{s.id, country, m.id, args->experts, at_ms(""), old ? old->started_at_ms : 0};
        ctx.store().put_coaching(c);
        std::cout << "SME " << s.id << " (" << country << "): account manager " << m.id;
        for (const auto& e : args->experts) std::cout << ", expert " << e;
        std::cout << '\n';
    });
}

}  // namespace pcgd::host::cli
