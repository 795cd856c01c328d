#include "server/metrics.hpp"

#include <cstdio>

namespace pcgd::host::server {

namespace {

// Label values: route patterns, platform and dataset names are ours, but a
// shop id is a user's: escape it as the format requires.
std::string label(std::string_view value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

void header(std::string& out, const char* name, const char* help, const char* type) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

void Metrics::count_request(const std::string& route, unsigned status) {
    std::lock_guard lock(mutex_);
    // Unmatched paths share one label: a scanner must not grow the map without bound.
    ++requests_[{route.empty() ? "unmatched" : route, status}];
}

void Metrics::count_sync(const ShopReport& report) {
    std::lock_guard lock(mutex_);
    const std::string& platform = report.platform;
    std::uint64_t errors = report.error.empty() ? 0 : 1;
    for (const auto& d : report.datasets) {
        for (const auto& [status, n] : d.statuses)
            platform_requests_[{platform, status == 0 ? std::string("error") : std::to_string(status)}] +=
                static_cast<std::uint64_t>(n);
        records_[{platform, sdk::to_string(d.dataset)}] += static_cast<std::uint64_t>(d.records);
        waited_ms_[platform] += d.waited_ms;
        errors += !d.ok && !d.stopped;
    }
    if (errors) sync_errors_[platform] += errors;
}

void Metrics::set_sync_lag(std::function<std::map<std::string, double>()> source) {
    std::lock_guard lock(mutex_);
    sync_lag_ = std::move(source);
}

std::string Metrics::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    header(out, "pcgd_http_requests_total", "HTTP requests answered, by route pattern and status.", "counter");
    for (const auto& [key, n] : requests_)
        out += "pcgd_http_requests_total{route=\"" + label(key.first) + "\",status=\"" + std::to_string(key.second) +
               "\"} " + std::to_string(n) + "\n";
    if (platform_requests_.empty() && records_.empty() && !sync_lag_) return out;
    header(out, "pcgd_platform_requests_total",
           "Requests of syncs to the platforms, by platform and response status (error: no response).", "counter");
    for (const auto& [key, n] : platform_requests_)
        out += "pcgd_platform_requests_total{platform=\"" + label(key.first) + "\",status=\"" + key.second + "\"} " +
               std::to_string(n) + "\n";
    header(out, "pcgd_sync_records_total", "Records received by syncs, by platform and dataset.", "counter");
    for (const auto& [key, n] : records_)
        out += "pcgd_sync_records_total{platform=\"" + label(key.first) + "\",dataset=\"" + key.second + "\"} " +
               std::to_string(n) + "\n";
    header(out, "pcgd_rate_limit_wait_seconds_total",
           "Time syncs waited for rate limits and retry backoff, by platform.", "counter");
    for (const auto& [platform, ms] : waited_ms_)
        out += "pcgd_rate_limit_wait_seconds_total{platform=\"" + label(platform) + "\"} " +
               number(static_cast<double>(ms) / 1000.0) + "\n";
    header(out, "pcgd_sync_errors_total", "Failed datasets (and shops that could not start), by platform.", "counter");
    for (const auto& [platform, n] : sync_errors_)
        out += "pcgd_sync_errors_total{platform=\"" + label(platform) + "\"} " + std::to_string(n) + "\n";
    header(out, "pcgd_sync_lag_seconds", "Seconds since each shop's last successful sync.", "gauge");
    if (sync_lag_)
        for (const auto& [shop, seconds] : sync_lag_())
            out += "pcgd_sync_lag_seconds{shop=\"" + label(shop) + "\"} " + number(seconds) + "\n";
    return out;
}

}  // namespace pcgd::host::server
