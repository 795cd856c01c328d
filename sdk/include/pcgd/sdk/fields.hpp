// Typed values out of a platform's JSON, with errors that name the path:
// money in decimal strings, currencies, ISO 8601 instants.
#pragma once

#include <optional>
#include <string>

#include <pcgd/model/money.hpp>
#include <pcgd/model/time.hpp>
#include <pcgd/sdk/json.hpp>

namespace pcgd::sdk {

inline model::Currency currency(const json::Node& n) {
    auto c = model::Currency::parse(n.str());
    if (!c) n.fail("not an ISO 4217 currency code: '" + std::string(n.str()) + "'");
    return *c;
}

/// A decimal string ("12.50") in the given currency. Never through a double.
inline model::Money money(const json::Node& n, model::Currency c) {
    auto m = model::Money::try_parse(n.str(), c);
    if (!m) n.fail("not a decimal amount: '" + std::string(n.str()) + "'");
    return *m;
}

inline std::optional<model::Money> opt_money(const json::Node& parent, const char* key, model::Currency c) {
    auto n = parent.find(key);
    if (!n) return std::nullopt;
    return money(*n, c);
}

inline model::TimestampMs instant(const json::Node& n, model::NoZone no_zone = model::NoZone::reject) {
    auto t = model::parse_iso8601(n.str(), no_zone);
    if (!t) n.fail("not an ISO 8601 instant: '" + std::string(n.str()) + "'");
    return *t;
}

inline std::optional<model::TimestampMs> opt_instant(const json::Node& parent, const char* key,
                                                      model::NoZone no_zone = model::NoZone::reject) {
    auto n = parent.find(key);
    if (!n) return std::nullopt;
    return instant(*n, no_zone);
}

}  // namespace pcgd::sdk
