#include "server/metrics.hpp"

namespace pcgd::host::server {

void Metrics::count_request(const std::string& route, unsigned status) {
    // Unmatched paths share one label: a scanner must not grow the map without bound.
    ++requests_[{route.empty() ? "unmatched" : route, status}];
}

std::string Metrics::render() const {
    std::string out =
        "# HELP pcgd_http_requests_total HTTP requests answered, by route pattern and status.\n"
        "# TYPE pcgd_http_requests_total counter\n";
    // Route patterns are ours ([a-z0-9/{}._]): nothing to escape in a label value.
    for (const auto& [key, n] : requests_)
        out += "pcgd_http_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
               std::to_string(n) + "\n";
    return out;
}

}  // namespace pcgd::host::server
