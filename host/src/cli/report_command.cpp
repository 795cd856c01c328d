// `pcgd report {quality,opportunities,planning,growth}`.
#include <chrono>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "analysis/tools.hpp"
#include "cli/context.hpp"

namespace pcgd::host::cli {

void add_report_command(CLI::App& app, Context& ctx) {
    struct Args {
        std::string tool, sme, shop, month, currency, format = "text", lang;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("report", "Run one of the four PCGD tools for an SME or a shop");
    cmd->add_option("tool", args->tool, "quality, opportunities, planning or growth")
        ->required()
        ->check(CLI::IsMember({"quality", "opportunities", "planning", "growth"}));
    cmd->add_option("--sme", args->sme, "SME id (all its shops)");
    cmd->add_option("--shop", args->shop, "One shop");
    cmd->add_option("--month", args->month, "YYYY-MM (default: the last full month)");
    cmd->add_option("--currency", args->currency, "Reporting currency (default: the SME's)");
    cmd->add_option("--format", args->format, "text, json or csv")->check(CLI::IsMember({"text", "json", "csv"}))->capture_default_str();
    cmd->add_option("--lang", args->lang, "en or fr (default: the SME's)")->check(CLI::IsMember({"en", "fr"}));
    cmd->callback([&ctx, args] {
        analysis::ReportRequest request;
        request.sme_id = args->sme;
        request.shop_id = args->shop;
        if (!args->month.empty()) {
            request.month = analysis::Month::parse(args->month);
            if (!request.month) throw CommandError("--month must be YYYY-MM, got '" + args->month + "'", 2);
        }
        if (!args->currency.empty()) {
            request.currency = model::Currency::parse(args->currency);
            if (!request.currency) throw CommandError("--currency must be an ISO 4217 code such as GBP or EUR, got '" + args->currency + "'", 2);
        }
        if (!args->lang.empty()) request.lang = args->lang == "fr" ? analysis::Lang::fr : analysis::Lang::en;
        request.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        const auto format = args->format == "json" ? analysis::Format::json : args->format == "csv" ? analysis::Format::csv : analysis::Format::text;
        try {
            Store& store = ctx.store();
            const Config& config = ctx.config();
            const analysis::Scope scope = analysis::resolve_scope(store, request);
            const analysis::Report report = analysis::run_tool(args->tool, store, config, scope);
            // Rendered whole before printing: a failed report prints nothing.
            std::ostringstream out;
            analysis::render(report, format, scope.lang, out);
            std::cout << out.str();
        } catch (const analysis::InputError& e) {
            throw CommandError(e.what(), 2);
        } catch (const analysis::MissingRate& e) {
            throw CommandError(e.what(), 2);
        }
    });
}

}  // namespace pcgd::host::cli
