#include <pcgd/emulator/http.hpp>

namespace pcgd::emulator {

std::optional<std::string> Request::param(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> Request::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
}

Request Request::make(std::string method, std::string target, std::string body, std::map<std::string, std::string> headers) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    const auto q = r.target.find('?');
    r.path = url_decode(std::string_view(r.target).substr(0, q), false);
    if (q != std::string::npos) r.query = parse_form(std::string_view(r.target).substr(q + 1));
    for (auto& [k, v] : headers) {
        std::string lower = k;
        for (char& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        r.headers[lower] = v;
    }
    r.body = std::move(body);
    return r;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string url_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += s[i];
        }
    }
    return out;
}

std::multimap<std::string, std::string> parse_form(std::string_view s) {
    std::multimap<std::string, std::string> out;
    while (!s.empty()) {
        const auto amp = s.find('&');
        const std::string_view item = s.substr(0, amp);
        s = amp == std::string_view::npos ? std::string_view{} : s.substr(amp + 1);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            out.emplace(url_decode(item), "");
        else
            out.emplace(url_decode(item.substr(0, eq)), url_decode(item.substr(eq + 1)));
    }
    return out;
}

namespace {
constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
}

std::string base64url_encode(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
        const unsigned v = static_cast<unsigned char>(s[i]) << 16 | static_cast<unsigned char>(s[i + 1]) << 8 |
                           static_cast<unsigned char>(s[i + 2]);
        out += b64[v >> 18 & 63];
        out += b64[v >> 12 & 63];
        out += b64[v >> 6 & 63];
        out += b64[v & 63];
    }
    if (i + 1 == s.size()) {
        const unsigned v = static_cast<unsigned char>(s[i]) << 16;
        out += b64[v >> 18 & 63];
        out += b64[v >> 12 & 63];
    } else if (i + 2 == s.size()) {
        const unsigned v = static_cast<unsigned char>(s[i]) << 16 | static_cast<unsigned char>(s[i + 1]) << 8;
        out += b64[v >> 18 & 63];
        out += b64[v >> 12 & 63];
        out += b64[v >> 6 & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view s) {
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : s) {
        const char* p = nullptr;
        for (const char* q = b64; *q; ++q)
            if (*q == c) p = q;
        if (!p) return std::nullopt;
        acc = acc << 6 | static_cast<unsigned>(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(acc >> bits & 0xFF);
        }
    }
    if (bits >= 6) return std::nullopt;  // a dangling sextet is never produced by the encoder
    return out;
}

}  // namespace pcgd::emulator
