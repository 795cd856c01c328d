// POST /webhooks/shopify/{shop_id} and /webhooks/woocommerce/{shop_id}: the
// platforms' change notifications. No token: the platform signs the raw body
// with a secret of the shop (webhooks.hpp), checked before anything else.
// A delivery only queues an incremental sync of its shop (Api::request_sync)
// and is answered at once: well within Shopify's 5 s and WooCommerce's limits.
//
// Answers: 200 queued, 200 duplicate (dropped, so the platform stops
// retrying), 200 for a WooCommerce ping, 401 unsigned, badly signed or
// replayed, 400 a signed delivery without its id, 503 when no sync queue runs.
// A refusal's body is the same for an unknown shop, a shop of another
// platform, a shop without the secret and a wrong signature, so an unsigned
// request learns nothing about which shops exist.
#include <spdlog/spdlog.h>

#include <pcgd/sdk/json.hpp>

#include "server/api.hpp"
#include "server/shop_credentials.hpp"
#include "server/webhooks.hpp"

namespace pcgd::host::server {

namespace {

struct Platform {
    const char* id;                   // the plugin id, as in ShopRecord::shop.platform
    const char* secret_credential;    // the credential that signs deliveries
    const char* signature_header;     // without "X-" for Shopify, which may drop it
    const char* delivery_id_header;   // the duplicate key
    const char* triggered_at_header;  // the platform's timestamp; null when it sends none
};

constexpr Platform shopify{"shopify", "client_secret", "Shopify-Hmac-Sha256", "Shopify-Webhook-Id",
                           "Shopify-Triggered-At"};
constexpr Platform woocommerce{"woocommerce", "webhook_secret", "WC-Webhook-Signature", "WC-Webhook-Delivery-ID",
                               nullptr};

Response refuse(const Platform& p, const std::string& shop_id, const std::string& why, const std::string& answer) {
    spdlog::warn("webhook {}/{} refused: {}", p.id, loggable(shop_id), why);
    return json_error(401, answer);
}

Response status_body(const char* status, const SyncTicket* ticket = nullptr) {
    json::Writer w;
    w.begin_object().field("status", status);
    if (ticket) w.field("sync", ticket->id).field("already_queued", ticket->already_queued);
    w.end_object();
    return json_ok(std::string(w.view()));
}

Response deliver(Api& api, const Platform& p, const Call& c) {
    const auto& request = c.request;
    const auto& shop_id = c.params.at("shop_id");
    const std::string* signature = webhooks::prefixed_header(request, p.signature_header);
    if (!signature || signature->empty())
        return refuse(p, shop_id, "no signature",
                      std::string("the delivery is not signed (no X-") + p.signature_header + " header)");

    // The HMAC is computed even when there is no secret to compare with, so
    // that the time taken does not tell an unknown shop from a wrong signature.
    std::string problem, secret;
    const auto shop = c.store.get_shop(shop_id);
    if (!shop)
        problem = "unknown shop";
    else if (shop->shop.platform != p.id)
        problem = "the shop is on " + shop->shop.platform;
    else {
        const auto credentials = shop_credentials(api, *shop);
        const auto it = credentials.find(p.secret_credential);
        if (it == credentials.end() || it->second.empty())
            problem = std::string("the shop has no credential '") + p.secret_credential + "'";
        else
            secret = it->second;
    }
    const bool good = webhooks::verify_body_signature(secret.empty() ? "-" : secret, request.body, *signature);
    if (!problem.empty() || !good)
        return refuse(p, shop_id, problem.empty() ? "the signature does not verify" : problem,
                      "the delivery's signature does not verify for this shop");

    const std::string* delivery_id = webhooks::prefixed_header(request, p.delivery_id_header);
    if (!delivery_id || delivery_id->empty())
        return json_error(400, std::string("no X-") + p.delivery_id_header + " header: a delivery must name its id");
    const std::int64_t now_ms = api.now_ms();
    if (p.triggered_at_header) {
        const std::string* at = webhooks::prefixed_header(request, p.triggered_at_header);
        if (!at) return refuse(p, shop_id, "no timestamp", std::string("no X-") + p.triggered_at_header + " header");
        if (auto stale = webhooks::timestamp_problem(*at, now_ms); !stale.empty())
            return refuse(p, shop_id, "replay refused: " + stale, "delivery refused: " + stale);
    }
    if (c.store.delivery_seen(shop_id, *delivery_id)) {
        spdlog::info("webhook {}/{}: delivery {} already seen, dropped", p.id, shop_id, loggable(*delivery_id));
        return status_body("duplicate");
    }
    if (!api.request_sync) return json_error(503, "no sync queue runs in this service: the delivery was not taken");
    const SyncTicket ticket = api.request_sync(shop_id, "webhook");
    // Recorded once queued: a delivery that failed before is retried by the platform.
    c.store.record_delivery(shop_id, *delivery_id, now_ms, now_ms - webhooks::replay_window_ms);
    return status_body("queued", &ticket);
}

}  // namespace

void add_webhook_routes(Router& router, Api& api) {
    router.add(
        "POST", "/webhooks/shopify/{shop_id}", [&api](const Call& c) { return deliver(api, shopify, c); },
        {.is_public = true, .on_io_thread = true});
    router.add(
        "POST", "/webhooks/woocommerce/{shop_id}",
        [&api](const Call& c) {
            // Sent unsigned when the webhook is saved: answered whatever the
            // shop, and nothing is done.
            if (webhooks::is_woocommerce_ping(c.request)) {
                spdlog::info("webhook woocommerce/{}: ping answered", loggable(c.params.at("shop_id")));
                return status_body("ping");
            }
            return deliver(api, woocommerce, c);
        },
        {.is_public = true, .on_io_thread = true});
}

}  // namespace pcgd::host::server
