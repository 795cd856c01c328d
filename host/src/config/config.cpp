#include "config/config.hpp"

#include <cstdlib>
#include <set>
#include <stdexcept>
#include <unistd.h>

#include <toml++/toml.h>

namespace pcgd::host {
namespace {

std::filesystem::path home_dir() {
    if (const char* h = std::getenv("HOME"); h && *h) return h;
    return "/tmp";
}

std::filesystem::path xdg(const char* variable, const char* fallback) {
    if (const char* v = std::getenv(variable); v && *v) return v;
    return home_dir() / fallback;
}

std::filesystem::path executable_dir() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::current_path() : exe.parent_path();
}

[[noreturn]] void fail(const std::filesystem::path& file, const toml::source_region& where, const std::string& what) {
    throw std::runtime_error(file.string() + ":" + std::to_string(where.begin.line) + ": " + what);
}

}  // namespace

Config default_config() {
    Config c;
    c.store_path = xdg("XDG_DATA_HOME", ".local/share") / "pcgd" / "pcgd.db";
    c.key_file = xdg("XDG_CONFIG_HOME", ".config") / "pcgd" / "secret.key";
    const auto exe = executable_dir();
    c.plugin_dir = exe.parent_path() / "plugins";
    if (!std::filesystem::is_directory(c.plugin_dir)) c.plugin_dir = exe.parent_path() / "lib" / "pcgd" / "plugins";
    return c;
}

Config load_config(const std::filesystem::path& file, Config c) {
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        fail(file, e.source(), std::string(e.description()));
    }
    const std::set<std::string> known_tables = {"store", "plugins", "secrets", "http", "sync", "log"};
    for (const auto& [table_name, node] : root) {
        const std::string name(table_name.str());
        if (!known_tables.count(name)) fail(file, node.source(), "unknown section [" + name + "]");
        if (!node.is_table()) fail(file, node.source(), "'" + name + "' must be a section ([" + name + "])");
    }
    auto visit = [&](const char* table, const std::set<std::string>& keys, auto&& apply) {
        const toml::table* t = root[table].as_table();
        if (!t) return;
        for (const auto& [key, value] : *t) {
            const std::string k(key.str());
            if (!keys.count(k)) fail(file, value.source(), std::string("unknown setting '") + table + "." + k + "'");
            apply(k, value);
        }
    };
    auto string_of = [&](const toml::node& v, const std::string& name) {
        if (!v.is_string()) fail(file, v.source(), "'" + name + "' must be a string");
        return std::string(*v.value<std::string>());
    };
    auto ms_of = [&](const toml::node& v, const std::string& name, std::int64_t min, std::int64_t max) {
        if (!v.is_integer()) fail(file, v.source(), "'" + name + "' must be an integer");
        const std::int64_t n = *v.value<std::int64_t>();
        if (n < min || n > max)
            fail(file, v.source(), "'" + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
        return static_cast<std::uint32_t>(n);
    };
    // Relative paths in a config file are relative to the file, not to the
    // working directory of whoever starts the service.
    const auto base = std::filesystem::absolute(file).parent_path();
    auto path_of = [&](const toml::node& v, const std::string& name) { return base / string_of(v, name); };

    visit("store", {"path"}, [&](const std::string&, const toml::node& v) { c.store_path = path_of(v, "store.path"); });
    visit("plugins", {"dir"}, [&](const std::string&, const toml::node& v) { c.plugin_dir = path_of(v, "plugins.dir"); });
    visit("secrets", {"key_file"}, [&](const std::string&, const toml::node& v) { c.key_file = path_of(v, "secrets.key_file"); });
    visit("http", {"ca_file", "connect_timeout_ms", "timeout_ms"}, [&](const std::string& k, const toml::node& v) {
        if (k == "ca_file") c.ca_file = string_of(v, "http.ca_file").empty() ? std::string() : path_of(v, "http.ca_file").string();
        if (k == "connect_timeout_ms") c.connect_timeout_ms = ms_of(v, "http.connect_timeout_ms", 100, 600000);
        if (k == "timeout_ms") c.timeout_ms = ms_of(v, "http.timeout_ms", 100, 3600000);
    });
    visit("sync", {"max_parallel_shops", "max_attempts"}, [&](const std::string& k, const toml::node& v) {
        if (k == "max_parallel_shops") c.max_parallel_shops = ms_of(v, "sync.max_parallel_shops", 1, 256);
        if (k == "max_attempts") c.max_attempts = ms_of(v, "sync.max_attempts", 1, 100);
    });
    visit("log", {"level"}, [&](const std::string&, const toml::node& v) {
        const auto level = string_of(v, "log.level");
        if (level != "debug" && level != "info" && level != "warn" && level != "error")
            fail(file, v.source(), "'log.level' must be one of debug, info, warn, error (got '" + level + "')");
        c.log_level = level;
    });
    return c;
}

}  // namespace pcgd::host
