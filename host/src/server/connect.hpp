// Connecting a shop by the platform's consent page: the account manager runs
// `pcgd shop connect`, sends the SME the link it prints, the SME approves,
// and the platform redirects to the service's callback (handlers_connect.cpp),
// which exchanges the code and stores the token sealed. Pure functions here:
// the signed state, Shopify's query HMAC, the authorization URL, and what a
// missing scope costs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "secrets/vault.hpp"
#include "store/store.hpp"

namespace pcgd::host::server::connect {

/// How long a connect link stays usable: the SME may open it days later.
constexpr std::int64_t link_validity_ms = 7LL * 24 * 3600 * 1000;
/// How old Shopify's `timestamp` on a callback may be.
constexpr std::int64_t callback_max_age_ms = 60LL * 60 * 1000;

/// The key that signs states: derived from the vault's key, so that it needs
/// no storage and a copy of the store cannot forge links.
std::string state_key(const Vault& vault);

/// What a state binds: the platform, the shop, when it expires, and a nonce
/// that makes it single-use (the callback records it as seen).
struct State {
    std::string platform;
    std::string shop_id;
    std::int64_t expires_at_ms = 0;
    std::string nonce;  // 32 hex digits
};

/// "PLATFORM.SHOP.EXPIRES_MS.NONCE.HMAC" (hex HMAC-SHA256 over the rest).
std::string sign_state(std::string_view key, const State& state);
/// The state's claims, or nullopt with `error` saying why not (malformed,
/// bad signature, expired).
std::optional<State> verify_state(std::string_view key, std::string_view text, std::int64_t now_ms, std::string& error);
/// 16 random bytes as hex.
std::string new_nonce();

/// Shopify's OAuth query HMAC: every parameter but `hmac` (and the legacy
/// `signature`), sorted by name, joined as k=v&k=v with decoded values,
/// HMAC-SHA256 with the client secret, hex; compared in constant time.
bool verify_shopify_query(std::string_view client_secret, const std::map<std::string, std::string>& query);
/// The same digest, for the emulator and tests.
std::string shopify_query_hmac(std::string_view client_secret, const std::map<std::string, std::string>& query);

/// Scopes the plugin and the tools need, and what is lost without each.
struct ScopeNeed {
    const char* scope;
    const char* cost;  // what the account manager is told when it is missing
};
const std::vector<ScopeNeed>& shopify_scopes();
/// The needs that `granted` (comma-separated, as Shopify answers) lacks.
/// Shopify implies read_X by write_X.
std::vector<ScopeNeed> missing_shopify_scopes(std::string_view granted);

/// The callback's address: `public_url` + "/connect/PLATFORM/callback".
std::string callback_url(std::string_view public_url, std::string_view platform);

/// The link to send the SME for a Shopify shop (added with base_url,
/// client_id and the client_secret credential). Throws std::invalid_argument
/// naming what the shop lacks.
std::string shopify_authorize_url(const ShopRecord& shop, const std::map<std::string, std::string>& credentials,
                                  std::string_view state_key, std::string_view public_url, std::int64_t now_ms);

/// The link to send an Amazon seller: Seller Central's consent page
/// (`seller_central_url`, by default the one of the shop's country) for the
/// app `application_id`; the shop needs client_id and client_secret too.
/// Throws std::invalid_argument naming what the shop lacks.
std::string amazon_authorize_url(const ShopRecord& shop, const std::map<std::string, std::string>& credentials,
                                 std::string_view state_key, std::string_view public_url, std::int64_t now_ms);
/// Where the shop's LWA codes are exchanged: its token_url setting, else LWA's.
std::string amazon_token_url(const ShopRecord& shop);

/// The scopes the eBay plugin uses (space-separated in the consent URL).
const std::vector<std::string>& ebay_scopes();
/// The link to send an eBay seller: the consent page (`auth_url`, by default
/// auth.ebay.com, or auth.sandbox.ebay.com for a sandbox base_url) with the
/// app's RuName (`ru_name`) as redirect_uri: eBay sends the seller on to the
/// accept URL registered for that RuName, which must be this service's
/// /connect/ebay/callback. Throws std::invalid_argument naming what the shop lacks.
std::string ebay_authorize_url(const ShopRecord& shop, const std::map<std::string, std::string>& credentials,
                               std::string_view state_key, std::int64_t now_ms);

/// The link to send the shop's owner, by its platform (shopify, amazon,
/// ebay): what `pcgd shop connect` prints and POST /api/shops/{id}/connect
/// answers. Throws std::invalid_argument naming what the shop lacks, or that
/// its platform has no consent page.
std::string authorize_url(const ShopRecord& shop, const std::map<std::string, std::string>& credentials,
                          std::string_view state_key, std::string_view public_url, std::int64_t now_ms);

/// The host[:port] of a URL ("https://a.myshopify.com/x" -> "a.myshopify.com").
std::string url_authority(std::string_view url);

/// A string setting of the shop's settings_json, or "".
std::string shop_setting(const ShopRecord& shop, const char* name);

/// A boolean setting of the shop; false when unset or not a boolean.
bool shop_flag(const ShopRecord& shop, const char* name);

}  // namespace pcgd::host::server::connect
