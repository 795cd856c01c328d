// Deterministic fault injection for data routes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pcgd::emulator {

enum class FaultKind {
    none,
    rate_limit,     // "429": 429 with Retry-After
    server_error,   // "5xx": 500, 502 or 503
    slow,           // "slow": answer after --slow-ms
    drop,           // "drop": close without answering
    truncate,       // "truncate": full Content-Length announced, part of the body sent
    malformed,      // "malformed": valid HTTP, broken JSON
    expired_token,  // "expired-token": 401 as the platform answers it
};

/// The names used by --faults and in the stats.
const char* to_string(FaultKind kind) noexcept;
std::vector<FaultKind> all_fault_kinds();

struct FaultSpec {
    FaultKind kind = FaultKind::none;
    std::uint32_t ppm = 0;  // probability in parts per million
};

/// Parses "429:0.2,5xx:0.1"; throws std::invalid_argument naming the bad item.
std::vector<FaultSpec> parse_faults(std::string_view list);

/// Decides which fault, if any, hits data request number `n`.
///
/// The draw depends only on the seed and the request counter. A route whose
/// previous request was faulted is never faulted again, so a client that
/// retries always gets through. To keep the overall rate of each kind equal
/// to the one asked for despite that rule, the draw on an eligible request
/// is scaled by 1 / (1 - total): exact while the total is below 50%, and
/// saturating at every other request above it.
class FaultPlan {
public:
    FaultPlan() = default;
    FaultPlan(std::vector<FaultSpec> specs, std::uint64_t seed);

    FaultKind decide(std::uint64_t request_no, const std::string& route);
    /// A second deterministic number for the request (which 5xx, ...).
    std::uint64_t detail(std::uint64_t request_no) const noexcept;
    bool empty() const noexcept { return specs_.empty(); }

private:
    std::vector<FaultSpec> specs_;
    std::vector<std::uint64_t> cumulative_;  // scaled thresholds, out of 1e12
    std::uint64_t seed_ = 0;
    std::map<std::string, bool> last_faulted_;
};

}  // namespace pcgd::emulator
