// eBay's JSON into the model: orders, inventory items with their offers and
// groups, traffic reports, error containers. Pure functions, no state, so
// the FakeHost tests and the benchmark exercise them through the plugin and
// nothing else needs to know eBay's shapes.
#pragma once

#include <pcgd/model/records.hpp>
#include <pcgd/sdk/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pcgd::ebay {

/// The marketplaces this plugin serves, with what follows from each.
struct Marketplace {
    std::string_view id;        // "EBAY_GB"
    std::string_view country;   // "GB"
    std::string_view currency;  // "GBP"
    std::string_view language;  // Accept-Language: "en-GB"
};
/// EBAY_GB or EBAY_FR; nothing for another id.
std::optional<Marketplace> marketplace_by_id(std::string_view id);
/// The marketplace of a shop's country (GB, FR); nothing for another.
std::optional<Marketplace> marketplace_of_country(std::string_view country);

/// eBay's timestamp form, always with milliseconds: "2025-03-01T00:00:00.000Z".
std::string ebay_time(model::TimestampMs t);
/// "20250301" for a day number.
std::string ebay_day(std::int64_t epoch_day);
/// Parses "20250301"; nothing when malformed.
std::optional<std::int64_t> parse_ebay_day(std::string_view s);
/// An HTTP date (RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"); nothing when malformed.
std::optional<model::TimestampMs> parse_http_date(std::string_view s);

/// A filter value as eBay's docs write it: the brackets, braces and bars (and
/// anything else outside [A-Za-z0-9-_.~:,]) percent-encoded, so that
/// `lastmodifieddate:[2025-03-01T00:00:00.000Z..]` becomes
/// `lastmodifieddate:%5B2025-03-01T00:00:00.000Z..%5D`.
std::string encode_filter(std::string_view filter);

/// eBay's error container `{"errors":[{errorId, domain, message, ...}]}` as
/// "errorId 1001 (OAuth): Invalid access token; ...", or the OAuth form
/// `{error, error_description}` as "invalid_grant: ...". A body of another
/// shape gives its first 200 bytes.
std::string errors_text(std::string_view body);
/// The errorIds of an error container (empty for another shape).
std::vector<std::int64_t> error_ids(std::string_view body);
/// True when the body says a call limit (quota) was reached: errorId 2001
/// ("Too many requests") or 10001 ("Service call has exceeded the number of
/// times the operation is allowed to be called").
bool is_call_limit(std::string_view body);

/// An order with its refunds, mapped for one marketplace.
struct OrderParts {
    model::Order order;
    std::vector<model::Refund> refunds;
};

/// The marketplace an order was listed on: its first line's listingMarketplaceId.
std::string order_marketplace(const json::Node& order);
/// One `orders[]` element of getOrders (or a getOrder body). `shop_currency`
/// is checked against the order's amounts.
OrderParts map_order(const json::Node& order, model::Currency shop_currency);

/// One `inventoryItems[]` element with the offer of the shop's marketplace
/// (nullptr when the item has none there) into a variant.
model::Variant map_variant(const json::Node& item, const json::Node* offer, std::string_view marketplace);
/// A product for an item that belongs to no group: the item itself.
model::Product map_item_product(const json::Node& item, std::string_view marketplace);
/// A product for an inventory item group (getInventoryItemGroup body).
model::Product map_group_product(const json::Node& group, std::string_view marketplace);
/// The group key an item belongs to, or empty.
std::string group_key_of(const json::Node& item);

/// The rows of a traffic report (dimensions LISTING and DAY, or LISTING alone
/// for the one day `report_day` the report covers), with the views of each;
/// rows whose LISTING_VIEWS_TOTAL is not applicable are left out (unknown,
/// not zero) and counted in `skipped`.
std::vector<model::TrafficSample> map_traffic(const json::Node& report, std::string_view marketplace, std::int64_t& skipped,
                                              std::optional<std::int64_t> report_day = std::nullopt);

}  // namespace pcgd::ebay
