// From SP-API shapes to the model: Orders 2026-01-01 orders, Finances v0
// financial events (fees and refunds), listings report rows and Sales and
// Traffic rows. Pure functions, so tests and benchmarks call them directly.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pcgd/model/records.hpp>
#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/json.hpp>
#include <pcgd/sdk/text.hpp>

#include "report_text.hpp"
#include "sp_api.hpp"

namespace pcgd::amazon {

using model::Money;
using model::MoneyBag;
using model::TimestampMs;

/// An order and what its financial events add to it.
struct OrderParts {
    model::Order order;
    std::vector<model::Refund> refunds;
    bool shipped = false;  // financial events can exist
};

inline std::string lower_enum(const json::Node& n, std::initializer_list<std::string_view> known) {
    const std::string_view v = n.str();
    if (std::find(known.begin(), known.end(), v) == known.end()) n.fail("unknown value '" + std::string(v) + "'");
    std::string out(v);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// An Orders 2026 Money {"amount":"12.50","currencyCode":"GBP"}, which must
/// be in the shop's currency.
inline Money order_money(const json::Node& n, model::Currency shop) {
    const auto code = n.at("currencyCode");
    const auto c = sdk::currency(code);
    if (c != shop) code.fail("expected the shop currency " + shop.str());
    return sdk::money(n.at("amount"), c);
}

inline MoneyBag bag_of(Money m) { return MoneyBag{m, std::nullopt}; }

/// Sums the proceeds breakdowns of one type ("ITEM", "TAX"...).
inline Money breakdown_sum(const std::optional<json::Node>& proceeds, std::string_view type, model::Currency shop) {
    Money sum = Money::zero(shop);
    if (!proceeds) return sum;
    if (auto list = proceeds->find("breakdowns"))
        list->for_each([&](const json::Node& b) {
            if (b.at("type").str() == type) sum += order_money(b.at("subtotal"), shop);
        });
    return sum;
}

inline Money abs_money(Money m) { return m.minor < 0 ? -m : m; }

/// One order of searchOrders / getOrder (includedData PROCEEDS, FULFILLMENT).
/// Prices in the EU marketplaces include VAT; the TAX breakdown is the VAT
/// they include.
inline OrderParts order_of(const json::Node& n, const Marketplace& market) {
    const model::Currency shop = model::Currency::of(market.currency);
    OrderParts parts;
    model::Order& o = parts.order;
    o.id = std::string(n.at("orderId").str());
    o.name = o.id;
    o.created_at = sdk::instant(n.at("createdTime"));
    o.updated_at = sdk::instant(n.at("lastUpdatedTime"));
    const auto channel = n.at("salesChannel");
    if (auto mp = channel.find("marketplaceId")) {
        if (mp->str() != market.id) mp->fail("expected the shop's marketplace " + std::string(market.id));
    }
    o.marketplace = std::string(market.id);
    o.country = std::string(market.country);
    o.currency = shop;
    o.taxes_included = true;
    const auto fulfilment = n.at("fulfillment");
    const std::string status = lower_enum(fulfilment.at("fulfillmentStatus"), {"PENDING_AVAILABILITY", "PENDING", "UNSHIPPED",
                                                                                "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED", "UNFULFILLABLE"});
    if (status == "cancelled" || status == "unfulfillable") {
        o.status = "cancelled";
        o.financial_status = "voided";
        o.fulfillment_status = "unfulfilled";
    } else if (status == "pending" || status == "pending_availability") {
        o.status = "open";
        o.financial_status = "pending";
        o.fulfillment_status = "unfulfilled";
    } else {
        o.status = status == "shipped" ? "closed" : "open";
        o.financial_status = "paid";
        o.fulfillment_status = status == "shipped" ? "fulfilled" : status == "partially_shipped" ? "partial" : "unfulfilled";
        parts.shipped = status != "unshipped";
    }
    const auto proceeds = n.find("proceeds");
    Money lines_gross = Money::zero(shop);
    n.at("orderItems").for_each([&](const json::Node& item) {
        model::OrderLine l;
        l.id = std::string(item.at("orderItemId").str());
        l.quantity = item.at("quantityOrdered").i64();
        const auto product = item.at("product");
        l.sku = std::string(product.str_or("sellerSku", ""));
        l.variant_id = l.sku;
        l.product_id = std::string(product.str_or("asin", ""));
        l.title = std::string(product.str_or("title", ""));
        Money unit = Money::zero(shop);
        if (auto price = product.find("price"))
            if (auto u = price->find("unitPrice")) unit = order_money(*u, shop);
        l.unit_price = bag_of(unit);
        const auto item_proceeds = item.find("proceeds");
        l.discount = bag_of(abs_money(breakdown_sum(item_proceeds, "DISCOUNT", shop)));
        l.tax = bag_of(breakdown_sum(item_proceeds, "TAX", shop));
        lines_gross += unit.times(l.quantity);
        o.lines.push_back(std::move(l));
    });
    if (proceeds) {
        // The order's own breakdowns when it has them, else its items' (the UK sample has only a grand total).
        const bool own = proceeds->has("breakdowns");
        const auto sum = [&](std::string_view type) {
            if (own) return breakdown_sum(proceeds, type, shop);
            Money total = Money::zero(shop);
            n.at("orderItems").for_each([&](const json::Node& item) { total += breakdown_sum(item.find("proceeds"), type, shop); });
            return total;
        };
        const Money discounts = abs_money(sum("DISCOUNT"));
        o.discounts = bag_of(discounts);
        o.subtotal = bag_of(sum("ITEM") - discounts);
        o.shipping = bag_of(sum("SHIPPING"));
        o.tax = bag_of(sum("TAX"));
        if (auto total = proceeds->find("grandTotal")) o.total = bag_of(order_money(*total, shop));
        else o.total = bag_of(o.subtotal.shop + o.shipping.shop);
    } else {
        // Pending orders carry no proceeds yet: the lines' prices are all there is.
        o.discounts = o.shipping = o.tax = bag_of(Money::zero(shop));
        o.subtotal = o.total = bag_of(lines_gross);
    }
    o.fees_known = false;  // until a financial event says otherwise
    return parts;
}

/// "Commission" -> "commission", "FBAPerUnitFulfillmentFee" -> "fba_fulfilment".
inline std::string fee_kind(std::string_view fee_type) {
    if (fee_type == "Commission") return "commission";
    if (fee_type == "RefundCommission") return "refund_commission";
    if (fee_type.rfind("FBA", 0) == 0 && fee_type.find("Fulfillment") != std::string_view::npos) return "fba_fulfilment";
    if (fee_type == "FBAWeightBasedFee") return "fba_fulfilment";
    if (fee_type == "FixedClosingFee" || fee_type == "VariableClosingFee") return "closing";
    std::string out;
    for (std::size_t i = 0; i < fee_type.size(); ++i) {
        const char c = fee_type[i];
        if (c >= 'A' && c <= 'Z') {
            const bool word_start = i > 0 && (fee_type[i - 1] < 'A' || fee_type[i - 1] > 'Z' ||
                                              (i + 1 < fee_type.size() && fee_type[i + 1] >= 'a' && fee_type[i + 1] <= 'z'));
            if (word_start && !out.empty()) out += '_';
            out += static_cast<char>(c - 'A' + 'a');
        } else {
            out += c;
        }
    }
    return out;
}

/// A Finances v0 Currency {"CurrencyCode":"GBP","CurrencyAmount":-1.23}; the
/// body is parsed with numbers kept as text, so the amount is exact.
inline Money finance_money(const json::Node& n, model::Currency shop) {
    const auto code = n.at("CurrencyCode");
    if (sdk::currency(code) != shop) code.fail("expected the shop currency " + shop.str());
    const auto amount = n.at("CurrencyAmount");
    auto m = Money::try_parse(amount.str(), shop);
    if (!m) amount.fail("not a decimal amount: '" + std::string(amount.str()) + "'");
    return *m;
}

/// Adds to `fees` (what the seller pays, by kind) a FeeComponentList.
inline void add_fees(const std::optional<json::Node>& list, model::Currency shop, std::vector<model::Fee>& fees) {
    if (!list) return;
    list->for_each([&](const json::Node& f) {
        const std::string kind = fee_kind(f.at("FeeType").str());
        const Money paid = -finance_money(f.at("FeeAmount"), shop);
        for (auto& fee : fees)
            if (fee.kind == kind) {
                fee.amount += paid;
                return;
            }
        fees.push_back(model::Fee{kind, paid});
    });
}

/// Applies an order's financial events (payload.FinancialEvents) to it:
/// shipment events settle its fees; refund events are refunds, and adjust
/// the fees they give back or add. Events of other orders or marketplaces
/// are ignored.
inline void apply_financial_events(const json::Node& events, const Marketplace& market, OrderParts& parts) {
    model::Order& o = parts.order;
    const model::Currency shop = o.currency;
    const auto ours = [&](const json::Node& e) {
        if (e.str_or("AmazonOrderId", "") != o.id) return false;
        auto name = e.find("MarketplaceName");
        return !name || name->str() == market.name;
    };
    if (auto shipments = events.find("ShipmentEventList"))
        shipments->for_each([&](const json::Node& e) {
            if (!ours(e)) return;
            o.fees_known = true;
            add_fees(e.find("OrderFeeList"), shop, o.fees);
            add_fees(e.find("ShipmentFeeList"), shop, o.fees);
            if (auto items = e.find("ShipmentItemList"))
                items->for_each([&](const json::Node& item) { add_fees(item.find("ItemFeeList"), shop, o.fees); });
        });
    if (auto refunds = events.find("RefundEventList"))
        refunds->for_each([&](const json::Node& e) {
            if (!ours(e)) return;
            model::Refund r;
            r.order_id = o.id;
            r.created_at = sdk::instant(e.at("PostedDate"));
            Money amount = Money::zero(shop), tax = Money::zero(shop), shipping = Money::zero(shop);
            std::string first_adjustment;
            add_fees(e.find("OrderFeeAdjustmentList"), shop, o.fees);
            add_fees(e.find("ShipmentFeeAdjustmentList"), shop, o.fees);
            if (auto items = e.find("ShipmentItemAdjustmentList"))
                items->for_each([&](const json::Node& item) {
                    if (first_adjustment.empty()) first_adjustment = std::string(item.str_or("OrderAdjustmentItemId", ""));
                    model::RefundLine line;
                    line.order_line_id = std::string(item.str_or("OrderItemId", ""));
                    line.sku = std::string(item.str_or("SellerSKU", ""));
                    if (auto q = item.find("QuantityShipped")) line.quantity = q->i64_lenient();
                    Money principal = Money::zero(shop), line_tax = Money::zero(shop);
                    if (auto charges = item.find("ItemChargeAdjustmentList"))
                        charges->for_each([&](const json::Node& c) {
                            const std::string_view type = c.at("ChargeType").str();
                            const Money back = -finance_money(c.at("ChargeAmount"), shop);
                            amount += back;
                            if (type == "Principal") principal += back;
                            else if (type == "Tax") line_tax += back;
                            else if (type == "ShippingCharge") shipping += back;
                            else if (type == "ShippingTax") shipping += back, tax += back;
                        });
                    if (auto promotions = item.find("PromotionAdjustmentList"))
                        promotions->for_each([&](const json::Node& p) { amount -= finance_money(p.at("PromotionAmount"), shop); });
                    add_fees(item.find("ItemFeeAdjustmentList"), shop, o.fees);
                    tax += line_tax;
                    line.subtotal = bag_of(principal);
                    line.tax = bag_of(line_tax);
                    r.lines.push_back(std::move(line));
                });
            r.id = o.id + "-" + (first_adjustment.empty() ? model::format_iso8601(r.created_at) : first_adjustment);
            r.amount = bag_of(amount);
            r.tax = bag_of(tax);
            r.shipping = bag_of(shipping);
            parts.refunds.push_back(std::move(r));
        });
    // Without its shipment's event an order's fees are unknown, whatever a refund adjusted.
    if (!o.fees_known) o.fees.clear();
    if (!parts.refunds.empty() && o.status != "cancelled") {
        Money refunded = Money::zero(shop);
        for (const auto& r : parts.refunds) refunded += r.amount.shop;
        o.financial_status = refunded.minor >= o.total.shop.minor ? "refunded" : "partially_refunded";
    }
}

/// One row of GET_MERCHANT_LISTINGS_ALL_DATA, by column name.
struct ListingRow {
    std::string sku, asin, title, description, image_url, barcode, channel, status;
    std::optional<Money> price;
    std::optional<std::int64_t> quantity;
    std::optional<TimestampMs> opened_at;
    bool fba() const { return channel != "DEFAULT" && !channel.empty(); }
    bool active() const { return status == "Active"; }
};

/// Reads a data line with the report's columns. Throws BAD_RESPONSE naming
/// the line and column of a value it cannot read.
inline ListingRow listing_row(std::string_view line, std::size_t line_no, const Columns& columns, std::vector<std::string_view>& fields,
                              model::Currency shop) {
    split_tabs(line, fields);
    const auto cell = [&](std::string_view name) -> std::string_view {
        auto i = columns.at(name);
        return i && *i < fields.size() ? fields[*i] : std::string_view{};
    };
    const auto bad = [&](std::string_view column, std::string_view value) {
        return sdk::bad_response("amazon: listings report line " + std::to_string(line_no) + ", column " + std::string(column) + ": '" +
                                 std::string(value) + "' is not valid");
    };
    ListingRow r;
    r.sku = std::string(cell("seller-sku"));
    if (r.sku.empty()) throw bad("seller-sku", "");
    r.title = std::string(cell("item-name"));
    r.description = std::string(cell("item-description"));
    r.image_url = std::string(cell("image-url"));
    r.channel = std::string(cell("fulfillment-channel"));
    r.status = std::string(cell("status"));
    r.asin = std::string(cell("asin1"));
    const std::string_view id_type = cell("product-id-type"), product_id = cell("product-id");
    if (r.asin.empty() && id_type == "1") r.asin = std::string(product_id);
    if (id_type == "2" || id_type == "3" || id_type == "4") r.barcode = std::string(product_id);  // ISBN, UPC, EAN
    if (auto p = cell("price"); !p.empty()) {
        r.price = Money::try_parse(p, shop);
        if (!r.price) throw bad("price", p);
    }
    if (auto q = cell("quantity"); !q.empty()) {
        std::int64_t v = 0;
        for (char c : q) {
            if (c < '0' || c > '9' || v > 1'000'000'000'000) throw bad("quantity", q);
            v = v * 10 + (c - '0');
        }
        r.quantity = v;
    }
    if (auto d = cell("open-date"); !d.empty()) r.opened_at = parse_open_date(d);
    return r;
}

/// What the Listings Items API (2021-08-01, includedData summaries and
/// attributes) adds to a SKU of the listings report.
struct ListingDetails {
    /// The summary's mainImage (the only one with pixel sizes), then the
    /// attributes' main_product_image_locator and other_product_image_locator_1..8,
    /// each URL once.
    std::vector<model::Image> images;
    std::string barcode;               // externally_assigned_product_identifier: EAN, UPC, GTIN, ISBN or JAN
    std::string description_html;      // product_description
    std::vector<std::string> bullets;  // bullet_point
};

/// Adds `image` unless its URL is there; a copy without pixel sizes gets them.
inline void merge_image(std::vector<model::Image>& images, const model::Image& image) {
    for (auto& im : images)
        if (im.url == image.url) {
            if (!im.width_px && image.width_px) im.width_px = image.width_px, im.height_px = image.height_px;
            return;
        }
    images.push_back(image);
}

/// An attribute's values for the marketplace: Amazon tags each value with its
/// marketplace_id (and language_tag); an untagged value is everyone's.
template <class F>
void each_attribute_value(const json::Node& attributes, const char* name, std::string_view marketplace_id, F&& f) {
    auto values = attributes.find(name);
    if (!values || !values->is_array()) return;
    values->for_each([&](const json::Node& v) {
        if (!v.is_object()) return;
        if (auto m = v.find("marketplace_id"); m && m->str() != marketplace_id) return;
        f(v);
    });
}

/// One item of searchListingsItems (or a getListingsItem answer) for the
/// shop's marketplace.
inline ListingDetails listing_details(const json::Node& item, std::string_view marketplace_id) {
    ListingDetails d;
    if (auto summaries = item.find("summaries"))
        summaries->for_each([&](const json::Node& s) {
            if (s.at("marketplaceId").str() != marketplace_id) return;
            auto main = s.find("mainImage");
            if (!main) return;
            // A size that cannot be one (0, negative) is unknown rather than
            // a failed sync: one odd image must not stop the inventory.
            const std::int64_t w = main->at("width").i64(), h = main->at("height").i64();
            const bool sized = w > 0 && h > 0 && w <= 1'000'000 && h <= 1'000'000;
            merge_image(d.images,
                        model::Image{std::string(main->at("link").str()),
                                     sized ? std::optional<std::int32_t>(static_cast<std::int32_t>(w)) : std::nullopt,
                                     sized ? std::optional<std::int32_t>(static_cast<std::int32_t>(h)) : std::nullopt});
        });
    auto attributes = item.find("attributes");
    if (!attributes) return d;
    const auto locator = [&](const char* name) {
        each_attribute_value(*attributes, name, marketplace_id, [&](const json::Node& v) {
            if (auto url = v.find("media_location"); url && !url->str().empty())
                merge_image(d.images, model::Image{std::string(url->str()), std::nullopt, std::nullopt});
        });
    };
    locator("main_product_image_locator");
    for (int k = 1; k <= 8; ++k) locator(("other_product_image_locator_" + std::to_string(k)).c_str());
    each_attribute_value(*attributes, "externally_assigned_product_identifier", marketplace_id,
                         [&](const json::Node& v) {
                             auto type = v.find("type");
                             auto value = v.find("value");
                             if (!d.barcode.empty() || !type || !value || value->str().empty()) return;
                             static constexpr std::string_view gtins[] = {"ean", "upc", "gtin", "isbn", "jan"};
                             if (std::find(std::begin(gtins), std::end(gtins), type->str()) != std::end(gtins))
                                 d.barcode = std::string(value->str());
                         });
    each_attribute_value(*attributes, "product_description", marketplace_id, [&](const json::Node& v) {
        if (d.description_html.empty()) d.description_html = std::string(v.at("value").str());
    });
    each_attribute_value(*attributes, "bullet_point", marketplace_id, [&](const json::Node& v) {
        if (auto text = v.find("value"); text && !text->str().empty()) d.bullets.emplace_back(text->str());
    });
    return d;
}

inline std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    return out;
}

/// Merges a SKU's listing details into its variant and product (keyed by
/// ASIN). The report stays first: its image-url and barcode are kept (the
/// image gains its pixel sizes), and its description is never replaced; only
/// a product the report left without description gets product_description
/// followed by the bullet points as a list.
inline void apply_listing_details(const ListingDetails& d, model::Variant& v, model::Product& p) {
    if (v.barcode.empty()) v.barcode = d.barcode;
    for (const auto& im : d.images) merge_image(p.images, im);
    if (!p.description_html.empty() || (d.description_html.empty() && d.bullets.empty())) return;
    std::string html = d.description_html;
    if (!d.bullets.empty()) {
        html += "<ul>";
        for (const auto& b : d.bullets) html += "<li>" + html_escape(b) + "</li>";
        html += "</ul>";
    }
    p.description_html = std::move(html);
    p.description = sdk::html_to_text(p.description_html);
}

}  // namespace pcgd::amazon
