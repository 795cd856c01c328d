// The route table: method + path pattern ("/api/smes/{id}") -> handler.
// Matching, authentication and the 401/404/405 answers live here once, so a
// handler only ever runs for a matched route and, unless the route is
// public, with an authenticated principal.
//
// A handler runs either on the service's I/O thread (routes that touch the
// sync queue, and health) or on a worker (everything that reads the store at
// length: reports, exports, the programme). So that one slow report never
// holds up a health check or a webhook, and so that workers never share a
// connection, the store and the configuration come with each call.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "server/auth.hpp"
#include "server/http_types.hpp"
#include "store/store.hpp"

namespace pcgd::host::server {

using Params = std::map<std::string, std::string>;

/// What a handler gets: the request, the path's {parameters}, who asks
/// (null only on public routes), and the store and configuration of the
/// thread it runs on (valid for the call).
struct Call {
    const Request& request;
    const Params& params;
    const Principal* principal;
    Store& store;
    const Config& config;
};

using Handler = std::function<Response(const Call&)>;

struct RouteOptions {
    /// Answers without a token: health, the dashboard's files, and the
    /// routes the platforms sign (webhooks, connect callbacks).
    bool is_public = false;
    /// Runs on the I/O thread: the handler uses the sync queue or the
    /// scheduler (Api::request_sync...), which live there, and is quick.
    bool on_io_thread = false;
};

struct Route {
    std::string method;
    std::string pattern;  // segments; "{name}" matches one non-empty segment
    RouteOptions options;
    Handler handler;
};

/// A request's route, looked up once: the route and the path's parameters,
/// or, when no route serves the request, the answer (404, or 405 with Allow).
struct Match {
    const Route* route = nullptr;  // into the Router, which outlives it; null: `refusal` is the answer
    Params params;
    Response refusal;

    /// Whether the request is answered on the I/O thread: its route's
    /// option, or true when there is no route (the refusal is quick).
    bool runs_on_io_thread() const { return !route || route->options.on_io_thread; }
};

class Router {
public:
    void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});

    /// The route serving the request, or the refusal.
    Match match(const Request& request) const;

    /// Answers one matched request: the refusal when there is no route,
    /// 401 without a valid token, else the handler's response. Never
    /// throws: a handler's exception is a 500.
    Response handle(const Request& request, const Match& match, Store& store, const Config& config) const;

    /// match() then handle().
    Response handle(const Request& request, Store& store, const Config& config) const {
        return handle(request, match(request), store, config);
    }

    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

/// The pattern's {parameters} bound to the path's segments, or nullopt.
std::optional<Params> match_pattern(const std::string& pattern, const std::string& path);

}  // namespace pcgd::host::server
