// Webhook deliveries: how a platform's signature is checked, and the rules
// that tell a fresh delivery from a duplicate or a replay. Pure functions, so
// they are tested with known vectors; handlers_webhooks.cpp applies them.
//
// Credentials (sealed in the shop's vault entry, `pcgd shop add --credential`):
//   Shopify      client_secret   the app's client secret (it also signs OAuth callbacks)
//   WooCommerce  webhook_secret  the secret given when the webhook was created
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/http_types.hpp"

namespace pcgd::host::server::webhooks {

/// HMAC-SHA256 of `data` with `key`: 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);
/// Standard base64 with padding.
std::string base64(std::string_view bytes);
/// Lower-case hex.
std::string hex(std::string_view bytes);
/// Equal contents, compared in time independent of where they differ (the
/// lengths, which are public, are compared first).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// base64(HMAC-SHA256(secret, body)) equals `signature`: the scheme of both
/// Shopify (X-Shopify-Hmac-Sha256) and WooCommerce (X-WC-Webhook-Signature).
bool verify_body_signature(std::string_view secret, std::string_view body, std::string_view signature);

/// A delivery older than this (by the platform's own timestamp) is refused as
/// a replay, and delivery ids are remembered for as long, so that any replay
/// within it is recognised as a duplicate. Longer than Shopify's retries (4 h)
/// so that no genuine retry is refused.
constexpr std::int64_t replay_window_ms = 48LL * 3600 * 1000;
/// How far ahead of our clock a platform's timestamp may be.
constexpr std::int64_t clock_skew_ms = 5LL * 60 * 1000;

/// The header under its name with or without the "X-" prefix (Shopify's newer
/// deliveries drop it): `name` is given without it, e.g. "Shopify-Hmac-Sha256".
const std::string* prefixed_header(const Request& request, std::string_view name);

/// Why a signed delivery's timestamp is unacceptable ("" when it is fine).
/// `triggered_at` is ISO 8601, as in X-Shopify-Triggered-At.
std::string timestamp_problem(std::string_view triggered_at, std::int64_t now_ms);

/// A WooCommerce ping: the form body `webhook_id=N` sent unsigned when a
/// webhook is saved; it must be answered 200 for the webhook to go active.
bool is_woocommerce_ping(const Request& request);

}  // namespace pcgd::host::server::webhooks
