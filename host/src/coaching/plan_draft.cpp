#include "coaching/plan_draft.hpp"

#include <algorithm>
#include <map>

#include "coaching/json.hpp"

namespace pcgd::coaching {

using analysis::Row;

namespace {

const std::string& str(const analysis::Cell& c) { return std::get<std::string>(c); }
std::int64_t num(const analysis::Cell& c) {
    if (const auto* m = std::get_if<model::Money>(&c)) return m->minor;
    return std::get<std::int64_t>(c);
}

host::Action suggestion(std::string title, std::string owner_kind) {
    host::Action a;
    a.in_plan = true;
    a.title = std::move(title);
    a.owner_kind = std::move(owner_kind);
    return a;
}

}  // namespace

PlanDraft draft_plan(const ToolReports& r, analysis::Lang lang) {
    const bool fr = lang == analysis::Lang::fr;
    const std::string strong_tier = fr ? "forte" : "strong";  // the tool's label in `lang`
    PlanDraft d;
    d.month = r.planning.month ? r.planning.month->str() : "";
    d.currency = r.planning.currency.str();

    const auto& tiers = section(r.opportunities, "products");
    for (const Row& row : tiers.rows) {
        if (str(row[column(tiers, "tier")]) != strong_tier) continue;
        d.strong.push_back({str(row[column(tiers, "shop")]), str(row[column(tiers, "product_id")]), str(row[column(tiers, "title")]),
                            num(row[column(tiers, "units")]), num(row[column(tiers, "orders")]), str(row[column(tiers, "reason")])});
    }
    std::stable_sort(d.strong.begin(), d.strong.end(), [](const auto& a, const auto& b) { return a.units > b.units; });

    // "shop (platform, country)": the shop id is what comes before the space.
    const auto& candidates = section(r.opportunities, "new_markets");
    for (const Row& row : candidates.rows) {
        std::string absent = str(row[column(candidates, "absent_from")]);
        absent = absent.substr(0, absent.find(' '));
        d.new_markets.push_back({str(row[column(candidates, "sku")]), str(row[column(candidates, "title")]),
                                 str(row[column(candidates, "sells_in")]), absent, num(row[column(candidates, "units")])});
    }
    std::stable_sort(d.new_markets.begin(), d.new_markets.end(), [](const auto& a, const auto& b) { return a.units > b.units; });

    const auto& deductions = section(r.quality, "deductions");
    for (const Row& row : deductions.rows)
        // The tool shows a deduction as negative points.
        d.fixes.push_back({str(row[column(deductions, "shop")]), str(row[column(deductions, "product_id")]),
                           str(row[column(deductions, "factor")]), -num(row[column(deductions, "points")]),
                           str(row[column(deductions, "reason")]), str(row[column(deductions, "fix")])});
    std::stable_sort(d.fixes.begin(), d.fixes.end(), [](const auto& a, const auto& b) { return a.points > b.points; });
    if (d.fixes.size() > max_fixes) d.fixes.resize(max_fixes);

    const auto& projection = section(r.planning, "projection");
    if (projection.rows.size() >= 2) {
        d.projected_sales = num(projection.rows[0][column(projection, "projected")]);
        d.projected_sales_low = num(projection.rows[0][column(projection, "low")]);
        d.projected_sales_high = num(projection.rows[0][column(projection, "high")]);
        d.projected_orders = num(projection.rows[1][column(projection, "projected")]);
    }

    // Target: the shop the candidates are absent from, weighted by units;
    // ties go to the smaller shop id, so the draft is deterministic.
    std::map<std::string, std::int64_t> weight;
    for (const auto& c : d.new_markets) weight[c.absent_from] += c.units;
    std::int64_t best = -1;
    for (const auto& [shop, w] : weight)
        if (w > best) best = w, d.target_shop = shop;
    const auto& channels = section(r.planning, "channels");
    for (const Row& row : channels.rows)
        if (str(row[column(channels, "shop")]) == d.target_shop) {
            d.target_country = str(row[column(channels, "country")]);
            d.target_channel = str(row[column(channels, "platform")]);
        }

    if (!d.target_shop.empty()) {
        std::string skus;
        std::size_t n = 0;
        for (const auto& c : d.new_markets)
            if (c.absent_from == d.target_shop && n < 5) skus += (n++ ? ", " : "") + c.sku;
        d.actions.push_back(suggestion(fr ? "Mettre en vente sur " + d.target_shop + " les produits qui se vendent ailleurs : " + skus
                                          : "List on " + d.target_shop + " the products that sell elsewhere: " + skus,
                                       "sme_staff"));
        d.actions.push_back(suggestion(fr ? "Étudier le marché " + d.target_country + " " + d.target_channel +
                                                " : clients, prix et concurrents de ces produits"
                                          : "Investigate the " + d.target_country + " " + d.target_channel +
                                                " market: customers, prices and competitors of these products",
                                       "account_manager"));
    }
    for (std::size_t i = 0; i < d.strong.size() && i < 3; ++i) {
        const auto& o = d.strong[i];
        d.actions.push_back(suggestion(fr ? "Garder " + o.title + " (" + o.shop + ") en stock et le mettre en avant : " + o.reason
                                          : "Keep " + o.title + " (" + o.shop + ") in stock and promote it: " + o.reason,
                                       "sme_staff"));
    }
    for (const auto& f : d.fixes)
        // New photographs are usually bought in; text and data fixes are the SME's own work.
        d.actions.push_back(suggestion(f.fix + (fr ? " : produit " : ": product ") + f.product_id + " (" + f.shop + "), " + f.reason,
                                       f.factor == "images" ? "external" : "sme_staff"));
    return d;
}

std::string to_json(const PlanDraft& d) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.StartObject();
    json::str(w, "schema", "pcgd.coaching.plan_draft/1");
    json::str(w, "month", d.month);
    json::str(w, "currency", d.currency);
    w.Key("strong");
    w.StartArray();
    for (const auto& o : d.strong) {
        w.StartObject();
        json::str(w, "shop", o.shop);
        json::str(w, "product_id", o.product_id);
        json::str(w, "title", o.title);
        json::num(w, "units", o.units);
        json::num(w, "orders", o.orders);
        json::str(w, "reason", o.reason);
        w.EndObject();
    }
    w.EndArray();
    w.Key("new_markets");
    w.StartArray();
    for (const auto& c : d.new_markets) {
        w.StartObject();
        json::str(w, "sku", c.sku);
        json::str(w, "title", c.title);
        json::str(w, "sells_in", c.sells_in);
        json::str(w, "absent_from", c.absent_from);
        json::num(w, "units", c.units);
        w.EndObject();
    }
    w.EndArray();
    w.Key("fixes");
    w.StartArray();
    for (const auto& f : d.fixes) {
        w.StartObject();
        json::str(w, "shop", f.shop);
        json::str(w, "product_id", f.product_id);
        json::str(w, "factor", f.factor);
        json::num(w, "points", f.points);
        json::str(w, "reason", f.reason);
        json::str(w, "fix", f.fix);
        w.EndObject();
    }
    w.EndArray();
    w.Key("projection");
    w.StartObject();
    json::num(w, "sales", d.projected_sales);
    json::num(w, "sales_low", d.projected_sales_low);
    json::num(w, "sales_high", d.projected_sales_high);
    json::num(w, "orders", d.projected_orders);
    w.EndObject();
    json::str(w, "target_shop", d.target_shop);
    json::str(w, "target_country", d.target_country);
    json::str(w, "target_channel", d.target_channel);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

PlanDraft plan_draft_from_json(const std::string& text) {
    const auto d = json::parse(text, "plan draft");
    PlanDraft p;
    p.month = json::get_str(d, "month");
    p.currency = json::get_str(d, "currency");
    for (const auto& v : json::member(d, "strong").GetArray())
        p.strong.push_back({json::get_str(v, "shop"), json::get_str(v, "product_id"), json::get_str(v, "title"), json::get_int(v, "units"),
                            json::get_int(v, "orders"), json::get_str(v, "reason")});
    for (const auto& v : json::member(d, "new_markets").GetArray())
        p.new_markets.push_back({json::get_str(v, "sku"), json::get_str(v, "title"), json::get_str(v, "sells_in"),
                                 json::get_str(v, "absent_from"), json::get_int(v, "units")});
    for (const auto& v : json::member(d, "fixes").GetArray())
        p.fixes.push_back({json::get_str(v, "shop"), json::get_str(v, "product_id"), json::get_str(v, "factor"), json::get_int(v, "points"),
                           json::get_str(v, "reason"), json::get_str(v, "fix")});
    const auto& pr = json::member(d, "projection");
    p.projected_sales = json::get_int(pr, "sales");
    p.projected_sales_low = json::get_int(pr, "sales_low");
    p.projected_sales_high = json::get_int(pr, "sales_high");
    p.projected_orders = json::get_int(pr, "orders");
    p.target_shop = json::get_str(d, "target_shop");
    p.target_country = json::get_str(d, "target_country");
    p.target_channel = json::get_str(d, "target_channel");
    return p;
}

}  // namespace pcgd::coaching
