#include "server/http_types.hpp"

#include <algorithm>
#include <cctype>
#include <pcgd/sdk/json.hpp>

namespace pcgd::host::server {

Response json_error(unsigned status, const std::string& message) {
    json::Writer w;
    w.begin_object().field("error", message).end_object();
    Response r;
    r.status = status;
    r.body = std::string(w.view());
    return r;
}

const std::string* Request::header(std::string_view name) const {
    for (const auto& [n, value] : headers)
        if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return &value;
    return nullptr;
}

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool decode(std::string_view in, bool plus_is_space, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            const int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return true;
}

}  // namespace

bool parse_target(const std::string& target, Request& request, std::string& error) {
    if (target.empty() || target.front() != '/') {
        error = "the request target must be a path starting with '/'";
        return false;
    }
    const auto q = target.find('?');
    const std::string_view path = std::string_view(target).substr(0, q);
    if (!decode(path, false, request.path)) {
        error = "bad percent-escape in the path";
        return false;
    }
    // Segments are matched after decoding: an escaped '/' would split an id.
    if (std::count(request.path.begin(), request.path.end(), '/') != std::count(path.begin(), path.end(), '/')) {
        error = "an escaped '/' (%2F) in the path is not allowed";
        return false;
    }
    request.query.clear();
    if (q == std::string::npos) return true;
    std::string_view rest = std::string_view(target).substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string name, value;
        if (!decode(pair.substr(0, eq), true, name) ||
            !decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true, value)) {
            error = "bad percent-escape in the query";
            return false;
        }
        request.query[name] = value;
    }
    return true;
}

}  // namespace pcgd::host::server
