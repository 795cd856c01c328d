#include "cli/context.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "log/log_format.hpp"

namespace pcgd::host::cli {

Config Context::read_config() {
    Config c = default_config();
    if (const char* env = std::getenv("PCGD_CONFIG"); config_file.empty() && env && *env) config_file = env;
    if (!config_file.empty()) {
        if (!std::filesystem::exists(config_file)) throw CommandError("config file '" + config_file + "' does not exist", 2);
        c = load_config(config_file, c);
    }
    if (!store_path.empty()) c.store_path = store_path;
    if (!plugin_dir.empty()) c.plugin_dir = plugin_dir;
    if (!log_level.empty()) c.log_level = log_level;
    if (!log_format.empty()) c.log_format = log_format;
    return c;
}

const Config& Context::config() {
    if (!config_) {
        config_ = read_config();
        spdlog::set_level(spdlog::level::from_str(config_->log_level));
        spdlog::set_formatter(make_log_formatter(parse_log_format(config_->log_format)));
    }
    return *config_;
}

Store& Context::store() {
    if (!store_) {
        const auto path = config().store_path;
        if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
        store_ = open_sqlite_store(path.string());
    }
    return *store_;
}

PluginRegistry& Context::plugins() {
    if (!plugins_) {
        plugins_.emplace();
        const auto dir = config().plugin_dir;
        if (!std::filesystem::is_directory(dir))
            throw CommandError("plugin directory '" + dir.string() + "' does not exist (set --plugin-dir or [plugins] dir)");
        plugins_->load_directory(dir);
    }
    return *plugins_;
}

const Vault& Context::vault() {
    if (!vault_) vault_ = Vault::from_environment_or_file(config().key_file.string());
    return *vault_;
}

}  // namespace pcgd::host::cli
