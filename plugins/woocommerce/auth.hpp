// How a WooCommerce request proves who sends it: HTTP Basic over HTTPS,
// OAuth 1.0a one-legged signatures over plain HTTP (as WooCommerce's
// WC_REST_Authentication checks them), or the key pair in the query string.
// Pure functions: the plugin supplies the clock and the nonce.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pcgd::woocommerce {

enum class AuthScheme { basic, oauth1, query };

/// "auto" picks Basic for https and OAuth 1.0a for http, as WooCommerce asks.
std::optional<AuthScheme> auth_scheme_of(std::string_view setting, std::string_view base_url);
const char* to_string(AuthScheme scheme) noexcept;

/// RFC 3986 percent-encoding (unreserved characters kept), as OAuth 1.0a
/// section 3.6 and PHP's rawurlencode do it.
std::string percent_encode(std::string_view s);

std::string base64(std::string_view bytes);

enum class HmacAlgorithm { sha1, sha256 };

/// The raw HMAC of `data` under `key`.
std::string hmac(HmacAlgorithm algorithm, std::string_view key, std::string_view data);

using Params = std::vector<std::pair<std::string, std::string>>;  // decoded names and values

/// The base string URI of RFC 5849 section 3.4.1.2: scheme and host in lower
/// case, the default port dropped, no query or fragment.
std::string base_string_uri(std::string_view url);

/// The signature base string of RFC 5849 section 3.4.1: METHOD&uri&params,
/// the parameters encoded, sorted by name then value, joined and encoded again.
std::string signature_base_string(std::string_view method, std::string_view url, const Params& params);

/// base64(HMAC(base string, pct(consumer secret) & pct(token secret))).
std::string oauth1_signature(HmacAlgorithm algorithm, std::string_view base_string, std::string_view consumer_secret,
                             std::string_view token_secret = {});

/// Adds the one-legged OAuth 1.0a parameters, signature included, to the
/// query of `url` (which may already carry a query) and returns the new URL.
/// WooCommerce signs with HMAC-SHA256 here and wants no oauth_version.
std::string oauth1_signed_url(std::string_view method, std::string_view url, std::string_view consumer_key,
                              std::string_view consumer_secret, std::int64_t timestamp_s, std::string_view nonce);

/// The query of `url`, decoded ('+' as a space, as PHP reads a query).
Params query_params(std::string_view url);

/// "Basic base64(key:secret)".
std::string basic_authorization(std::string_view consumer_key, std::string_view consumer_secret);

/// An HTTP Date header (RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT")
/// in UTC milliseconds; nothing when it is not one.
std::optional<std::int64_t> parse_http_date(std::string_view value);

}  // namespace pcgd::woocommerce
