// What a report covers: one shop, or one SME across its shops; its
// reporting currency and language; and the inputs every tool shares.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/calendar.hpp"
#include "analysis/report.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

namespace pcgd::analysis {

/// Bad input from the user (unknown SME or shop, a shop without an SME...).
struct InputError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

struct ReportRequest {
    std::string sme_id, shop_id;          // exactly one
    std::optional<Month> month;           // default: the last full month
    std::optional<model::Currency> currency;  // default: the SME's (or the shop's)
    std::optional<Lang> lang;             // default: the SME's, else en
    model::TimestampMs now_ms = 0;        // "now", for the default month
};

struct Scope {
    std::string kind, id, name;  // "sme" or "shop"
    std::string sme_id;          // empty for a shop without an SME
    std::vector<host::ShopRecord> shops;
    model::Currency currency;
    Lang lang = Lang::en;
    Month month;                 // the report's month
};

Scope resolve_scope(host::Store& store, const ReportRequest& request);

/// Unit costs: the platform's (the variant's unit cost), else the SME's cost
/// sheet row valid on the day, else unknown.
class CostBook {
public:
    CostBook(host::Store& store, const Scope& scope);
    std::optional<model::Money> unit_cost(const std::string& shop_id, const std::string& sku, std::int64_t day) const;

private:
    // Looked up once per order line: transparent comparators find by the
    // caller's strings without copying them.
    std::map<std::string, std::map<std::string, model::Money, std::less<>>, std::less<>> platform_;  // shop -> sku -> cost
    std::map<std::string, std::vector<host::CostEntry>, std::less<>> sheet_;  // sku -> by valid_from_day
};

/// Splits `total` into parts proportional to `weights` (largest remainder,
/// ties to the first), so the parts add up to `total` exactly. With weights
/// summing to zero, `fallback` converts each weight and the rounding rest
/// goes to the largest weight.
std::vector<std::int64_t> split(std::int64_t total, const std::vector<std::int64_t>& weights,
                                const std::function<std::int64_t(std::int64_t)>& fallback);

/// The estimated fee of `orders` orders with sales `base_minor`, rounded once.
std::int64_t estimated_fee(const host::FeeRule& rule, std::int64_t base_minor, std::int64_t orders);

/// One channel's (shop's) figures of one month, in the reporting currency.
struct Figures {
    std::int64_t orders = 0, units = 0;
    std::int64_t sales = 0;               // after refunds of the month
    std::int64_t line_sales = 0;          // line amounts before refunds (base of the share without cost)
    std::int64_t sales_without_cost = 0;  // line amounts of SKUs without a known cost
    std::int64_t goods_cost = 0;          // known unit costs x units
    std::int64_t fees = 0;                // reported plus estimated
    std::int64_t fees_estimated = 0;
    std::int64_t fee_orders_unknown = 0;  // orders with neither reported fees nor a fee rule
    Figures& operator+=(const Figures& o);
    bool cost_known() const { return sales_without_cost == 0 && fee_orders_unknown == 0; }
    std::optional<std::int64_t> cost() const;    // goods + fees, when known
    std::optional<std::int64_t> profit() const;  // sales - cost, when known
};

/// Month -> shop id -> figures, from the daily facts, for months [from, to].
/// Each figure of a (shop, local day, currency) is converted once.
std::map<Month, std::map<std::string, Figures>> monthly_figures(host::Store& store, const Scope& scope,
                                                                const host::Config& config, const CostBook& costs,
                                                                Exchange& exchange, Month from, Month to);

/// The definitions every report carries.
std::vector<std::pair<std::string, Text>> common_definitions();

/// A report of `tool` over `scope`, with its title and the scope's month and
/// currency filled in; the tool adds definitions, warnings and sections.
Report start_report(std::string tool, Text title, const Scope& scope);

}  // namespace pcgd::analysis
