// A request and a response as the router sees them: plain values, so the
// router, the role checks and the handlers are tested without a socket and
// compile without Boost.Beast (which stays in http_server.cpp).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pcgd::host::server {

struct Request {
    std::string method;                        // GET, POST, ...
    std::string path;                          // percent-decoded, without the query
    std::map<std::string, std::string> query;  // percent-decoded; a repeated name keeps the last value
    std::string authorization;                 // the Authorization header, verbatim
    std::string body;                          // byte-exact as received: webhook signatures cover it
    std::vector<std::pair<std::string, std::string>> headers;  // every header, names as received, in order

    /// The first header of that name (case-insensitive), or null when absent.
    const std::string* header(std::string_view name) const;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow
    std::string route;  // the route pattern that answered ("" when none): for logs and metrics, never sent
};

/// `{"error": message}` with `status`.
Response json_error(unsigned status, const std::string& message);

/// Splits a request target into its path and query, percent-decoding both.
/// False (with `error` set) for a target that is not origin-form or has a
/// bad escape.
bool parse_target(const std::string& target, Request& request, std::string& error);

}  // namespace pcgd::host::server
