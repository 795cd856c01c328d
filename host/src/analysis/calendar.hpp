// Calendar months in a shop's time zone (Howard Hinnant's date-tz).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <pcgd/model/time.hpp>

namespace pcgd::analysis {

struct Month {
    int year = 1970;
    unsigned month = 1;  // 1..12

    /// "2026-01"; nullopt unless exactly YYYY-MM with a month 01..12.
    static std::optional<Month> parse(std::string_view text) noexcept;
    static Month of_day(std::int64_t epoch_day) noexcept;
    std::string str() const;
    Month plus(int months) const noexcept;
    int index() const noexcept { return year * 12 + static_cast<int>(month) - 1; }
    std::int64_t first_day() const noexcept;
    std::int64_t last_day() const noexcept;
    friend auto operator<=>(const Month&, const Month&) = default;
};

/// The UTC instants [begin, end) of a local month in an IANA zone.
std::pair<model::TimestampMs, model::TimestampMs> month_range_ms(Month m, const std::string& zone);

/// The local day of an instant in an IANA zone.
std::int64_t local_day(model::TimestampMs t, const std::string& zone);

}  // namespace pcgd::analysis
