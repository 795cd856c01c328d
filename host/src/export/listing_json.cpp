#include "export/listing_json.hpp"

#include <pcgd/model/time.hpp>

namespace pcgd::host {

void write_sme_json(json::Writer& w, const Sme& sme, const std::vector<ShopRecord>& shops) {
    w.begin_object()
        .field("id", sme.id)
        .field("name", sme.name)
        .field("currency", sme.currency.code())
        .field("lang", sme.lang);
    w.key("shops").begin_array();
    for (const auto& s : shops)
        if (s.sme_id == sme.id) w.value(s.shop.id);
    w.end_array().end_object();
}

void write_shop_json(json::Writer& w, Store& store, const ShopRecord& s) {
    const auto counts = store.counts(s.shop.id);
    w.begin_object().field("id", s.shop.id).field("platform", s.shop.platform).field("country", s.shop.country);
    w.field("currency", s.shop.currency.code()).field("time_zone", s.shop.time_zone).field("base_url", s.base_url);
    w.key("sme");
    s.sme_id.empty() ? w.null() : w.value(s.sme_id);
    w.field("budget", s.budget_key());
    w.field("has_credentials", !s.sealed_credentials.empty());
    w.key("counts").begin_object().field("products", counts.products).field("variants", counts.variants);
    w.field("orders", counts.orders).field("order_lines", counts.order_lines).field("refunds", counts.refunds);
    w.field("traffic", counts.traffic).end_object();
    w.key("sync").begin_object();
    for (auto d : {sdk::Dataset::inventory, sdk::Dataset::orders, sdk::Dataset::traffic}) {
        const auto st = store.sync_state(s.shop.id, d);
        w.key(sdk::to_string(d)).begin_object();
        w.key("last_success_at");
        st.last_success_at_ms ? w.value(model::format_iso8601(st.last_success_at_ms)) : w.null();
        w.key("last_error");
        st.last_error.empty() ? w.null() : w.value(st.last_error);
        w.end_object();
    }
    w.end_object();
    w.end_object();
}

std::string shops_json(Store& store, const std::vector<ShopRecord>& shops) {
    json::Writer w;
    w.begin_array();
    for (const auto& s : shops) write_shop_json(w, store, s);
    w.end_array();
    return std::string(w.view());
}

}  // namespace pcgd::host
