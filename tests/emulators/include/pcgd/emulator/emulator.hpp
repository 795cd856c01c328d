// The emulator core: a platform module plus fault injection, latency,
// admin routes and stats. Transport-free: the server (or a test) hands it
// Requests and delivers the Outcomes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <pcgd/emulator/faults.hpp>
#include <pcgd/emulator/generator.hpp>
#include <pcgd/emulator/http.hpp>
#include <pcgd/emulator/platform.hpp>

namespace pcgd::emulator {

struct EmulatorOptions {
    std::string platform = "testshop";
    GeneratorOptions generator;
    ModuleOptions module;
    std::vector<FaultSpec> faults;
    std::uint32_t slow_ms = 5000;    // delay of a "slow" fault
    std::uint32_t latency_ms = 0;    // added to every data response
    int retry_after_s = 1;           // Retry-After of an injected 429
};

class Emulator {
public:
    /// Generates the data and builds the module; throws std::invalid_argument.
    explicit Emulator(EmulatorOptions options);

    /// Not thread-safe: the server is single-threaded by design.
    Outcome dispatch(const Request& request);

    std::string summary_json() const { return module_->ground_truth(); }
    std::string stats_json() const;
    PlatformModule& module() noexcept { return *module_; }
    const EmulatorOptions& options() const noexcept { return options_; }

private:
    Outcome admin(const Request& request);
    void count(const std::string& route, const std::string& status);

    EmulatorOptions options_;
    ShopData data_;
    std::unique_ptr<PlatformModule> module_;
    FaultPlan faults_;
    std::uint64_t data_requests_ = 0;
    std::uint64_t requests_ = 0;
    std::map<std::string, std::map<std::string, std::uint64_t>> by_route_;  // route -> status -> count
    std::map<std::string, std::uint64_t> faults_by_kind_;
    // Routes whose last data request was refused for an expired token: the
    // next one carries the token granted since, which a platform accepts.
    std::set<std::string> token_just_expired_;
};

}  // namespace pcgd::emulator
