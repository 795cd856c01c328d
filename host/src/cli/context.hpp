// What every command shares: the global options and the services they open
// on demand (a command that needs no store does not create one).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "plugin/loader.hpp"
#include "secrets/vault.hpp"
#include "store/store.hpp"
#include "util/text_table.hpp"

namespace CLI {
class App;
}

namespace pcgd::host::cli {

/// A user-facing failure: printed as "pcgd: <message>" with this exit code.
struct CommandError : std::runtime_error {
    CommandError(const std::string& message, int exit_code = 1) : std::runtime_error(message), exit_code(exit_code) {}
    int exit_code;
};

class Context {
public:
    // Global flags, as parsed.
    std::string config_file;
    std::string store_path;
    std::string plugin_dir;
    std::string log_level;
    std::string log_format;

    const Config& config();
    /// Reads the configuration afresh (file, then the global flags over it),
    /// as config() did the first time: `serve` calls it again on SIGHUP.
    /// Throws CommandError or std::runtime_error naming what is wrong.
    Config read_config();
    Store& store();
    PluginRegistry& plugins();
    const Vault& vault();

private:
    std::optional<Config> config_;
    std::unique_ptr<Store> store_;
    std::optional<PluginRegistry> plugins_;
    std::optional<Vault> vault_;
};

void add_plugins_command(CLI::App& app, Context& ctx);
void add_shop_command(CLI::App& app, Context& ctx);
void add_sync_command(CLI::App& app, Context& ctx);
void add_export_command(CLI::App& app, Context& ctx);
void add_sme_command(CLI::App& app, Context& ctx);
void add_rates_command(CLI::App& app, Context& ctx);
void add_costs_command(CLI::App& app, Context& ctx);
void add_report_command(CLI::App& app, Context& ctx);
// The coaching programme (coaching_*.cpp).
void add_manager_command(CLI::App& app, Context& ctx);
void add_sme_assign_command(CLI::App& app, Context& ctx);  // after add_sme_command
void add_programme_command(CLI::App& app, Context& ctx);
void add_session_command(CLI::App& app, Context& ctx);
void add_obstacle_command(CLI::App& app, Context& ctx);
void add_training_command(CLI::App& app, Context& ctx);
void add_goal_command(CLI::App& app, Context& ctx);
void add_plan_command(CLI::App& app, Context& ctx);
void add_action_command(CLI::App& app, Context& ctx);
// The service (serve_command.cpp).
void add_serve_command(CLI::App& app, Context& ctx);
void add_token_command(CLI::App& app, Context& ctx);

using host::format_table;

}  // namespace pcgd::host::cli
