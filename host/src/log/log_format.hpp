// How log lines look: text for a terminal, JSON Lines for a log collector,
// and secrets taken out of both before they reach any sink.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace pcgd::host {

enum class LogFormat { text, json };

/// "text" or "json"; throws std::invalid_argument naming the value otherwise.
LogFormat parse_log_format(std::string_view name);

/// Replaces the secrets a log line may carry with "***": API tokens
/// (`pcgd_` + 32 or more hex digits, kept as `pcgd_***`), the value of an
/// `Authorization` header (to the end of the line or of the quoted string),
/// and the values of `x-amz-access-token`, `access_token`, `refresh_token`,
/// `client_secret` and `consumer_secret` in `key: value`, `key=value` and
/// `"key":"value"` forms. Names match case-insensitively.
std::string redact_secrets(std::string_view line);

/// An spdlog formatter that redacts every line. Text: "LEVEL message" (the
/// level coloured on a terminal). JSON: one object a line, e.g.
/// {"time":"2026-12-04T10:00:00.042Z","level":"info","logger":"pcgd","message":"..."}
/// with fields taken from the message's known shapes: a response line
/// ("GET /api/smes 200 1.2 ms") adds method, route, status and duration_ms;
/// a sync line ("[shop-id] ...") adds shop.
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

}  // namespace pcgd::host
