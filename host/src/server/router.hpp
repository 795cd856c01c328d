// The route table: method + path pattern ("/api/smes/{id}") -> handler.
// Matching, authentication and the 401/404/405 answers live here once, so a
// handler only ever runs for a matched route and, unless the route is
// public, with an authenticated principal.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/auth.hpp"
#include "server/http_types.hpp"
#include "store/store.hpp"

namespace pcgd::host::server {

using Params = std::map<std::string, std::string>;

/// What a handler gets: the request, the path's {parameters}, and who asks
/// (null only on public routes).
struct Call {
    const Request& request;
    const Params& params;
    const Principal* principal;
};

using Handler = std::function<Response(const Call&)>;

struct Route {
    std::string method;
    std::string pattern;     // segments; "{name}" matches one non-empty segment
    bool is_public = false;  // answers without a token (health only)
    Handler handler;
};

class Router {
public:
    explicit Router(Store& store) : store_(store) {}

    void add(std::string method, std::string pattern, Handler handler, bool is_public = false);

    /// Answers one request: 404 for an unknown path, 405 with Allow for a
    /// known path and another method, 401 without a valid token, else the
    /// handler's response. Never throws: a handler's exception is a 500.
    Response handle(const Request& request) const;

    const std::vector<Route>& routes() const { return routes_; }

private:
    Store& store_;
    std::vector<Route> routes_;
};

/// The pattern's {parameters} bound to the path's segments, or nullopt.
std::optional<Params> match_pattern(const std::string& pattern, const std::string& path);

}  // namespace pcgd::host::server
