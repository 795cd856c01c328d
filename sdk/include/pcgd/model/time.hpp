// UTC instants as milliseconds since the Unix epoch, and their ISO 8601 form.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pcgd::model {

/// Milliseconds since 1970-01-01T00:00:00Z.
using TimestampMs = std::int64_t;

struct CivilDate {
    int year = 1970;
    unsigned month = 1;  // 1..12
    unsigned day = 1;    // 1..31
    friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

/// Days since the epoch for a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr CivilDate civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return CivilDate{static_cast<int>(y + (m <= 2)), m, d};
}

constexpr bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
constexpr unsigned days_in_month(int y, unsigned m) noexcept {
    constexpr unsigned table[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : table[m - 1];
}

namespace detail {
constexpr bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}
}  // namespace detail

/// How to read a timestamp that carries no zone (WooCommerce's *_gmt fields).
enum class NoZone { reject, utc };

/// Parses "2026-01-31T23:30:00Z", "2008-01-10T11:00:00-05:00",
/// "2026-01-31T23:30:00.123+01:00", "2026-01-31 23:30:00" (with NoZone::utc)
/// and a bare date "2026-01-31" (midnight UTC).
inline std::optional<TimestampMs> parse_iso8601(std::string_view s, NoZone no_zone = NoZone::reject) noexcept {
    using detail::digits;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > static_cast<int>(days_in_month(y, static_cast<unsigned>(mo))))
        return std::nullopt;
    std::int64_t ms = 0;
    std::size_t pos = 10;
    if (pos == s.size()) return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400000;
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!digits(s, pos + 1, 2, h) || s.size() < pos + 6 || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi))
        return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
        if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            int scale = 100, frac_digits = 0;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                if (frac_digits < 3) ms += (s[pos] - '0') * scale;
                scale /= 10;
                ++frac_digits;
                ++pos;
            }
            if (frac_digits == 0) return std::nullopt;
        }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::int64_t offset_s = 0;
    if (pos == s.size()) {
        if (no_zone == NoZone::reject) return std::nullopt;
    } else if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
        std::size_t mpos = pos + 3;
        if (mpos < s.size() && s[mpos] == ':') ++mpos;
        if (mpos < s.size()) {
            if (!digits(s, mpos, 2, om) || mpos + 2 != s.size()) return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    } else {
        return std::nullopt;
    }
    const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return ((days * 86400 + h * 3600 + mi * 60 + sec) - offset_s) * 1000 + ms;
}

inline TimestampMs parse_iso8601_or_throw(std::string_view s, NoZone no_zone = NoZone::reject) {
    auto t = parse_iso8601(s, no_zone);
    if (!t) throw std::invalid_argument("not an ISO 8601 timestamp: '" + std::string(s) + "'");
    return *t;
}

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/// The text of an instant, held in place: writing a record formats several,
/// and a std::string of this length would be a heap allocation each.
struct Iso8601Text {
    std::array<char, 64> buf{};  // room for any int year, so -Wformat-truncation has nothing to say
    std::size_t size = 0;
    std::string_view view() const noexcept { return {buf.data(), size}; }
};

/// "2026-01-31T23:30:00Z", or with milliseconds when they are not zero.
inline Iso8601Text iso8601_text(TimestampMs t) noexcept {
    const std::int64_t days = floor_div(t, 86400000);
    const std::int64_t ms_of_day = t - days * 86400000;
    const CivilDate c = civil_from_days(days);
    const int h = static_cast<int>(ms_of_day / 3600000), mi = static_cast<int>(ms_of_day / 60000 % 60),
              s = static_cast<int>(ms_of_day / 1000 % 60), ms = static_cast<int>(ms_of_day % 1000);
    Iso8601Text out;
    char* p = out.buf.data();
    if (c.year < 0 || c.year > 9999) {
        // Outside four digits the sign and width rules are snprintf's; rare enough to leave to it.
        const int n = ms == 0 ? std::snprintf(p, out.buf.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ", c.year, c.month, c.day, h, mi, s)
                              : std::snprintf(p, out.buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day,
                                              h, mi, s, ms);
        out.size = static_cast<std::size_t>(n);
        return out;
    }
    // By hand: snprintf's format parsing was a third of the cost of writing an order.
    const auto put = [&p](unsigned v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
        p += width;
    };
    put(static_cast<unsigned>(c.year), 4);
    *p++ = '-';
    put(c.month, 2);
    *p++ = '-';
    put(c.day, 2);
    *p++ = 'T';
    put(static_cast<unsigned>(h), 2);
    *p++ = ':';
    put(static_cast<unsigned>(mi), 2);
    *p++ = ':';
    put(static_cast<unsigned>(s), 2);
    if (ms != 0) {
        *p++ = '.';
        put(static_cast<unsigned>(ms), 3);
    }
    *p++ = 'Z';
    out.size = static_cast<std::size_t>(p - out.buf.data());
    return out;
}

inline std::string format_iso8601(TimestampMs t) { return std::string(iso8601_text(t).view()); }

/// "2026-01-31" for a day number (days since the epoch).
inline std::string format_date(std::int64_t epoch_day) {
    const CivilDate c = civil_from_days(epoch_day);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.year, c.month, c.day);
    return buf;
}

/// Parses "YYYY-MM-DD" into a day number.
inline std::optional<std::int64_t> parse_date(std::string_view s) noexcept {
    if (s.size() != 10) return std::nullopt;
    auto t = parse_iso8601(s);
    if (!t) return std::nullopt;
    return *t / 86400000;
}

}  // namespace pcgd::model
