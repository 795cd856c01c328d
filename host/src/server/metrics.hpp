// Counters of the service, in the Prometheus text exposition format.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace pcgd::host::server {

class Metrics {
public:
    /// One answered request; `route` is the route pattern ("" when none matched).
    void count_request(const std::string& route, unsigned status);
    /// The exposition text (version 0.0.4).
    std::string render() const;

private:
    std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
};

}  // namespace pcgd::host::server
