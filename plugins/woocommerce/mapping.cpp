#include "mapping.hpp"

#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/text.hpp>

namespace pcgd::woocommerce {

using model::Money;
using model::MoneyBag;

void parse_document(rapidjson::Document& doc, std::string_view body, std::string_view what) {
    doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(body.data(), body.size());
    if (doc.HasParseError())
        throw json::ParseError(std::string(what) + " is not valid JSON at byte " + std::to_string(doc.GetErrorOffset()) + ": " +
                               rapidjson::GetParseError_En(doc.GetParseError()));
}

Money money_of(const json::Node& n, model::Currency c) {
    const std::string_view text = n.str();
    if (text.find_first_of("eE") != std::string_view::npos) n.fail("an amount with an exponent: '" + std::string(text) + "'");
    auto m = Money::try_parse(text, c);
    if (!m) n.fail("not a decimal amount: '" + std::string(text) + "'");
    return *m;
}

std::optional<Money> opt_price(const json::Node& parent, const char* key, model::Currency c) {
    auto n = parent.find(key);
    if (!n || n->str().empty()) return std::nullopt;
    return money_of(*n, c);
}

std::string id_of(const json::Node& n) { return std::to_string(n.i64_lenient()); }

model::TimestampMs gmt(const json::Node& n) { return sdk::instant(n, model::NoZone::utc); }

namespace {

MoneyBag bag(Money m) { return MoneyBag{m, std::nullopt}; }

/// Rounds a / b half away from zero; b > 0.
std::int64_t divide_rounded(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b, r = a % b;
    if (2 * (r < 0 ? -r : r) >= b) return a < 0 ? q - 1 : q + 1;
    return q;
}

/// `cost_of_goods_sold` (WooCommerce 9.x with the feature on): its total
/// value, when a cost is defined at all; an empty `values` means none.
std::optional<Money> cost_of(const json::Node& item, model::Currency c) {
    const auto cogs = item.find("cost_of_goods_sold");
    if (!cogs) return std::nullopt;
    const auto values = cogs->find("values");
    if (values && values->size() == 0) return std::nullopt;
    return money_of(cogs->at("total_value"), c);
}

struct Stock {
    std::optional<std::int64_t> quantity;  // empty: not tracked
};

/// `manage_stock` is true, false, or (variations) "parent".
Stock stock_of(const json::Node& item, const std::optional<std::int64_t>& parent_quantity) {
    const auto manage = item.at("manage_stock");
    if (manage.is_string()) {
        if (manage.str() != "parent") manage.fail("expected true, false or \"parent\", found '" + std::string(manage.str()) + "'");
        return Stock{parent_quantity};
    }
    if (!manage.boolean()) return Stock{};
    // Managed but never counted: WooCommerce sends null, which says nothing.
    const auto quantity = item.find("stock_quantity");
    return Stock{quantity ? std::optional<std::int64_t>(quantity->i64_lenient()) : std::nullopt};
}

void fill_offer(model::Variant& v, const json::Node& item, model::Currency c, const Stock& stock) {
    v.sku = std::string(item.str_or("sku", ""));
    v.barcode = std::string(item.str_or("global_unique_id", ""));
    v.price = opt_price(item, "price", c);
    // On sale: `price` is the sale price and `regular_price` the one struck through.
    const auto regular = opt_price(item, "regular_price", c);
    if (regular && v.price && *regular != *v.price) v.compare_at_price = regular;
    v.unit_cost = cost_of(item, c);
    if (stock.quantity) {
        v.stock_total = *stock.quantity;
        v.stock.push_back(model::StockLevel{"default", *stock.quantity});
    }
}

}  // namespace

ProductParts map_product(const json::Node& p, model::Currency shop_currency) {
    ProductParts parts;
    model::Product& product = parts.product;
    product.id = id_of(p.at("id"));
    product.title = std::string(p.at("name").str());
    product.description_html = std::string(p.str_or("description", ""));
    product.description = sdk::html_to_text(product.description_html);
    if (auto categories = p.find("categories"); categories && categories->size() > 0)
        product.product_type = std::string((*categories)[0].at("name").str());
    if (auto tags = p.find("tags")) tags->for_each([&](const json::Node& t) { product.tags.emplace_back(t.at("name").str()); });
    product.active = p.at("status").str() == "publish";
    if (auto images = p.find("images"))
        images->for_each([&](const json::Node& im) { product.images.push_back(model::Image{std::string(im.at("src").str()), {}, {}}); });
    product.created_at = gmt(p.at("date_created_gmt"));
    product.updated_at = gmt(p.at("date_modified_gmt"));

    const std::string_view type = p.at("type").str();
    const Stock stock = stock_of(p, std::nullopt);
    parts.stock_quantity = stock.quantity;
    parts.variable = type == "variable";
    if (parts.variable) {
        if (auto list = p.find("variations")) parts.variation_count = list->size();
        return parts;
    }
    if (type == "grouped") return parts;  // a set of other products, each listed on its own
    model::Variant v;
    v.id = product.id;
    v.product_id = product.id;
    fill_offer(v, p, shop_currency, stock);
    v.active = product.active;
    v.updated_at = product.updated_at;
    parts.own_variant = std::move(v);
    return parts;
}

model::Variant map_variation(const json::Node& n, const ProductParts& parent, model::Currency shop_currency) {
    model::Variant v;
    v.id = id_of(n.at("id"));
    v.product_id = parent.product.id;
    fill_offer(v, n, shop_currency, stock_of(n, parent.stock_quantity));
    if (auto attributes = n.find("attributes"))
        attributes->for_each([&](const json::Node& a) {
            if (!v.title.empty()) v.title += " / ";
            v.title += a.at("option").str();
        });
    v.active = parent.product.active && n.str_or("status", "publish") == "publish";
    if (auto image = n.find("image")) v.images.push_back(model::Image{std::string(image->at("src").str()), {}, {}});
    v.updated_at = gmt(n.at("date_modified_gmt"));
    return v;
}

OrderParts map_order(const json::Node& n) {
    OrderParts parts;
    model::Order& o = parts.order;
    o.id = id_of(n.at("id"));
    o.name = "#" + std::string(n.at("number").str());
    o.created_at = gmt(n.at("date_created_gmt"));
    o.updated_at = gmt(n.at("date_modified_gmt"));
    o.currency = sdk::currency(n.at("currency"));
    const model::Currency c = o.currency;
    for (const char* address : {"shipping", "billing"})
        if (auto a = n.find(address); a && o.country.empty()) o.country = std::string(a->str_or("country", ""));

    const std::string_view status = n.at("status").str();
    const bool refunds = n.has("refunds") && n.at("refunds").size() > 0;
    const bool paid = n.has("date_paid_gmt");
    if (status == "completed") {
        o.status = "closed", o.financial_status = "paid", o.fulfillment_status = "fulfilled";
    } else if (status == "processing") {
        o.status = "open", o.financial_status = "paid", o.fulfillment_status = "unfulfilled";
    } else if (status == "pending" || status == "on-hold" || status == "checkout-draft") {
        o.status = "open", o.financial_status = "pending", o.fulfillment_status = "unfulfilled";
    } else if (status == "cancelled") {
        o.status = "cancelled", o.financial_status = "voided", o.fulfillment_status = "unfulfilled";
    } else if (status == "refunded") {
        o.status = "closed", o.financial_status = "refunded";
        o.fulfillment_status = n.has("date_completed_gmt") ? "fulfilled" : "unfulfilled";
    } else if (status == "failed") {
        o.status = "open", o.financial_status = "failed", o.fulfillment_status = "unfulfilled";
    } else {
        // Extensions register their own statuses ("shipped", "partial-shipment"): an open order.
        o.status = "open", o.financial_status = paid ? "paid" : "pending", o.fulfillment_status = "unfulfilled";
    }
    if (refunds && o.financial_status == "paid") o.financial_status = "partially_refunded";

    Money subtotal = Money::zero(c);
    n.at("line_items").for_each([&](const json::Node& l) {
        model::OrderLine line;
        line.id = id_of(l.at("id"));
        line.sku = std::string(l.str_or("sku", ""));
        line.title = std::string(l.str_or("name", ""));
        const std::int64_t product = l.at("product_id").i64_lenient();
        const std::int64_t variation = l.at("variation_id").i64_lenient();
        if (product != 0) line.product_id = std::to_string(product);
        // A simple product is its own variant (see map_product).
        if (variation != 0) line.variant_id = std::to_string(variation);
        else if (product != 0) line.variant_id = line.product_id;
        line.quantity = l.at("quantity").i64_lenient();
        const Money before = money_of(l.at("subtotal"), c), after = money_of(l.at("total"), c);
        // `price` is total / quantity, after discounts: it is the unit price
        // only when the line has no discount.
        if (before == after) line.unit_price = bag(money_of(l.at("price"), c));
        else line.unit_price = bag(Money{line.quantity ? divide_rounded(before.minor, line.quantity) : before.minor, c});
        line.discount = bag(before - after);
        line.tax = bag(money_of(l.at("total_tax"), c));
        subtotal += after;
        o.lines.push_back(std::move(line));
    });
    // Fees the buyer pays (gift wrap, surcharges), not the seller's: lines of their own.
    if (auto fees = n.find("fee_lines"))
        fees->for_each([&](const json::Node& f) {
            model::OrderLine line;
            line.id = "fee-" + id_of(f.at("id"));
            line.title = std::string(f.str_or("name", ""));
            line.quantity = 1;
            const Money total = money_of(f.at("total"), c);
            line.unit_price = bag(total);
            line.discount = bag(Money::zero(c));
            line.tax = bag(money_of(f.at("total_tax"), c));
            subtotal += total;
            o.lines.push_back(std::move(line));
        });
    o.subtotal = bag(subtotal);
    o.discounts = bag(money_of(n.at("discount_total"), c));
    o.shipping = bag(money_of(n.at("shipping_total"), c));
    o.tax = bag(money_of(n.at("total_tax"), c));
    o.total = bag(money_of(n.at("total"), c));
    o.taxes_included = false;  // line amounts come net of tax whatever prices_include_tax says
    o.fees_known = false;      // payment fees live in gateway plugins' meta, not in the REST order
    if (refunds) n.at("refunds").for_each([&](const json::Node& r) { parts.refund_ids.push_back(id_of(r.at("id"))); });
    return parts;
}

model::Refund map_refund(const json::Node& n, const model::Order& order) {
    const model::Currency c = order.currency;
    model::Refund r;
    r.id = id_of(n.at("id"));
    r.order_id = order.id;
    r.created_at = gmt(n.at("date_created_gmt"));
    r.amount = bag(money_of(n.at("amount"), c));
    r.note = std::string(n.str_or("reason", ""));
    Money tax = Money::zero(c), shipping = Money::zero(c);
    // Refunded items carry negative amounts and point at the order's line.
    if (auto lines = n.find("line_items"))
        lines->for_each([&](const json::Node& l) {
            model::RefundLine line;
            if (auto meta = l.find("meta_data"))
                meta->for_each([&](const json::Node& m) {
                    if (m.at("key").str() == "_refunded_item_id") line.order_line_id = std::string(m.at("value").str());
                });
            line.sku = std::string(l.str_or("sku", ""));
            line.quantity = -l.at("quantity").i64_lenient();
            line.subtotal = bag(-money_of(l.at("total"), c));
            line.tax = bag(-money_of(l.at("total_tax"), c));
            tax += line.tax.shop;
            r.lines.push_back(std::move(line));
        });
    if (auto lines = n.find("shipping_lines"))
        lines->for_each([&](const json::Node& s) {
            shipping -= money_of(s.at("total"), c);
            tax -= money_of(s.at("total_tax"), c);
        });
    r.tax = bag(tax);
    r.shipping = bag(shipping);
    return r;
}

}  // namespace pcgd::woocommerce
