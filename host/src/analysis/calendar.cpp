#include "analysis/calendar.hpp"

#include <cstdio>

#include <date/tz.h>

#include "store/facts.hpp"

namespace pcgd::analysis {

std::optional<Month> Month::parse(std::string_view s) noexcept {
    if (s.size() != 7 || s[4] != '-') return std::nullopt;
    int y = 0, m = 0;
    for (int i : {0, 1, 2, 3}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        y = y * 10 + (s[i] - '0');
    }
    for (int i : {5, 6}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        m = m * 10 + (s[i] - '0');
    }
    if (m < 1 || m > 12 || y < 1970) return std::nullopt;
    return Month{y, static_cast<unsigned>(m)};
}

Month Month::of_day(std::int64_t epoch_day) noexcept {
    const auto c = model::civil_from_days(epoch_day);
    return Month{c.year, c.month};
}

std::string Month::str() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u", year, month);
    return buf;
}

Month Month::plus(int months) const noexcept {
    const int i = index() + months;
    return Month{i / 12, static_cast<unsigned>(i % 12 + 1)};
}

std::int64_t Month::first_day() const noexcept { return model::days_from_civil(year, month, 1); }
std::int64_t Month::last_day() const noexcept { return plus(1).first_day() - 1; }

namespace {
model::TimestampMs local_midnight_ms(std::int64_t epoch_day, const date::time_zone* zone) {
    using namespace std::chrono;
    const date::local_days local{days(epoch_day)};
    // A midnight skipped by a DST change starts the day at the first instant after the gap.
    return duration_cast<milliseconds>(zone->to_sys(local, date::choose::earliest).time_since_epoch()).count();
}
}  // namespace

std::pair<model::TimestampMs, model::TimestampMs> month_range_ms(Month m, const std::string& zone_name) {
    const date::time_zone* zone = date::locate_zone(zone_name);
    return {local_midnight_ms(m.first_day(), zone), local_midnight_ms(m.plus(1).first_day(), zone)};
}

std::int64_t local_day(model::TimestampMs t, const std::string& zone) {
    return host::facts::local_day(t, date::locate_zone(zone));
}

}  // namespace pcgd::analysis
