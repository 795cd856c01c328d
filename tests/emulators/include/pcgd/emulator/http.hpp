// Transport-neutral HTTP messages. Platform modules and the emulator core see
// only these, so Boost.Beast stays inside server.cpp (it is slow to compile).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pcgd::emulator {

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query as received
    std::string path;    // decoded path, no query
    std::multimap<std::string, std::string> query;    // decoded
    std::map<std::string, std::string> headers;       // names lower-cased
    std::string body;

    /// The first value of a query parameter.
    std::optional<std::string> param(const std::string& name) const;
    /// A header by lower-case name.
    std::optional<std::string> header(const std::string& lower_name) const;

    /// Splits `target` into path and query.
    static Request make(std::string method, std::string target, std::string body = {},
                        std::map<std::string, std::string> headers = {});
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string content_type = "application/json";

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    static Response json(int status, std::string body) {
        Response r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }
};

/// What the transport must do with a response: faults need more than a body.
enum class Delivery {
    normal,
    drop,      // close the connection without answering
    truncate,  // announce the full Content-Length, send part of the body, close
};

struct Outcome {
    Response response;
    Delivery delivery = Delivery::normal;
    std::uint32_t delay_ms = 0;  // wait this long before answering (without blocking other connections)
};

std::string url_decode(std::string_view s, bool plus_is_space = true);
/// Parses "a=1&b=2" (a query string or a form body).
std::multimap<std::string, std::string> parse_form(std::string_view s);
std::string base64url_encode(std::string_view s);
std::optional<std::string> base64url_decode(std::string_view s);

}  // namespace pcgd::emulator
