// The JSON form of the normalised model (record schema PCGD_RECORD_SCHEMA_VERSION).
// See docs/record-schema.md. Empty strings, empty lists and absent optionals
// are omitted when writing and read back as empty, so a round trip is exact.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include <pcgd/model/records.hpp>
#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/json.hpp>

namespace pcgd::model {

// ---------------------------------------------------------------- writing

namespace json_detail {
inline void put_str(json::Writer& w, std::string_view k, std::string_view v) {
    if (!v.empty()) w.field(k, v);
}
inline void put_time(json::Writer& w, std::string_view k, const std::optional<TimestampMs>& t) {
    if (t) w.field(k, iso8601_text(*t).view());
}
inline void put_money_fields(json::Writer& w, const Money& m) {
    w.field("minor", m.minor);
    w.field("currency", m.currency.code());
}
inline void put_money(json::Writer& w, std::string_view k, const Money& m) {
    w.key(k).begin_object();
    put_money_fields(w, m);
    w.end_object();
}
inline void put_money(json::Writer& w, std::string_view k, const std::optional<Money>& m) {
    if (m) put_money(w, k, *m);
}
inline void put_bag(json::Writer& w, std::string_view k, const MoneyBag& b) {
    w.key(k).begin_object();
    put_money_fields(w, b.shop);
    if (b.presentment) {
        w.field("presentment_minor", b.presentment->minor);
        w.field("presentment_currency", b.presentment->currency.code());
    }
    w.end_object();
}
inline void put_images(json::Writer& w, const std::vector<Image>& images) {
    if (images.empty()) return;
    w.key("images").begin_array();
    for (const auto& im : images) {
        w.begin_object().field("url", im.url);
        if (im.width_px) w.field("width_px", *im.width_px);
        if (im.height_px) w.field("height_px", *im.height_px);
        w.end_object();
    }
    w.end_array();
}
}  // namespace json_detail

inline void write_json(json::Writer& w, const Product& p) {
    using namespace json_detail;
    w.begin_object().field("id", p.id).field("title", p.title);
    put_str(w, "description", p.description);
    put_str(w, "description_html", p.description_html);
    put_str(w, "vendor", p.vendor);
    put_str(w, "product_type", p.product_type);
    if (!p.tags.empty()) {
        w.key("tags").begin_array();
        for (const auto& t : p.tags) w.value(t);
        w.end_array();
    }
    w.field("active", p.active);
    put_images(w, p.images);
    put_str(w, "marketplace", p.marketplace);
    put_time(w, "created_at", p.created_at);
    put_time(w, "updated_at", p.updated_at);
    w.end_object();
}

inline void write_json(json::Writer& w, const Variant& v) {
    using namespace json_detail;
    w.begin_object().field("id", v.id).field("product_id", v.product_id);
    put_str(w, "sku", v.sku);
    put_str(w, "barcode", v.barcode);
    put_str(w, "title", v.title);
    put_money(w, "price", v.price);
    put_money(w, "compare_at_price", v.compare_at_price);
    put_money(w, "unit_cost", v.unit_cost);
    if (!v.stock.empty()) {
        w.key("stock").begin_array();
        for (const auto& s : v.stock) w.begin_object().field("location_id", s.location_id).field("quantity", s.quantity).end_object();
        w.end_array();
    }
    if (v.stock_total) w.field("stock_total", *v.stock_total);
    w.field("active", v.active);
    put_images(w, v.images);
    put_str(w, "marketplace", v.marketplace);
    put_time(w, "updated_at", v.updated_at);
    w.end_object();
}

inline void write_json(json::Writer& w, const Order& o) {
    using namespace json_detail;
    w.begin_object().field("id", o.id);
    put_str(w, "name", o.name);
    w.field("created_at", iso8601_text(o.created_at).view());
    put_time(w, "updated_at", o.updated_at);
    put_time(w, "cancelled_at", o.cancelled_at);
    put_str(w, "status", o.status);
    put_str(w, "financial_status", o.financial_status);
    put_str(w, "fulfillment_status", o.fulfillment_status);
    w.field("currency", o.currency.code());
    if (o.presentment_currency) w.field("presentment_currency", o.presentment_currency->code());
    put_str(w, "marketplace", o.marketplace);
    put_str(w, "country", o.country);
    put_bag(w, "subtotal", o.subtotal);
    put_bag(w, "discounts", o.discounts);
    put_bag(w, "shipping", o.shipping);
    put_bag(w, "tax", o.tax);
    put_bag(w, "total", o.total);
    w.field("taxes_included", o.taxes_included);
    w.field("tax_remitted_by_marketplace", o.tax_remitted_by_marketplace);
    w.field("fees_known", o.fees_known);
    if (!o.fees.empty()) {
        w.key("fees").begin_array();
        for (const auto& f : o.fees) {
            w.begin_object().field("kind", f.kind);
            put_money(w, "amount", f.amount);
            w.end_object();
        }
        w.end_array();
    }
    w.key("lines").begin_array();
    for (const auto& l : o.lines) {
        w.begin_object().field("id", l.id);
        put_str(w, "sku", l.sku);
        put_str(w, "variant_id", l.variant_id);
        put_str(w, "product_id", l.product_id);
        put_str(w, "title", l.title);
        w.field("quantity", l.quantity);
        put_bag(w, "unit_price", l.unit_price);
        put_bag(w, "discount", l.discount);
        put_bag(w, "tax", l.tax);
        w.end_object();
    }
    w.end_array();
    if (o.test) w.field("test", true);
    w.end_object();
}

inline void write_json(json::Writer& w, const Refund& r) {
    using namespace json_detail;
    w.begin_object().field("id", r.id).field("order_id", r.order_id);
    w.field("created_at", iso8601_text(r.created_at).view());
    put_bag(w, "amount", r.amount);
    put_bag(w, "tax", r.tax);
    put_bag(w, "shipping", r.shipping);
    w.key("lines").begin_array();
    for (const auto& l : r.lines) {
        w.begin_object().field("order_line_id", l.order_line_id);
        put_str(w, "sku", l.sku);
        w.field("quantity", l.quantity);
        put_bag(w, "subtotal", l.subtotal);
        put_bag(w, "tax", l.tax);
        w.end_object();
    }
    w.end_array();
    put_str(w, "note", r.note);
    w.end_object();
}

inline void write_json(json::Writer& w, const TrafficSample& t) {
    using namespace json_detail;
    w.begin_object();
    put_str(w, "sku", t.sku);
    put_str(w, "listing_id", t.listing_id);
    w.field("day", format_date(t.day));
    w.field("views", t.views);
    if (t.sessions) w.field("sessions", *t.sessions);
    put_str(w, "marketplace", t.marketplace);
    w.end_object();
}

inline void write_json(json::Writer& w, const Deletion& d) {
    w.begin_object().field("kind", to_string(d.kind)).field("id", d.id);
    json_detail::put_time(w, "deleted_at", d.deleted_at);
    w.end_object();
}

template <class Record>
std::string to_json(const Record& r) {
    json::Writer w;
    write_json(w, r);
    return std::string(w.view());
}

// ---------------------------------------------------------------- reading

namespace json_detail {
inline std::string get_str(const json::Node& n, const char* k) { return std::string(n.str_or(k, "")); }
using sdk::currency;
using sdk::instant;
inline std::optional<TimestampMs> opt_time(const json::Node& n, const char* k) { return sdk::opt_instant(n, k); }
inline Money get_money(const json::Node& n) { return Money{n.at("minor").i64(), currency(n.at("currency"))}; }
inline std::optional<Money> opt_money(const json::Node& n, const char* k) {
    auto m = n.find(k);
    if (!m) return std::nullopt;
    return get_money(*m);
}
inline MoneyBag get_bag(const json::Node& n) {
    MoneyBag b{get_money(n), std::nullopt};
    if (auto pm = n.find("presentment_minor"))
        b.presentment = Money{pm->i64(), currency(n.at("presentment_currency"))};
    return b;
}
inline std::vector<Image> get_images(const json::Node& n) {
    std::vector<Image> out;
    if (auto arr = n.find("images")) {
        arr->for_each([&](const json::Node& im) {
            Image i{std::string(im.at("url").str()), std::nullopt, std::nullopt};
            if (auto w = im.find("width_px")) i.width_px = static_cast<std::int32_t>(w->i64());
            if (auto h = im.find("height_px")) i.height_px = static_cast<std::int32_t>(h->i64());
            out.push_back(std::move(i));
        });
    }
    return out;
}
}  // namespace json_detail

inline Product read_product(const json::Node& n) {
    using namespace json_detail;
    Product p;
    p.id = std::string(n.at("id").str());
    p.title = get_str(n, "title");
    p.description = get_str(n, "description");
    p.description_html = get_str(n, "description_html");
    p.vendor = get_str(n, "vendor");
    p.product_type = get_str(n, "product_type");
    if (auto tags = n.find("tags")) tags->for_each([&](const json::Node& t) { p.tags.emplace_back(t.str()); });
    p.active = n.bool_or("active", true);
    p.images = get_images(n);
    p.marketplace = get_str(n, "marketplace");
    p.created_at = opt_time(n, "created_at");
    p.updated_at = opt_time(n, "updated_at");
    return p;
}

inline Variant read_variant(const json::Node& n) {
    using namespace json_detail;
    Variant v;
    v.id = std::string(n.at("id").str());
    v.product_id = std::string(n.at("product_id").str());
    v.sku = get_str(n, "sku");
    v.barcode = get_str(n, "barcode");
    v.title = get_str(n, "title");
    v.price = opt_money(n, "price");
    v.compare_at_price = opt_money(n, "compare_at_price");
    v.unit_cost = opt_money(n, "unit_cost");
    if (auto stock = n.find("stock"))
        stock->for_each([&](const json::Node& s) {
            v.stock.push_back(StockLevel{std::string(s.at("location_id").str()), s.at("quantity").i64()});
        });
    v.stock_total = n.opt_i64("stock_total");
    v.active = n.bool_or("active", true);
    v.images = get_images(n);
    v.marketplace = get_str(n, "marketplace");
    v.updated_at = opt_time(n, "updated_at");
    return v;
}

inline Order read_order(const json::Node& n) {
    using namespace json_detail;
    Order o;
    o.id = std::string(n.at("id").str());
    o.name = get_str(n, "name");
    o.created_at = instant(n.at("created_at"));
    o.updated_at = opt_time(n, "updated_at");
    o.cancelled_at = opt_time(n, "cancelled_at");
    o.status = get_str(n, "status");
    o.financial_status = get_str(n, "financial_status");
    o.fulfillment_status = get_str(n, "fulfillment_status");
    o.currency = currency(n.at("currency"));
    if (auto pc = n.find("presentment_currency")) o.presentment_currency = currency(*pc);
    o.marketplace = get_str(n, "marketplace");
    o.country = get_str(n, "country");
    o.subtotal = get_bag(n.at("subtotal"));
    o.discounts = get_bag(n.at("discounts"));
    o.shipping = get_bag(n.at("shipping"));
    o.tax = get_bag(n.at("tax"));
    o.total = get_bag(n.at("total"));
    o.taxes_included = n.bool_or("taxes_included", false);
    o.tax_remitted_by_marketplace = n.bool_or("tax_remitted_by_marketplace", false);
    o.fees_known = n.bool_or("fees_known", false);
    if (auto fees = n.find("fees"))
        fees->for_each([&](const json::Node& f) { o.fees.push_back(Fee{std::string(f.at("kind").str()), get_money(f.at("amount"))}); });
    n.at("lines").for_each([&](const json::Node& l) {
        OrderLine line;
        line.id = std::string(l.at("id").str());
        line.sku = get_str(l, "sku");
        line.variant_id = get_str(l, "variant_id");
        line.product_id = get_str(l, "product_id");
        line.title = get_str(l, "title");
        line.quantity = l.at("quantity").i64();
        line.unit_price = get_bag(l.at("unit_price"));
        line.discount = get_bag(l.at("discount"));
        line.tax = get_bag(l.at("tax"));
        o.lines.push_back(std::move(line));
    });
    o.test = n.bool_or("test", false);
    return o;
}

inline Refund read_refund(const json::Node& n) {
    using namespace json_detail;
    Refund r;
    r.id = std::string(n.at("id").str());
    r.order_id = std::string(n.at("order_id").str());
    r.created_at = instant(n.at("created_at"));
    r.amount = get_bag(n.at("amount"));
    r.tax = get_bag(n.at("tax"));
    r.shipping = get_bag(n.at("shipping"));
    n.at("lines").for_each([&](const json::Node& l) {
        r.lines.push_back(RefundLine{std::string(l.at("order_line_id").str()), get_str(l, "sku"), l.at("quantity").i64(),
                                     get_bag(l.at("subtotal")), get_bag(l.at("tax"))});
    });
    r.note = get_str(n, "note");
    return r;
}

inline TrafficSample read_traffic(const json::Node& n) {
    using namespace json_detail;
    TrafficSample t;
    t.sku = get_str(n, "sku");
    t.listing_id = get_str(n, "listing_id");
    if (t.sku.empty() && t.listing_id.empty()) n.fail("traffic needs a sku or a listing_id");
    const auto day = n.at("day");
    auto d = parse_date(day.str());
    if (!d) day.fail("not a date (YYYY-MM-DD): '" + std::string(day.str()) + "'");
    t.day = *d;
    t.views = n.at("views").i64();
    t.sessions = n.opt_i64("sessions");
    t.marketplace = get_str(n, "marketplace");
    return t;
}

inline Deletion read_deletion(const json::Node& n) {
    const auto kind_node = n.at("kind");
    auto kind = record_kind_from_string(kind_node.str());
    if (!kind || *kind == RecordKind::deletion || *kind == RecordKind::traffic)
        kind_node.fail("not a deletable record kind: '" + std::string(kind_node.str()) + "'");
    return Deletion{*kind, std::string(n.at("id").str()), json_detail::opt_time(n, "deleted_at")};
}

using AnyRecord = std::variant<Product, Variant, Order, Refund, TrafficSample, Deletion>;

/// Parses one record of the given kind. Throws json::ParseError.
inline AnyRecord read_record(RecordKind kind, std::string_view text) {
    rapidjson::Document doc;
    json::parse(doc, text, std::string(to_string(kind)) + " record");
    const json::Node root(doc, to_string(kind));
    switch (kind) {
    case RecordKind::product: return read_product(root);
    case RecordKind::variant: return read_variant(root);
    case RecordKind::order: return read_order(root);
    case RecordKind::refund: return read_refund(root);
    case RecordKind::traffic: return read_traffic(root);
    case RecordKind::deletion: return read_deletion(root);
    }
    throw json::ParseError("unknown record kind " + std::to_string(static_cast<unsigned>(kind)));
}

template <class Record>
constexpr RecordKind kind_of() {
    if constexpr (std::is_same_v<Record, Product>) return RecordKind::product;
    else if constexpr (std::is_same_v<Record, Variant>) return RecordKind::variant;
    else if constexpr (std::is_same_v<Record, Order>) return RecordKind::order;
    else if constexpr (std::is_same_v<Record, Refund>) return RecordKind::refund;
    else if constexpr (std::is_same_v<Record, TrafficSample>) return RecordKind::traffic;
    else return RecordKind::deletion;
}

}  // namespace pcgd::model
