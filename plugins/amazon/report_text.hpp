// Reading Amazon report documents as they stream in: GZIP inflated with
// zlib, Windows-1252 turned into UTF-8, lines split across chunk boundaries
// (LF or CRLF), tab-separated fields found by header name.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <pcgd/model/time.hpp>
#include <pcgd/sdk/plugin.hpp>

namespace pcgd::amazon {

/// Inflates a gzip (or zlib) stream fed in arbitrary chunks. Bad data is the
/// response's fault: BAD_RESPONSE, so the host restarts from a checkpoint.
class Inflater {
public:
    Inflater() = default;
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
    ~Inflater() { reset(); }

    void reset() {
        if (open_) inflateEnd(&z_);
        open_ = false;
        finished_ = false;
    }

    /// Appends the inflated bytes of `in` to `out`.
    void feed(std::string_view in, std::string& out) {
        if (!open_) {
            z_ = z_stream{};
            // 32 + MAX_WBITS: gzip or zlib header, detected.
            if (inflateInit2(&z_, 32 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
            open_ = true;
        }
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z_.avail_in = static_cast<uInt>(in.size());
        char buffer[64 * 1024];
        while (z_.avail_in > 0 && !finished_) {
            z_.next_out = reinterpret_cast<Bytef*>(buffer);
            z_.avail_out = sizeof buffer;
            const int rc = inflate(&z_, Z_NO_FLUSH);
            out.append(buffer, sizeof buffer - z_.avail_out);
            if (rc == Z_STREAM_END) {
                finished_ = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                throw sdk::bad_response(std::string("amazon: the report document is not valid gzip: ") + (z_.msg ? z_.msg : "zlib error"));
            }
            if (rc == Z_BUF_ERROR && z_.avail_out != 0) break;  // needs more input
        }
    }

    /// True once the end of the compressed stream was read.
    bool finished() const noexcept { return finished_; }

private:
    z_stream z_{};
    bool open_ = false;
    bool finished_ = false;
};

/// Windows-1252 to UTF-8. The five bytes Windows-1252 leaves undefined
/// become U+FFFD.
inline void cp1252_to_utf8(std::string_view in, std::string& out) {
    static constexpr char16_t high[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
                                          0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
                                          0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
    out.reserve(out.size() + in.size());
    for (unsigned char c : in) {
        if (c < 0x80) {
            out += static_cast<char>(c);
            continue;
        }
        const char32_t u = c < 0xA0 ? high[c - 0x80] : c;
        if (u < 0x800) {
            out += static_cast<char>(0xC0 | (u >> 6));
            out += static_cast<char>(0x80 | (u & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (u >> 12));
            out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (u & 0x3F));
        }
    }
}

/// The charset a download's Content-Type names ("text/plain;charset=Cp1252").
/// Amazon's flat files are Cp1252 unless they say otherwise.
inline bool is_utf8_charset(std::optional<std::string_view> content_type) {
    if (!content_type) return false;
    std::string lower(*content_type);
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const auto at = lower.find("charset=");
    if (at == std::string::npos) return false;
    std::string_view cs = std::string_view(lower).substr(at + 8);
    if (!cs.empty() && cs.front() == '"') cs.remove_prefix(1);
    return cs.rfind("utf-8", 0) == 0 || cs.rfind("utf8", 0) == 0;
}

/// Splits text fed in pieces into lines (LF or CRLF); keeps only the partial
/// last line between pieces.
class LineSplitter {
public:
    template <class F>
    void feed(std::string_view text, F&& on_line) {
        while (!text.empty()) {
            const auto nl = text.find('\n');
            if (nl == std::string_view::npos) {
                carry_.append(text);
                return;
            }
            if (carry_.empty()) {
                on_line(trim_cr(text.substr(0, nl)));
            } else {
                carry_.append(text.substr(0, nl));
                on_line(trim_cr(carry_));
                carry_.clear();
            }
            text.remove_prefix(nl + 1);
        }
    }
    /// The last line, when the text does not end with a line break.
    template <class F>
    void finish(F&& on_line) {
        if (!carry_.empty()) on_line(trim_cr(carry_));
        carry_.clear();
    }
    void reset() { carry_.clear(); }

private:
    static std::string_view trim_cr(std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
    }
    std::string carry_;
};

/// Splits a tab-separated line into `fields` (views into `line`).
inline void split_tabs(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    std::size_t start = 0;
    while (true) {
        const auto tab = line.find('\t', start);
        if (tab == std::string_view::npos) {
            fields.push_back(line.substr(start));
            return;
        }
        fields.push_back(line.substr(start, tab - start));
        start = tab + 1;
    }
}

/// Column positions by header name; a report's columns differ by marketplace
/// and account, so nothing is read by position.
class Columns {
public:
    void read_header(std::string_view line) {
        split_tabs(line, names_);
        index_.clear();
        for (std::size_t i = 0; i < names_.size(); ++i) index_.emplace(std::string(names_[i]), i);
    }
    bool has(std::string_view name) const { return index_.count(std::string(name)) != 0; }
    std::optional<std::size_t> at(std::string_view name) const {
        auto it = index_.find(std::string(name));
        if (it == index_.end()) return std::nullopt;
        return it->second;
    }
    std::size_t size() const noexcept { return index_.size(); }

private:
    std::vector<std::string_view> names_;
    std::map<std::string, std::size_t> index_;
};

/// The listing's open-date as the report prints it in the marketplace's own
/// form: "12/03/2024 09:15:02 GMT" (UK, FR: day first) or
/// "2024-03-12 09:15:02 PDT" (US). Nothing for a zone it does not know.
inline std::optional<model::TimestampMs> parse_open_date(std::string_view s) {
    using model::detail::digits;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    std::size_t pos = 0;
    if (s.size() >= 10 && s[2] == '/' && s[5] == '/') {
        if (!digits(s, 0, 2, d) || !digits(s, 3, 2, mo) || !digits(s, 6, 4, y)) return std::nullopt;
    } else if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {
        if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d)) return std::nullopt;
    } else {
        return std::nullopt;
    }
    pos = 10;
    if (s.size() < pos + 9 || s[pos] != ' ' || !digits(s, pos + 1, 2, h) || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi) ||
        s[pos + 6] != ':' || !digits(s, pos + 7, 2, sec))
        return std::nullopt;
    pos += 9;
    std::string_view zone = pos < s.size() && s[pos] == ' ' ? s.substr(pos + 1) : std::string_view{};
    static constexpr std::pair<std::string_view, int> zones[] = {
        {"UTC", 0},  {"GMT", 0},   {"BST", 60}, {"CET", 60}, {"MET", 60},   {"CEST", 120}, {"MEST", 120},
        {"PST", -480}, {"PDT", -420}, {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360}};
    std::optional<int> offset_min;
    for (auto [name, off] : zones)
        if (zone == name) offset_min = off;
    if (!offset_min) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > static_cast<int>(model::days_in_month(y, static_cast<unsigned>(mo))) || h > 23 || mi > 59 ||
        sec > 60)
        return std::nullopt;
    const std::int64_t days = model::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return ((days * 86400 + h * 3600 + mi * 60 + sec) - static_cast<std::int64_t>(*offset_min) * 60) * 1000;
}

}  // namespace pcgd::amazon
