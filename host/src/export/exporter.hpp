// `pcgd export`: the stored records as CSV (one row per record or line) or
// JSON Lines (one record per line, with its shop).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace pcgd::host {

enum class ExportTable { products, variants, orders, order_lines, refunds, traffic };
enum class ExportFormat { csv, jsonl };

std::optional<ExportTable> export_table_from_string(std::string_view name) noexcept;

/// Writes one RFC 4180 field. Text that a spreadsheet would run as a formula
/// gets a leading apostrophe, so an exported title can never execute.
void write_csv_field(std::ostream& out, std::string_view text);

/// Writes the table; returns the number of rows written.
std::size_t export_table(Store& store, ExportTable table, ExportFormat format, std::optional<std::string_view> shop_id,
                         std::ostream& out);

}  // namespace pcgd::host
