#include "server/connect.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <pcgd/sdk/json.hpp>
#include <pcgd/sdk/text.hpp>
#include <stdexcept>

#include "server/webhooks.hpp"

namespace pcgd::host::server::connect {

std::string state_key(const Vault& vault) {
    return vault.derive_key("pcgd connect state v1");
}

namespace {
std::string state_payload(const State& s) {
    return s.platform + "." + s.shop_id + "." + std::to_string(s.expires_at_ms) + "." + s.nonce;
}
bool is_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
}  // namespace

std::string sign_state(std::string_view key, const State& state) {
    const std::string payload = state_payload(state);
    return payload + "." + webhooks::hex(webhooks::hmac_sha256(key, payload));
}

std::optional<State> verify_state(std::string_view key, std::string_view text, std::int64_t now_ms,
                                  std::string& error) {
    // The shop id may hold dots: the other fields are taken from the ends.
    const auto last = text.rfind('.');
    const auto first = text.find('.');
    if (last == std::string_view::npos || first == last) {
        error = "the state is malformed";
        return std::nullopt;
    }
    const std::string_view payload = text.substr(0, last), mac = text.substr(last + 1);
    if (!webhooks::constant_time_equal(webhooks::hex(webhooks::hmac_sha256(key, payload)), mac)) {
        error = "the state's signature does not verify (a link from another service, or altered)";
        return std::nullopt;
    }
    State s;
    s.platform = std::string(payload.substr(0, first));
    std::string_view rest = payload.substr(first + 1);
    const auto nonce_at = rest.rfind('.');
    if (nonce_at == std::string_view::npos) {
        error = "the state is malformed";
        return std::nullopt;
    }
    s.nonce = std::string(rest.substr(nonce_at + 1));
    rest = rest.substr(0, nonce_at);
    const auto expires_at = rest.rfind('.');
    if (expires_at == std::string_view::npos || s.nonce.size() != 32 || !is_hex(s.nonce)) {
        error = "the state is malformed";
        return std::nullopt;
    }
    s.shop_id = std::string(rest.substr(0, expires_at));
    try {
        s.expires_at_ms = std::stoll(std::string(rest.substr(expires_at + 1)));
    } catch (const std::exception&) {
        error = "the state is malformed";
        return std::nullopt;
    }
    if (s.expires_at_ms < now_ms) {
        error = "the link has expired: ask for a new one (`pcgd shop connect`)";
        return std::nullopt;
    }
    return s;
}

std::string new_nonce() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("the random generator failed");
    return webhooks::hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string shopify_query_hmac(std::string_view client_secret, const std::map<std::string, std::string>& query) {
    std::string message;
    for (const auto& [name, value] : query) {  // a std::map is sorted by name
        if (name == "hmac" || name == "signature") continue;
        message += (message.empty() ? "" : "&") + name + "=" + value;
    }
    return webhooks::hex(webhooks::hmac_sha256(client_secret, message));
}

bool verify_shopify_query(std::string_view client_secret, const std::map<std::string, std::string>& query) {
    const auto hmac = query.find("hmac");
    if (client_secret.empty() || hmac == query.end()) return false;
    return webhooks::constant_time_equal(shopify_query_hmac(client_secret, query), hmac->second);
}

const std::vector<ScopeNeed>& shopify_scopes() {
    static const std::vector<ScopeNeed> needs = {
        {"read_products", "no products or variants: the quality and opportunities reports are empty"},
        {"read_inventory", "no stock or unit costs: no sell-through, no margins"},
        {"read_locations", "stock cannot be read per location"},
        {"read_orders", "no orders: no sales in any report"},
        {"read_all_orders", "only the last 60 days of orders: growth and planning lack history"},
    };
    return needs;
}

std::vector<ScopeNeed> missing_shopify_scopes(std::string_view granted) {
    std::vector<std::string> have;
    while (!granted.empty()) {
        const auto comma = granted.find(',');
        std::string scope(granted.substr(0, comma));
        scope.erase(std::remove(scope.begin(), scope.end(), ' '), scope.end());
        if (scope.rfind("write_", 0) == 0) have.push_back("read_" + scope.substr(6));
        have.push_back(std::move(scope));
        granted = comma == std::string_view::npos ? std::string_view() : granted.substr(comma + 1);
    }
    std::vector<ScopeNeed> missing;
    for (const auto& need : shopify_scopes())
        if (std::find(have.begin(), have.end(), need.scope) == have.end()) missing.push_back(need);
    return missing;
}

std::string callback_url(std::string_view public_url, std::string_view platform) {
    std::string base(public_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/connect/" + std::string(platform) + "/callback";
}

std::string url_authority(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
    return std::string(url.substr(0, url.find('/')));
}

std::string shop_setting(const ShopRecord& shop, const char* name) {
    try {
        rapidjson::Document doc;
        json::parse(doc, shop.settings_json, "settings");
        if (auto v = json::Node(doc).find(name); v && v->is_string()) return std::string(v->str());
    } catch (const std::exception&) {
    }
    return {};
}

bool shop_flag(const ShopRecord& shop, const char* name) {
    try {
        rapidjson::Document doc;
        json::parse(doc, shop.settings_json, "settings");
        if (auto v = json::Node(doc).find(name)) return v->boolean();
    } catch (const std::exception&) {
    }
    return false;
}

std::string shopify_authorize_url(const ShopRecord& shop, const std::map<std::string, std::string>& credentials,
                                  std::string_view state_key, std::string_view public_url, std::int64_t now_ms) {
    if (shop.shop.platform != "shopify")
        throw std::invalid_argument("shop '" + shop.shop.id + "' is on " + shop.shop.platform + ", not shopify");
    const std::string client_id = shop_setting(shop, "client_id");
    std::string lacks;
    if (client_id.empty()) lacks = "the setting client_id";
    const auto secret = credentials.find("client_secret");
    if (secret == credentials.end() || secret->second.empty())
        lacks += std::string(lacks.empty() ? "" : " and ") + "the credential client_secret";
    if (!lacks.empty())
        throw std::invalid_argument("shop '" + shop.shop.id + "' lacks " + lacks +
                                    " of the Shopify app (remove and add it again with --setting client_id=... "
                                    "--credential client_secret=...)");
    std::string scopes;
    for (const auto& need : shopify_scopes()) scopes += (scopes.empty() ? "" : ",") + std::string(need.scope);
    std::string base = shop.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const State state{"shopify", shop.shop.id, now_ms + link_validity_ms, new_nonce()};
    return base + "/admin/oauth/authorize?client_id=" + sdk::url_encode(client_id) +
           "&scope=" + sdk::url_encode(scopes) +
           "&redirect_uri=" + sdk::url_encode(callback_url(public_url, "shopify")) +
           "&state=" + sdk::url_encode(sign_state(state_key, state));
}

std::string amazon_token_url(const ShopRecord& shop) {
    const std::string url = shop_setting(shop, "token_url");
    return url.empty() ? "https://api.amazon.com/auth/o2/token" : url;
}

std::string amazon_authorize_url(const ShopRecord& shop, const std::map<std::string, std::string>& credentials,
                                 std::string_view state_key, std::string_view public_url, std::int64_t now_ms) {
    if (shop.shop.platform != "amazon")
        throw std::invalid_argument("shop '" + shop.shop.id + "' is on " + shop.shop.platform + ", not amazon");
    std::string lacks;
    for (const char* setting : {"application_id", "client_id"})
        if (shop_setting(shop, setting).empty())
            lacks += (lacks.empty() ? "the setting " : " and the setting ") + std::string(setting);
    const auto secret = credentials.find("client_secret");
    if (secret == credentials.end() || secret->second.empty())
        lacks += std::string(lacks.empty() ? "" : " and ") + "the credential client_secret";
    if (!lacks.empty())
        throw std::invalid_argument("shop '" + shop.shop.id + "' lacks " + lacks +
                                    " of the SP-API app (remove and add it again with --setting application_id=... "
                                    "--setting client_id=... --credential client_secret=...)");
    std::string central = shop_setting(shop, "seller_central_url");
    if (central.empty()) {
        const std::string& c = shop.shop.country;
        central = c == "GB"   ? "https://sellercentral.amazon.co.uk"
                  : c == "FR" ? "https://sellercentral.amazon.fr"
                  : c == "DE" ? "https://sellercentral.amazon.de"
                  : c == "IT" ? "https://sellercentral.amazon.it"
                  : c == "ES" ? "https://sellercentral.amazon.es"
                              : "https://sellercentral-europe.amazon.com";
    }
    while (!central.empty() && central.back() == '/') central.pop_back();
    const State state{"amazon", shop.shop.id, now_ms + link_validity_ms, new_nonce()};
    // Amazon authorizes an app still in draft only when asked for a beta
    // authorization (the website workflow's "version=beta").
    return central + "/apps/authorize/consent?application_id=" + sdk::url_encode(shop_setting(shop, "application_id")) +
           "&state=" + sdk::url_encode(sign_state(state_key, state)) +
           "&redirect_uri=" + sdk::url_encode(callback_url(public_url, "amazon")) +
           (shop_flag(shop, "draft_app") ? "&version=beta" : "");
}

const std::vector<std::string>& ebay_scopes() {
    static const std::vector<std::string> scopes = {
        "https://api.ebay.com/oauth/api_scope/sell.inventory.readonly",
        "https://api.ebay.com/oauth/api_scope/sell.fulfillment.readonly",
        "https://api.ebay.com/oauth/api_scope/sell.analytics.readonly",
        "https://api.ebay.com/oauth/api_scope/sell.finances",
        "https://api.ebay.com/oauth/api_scope/commerce.identity.readonly",
    };
    return scopes;
}

std::string authorize_url(const ShopRecord& shop, const std::map<std::string, std::string>& credentials,
                          std::string_view state_key, std::string_view public_url, std::int64_t now_ms) {
    const std::string& platform = shop.shop.platform;
    if (platform == "shopify") return shopify_authorize_url(shop, credentials, state_key, public_url, now_ms);
    if (platform == "amazon") return amazon_authorize_url(shop, credentials, state_key, public_url, now_ms);
    if (platform == "ebay") return ebay_authorize_url(shop, credentials, state_key, now_ms);
    throw std::invalid_argument("connecting by consent page is implemented for shopify, amazon and ebay; shop '" +
                                shop.shop.id + "' is on " + platform +
                                " (add its credentials with `pcgd shop add --credential`)");
}

std::string ebay_authorize_url(const ShopRecord& shop, const std::map<std::string, std::string>& credentials,
                               std::string_view state_key, std::int64_t now_ms) {
    if (shop.shop.platform != "ebay")
        throw std::invalid_argument("shop '" + shop.shop.id + "' is on " + shop.shop.platform + ", not ebay");
    std::string lacks;
    if (shop_setting(shop, "ru_name").empty()) lacks = "the setting ru_name";
    for (const char* credential : {"client_id", "client_secret"}) {
        const auto it = credentials.find(credential);
        if (it == credentials.end() || it->second.empty())
            lacks += (lacks.empty() ? "the credential " : " and the credential ") + std::string(credential);
    }
    if (!lacks.empty())
        throw std::invalid_argument("shop '" + shop.shop.id + "' lacks " + lacks +
                                    " of the eBay app (remove and add it again with --setting ru_name=... "
                                    "--credential client_id=... --credential client_secret=...)");
    std::string auth = shop_setting(shop, "auth_url");
    if (auth.empty())
        auth = shop.base_url.find("sandbox") != std::string::npos ? "https://auth.sandbox.ebay.com"
                                                                  : "https://auth.ebay.com";
    while (!auth.empty() && auth.back() == '/') auth.pop_back();
    std::string scopes;
    for (const auto& scope : ebay_scopes()) scopes += (scopes.empty() ? "" : " ") + scope;
    const State state{"ebay", shop.shop.id, now_ms + link_validity_ms, new_nonce()};
    return auth + "/oauth2/authorize?client_id=" + sdk::url_encode(credentials.at("client_id")) +
           "&redirect_uri=" + sdk::url_encode(shop_setting(shop, "ru_name")) +
           "&response_type=code&scope=" + sdk::url_encode(scopes) +
           "&state=" + sdk::url_encode(sign_state(state_key, state));
}

}  // namespace pcgd::host::server::connect
