// What was on screen in a session: the sync time of each shop and the key
// figures of the four tools for the last full month, taken when the session
// is recorded and stored as JSON, so a later review shows exactly that.
// Every figure is read from the tools' reports, never recomputed here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/report.hpp"
#include "analysis/scope.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

namespace pcgd::coaching {

struct ShopSync {
    std::string shop, platform, country;
    std::optional<std::int64_t> synced_at_ms;  // the last successful orders sync
};

/// One channel (shop) or one country; money in the snapshot's currency.
struct ChannelFigures {
    std::string key;  // shop id, or country code
    std::string platform, country;  // for a channel
    std::int64_t orders = 0, sales = 0, views = 0;
    std::optional<std::int64_t> profit;  // unknown when a cost is unknown
};

struct ProductFigures {
    std::string shop, sku;
    std::int64_t orders = 0, units = 0, sales = 0;
    std::optional<std::int64_t> profit;
};

struct Snapshot {
    std::int64_t taken_at_ms = 0;
    std::string month;     // YYYY-MM, the last full month
    std::string currency;  // of every amount
    std::vector<ShopSync> shops;
    std::int64_t orders = 0, sales = 0;
    std::optional<std::int64_t> profit;
    std::optional<double> margin_pct;  // as the planning tool shows it
    std::vector<ChannelFigures> channels, countries;
    std::vector<ProductFigures> products;  // every product sold in the month
    std::vector<std::pair<std::string, std::int64_t>> quality;  // shop -> score
    std::int64_t strong = 0, good = 0, potential = 0, new_markets = 0;
    std::int64_t projected_sales = 0, projected_sales_low = 0, projected_sales_high = 0, projected_orders = 0;
};

/// The four reports of one SME for one month (in English, so that keys such
/// as the opportunity tiers are stable).
struct ToolReports {
    analysis::Report quality, opportunities, planning, growth;
};

/// Runs the four tools for `sme_id` for `month`, by default the last full
/// month before `now_ms`, in `lang` (English for snapshots, whose keys must
/// be stable). Throws analysis::InputError, MissingRate.
ToolReports run_tools(host::Store& store, const host::Config& config, const std::string& sme_id, std::int64_t now_ms,
                      std::optional<analysis::Month> month = std::nullopt, analysis::Lang lang = analysis::Lang::en);

/// The snapshot of those reports; `views` are per shop for the month, read
/// from the store's traffic (no tool sums a month's views).
Snapshot make_snapshot(const ToolReports& reports, const std::vector<ShopSync>& shops,
                       const std::vector<std::pair<std::string, std::int64_t>>& views, std::int64_t taken_at_ms);

/// run_tools + the shops' sync times and views + make_snapshot.
Snapshot take_snapshot(host::Store& store, const host::Config& config, const std::string& sme_id, std::int64_t now_ms);

std::string to_json(const Snapshot& s);
/// Throws std::runtime_error on a document that is not a snapshot.
Snapshot snapshot_from_json(const std::string& json);

/// Index of column `key` in `section`; throws std::logic_error when absent.
std::size_t column(const analysis::Section& section, const std::string& key);
/// The section `key` of `report`; throws std::logic_error when absent.
const analysis::Section& section(const analysis::Report& report, const std::string& key);

}  // namespace pcgd::coaching
