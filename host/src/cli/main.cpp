// pcgd: the command line of the PCGD host.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/context.hpp"
#include "log/log_format.hpp"

int main(int argc, char** argv) {
    using namespace pcgd::host::cli;
    Context ctx;
    CLI::App app{"PCGD - Plateforme de Controle de la Gestion des Donnees.\n"
                 "Connects SME shops on Shopify, Amazon, WooCommerce and eBay, syncs their data, and analyses it.",
                 "pcgd"};
    app.set_version_flag("--version", "pcgd 0.1.0 (plugin ABI 1.0, record schema 1)");
    app.require_subcommand(1);
    app.fallthrough();  // global options may also follow the command: `pcgd sync --store x.db`
    app.option_defaults()->always_capture_default();
    app.add_option("--config", ctx.config_file, "TOML configuration file (also $PCGD_CONFIG)");
    app.add_option("--store", ctx.store_path, "SQLite store file (overrides [store] path)");
    app.add_option("--plugin-dir", ctx.plugin_dir, "Directory of plugin libraries (overrides [plugins] dir)");
    app.add_option("--log-level", ctx.log_level, "debug, info, warn or error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
    app.add_option("--log-format", ctx.log_format, "text, or json: one JSON object a line (overrides [log] format)")
        ->check(CLI::IsMember({"text", "json"}));

    add_plugins_command(app, ctx);
    add_shop_command(app, ctx);
    add_sync_command(app, ctx);
    add_export_command(app, ctx);
    add_sme_command(app, ctx);
    add_rates_command(app, ctx);
    add_costs_command(app, ctx);
    add_report_command(app, ctx);
    add_manager_command(app, ctx);
    add_sme_assign_command(app, ctx);
    add_programme_command(app, ctx);
    add_session_command(app, ctx);
    add_obstacle_command(app, ctx);
    add_training_command(app, ctx);
    add_goal_command(app, ctx);
    add_plan_command(app, ctx);
    add_action_command(app, ctx);
    add_serve_command(app, ctx);
    add_token_command(app, ctx);

    // Logs go to stderr so that stdout stays clean for --json and exports.
    auto logger = spdlog::stderr_color_mt("pcgd");
    spdlog::set_default_logger(logger);
    // Secrets are redacted from every line, in either format (log/log_format.hpp).
    spdlog::set_formatter(pcgd::host::make_log_formatter(pcgd::host::LogFormat::text));

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11 says "A subcommand is required" for a misspelt command; name it.
        const auto extras = app.remaining();
        if (app.get_subcommands().empty() && !extras.empty()) {
            std::cerr << "pcgd: unknown command '" << extras.front() << "' (see `pcgd --help`)\n";
            return 2;
        }
        app.exit(e);
        return 2;
    } catch (const CommandError& e) {
        std::cerr << "pcgd: " << e.what() << '\n';
        return e.exit_code;
    } catch (const std::exception& e) {
        std::cerr << "pcgd: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
