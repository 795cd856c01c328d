// GET /connect/shopify/callback: where Shopify sends the SME's browser after
// they approve the app. No token: the query is signed by Shopify (HMAC with
// the app's client secret) and carries our own signed, expiring, single-use
// state naming the shop (connect.hpp). The code is exchanged at the shop's
// /admin/oauth/access_token and the token and granted scopes are stored
// sealed. The answer is a small HTML page for the SME.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <pcgd/sdk/json.hpp>
#include <pcgd/sdk/text.hpp>
#include <regex>

#include "server/api.hpp"
#include "server/connect.hpp"
#include "server/connect_exchange.hpp"
#include "server/shop_credentials.hpp"
#include "server/webhooks.hpp"

namespace pcgd::host::server {

namespace {

std::string html_escape(std::string_view text) {
    std::string out;
    for (char c : text) switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    return out;
}

Response page(unsigned status, const std::string& title, const std::string& text) {
    Response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
             "</title></head>\n<body><h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(text) +
             "</p></body></html>\n";
    return r;
}

Response refused(const char* platform, const std::string& shop_id, const std::string& why, const std::string& told) {
    spdlog::warn("connect {}/{} refused: {}", platform, loggable(shop_id), why);
    return page(400, "Not connected", told);
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

Response shopify_callback(Api& api, const Call& c) {
    const auto& q = c.request.query;
    const auto param = [&](const char* name) {
        const auto it = q.find(name);
        return it == q.end() ? std::string() : it->second;
    };
    if (param("state").empty())
        return refused("shopify", "-", "no state",
                       "This address is incomplete. Please open the link you were sent again.");
    std::string error;
    const std::int64_t now_ms = api.now_ms();
    const auto state = connect::verify_state(connect::state_key(service_vault(api)), param("state"), now_ms, error);
    if (!state || state->platform != "shopify")
        return refused("shopify", "-", state ? "state of " + state->platform : error,
                       "This link is not valid or has expired. Please ask your account manager for a new one.");
    const std::string& shop_id = state->shop_id;
    auto shop = api.store.get_shop(shop_id);
    if (!shop || shop->shop.platform != "shopify")
        return refused("shopify", shop_id, "the shop is gone or not on Shopify",
                       "This shop is no longer set up for connection. Please ask your account manager.");
    auto credentials = shop_credentials(api, *shop);
    const std::string secret = credentials.count("client_secret") ? credentials.at("client_secret") : "";
    if (!connect::verify_shopify_query(secret, q))
        return refused("shopify", shop_id, "the query's hmac does not verify",
                       "Shopify's signature on this address does not verify. Please open the link again.");
    // The signed `shop` must be the shop the state names.
    static const std::regex myshopify(R"(^[a-z0-9][a-z0-9-]*\.myshopify\.com$)");
    const std::string expected = lower(connect::url_authority(shop->base_url));
    const std::string claimed = lower(param("shop"));
    if (claimed != expected || (shop->base_url.rfind("https://", 0) == 0 && !std::regex_match(claimed, myshopify)))
        return refused("shopify", shop_id, "shop '" + loggable(claimed) + "' is not " + expected,
                       "This approval is for another shop than the one this link was made for.");
    std::int64_t timestamp_s = 0;
    try {
        timestamp_s = std::stoll(param("timestamp"));
    } catch (const std::exception&) {
        timestamp_s = 0;
    }
    if (std::llabs(now_ms - timestamp_s * 1000) > connect::callback_max_age_ms)
        return refused("shopify", shop_id, "timestamp '" + loggable(param("timestamp")) + "' is not within an hour",
                       "This address is too old. Please open the link you were sent again.");
    const std::string used = "oauth-state:" + state->nonce;
    if (api.store.delivery_seen(shop_id, used))
        return refused("shopify", shop_id, "the state was used already",
                       "This link has been used already. Please ask your account manager for a new one if needed.");
    if (param("code").empty()) return refused("shopify", shop_id, "no code", "Shopify sent no authorization code.");

    std::string base = shop->base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string form = "client_id=" + sdk::url_encode(connect::shop_setting(*shop, "client_id")) +
                             "&client_secret=" + sdk::url_encode(secret) + "&code=" + sdk::url_encode(param("code"));
    std::pair<int, std::string> reply;
    try {
        reply = api.post_form ? api.post_form(base + "/admin/oauth/access_token", form, "")
                              : blocking_post_form(api.config, base + "/admin/oauth/access_token", form);
    } catch (const std::exception& e) {
        spdlog::warn("connect shopify/{}: code exchange failed: {}", shop_id, e.what());
        return page(502, "Not connected", "Shopify could not be reached to finish the connection. Please try again.");
    }
    std::string token, scope;
    if (reply.first == 200) {
        try {
            rapidjson::Document doc;
            json::parse(doc, reply.second, "the access token answer");
            const json::Node root(doc);
            token = std::string(root.at("access_token").str());
            if (auto s = root.find("scope")) scope = std::string(s->str());
        } catch (const std::exception& e) {
            spdlog::warn("connect shopify/{}: unexpected access token answer: {}", shop_id, e.what());
        }
    }
    if (token.empty()) {
        spdlog::warn("connect shopify/{}: code exchange answered {}", shop_id, reply.first);
        return page(502, "Not connected", "Shopify refused to finish the connection. Please open the link again.");
    }
    credentials["access_token"] = token;
    credentials["scope"] = scope;
    shop->sealed_credentials = service_vault(api).seal(credentials);
    api.store.put_shop(*shop);
    api.store.record_delivery(shop_id, used, now_ms, now_ms - connect::link_validity_ms);
    const auto missing = connect::missing_shopify_scopes(scope);
    spdlog::info("connect shopify/{}: connected with scopes {}{}", shop_id, scope,
                 missing.empty() ? "" : " (" + std::to_string(missing.size()) + " missing)");
    std::string text = "Your Shopify shop is now connected. You can close this page.";
    if (!missing.empty()) {
        text += " Some access was not granted, so your account manager will see less: ";
        for (std::size_t i = 0; i < missing.size(); ++i)
            text += std::string(i ? "; " : "") + missing[i].scope + ": " + missing[i].cost;
        text += ".";
    }
    return page(200, "Connected", text);
}

/// The address this callback was reached at, which Amazon wants again in the
/// code exchange: the Host header, and X-Forwarded-Proto when a TLS proxy
/// sits in front (else http).
std::string own_callback_url(const Request& request, const char* platform) {
    const std::string* proto = request.header("X-Forwarded-Proto");
    const std::string* host = request.header("Host");
    return connect::callback_url((proto && *proto == "https" ? "https://" : "http://") + (host ? *host : ""), platform);
}

// GET /connect/amazon/callback?spapi_oauth_code&state&selling_partner_id:
// Amazon signs nothing here; our signed single-use state is the proof, and
// the code is worth nothing without the app's client secret.
Response amazon_callback(Api& api, const Call& c) {
    const auto& q = c.request.query;
    const auto param = [&](const char* name) {
        const auto it = q.find(name);
        return it == q.end() ? std::string() : it->second;
    };
    if (param("state").empty())
        return refused("amazon", "-", "no state",
                       "This address is incomplete. Please open the link you were sent again.");
    std::string error;
    const std::int64_t now_ms = api.now_ms();
    const auto state = connect::verify_state(connect::state_key(service_vault(api)), param("state"), now_ms, error);
    if (!state || state->platform != "amazon")
        return refused("amazon", "-", state ? "state of " + state->platform : error,
                       "This link is not valid or has expired. Please ask your account manager for a new one.");
    const std::string& shop_id = state->shop_id;
    auto shop = api.store.get_shop(shop_id);
    if (!shop || shop->shop.platform != "amazon")
        return refused("amazon", shop_id, "the shop is gone or not on Amazon",
                       "This shop is no longer set up for connection. Please ask your account manager.");
    const std::string used = "oauth-state:" + state->nonce;
    if (api.store.delivery_seen(shop_id, used))
        return refused("amazon", shop_id, "the state was used already",
                       "This link has been used already. Please ask your account manager for a new one if needed.");
    if (param("spapi_oauth_code").empty() || param("selling_partner_id").empty())
        return refused("amazon", shop_id, "no spapi_oauth_code or selling_partner_id",
                       "Amazon sent no authorization. Please open the link again.");
    auto credentials = shop_credentials(api, *shop);
    const std::string secret = credentials.count("client_secret") ? credentials.at("client_secret") : "";
    const std::string form = "grant_type=authorization_code&code=" + sdk::url_encode(param("spapi_oauth_code")) +
                             "&redirect_uri=" + sdk::url_encode(own_callback_url(c.request, "amazon")) +
                             "&client_id=" + sdk::url_encode(connect::shop_setting(*shop, "client_id")) +
                             "&client_secret=" + sdk::url_encode(secret);
    const std::string token_url = connect::amazon_token_url(*shop);
    std::pair<int, std::string> reply;
    try {
        reply = api.post_form ? api.post_form(token_url, form, "") : blocking_post_form(api.config, token_url, form);
    } catch (const std::exception& e) {
        spdlog::warn("connect amazon/{}: code exchange failed: {}", shop_id, e.what());
        return page(502, "Not connected", "Amazon could not be reached to finish the connection. Please try again.");
    }
    std::string refresh_token;
    if (reply.first == 200) {
        try {
            rapidjson::Document doc;
            json::parse(doc, reply.second, "the LWA token answer");
            refresh_token = std::string(json::Node(doc).at("refresh_token").str());
        } catch (const std::exception& e) {
            spdlog::warn("connect amazon/{}: unexpected LWA token answer: {}", shop_id, e.what());
        }
    }
    if (refresh_token.empty()) {
        spdlog::warn("connect amazon/{}: code exchange answered {}", shop_id, reply.first);
        return page(502, "Not connected", "Amazon refused to finish the connection. Please open the link again.");
    }
    credentials["refresh_token"] = refresh_token;
    credentials["selling_partner_id"] = param("selling_partner_id");
    shop->sealed_credentials = service_vault(api).seal(credentials);
    api.store.put_shop(*shop);
    api.store.record_delivery(shop_id, used, now_ms, now_ms - connect::link_validity_ms);
    spdlog::info("connect amazon/{}: connected, selling partner {}", shop_id, loggable(param("selling_partner_id")));
    return page(200, "Connected", "Your Amazon seller account is now connected. You can close this page.");
}

// GET /connect/ebay/callback?code&state&expires_in: the accept URL of the
// app's RuName. As with Amazon, our signed single-use state is the proof.
Response ebay_callback(Api& api, const Call& c) {
    const auto& q = c.request.query;
    const auto param = [&](const char* name) {
        const auto it = q.find(name);
        return it == q.end() ? std::string() : it->second;
    };
    if (param("state").empty())
        return refused("ebay", "-", "no state",
                       "This address is incomplete. Please open the link you were sent again.");
    std::string error;
    const std::int64_t now_ms = api.now_ms();
    const auto state = connect::verify_state(connect::state_key(service_vault(api)), param("state"), now_ms, error);
    if (!state || state->platform != "ebay")
        return refused("ebay", "-", state ? "state of " + state->platform : error,
                       "This link is not valid or has expired. Please ask your account manager for a new one.");
    const std::string& shop_id = state->shop_id;
    auto shop = api.store.get_shop(shop_id);
    if (!shop || shop->shop.platform != "ebay")
        return refused("ebay", shop_id, "the shop is gone or not on eBay",
                       "This shop is no longer set up for connection. Please ask your account manager.");
    const std::string used = "oauth-state:" + state->nonce;
    if (api.store.delivery_seen(shop_id, used))
        return refused("ebay", shop_id, "the state was used already",
                       "This link has been used already. Please ask your account manager for a new one if needed.");
    if (param("code").empty())
        return refused("ebay", shop_id, "no code", "eBay sent no authorization. Please open the link again.");
    auto credentials = shop_credentials(api, *shop);
    const auto credential = [&](const char* name) { return credentials.count(name) ? credentials.at(name) : ""; };
    const std::string form = "grant_type=authorization_code&code=" + sdk::url_encode(param("code")) +
                             "&redirect_uri=" + sdk::url_encode(connect::shop_setting(*shop, "ru_name"));
    const std::string authorization =
        "Basic " + webhooks::base64(credential("client_id") + ":" + credential("client_secret"));
    std::string base = shop->base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string token_url = base + "/identity/v1/oauth2/token";
    std::pair<int, std::string> reply;
    try {
        reply = api.post_form ? api.post_form(token_url, form, authorization)
                              : blocking_post_form(api.config, token_url, form, authorization);
    } catch (const std::exception& e) {
        spdlog::warn("connect ebay/{}: code exchange failed: {}", shop_id, e.what());
        return page(502, "Not connected", "eBay could not be reached to finish the connection. Please try again.");
    }
    std::string refresh_token;
    if (reply.first == 200) {
        try {
            rapidjson::Document doc;
            json::parse(doc, reply.second, "the eBay token answer");
            refresh_token = std::string(json::Node(doc).at("refresh_token").str());
        } catch (const std::exception& e) {
            spdlog::warn("connect ebay/{}: unexpected token answer: {}", shop_id, e.what());
        }
    }
    if (refresh_token.empty()) {
        spdlog::warn("connect ebay/{}: code exchange answered {}", shop_id, reply.first);
        return page(502, "Not connected", "eBay refused to finish the connection. Please open the link again.");
    }
    credentials["refresh_token"] = refresh_token;
    shop->sealed_credentials = service_vault(api).seal(credentials);
    api.store.put_shop(*shop);
    api.store.record_delivery(shop_id, used, now_ms, now_ms - connect::link_validity_ms);
    spdlog::info("connect ebay/{}: connected", shop_id);
    return page(200, "Connected", "Your eBay seller account is now connected. You can close this page.");
}

}  // namespace

void add_connect_routes(Router& router, Api& api) {
    router.add(
        "GET", "/connect/shopify/callback", [&api](const Call& c) { return shopify_callback(api, c); }, true);
    router.add(
        "GET", "/connect/amazon/callback", [&api](const Call& c) { return amazon_callback(api, c); }, true);
    router.add(
        "GET", "/connect/ebay/callback", [&api](const Call& c) { return ebay_callback(api, c); }, true);
}

}  // namespace pcgd::host::server
