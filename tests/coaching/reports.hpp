// Hand-made tool reports for the coaching unit tests: only the sections and
// columns the coaching code reads, with figures worked out by hand.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "analysis/report.hpp"
#include "coaching/snapshot.hpp"

namespace pcgd::coaching::test {

inline analysis::Section section(std::string key, std::initializer_list<const char*> columns, std::vector<analysis::Row> rows) {
    analysis::Section s;
    s.key = std::move(key);
    for (const char* c : columns) s.columns.push_back(analysis::Column{c, {c, c}});
    s.rows = std::move(rows);
    return s;
}

inline model::Money gbp(std::int64_t minor) { return model::Money{minor, model::Currency::of("GBP")}; }
inline analysis::Month month(const char* text) { return *analysis::Month::parse(text); }

inline analysis::Report report(std::string tool, std::vector<analysis::Section> sections, const char* month_text = "2026-10") {
    analysis::Report r;
    r.tool = std::move(tool);
    r.month = month(month_text);
    r.currency = model::Currency::of("GBP");
    r.sections = std::move(sections);
    return r;
}

}  // namespace pcgd::coaching::test
