// What the Amazon plugin knows of SP-API itself: the EU marketplaces, the
// usage plan of each operation it calls (from the models), error bodies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <pcgd/model/money.hpp>
#include <pcgd/sdk/plugin.hpp>

namespace pcgd::amazon {

/// A marketplace of the EU endpoint: one pcgd shop sells in exactly one.
struct Marketplace {
    std::string_view id;
    std::string_view country;  // ISO 3166-1 alpha-2
    std::string_view currency;
    std::string_view name;  // as financial events name it ("Amazon.co.uk")
};

inline constexpr Marketplace eu_marketplaces[] = {
    {"A1F83G8C2ARO7P", "GB", "GBP", "Amazon.co.uk"}, {"A13V1IB3VIYZZH", "FR", "EUR", "Amazon.fr"},
    {"A1PA6795UKMFR9", "DE", "EUR", "Amazon.de"},    {"APJ6JRA9NG5V4", "IT", "EUR", "Amazon.it"},
    {"A1RKKUPIHCS9HS", "ES", "EUR", "Amazon.es"},    {"A1805IZSGTT6HS", "NL", "EUR", "Amazon.nl"},
    {"AMEN7PMS3EDWL", "BE", "EUR", "Amazon.com.be"}, {"A28R8C7NBKEWEA", "IE", "EUR", "Amazon.ie"},
    {"A2NODRKZP88ZB9", "SE", "SEK", "Amazon.se"},    {"A1C3SOZRARQ6R3", "PL", "PLN", "Amazon.pl"},
};

inline const Marketplace* marketplace_by_id(std::string_view id) {
    for (const auto& m : eu_marketplaces)
        if (m.id == id) return &m;
    return nullptr;
}

inline const Marketplace* marketplace_by_country(std::string_view country) {
    for (const auto& m : eu_marketplaces)
        if (m.country == country) return &m;
    return nullptr;
}

/// An SP-API operation and its default usage plan (rate in requests per
/// second, burst), as the models document them.
struct Operation {
    const char* bucket;  // the seller account's sub-budget it draws on
    double rate_per_s;
    std::int64_t burst;
};

namespace op {
inline constexpr Operation search_orders{"orders.searchOrders", 0.0056, 20};
inline constexpr Operation get_order{"orders.getOrder", 0.5, 30};
inline constexpr Operation create_report{"reports.createReport", 0.0167, 15};
inline constexpr Operation get_report{"reports.getReport", 2.0, 15};
inline constexpr Operation get_report_document{"reports.getReportDocument", 0.0167, 15};
inline constexpr Operation inventory_summaries{"fbaInventory.getInventorySummaries", 2.0, 2};
inline constexpr Operation order_financial_events{"finances.listFinancialEventsByOrderId", 0.5, 30};
inline constexpr Operation financial_events{"finances.listFinancialEvents", 0.5, 30};
inline constexpr Operation search_listings_items{"listings.searchListingsItems", 5.0, 5};
}  // namespace op

/// Makes `r` draw on the operation's own bucket of the seller account's
/// budget, with its documented burst and rate (rounded down: never above it).
inline void draw_on(sdk::Request& r, const Operation& o) {
    r.cost = 1;
    r.rate_bucket = o.bucket;
    r.rate_bucket_capacity = o.burst;
    r.rate_bucket_restore_milli_per_s = static_cast<std::int64_t>(o.rate_per_s * 1000.0 + 1e-9);
}

/// Amazon's "x-amzn-RateLimit-Limit: 0.0167" (requests per second), as the
/// restore rate of the answered request's bucket; nothing when absent or odd.
inline std::optional<std::int64_t> rate_limit_milli_per_s(const sdk::Response& r) {
    auto h = r.header("x-amzn-RateLimit-Limit");
    if (!h || h->empty()) return std::nullopt;
    // Parsed as a decimal, never through a double: "0.0056" -> 5 (rounded down, to stay under it).
    std::int64_t whole = 0, frac = 0, scale = 1000;
    bool point = false, any = false;
    for (char c : *h) {
        if (c == '.') {
            if (point) return std::nullopt;
            point = true;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        any = true;
        if (!point) {
            if (whole > 1'000'000) return std::nullopt;
            whole = whole * 10 + (c - '0');
        } else if (scale > 1) {
            scale /= 10;
            frac += (c - '0') * scale;
        }
    }
    if (!any) return std::nullopt;
    const std::int64_t milli = whole * 1000 + frac;
    return milli > 0 ? std::optional<std::int64_t>(milli) : std::nullopt;
}

/// The text of SP-API's {"errors":[{"code","message","details"}]}, or the
/// body's start when it is something else.
inline std::string errors_text(std::string_view body, std::string* first_code = nullptr) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("errors") || !doc["errors"].IsArray())
        return std::string(body.substr(0, 200));
    std::string out;
    for (const auto& e : doc["errors"].GetArray()) {
        if (!e.IsObject()) continue;
        const auto text = [&](const char* k) -> std::string {
            return e.HasMember(k) && e[k].IsString() ? std::string(e[k].GetString()) : std::string();
        };
        if (first_code && first_code->empty()) *first_code = text("code");
        std::string one = text("code") + ": " + text("message");
        if (!text("details").empty()) one += " (" + text("details") + ")";
        out += (out.empty() ? "" : "; ") + one;
    }
    return out.empty() ? std::string(body.substr(0, 200)) : out;
}

}  // namespace pcgd::amazon
