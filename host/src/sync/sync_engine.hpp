// The sync engine: drives plugin instances through their jobs, performs their
// requests with retries and pacing, and commits their records page by page.
// Many shops run concurrently on one event loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "net/retry.hpp"
#include "plugin/loader.hpp"
#include "secrets/vault.hpp"
#include "store/store.hpp"

namespace pcgd::host {

struct SyncOptions {
    bool full = false;                  // ignore cursors and read everything
    std::vector<sdk::Dataset> datasets; // empty: every dataset the plugin offers
    net::RetryPolicy retry;             // for 429, 5xx and network errors
    std::uint32_t max_restarts = 6;     // consecutive restarts from a checkpoint before giving up
    std::uint32_t max_parallel_shops = 8;
    std::uint64_t rng_seed = 0;         // 0: seeded from the clock
    /// Stop after the first data page's response of each dataset and commit
    /// nothing: `shop check` uses this to probe access.
    bool probe_only = false;
    /// Set (from any thread) to stop: no new request starts, a page already
    /// received is committed, waits end early, and the dataset in progress is
    /// reported stopped with its cursor at the last checkpoint. Null: never.
    const std::atomic<bool>* stop_requested = nullptr;
    /// Request budgets carried over between runs (the service keeps one per
    /// seller account). Null: a fresh one for this run. The caller makes sure
    /// that only one run at a time uses it.
    net::RateLimiter* limiter = nullptr;
};

/// What happened to one dataset of one shop.
struct DatasetReport {
    sdk::Dataset dataset = sdk::Dataset::orders;
    bool ok = false;
    bool stopped = false;        // stopped on request (SyncOptions::stop_requested): not ok, but no error
    std::string error;           // empty when ok or stopped; secrets redacted
    std::int32_t error_code = 0; // PCGD_ERR_* from the plugin, or 0
    CommitStats stats;
    std::int64_t records = 0;    // records received (changed or not)
    std::int64_t pages = 0;      // checkpoints committed
    std::int64_t requests = 0;   // HTTP exchanges started
    std::int64_t retries = 0;    // exchanges repeated after 429, 5xx or network errors
    std::int64_t restarts = 0;   // restarts from the last checkpoint after a bad response
    std::int64_t waited_ms = 0;  // time spent waiting for rate limits and backoff
    std::int64_t duration_ms = 0;
    /// Exchanges by HTTP status of their response; 0: no response (network error).
    std::map<unsigned, std::int64_t> statuses;
    std::vector<std::string> warnings;  // the plugin's warnings, distinct, at most 20; secrets redacted
};

struct ShopReport {
    std::string shop_id;
    std::string platform;
    bool ok = false;
    bool stopped = false;  // the run was stopped on request before the shop was done
    std::string error;  // a shop-level failure (plugin missing, credentials unreadable)
    std::vector<DatasetReport> datasets;
};

/// Live progress, reported on the engine's thread.
struct ShopProgress {
    std::string shop_id;
    sdk::Dataset dataset = sdk::Dataset::orders;
    std::int64_t pages = 0;
    std::int64_t records = 0;
    std::int64_t waited_ms = 0;
    std::int64_t elapsed_ms = 0;
    bool waiting = false;  // currently paused for a rate limit or backoff
    bool finished = false;
};
using ProgressCallback = std::function<void(const ShopProgress&)>;

class SyncEngine {
public:
    SyncEngine(Store& store, const PluginRegistry& plugins, const Vault& vault, net::HttpClientOptions http_options)
        : store_(store), plugins_(plugins), vault_(vault), http_options_(std::move(http_options)) {}

    void on_progress(ProgressCallback callback) { progress_ = std::move(callback); }

    /// Runs one pass over `shops` and returns a report per shop, in order.
    /// Never throws for a shop's failure: it is in the report.
    std::vector<ShopReport> run(const std::vector<ShopRecord>& shops, const SyncOptions& options);

private:
    Store& store_;
    const PluginRegistry& plugins_;
    const Vault& vault_;
    net::HttpClientOptions http_options_;
    ProgressCallback progress_;
};

/// The settings JSON handed to a plugin's create: the shop's identity, its
/// base URL, its non-secret settings and its credentials. Throws
/// std::invalid_argument when settings_json is not a JSON object.
std::string plugin_settings_json(const ShopRecord& shop, const std::map<std::string, std::string>& credentials);

}  // namespace pcgd::host
