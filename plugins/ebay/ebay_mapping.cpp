#include "ebay_mapping.hpp"

#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/text.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

namespace pcgd::ebay {
namespace {

using model::Money;
using model::MoneyBag;

constexpr std::array<Marketplace, 2> marketplaces = {
    Marketplace{"EBAY_GB", "GB", "GBP", "en-GB"},
    Marketplace{"EBAY_FR", "FR", "EUR", "fr-FR"},
};

/// Checks an enum against the values eBay documents; an unknown value is a
/// clear error naming path and value, never a silent default.
std::string_view enum_value(const json::Node& n, std::initializer_list<std::string_view> known) {
    const std::string_view v = n.str();
    if (std::find(known.begin(), known.end(), v) == known.end()) n.fail("unknown value '" + std::string(v) + "'");
    return v;
}

/// The amounts of one order: the seller's currency, and the buyer's when
/// eBay converted them (convertedFromValue / convertedFromCurrency).
struct Currencies {
    model::Currency shop;
    std::optional<model::Currency> buyer;
};

MoneyBag zero(const Currencies& c) {
    return MoneyBag{Money::zero(c.shop), c.buyer ? std::optional<Money>(Money::zero(*c.buyer)) : std::nullopt};
}

/// An eBay Amount `{value, currency[, convertedFromValue, convertedFromCurrency]}`.
MoneyBag bag(const json::Node& amount, const Currencies& c) {
    const auto currency_node = amount.at("currency");
    const model::Currency currency = sdk::currency(currency_node);
    if (currency != c.shop) currency_node.fail("expected the shop currency " + c.shop.str() + ", found " + currency.str());
    MoneyBag b{sdk::money(amount.at("value"), currency), std::nullopt};
    if (c.buyer) {
        if (auto from = amount.find("convertedFromValue")) {
            const auto from_currency = amount.at("convertedFromCurrency");
            if (sdk::currency(from_currency) != *c.buyer)
                from_currency.fail("expected the buyer's currency " + c.buyer->str() + " as on the order total");
            b.presentment = sdk::money(*from, *c.buyer);
        }
    }
    return b;
}

MoneyBag opt_bag(const json::Node& parent, const char* key, const Currencies& c) {
    auto n = parent.find(key);
    return n ? bag(*n, c) : zero(c);
}

void add(MoneyBag& sum, const MoneyBag& b) {
    sum.shop += b.shop;
    if (sum.presentment && b.presentment) *sum.presentment += *b.presentment;
    else sum.presentment.reset();  // a part not converted: the buyer's sum is unknown
}

MoneyBag minus(MoneyBag a) {
    a.shop.minor = -a.shop.minor;
    if (a.presentment) a.presentment->minor = -a.presentment->minor;
    return a;
}

/// a / n, rounded half away from zero (a line's cost is unit price × quantity).
std::int64_t divide(std::int64_t a, std::int64_t n) { return a >= 0 ? (a + n / 2) / n : -((-a + n / 2) / n); }

MoneyBag per_unit(MoneyBag b, std::int64_t quantity) {
    b.shop.minor = divide(b.shop.minor, quantity);
    if (b.presentment) b.presentment->minor = divide(b.presentment->minor, quantity);
    return b;
}

std::string buyer_country(const json::Node& order) {
    if (auto instructions = order.find("fulfillmentStartInstructions"))
        for (std::size_t i = 0; i < instructions->size(); ++i)
            if (auto step = (*instructions)[i].find("shippingStep"))
                if (auto to = step->find("shipTo"))
                    if (auto address = to->find("contactAddress"))
                        if (auto country = address->find("countryCode")) return std::string(country->str());
    if (auto buyer = order.find("buyer"))
        if (auto address = buyer->find("taxAddress"))
            if (auto country = address->find("countryCode")) return std::string(country->str());
    return {};
}

model::OrderLine map_line(const json::Node& n, const Currencies& c) {
    model::OrderLine line;
    line.id = std::string(n.at("lineItemId").str());
    line.sku = std::string(n.str_or("sku", ""));
    line.variant_id = line.sku;  // the inventory item's SKU is the variant's id
    line.title = std::string(n.str_or("title", ""));
    const auto quantity = n.at("quantity");
    line.quantity = quantity.i64();
    if (line.quantity < 1) quantity.fail("expected a positive quantity");
    const MoneyBag cost = bag(n.at("lineItemCost"), c);  // unit price × quantity, before discounts
    line.unit_price = per_unit(cost, line.quantity);
    if (auto discounted = n.find("discountedLineItemCost")) {
        line.discount = cost;
        add(line.discount, minus(bag(*discounted, c)));
    } else {
        line.discount = zero(c);
        if (auto promotions = n.find("appliedPromotions"))
            promotions->for_each([&](const json::Node& p) {
                if (auto amount = p.find("discountAmount")) {
                    MoneyBag d = bag(*amount, c);
                    add(line.discount, d.shop.minor < 0 ? minus(d) : d);
                }
            });
    }
    line.tax = zero(c);
    if (auto taxes = n.find("taxes")) taxes->for_each([&](const json::Node& t) { add(line.tax, bag(t.at("amount"), c)); });
    return line;
}

std::string first_barcode(const json::Node& product) {
    for (const char* key : {"ean", "upc", "isbn"})
        if (auto codes = product.find(key)) {
            std::string found;
            codes->for_each([&](const json::Node& code) {
                const std::string_view s = code.str();
                // "Does not apply" / "Non applicable" are eBay's way of saying there is none.
                if (found.empty() && !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
                    found = std::string(s);
            });
            if (!found.empty()) return found;
        }
    return {};
}

std::string brand_of(const json::Node& holder) {
    auto aspects = holder.find("aspects");
    if (!aspects || !aspects->is_object()) return {};
    for (const char* key : {"Brand", "Marque"})
        if (auto values = aspects->find(key))
            if (values->is_array() && values->size() > 0) return std::string((*values)[0].str());
    return {};
}

void read_images(const json::Node& holder, std::vector<model::Image>& out) {
    if (auto urls = holder.find("imageUrls"))
        urls->for_each([&](const json::Node& u) { out.push_back(model::Image{std::string(u.str()), std::nullopt, std::nullopt}); });
}

int two(std::string_view s, std::size_t at) {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

}  // namespace

std::optional<Marketplace> marketplace_by_id(std::string_view id) {
    for (const auto& m : marketplaces)
        if (m.id == id) return m;
    return std::nullopt;
}

std::optional<Marketplace> marketplace_of_country(std::string_view country) {
    for (const auto& m : marketplaces)
        if (m.country == country) return m;
    return std::nullopt;
}

std::string ebay_time(model::TimestampMs t) {
    const std::int64_t days = model::floor_div(t, 86'400'000);
    const std::int64_t ms = t - days * 86'400'000;
    const auto c = model::civil_from_days(days);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day, static_cast<int>(ms / 3'600'000),
                  static_cast<int>(ms / 60'000 % 60), static_cast<int>(ms / 1000 % 60), static_cast<int>(ms % 1000));
    return buf;
}

std::string ebay_day(std::int64_t epoch_day) {
    const auto c = model::civil_from_days(epoch_day);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u", c.year, c.month, c.day);
    return buf;
}

std::optional<std::int64_t> parse_ebay_day(std::string_view s) {
    if (s.size() != 8) return std::nullopt;
    return model::parse_date(std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" + std::string(s.substr(6, 2)));
}

std::optional<model::TimestampMs> parse_http_date(std::string_view s) {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return std::nullopt;
    unsigned month = 0;
    for (unsigned m = 0; m < 12; ++m)
        if (s.substr(8, 3) == months[m]) month = m + 1;
    const int day = two(s, 5), century = two(s, 12), year2 = two(s, 14), h = two(s, 17), mi = two(s, 20), sec = two(s, 23);
    if (!month || day < 1 || century < 0 || year2 < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':')
        return std::nullopt;
    const int year = century * 100 + year2;
    if (static_cast<unsigned>(day) > model::days_in_month(year, month)) return std::nullopt;
    return model::days_from_civil(year, month, static_cast<unsigned>(day)) * 86'400'000 + (h * 3600 + mi * 60 + sec) * 1000LL;
}

std::string encode_filter(std::string_view filter) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : filter) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~' || c == ':' || c == ',') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string errors_text(std::string_view body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    const std::string snippet(body.substr(0, 200));
    if (doc.HasParseError() || !doc.IsObject()) return snippet.empty() ? "(empty body)" : snippet;
    if (doc.HasMember("errors") && doc["errors"].IsArray()) {
        std::string out;
        for (const auto& e : doc["errors"].GetArray()) {
            if (!e.IsObject()) continue;
            std::string one = "errorId ";
            one += e.HasMember("errorId") && e["errorId"].IsInt64() ? std::to_string(e["errorId"].GetInt64()) : "?";
            if (e.HasMember("domain") && e["domain"].IsString()) one += std::string(" (") + e["domain"].GetString() + ")";
            if (e.HasMember("message") && e["message"].IsString()) one += std::string(": ") + e["message"].GetString();
            out += (out.empty() ? "" : "; ") + one;
        }
        if (!out.empty()) return out;
    }
    if (doc.HasMember("error") && doc["error"].IsString()) {
        std::string out = doc["error"].GetString();
        if (doc.HasMember("error_description") && doc["error_description"].IsString())
            out += std::string(": ") + doc["error_description"].GetString();
        return out;
    }
    return snippet;
}

std::vector<std::int64_t> error_ids(std::string_view body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    std::vector<std::int64_t> ids;
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("errors") || !doc["errors"].IsArray()) return ids;
    for (const auto& e : doc["errors"].GetArray())
        if (e.IsObject() && e.HasMember("errorId") && e["errorId"].IsInt64()) ids.push_back(e["errorId"].GetInt64());
    return ids;
}

bool is_call_limit(std::string_view body) {
    for (const std::int64_t id : error_ids(body))
        if (id == 2001 || id == 10001) return true;
    return false;
}

std::string order_marketplace(const json::Node& order) {
    const auto lines = order.at("lineItems");
    if (lines.size() == 0) return {};
    return std::string(lines[0].str_or("listingMarketplaceId", ""));
}

OrderParts map_order(const json::Node& n, model::Currency shop_currency) {
    OrderParts parts;
    model::Order& o = parts.order;
    o.id = std::string(n.at("orderId").str());
    o.name = o.id;  // the order number Seller Hub shows
    o.created_at = sdk::instant(n.at("creationDate"));
    o.updated_at = sdk::instant(n.at("lastModifiedDate"));
    bool cancelled = false;
    if (auto cancel = n.find("cancelStatus")) {
        if (auto state = cancel->find("cancelState"))
            cancelled = enum_value(*state, {"NONE_REQUESTED", "IN_PROGRESS", "CANCELED"}) == "CANCELED";
        if (cancelled) o.cancelled_at = sdk::opt_instant(*cancel, "cancelledDate");
    }
    const std::string_view fulfilment = enum_value(n.at("orderFulfillmentStatus"), {"NOT_STARTED", "IN_PROGRESS", "FULFILLED"});
    o.fulfillment_status = fulfilment == "NOT_STARTED" ? "unfulfilled" : fulfilment == "IN_PROGRESS" ? "partial" : "fulfilled";
    const std::string_view payment =
        enum_value(n.at("orderPaymentStatus"), {"PENDING", "FAILED", "PAID", "PARTIALLY_REFUNDED", "FULLY_REFUNDED"});
    o.financial_status = payment == "PENDING"              ? "pending"
                         : payment == "FAILED"             ? "failed"
                         : payment == "PAID"               ? "paid"
                         : payment == "PARTIALLY_REFUNDED" ? "partially_refunded"
                                                           : "refunded";
    o.status = cancelled ? "cancelled" : fulfilment == "FULFILLED" ? "closed" : "open";
    o.marketplace = order_marketplace(n);
    o.country = buyer_country(n);

    const auto pricing = n.at("pricingSummary");
    const auto total = pricing.at("total");
    Currencies c{shop_currency, std::nullopt};
    if (auto from = total.find("convertedFromCurrency")) c.buyer = sdk::currency(*from);
    o.currency = shop_currency;
    o.presentment_currency = c.buyer ? *c.buyer : shop_currency;
    o.total = bag(total, c);
    // priceSubtotal is before discounts, which eBay sends as negative amounts.
    o.subtotal = opt_bag(pricing, "priceSubtotal", c);
    const MoneyBag price_discount = opt_bag(pricing, "priceDiscount", c);
    add(o.subtotal, price_discount);
    o.discounts = minus(price_discount);
    o.shipping = opt_bag(pricing, "deliveryCost", c);
    add(o.shipping, opt_bag(pricing, "deliveryDiscount", c));
    o.tax = opt_bag(pricing, "tax", c);
    o.taxes_included = true;  // UK and EU prices include VAT
    o.tax_remitted_by_marketplace = n.bool_or("ebayCollectAndRemitTax", false);
    if (auto fee = n.find("totalMarketplaceFee")) {
        o.fees.push_back(model::Fee{"marketplace", bag(*fee, Currencies{shop_currency, std::nullopt}).shop});
        o.fees_known = true;
    }
    const auto lines = n.at("lineItems");
    lines.for_each([&](const json::Node& l) { o.lines.push_back(map_line(l, c)); });

    if (auto summary = n.find("paymentSummary"))
        if (auto refunds = summary->find("refunds")) {
            const std::size_t refund_count = refunds->size();
            refunds->for_each([&](const json::Node& r) {
                // Only money actually returned; a PENDING or FAILED refund comes back when it settles.
                if (enum_value(r.at("refundStatus"), {"FAILED", "PENDING", "REFUNDED"}) != "REFUNDED") return;
                model::Refund refund;
                refund.id = std::string(r.at("refundId").str());
                refund.order_id = o.id;
                refund.created_at = sdk::instant(r.at("refundDate"));
                refund.amount = bag(r.at("amount"), c);
                refund.tax = zero(c);       // eBay does not split a refund into tax and shipping
                refund.shipping = zero(c);
                lines.for_each([&](const json::Node& l) {
                    auto line_refunds = l.find("refunds");
                    if (!line_refunds) return;
                    line_refunds->for_each([&](const json::Node& lr) {
                        const auto id = lr.find("refundId");
                        // A line refund without an id belongs to the order's only refund.
                        if (id ? id->str() != refund.id : refund_count != 1) return;
                        refund.lines.push_back(model::RefundLine{std::string(l.at("lineItemId").str()), std::string(l.str_or("sku", "")),
                                                                 0, bag(lr.at("amount"), c), zero(c)});
                    });
                });
                parts.refunds.push_back(std::move(refund));
            });
        }
    return parts;
}

std::string group_key_of(const json::Node& item) {
    if (auto keys = item.find("inventoryItemGroupKeys"))
        if (keys->size() > 0) return std::string((*keys)[0].str());
    return {};
}

model::Variant map_variant(const json::Node& item, const json::Node* offer, std::string_view marketplace) {
    model::Variant v;
    v.sku = std::string(item.at("sku").str());
    v.id = v.sku;
    const std::string group = group_key_of(item);
    v.product_id = group.empty() ? v.sku : group;
    v.marketplace = std::string(marketplace);
    if (auto product = item.find("product")) {
        v.title = std::string(product->str_or("title", ""));
        v.barcode = first_barcode(*product);
    }
    if (auto availability = item.find("availability"))
        if (auto ship = availability->find("shipToLocationAvailability")) {
            std::int64_t sum = 0;
            if (auto distributions = ship->find("availabilityDistributions"))
                distributions->for_each([&](const json::Node& d) {
                    model::StockLevel level{std::string(d.at("merchantLocationKey").str()), d.at("quantity").i64()};
                    sum += level.quantity;
                    v.stock.push_back(std::move(level));
                });
            v.stock_total = ship->has("quantity") ? ship->at("quantity").i64() : sum;
        }
    v.active = false;
    if (offer) {
        const auto pricing = offer->at("pricingSummary");
        const auto price = pricing.at("price");
        v.price = sdk::money(price.at("value"), sdk::currency(price.at("currency")));
        if (auto original = pricing.find("originalRetailPrice"))
            v.compare_at_price = sdk::money(original->at("value"), sdk::currency(original->at("currency")));
        const bool published = enum_value(offer->at("status"), {"PUBLISHED", "UNPUBLISHED"}) == "PUBLISHED";
        bool listed = false;
        if (auto listing = offer->find("listing"))
            if (auto status = listing->find("listingStatus"))
                listed = status->str() == "ACTIVE" || status->str() == "OUT_OF_STOCK";
        v.active = published && listed;
    }
    return v;
}

model::Product map_item_product(const json::Node& item, std::string_view marketplace) {
    model::Product p;
    p.id = std::string(item.at("sku").str());
    p.marketplace = std::string(marketplace);
    if (auto product = item.find("product")) {
        p.title = std::string(product->str_or("title", ""));
        p.description_html = std::string(product->str_or("description", ""));
        p.description = sdk::html_to_text(p.description_html);
        p.vendor = brand_of(*product);
        read_images(*product, p.images);
    }
    return p;
}

model::Product map_group_product(const json::Node& group, std::string_view marketplace) {
    model::Product p;
    p.id = std::string(group.at("inventoryItemGroupKey").str());
    p.marketplace = std::string(marketplace);
    p.title = std::string(group.str_or("title", ""));
    p.description_html = std::string(group.str_or("description", ""));
    p.description = sdk::html_to_text(p.description_html);
    p.vendor = brand_of(group);
    read_images(group, p.images);
    return p;
}

std::vector<model::TrafficSample> map_traffic(const json::Node& report, std::string_view marketplace, std::int64_t& skipped,
                                              std::optional<std::int64_t> report_day) {
    const auto header = report.at("header");
    std::optional<std::size_t> listing_at, day_at, views_at;
    const auto keys = header.at("dimensionKeys");
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const std::string_view k = keys[i].at("key").str();
        if (k == "LISTING_ID" || k == "LISTING") listing_at = i;
        if (k == "DAY") day_at = i;
    }
    const auto metrics = header.at("metrics");
    for (std::size_t i = 0; i < metrics.size(); ++i)
        if (metrics[i].at("key").str() == "LISTING_VIEWS_TOTAL") views_at = i;
    if (report_day) {
        if (!listing_at) keys.fail("expected the dimension LISTING_ID");
    } else if (!listing_at || !day_at) {
        keys.fail("expected the dimensions LISTING_ID and DAY");
    }
    if (!views_at) metrics.fail("no LISTING_VIEWS_TOTAL metric");
    std::vector<model::TrafficSample> out;
    auto records = report.find("records");
    if (!records) return out;
    records->for_each([&](const json::Node& r) {
        const auto dims = r.at("dimensionValues");
        const auto values = r.at("metricValues");
        if (dims.size() != keys.size()) dims.fail("expected " + std::to_string(keys.size()) + " values, as the header's dimensionKeys");
        if (values.size() != metrics.size()) values.fail("expected " + std::to_string(metrics.size()) + " values, as the header's metrics");
        const auto views = values[*views_at];
        if (!views.bool_or("applicable", true) || !views.has("value")) {
            ++skipped;
            return;
        }
        model::TrafficSample t;
        t.listing_id = std::string(dims[*listing_at].at("value").str());
        if (day_at) {
            const auto day_node = dims[*day_at].at("value");
            const auto day = parse_ebay_day(day_node.str());
            if (!day) day_node.fail("expected a day YYYYMMDD, found '" + std::string(day_node.str()) + "'");
            t.day = *day;
        } else {
            t.day = *report_day;
        }
        t.views = views.at("value").i64_lenient();
        t.marketplace = std::string(marketplace);
        out.push_back(std::move(t));
    });
    return out;
}

}  // namespace pcgd::ebay
