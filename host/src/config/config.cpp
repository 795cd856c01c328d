#include "config/config.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

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
    const std::set<std::string> known_tables = {"store", "plugins", "secrets",   "http",     "sync",
                                                "log",   "server",  "scheduler", "analysis", "fees"};
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
            fail(file, v.source(),
                 "'" + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
        return static_cast<std::uint32_t>(n);
    };
    // Relative paths in a config file are relative to the file, not to the
    // working directory of whoever starts the service.
    const auto base = std::filesystem::absolute(file).parent_path();
    auto path_of = [&](const toml::node& v, const std::string& name) { return base / string_of(v, name); };

    visit("store", {"path"}, [&](const std::string&, const toml::node& v) { c.store_path = path_of(v, "store.path"); });
    visit("plugins", {"dir"},
          [&](const std::string&, const toml::node& v) { c.plugin_dir = path_of(v, "plugins.dir"); });
    visit("secrets", {"key_file"},
          [&](const std::string&, const toml::node& v) { c.key_file = path_of(v, "secrets.key_file"); });
    visit("http", {"ca_file", "connect_timeout_ms", "timeout_ms"}, [&](const std::string& k, const toml::node& v) {
        if (k == "ca_file")
            c.ca_file = string_of(v, "http.ca_file").empty() ? std::string() : path_of(v, "http.ca_file").string();
        if (k == "connect_timeout_ms") c.connect_timeout_ms = ms_of(v, "http.connect_timeout_ms", 100, 600000);
        if (k == "timeout_ms") c.timeout_ms = ms_of(v, "http.timeout_ms", 100, 3600000);
    });
    visit("sync", {"max_parallel_shops", "max_attempts"}, [&](const std::string& k, const toml::node& v) {
        if (k == "max_parallel_shops") c.max_parallel_shops = ms_of(v, "sync.max_parallel_shops", 1, 256);
        if (k == "max_attempts") c.max_attempts = ms_of(v, "sync.max_attempts", 1, 100);
    });
    visit("server",
          {"listen", "max_body_bytes", "max_header_bytes", "read_timeout_ms", "shutdown_timeout_ms", "worker_threads",
           "public_url"},
          [&](const std::string& k, const toml::node& v) {
              ServerConfig& s = c.server;
              if (k == "listen") s.listen = string_of(v, "server.listen");
              if (k == "max_body_bytes") s.max_body_bytes = ms_of(v, "server.max_body_bytes", 0, 1 << 30);
              if (k == "max_header_bytes") s.max_header_bytes = ms_of(v, "server.max_header_bytes", 1024, 1 << 20);
              if (k == "read_timeout_ms") s.read_timeout_ms = ms_of(v, "server.read_timeout_ms", 100, 3600000);
              if (k == "shutdown_timeout_ms")
                  s.shutdown_timeout_ms = ms_of(v, "server.shutdown_timeout_ms", 100, 3600000);
              if (k == "worker_threads") s.worker_threads = ms_of(v, "server.worker_threads", 0, 256);
              if (k == "public_url") {
                  s.public_url = string_of(v, "server.public_url");
                  while (!s.public_url.empty() && s.public_url.back() == '/') s.public_url.pop_back();
                  const bool web = s.public_url.rfind("https://", 0) == 0 || s.public_url.rfind("http://", 0) == 0;
                  if (!web || s.public_url.find_first_of("?# ") != std::string::npos)
                      fail(file, v.source(),
                           "'server.public_url' must be an http(s) URL without query or fragment, e.g. "
                           "\"https://pcgd.example\"");
              }
          });
    visit("scheduler", {"enabled", "interval_s", "jitter_pct", "max_concurrent", "backoff_max_s"},
          [&](const std::string& k, const toml::node& v) {
              SchedulerConfig& s = c.scheduler;
              if (k == "enabled") {
                  if (!v.is_boolean()) fail(file, v.source(), "'scheduler.enabled' must be true or false");
                  s.enabled = *v.value<bool>();
              }
              if (k == "interval_s") s.interval_s = ms_of(v, "scheduler.interval_s", 1, 7 * 86400);
              if (k == "jitter_pct") s.jitter_pct = ms_of(v, "scheduler.jitter_pct", 0, 50);
              if (k == "max_concurrent") s.max_concurrent = ms_of(v, "scheduler.max_concurrent", 1, 64);
              if (k == "backoff_max_s") s.backoff_max_s = ms_of(v, "scheduler.backoff_max_s", 1, 7 * 86400);
          });
    visit("log", {"level", "format"}, [&](const std::string& k, const toml::node& v) {
        if (k == "format") {
            const auto format = string_of(v, "log.format");
            if (format != "text" && format != "json")
                fail(file, v.source(), "'log.format' must be text or json (got '" + format + "')");
            c.log_format = format;
            return;
        }
        const auto level = string_of(v, "log.level");
        if (level != "debug" && level != "info" && level != "warn" && level != "error")
            fail(file, v.source(), "'log.level' must be one of debug, info, warn, error (got '" + level + "')");
        c.log_level = level;
    });
    {
        AnalysisConfig& a = c.analysis;
        const std::map<std::string, std::pair<std::uint32_t*, std::int64_t>> settings = {
            {"flat_band_pct", {&a.flat_band_pct, 100}},
            {"top_orders", {&a.top_orders, 1000}},
            {"weight_title", {&a.weight_title, 100}},
            {"weight_description", {&a.weight_description, 100}},
            {"weight_images", {&a.weight_images, 100}},
            {"weight_stock", {&a.weight_stock, 100}},
            {"weight_identifiers", {&a.weight_identifiers, 100}},
            {"weight_price", {&a.weight_price, 100}},
            {"min_description_chars", {&a.min_description_chars, 100000}},
            {"min_images", {&a.min_images, 100}},
            {"min_image_px", {&a.min_image_px, 100000}},
            {"target_active_products", {&a.target_active_products, 1000000}},
            {"weight_catalogue", {&a.weight_catalogue, 100}},
            {"best_sellers", {&a.best_sellers, 1000}},
            {"window_days", {&a.window_days, 3660}},
            {"strong_min_units", {&a.strong_min_units, 1000000}},
            {"strong_sell_through_pct", {&a.strong_sell_through_pct, 100}},
            {"good_min_units", {&a.good_min_units, 1000000}},
            {"good_sell_through_pct", {&a.good_sell_through_pct, 100}},
            {"rising_views_pct", {&a.rising_views_pct, 10000}},
            {"rate_max_age_days", {&a.rate_max_age_days, 366}},
        };
        std::set<std::string> keys;
        for (const auto& [k, _] : settings) keys.insert(k);
        visit("analysis", keys, [&](const std::string& k, const toml::node& v) {
            const auto& [target, max] = settings.at(k);
            *target = ms_of(v, "analysis." + k, 0, max);
        });
        if (a.weight_title + a.weight_description + a.weight_images + a.weight_stock + a.weight_identifiers +
                a.weight_price !=
            100)
            fail(file, root["analysis"].node()->source(), "the [analysis] weight_* settings must add up to 100");
    }
    if (const toml::table* fees = root["fees"].as_table()) {
        for (const auto& [platform_key, node] : *fees) {
            const std::string platform(platform_key.str());
            const toml::table* t = node.as_table();
            if (!t) fail(file, node.source(), "'fees." + platform + "' must be a section ([fees." + platform + "])");
            FeeRule rule;
            for (const auto& [key, value] : *t) {
                const std::string k(key.str()), name = "fees." + platform + "." + k;
                if (k == "percent") {
                    if (!value.is_number()) fail(file, value.source(), "'" + name + "' must be a number");
                    const double pct = *value.value<double>();
                    if (pct < 0 || pct > 100) fail(file, value.source(), "'" + name + "' must be between 0 and 100");
                    // Hundredths of a percent: the fee itself is then integer arithmetic.
                    rule.percent_bp = static_cast<std::uint32_t>(pct * 100 + 0.5);
                } else if (k == "fixed_minor") {
                    if (!value.is_integer())
                        fail(file, value.source(), "'" + name + "' must be an integer (minor units)");
                    rule.fixed_minor = *value.value<std::int64_t>();
                    if (rule.fixed_minor < 0) fail(file, value.source(), "'" + name + "' must not be negative");
                } else {
                    fail(file, value.source(), "unknown setting '" + name + "' (percent, fixed_minor)");
                }
            }
            c.fees[platform] = rule;
        }
    }
    return c;
}

}  // namespace pcgd::host
