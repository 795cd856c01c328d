// Record builders and a scratch store for the analysis tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <unistd.h>

#include <pcgd/model/json.hpp>

#include "analysis/tools.hpp"
#include "store/store.hpp"

namespace pcgd::analysis::test {

class TempStore {
public:
    TempStore() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pcgd-analysis-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        store_ = host::open_sqlite_store((dir_ / "pcgd.db").string());
    }
    ~TempStore() {
        store_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    host::Store& operator*() { return *store_; }
    host::Store* operator->() { return store_.get(); }
    std::string path() const { return (dir_ / "pcgd.db").string(); }

private:
    std::filesystem::path dir_;
    std::unique_ptr<host::Store> store_;
};

inline model::MoneyBag bag(std::int64_t minor, const char* currency) {
    return {model::Money{minor, model::Currency::of(currency)}, std::nullopt};
}

inline model::OrderLine line(const std::string& id, const std::string& sku, std::int64_t quantity, std::int64_t unit_minor,
                             std::int64_t discount_minor, std::int64_t tax_minor, const char* currency) {
    model::OrderLine l;
    l.id = id;
    l.sku = sku;
    l.quantity = quantity;
    l.unit_price = bag(unit_minor, currency);
    l.discount = bag(discount_minor, currency);
    l.tax = bag(tax_minor, currency);
    return l;
}

inline model::Order order(const std::string& id, const char* created_at, const char* currency,
                          std::vector<model::OrderLine> lines, std::int64_t shipping_minor, std::int64_t tax_minor,
                          bool taxes_included) {
    model::Order o;
    o.id = id;
    o.name = "#" + id;
    o.created_at = model::parse_iso8601_or_throw(created_at);
    o.status = "open";
    o.currency = model::Currency::of(currency);
    std::int64_t subtotal = 0;
    for (const auto& l : lines) subtotal += l.unit_price.shop.minor * l.quantity - l.discount.shop.minor;
    o.subtotal = bag(subtotal, currency);
    o.discounts = bag(0, currency);
    o.shipping = bag(shipping_minor, currency);
    o.tax = bag(tax_minor, currency);
    o.total = bag(subtotal + shipping_minor + (taxes_included ? 0 : tax_minor), currency);
    o.taxes_included = taxes_included;
    o.lines = std::move(lines);
    return o;
}

template <class Record>
void put(host::Store& store, const std::string& shop, const Record& r) {
    auto batch = store.begin_batch(shop, sdk::Dataset::orders);
    batch->add(model::kind_of<Record>(), model::to_json(r));
    batch->commit("");
}

inline host::ShopRecord shop(const std::string& id, const std::string& platform, const char* country, const char* currency,
                             const char* zone, const std::string& sme) {
    host::ShopRecord s;
    s.shop = model::Shop{id, platform, country, model::Currency::of(currency), zone};
    s.base_url = "https://" + id + ".example";
    s.sme_id = sme;
    return s;
}

inline std::string render_to_string(const Report& r, Format f, Lang l) {
    std::ostringstream out;
    render(r, f, l, out);
    return out.str();
}

/// The row of `section` whose column `key` holds `value`.
inline const std::vector<Cell>& row_where(const Section& section, const std::string& key, const Cell& value) {
    std::size_t column = 0;
    while (column < section.columns.size() && section.columns[column].key != key) ++column;
    for (const auto& row : section.rows)
        if (row.at(column) == value) return row;
    throw std::runtime_error("no row with " + key + " in " + section.key);
}

inline const Cell& cell(const Section& section, const std::vector<Cell>& row, const std::string& key) {
    for (std::size_t i = 0; i < section.columns.size(); ++i)
        if (section.columns[i].key == key) return row.at(i);
    throw std::runtime_error("no column " + key);
}

/// The section with every row held as cells, generated ones included.
inline Section section(const Report& r, const std::string& key) {
    for (const auto& s : r.sections)
        if (s.key == key) return s.materialized();
    throw std::runtime_error("no section " + key);
}

inline Cell gbp(std::int64_t minor) { return model::Money{minor, model::Currency::of("GBP")}; }
inline Cell eur(std::int64_t minor) { return model::Money{minor, model::Currency::of("EUR")}; }

}  // namespace pcgd::analysis::test
