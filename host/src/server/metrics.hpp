// Counters of the service, in the Prometheus text exposition format.
// THREAD: every member may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "sync/sync_engine.hpp"

namespace pcgd::host::server {

class Metrics {
public:
    /// One answered request; `route` is the route pattern ("" when none matched).
    void count_request(const std::string& route, unsigned status);
    /// A finished sync: its requests by platform and status, its records,
    /// its rate-limit and backoff waits and its errors.
    void count_sync(const ShopReport& report);
    /// The lag gauge's source: seconds since each shop's last success (shops
    /// that never succeeded are left out). Called while rendering.
    void set_sync_lag(std::function<std::map<std::string, double>()> source);
    /// The exposition text (version 0.0.4).
    std::string render() const;

private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> platform_requests_;  // platform, status
    std::map<std::pair<std::string, std::string>, std::uint64_t> records_;            // platform, dataset
    std::map<std::string, std::int64_t> waited_ms_;                                   // platform
    std::map<std::string, std::uint64_t> sync_errors_;                                // platform
    std::function<std::map<std::string, double>()> sync_lag_;
};

}  // namespace pcgd::host::server
