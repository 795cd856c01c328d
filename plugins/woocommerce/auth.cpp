#include "auth.hpp"

#include <pcgd/model/time.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace pcgd::woocommerce {

std::optional<AuthScheme> auth_scheme_of(std::string_view setting, std::string_view base_url) {
    if (setting == "auto") return base_url.rfind("https://", 0) == 0 ? AuthScheme::basic : AuthScheme::oauth1;
    if (setting == "basic") return AuthScheme::basic;
    if (setting == "oauth1") return AuthScheme::oauth1;
    if (setting == "query") return AuthScheme::query;
    return std::nullopt;
}

const char* to_string(AuthScheme scheme) noexcept {
    switch (scheme) {
    case AuthScheme::basic: return "basic";
    case AuthScheme::oauth1: return "oauth1";
    case AuthScheme::query: return "query";
    }
    return "?";
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() + s.size() / 2);
    for (const unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string base64(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                                static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                                static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string hmac(HmacAlgorithm algorithm, std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    const EVP_MD* md = algorithm == HmacAlgorithm::sha1 ? EVP_sha1() : EVP_sha256();
    if (!HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
              digest.data(), &size))
        throw std::runtime_error("HMAC failed in libcrypto");
    return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

Params query_params(std::string_view url) {
    Params out;
    const auto q = url.find('?');
    if (q == std::string_view::npos) return out;
    std::string_view rest = url.substr(q + 1);
    rest = rest.substr(0, rest.find('#'));
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        out.emplace_back(decode(pair.substr(0, eq)), eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1)));
    }
    return out;
}

std::string base_string_uri(std::string_view url) {
    url = url.substr(0, std::min(url.find('?'), url.find('#')));
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) throw std::invalid_argument("not an absolute URL: '" + std::string(url) + "'");
    const std::string scheme = lower(url.substr(0, scheme_end));
    const std::string_view after = url.substr(scheme_end + 3);
    const auto slash = after.find('/');
    std::string authority = lower(after.substr(0, slash));
    const std::string_view path = slash == std::string_view::npos ? std::string_view("/") : after.substr(slash);
    if ((scheme == "http" && authority.size() > 3 && authority.compare(authority.size() - 3, 3, ":80") == 0) ||
        (scheme == "https" && authority.size() > 4 && authority.compare(authority.size() - 4, 4, ":443") == 0))
        authority.erase(authority.rfind(':'));
    return scheme + "://" + authority + std::string(path);
}

std::string signature_base_string(std::string_view method, std::string_view url, const Params& params) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(params.size());
    for (const auto& [name, value] : params) encoded.emplace_back(percent_encode(name), percent_encode(value));
    std::sort(encoded.begin(), encoded.end());
    std::string joined;
    for (const auto& [name, value] : encoded) {
        if (!joined.empty()) joined += '&';
        joined += name;
        joined += '=';
        joined += value;
    }
    std::string out;
    for (const char c : method) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    out += '&';
    out += percent_encode(base_string_uri(url));
    out += '&';
    out += percent_encode(joined);
    return out;
}

std::string oauth1_signature(HmacAlgorithm algorithm, std::string_view base_string, std::string_view consumer_secret,
                             std::string_view token_secret) {
    const std::string key = percent_encode(consumer_secret) + "&" + percent_encode(token_secret);
    return base64(hmac(algorithm, key, base_string));
}

std::string oauth1_signed_url(std::string_view method, std::string_view url, std::string_view consumer_key,
                              std::string_view consumer_secret, std::int64_t timestamp_s, std::string_view nonce) {
    Params params = query_params(url);
    const Params oauth = {{"oauth_consumer_key", std::string(consumer_key)},
                          {"oauth_nonce", std::string(nonce)},
                          {"oauth_signature_method", "HMAC-SHA256"},
                          {"oauth_timestamp", std::to_string(timestamp_s)}};
    params.insert(params.end(), oauth.begin(), oauth.end());
    // WooCommerce keys its secret with a bare '&' after it, unencoded: its
    // secrets ("cs_" and hex) never need encoding, so the two forms agree.
    const std::string signature =
        oauth1_signature(HmacAlgorithm::sha256, signature_base_string(method, url, params), consumer_secret);
    std::string out(url.substr(0, url.find('#')));
    char sep = out.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [name, value] : oauth) {
        out += sep;
        out += name + "=" + percent_encode(value);
        sep = '&';
    }
    out += "&oauth_signature=" + percent_encode(signature);
    return out;
}

std::string basic_authorization(std::string_view consumer_key, std::string_view consumer_secret) {
    return "Basic " + base64(std::string(consumer_key) + ":" + std::string(consumer_secret));
}

std::optional<std::int64_t> parse_http_date(std::string_view v) {
    // "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters, fixed positions.
    static constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' || v[19] != ':' ||
        v[22] != ':' || v[25] != ' ' || v.substr(26) != "GMT")
        return std::nullopt;
    const auto number = [&](std::size_t at, std::size_t n, int& out) {
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (v[i] < '0' || v[i] > '9') return false;
            out = out * 10 + (v[i] - '0');
        }
        return true;
    };
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    const auto month = std::find(months.begin(), months.end(), v.substr(8, 3));
    if (month == months.end() || !number(5, 2, day) || !number(12, 4, year) || !number(17, 2, hour) || !number(20, 2, minute) ||
        !number(23, 2, second))
        return std::nullopt;
    const unsigned m = static_cast<unsigned>(month - months.begin()) + 1;
    if (day < 1 || static_cast<unsigned>(day) > model::days_in_month(year, m) || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    const std::int64_t days = model::days_from_civil(year, m, static_cast<unsigned>(day));
    return ((days * 24 + hour) * 60 + minute) * 60'000 + static_cast<std::int64_t>(second) * 1000;
}

}  // namespace pcgd::woocommerce
