#include "cli/context.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

namespace pcgd::host::cli {

const Config& Context::config() {
    if (!config_) {
        Config c = default_config();
        if (const char* env = std::getenv("PCGD_CONFIG"); config_file.empty() && env && *env) config_file = env;
        if (!config_file.empty()) {
            if (!std::filesystem::exists(config_file)) throw CommandError("config file '" + config_file + "' does not exist", 2);
            c = load_config(config_file, c);
        }
        if (!store_path.empty()) c.store_path = store_path;
        if (!plugin_dir.empty()) c.plugin_dir = plugin_dir;
        if (!log_level.empty()) c.log_level = log_level;
        config_ = c;
        spdlog::set_level(spdlog::level::from_str(c.log_level));
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

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
    auto width = [](const std::string& s) {
        std::size_t w = 0;
        for (unsigned char c : s) w += (c & 0xC0) != 0x80;  // count code points, not bytes
        return w;
    };
    std::vector<std::size_t> widths;
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (widths.size() <= i) widths.push_back(0);
            widths[i] = std::max(widths[i], width(row[i]));
        }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(widths[i] - width(row[i]) + 2, ' ');
        }
        out += line + '\n';
    }
    return out;
}

}  // namespace pcgd::host::cli
