// Exchange rates: a dated table the user imports, exact conversion.
//
// A rate is kept as the decimal the user imported ("0.8512" = 8512 / 10^4),
// so a conversion is one rational multiplication in 128-bit integers,
// rounded half-even once: amount_to = amount_from x rate. The rate of a day
// is that day's, else the latest of the `max_age_days` before it (ECB
// publishes none at weekends). A pair is found directly, as the inverse of
// the opposite pair, or across EUR (ECB rates are all quoted from EUR).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <pcgd/model/money.hpp>

#include "store/store.hpp"

namespace pcgd::analysis {

/// Rounds num/den to the nearest integer, ties to even. den != 0.
std::int64_t round_half_even(__int128 num, __int128 den);

/// A positive decimal as num / 10^scale.
struct DecimalRate {
    std::int64_t num = 0;
    int scale = 0;
    /// "0.8512", "1", "1.1734"; nullopt unless a positive decimal of at most 12 fractional digits.
    static std::optional<DecimalRate> parse(std::string_view text) noexcept;
};

/// A missing rate: names the day and the pair.
struct MissingRate : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A rate a report used, shown beside it.
struct RateUsed {
    model::Currency from, to;
    std::int64_t day = 0;  // the day of the published rate
    std::string rate;      // as imported; "1/x" for an inverse, "x/y" across EUR
};

class Exchange {
public:
    Exchange(host::Store& store, model::Currency target, std::uint32_t max_age_days);

    model::Currency target() const { return target_; }
    /// `minor` of `from` on local day `day`, in the target currency. Throws MissingRate.
    std::int64_t convert(std::int64_t minor, model::Currency from, std::int64_t day);
    /// Every distinct rate used, by pair then day.
    std::vector<RateUsed> used() const;

private:
    struct Quote {
        std::int64_t day;
        DecimalRate rate;
        std::string text;
    };
    struct Factor {
        __int128 num, den;
        RateUsed shown;
    };
    const std::vector<Quote>& quotes(model::Currency from, model::Currency to);
    const Quote* find(model::Currency from, model::Currency to, std::int64_t day);
    Factor factor(model::Currency from, std::int64_t day);

    host::Store& store_;
    model::Currency target_;
    std::uint32_t max_age_days_;
    std::map<std::pair<std::string, std::string>, std::vector<Quote>> quotes_;
    std::map<std::pair<std::string, std::int64_t>, Factor> cache_;  // (from, day)
};

}  // namespace pcgd::analysis
