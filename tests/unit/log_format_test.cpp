#include "log/log_format.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

using pcgd::host::LogFormat;
using pcgd::host::make_log_formatter;
using pcgd::host::redact_secrets;

namespace {

const std::string token = "pcgd_" + std::string(64, 'a').replace(10, 3, "0F9");

// 2026-12-04T10:00:00.042Z
spdlog::details::log_msg message_at(std::string_view text, spdlog::level::level_enum level = spdlog::level::info) {
    spdlog::details::log_msg msg(spdlog::source_loc{}, "pcgd", level, text);
    msg.time = spdlog::log_clock::time_point(std::chrono::milliseconds(1796378400042));
    return msg;
}

std::string formatted(LogFormat format, std::string_view text, spdlog::level::level_enum level = spdlog::level::info) {
    spdlog::memory_buf_t out;
    make_log_formatter(format)->format(message_at(text, level), out);
    return std::string(out.data(), out.size());
}

}  // namespace

TEST(RedactSecrets, HidesApiTokensButNotOtherPcgdNames) {
    EXPECT_EQ(redact_secrets("token " + token + " revoked"), "token pcgd_*** revoked");
    EXPECT_EQ(redact_secrets("Bearer " + token), "Bearer pcgd_***");
    EXPECT_EQ(redact_secrets("pcgd_http_requests_total 3"), "pcgd_http_requests_total 3");
    EXPECT_EQ(redact_secrets("pcgd_0123456789abcdef"), "pcgd_0123456789abcdef");  // too short to be a token
}

TEST(RedactSecrets, HidesAuthorizationToTheEndOfItsValue) {
    EXPECT_EQ(redact_secrets("Authorization: Bearer abc123"), "Authorization: ***");
    EXPECT_EQ(redact_secrets("authorization=Basic dXNlcjpwYXNz\nnext line"), "authorization=***\nnext line");
    EXPECT_EQ(redact_secrets(R"({"Authorization":"Bearer x y","a":1})"), R"({"Authorization":"***","a":1})");
    EXPECT_EQ(redact_secrets("AUTHORIZATION : Bearer z"), "AUTHORIZATION : ***");
    EXPECT_EQ(redact_secrets("no authorization header"), "no authorization header");
}

TEST(RedactSecrets, HidesCredentialValuesInEveryForm) {
    EXPECT_EQ(redact_secrets("grant_type=refresh_token&refresh_token=Atzr|abc&client_id=x&client_secret=s3cr3t"),
              "grant_type=refresh_token&refresh_token=***&client_id=x&client_secret=***");
    EXPECT_EQ(redact_secrets("x-amz-access-token: Atza|IwEB def"), "x-amz-access-token: *** def");
    EXPECT_EQ(redact_secrets(R"({"access_token": "shpat_1", "scope": "read"})"),
              R"({"access_token": "***", "scope": "read"})");
    EXPECT_EQ(redact_secrets(R"(body {\"access_token\":\"tok\",\"x\":1})"),
              R"(body {\"access_token\":\"***\",\"x\":1})");
    EXPECT_EQ(redact_secrets(R"({"client_secret":"a\"b","n":2})"), R"({"client_secret":"***","n":2})");
    EXPECT_EQ(redact_secrets(R"(refresh_token="unterminated)"), R"(refresh_token="***)");
    EXPECT_EQ(redact_secrets("REFRESH_TOKEN: abc"), "REFRESH_TOKEN: ***");
    EXPECT_EQ(redact_secrets("consumer_secret='cs_1' ok"), "consumer_secret='***' ok");
    EXPECT_EQ(redact_secrets("access_token= "), "access_token= ");  // nothing to hide
    EXPECT_EQ(redact_secrets("the refresh_token expired"), "the refresh_token expired");
}

TEST(LogFormatter, TextIsTheLevelAndTheRedactedMessage) {
    EXPECT_EQ(formatted(LogFormat::text, "GET /api/smes 200 1.2 ms"), "info GET /api/smes 200 1.2 ms\n");
    EXPECT_EQ(formatted(LogFormat::text, "[shop-1] sent client_secret=abc", spdlog::level::warn),
              "warning [shop-1] sent client_secret=***\n");
}

TEST(LogFormatter, JsonLinesCarryTimeLevelLoggerMessageAndKnownFields) {
    EXPECT_EQ(formatted(LogFormat::json, "GET /api/reports/{tool} 200 2.1 ms"),
              R"({"time":"2026-12-04T10:00:00.042Z","level":"info","logger":"pcgd",)"
              R"("message":"GET /api/reports/{tool} 200 2.1 ms","method":"GET","route":"/api/reports/{tool}",)"
              R"("status":200,"duration_ms":2.1})"
              "\n");
    EXPECT_EQ(formatted(LogFormat::json, "[lumiere-uk] token " + token + " \"quoted\"", spdlog::level::err),
              R"({"time":"2026-12-04T10:00:00.042Z","level":"error","logger":"pcgd",)"
              R"("message":"[lumiere-uk] token pcgd_*** \"quoted\"","shop":"lumiere-uk"})"
              "\n");
    // Near misses of the known shapes add no field.
    EXPECT_EQ(formatted(LogFormat::json, "SIGTERM: stopping; 2 connection(s) open"),
              R"({"time":"2026-12-04T10:00:00.042Z","level":"info","logger":"pcgd",)"
              R"("message":"SIGTERM: stopping; 2 connection(s) open"})"
              "\n");
    EXPECT_EQ(formatted(LogFormat::json, "GET /x 2000 1 ms"),
              R"({"time":"2026-12-04T10:00:00.042Z","level":"info","logger":"pcgd","message":"GET /x 2000 1 ms"})"
              "\n");
}

TEST(LogFormatter, AppliesThroughALoggerAndItsSinks) {
    std::ostringstream out;
    auto logger = std::make_shared<spdlog::logger>("svc", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
    logger->set_formatter(make_log_formatter(LogFormat::json));
    logger->info("Authorization: Bearer {}", token);
    const std::string line = out.str();
    EXPECT_EQ(line.substr(0, 9), R"({"time":")");
    EXPECT_EQ(line.substr(33), R"(","level":"info","logger":"svc","message":"Authorization: ***"})"
                               "\n");
    EXPECT_EQ(line.find("aaaa"), std::string::npos);
}

TEST(LogFormat, ParsesItsTwoNames) {
    EXPECT_EQ(pcgd::host::parse_log_format("json"), LogFormat::json);
    EXPECT_EQ(pcgd::host::parse_log_format("text"), LogFormat::text);
    EXPECT_THROW(pcgd::host::parse_log_format("yaml"), std::invalid_argument);
}
