// The report document every tool builds and the one renderer per format, so
// text, JSON and CSV always show the same figures.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include <pcgd/model/money.hpp>

#include "analysis/calendar.hpp"
#include "analysis/exchange.hpp"

namespace pcgd::analysis {

enum class Lang { en, fr };
enum class Format { text, json, csv };

/// A label in both languages.
struct Text {
    std::string en, fr;
    const std::string& in(Lang l) const { return l == Lang::fr && !fr.empty() ? fr : en; }
};

/// A percentage for display: computed in double from exact integers.
struct Percent {
    double value = 0;
    friend bool operator==(const Percent&, const Percent&) = default;
};
struct Day {
    std::int64_t epoch_day = 0;
    friend bool operator==(const Day&, const Day&) = default;
};

/// A cell; monostate is unknown (rendered "-" in text, null in JSON, empty in CSV).
using Cell = std::variant<std::monostate, std::string, std::int64_t, model::Money, Percent, Day, Month>;

struct Column {
    std::string key;  // stable: JSON member and CSV header
    Text label;
};

using Row = std::vector<Cell>;

struct Section {
    std::string key;
    Text title;
    std::vector<Column> columns;
    std::vector<Row> rows;
    std::vector<Text> notes;
    /// Rows made on demand, after `rows`, for a section too large to hold as
    /// cells (a month's order list): each call makes every row again, in the
    /// same order. Readers go through for_each_row, which covers both.
    std::function<void(const std::function<void(const Row&)>&)> generate{};

    void for_each_row(const std::function<void(const Row&)>& f) const {
        for (const auto& row : rows) f(row);
        if (generate) generate(f);
    }
    /// The same section with every row held as cells.
    Section materialized() const {
        Section copy{key, title, columns, rows, notes, {}};
        if (generate) generate([&](const Row& row) { copy.rows.push_back(row); });
        return copy;
    }
};

struct Report {
    std::string tool;  // quality, opportunities, planning, growth
    Text title;
    std::string scope_kind, scope_id, scope_name;  // "sme" or "shop"
    std::optional<Month> month;
    model::Currency currency;
    std::vector<std::pair<std::string, Text>> definitions;
    std::vector<RateUsed> rates;
    std::vector<Text> warnings;
    std::vector<Section> sections;
};

std::string format_money(const model::Money& m, Lang lang);
std::string format_integer(std::int64_t n, Lang lang);
std::string format_percent(Percent p, Lang lang);
std::string format_day(std::int64_t epoch_day, Lang lang);
std::string format_month(Month m, Lang lang);

/// A ratio as a percentage, or unknown when the denominator is zero.
Cell percent_of(std::int64_t numerator, std::int64_t denominator);

void render(const Report& report, Format format, Lang lang, std::ostream& out);

}  // namespace pcgd::analysis
