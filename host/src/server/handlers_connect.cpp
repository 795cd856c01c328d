// GET /connect/{shopify,amazon,ebay}/callback: where the platform sends the
// owner's browser after they approve the app (`pcgd shop connect`). No token:
// each carries our own signed, expiring, single-use state naming the shop
// (connect.hpp), and Shopify also signs the whole query with the app's client
// secret. The code is exchanged at the platform's token endpoint and what it
// yields is stored with the shop's sealed credentials. The answer is a small
// HTML page for the owner; the reason of a refusal goes to the log (warn).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <pcgd/model/time.hpp>
#include <pcgd/sdk/json.hpp>
#include <pcgd/sdk/text.hpp>
#include <regex>
#include <variant>

#include "server/access.hpp"
#include "server/api.hpp"
#include "server/connect.hpp"
#include "server/connect_exchange.hpp"
#include "server/shop_credentials.hpp"
#include "server/webhooks.hpp"

namespace pcgd::host::server {

namespace {

struct Platform {
    const char* id;    // as in ShopRecord::shop.platform and the route
    const char* name;  // as the owner knows it
};
constexpr Platform shopify{"shopify", "Shopify"}, amazon{"amazon", "Amazon"}, ebay{"ebay", "eBay"};

std::string html_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '&')
            out += "&amp;";
        else if (c == '"')
            out += "&quot;";
        else
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

Response refused(const Platform& p, const std::string& shop_id, const std::string& why, const std::string& told) {
    spdlog::warn("connect {}/{} refused: {}", p.id, loggable(shop_id), why);
    return page(400, "Not connected", told);
}

std::string param(const Call& c, const char* name) {
    const auto it = c.request.query.find(name);
    return it == c.request.query.end() ? std::string() : it->second;
}

/// A link whose state verified: the shop it names, not connected by it yet.
struct Link {
    ShopRecord shop;
    std::map<std::string, std::string> credentials;
    std::string used;  // the state's key in webhook_deliveries once used
    std::int64_t now_ms = 0;
    std::string credential(const char* name) const {
        const auto it = credentials.find(name);
        return it == credentials.end() ? std::string() : it->second;
    }
};

/// The link, or the refusal: the state's signature, expiry and platform, the
/// shop (still there, still on that platform), and that it was not used.
std::variant<Link, Response> open_link(Api& api, const Call& c, const Platform& p) {
    if (param(c, "state").empty())
        return refused(p, "-", "no state", "This address is incomplete. Please open the link you were sent again.");
    std::string error;
    Link link;
    link.now_ms = api.now_ms();
    const auto state =
        connect::verify_state(connect::state_key(service_vault(api)), param(c, "state"), link.now_ms, error);
    if (!state || state->platform != p.id)
        return refused(p, "-", state ? "state of " + state->platform : error,
                       "This link is not valid or has expired. Please ask your account manager for a new one.");
    auto shop = c.store.get_shop(state->shop_id);
    if (!shop || shop->shop.platform != p.id)
        return refused(p, state->shop_id, std::string("the shop is gone or not on ") + p.name,
                       "This shop is no longer set up for connection. Please ask your account manager.");
    link.used = "oauth-state:" + state->nonce;
    if (c.store.delivery_seen(state->shop_id, link.used))
        return refused(p, state->shop_id, "the state was used already",
                       "This link has been used already. Please ask your account manager for a new one if needed.");
    link.credentials = shop_credentials(api, *shop);
    link.shop = std::move(*shop);
    return link;
}

/// POSTs the code exchange; the string fields of a 200 JSON answer that has
/// `required`, or the 502 page (nothing is stored then).
std::variant<std::map<std::string, std::string>, Response> exchange(Api& api, const Call& c, const Platform& p,
                                                                    const Link& link, const std::string& url,
                                                                    const std::string& form,
                                                                    const std::string& authorization,
                                                                    const char* required) {
    const std::string& shop_id = link.shop.shop.id;
    std::pair<int, std::string> reply;
    try {
        reply = api.post_form ? api.post_form(url, form, authorization)
                              : blocking_post_form(c.config, url, form, authorization);
    } catch (const std::exception& e) {
        spdlog::warn("connect {}/{}: code exchange failed: {}", p.id, shop_id, e.what());
        return page(502, "Not connected",
                    std::string(p.name) + " could not be reached to finish the connection. Please try again.");
    }
    std::map<std::string, std::string> fields;
    if (reply.first == 200) {
        rapidjson::Document doc;
        doc.Parse(reply.second.data(), reply.second.size());
        if (!doc.HasParseError() && doc.IsObject()) {
            for (const auto& m : doc.GetObject()) {
                if (m.value.IsString())
                    fields[m.name.GetString()] = m.value.GetString();
                else if (m.value.IsInt64())
                    fields[m.name.GetString()] = std::to_string(m.value.GetInt64());
            }
        }
    }
    if (fields[required].empty()) {
        spdlog::warn("connect {}/{}: code exchange answered {} without {}", p.id, shop_id, reply.first, required);
        return page(502, "Not connected",
                    std::string(p.name) + " refused to finish the connection. Please open the link again.");
    }
    return fields;
}

/// Seals the new credentials, marks the link used and answers "Connected".
Response connected(Api& api, const Call& c, const Platform& p, Link& link, const std::string& text) {
    link.shop.sealed_credentials = service_vault(api).seal(link.credentials);
    c.store.put_shop(link.shop);
    c.store.record_delivery(link.shop.shop.id, link.used, link.now_ms, link.now_ms - connect::link_validity_ms);
    spdlog::info("connect {}/{}: connected", p.id, link.shop.shop.id);
    return page(200, "Connected", text);
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

// Shopify: ?code&hmac&host&shop&state&timestamp, the query signed with the
// client secret; the code is exchanged at {shop}/admin/oauth/access_token.
Response shopify_callback(Api& api, const Call& c) {
    auto opened = open_link(api, c, shopify);
    if (auto* r = std::get_if<Response>(&opened)) return *r;
    Link& link = std::get<Link>(opened);
    const std::string& shop_id = link.shop.shop.id;
    const std::string secret = link.credential("client_secret");
    if (!connect::verify_shopify_query(secret, c.request.query))
        return refused(shopify, shop_id, "the query's hmac does not verify",
                       "Shopify's signature on this address does not verify. Please open the link again.");
    // The signed `shop` must be the shop the state names.
    static const std::regex myshopify(R"(^[a-z0-9][a-z0-9-]*\.myshopify\.com$)");
    const std::string expected = lower(connect::url_authority(link.shop.base_url));
    const std::string claimed = lower(param(c, "shop"));
    if (claimed != expected || (link.shop.base_url.rfind("https://", 0) == 0 && !std::regex_match(claimed, myshopify)))
        return refused(shopify, shop_id, "shop '" + loggable(claimed) + "' is not " + expected,
                       "This approval is for another shop than the one this link was made for.");
    std::int64_t timestamp_s = 0;
    try {
        timestamp_s = std::stoll(param(c, "timestamp"));
    } catch (const std::exception&) {
        timestamp_s = 0;
    }
    if (std::llabs(link.now_ms - timestamp_s * 1000) > connect::callback_max_age_ms)
        return refused(shopify, shop_id, "timestamp '" + loggable(param(c, "timestamp")) + "' is not within an hour",
                       "This address is too old. Please open the link you were sent again.");
    if (param(c, "code").empty()) return refused(shopify, shop_id, "no code", "Shopify sent no authorization code.");

    const std::string form = "client_id=" + sdk::url_encode(connect::shop_setting(link.shop, "client_id")) +
                             "&client_secret=" + sdk::url_encode(secret) + "&code=" + sdk::url_encode(param(c, "code"));
    auto answer =
        exchange(api, c, shopify, link, without_trailing_slash(link.shop.base_url) + "/admin/oauth/access_token", form,
                 "", "access_token");
    if (auto* r = std::get_if<Response>(&answer)) return *r;
    auto& fields = std::get<std::map<std::string, std::string>>(answer);
    link.credentials["access_token"] = fields["access_token"];
    link.credentials["scope"] = fields["scope"];
    std::string text = "Your Shopify shop is now connected. You can close this page.";
    const auto missing = connect::missing_shopify_scopes(fields["scope"]);
    if (!missing.empty()) {
        spdlog::info("connect shopify/{}: scopes {} lack {}", shop_id, fields["scope"], missing.size());
        text += " Some access was not granted, so your account manager will see less: ";
        for (std::size_t i = 0; i < missing.size(); ++i)
            text += std::string(i ? "; " : "") + missing[i].scope + ": " + missing[i].cost;
        text += ".";
    }
    return connected(api, c, shopify, link, text);
}

/// The address this callback was reached at, which Amazon wants again in the
/// code exchange: the Host header, and X-Forwarded-Proto when a TLS proxy
/// sits in front (else http).
std::string own_callback_url(const Request& request, const char* platform) {
    const std::string* proto = request.header("X-Forwarded-Proto");
    const std::string* host = request.header("Host");
    return connect::callback_url((proto && *proto == "https" ? "https://" : "http://") + (host ? *host : ""), platform);
}

// Amazon: ?spapi_oauth_code&state&selling_partner_id. Amazon signs nothing
// here: our state is the proof, and the code is useless without the client
// secret. The code is exchanged at the shop's LWA token_url.
Response amazon_callback(Api& api, const Call& c) {
    auto opened = open_link(api, c, amazon);
    if (auto* r = std::get_if<Response>(&opened)) return *r;
    Link& link = std::get<Link>(opened);
    if (param(c, "spapi_oauth_code").empty() || param(c, "selling_partner_id").empty())
        return refused(amazon, link.shop.shop.id, "no spapi_oauth_code or selling_partner_id",
                       "Amazon sent no authorization. Please open the link again.");
    const std::string form = "grant_type=authorization_code&code=" + sdk::url_encode(param(c, "spapi_oauth_code")) +
                             "&redirect_uri=" + sdk::url_encode(own_callback_url(c.request, "amazon")) +
                             "&client_id=" + sdk::url_encode(connect::shop_setting(link.shop, "client_id")) +
                             "&client_secret=" + sdk::url_encode(link.credential("client_secret"));
    auto answer = exchange(api, c, amazon, link, connect::amazon_token_url(link.shop), form, "", "refresh_token");
    if (auto* r = std::get_if<Response>(&answer)) return *r;
    link.credentials["refresh_token"] = std::get<std::map<std::string, std::string>>(answer)["refresh_token"];
    link.credentials["selling_partner_id"] = param(c, "selling_partner_id");
    return connected(api, c, amazon, link, "Your Amazon seller account is now connected. You can close this page.");
}

// eBay: ?code&state&expires_in at the accept URL of the app's RuName; as for
// Amazon, our state is the proof. The code is exchanged at
// {base_url}/identity/v1/oauth2/token with the client's Basic credentials.
Response ebay_callback(Api& api, const Call& c) {
    auto opened = open_link(api, c, ebay);
    if (auto* r = std::get_if<Response>(&opened)) return *r;
    Link& link = std::get<Link>(opened);
    if (param(c, "code").empty())
        return refused(ebay, link.shop.shop.id, "no code", "eBay sent no authorization. Please open the link again.");
    const std::string form = "grant_type=authorization_code&code=" + sdk::url_encode(param(c, "code")) +
                             "&redirect_uri=" + sdk::url_encode(connect::shop_setting(link.shop, "ru_name"));
    const std::string authorization =
        "Basic " + webhooks::base64(link.credential("client_id") + ":" + link.credential("client_secret"));
    auto answer = exchange(api, c, ebay, link, without_trailing_slash(link.shop.base_url) + "/identity/v1/oauth2/token",
                           form, authorization, "refresh_token");
    if (auto* r = std::get_if<Response>(&answer)) return *r;
    auto& fields = std::get<std::map<std::string, std::string>>(answer);
    link.credentials["refresh_token"] = fields["refresh_token"];
    // The grant lasts 18 months: `pcgd shop check` warns before it ends.
    try {
        link.credentials["refresh_token_expires_at"] =
            model::format_iso8601(link.now_ms + std::stoll(fields.at("refresh_token_expires_in")) * 1000);
    } catch (const std::exception&) {
        link.credentials.erase("refresh_token_expires_at");
    }
    return connected(api, c, ebay, link, "Your eBay seller account is now connected. You can close this page.");
}

}  // namespace

void add_connect_routes(Router& router, Api& api) {
    // The account manager starts the connection from the dashboard: the link
    // to send the shop's owner, whose approval comes back to this service at
    // the address the request reached (Host, X-Forwarded-Proto).
    router.add("POST", "/api/shops/{id}/connect", [&api](const Call& c) {
        if (auto bad = unknown_parameter(c.request, {})) return *bad;
        const auto& id = c.params.at("id");
        if (auto refused = refusal(*c.principal, shop_access(c.store, *c.principal, id), "shop", id)) return *refused;
        if (c.principal->role == Role::sme)
            return json_error(403, "an SME token is read-only: the account manager sends the connect link");
        const auto shop = c.store.get_shop(id);
        if (!shop) return json_error(404, "no shop '" + id + "'");
        // The configured address wins: behind a proxy, Host may be the proxy's view.
        std::string public_url = c.config.server.public_url;
        if (public_url.empty()) {
            const std::string* host = c.request.header("Host");
            if (!host || host->empty())
                return json_error(400, "no Host header and no [server] public_url: the callback's address is unknown");
            const std::string* proto = c.request.header("X-Forwarded-Proto");
            public_url = (proto && *proto == "https" ? "https://" : "http://") + *host;
        }
        const std::int64_t now = api.now_ms();
        try {
            const Vault& vault = service_vault(api);
            const std::string url =
                connect::authorize_url(*shop, shop_credentials(api, *shop), connect::state_key(vault), public_url, now);
            json::Writer w;
            w.begin_object().field("shop", id).field("platform", shop->shop.platform).field("url", url);
            w.field("expires_at", model::format_iso8601(now + connect::link_validity_ms));
            w.field("callback", connect::callback_url(public_url, shop->shop.platform));
            w.end_object();
            return json_ok(std::string(w.view()));
        } catch (const std::invalid_argument& e) {
            return json_error(422, e.what());
        }
    });
    router.add("GET", "/connect/shopify/callback", [&api](const Call& c) { return shopify_callback(api, c); },
               {.is_public = true});
    router.add("GET", "/connect/amazon/callback", [&api](const Call& c) { return amazon_callback(api, c); },
               {.is_public = true});
    router.add("GET", "/connect/ebay/callback", [&api](const Call& c) { return ebay_callback(api, c); },
               {.is_public = true});
}

}  // namespace pcgd::host::server
