// Helpers shared by the store tests: temporary directories, record builders
// and read-only SQL queries straight at the file.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <sqlite3.h>

#include <pcgd/model/json.hpp>

#include "store/store.hpp"

namespace pcgd::host::test {

/// A fresh directory, removed with everything in it at scope exit.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pcgd-store-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline model::Money gbp(std::int64_t minor) { return {minor, model::Currency::of("GBP")}; }

inline model::MoneyBag bag(std::int64_t minor, const char* currency = "GBP") {
    return {model::Money{minor, model::Currency::of(currency)}, std::nullopt};
}

inline model::OrderLine line(const std::string& id, const std::string& sku, std::int64_t quantity,
                             std::int64_t unit_minor, const char* currency = "GBP") {
    model::OrderLine l;
    l.id = id;
    l.sku = sku;
    l.title = "Item " + sku;
    l.quantity = quantity;
    l.unit_price = bag(unit_minor, currency);
    l.discount = bag(0, currency);
    l.tax = bag(unit_minor * quantity / 6, currency);
    return l;
}

/// An order whose total is the sum of its lines.
inline model::Order order(const std::string& id, std::vector<model::OrderLine> lines, const char* currency = "GBP",
                          model::TimestampMs created_at = 1767225600000) {
    model::Order o;
    o.id = id;
    o.name = "#" + id;
    o.created_at = created_at;
    o.status = "open";
    o.financial_status = "paid";
    o.currency = model::Currency::of(currency);
    std::int64_t sum = 0;
    for (const auto& l : lines) sum += l.unit_price.shop.minor * l.quantity;
    o.subtotal = bag(sum, currency);
    o.discounts = bag(0, currency);
    o.shipping = bag(0, currency);
    o.tax = bag(sum / 6, currency);
    o.total = bag(sum, currency);
    o.lines = std::move(lines);
    return o;
}

inline ShopRecord shop(const std::string& id, const char* currency = "GBP") {
    ShopRecord s;
    s.shop = model::Shop{id, "shopify", "GB", model::Currency::of(currency), "Europe/London"};
    s.base_url = "https://" + id + ".example";
    s.created_at_ms = 1767225600000;
    return s;
}

/// The first column of the first row of `sql`, read through a separate
/// read-only connection, as another process would see it.
inline std::int64_t query_int(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    const std::int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    const std::string error = rc == SQLITE_DONE ? "no row" : sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    if (rc != SQLITE_ROW) throw std::runtime_error(sql + ": " + error);
    return value;
}

/// Runs statements on the file through a separate read-write connection.
inline void execute(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    const std::string error = message ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + error);
}

}  // namespace pcgd::host::test
