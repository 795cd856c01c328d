// The normalised model every plugin produces and every tool reads.
// Identifiers are the platform's own, as strings; a record is keyed in the
// store by (shop, kind, id). Money is minor units plus currency; instants are
// UTC milliseconds. An optional field that is empty means "the platform did
// not say", which is never the same as zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pcgd/abi.h>
#include <pcgd/model/money.hpp>
#include <pcgd/model/time.hpp>

namespace pcgd::model {

enum class RecordKind : std::uint32_t {
    product = PCGD_RECORD_PRODUCT,
    variant = PCGD_RECORD_VARIANT,
    order = PCGD_RECORD_ORDER,
    refund = PCGD_RECORD_REFUND,
    traffic = PCGD_RECORD_TRAFFIC,
    deletion = PCGD_RECORD_DELETION,
};

/// "product", "variant", ... as used in JSON and on the command line.
inline const char* to_string(RecordKind kind) noexcept {
    switch (kind) {
    case RecordKind::product: return "product";
    case RecordKind::variant: return "variant";
    case RecordKind::order: return "order";
    case RecordKind::refund: return "refund";
    case RecordKind::traffic: return "traffic";
    case RecordKind::deletion: return "deletion";
    }
    return "unknown";
}

inline std::optional<RecordKind> record_kind_from_string(std::string_view name) noexcept {
    for (auto k : {RecordKind::product, RecordKind::variant, RecordKind::order, RecordKind::refund,
                   RecordKind::traffic, RecordKind::deletion})
        if (name == to_string(k)) return k;
    return std::nullopt;
}

/// Where a shop sells and how its months are counted.
struct Shop {
    std::string id;
    std::string platform;   // plugin id: "shopify", "amazon", ...
    std::string country;    // ISO 3166-1 alpha-2: "GB", "FR"
    Currency currency;      // the shop's own currency
    std::string time_zone;  // IANA: "Europe/London"
    friend bool operator==(const Shop&, const Shop&) = default;
};

struct Image {
    std::string url;
    std::optional<std::int32_t> width_px;
    std::optional<std::int32_t> height_px;
    friend bool operator==(const Image&, const Image&) = default;
};

struct StockLevel {
    std::string location_id;
    std::int64_t quantity = 0;
    friend bool operator==(const StockLevel&, const StockLevel&) = default;
};

struct Product {
    std::string id;
    std::string title;
    std::string description;       // plain text, for analysis
    std::string description_html;  // as the platform holds it
    std::string vendor;
    std::string product_type;
    std::vector<std::string> tags;
    bool active = true;
    std::vector<Image> images;
    std::string marketplace;  // e.g. "A1F83G8C2ARO7P", "EBAY_GB"; empty when the shop is the market
    std::optional<TimestampMs> created_at;
    std::optional<TimestampMs> updated_at;
    friend bool operator==(const Product&, const Product&) = default;
};

struct Variant {
    std::string id;
    std::string product_id;
    std::string sku;
    std::string barcode;  // GTIN / EAN / UPC / ISBN as given
    std::string title;
    std::optional<Money> price;
    std::optional<Money> compare_at_price;
    std::optional<Money> unit_cost;
    std::vector<StockLevel> stock;           // per location
    std::optional<std::int64_t> stock_total; // empty when stock is not tracked
    bool active = true;
    std::vector<Image> images;
    std::string marketplace;
    std::optional<TimestampMs> updated_at;
    friend bool operator==(const Variant&, const Variant&) = default;
};

struct Fee {
    std::string kind;  // "commission", "fba_fulfilment", "payment", "final_value", ...
    Money amount;      // positive: what the seller pays
    friend bool operator==(const Fee&, const Fee&) = default;
};

struct OrderLine {
    std::string id;
    std::string sku;
    std::string variant_id;
    std::string product_id;
    std::string title;
    std::int64_t quantity = 0;
    MoneyBag unit_price;  // before discounts
    MoneyBag discount;    // total for the line, positive
    MoneyBag tax;         // total for the line
    friend bool operator==(const OrderLine&, const OrderLine&) = default;
};

struct Order {
    std::string id;
    std::string name;  // the number the seller sees ("#1001")
    TimestampMs created_at = 0;
    std::optional<TimestampMs> updated_at;
    std::optional<TimestampMs> cancelled_at;
    std::string status;               // open, closed, cancelled
    std::string financial_status;     // pending, paid, partially_refunded, refunded, voided, ...
    std::string fulfillment_status;   // unfulfilled, partial, fulfilled, ...
    Currency currency;                // shop currency
    std::optional<Currency> presentment_currency;
    std::string marketplace;
    std::string country;  // ISO 3166-1 alpha-2 of the buyer's market
    MoneyBag subtotal;    // lines after line discounts, before shipping and tax
    MoneyBag discounts;
    MoneyBag shipping;
    MoneyBag tax;
    MoneyBag total;
    bool taxes_included = false;          // prices are tax-inclusive
    bool tax_remitted_by_marketplace = false;  // the marketplace collects and pays the tax
    std::vector<Fee> fees;
    bool fees_known = false;  // false: fees not reported yet (unknown, not zero)
    std::vector<OrderLine> lines;
    bool test = false;
    friend bool operator==(const Order&, const Order&) = default;
};

struct RefundLine {
    std::string order_line_id;
    std::string sku;
    std::int64_t quantity = 0;
    MoneyBag subtotal;  // refunded, excluding tax
    MoneyBag tax;
    friend bool operator==(const RefundLine&, const RefundLine&) = default;
};

struct Refund {
    std::string id;
    std::string order_id;
    TimestampMs created_at = 0;
    MoneyBag amount;    // money returned to the buyer, tax included
    MoneyBag tax;       // of which tax, where the platform separates it
    MoneyBag shipping;  // of which shipping
    std::vector<RefundLine> lines;
    std::string note;
    friend bool operator==(const Refund&, const Refund&) = default;
};

/// Views of one listing on one day.
struct TrafficSample {
    std::string sku;
    std::string listing_id;
    std::int64_t day = 0;  // days since the epoch, in the shop's time zone
    std::int64_t views = 0;
    std::optional<std::int64_t> sessions;
    std::string marketplace;
    friend bool operator==(const TrafficSample&, const TrafficSample&) = default;

    /// Traffic has no platform id; this key makes it one.
    std::string id() const { return (listing_id.empty() ? sku : listing_id) + '@' + format_date(day) +
                                    (marketplace.empty() ? "" : '@' + marketplace); }
};

/// An upstream record that no longer exists.
struct Deletion {
    RecordKind kind = RecordKind::product;
    std::string id;
    std::optional<TimestampMs> deleted_at;
    friend bool operator==(const Deletion&, const Deletion&) = default;
};

}  // namespace pcgd::model
