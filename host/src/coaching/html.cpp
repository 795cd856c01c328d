#include "coaching/html.hpp"

#include <sstream>

#include "coaching/json.hpp"
#include "coaching/review.hpp"

namespace pcgd::coaching {

std::string People::name_of(const std::string& id) const {
    const auto it = managers.find(id);
    return it == managers.end() ? id : it->second.name + " (" + it->second.launchpad + ")";
}

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    return out;
}

std::map<std::string, std::string> string_map(const std::string& text) {
    std::map<std::string, std::string> out;
    const auto d = json::parse(text, "answers");
    if (!d.IsObject()) throw std::runtime_error("answers: not a JSON object");
    for (const auto& m : d.GetObject())
        if (m.value.IsString()) out[m.name.GetString()] = m.value.GetString();
    return out;
}

namespace {

// Print: A4 margins, tables kept whole, no background colours needed.
const char* const style = R"css(
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #111; margin: 2em; }
h1 { font-size: 18pt; margin-bottom: 0.2em; }
h2 { font-size: 13pt; border-bottom: 1px solid #999; margin-top: 1.4em; }
h3 { font-size: 11pt; margin-bottom: 0.3em; }
table { border-collapse: collapse; margin: 0.4em 0 1em; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
.meta { color: #444; }
.q { font-weight: bold; margin: 0.8em 0 0.2em; }
.a { margin: 0 0 0.6em 1em; white-space: pre-wrap; }
.up { color: #05620b; } .down { color: #a00; }
footer { margin-top: 2em; font-size: 9pt; color: #666; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } h2, h3, .q { break-after: avoid; } table, .a { break-inside: avoid; } }
)css";

/// French sets a colon off with a no-break space; English does not.
std::string colon(Lang lang) { return lang == Lang::fr ? "\u00a0: " : ": "; }

std::string open(const std::string& title, Lang lang) {
    return std::string("<!DOCTYPE html>\n<html lang=\"") + (lang == Lang::fr ? "fr" : "en") + "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
           escape(title) + "</title>\n<style>" + style + "</style>\n</head>\n<body>\n";
}

std::string close(Lang lang) { return "<footer>" + escape(ui("generated", lang)) + "</footer>\n</body>\n</html>\n"; }

std::string money(std::optional<std::int64_t> minor, const std::string& currency, Lang lang) {
    if (!minor) return escape(ui("unknown", lang));
    return escape(analysis::format_money(model::Money{*minor, model::Currency::of(currency)}, lang));
}

std::string count(std::optional<std::int64_t> n, Lang lang) {
    return n ? escape(analysis::format_integer(*n, lang)) : escape(ui("unknown", lang));
}

std::string day(std::optional<std::int64_t> d, Lang lang) { return d ? escape(analysis::format_day(*d, lang)) : "-"; }

std::string instant(std::optional<std::int64_t> ms, Lang lang) {
    if (!ms) return escape(ui("never", lang));
    // The date per language and the UTC time: an instant, not a local time.
    const std::int64_t d = model::floor_div(*ms, 86400000);
    const std::string iso = model::format_iso8601(*ms);
    return escape(analysis::format_day(d, lang) + " " + iso.substr(11, 5) + " UTC");
}

std::string th(std::initializer_list<std::string> labels) {
    std::string out = "<tr>";
    for (const auto& l : labels) out += "<th>" + escape(l) + "</th>";
    return out + "</tr>\n";
}

std::string people_block(const People& p, Lang lang) {
    std::string experts;
    for (const auto& e : p.coaching.experts) experts += (experts.empty() ? "" : ", ") + p.name_of(e);
    std::string out = "<p class=\"meta\">" + escape(ui("sme", lang)) + colon(lang) + "<strong>" + escape(p.sme.name) + "</strong> (" + escape(p.sme.id) +
                      ")<br>" + escape(ui("account_manager", lang)) + colon(lang) + escape(p.name_of(p.coaching.manager_id));
    if (!experts.empty()) out += "<br>" + escape(ui("experts", lang)) + colon(lang) + escape(experts);
    return out + "</p>\n";
}

std::string actions_table(const std::vector<host::Action>& actions, const People& people, Lang lang) {
    if (actions.empty()) return "<p>" + escape(ui("none", lang)) + "</p>\n";
    std::string out = "<table>\n" + th({"#", ui("action", lang), ui("owner", lang), ui("due", lang), ui("status", lang)});
    for (const auto& a : actions) {
        std::string owner = label_of(owner_kinds(), a.owner_kind, lang);
        if (!a.owner_name.empty()) owner += colon(lang) + a.owner_name;
        out += "<tr><td class=\"n\">" + std::to_string(a.id) + "</td><td>" + escape(a.title) +
               (a.note.empty() ? "" : "<br><em>" + escape(a.note) + "</em>") + "</td><td>" + escape(owner) + "</td><td>" +
               day(a.due_day, lang) + "</td><td>" + escape(label_of(action_statuses(), a.status, lang)) + "</td></tr>\n";
    }
    (void)people;
    return out + "</table>\n";
}

std::string percent_cell(std::optional<double> pct, Lang lang) {
    if (!pct) return "";
    const std::string cls = *pct > 0 ? "up" : *pct < 0 ? "down" : "";
    return " <span class=\"" + cls + "\">(" + escape(analysis::format_percent(analysis::Percent{*pct}, lang)) + ")</span>";
}

std::string figure_label(const std::string& figure, Lang lang) {
    static const std::map<std::string, std::string> keys = {{"orders", "orders"}, {"sales", "sales"},   {"profit", "profit"},
                                                            {"views", "views"},   {"units", "units"},   {"score", "score"},
                                                            {"strong", "strong"}, {"good", "good"},     {"potential", "potential"},
                                                            {"new_markets", "new_markets"}};
    const auto it = keys.find(figure);
    return it == keys.end() ? figure : ui(it->second, lang);
}

std::string deltas_table(const std::vector<Delta>& deltas, const std::string& currency, Lang lang, const std::string& first_column) {
    std::string out = "<table>\n" + th({first_column, ui("figure", lang), ui("before", lang), ui("after", lang), ui("change", lang)});
    for (const auto& d : deltas) {
        const auto show = [&](std::optional<std::int64_t> v) { return d.money ? money(v, currency, lang) : count(v, lang); };
        // A rise is signed, so that it reads as a change and not as an amount.
        std::string change = d.change ? (*d.change > 0 ? "+" : "") + show(d.change) + percent_cell(d.change_pct, lang)
                                      : escape(ui("unknown", lang));
        out += "<tr><td>" + escape(d.key.empty() ? ui("total", lang) : d.key) + "</td><td>" + escape(figure_label(d.figure, lang)) +
               "</td><td class=\"n\">" + show(d.before) + "</td><td class=\"n\">" + show(d.after) + "</td><td class=\"n\">" + change +
               "</td></tr>\n";
    }
    return out + "</table>\n";
}

std::string snapshot_block(const Snapshot& s, Lang lang) {
    std::ostringstream out;
    out << "<p class=\"meta\">" << escape(ui("taken_at", lang)) << " " << instant(s.taken_at_ms, lang) << " &middot; "
        << escape(ui("month", lang)) << colon(lang) << escape(analysis::format_month(*analysis::Month::parse(s.month), lang)) << "</p>\n";
    out << "<table>\n" << th({ui("shop", lang), ui("platform", lang), ui("country", lang), ui("synced_at", lang)});
    for (const auto& shop : s.shops)
        out << "<tr><td>" << escape(shop.shop) << "</td><td>" << escape(shop.platform) << "</td><td>" << escape(shop.country) << "</td><td>"
            << instant(shop.synced_at_ms, lang) << "</td></tr>\n";
    out << "</table>\n";
    out << "<h3>" << escape(ui("channels", lang)) << "</h3>\n<table>\n"
        << th({ui("shop", lang), ui("country", lang), ui("orders", lang), ui("sales", lang), ui("profit", lang), ui("views", lang)});
    for (const auto& c : s.channels)
        out << "<tr><td>" << escape(c.key) << "</td><td>" << escape(c.country) << "</td><td class=\"n\">" << count(c.orders, lang)
            << "</td><td class=\"n\">" << money(c.sales, s.currency, lang) << "</td><td class=\"n\">" << money(c.profit, s.currency, lang)
            << "</td><td class=\"n\">" << count(c.views, lang) << "</td></tr>\n";
    out << "<tr><th>" << escape(ui("total", lang)) << "</th><td></td><td class=\"n\">" << count(s.orders, lang) << "</td><td class=\"n\">"
        << money(s.sales, s.currency, lang) << "</td><td class=\"n\">" << money(s.profit, s.currency, lang) << "</td><td></td></tr>\n</table>\n";
    out << "<h3>" << escape(ui("countries", lang)) << "</h3>\n<table>\n"
        << th({ui("country", lang), ui("orders", lang), ui("sales", lang), ui("profit", lang), ui("views", lang)});
    for (const auto& c : s.countries)
        out << "<tr><td>" << escape(c.key) << "</td><td class=\"n\">" << count(c.orders, lang) << "</td><td class=\"n\">"
            << money(c.sales, s.currency, lang) << "</td><td class=\"n\">" << money(c.profit, s.currency, lang) << "</td><td class=\"n\">"
            << count(c.views, lang) << "</td></tr>\n";
    out << "</table>\n";
    // The ten best sellers of the month; the snapshot keeps every product.
    std::vector<const ProductFigures*> top;
    for (const auto& p : s.products) top.push_back(&p);
    std::stable_sort(top.begin(), top.end(), [](auto a, auto b) { return a->sales > b->sales; });
    if (top.size() > 10) top.resize(10);
    out << "<h3>" << escape(ui("top_products", lang)) << "</h3>\n<table>\n"
        << th({ui("shop", lang), ui("sku", lang), ui("orders", lang), ui("units", lang), ui("sales", lang), ui("profit", lang)});
    for (const auto* p : top)
        out << "<tr><td>" << escape(p->shop) << "</td><td>" << escape(p->sku) << "</td><td class=\"n\">" << count(p->orders, lang)
            << "</td><td class=\"n\">" << count(p->units, lang) << "</td><td class=\"n\">" << money(p->sales, s.currency, lang)
            << "</td><td class=\"n\">" << money(p->profit, s.currency, lang) << "</td></tr>\n";
    out << "</table>\n";
    out << "<h3>" << escape(ui("quality_scores", lang)) << "</h3>\n<table>\n" << th({ui("shop", lang), ui("score", lang)});
    for (const auto& [shop, score] : s.quality)
        out << "<tr><td>" << escape(shop) << "</td><td class=\"n\">" << score << "/100</td></tr>\n";
    out << "</table>\n";
    out << "<h3>" << escape(ui("opportunities", lang)) << "</h3>\n<table>\n"
        << th({ui("strong", lang), ui("good", lang), ui("potential", lang), ui("new_markets", lang)}) << "<tr><td class=\"n\">" << s.strong
        << "</td><td class=\"n\">" << s.good << "</td><td class=\"n\">" << s.potential << "</td><td class=\"n\">" << s.new_markets
        << "</td></tr>\n</table>\n";
    out << "<h3>" << escape(ui("projection", lang)) << "</h3>\n<table>\n"
        << th({ui("sales", lang), ui("low", lang), ui("high", lang), ui("orders", lang)}) << "<tr><td class=\"n\">"
        << money(s.projected_sales, s.currency, lang) << "</td><td class=\"n\">" << money(s.projected_sales_low, s.currency, lang)
        << "</td><td class=\"n\">" << money(s.projected_sales_high, s.currency, lang) << "</td><td class=\"n\">"
        << count(s.projected_orders, lang) << "</td></tr>\n</table>\n";
    return out.str();
}

}  // namespace

std::string session_html(const SessionDocument& doc, Lang lang) {
    const auto& s = doc.session;
    std::string kind = label_of(session_kinds(), s.kind, lang);
    if (s.kind == "review" || s.kind == "checkin" || s.kind == "continuing") kind += " " + std::to_string(s.number);
    std::string out = open(ui("session_record", lang) + " - " + doc.people.sme.name, lang);
    out += "<h1>" + escape(ui("session_record", lang)) + "</h1>\n<p class=\"meta\"><strong>" + escape(kind) + "</strong> &middot; " +
           escape(ui("held_on", lang)) + " " + instant(s.held_at_ms, lang) + "</p>\n";
    out += people_block(doc.people, lang);

    if (s.kind != "onboarding") {
        const auto answers = string_map(s.answers_json);
        out += "<h2>" + escape(ui("key_questions", lang)) + "</h2>\n";
        for (const auto& q : key_questions()) {
            const auto it = answers.find(q.key);
            out += "<p class=\"q\">" + escape(q.label.in(lang)) + "</p>\n<p class=\"a\">" +
                   (it == answers.end() || it->second.empty() ? "<em>" + escape(ui("no_answer", lang)) + "</em>" : escape(it->second)) +
                   "</p>\n";
        }
    }
    std::optional<Snapshot> snapshot;
    if (!s.snapshot_json.empty()) {
        snapshot = snapshot_from_json(s.snapshot_json);
        out += "<h2>" + escape(ui("data_shown", lang)) + "</h2>\n" + snapshot_block(*snapshot, lang);
        out += "<h2>" + escape(ui("changes", lang)) + "</h2>\n";
        if (!doc.previous) {
            out += "<p>" + escape(ui("first_session", lang)) + "</p>\n";
        } else {
            const Snapshot before = snapshot_from_json(doc.previous->snapshot_json);
            out += "<p class=\"meta\">" + escape(ui("compared_with", lang)) + " " + instant(doc.previous->held_at_ms, lang) + " (" +
                   escape(analysis::format_month(*analysis::Month::parse(before.month), lang)) + " &rarr; " +
                   escape(analysis::format_month(*analysis::Month::parse(snapshot->month), lang)) + ")</p>\n";
            const auto deltas = review_deltas(before, *snapshot);
            std::vector<Delta> totals, channels, countries, other;
            for (const auto& d : deltas) {
                if (d.group == "total") totals.push_back(d);
                else if (d.group == "channel") channels.push_back(d);
                else if (d.group == "country") countries.push_back(d);
                else if (d.group == "quality" || d.group == "opportunities") other.push_back(d);
            }
            out += deltas_table(totals, snapshot->currency, lang, ui("total", lang));
            out += "<h3>" + escape(ui("channels", lang)) + "</h3>\n" + deltas_table(channels, snapshot->currency, lang, ui("shop", lang));
            out += "<h3>" + escape(ui("countries", lang)) + "</h3>\n" + deltas_table(countries, snapshot->currency, lang, ui("country", lang));
            out += "<h3>" + escape(ui("top_products", lang)) + "</h3>\n" +
                   deltas_table(top_product_moves(deltas, 5), snapshot->currency, lang, ui("product", lang));
            out += "<h3>" + escape(ui("quality_scores", lang)) + " / " + escape(ui("opportunities", lang)) + "</h3>\n" +
                   deltas_table(other, snapshot->currency, lang, ui("shop", lang));
        }
    }
    const auto conclusions = string_map(s.conclusions_json);
    if (!conclusions.empty()) {
        out += "<h2>" + escape(ui("conclusions", lang)) + "</h2>\n<table>\n";
        for (const auto& area : conclusion_areas())
            if (const auto it = conclusions.find(area.key); it != conclusions.end())
                out += "<tr><th>" + escape(area.label.in(lang)) + "</th><td>" + escape(it->second) + "</td></tr>\n";
        out += "</table>\n";
    }
    out += "<h2>" + escape(ui("actions_agreed", lang)) + "</h2>\n" + actions_table(doc.actions, doc.people, lang);
    if (!s.notes.empty()) out += "<h2>" + escape(ui("notes", lang)) + "</h2>\n<p class=\"a\">" + escape(s.notes) + "</p>\n";
    return out + close(lang);
}

std::string plan_html(const PlanDocument& doc, Lang lang) {
    const auto& p = doc.plan;
    const auto& d = doc.draft;
    std::string out = open(ui("plan_title", lang) + " - " + doc.people.sme.name, lang);
    out += "<h1>" + escape(ui("plan_title", lang)) + "</h1>\n<p class=\"meta\">" + escape(ui("plan_date", lang)) + colon(lang) + day(p.plan_day, lang) +
           "</p>\n";
    out += people_block(doc.people, lang);
    const auto or_not_set = [&](const std::string& v) { return v.empty() ? "<em>" + escape(ui("not_set", lang)) + "</em>" : escape(v); };
    out += "<h2>" + escape(ui("target_market", lang)) + "</h2>\n<table>\n<tr><th>" + escape(ui("country", lang)) + "</th><td>" +
           or_not_set(p.target_country) + "</td></tr>\n<tr><th>" + escape(ui("channel", lang)) + "</th><td>" + or_not_set(p.target_channel) +
           "</td></tr>\n<tr><th>" + escape(ui("segment", lang)) + "</th><td>" + or_not_set(p.target_segment) + "</td></tr>\n</table>\n";
    if (!p.summary.empty()) out += "<h2>" + escape(ui("summary", lang)) + "</h2>\n<p class=\"a\">" + escape(p.summary) + "</p>\n";

    out += "<h2>" + escape(ui("from_the_tools", lang)) + "</h2>\n<p class=\"meta\">" + escape(ui("month", lang)) + colon(lang) +
           escape(analysis::format_month(*analysis::Month::parse(d.month), lang)) + "</p>\n";
    out += "<h3>" + escape(ui("strong_opportunities", lang)) + "</h3>\n";
    if (d.strong.empty()) out += "<p>" + escape(ui("none", lang)) + "</p>\n";
    else {
        out += "<table>\n" + th({ui("shop", lang), ui("product", lang), ui("units", lang), ui("orders", lang)});
        for (const auto& o : d.strong)
            out += "<tr><td>" + escape(o.shop) + "</td><td>" + escape(o.title) + "</td><td class=\"n\">" + count(o.units, lang) +
                   "</td><td class=\"n\">" + count(o.orders, lang) + "</td></tr>\n";
        out += "</table>\n";
    }
    out += "<h3>" + escape(ui("new_markets", lang)) + "</h3>\n";
    if (d.new_markets.empty()) out += "<p>" + escape(ui("none", lang)) + "</p>\n";
    else {
        out += "<table>\n" + th({ui("sku", lang), ui("product", lang), ui("sells_in", lang), ui("units", lang), ui("absent_from", lang)});
        for (const auto& c : d.new_markets)
            out += "<tr><td>" + escape(c.sku) + "</td><td>" + escape(c.title) + "</td><td>" + escape(c.sells_in) + "</td><td class=\"n\">" +
                   count(c.units, lang) + "</td><td>" + escape(c.absent_from) + "</td></tr>\n";
        out += "</table>\n";
    }
    out += "<h3>" + escape(ui("quality_fixes", lang)) + "</h3>\n";
    if (d.fixes.empty()) out += "<p>" + escape(ui("none", lang)) + "</p>\n";
    else {
        out += "<table>\n" + th({ui("shop", lang), ui("product", lang), ui("points", lang), ui("fix", lang)});
        for (const auto& f : d.fixes)
            out += "<tr><td>" + escape(f.shop) + "</td><td>" + escape(f.product_id) + "</td><td class=\"n\">-" + std::to_string(f.points) +
                   "</td><td>" + escape(f.fix) + " (" + escape(f.reason) + ")</td></tr>\n";
        out += "</table>\n";
    }
    out += "<h3>" + escape(ui("projection", lang)) + "</h3>\n<table>\n" +
           th({ui("sales", lang), ui("low", lang), ui("high", lang), ui("orders", lang)}) + "<tr><td class=\"n\">" +
           money(d.projected_sales, d.currency, lang) + "</td><td class=\"n\">" + money(d.projected_sales_low, d.currency, lang) +
           "</td><td class=\"n\">" + money(d.projected_sales_high, d.currency, lang) + "</td><td class=\"n\">" +
           count(d.projected_orders, lang) + "</td></tr>\n</table>\n";
    out += "<h2>" + escape(ui("actions", lang)) + "</h2>\n" + actions_table(doc.actions, doc.people, lang);
    return out + close(lang);
}

}  // namespace pcgd::coaching
