#include "coaching/snapshot.hpp"

#include <cmath>
#include <map>

#include "analysis/tools.hpp"
#include "coaching/json.hpp"

namespace pcgd::coaching {

using analysis::Cell;
using analysis::Row;

std::size_t column(const analysis::Section& section, const std::string& key) {
    for (std::size_t i = 0; i < section.columns.size(); ++i)
        if (section.columns[i].key == key) return i;
    throw std::logic_error("section '" + section.key + "' has no column '" + key + "'");
}

const analysis::Section& section(const analysis::Report& report, const std::string& key) {
    for (const auto& s : report.sections)
        if (s.key == key) return s;
    throw std::logic_error("report '" + report.tool + "' has no section '" + key + "'");
}

namespace {

std::int64_t integer(const Cell& c) {
    if (const auto* v = std::get_if<std::int64_t>(&c)) return *v;
    if (const auto* m = std::get_if<model::Money>(&c)) return m->minor;
    throw std::logic_error("a cell is not a number");
}

std::optional<std::int64_t> maybe(const Cell& c) {
    if (std::holds_alternative<std::monostate>(c)) return std::nullopt;
    return integer(c);
}

std::string text(const Cell& c) {
    if (const auto* s = std::get_if<std::string>(&c)) return *s;
    if (const auto* m = std::get_if<analysis::Month>(&c)) return m->str();
    throw std::logic_error("a cell is not text");
}

/// Adds an optional amount: unknown as soon as one part is.
void add(std::optional<std::int64_t>& sum, const std::optional<std::int64_t>& part) {
    sum = sum && part ? std::optional<std::int64_t>(*sum + *part) : std::nullopt;
}

}  // namespace

ToolReports run_tools(host::Store& store, const host::Config& config, const std::string& sme_id, std::int64_t now_ms,
                      std::optional<analysis::Month> month, analysis::Lang lang) {
    analysis::ReportRequest request;
    request.month = month;
    request.sme_id = sme_id;
    request.lang = lang;
    request.now_ms = now_ms;
    const analysis::Scope scope = analysis::resolve_scope(store, request);
    return ToolReports{analysis::quality_report(store, config, scope), analysis::opportunities_report(store, config, scope),
                       analysis::planning_report(store, config, scope), analysis::growth_report(store, config, scope)};
}

Snapshot make_snapshot(const ToolReports& r, const std::vector<ShopSync>& shops,
                       const std::vector<std::pair<std::string, std::int64_t>>& views, std::int64_t taken_at_ms) {
    Snapshot s;
    s.taken_at_ms = taken_at_ms;
    if (!r.planning.month) throw std::logic_error("the planning report has no month");
    s.month = r.planning.month->str();
    s.currency = r.planning.currency.str();
    s.shops = shops;

    const auto& months = section(r.planning, "months");
    for (const Row& row : months.rows) {
        if (text(row[column(months, "month")]) != s.month) continue;
        s.orders = integer(row[column(months, "orders")]);
        s.sales = integer(row[column(months, "sales")]);
        s.profit = maybe(row[column(months, "profit")]);
        if (const auto* p = std::get_if<analysis::Percent>(&row[column(months, "margin_pct")]))
            s.margin_pct = std::round(p->value * 10.0) / 10.0;  // as shown: to 0.1
    }

    // Profit per shop: the growth tool's order rows add up to its overview.
    std::map<std::string, std::optional<std::int64_t>> profit_of;
    const auto& orders = section(r.growth, "orders");
    orders.for_each_row([&](const Row& row) {
        const std::string shop = text(row[column(orders, "shop")]);
        auto [it, fresh] = profit_of.try_emplace(shop, std::int64_t{0});
        add(it->second, maybe(row[column(orders, "profit")]));
    });
    std::map<std::string, std::int64_t> views_of(views.begin(), views.end());

    const auto& channels = section(r.planning, "channels");
    std::map<std::string, ChannelFigures> countries;
    for (const Row& row : channels.rows) {
        if (text(row[column(channels, "month")]) != s.month) continue;
        ChannelFigures c;
        c.key = text(row[column(channels, "shop")]);
        c.platform = text(row[column(channels, "platform")]);
        c.country = text(row[column(channels, "country")]);
        c.orders = integer(row[column(channels, "orders")]);
        c.sales = integer(row[column(channels, "sales")]);
        c.views = views_of[c.key];
        const auto p = profit_of.find(c.key);
        c.profit = p == profit_of.end() ? std::optional<std::int64_t>(0) : p->second;  // no order rows: nothing sold
        auto [it, fresh] = countries.try_emplace(c.country);
        ChannelFigures& k = it->second;
        if (fresh) {
            k.key = c.country;
            k.country = c.country;
            k.profit = 0;
        }
        k.orders += c.orders;
        k.sales += c.sales;
        k.views += c.views;
        add(k.profit, c.profit);
        s.channels.push_back(std::move(c));
    }
    for (auto& [key, c] : countries) s.countries.push_back(std::move(c));

    const auto& products = section(r.growth, "products");
    products.for_each_row([&](const Row& row) {
        // The per-shop "(shipping, fees and other)" rows have no orders.
        if (!std::holds_alternative<std::int64_t>(row[column(products, "orders")])) return;
        s.products.push_back(ProductFigures{text(row[column(products, "shop")]), text(row[column(products, "sku")]),
                                            integer(row[column(products, "orders")]), integer(row[column(products, "units")]),
                                            integer(row[column(products, "sales")]), maybe(row[column(products, "profit")])});
    });

    const auto& quality = section(r.quality, "shops");
    for (const Row& row : quality.rows)
        s.quality.emplace_back(text(row[column(quality, "shop")]), integer(row[column(quality, "score")]));

    const auto& tiers = section(r.opportunities, "products");
    for (const Row& row : tiers.rows) {
        const std::string tier = text(row[column(tiers, "tier")]);
        if (tier == "strong") ++s.strong;
        else if (tier == "good") ++s.good;
        else if (tier == "potential") ++s.potential;
    }
    s.new_markets = static_cast<std::int64_t>(section(r.opportunities, "new_markets").rows.size());

    const auto& projection = section(r.planning, "projection");
    if (projection.rows.size() >= 2) {
        const Row& sales = projection.rows[0];
        s.projected_sales = integer(sales[column(projection, "projected")]);
        s.projected_sales_low = integer(sales[column(projection, "low")]);
        s.projected_sales_high = integer(sales[column(projection, "high")]);
        s.projected_orders = integer(projection.rows[1][column(projection, "projected")]);
    }
    return s;
}

Snapshot take_snapshot(host::Store& store, const host::Config& config, const std::string& sme_id, std::int64_t now_ms) {
    ToolReports reports = run_tools(store, config, sme_id, now_ms);
    const analysis::Month month = *reports.planning.month;
    std::vector<ShopSync> shops;
    std::vector<std::pair<std::string, std::int64_t>> views;
    for (const auto& shop : store.list_shops()) {
        if (shop.sme_id != sme_id) continue;
        const auto state = store.sync_state(shop.shop.id, sdk::Dataset::orders);
        shops.push_back(ShopSync{shop.shop.id, shop.shop.platform, shop.shop.country,
                                 state.last_success_at_ms ? std::optional<std::int64_t>(state.last_success_at_ms) : std::nullopt});
        // Traffic days are the shop's local days, as the month is.
        std::int64_t sum = 0;
        store.for_each_views(shop.shop.id, month.first_day(), month.last_day(),
                             [&](const host::DayViews& d) { sum += d.views; });
        views.emplace_back(shop.shop.id, sum);
    }
    return make_snapshot(reports, shops, views, now_ms);
}

std::string to_json(const Snapshot& s) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.StartObject();
    json::str(w, "schema", "pcgd.coaching.snapshot/1");
    json::num(w, "taken_at_ms", s.taken_at_ms);
    json::str(w, "month", s.month);
    json::str(w, "currency", s.currency);
    w.Key("shops");
    w.StartArray();
    for (const auto& shop : s.shops) {
        w.StartObject();
        json::str(w, "shop", shop.shop);
        json::str(w, "platform", shop.platform);
        json::str(w, "country", shop.country);
        json::opt(w, "synced_at_ms", shop.synced_at_ms);
        w.EndObject();
    }
    w.EndArray();
    json::num(w, "orders", s.orders);
    json::num(w, "sales", s.sales);
    json::opt(w, "profit", s.profit);
    w.Key("margin_pct");
    if (s.margin_pct) w.Double(*s.margin_pct);
    else w.Null();
    const auto figures = [&](const char* key, const std::vector<ChannelFigures>& list) {
        w.Key(key);
        w.StartArray();
        for (const auto& c : list) {
            w.StartObject();
            json::str(w, "key", c.key);
            json::str(w, "platform", c.platform);
            json::str(w, "country", c.country);
            json::num(w, "orders", c.orders);
            json::num(w, "sales", c.sales);
            json::opt(w, "profit", c.profit);
            json::num(w, "views", c.views);
            w.EndObject();
        }
        w.EndArray();
    };
    figures("channels", s.channels);
    figures("countries", s.countries);
    w.Key("products");
    w.StartArray();
    for (const auto& p : s.products) {
        w.StartObject();
        json::str(w, "shop", p.shop);
        json::str(w, "sku", p.sku);
        json::num(w, "orders", p.orders);
        json::num(w, "units", p.units);
        json::num(w, "sales", p.sales);
        json::opt(w, "profit", p.profit);
        w.EndObject();
    }
    w.EndArray();
    w.Key("quality");
    w.StartArray();
    for (const auto& [shop, score] : s.quality) {
        w.StartObject();
        json::str(w, "shop", shop);
        json::num(w, "score", score);
        w.EndObject();
    }
    w.EndArray();
    w.Key("opportunities");
    w.StartObject();
    json::num(w, "strong", s.strong);
    json::num(w, "good", s.good);
    json::num(w, "potential", s.potential);
    json::num(w, "new_markets", s.new_markets);
    w.EndObject();
    w.Key("projection");
    w.StartObject();
    json::num(w, "sales", s.projected_sales);
    json::num(w, "sales_low", s.projected_sales_low);
    json::num(w, "sales_high", s.projected_sales_high);
    json::num(w, "orders", s.projected_orders);
    w.EndObject();
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

Snapshot snapshot_from_json(const std::string& text) {
    const auto d = json::parse(text, "snapshot");
    if (json::get_str(d, "schema") != "pcgd.coaching.snapshot/1") throw std::runtime_error("not a pcgd.coaching.snapshot/1 document");
    Snapshot s;
    s.taken_at_ms = json::get_int(d, "taken_at_ms");
    s.month = json::get_str(d, "month");
    s.currency = json::get_str(d, "currency");
    for (const auto& v : json::member(d, "shops").GetArray())
        s.shops.push_back(ShopSync{json::get_str(v, "shop"), json::get_str(v, "platform"), json::get_str(v, "country"),
                                   json::get_opt(v, "synced_at_ms")});
    s.orders = json::get_int(d, "orders");
    s.sales = json::get_int(d, "sales");
    s.profit = json::get_opt(d, "profit");
    if (const auto& m = json::member(d, "margin_pct"); m.IsNumber()) s.margin_pct = m.GetDouble();
    const auto figures = [&](const char* key, std::vector<ChannelFigures>& out) {
        for (const auto& v : json::member(d, key).GetArray())
            out.push_back(ChannelFigures{json::get_str(v, "key"), json::get_str(v, "platform"), json::get_str(v, "country"),
                                         json::get_int(v, "orders"), json::get_int(v, "sales"), json::get_int(v, "views"),
                                         json::get_opt(v, "profit")});
    };
    figures("channels", s.channels);
    figures("countries", s.countries);
    for (const auto& v : json::member(d, "products").GetArray())
        s.products.push_back(ProductFigures{json::get_str(v, "shop"), json::get_str(v, "sku"), json::get_int(v, "orders"),
                                            json::get_int(v, "units"), json::get_int(v, "sales"), json::get_opt(v, "profit")});
    for (const auto& v : json::member(d, "quality").GetArray()) s.quality.emplace_back(json::get_str(v, "shop"), json::get_int(v, "score"));
    const auto& o = json::member(d, "opportunities");
    s.strong = json::get_int(o, "strong");
    s.good = json::get_int(o, "good");
    s.potential = json::get_int(o, "potential");
    s.new_markets = json::get_int(o, "new_markets");
    const auto& p = json::member(d, "projection");
    s.projected_sales = json::get_int(p, "sales");
    s.projected_sales_low = json::get_int(p, "sales_low");
    s.projected_sales_high = json::get_int(p, "sales_high");
    s.projected_orders = json::get_int(p, "orders");
    return s;
}

}  // namespace pcgd::coaching
