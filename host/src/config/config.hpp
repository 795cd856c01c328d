// The host's configuration: a TOML file, overridden by command-line flags.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace pcgd::host {

/// Thresholds and weights of the four tools ([analysis]); see docs/analysis.md.
struct AnalysisConfig {
    // Planning
    std::uint32_t flat_band_pct = 5;         // |change| within this is "about the same"
    // Growth
    std::uint32_t top_orders = 10;           // how many most profitable orders are flagged
    // Quality: points each factor can take off a product's 100
    std::uint32_t weight_title = 25, weight_description = 20, weight_images = 20, weight_stock = 15,
                  weight_identifiers = 10, weight_price = 10;
    std::uint32_t min_description_chars = 150;
    std::uint32_t min_images = 3;
    std::uint32_t min_image_px = 1000;
    std::uint32_t target_active_products = 20;  // the shop score's catalogue factor is full from here
    std::uint32_t weight_catalogue = 10;        // share (of 100) of the shop score given to catalogue size
    std::uint32_t best_sellers = 10;            // best sellers whose title terms are suggested
    // Opportunities
    std::uint32_t window_days = 90;
    std::uint32_t strong_min_units = 10;
    std::uint32_t strong_sell_through_pct = 60;
    std::uint32_t good_min_units = 3;
    std::uint32_t good_sell_through_pct = 40;
    std::uint32_t rising_views_pct = 20;        // second half of the window over the first
    // Exchange
    std::uint32_t rate_max_age_days = 7;        // use the last rate up to this many days before
};

/// An estimated fee for orders whose platform reports none ([fees.<platform>]).
struct FeeRule {
    std::uint32_t percent_bp = 0;  // of the order's sales excluding tax, in hundredths of a percent
    std::int64_t fixed_minor = 0;  // per order, in the order's currency
};

/// The HTTP service of `pcgd serve` ([server]); see docs/service.md.
struct ServerConfig {
    std::string listen = "127.0.0.1:8080";     // HOST:PORT; port 0 picks a free one
    std::uint32_t max_body_bytes = 1 << 20;    // larger bodies: 413
    std::uint32_t max_header_bytes = 8 << 10;  // larger headers: 431
    std::uint32_t read_timeout_ms = 10000;     // a request not read whole by then: 408, connection closed
    std::uint32_t shutdown_timeout_ms = 10000; // SIGTERM: in-flight requests get this long
    std::uint32_t worker_threads = 0;          // threads that answer the store-reading routes; 0: one per core
    std::string public_url;                    // the service as browsers reach it (connect callbacks); '': from Host
};

/// The sync scheduler of `pcgd serve` ([scheduler]); see docs/service.md.
struct SchedulerConfig {
    bool enabled = true;                // false: syncs run only when asked for (API, webhooks)
    std::uint32_t interval_s = 900;     // between a shop's successful syncs
    std::uint32_t jitter_pct = 10;      // each delay is spread by up to this share, either way
    std::uint32_t max_concurrent = 2;   // shops syncing at once
    std::uint32_t backoff_max_s = 3600; // the cap of a failing shop's exponential backoff
};

struct Config {
    std::filesystem::path store_path;     // [store] path
    std::filesystem::path plugin_dir;     // [plugins] dir
    std::filesystem::path key_file;       // [secrets] key_file
    std::string ca_file;                  // [http] ca_file: extra trust anchors
    std::uint32_t connect_timeout_ms = 10000;  // [http] connect_timeout_ms
    std::uint32_t timeout_ms = 60000;          // [http] timeout_ms
    std::uint32_t max_parallel_shops = 8;      // [sync] max_parallel_shops
    std::uint32_t max_attempts = 8;            // [sync] max_attempts
    std::string log_level = "warn";            // [log] level: debug, info, warn, error
    std::string log_format = "text";           // [log] format: text, or json (JSON Lines)
    ServerConfig server;                       // [server]
    SchedulerConfig scheduler;                 // [scheduler]
    AnalysisConfig analysis;                   // [analysis]
    std::map<std::string, FeeRule> fees;       // [fees.<platform>]
};

/// Defaults for a user's own machine: the store and key under the XDG data
/// and config homes, plugins beside the executable (../plugins, then
/// ../lib/pcgd/plugins).
Config default_config();

/// Reads a TOML file over `base`. Throws std::runtime_error naming the file,
/// the line and what is wrong; unknown tables and keys are errors, so a
/// misspelt setting never passes silently.
Config load_config(const std::filesystem::path& file, Config base);

}  // namespace pcgd::host
