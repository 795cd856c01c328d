#include <pcgd/emulator/faults.hpp>

#include <pcgd/emulator/generator.hpp>

#include <charconv>
#include <stdexcept>

namespace pcgd::emulator {

const char* to_string(FaultKind kind) noexcept {
    switch (kind) {
    case FaultKind::none: return "none";
    case FaultKind::rate_limit: return "429";
    case FaultKind::server_error: return "5xx";
    case FaultKind::slow: return "slow";
    case FaultKind::drop: return "drop";
    case FaultKind::truncate: return "truncate";
    case FaultKind::malformed: return "malformed";
    case FaultKind::expired_token: return "expired-token";
    }
    return "none";
}

std::vector<FaultKind> all_fault_kinds() {
    return {FaultKind::rate_limit, FaultKind::server_error, FaultKind::slow,         FaultKind::drop,
            FaultKind::truncate,   FaultKind::malformed,    FaultKind::expired_token};
}

namespace {
/// "0.05" -> 50000 ppm, without floating point so every platform agrees.
bool parse_probability_ppm(std::string_view s, std::uint32_t& ppm) {
    std::uint64_t whole = 0, frac = 0;
    int frac_digits = 0;
    std::size_t i = 0;
    bool any = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, any = true) whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (whole > 1) return false;
    if (i < s.size() && s[i] == '.') {
        for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, any = true)
            if (frac_digits < 6) frac = frac * 10 + static_cast<std::uint64_t>(s[i] - '0'), ++frac_digits;
    }
    if (!any || i != s.size()) return false;
    for (; frac_digits < 6; ++frac_digits) frac *= 10;
    const std::uint64_t v = whole * 1'000'000 + frac;
    if (v > 1'000'000) return false;
    ppm = static_cast<std::uint32_t>(v);
    return true;
}
}  // namespace

std::vector<FaultSpec> parse_faults(std::string_view list) {
    std::vector<FaultSpec> out;
    std::uint64_t total = 0;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (item.empty()) continue;
        const auto colon = item.find(':');
        if (colon == std::string_view::npos)
            throw std::invalid_argument("--faults: '" + std::string(item) + "' is not KIND:PROBABILITY");
        const std::string_view name = item.substr(0, colon);
        FaultSpec spec;
        for (FaultKind k : all_fault_kinds())
            if (name == to_string(k)) spec.kind = k;
        if (spec.kind == FaultKind::none)
            throw std::invalid_argument("--faults: unknown fault kind '" + std::string(name) +
                                        "' (known: 429, 5xx, slow, drop, truncate, malformed, expired-token)");
        if (!parse_probability_ppm(item.substr(colon + 1), spec.ppm))
            throw std::invalid_argument("--faults: probability of '" + std::string(name) + "' must be a number in [0, 1], got '" +
                                        std::string(item.substr(colon + 1)) + "'");
        for (const auto& s : out)
            if (s.kind == spec.kind) throw std::invalid_argument("--faults: '" + std::string(name) + "' given twice");
        total += spec.ppm;
        out.push_back(spec);
    }
    if (total > 1'000'000) throw std::invalid_argument("--faults: probabilities add up to more than 1");
    return out;
}

FaultPlan::FaultPlan(std::vector<FaultSpec> specs, std::uint64_t seed) : specs_(std::move(specs)), seed_(seed) {
    std::uint64_t total_ppm = 0;
    for (const auto& s : specs_) total_ppm += s.ppm;
    // Eligible-request probability q = P / (1 - P), capped at 1; each kind keeps its share of q.
    // Everything in units of 1e-12 to stay in integers.
    const std::uint64_t q_pico =
        total_ppm >= 500'000 ? 1'000'000'000'000ull : total_ppm * 1'000'000'000'000ull / (1'000'000 - total_ppm);
    std::uint64_t acc = 0;
    for (const auto& s : specs_) {
        acc += total_ppm ? q_pico * s.ppm / total_ppm : 0;  // <= 1e12 * 1e6: fits
        cumulative_.push_back(acc);
    }
}

std::uint64_t FaultPlan::detail(std::uint64_t request_no) const noexcept {
    return mix64(mix64(seed_ ^ 0xFA17u) ^ (request_no * 2 + 1));
}

FaultKind FaultPlan::decide(std::uint64_t request_no, const std::string& route) {
    if (specs_.empty()) return FaultKind::none;
    bool& last = last_faulted_[route];
    if (last) {
        last = false;
        return FaultKind::none;
    }
    const std::uint64_t u = mix64(mix64(seed_ ^ 0xFA17u) ^ (request_no * 2)) % 1'000'000'000'000ull;
    for (std::size_t i = 0; i < specs_.size(); ++i)
        if (u < cumulative_[i]) {
            last = true;
            return specs_[i].kind;
        }
    return FaultKind::none;
}

}  // namespace pcgd::emulator
