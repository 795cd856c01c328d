#include "log/log_format.hpp"

#include <spdlog/pattern_formatter.h>

#include <array>
#include <chrono>
#include <pcgd/model/time.hpp>
#include <pcgd/sdk/json.hpp>
#include <stdexcept>
#include <vector>

namespace pcgd::host {
namespace {

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_ci(std::string_view text, std::size_t at, std::string_view prefix) {
    if (text.size() - at < prefix.size()) return false;
    for (std::size_t k = 0; k < prefix.size(); ++k)
        if (lower(text[at + k]) != prefix[k]) return false;
    return true;
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
}

struct SecretName {
    std::string_view name;  // lower case
    bool to_line_end;       // an unquoted value runs to the end of the line (an auth scheme has a space in it)
};
constexpr std::array<SecretName, 6> secret_names{{{"authorization", true},
                                                  {"x-amz-access-token", false},
                                                  {"access_token", false},
                                                  {"refresh_token", false},
                                                  {"client_secret", false},
                                                  {"consumer_secret", false}}};

// Where a token's hex run ends, or `at` when what follows "pcgd_" is no token.
std::size_t token_end(std::string_view text, std::size_t at) {
    std::size_t end = at;
    while (end < text.size() && is_hex(text[end])) ++end;
    return end - at >= 32 ? end : at;
}

// `name` has matched at text[at]: when a separator and a value follow, appends
// the name, the separator and "***" in place of the value and returns where
// the value ends; else returns 0 and appends nothing.
std::size_t redact_value(std::string_view text, std::size_t at, const SecretName& secret, std::string& out) {
    std::size_t i = at + secret.name.size();
    while (i < text.size() && (text[i] == '"' || text[i] == '\'' || text[i] == '\\')) ++i;  // "name": or \"name\":
    while (i < text.size() && text[i] == ' ') ++i;
    if (i == text.size() || (text[i] != ':' && text[i] != '=')) return 0;
    ++i;
    while (i < text.size() && text[i] == ' ') ++i;
    std::string_view quote;
    if (text.compare(i, 2, "\\\"") == 0)
        quote = "\\\"";  // inside a JSON string that itself holds JSON
    else if (i < text.size() && (text[i] == '"' || text[i] == '\''))
        quote = text.substr(i, 1);
    i += quote.size();
    std::size_t end = i;
    if (!quote.empty()) {
        end = text.find(quote, i);
        // A quote escaped inside the value ("a\"b") does not end it.
        while (quote == "\"" && end != std::string_view::npos && text[end - 1] == '\\') end = text.find(quote, end + 1);
        if (end == std::string_view::npos) end = text.size();
    } else if (secret.to_line_end) {
        end = text.find_first_of("\r\n", i);
        if (end == std::string_view::npos) end = text.size();
    } else {
        end = text.find_first_of(" \t\r\n,;&\"'\\})]", i);
        if (end == std::string_view::npos) end = text.size();
    }
    if (end == i) return 0;  // nothing to hide
    out.append(text.substr(at, i - at));
    out.append("***");
    return end;
}

// "GET /api/smes 200 1.2 ms": server/service.cpp's line per response.
bool add_response_fields(std::string_view m, json::Writer& w) {
    std::array<std::string_view, 5> parts;
    std::size_t n = 0, start = 0;
    while (start <= m.size()) {
        std::size_t space = m.find(' ', start);
        if (space == std::string_view::npos) space = m.size();
        if (n == parts.size()) return false;
        parts[n++] = m.substr(start, space - start);
        start = space + 1;
    }
    if (n != 5 || parts[4] != "ms" || parts[0].empty() || parts[2].size() != 3 || parts[3].empty()) return false;
    for (char c : parts[0])
        if (c < 'A' || c > 'Z') return false;
    int status = 0;
    for (char c : parts[2]) {
        if (c < '0' || c > '9') return false;
        status = status * 10 + (c - '0');
    }
    double duration_ms = 0;
    try {
        std::size_t used = 0;
        duration_ms = std::stod(std::string(parts[3]), &used);
        if (used != parts[3].size()) return false;
    } catch (const std::exception&) {
        return false;
    }
    w.field("method", parts[0]).field("route", parts[1]).field("status", status).field("duration_ms", duration_ms);
    return true;
}

// "[shop-id] text": the sync engine's lines, and the plugin's through it.
void add_shop_field(std::string_view m, json::Writer& w) {
    if (m.size() < 4 || m[0] != '[') return;
    const std::size_t close = m.find(']');
    if (close == std::string_view::npos || close == 1 || close + 1 >= m.size() || m[close + 1] != ' ') return;
    const std::string_view id = m.substr(1, close - 1);
    if (id.find(' ') != std::string_view::npos) return;
    w.field("shop", id);
}

std::string utc_time_ms(spdlog::log_clock::time_point time) {
    const std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
    const std::int64_t whole_s = model::floor_div(ms, 1000) * 1000;
    std::string text(model::iso8601_text(whole_s).view());  // "...:SSZ"
    const auto fraction = static_cast<int>(ms - whole_s);
    text.pop_back();
    text += '.';
    text += static_cast<char>('0' + fraction / 100);
    text += static_cast<char>('0' + fraction / 10 % 10);
    text += static_cast<char>('0' + fraction % 10);
    text += 'Z';
    return text;
}

class TextFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        spdlog::memory_buf_t line;
        pattern_.format(msg, line);  // sets the level's colour range, which redaction never moves
        const std::string redacted = redact_secrets(std::string_view(line.data(), line.size()));
        dest.append(redacted.data(), redacted.data() + redacted.size());
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<TextFormatter>(); }

private:
    spdlog::pattern_formatter pattern_{"%^%l%$ %v"};
};

class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string message = redact_secrets(std::string_view(msg.payload.data(), msg.payload.size()));
        json::Writer w;
        w.begin_object().field("time", utc_time_ms(msg.time));
        w.field("level", std::string_view(spdlog::level::to_string_view(msg.level).data(),
                                          spdlog::level::to_string_view(msg.level).size()));
        w.field("logger", std::string_view(msg.logger_name.data(), msg.logger_name.size()));
        w.field("message", message);
        if (!add_response_fields(message, w)) add_shop_field(message, w);
        w.end_object();
        msg.color_range_start = msg.color_range_end = 0;  // no colour inside JSON
        dest.append(w.view().data(), w.view().data() + w.view().size());
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

LogFormat parse_log_format(std::string_view name) {
    if (name == "text") return LogFormat::text;
    if (name == "json") return LogFormat::json;
    throw std::invalid_argument("log format must be text or json (got '" + std::string(name) + "')");
}

std::string redact_secrets(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = lower(text[i]);
        if (c == 'p' && starts_with_ci(text, i, "pcgd_")) {
            if (const std::size_t end = token_end(text, i + 5); end != i + 5) {
                out.append("pcgd_***");
                i = end;
                continue;
            }
        } else if (c == 'a' || c == 'r' || c == 'c' || c == 'x') {
            std::size_t end = 0;
            for (const auto& secret : secret_names)
                if (starts_with_ci(text, i, secret.name) && (end = redact_value(text, i, secret, out)) != 0) break;
            if (end != 0) {
                i = end;
                continue;
            }
        }
        out.push_back(text[i++]);
    }
    return out;
}

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format) {
    if (format == LogFormat::json) return std::make_unique<JsonFormatter>();
    return std::make_unique<TextFormatter>();
}

}  // namespace pcgd::host
