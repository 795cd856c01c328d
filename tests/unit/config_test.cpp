#include "config/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

using pcgd::host::Config;
using pcgd::host::load_config;

namespace {

std::filesystem::path write_config(const std::string& text) {
    const auto dir = std::filesystem::temp_directory_path() / ("pcgd-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "pcgd.toml";
    std::ofstream(file) << text;
    return file;
}

std::string error_of(const std::string& text) {
    try {
        (void)load_config(write_config(text), Config{});
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        return message.substr(message.find(':') + 1);  // drop the path, keep "line: what"
    }
    return "no error";
}

}  // namespace

TEST(Config, ReadsEverySetting) {
    const auto file = write_config(R"(
[store]
path = "data/pcgd.db"
[plugins]
dir = "/usr/lib/pcgd/plugins"
[secrets]
key_file = "/etc/pcgd/secret.key"
[http]
ca_file = "ca.pem"
connect_timeout_ms = 2000
timeout_ms = 30000
[sync]
max_parallel_shops = 4
max_attempts = 5
[log]
level = "debug"
)");
    const Config c = load_config(file, Config{});
    EXPECT_EQ(c.store_path, file.parent_path() / "data/pcgd.db");  // relative to the file
    EXPECT_EQ(c.plugin_dir, "/usr/lib/pcgd/plugins");
    EXPECT_EQ(c.key_file, "/etc/pcgd/secret.key");
    EXPECT_EQ(c.ca_file, (file.parent_path() / "ca.pem").string());
    EXPECT_EQ(c.connect_timeout_ms, 2000u);
    EXPECT_EQ(c.timeout_ms, 30000u);
    EXPECT_EQ(c.max_parallel_shops, 4u);
    EXPECT_EQ(c.max_attempts, 5u);
    EXPECT_EQ(c.log_level, "debug");
}

TEST(Config, MissingSettingsKeepTheirDefaults) {
    Config base;
    base.max_attempts = 9;
    const Config c = load_config(write_config("[log]\nlevel = \"info\"\n"), base);
    EXPECT_EQ(c.max_attempts, 9u);
    EXPECT_EQ(c.log_level, "info");
}

TEST(Config, ErrorsNameTheLineAndTheSetting) {
    EXPECT_EQ(error_of("[store]\npaht = \"x\"\n"), "2: unknown setting 'store.paht'");
    EXPECT_EQ(error_of("[stor]\npath = \"x\"\n"), "1: unknown section [stor]");
    EXPECT_EQ(error_of("[http]\ntimeout_ms = \"fast\"\n"), "2: 'http.timeout_ms' must be an integer");
    EXPECT_EQ(error_of("[http]\ntimeout_ms = 5\n"), "2: 'http.timeout_ms' must be between 100 and 3600000");
    EXPECT_EQ(error_of("[log]\nlevel = \"loud\"\n"),
              "2: 'log.level' must be one of debug, info, warn, error (got 'loud')");
    EXPECT_EQ(error_of("store = 3\n"), "1: 'store' must be a section ([store])");
    EXPECT_NE(error_of("[store\n").find("1:"), std::string::npos);
}

TEST(Config, TheExampleConfigLoads) {
    const Config c = load_config(PCGD_SOURCE_DIR "/config/pcgd.example.toml", Config{});
    EXPECT_EQ(c.store_path, "/var/lib/pcgd/pcgd.db");
    EXPECT_EQ(c.ca_file, "");  // empty means the system store, not a path
    EXPECT_EQ(c.log_level, "warn");
}

// The [analysis] and [fees.<platform>] sections.
TEST(AnalysisConfig, DefaultsAreDocumented) {
    const pcgd::host::Config c;
    EXPECT_EQ(c.analysis.flat_band_pct, 5u);
    EXPECT_EQ(c.analysis.window_days, 90u);
    EXPECT_EQ(c.analysis.weight_title + c.analysis.weight_description + c.analysis.weight_images +
                  c.analysis.weight_stock + c.analysis.weight_identifiers + c.analysis.weight_price,
              100u);
    EXPECT_TRUE(c.fees.empty());
}

TEST(AnalysisConfig, ReadsThresholdsAndFeeRules) {
    const auto c = pcgd::host::load_config(write_config(R"(
[analysis]
flat_band_pct = 3
window_days = 60
[fees.amazon]
percent = 15.3
fixed_minor = 25
[fees.ebay]
percent = 12
)"),
                                           pcgd::host::Config{});
    EXPECT_EQ(c.analysis.flat_band_pct, 3u);
    EXPECT_EQ(c.analysis.window_days, 60u);
    EXPECT_EQ(c.fees.at("amazon").percent_bp, 1530u);
    EXPECT_EQ(c.fees.at("amazon").fixed_minor, 25);
    EXPECT_EQ(c.fees.at("ebay").percent_bp, 1200u);
    EXPECT_EQ(c.fees.at("ebay").fixed_minor, 0);
}

TEST(AnalysisConfig, RefusesUnknownKeysAndBadValues) {
    EXPECT_EQ(error_of("[analysis]\nflat_band = 3\n"), "2: unknown setting 'analysis.flat_band'");
    EXPECT_EQ(error_of("[analysis]\nflat_band_pct = 300\n"), "2: 'analysis.flat_band_pct' must be between 0 and 100");
    EXPECT_EQ(error_of("[analysis]\nweight_title = 30\n"), "1: the [analysis] weight_* settings must add up to 100");
    EXPECT_EQ(error_of("[fees.amazon]\npercent = 150\n"), "2: 'fees.amazon.percent' must be between 0 and 100");
    EXPECT_EQ(error_of("[fees.amazon]\nfixed = 1\n"), "2: unknown setting 'fees.amazon.fixed' (percent, fixed_minor)");
    EXPECT_EQ(error_of("[fees.amazon]\nfixed_minor = 0.3\n"),
              "2: 'fees.amazon.fixed_minor' must be an integer (minor units)");
}

TEST(ServerConfig, ReadsTheServiceSectionAndKeepsDefaults) {
    const Config defaults;
    EXPECT_EQ(defaults.server.listen, "127.0.0.1:8080");
    EXPECT_EQ(defaults.server.max_body_bytes, 1048576u);
    EXPECT_EQ(defaults.server.max_header_bytes, 8192u);
    EXPECT_EQ(defaults.server.read_timeout_ms, 10000u);
    EXPECT_EQ(defaults.server.shutdown_timeout_ms, 10000u);
    const Config c =
        load_config(write_config("[server]\nlisten = \"0.0.0.0:9000\"\nmax_body_bytes = 4096\n"
                                 "max_header_bytes = 2048\nread_timeout_ms = 500\nshutdown_timeout_ms = 2500\n"),
                    Config{});
    EXPECT_EQ(c.server.listen, "0.0.0.0:9000");
    EXPECT_EQ(c.server.max_body_bytes, 4096u);
    EXPECT_EQ(c.server.max_header_bytes, 2048u);
    EXPECT_EQ(c.server.read_timeout_ms, 500u);
    EXPECT_EQ(c.server.shutdown_timeout_ms, 2500u);
    EXPECT_EQ(error_of("[server]\nlisten = 8080\n"), "2: 'server.listen' must be a string");
    EXPECT_EQ(error_of("[server]\nmax_header_bytes = 10\n"),
              "2: 'server.max_header_bytes' must be between 1024 and 1048576");
    EXPECT_EQ(error_of("[server]\nport = 1\n"), "2: unknown setting 'server.port'");
    EXPECT_EQ(defaults.server.worker_threads, 0u);
    EXPECT_EQ(defaults.server.public_url, "");
    const Config proxied =
        load_config(write_config("[server]\nworker_threads = 4\npublic_url = \"https://pcgd.example/\"\n"), Config{});
    EXPECT_EQ(proxied.server.worker_threads, 4u);
    EXPECT_EQ(proxied.server.public_url, "https://pcgd.example");  // the trailing slash dropped
    EXPECT_EQ(error_of("[server]\nworker_threads = 1000\n"), "2: 'server.worker_threads' must be between 0 and 256");
    EXPECT_EQ(error_of("[server]\npublic_url = \"pcgd.example\"\n"),
              "2: 'server.public_url' must be an http(s) URL without query or fragment, e.g. \"https://pcgd.example\"");
}

TEST(LogConfig, ReadsTheFormatAndRefusesOthers) {
    EXPECT_EQ(Config{}.log_format, "text");
    EXPECT_EQ(load_config(write_config("[log]\nformat = \"json\"\n"), Config{}).log_format, "json");
    EXPECT_EQ(error_of("[log]\nformat = \"yaml\"\n"), "2: 'log.format' must be text or json (got 'yaml')");
    EXPECT_EQ(error_of("[log]\nformat = 1\n"), "2: 'log.format' must be a string");
}

TEST(SchedulerConfig, ReadsTheSchedulerSectionAndKeepsDefaults) {
    const Config defaults;
    EXPECT_TRUE(defaults.scheduler.enabled);
    EXPECT_EQ(defaults.scheduler.interval_s, 900u);
    EXPECT_EQ(defaults.scheduler.jitter_pct, 10u);
    EXPECT_EQ(defaults.scheduler.max_concurrent, 2u);
    EXPECT_EQ(defaults.scheduler.backoff_max_s, 3600u);
    const Config c = load_config(write_config("[scheduler]\nenabled = false\ninterval_s = 60\njitter_pct = 0\n"
                                              "max_concurrent = 4\nbackoff_max_s = 600\n"),
                                 Config{});
    EXPECT_FALSE(c.scheduler.enabled);
    EXPECT_EQ(c.scheduler.interval_s, 60u);
    EXPECT_EQ(c.scheduler.jitter_pct, 0u);
    EXPECT_EQ(c.scheduler.max_concurrent, 4u);
    EXPECT_EQ(c.scheduler.backoff_max_s, 600u);
    EXPECT_EQ(error_of("[scheduler]\nenabled = 1\n"), "2: 'scheduler.enabled' must be true or false");
    EXPECT_EQ(error_of("[scheduler]\ninterval_s = 0\n"), "2: 'scheduler.interval_s' must be between 1 and 604800");
    EXPECT_EQ(error_of("[scheduler]\njitter_pct = 60\n"), "2: 'scheduler.jitter_pct' must be between 0 and 50");
    EXPECT_EQ(error_of("[scheduler]\nmax_concurrent = 0\n"), "2: 'scheduler.max_concurrent' must be between 1 and 64");
    EXPECT_EQ(error_of("[scheduler]\nbackoff_max_s = \"1h\"\n"), "2: 'scheduler.backoff_max_s' must be an integer");
    EXPECT_EQ(error_of("[scheduler]\ninterval = 60\n"), "2: unknown setting 'scheduler.interval'");
}
