#include "server/router.hpp"

#include <spdlog/spdlog.h>

namespace pcgd::host::server {

namespace {
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        if (path.front() != '/') break;
        path.remove_prefix(1);
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
    }
    return out;
}
}  // namespace

std::optional<Params> match_pattern(const std::string& pattern, const std::string& path) {
    const auto want = segments(pattern), have = segments(path);
    if (want.size() != have.size()) return std::nullopt;
    Params params;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto w = want[i];
        if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
            if (have[i].empty()) return std::nullopt;
            params.emplace(std::string(w.substr(1, w.size() - 2)), std::string(have[i]));
        } else if (w != have[i]) {
            return std::nullopt;
        }
    }
    return params;
}

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
    routes_.push_back(Route{std::move(method), std::move(pattern), options, std::move(handler)});
}

Match Router::match(const Request& request) const {
    Match m;
    std::string allow;
    std::string pattern;
    for (const auto& r : routes_) {
        auto p = match_pattern(r.pattern, request.path);
        if (!p) continue;
        pattern = r.pattern;
        allow += (allow.empty() ? "" : ", ") + r.method;
        // HEAD is not served: every route is GET or POST.
        if (r.method == request.method && !m.route) {
            m.route = &r;
            m.params = std::move(*p);
        }
    }
    if (m.route) return m;
    if (allow.empty()) {
        m.refusal = json_error(404, "no route for " + request.path);
    } else {
        m.refusal = json_error(405, request.method + " is not allowed on " + pattern + " (allowed: " + allow + ")");
        m.refusal.headers.emplace_back("Allow", allow);
        m.refusal.route = pattern;
    }
    return m;
}

Response Router::handle(const Request& request, const Match& match, Store& store, const Config& config) const {
    if (!match.route) return match.refusal;
    const Route* found = match.route;
    const Params& params = match.params;
    Response response;
    try {
        std::optional<Principal> principal;
        const bool is_public = found->options.is_public;
        if (!is_public) principal = authenticate(store, request.authorization);
        if (!is_public && !principal) {
            response = json_error(401, request.authorization.empty()
                                           ? "an API token is required (Authorization: Bearer TOKEN)"
                                           : "the API token is not valid (unknown, revoked or malformed)");
            response.headers.emplace_back("WWW-Authenticate", "Bearer");
        } else {
            response = found->handler(Call{request, params, principal ? &*principal : nullptr, store, config});
        }
    } catch (const std::exception& e) {
        // The detail goes to the log, not to the client: it may name files.
        spdlog::error("{} {}: {}", request.method, found->pattern, e.what());
        response = json_error(500, "internal error (see the service's log)");
    }
    response.route = found->pattern;
    return response;
}

}  // namespace pcgd::host::server
