// WooCommerce wc/v3 JSON to the PCGD model. Documents are parsed with
// RapidJSON's numbers-as-strings flag, so a JSON number (an order line's
// `price`, a cost of goods) is read from its own digits, never through a
// double; ids and quantities are read as integers from the same text.
#pragma once

#include <pcgd/model/records.hpp>
#include <pcgd/sdk/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pcgd::woocommerce {

/// Parses a response the way the mapping below expects it.
void parse_document(rapidjson::Document& doc, std::string_view body, std::string_view what);

/// A JSON number or decimal string as money, exactly (a number's own digits).
model::Money money_of(const json::Node& n, model::Currency c);
/// A price member: missing or "" is unknown, never zero.
std::optional<model::Money> opt_price(const json::Node& parent, const char* key, model::Currency c);
/// An integer id as a string ("733").
std::string id_of(const json::Node& n);
/// A `*_gmt` date: UTC without a zone suffix.
model::TimestampMs gmt(const json::Node& n);

/// A product and, for every type but variable and grouped, the variant that
/// stands for the product itself (its id is the product's).
struct ProductParts {
    model::Product product;
    std::optional<model::Variant> own_variant;
    bool variable = false;
    /// From its `variations` list; empty when the list is absent (read them anyway).
    std::optional<std::size_t> variation_count;
    /// The stock of a product that manages it, for variations whose
    /// manage_stock is "parent".
    std::optional<std::int64_t> stock_quantity;
};

ProductParts map_product(const json::Node& p, model::Currency shop_currency);
model::Variant map_variation(const json::Node& v, const ProductParts& parent, model::Currency shop_currency);

/// An order without its refunds, and the ids of those (read on their own route).
struct OrderParts {
    model::Order order;
    std::vector<std::string> refund_ids;
};

OrderParts map_order(const json::Node& o);
model::Refund map_refund(const json::Node& r, const model::Order& order);

}  // namespace pcgd::woocommerce
