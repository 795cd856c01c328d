#include "analysis/report.hpp"

#include <cmath>
#include <cstdio>

#include <pcgd/sdk/json.hpp>

#include "export/exporter.hpp"
#include "util/text_table.hpp"

namespace pcgd::analysis {

namespace {

// French typography (CLDR): narrow no-break space between thousands, no-break
// space before the currency symbol and the percent sign.
constexpr const char* fr_group = "\u202F";
constexpr const char* nbsp = "\u00A0";

std::string group_digits(std::string digits, const char* separator) {
    std::string out;
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out += separator;
        out += digits[i];
    }
    return out;
}

std::string symbol(model::Currency c) {
    if (c.code() == "GBP") return "£";
    if (c.code() == "EUR") return "€";
    if (c.code() == "USD") return "$";
    return c.str();
}

const char* month_names(Lang lang, unsigned m) {
    static const char* en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char* fr[] = {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."};
    return (lang == Lang::fr ? fr : en)[m - 1];
}

double rounded_tenth(double v) { return std::round(v * 10) / 10; }

}  // namespace

std::string format_integer(std::int64_t n, Lang lang) {
    const bool negative = n < 0;
    const std::uint64_t abs = negative ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    // Appended, not "-" + string: g++ 12 warns falsely (-Wrestrict) on the latter.
    std::string out = negative ? "-" : "";
    out += group_digits(std::to_string(abs), lang == Lang::fr ? fr_group : ",");
    return out;
}

std::string format_money(const model::Money& m, Lang lang) {
    const std::string decimal = m.decimal();
    const bool negative = !decimal.empty() && decimal[0] == '-';
    const std::string body = negative ? decimal.substr(1) : decimal;
    const auto point = body.find('.');
    const std::string whole = body.substr(0, point), frac = point == std::string::npos ? "" : body.substr(point + 1);
    std::string out = negative ? "-" : "";
    if (lang == Lang::fr) {
        out += group_digits(whole, fr_group);
        if (!frac.empty()) out += "," + frac;
        out += nbsp;
        out += symbol(m.currency);
        return out;
    }
    out += symbol(m.currency);
    out += group_digits(whole, ",");
    if (!frac.empty()) out += "." + frac;
    return out;
}

std::string format_percent(Percent p, Lang lang) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", rounded_tenth(p.value));
    std::string s = buf;
    if (s == "-0.0") s = "0.0";
    if (lang == Lang::fr) {
        s[s.find('.')] = ',';
        return s + nbsp + "%";
    }
    return s + "%";
}

std::string format_day(std::int64_t epoch_day, Lang lang) {
    const auto c = model::civil_from_days(epoch_day);
    return std::to_string(c.day) + " " + month_names(lang, c.month) + " " + std::to_string(c.year);
}

std::string format_month(Month m, Lang lang) { return std::string(month_names(lang, m.month)) + " " + std::to_string(m.year); }

Cell percent_of(std::int64_t numerator, std::int64_t denominator) {
    if (denominator == 0) return std::monostate{};
    return Percent{static_cast<double>(numerator) * 100.0 / static_cast<double>(denominator)};
}

namespace {

std::string text_cell(const Cell& c, Lang lang) {
    struct V {
        Lang lang;
        std::string operator()(std::monostate) const { return "-"; }
        std::string operator()(const std::string& s) const { return s; }
        std::string operator()(std::int64_t n) const { return format_integer(n, lang); }
        std::string operator()(const model::Money& m) const { return format_money(m, lang); }
        std::string operator()(Percent p) const { return format_percent(p, lang); }
        std::string operator()(Day d) const { return format_day(d.epoch_day, lang); }
        std::string operator()(Month m) const { return format_month(m, lang); }
    };
    return std::visit(V{lang}, c);
}

void render_text(const Report& r, Lang lang, std::ostream& out) {
    const bool fr = lang == Lang::fr;
    out << r.title.in(lang) << '\n';
    out << (fr ? "Périmètre : " : "Scope: ") << r.scope_kind << ' ' << r.scope_id;
    if (!r.scope_name.empty()) out << " (" << r.scope_name << ')';
    out << '\n';
    if (r.month) out << (fr ? "Mois : " : "Month: ") << format_month(*r.month, lang) << '\n';
    out << (fr ? "Devise : " : "Currency: ") << r.currency.code() << '\n';
    if (!r.rates.empty()) {
        // Every rate is in the JSON; the text gives each pair's range.
        std::map<std::string, std::pair<const RateUsed*, const RateUsed*>> pairs;
        std::map<std::string, std::size_t> counts;
        for (const auto& x : r.rates) {
            const std::string pair = x.from.str() + "->" + x.to.str();
            auto [it, fresh] = pairs.emplace(pair, std::make_pair(&x, &x));
            if (!fresh) it->second.second = &x;
            ++counts[pair];
        }
        for (const auto& [pair, ends] : pairs) {
            out << (fr ? "Taux : " : "Rates: ") << pair << ' ';
            if (counts[pair] == 1)
                out << ends.first->rate << (fr ? " du " : " of ") << format_day(ends.first->day, lang) << '\n';
            else
                out << counts[pair] << (fr ? " taux quotidiens du " : " daily rates from ") << format_day(ends.first->day, lang)
                    << (fr ? " au " : " to ") << format_day(ends.second->day, lang) << '\n';
        }
    }
    for (const auto& w : r.warnings) out << (fr ? "Attention : " : "Warning: ") << w.in(lang) << '\n';
    for (const auto& s : r.sections) {
        out << '\n' << s.title.in(lang) << '\n';
        // Aligned columns need every row first.
        std::vector<std::vector<std::string>> rows;
        std::vector<std::string> header;
        for (const auto& c : s.columns) header.push_back(c.label.in(lang));
        rows.push_back(header);
        s.for_each_row([&](const Row& row) {
            std::vector<std::string> cells;
            for (const auto& c : row) cells.push_back(text_cell(c, lang));
            rows.push_back(cells);
        });
        if (rows.size() == 1) out << (fr ? "(aucune ligne)\n" : "(no rows)\n");
        else out << host::format_table(rows);
        for (const auto& n : s.notes) out << "  " << n.in(lang) << '\n';
    }
    out << '\n' << (fr ? "Définitions" : "Definitions") << '\n';
    for (const auto& [key, text] : r.definitions) out << "  " << key << ": " << text.in(lang) << '\n';
}

void json_cell(json::Writer& w, const Cell& c) {
    struct V {
        json::Writer& w;
        void operator()(std::monostate) const { w.null(); }
        void operator()(const std::string& s) const { w.value(s); }
        void operator()(std::int64_t n) const { w.value(n); }
        void operator()(const model::Money& m) const {
            w.begin_object().field("minor", m.minor).field("currency", m.currency.code()).end_object();
        }
        void operator()(Percent p) const { w.value(rounded_tenth(p.value)); }
        void operator()(Day d) const { w.value(model::format_date(d.epoch_day)); }
        void operator()(Month m) const { w.value(m.str()); }
    };
    std::visit(V{w}, c);
}

void render_json(const Report& r, Lang lang, std::ostream& out) {
    json::Writer w;
    // A month's order list can run to tens of MB: written out as it goes.
    const auto drain_if_large = [&] {
        constexpr std::size_t chunk_bytes = 64 * 1024;
        if (w.view().size() >= chunk_bytes) w.drain([&](std::string_view s) { out.write(s.data(), static_cast<std::streamsize>(s.size())); });
    };
    w.begin_object().field("schema", "pcgd.report/1").field("tool", r.tool).field("title", r.title.in(lang));
    w.field("lang", lang == Lang::fr ? "fr" : "en");
    w.key("scope").begin_object().field("kind", r.scope_kind).field("id", r.scope_id).field("name", r.scope_name).end_object();
    w.key("month");
    r.month ? w.value(r.month->str()) : w.null();
    w.field("currency", r.currency.code());
    w.key("definitions").begin_object();
    for (const auto& [key, text] : r.definitions) w.field(key, text.in(lang));
    w.end_object();
    w.key("rates").begin_array();
    for (const auto& x : r.rates)
        w.begin_object().field("date", model::format_date(x.day)).field("from", x.from.code()).field("to", x.to.code())
            .field("rate", x.rate).end_object();
    w.end_array();
    w.key("warnings").begin_array();
    for (const auto& x : r.warnings) w.value(x.in(lang));
    w.end_array();
    w.key("sections").begin_object();
    for (const auto& s : r.sections) {
        w.key(s.key).begin_object().field("title", s.title.in(lang));
        w.key("columns").begin_array();
        for (const auto& c : s.columns) w.begin_object().field("key", c.key).field("label", c.label.in(lang)).end_object();
        w.end_array();
        w.key("rows").begin_array();
        s.for_each_row([&](const Row& row) {
            w.begin_object();
            for (std::size_t i = 0; i < row.size() && i < s.columns.size(); ++i) {
                w.key(s.columns[i].key);
                json_cell(w, row[i]);
            }
            w.end_object();
            drain_if_large();
        });
        w.end_array();
        w.key("notes").begin_array();
        for (const auto& n : s.notes) w.value(n.in(lang));
        w.end_array();
        w.end_object();
    }
    w.end_object();
    w.end_object();
    out << w.view() << '\n';
}

void render_csv(const Report& r, std::ostream& out) {
    // One table per section: a line naming the section, the header, the rows,
    // a blank line. Money is a decimal with its currency in the next column.
    bool first = true;
    for (const auto& s : r.sections) {
        if (!first) out << "\r\n";
        first = false;
        host::write_csv_field(out, s.key);
        out << "\r\n";
        std::vector<bool> money(s.columns.size(), false);
        // Two passes: which columns hold money, then the rows.
        s.for_each_row([&](const Row& row) {
            for (std::size_t i = 0; i < row.size() && i < money.size(); ++i)
                if (std::holds_alternative<model::Money>(row[i])) money[i] = true;
        });
        for (std::size_t i = 0; i < s.columns.size(); ++i) {
            if (i) out << ',';
            host::write_csv_field(out, s.columns[i].key);
            if (money[i]) out << ',' << s.columns[i].key << "_currency";
        }
        out << "\r\n";
        s.for_each_row([&](const Row& row) {
            for (std::size_t i = 0; i < row.size() && i < s.columns.size(); ++i) {
                if (i) out << ',';
                const Cell& c = row[i];
                if (const auto* m = std::get_if<model::Money>(&c)) out << m->decimal() << ',' << m->currency.code();
                else if (money[i]) out << ',';
                else if (const auto* t = std::get_if<std::string>(&c)) host::write_csv_field(out, *t);
                else if (const auto* n = std::get_if<std::int64_t>(&c)) out << *n;
                else if (const auto* p = std::get_if<Percent>(&c)) {
                    char buf[64];
                    std::snprintf(buf, sizeof buf, "%.1f", rounded_tenth(p->value));
                    out << (std::string(buf) == "-0.0" ? "0.0" : buf);
                } else if (const auto* d = std::get_if<Day>(&c)) out << model::format_date(d->epoch_day);
                else if (const auto* mo = std::get_if<Month>(&c)) out << mo->str();
            }
            out << "\r\n";
        });
    }
}

}  // namespace

void render(const Report& report, Format format, Lang lang, std::ostream& out) {
    switch (format) {
    case Format::text: render_text(report, lang, out); break;
    case Format::json: render_json(report, lang, out); break;
    case Format::csv: render_csv(report, out); break;
    }
}

}  // namespace pcgd::analysis
