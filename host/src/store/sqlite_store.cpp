// The SQLite implementation of Store. See schema.cpp for the tables.
#include <array>
#include <map>
#include <chrono>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include <sqlite3.h>

#include <pcgd/model/json.hpp>

#include "store/facts.hpp"
#include "store/schema.hpp"
#include "store/sqlite_coaching.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace pcgd::host {

namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::Use;

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// FNV-1a: not cryptographic, only a cheap fingerprint to skip rewriting
/// records that did not change. Stored as SQLite's signed 64-bit integer.
std::int64_t fnv1a_64(std::string_view bytes) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return static_cast<std::int64_t>(h);
}

std::int64_t flag(bool b) noexcept { return b ? 1 : 0; }

std::optional<std::int64_t> minor_of(const std::optional<model::Money>& m) {
    if (!m) return std::nullopt;
    return m->minor;
}

std::string_view currency_of(const std::optional<model::Money>& m) {
    return m ? m->currency.code() : std::string_view{};
}

/// Binds text, or NULL when empty (for optional codes such as a currency).
void bind_text_or_null(Statement& s, int index, std::string_view text) {
    if (text.empty()) s.bind_null(index);
    else s.bind(index, text);
}

/// Sum of the fees when they are known and all in the order's currency;
/// anything else would be a wrong number, so the column stays NULL.
std::optional<std::int64_t> fees_minor(const model::Order& o) {
    if (!o.fees_known) return std::nullopt;
    model::Money sum = model::Money::zero(o.currency);
    for (const auto& f : o.fees) {
        if (f.amount.currency != o.currency) return std::nullopt;
        sum += f.amount;
    }
    return sum.minor;
}

// ---------------------------------------------------------------- tables

// For each record type: its table and the typed columns bound from
// parameter ?3 on (?1 is shop_id, ?2 is id), in this order.
template <class Record>
struct Table;

template <>
struct Table<model::Product> {
    static constexpr const char* name = "products";
    static constexpr const char* columns[] = {"title", "vendor", "product_type", "active", "marketplace",
                                              "created_at_ms", "updated_at_ms"};
    static std::string_view id(const model::Product& p) { return p.id; }
    static void bind(Statement& s, const model::Product& p) {
        s.bind(3, p.title).bind(4, p.vendor).bind(5, p.product_type).bind(6, flag(p.active)).bind(7, p.marketplace);
        s.bind(8, p.created_at).bind(9, p.updated_at);
    }
};

template <>
struct Table<model::Variant> {
    static constexpr const char* name = "variants";
    static constexpr const char* columns[] = {"product_id",  "sku",         "barcode",
                                              "title",       "currency",    "price_minor",
                                              "compare_at_price_minor",     "unit_cost_currency",
                                              "unit_cost_minor",            "stock_total",
                                              "active",      "marketplace", "updated_at_ms"};
    static std::string_view id(const model::Variant& v) { return v.id; }
    static void bind(Statement& s, const model::Variant& v) {
        s.bind(3, v.product_id).bind(4, v.sku).bind(5, v.barcode).bind(6, v.title);
        bind_text_or_null(s, 7, v.price ? currency_of(v.price) : currency_of(v.compare_at_price));
        s.bind(8, minor_of(v.price)).bind(9, minor_of(v.compare_at_price));
        bind_text_or_null(s, 10, currency_of(v.unit_cost));
        s.bind(11, minor_of(v.unit_cost)).bind(12, v.stock_total).bind(13, flag(v.active)).bind(14, v.marketplace);
        s.bind(15, v.updated_at);
    }
};

template <>
struct Table<model::Order> {
    static constexpr const char* name = "orders";
    static constexpr const char* columns[] = {
        "name",           "created_at_ms",   "updated_at_ms",  "cancelled_at_ms",
        "status",         "financial_status", "fulfillment_status", "currency",
        "presentment_currency", "marketplace", "country",       "subtotal_minor",
        "discounts_minor", "shipping_minor", "tax_minor",       "total_minor",
        "presentment_total_minor", "taxes_included", "tax_remitted_by_marketplace", "fees_known",
        "fees_minor",     "line_count",      "test"};
    static std::string_view id(const model::Order& o) { return o.id; }
    static void bind(Statement& s, const model::Order& o) {
        s.bind(3, o.name).bind(4, o.created_at).bind(5, o.updated_at).bind(6, o.cancelled_at);
        s.bind(7, o.status).bind(8, o.financial_status).bind(9, o.fulfillment_status).bind(10, o.currency.code());
        bind_text_or_null(s, 11, o.presentment_currency ? o.presentment_currency->code() : std::string_view{});
        s.bind(12, o.marketplace).bind(13, o.country);
        s.bind(14, o.subtotal.shop.minor).bind(15, o.discounts.shop.minor).bind(16, o.shipping.shop.minor);
        s.bind(17, o.tax.shop.minor).bind(18, o.total.shop.minor).bind(19, minor_of(o.total.presentment));
        s.bind(20, flag(o.taxes_included)).bind(21, flag(o.tax_remitted_by_marketplace)).bind(22, flag(o.fees_known));
        s.bind(23, fees_minor(o)).bind(24, static_cast<std::int64_t>(o.lines.size())).bind(25, flag(o.test));
    }
};

template <>
struct Table<model::Refund> {
    static constexpr const char* name = "refunds";
    static constexpr const char* columns[] = {"order_id",     "created_at_ms", "currency",
                                              "amount_minor", "tax_minor",     "shipping_minor"};
    static std::string_view id(const model::Refund& r) { return r.id; }
    static void bind(Statement& s, const model::Refund& r) {
        s.bind(3, r.order_id).bind(4, r.created_at).bind(5, r.amount.shop.currency.code());
        s.bind(6, r.amount.shop.minor).bind(7, r.tax.shop.minor).bind(8, r.shipping.shop.minor);
    }
};

template <>
struct Table<model::TrafficSample> {
    static constexpr const char* name = "traffic";
    static constexpr const char* columns[] = {"sku", "listing_id", "day", "views", "sessions", "marketplace"};
    static std::string id(const model::TrafficSample& t) { return t.id(); }
    static void bind(Statement& s, const model::TrafficSample& t) {
        s.bind(3, t.sku).bind(4, t.listing_id).bind(5, t.day).bind(6, t.views).bind(7, t.sessions);
        s.bind(8, t.marketplace);
    }
};

/// The SQL of one record table, generated from Table<Record>::columns.
struct TableSql {
    std::string lookup, insert, update, mark_deleted;
};

template <class Record>
TableSql table_sql() {
    using T = Table<Record>;
    const std::string table = T::name;
    constexpr int n = static_cast<int>(std::size(T::columns));
    const auto p = [](int i) { return "?" + std::to_string(i); };
    TableSql sql;
    sql.lookup = "SELECT doc_hash, deleted_at_ms FROM " + table + " WHERE shop_id = ?1 AND id = ?2";
    std::string names, values, sets;
    for (int i = 0; i < n; ++i) {
        names += std::string(", ") + T::columns[i];
        values += ", " + p(i + 3);
        sets += std::string(T::columns[i]) + " = " + p(i + 3) + ", ";
    }
    sql.insert = "INSERT INTO " + table + " (shop_id, id" + names +
                 ", doc, doc_hash, first_seen_at_ms, changed_at_ms) VALUES (?1, ?2" + values + ", " + p(n + 3) + ", " +
                 p(n + 4) + ", " + p(n + 5) + ", " + p(n + 5) + ")";
    sql.update = "UPDATE " + table + " SET " + sets + "doc = " + p(n + 3) + ", doc_hash = " + p(n + 4) +
                 ", changed_at_ms = " + p(n + 5) + ", deleted_at_ms = NULL WHERE shop_id = ?1 AND id = ?2";
    sql.mark_deleted = "UPDATE " + table +
                       " SET deleted_at_ms = ?3, changed_at_ms = ?4 WHERE shop_id = ?1 AND id = ?2 AND deleted_at_ms IS NULL";
    return sql;
}

/// Parameter numbers of the common tail, after the typed columns.
template <class Record>
constexpr int doc_param() {
    return static_cast<int>(std::size(Table<Record>::columns)) + 3;
}

const char* table_of(model::RecordKind kind) {
    switch (kind) {
    case model::RecordKind::product: return Table<model::Product>::name;
    case model::RecordKind::variant: return Table<model::Variant>::name;
    case model::RecordKind::order: return Table<model::Order>::name;
    case model::RecordKind::refund: return Table<model::Refund>::name;
    case model::RecordKind::traffic: return Table<model::TrafficSample>::name;
    case model::RecordKind::deletion: break;
    }
    throw std::invalid_argument(std::string("no table holds records of kind ") + model::to_string(kind));
}

// ---------------------------------------------------------------- connection state

/// What a Store and its Batches share. Batches run on the Store's connection
/// so that its prepared statements are reused and so that a read through the
/// Store never waits for a lock its own batch holds.
struct Shared {
    explicit Shared(const std::string& path) : db(path) {}
    Connection db;
    /// The batch whose uncommitted records the open transaction holds.
    const Batch* transaction_owner = nullptr;

    void require_no_open_batch(std::string_view operation) const {
        if (transaction_owner)
            throw std::logic_error(std::string(operation) +
                                   ": a batch of this store has uncommitted records; commit or roll it back first");
    }
};

/// Runs `f` in its own write transaction.
template <class F>
auto write_transaction(Connection& db, F&& f) {
    db.exec("BEGIN IMMEDIATE");
    try {
        if constexpr (std::is_void_v<decltype(f())>) {
            f();
            db.exec("COMMIT");
        } else {
            auto result = f();
            db.exec("COMMIT");
            return result;
        }
    } catch (...) {
        db.rollback();
        throw;
    }
}

// ---------------------------------------------------------------- facts

/// Adds (sign +1) or takes away (sign -1) what one order or refund
/// contributes to the daily fact tables of its shop.
class FactWriter {
public:
    FactWriter(Connection& db, std::string shop_id, const date::time_zone* zone)
        : shop_id_(std::move(shop_id)), zone_(zone),
          order_fact_(db.cached(
              "INSERT INTO daily_order_facts (shop_id, day, currency, orders, shipping_net_minor, refunds_other_minor,"
              " fees_known_minor, fee_unknown_orders, fee_base_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
              " ON CONFLICT (shop_id, day, currency) DO UPDATE SET orders = orders + excluded.orders,"
              " shipping_net_minor = shipping_net_minor + excluded.shipping_net_minor,"
              " refunds_other_minor = refunds_other_minor + excluded.refunds_other_minor,"
              " fees_known_minor = fees_known_minor + excluded.fees_known_minor,"
              " fee_unknown_orders = fee_unknown_orders + excluded.fee_unknown_orders,"
              " fee_base_minor = fee_base_minor + excluded.fee_base_minor")),
          sku_fact_(db.cached(
              "INSERT INTO daily_sku_facts (shop_id, day, sku, currency, orders, units, sales_minor, refund_units,"
              " refunds_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
              " ON CONFLICT (shop_id, day, sku, currency) DO UPDATE SET orders = orders + excluded.orders,"
              " units = units + excluded.units, sales_minor = sales_minor + excluded.sales_minor,"
              " refund_units = refund_units + excluded.refund_units,"
              " refunds_minor = refunds_minor + excluded.refunds_minor")) {}

    void apply(const model::Order& o, std::int64_t sign) {
        if (!facts::is_sale(o.cancelled_at.has_value(), o.status, o.test)) return;
        const std::int64_t day = facts::local_day(o.created_at, zone_);
        struct Sum { std::int64_t units = 0, net = 0; };
        std::map<std::string_view, Sum> by_sku;
        std::int64_t lines_tax = 0, sales = 0;
        for (const auto& l : o.lines) {
            const std::int64_t net = facts::line_net_minor(l.unit_price.shop.minor, l.quantity, l.discount.shop.minor,
                                                           l.tax.shop.minor, o.taxes_included);
            Sum& sum = by_sku[l.sku];
            sum.units += l.quantity;
            sum.net += net;
            lines_tax += l.tax.shop.minor;
            sales += net;
        }
        const std::int64_t shipping =
            facts::shipping_net_minor(o.shipping.shop.minor, o.tax.shop.minor, lines_tax, o.taxes_included);
        sales += shipping;
        const auto fees = fees_minor(o);
        const std::string_view currency = o.currency.code();
        add_order_fact(day, currency, sign, sign * shipping, 0, fees ? sign * *fees : 0, fees ? 0 : sign,
                       fees ? 0 : sign * sales);
        for (const auto& [sku, sum] : by_sku) add_sku_fact(day, sku, currency, sign, sign * sum.units, sign * sum.net, 0, 0);
    }

    void apply(const model::Refund& r, std::int64_t sign) {
        const std::int64_t day = facts::local_day(r.created_at, zone_);
        struct Sum { std::int64_t units = 0, net = 0; };
        std::map<std::string_view, Sum> by_sku;
        std::int64_t lines = 0;
        for (const auto& l : r.lines) {
            Sum& sum = by_sku[l.sku];
            sum.units += l.quantity;
            sum.net += l.subtotal.shop.minor;
            lines += l.subtotal.shop.minor;
        }
        const std::string_view currency = r.amount.shop.currency.code();
        add_order_fact(day, currency, 0, 0, sign * (r.amount.shop.minor - r.tax.shop.minor - lines), 0, 0, 0);
        for (const auto& [sku, sum] : by_sku) add_sku_fact(day, sku, currency, 0, 0, 0, sign * sum.units, sign * sum.net);
    }

private:
    void add_order_fact(std::int64_t day, std::string_view currency, std::int64_t orders, std::int64_t shipping,
                        std::int64_t refunds, std::int64_t fees, std::int64_t unknown, std::int64_t base) {
        Use q(order_fact_);
        q->bind(1, shop_id_).bind(2, day).bind(3, currency).bind(4, orders).bind(5, shipping).bind(6, refunds);
        q->bind(7, fees).bind(8, unknown).bind(9, base).run();
    }
    void add_sku_fact(std::int64_t day, std::string_view sku, std::string_view currency, std::int64_t orders,
                      std::int64_t units, std::int64_t sales, std::int64_t refund_units, std::int64_t refunds) {
        Use q(sku_fact_);
        q->bind(1, shop_id_).bind(2, day).bind(3, sku).bind(4, currency).bind(5, orders).bind(6, units);
        q->bind(7, sales).bind(8, refund_units).bind(9, refunds).run();
    }

    std::string shop_id_;
    const date::time_zone* zone_;
    Statement& order_fact_;
    Statement& sku_fact_;
};

const date::time_zone* shop_zone(Connection& db, std::string_view shop_id) {
    Use q(db.cached("SELECT time_zone FROM shops WHERE id = ?1"));
    q->bind(1, shop_id);
    if (!q->step()) throw std::invalid_argument("unknown shop '" + std::string(shop_id) + "'");
    return date::locate_zone(std::string(q->text(0)));
}

// ---------------------------------------------------------------- batch

struct Statements {
    Statement* lookup;
    Statement* insert;
    Statement* update;
    Statement* mark_deleted;
};

class SqliteBatch final : public Batch {
public:
    SqliteBatch(std::shared_ptr<Shared> shared, std::string shop_id, sdk::Dataset dataset)
        : shared_(std::move(shared)), db_(shared_->db), shop_id_(std::move(shop_id)), dataset_(sdk::to_string(dataset)),
          facts_(db_, shop_id_, shop_zone(db_, shop_id_)) {
        prepare<model::Product>(model::RecordKind::product);
        prepare<model::Variant>(model::RecordKind::variant);
        prepare<model::Order>(model::RecordKind::order);
        prepare<model::Refund>(model::RecordKind::refund);
        prepare<model::TrafficSample>(model::RecordKind::traffic);
        delete_order_lines_ = &db_.cached("DELETE FROM order_lines WHERE shop_id = ?1 AND order_id = ?2");
        insert_order_line_ = &db_.cached(
            "INSERT INTO order_lines (shop_id, order_id, position, line_id, sku, variant_id, product_id, title, quantity,"
            " unit_price_minor, discount_minor, tax_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
        delete_refund_lines_ = &db_.cached("DELETE FROM refund_lines WHERE shop_id = ?1 AND refund_id = ?2");
        insert_refund_line_ = &db_.cached(
            "INSERT INTO refund_lines (shop_id, refund_id, position, order_line_id, sku, quantity, subtotal_minor,"
            " tax_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        delete_product_variants_ = &db_.cached(
            "UPDATE variants SET deleted_at_ms = ?3, changed_at_ms = ?4"
            " WHERE shop_id = ?1 AND product_id = ?2 AND deleted_at_ms IS NULL");
        save_cursor_ = &db_.cached(
            "INSERT INTO sync_state (shop_id, dataset, cursor, committed_at_ms) VALUES (?1, ?2, ?3, ?4)"
            " ON CONFLICT (shop_id, dataset) DO UPDATE SET cursor = excluded.cursor,"
            " committed_at_ms = excluded.committed_at_ms");
        old_order_ = &db_.cached("SELECT doc FROM orders WHERE shop_id = ?1 AND id = ?2 AND deleted_at_ms IS NULL");
        old_refund_ = &db_.cached("SELECT doc FROM refunds WHERE shop_id = ?1 AND id = ?2 AND deleted_at_ms IS NULL");
    }

    ~SqliteBatch() override { rollback(); }

    void add(model::RecordKind kind, std::string_view json) override {
        // Parsing first: a malformed record throws before anything is written.
        const model::AnyRecord record = model::read_record(kind, json);
        begin();
        try {
            std::visit([this](const auto& r) { store(r); }, record);
        } catch (...) {
            // A record half written (an order without its lines) must never
            // be committed: drop the whole uncommitted batch.
            rollback();
            throw;
        }
    }

    CommitStats commit(std::string_view cursor) override {
        begin();
        try {
            Use{*save_cursor_}->bind(1, shop_id_).bind(2, dataset_).bind(3, cursor).bind(4, now_ms()).run();
            db_.exec("COMMIT");
        } catch (...) {
            rollback();
            throw;
        }
        const CommitStats stats = stats_;
        shared_->transaction_owner = nullptr;
        stats_ = {};
        return stats;
    }

    void rollback() override {
        if (shared_->transaction_owner != this) return;
        db_.rollback();
        shared_->transaction_owner = nullptr;
        stats_ = {};
    }

private:
    template <class Record>
    void prepare(model::RecordKind kind) {
        const TableSql sql = table_sql<Record>();
        statements_[index(kind)] = Statements{&db_.cached(sql.lookup), &db_.cached(sql.insert), &db_.cached(sql.update),
                                              &db_.cached(sql.mark_deleted)};
    }

    static std::size_t index(model::RecordKind kind) { return static_cast<std::size_t>(kind) - 1; }
    Statements& statements(model::RecordKind kind) { return statements_.at(index(kind)); }

    /// Opens the transaction lazily, so the write lock (one writer per file)
    /// is held only while this batch has something to commit.
    void begin() {
        if (shared_->transaction_owner == this) return;
        if (shared_->transaction_owner)
            throw std::logic_error("another batch of this store has uncommitted records; commit or roll it back first");
        db_.exec("BEGIN IMMEDIATE");
        shared_->transaction_owner = this;
    }

    template <class Record>
    void store(const Record& r) {
        using T = Table<Record>;
        constexpr model::RecordKind kind = model::kind_of<Record>();
        Statements& s = statements(kind);
        writer_.clear();
        model::write_json(writer_, r);
        const std::string_view doc = writer_.view();
        const std::int64_t hash = fnv1a_64(doc);
        const auto id = T::id(r);

        bool exists = false;
        {
            Use q(*s.lookup);
            q->bind(1, shop_id_).bind(2, id);
            if (q->step()) {
                exists = true;
                if (q->int64(0) == hash && q->is_null(1)) {
                    ++stats_.unchanged;
                    return;
                }
            }
        }
        if constexpr (std::is_same_v<Record, model::Order> || std::is_same_v<Record, model::Refund>) {
            if (exists) unapply_live<Record>(id);
            facts_.apply(r, +1);
        }
        {
            Use q(exists ? *s.update : *s.insert);
            q->bind(1, shop_id_).bind(2, id);
            T::bind(*q, r);
            q->bind(doc_param<Record>(), doc).bind(doc_param<Record>() + 1, hash).bind(doc_param<Record>() + 2, now_ms());
            q->run();
        }
        store_lines(r, id, exists);
        ++(exists ? stats_.updated : stats_.inserted);
    }

    void store_lines(const model::Order& o, std::string_view id, bool replace) {
        if (replace) Use{*delete_order_lines_}->bind(1, shop_id_).bind(2, id).run();
        std::int64_t position = 0;
        for (const auto& l : o.lines) {
            Use q(*insert_order_line_);
            q->bind(1, shop_id_).bind(2, id).bind(3, position++).bind(4, l.id).bind(5, l.sku).bind(6, l.variant_id);
            q->bind(7, l.product_id).bind(8, l.title).bind(9, l.quantity).bind(10, l.unit_price.shop.minor);
            q->bind(11, l.discount.shop.minor).bind(12, l.tax.shop.minor).run();
        }
    }

    void store_lines(const model::Refund& r, std::string_view id, bool replace) {
        if (replace) Use{*delete_refund_lines_}->bind(1, shop_id_).bind(2, id).run();
        std::int64_t position = 0;
        for (const auto& l : r.lines) {
            Use q(*insert_refund_line_);
            q->bind(1, shop_id_).bind(2, id).bind(3, position++).bind(4, l.order_line_id).bind(5, l.sku);
            q->bind(6, l.quantity).bind(7, l.subtotal.shop.minor).bind(8, l.tax.shop.minor).run();
        }
    }

    template <class Record>
    void store_lines(const Record&, std::string_view, bool) {}

    /// Takes the stored, live version of a record out of the facts.
    template <class Record>
    void unapply_live(std::string_view id) {
        Use q(std::is_same_v<Record, model::Order> ? *old_order_ : *old_refund_);
        q->bind(1, shop_id_).bind(2, id);
        if (!q->step()) return;
        const auto old = model::read_record(model::kind_of<Record>(), q->text(0));
        facts_.apply(std::get<Record>(old), -1);
    }

    void store(const model::Deletion& d) {
        const std::int64_t now = now_ms();
        const std::int64_t at = d.deleted_at.value_or(now);
        if (d.kind == model::RecordKind::order) unapply_live<model::Order>(d.id);
        if (d.kind == model::RecordKind::refund) unapply_live<model::Refund>(d.id);
        {
            Use q(*statements(d.kind).mark_deleted);
            q->bind(1, shop_id_).bind(2, d.id).bind(3, at).bind(4, now).run();
        }
        // Counted once, when it goes from live to deleted: a repeated
        // deletion or one of an unknown id changes nothing.
        if (db_.changes() > 0) ++stats_.deleted;
        // A product's variants go with it; they are not counted, the
        // statistics are per incoming record.
        if (d.kind == model::RecordKind::product)
            Use{*delete_product_variants_}->bind(1, shop_id_).bind(2, d.id).bind(3, at).bind(4, now).run();
    }

    std::shared_ptr<Shared> shared_;
    Connection& db_;
    const std::string shop_id_;
    const std::string dataset_;
    CommitStats stats_;
    json::Writer writer_;  // reused: its buffer grows once, not per record

    std::array<Statements, 5> statements_{};
    Statement* delete_order_lines_;
    Statement* insert_order_line_;
    Statement* delete_refund_lines_;
    Statement* insert_refund_line_;
    Statement* delete_product_variants_;
    Statement* save_cursor_;
    Statement* old_order_;
    Statement* old_refund_;
    FactWriter facts_;
};

// ---------------------------------------------------------------- store

/// " AND shop_id = ?1" when reading one shop, nothing when reading all.
std::string shop_filter(const std::optional<std::string_view>& shop_id, const char* column = "shop_id") {
    return shop_id ? std::string(" AND ") + column + " = ?1" : std::string();
}

class SqliteStore final : public Store {
public:
    explicit SqliteStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)), db_(shared_->db), coaching_(db_) {}

    void put_shop(const ShopRecord& s) override {
        shared_->require_no_open_batch("put_shop");
        // An upsert, not INSERT OR REPLACE: a replace deletes the row first,
        // and the cascade would take every record of the shop with it.
        Use q(db_.cached(
            "INSERT INTO shops (id, platform, country, currency, time_zone, base_url, sme_id, settings_json,"
            " sealed_credentials, created_at_ms, account) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            " ON CONFLICT (id) DO UPDATE SET platform = excluded.platform, country = excluded.country,"
            " currency = excluded.currency, time_zone = excluded.time_zone, base_url = excluded.base_url,"
            " sme_id = excluded.sme_id, settings_json = excluded.settings_json,"
            " sealed_credentials = excluded.sealed_credentials, created_at_ms = excluded.created_at_ms,"
            " account = excluded.account"));
        q->bind(1, s.shop.id).bind(2, s.shop.platform).bind(3, s.shop.country).bind(4, s.shop.currency.code());
        q->bind(5, s.shop.time_zone).bind(6, s.base_url).bind(7, s.sme_id).bind(8, s.settings_json);
        q->bind(9, s.sealed_credentials).bind(10, s.created_at_ms).bind(11, s.account).run();
    }

    std::optional<ShopRecord> get_shop(std::string_view id) override {
        Use q(db_.cached(shops_sql + " WHERE id = ?1"));
        q->bind(1, id);
        if (!q->step()) return std::nullopt;
        return read_shop(*q);
    }

    std::vector<ShopRecord> list_shops() override {
        Use q(db_.cached(shops_sql + " ORDER BY id"));
        std::vector<ShopRecord> out;
        while (q->step()) out.push_back(read_shop(*q));
        return out;
    }

    bool remove_shop(std::string_view id) override {
        shared_->require_no_open_batch("remove_shop");
        return write_transaction(db_, [&] {
            // Children first, explicitly: faster than letting each parent
            // row cascade, and the cascade stays as a safety net.
            for (const char* table : {"order_lines", "refund_lines", "orders", "refunds", "variants", "products",
                                      "traffic", "sync_state", "daily_order_facts", "daily_sku_facts"})
                Use{db_.cached(std::string("DELETE FROM ") + table + " WHERE shop_id = ?1")}->bind(1, id).run();
            Use{db_.cached("DELETE FROM shops WHERE id = ?1")}->bind(1, id).run();
            return db_.changes() > 0;
        });
    }

    SyncState sync_state(std::string_view shop_id, sdk::Dataset dataset) override {
        Use q(db_.cached(
            "SELECT cursor, committed_at_ms, last_success_at_ms, last_error, consecutive_failures, last_failure_at_ms"
            " FROM sync_state WHERE shop_id = ?1 AND dataset = ?2"));
        q->bind(1, shop_id).bind(2, std::string_view(sdk::to_string(dataset)));
        SyncState state;
        if (q->step()) {
            state.cursor = q->text(0);
            state.committed_at_ms = q->int64(1);
            state.last_success_at_ms = q->int64(2);
            state.last_error = q->text(3);
            state.consecutive_failures = static_cast<std::uint32_t>(q->int64(4));
            state.last_failure_at_ms = q->int64(5);
        }
        return state;
    }

    void reset_cursor(std::string_view shop_id, sdk::Dataset dataset) override {
        shared_->require_no_open_batch("reset_cursor");
        Use q(db_.cached("UPDATE sync_state SET cursor = '' WHERE shop_id = ?1 AND dataset = ?2"));
        q->bind(1, shop_id).bind(2, std::string_view(sdk::to_string(dataset))).run();
    }

    void record_job_result(std::string_view shop_id, sdk::Dataset dataset, std::int64_t at_ms,
                           std::string_view error) override {
        shared_->require_no_open_batch("record_job_result");
        // A failure keeps the time of the last success and counts one more in
        // a row; a success clears the error and the count.
        Use q(db_.cached(
            error.empty()
                ? "INSERT INTO sync_state (shop_id, dataset, last_success_at_ms) VALUES (?1, ?2, ?3)"
                  " ON CONFLICT (shop_id, dataset) DO UPDATE SET last_success_at_ms = excluded.last_success_at_ms,"
                  " last_error = '', consecutive_failures = 0"
                : "INSERT INTO sync_state (shop_id, dataset, last_error, consecutive_failures, last_failure_at_ms)"
                  " VALUES (?1, ?2, ?4, 1, ?3)"
                  " ON CONFLICT (shop_id, dataset) DO UPDATE SET last_error = excluded.last_error,"
                  " consecutive_failures = consecutive_failures + 1, last_failure_at_ms = excluded.last_failure_at_ms"));
        q->bind(1, shop_id).bind(2, std::string_view(sdk::to_string(dataset))).bind(3, at_ms);
        if (!error.empty()) q->bind(4, error);
        q->run();
    }

    std::unique_ptr<Batch> begin_batch(std::string_view shop_id, sdk::Dataset dataset) override {
        // Checked here rather than failing on the first record's foreign key.
        if (!get_shop(shop_id)) throw std::invalid_argument("unknown shop '" + std::string(shop_id) + "'");
        return std::make_unique<SqliteBatch>(shared_, std::string(shop_id), dataset);
    }

    RecordCounts counts(std::optional<std::string_view> shop_id) override {
        const std::string f = shop_filter(shop_id);
        const auto count = [&](const char* table, const char* what = "count(*)") {
            return std::string("(SELECT ") + what + " FROM " + table + " WHERE deleted_at_ms IS NULL" + f + ")";
        };
        Use q(db_.cached("SELECT " + count("products") + ", " + count("variants") + ", " + count("orders") + ", " +
                         count("orders", "COALESCE(SUM(line_count), 0)") + ", " + count("refunds") + ", " +
                         count("traffic")));
        if (shop_id) q->bind(1, *shop_id);
        q->step();
        return RecordCounts{q->int64(0), q->int64(1), q->int64(2), q->int64(3), q->int64(4), q->int64(5)};
    }

    void for_each(model::RecordKind kind, std::optional<std::string_view> shop_id,
                  const std::function<void(std::string_view shop_id, std::string_view json)>& f) override {
        // Not the cached statement: `f` may call back into this store.
        Statement q(db_.handle(), std::string("SELECT shop_id, doc FROM ") + table_of(kind) +
                                      " WHERE deleted_at_ms IS NULL" + shop_filter(shop_id) + " ORDER BY shop_id, id");
        if (shop_id) q.bind(1, *shop_id);
        while (q.step()) f(q.text(0), q.text(1));
    }

    std::vector<model::Money> order_totals(std::optional<std::string_view> shop_id) override {
        Use q(db_.cached("SELECT currency, SUM(total_minor) FROM orders WHERE deleted_at_ms IS NULL" +
                         shop_filter(shop_id) + " GROUP BY currency ORDER BY currency"));
        if (shop_id) q->bind(1, *shop_id);
        std::vector<model::Money> out;
        while (q->step()) out.push_back(model::Money{q->int64(1), model::Currency::of(q->text(0))});
        return out;
    }

    void put_sme(const Sme& sme) override {
        shared_->require_no_open_batch("put_sme");
        Use q(db_.cached(
            "INSERT INTO smes (id, name, currency, lang, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency, lang = excluded.lang"));
        q->bind(1, sme.id).bind(2, sme.name).bind(3, sme.currency.code()).bind(4, sme.lang).bind(5, sme.created_at_ms).run();
    }

    std::optional<Sme> get_sme(std::string_view id) override {
        Use q(db_.cached(smes_sql + " WHERE id = ?1"));
        q->bind(1, id);
        if (!q->step()) return std::nullopt;
        return read_sme(*q);
    }

    std::vector<Sme> list_smes() override {
        Use q(db_.cached(smes_sql + " ORDER BY id"));
        std::vector<Sme> out;
        while (q->step()) out.push_back(read_sme(*q));
        return out;
    }

    std::size_t put_rates(const std::vector<ExchangeRate>& rates) override {
        shared_->require_no_open_batch("put_rates");
        return write_transaction(db_, [&] {
            Statement& ins = db_.cached(
                "INSERT INTO exchange_rates (from_currency, to_currency, day, rate) VALUES (?1, ?2, ?3, ?4)"
                " ON CONFLICT (from_currency, to_currency, day) DO UPDATE SET rate = excluded.rate");
            for (const auto& r : rates) {
                Use q(ins);
                q->bind(1, r.from.code()).bind(2, r.to.code()).bind(3, r.day).bind(4, r.rate).run();
            }
            return rates.size();
        });
    }

    std::vector<ExchangeRate> rates(model::Currency from, model::Currency to) override {
        Use q(db_.cached("SELECT day, rate FROM exchange_rates WHERE from_currency = ?1 AND to_currency = ?2 ORDER BY day"));
        q->bind(1, from.code()).bind(2, to.code());
        std::vector<ExchangeRate> out;
        while (q->step()) out.push_back(ExchangeRate{from, to, q->int64(0), std::string(q->text(1))});
        return out;
    }

    std::size_t put_costs(std::string_view sme_id, const std::vector<CostEntry>& costs) override {
        shared_->require_no_open_batch("put_costs");
        return write_transaction(db_, [&] {
            Statement& ins = db_.cached(
                "INSERT INTO cost_sheet (sme_id, sku, valid_from_day, currency, unit_cost_minor) VALUES (?1, ?2, ?3, ?4, ?5)"
                " ON CONFLICT (sme_id, sku, valid_from_day) DO UPDATE SET currency = excluded.currency,"
                " unit_cost_minor = excluded.unit_cost_minor");
            for (const auto& c : costs) {
                Use q(ins);
                q->bind(1, sme_id).bind(2, c.sku).bind(3, c.valid_from_day).bind(4, c.unit_cost.currency.code());
                q->bind(5, c.unit_cost.minor).run();
            }
            return costs.size();
        });
    }

    std::vector<CostEntry> costs(std::string_view sme_id) override {
        Use q(db_.cached("SELECT sku, valid_from_day, currency, unit_cost_minor FROM cost_sheet WHERE sme_id = ?1"
                         " ORDER BY sku, valid_from_day"));
        q->bind(1, sme_id);
        std::vector<CostEntry> out;
        while (q->step())
            out.push_back(CostEntry{std::string(q->text(0)), q->int64(1), model::Money{q->int64(3), model::Currency::of(q->text(2))}});
        return out;
    }

    void for_each_order_fact(std::string_view shop_id, std::int64_t from_day, std::int64_t to_day,
                             const std::function<void(const DayOrderFacts&)>& f) override {
        Statement q(db_.handle(),
                    "SELECT day, currency, orders, shipping_net_minor, refunds_other_minor, fees_known_minor,"
                    " fee_unknown_orders, fee_base_minor FROM daily_order_facts"
                    " WHERE shop_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day, currency");
        q.bind(1, shop_id).bind(2, from_day).bind(3, to_day);
        DayOrderFacts d;
        while (q.step()) {
            d.day = q.int64(0);
            d.currency = model::Currency::of(q.text(1));
            d.orders = q.int64(2);
            d.shipping_net_minor = q.int64(3);
            d.refunds_other_minor = q.int64(4);
            d.fees_known_minor = q.int64(5);
            d.fee_unknown_orders = q.int64(6);
            d.fee_base_minor = q.int64(7);
            f(d);
        }
    }

    void for_each_sku_fact(std::string_view shop_id, std::int64_t from_day, std::int64_t to_day,
                           const std::function<void(const DaySkuFacts&)>& f) override {
        Statement q(db_.handle(),
                    "SELECT day, sku, currency, orders, units, sales_minor, refund_units, refunds_minor FROM daily_sku_facts"
                    " WHERE shop_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day, sku, currency");
        q.bind(1, shop_id).bind(2, from_day).bind(3, to_day);
        DaySkuFacts d;
        while (q.step()) {
            d.day = q.int64(0);
            d.sku.assign(q.text(1));
            d.currency = model::Currency::of(q.text(2));
            d.orders = q.int64(3);
            d.units = q.int64(4);
            d.sales_minor = q.int64(5);
            d.refund_units = q.int64(6);
            d.refunds_minor = q.int64(7);
            f(d);
        }
    }

    void for_each_sale(std::string_view shop_id, model::TimestampMs from_ms, model::TimestampMs to_ms,
                       const std::function<void(const OrderSale&)>& f) override {
        const date::time_zone* zone = shop_zone(db_, shop_id);
        // The filter is facts::is_sale in SQL.
        Statement q(db_.handle(),
                    "SELECT o.id, o.name, o.marketplace, o.created_at_ms, o.currency, o.shipping_minor, o.tax_minor,"
                    " o.taxes_included, o.fees_minor, l.sku, l.quantity, l.unit_price_minor, l.discount_minor, l.tax_minor"
                    " FROM orders o LEFT JOIN order_lines l ON l.shop_id = o.shop_id AND l.order_id = o.id"
                    " WHERE o.shop_id = ?1 AND o.created_at_ms >= ?2 AND o.created_at_ms < ?3 AND o.deleted_at_ms IS NULL"
                    " AND o.cancelled_at_ms IS NULL AND o.status != 'cancelled' AND o.test = 0"
                    " ORDER BY o.created_at_ms, o.id, l.position");
        q.bind(1, shop_id).bind(2, from_ms).bind(3, to_ms);
        OrderSale sale;
        std::int64_t shipping = 0, order_tax = 0, lines_tax = 0;
        bool taxes_included = false, open = false;
        const auto flush = [&] {
            if (!open) return;
            sale.shipping_net_minor = facts::shipping_net_minor(shipping, order_tax, lines_tax, taxes_included);
            f(sale);
        };
        while (q.step()) {
            if (!open || q.text(0) != sale.id) {
                flush();
                open = true;
                sale.id.assign(q.text(0));
                sale.name.assign(q.text(1));
                sale.marketplace.assign(q.text(2));
                sale.created_at = q.int64(3);
                sale.day = facts::local_day(sale.created_at, zone);
                sale.currency = model::Currency::of(q.text(4));
                shipping = q.int64(5);
                order_tax = q.int64(6);
                taxes_included = q.int64(7) != 0;
                sale.fees_minor = q.is_null(8) ? std::nullopt : std::optional<std::int64_t>(q.int64(8));
                sale.lines.clear();
                lines_tax = 0;
            }
            if (q.is_null(10)) continue;  // an order without lines
            const std::int64_t tax = q.int64(13);
            lines_tax += tax;
            sale.lines.push_back(OrderSale::Line{
                std::string(q.text(9)), q.int64(10),
                facts::line_net_minor(q.int64(11), q.int64(10), q.int64(12), tax, taxes_included)});
        }
        flush();
    }

    void for_each_refund(std::string_view shop_id, model::TimestampMs from_ms, model::TimestampMs to_ms,
                         const std::function<void(const RefundEntry&)>& f) override {
        const date::time_zone* zone = shop_zone(db_, shop_id);
        Statement q(db_.handle(),
                    "SELECT r.id, r.order_id, r.created_at_ms, r.currency, r.amount_minor, r.tax_minor, l.sku, l.quantity,"
                    " l.subtotal_minor FROM refunds r LEFT JOIN refund_lines l ON l.shop_id = r.shop_id AND l.refund_id = r.id"
                    " WHERE r.shop_id = ?1 AND r.created_at_ms >= ?2 AND r.created_at_ms < ?3 AND r.deleted_at_ms IS NULL"
                    " ORDER BY r.created_at_ms, r.id, l.position");
        q.bind(1, shop_id).bind(2, from_ms).bind(3, to_ms);
        RefundEntry refund;
        bool open = false;
        const auto flush = [&] {
            if (open) f(refund);
        };
        while (q.step()) {
            if (!open || q.text(0) != refund.id) {
                flush();
                open = true;
                refund.id.assign(q.text(0));
                refund.order_id.assign(q.text(1));
                refund.created_at = q.int64(2);
                refund.day = facts::local_day(refund.created_at, zone);
                refund.currency = model::Currency::of(q.text(3));
                refund.other_net_minor = q.int64(4) - q.int64(5);
                refund.lines.clear();
            }
            if (q.is_null(7)) continue;
            refund.lines.push_back(RefundEntry::Line{std::string(q.text(6)), q.int64(7), q.int64(8)});
            refund.other_net_minor -= q.int64(8);
        }
        flush();
    }

    void for_each_views(std::string_view shop_id, std::int64_t from_day, std::int64_t to_day,
                        const std::function<void(const DayViews&)>& f) override {
        Statement q(db_.handle(),
                    "SELECT sku, day, SUM(views), SUM(sessions), COUNT(sessions) = COUNT(*) FROM traffic"
                    " WHERE shop_id = ?1 AND day BETWEEN ?2 AND ?3 AND deleted_at_ms IS NULL AND sku != ''"
                    " GROUP BY sku, day ORDER BY sku, day");
        q.bind(1, shop_id).bind(2, from_day).bind(3, to_day);
        DayViews v;
        while (q.step()) {
            v.sku = q.text(0);
            v.day = q.int64(1);
            v.views = q.int64(2);
            v.sessions = q.int64(4) != 0 ? std::optional<std::int64_t>(q.int64(3)) : std::nullopt;
            f(v);
        }
    }

    void rebuild_facts() override {
        shared_->require_no_open_batch("rebuild_facts");
        write_transaction(db_, [&] {
            db_.exec("DELETE FROM daily_order_facts; DELETE FROM daily_sku_facts");
            for (const auto& shop : list_shops()) {
                FactWriter writer(db_, shop.shop.id, date::locate_zone(shop.shop.time_zone));
                for (auto kind : {model::RecordKind::order, model::RecordKind::refund})
                    for_each(kind, shop.shop.id, [&](std::string_view, std::string_view json) {
                        std::visit([&](const auto& r) {
                            if constexpr (std::is_same_v<std::decay_t<decltype(r)>, model::Order> ||
                                          std::is_same_v<std::decay_t<decltype(r)>, model::Refund>)
                                writer.apply(r, +1);
                        }, model::read_record(kind, json));
                    });
            }
        });
    }

    // Coaching: the SQL lives in sqlite_coaching.cpp. Writes wait for no
    // open batch, like every other write.
    void put_manager(const Manager& m) override { write("put_manager", [&] { coaching_.put_manager(m); }); }
    std::optional<Manager> get_manager(std::string_view id) override { return coaching_.get_manager(id); }
    std::vector<Manager> list_managers() override { return coaching_.list_managers(); }
    void put_coaching(const Coaching& c) override { write("put_coaching", [&] { coaching_.put_coaching(c); }); }
    std::optional<Coaching> get_coaching(std::string_view sme_id) override { return coaching_.get_coaching(sme_id); }
    std::vector<std::string> coached_smes(std::string_view manager_id) override { return coaching_.coached_smes(manager_id); }
    std::int64_t add_session(const Session& s, const std::vector<Action>& actions) override {
        shared_->require_no_open_batch("add_session");
        return coaching_.add_session(s, actions);
    }
    std::optional<Session> get_session(std::string_view sme_id, std::int64_t id) override { return coaching_.get_session(sme_id, id); }
    std::vector<Session> list_sessions(std::string_view sme_id) override { return coaching_.list_sessions(sme_id); }
    std::int64_t add_obstacle(const Obstacle& o) override {
        shared_->require_no_open_batch("add_obstacle");
        return coaching_.add_obstacle(o);
    }
    std::vector<Obstacle> list_obstacles(std::string_view sme_id) override { return coaching_.list_obstacles(sme_id); }
    void put_training(const Training& t) override { write("put_training", [&] { coaching_.put_training(t); }); }
    std::vector<Training> list_training(std::string_view sme_id) override { return coaching_.list_training(sme_id); }
    std::int64_t add_goal(const Goal& g) override {
        shared_->require_no_open_batch("add_goal");
        return coaching_.add_goal(g);
    }
    std::vector<Goal> list_goals(std::string_view sme_id) override { return coaching_.list_goals(sme_id); }
    void put_plan(const Plan& p, const std::vector<Action>& actions) override { write("put_plan", [&] { coaching_.put_plan(p, actions); }); }
    std::optional<Plan> get_plan(std::string_view sme_id) override { return coaching_.get_plan(sme_id); }
    std::int64_t add_action(const Action& a) override {
        shared_->require_no_open_batch("add_action");
        return coaching_.add_action(a);
    }
    void update_action(const Action& a) override { write("update_action", [&] { coaching_.update_action(a); }); }
    std::optional<Action> get_action(std::string_view sme_id, std::int64_t id) override { return coaching_.get_action(sme_id, id); }
    std::vector<Action> list_actions(std::string_view sme_id) override { return coaching_.list_actions(sme_id); }

    std::int64_t add_token(const ApiToken& t) override {
        shared_->require_no_open_batch("add_token");
        Use q(db_.cached("INSERT INTO api_tokens (hash, role, subject, name, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)"));
        q->bind(1, t.hash).bind(2, t.role).bind(3, t.subject).bind(4, t.name).bind(5, t.created_at_ms).run();
        return sqlite3_last_insert_rowid(db_.handle());
    }
    std::vector<ApiToken> list_tokens() override {
        Use q(db_.cached("SELECT id, hash, role, subject, name, created_at_ms, revoked_at_ms FROM api_tokens ORDER BY id"));
        std::vector<ApiToken> out;
        while (q->step()) {
            ApiToken t{q->int64(0), std::string(q->text(1)), std::string(q->text(2)), std::string(q->text(3)),
                       std::string(q->text(4)), q->int64(5), std::nullopt};
            if (!q->is_null(6)) t.revoked_at_ms = q->int64(6);
            out.push_back(std::move(t));
        }
        return out;
    }
    bool revoke_token(std::int64_t id, std::int64_t at_ms) override {
        shared_->require_no_open_batch("revoke_token");
        Use q(db_.cached("UPDATE api_tokens SET revoked_at_ms = ?2 WHERE id = ?1 AND revoked_at_ms IS NULL"));
        q->bind(1, id).bind(2, at_ms).run();
        return sqlite3_changes(db_.handle()) > 0;
    }

    bool delivery_seen(std::string_view shop_id, std::string_view delivery_id) override {
        Use q(db_.cached("SELECT 1 FROM webhook_deliveries WHERE shop_id = ?1 AND delivery_id = ?2"));
        q->bind(1, shop_id).bind(2, delivery_id);
        return q->step();
    }
    void record_delivery(std::string_view shop_id, std::string_view delivery_id, std::int64_t received_at_ms,
                         std::int64_t prune_before_ms) override {
        shared_->require_no_open_batch("record_delivery");
        db_.exec("BEGIN IMMEDIATE");
        try {
            Use prune(db_.cached("DELETE FROM webhook_deliveries WHERE received_at_ms < ?1"));
            prune->bind(1, prune_before_ms).run();
            Use ins(db_.cached(
                "INSERT OR REPLACE INTO webhook_deliveries (shop_id, delivery_id, received_at_ms) VALUES (?1, ?2, ?3)"));
            ins->bind(1, shop_id).bind(2, delivery_id).bind(3, received_at_ms).run();
            db_.exec("COMMIT");
        } catch (...) {
            db_.rollback();
            throw;
        }
    }

private:
    template <class F>
    void write(const char* operation, F&& f) {
        shared_->require_no_open_batch(operation);
        f();
    }

private:
    inline static const std::string smes_sql = "SELECT id, name, currency, lang, created_at_ms FROM smes";

    static Sme read_sme(const Statement& q) {
        return Sme{std::string(q.text(0)), std::string(q.text(1)), model::Currency::of(q.text(2)), std::string(q.text(3)),
                   q.int64(4)};
    }

private:
    inline static const std::string shops_sql =
        "SELECT id, platform, country, currency, time_zone, base_url, sme_id, settings_json, sealed_credentials,"
        " created_at_ms, account FROM shops";

    static ShopRecord read_shop(const Statement& q) {
        ShopRecord s;
        s.shop.id = q.text(0);
        s.shop.platform = q.text(1);
        s.shop.country = q.text(2);
        if (!q.text(3).empty()) s.shop.currency = model::Currency::of(q.text(3));
        s.shop.time_zone = q.text(4);
        s.base_url = q.text(5);
        s.sme_id = q.text(6);
        s.settings_json = q.text(7);
        s.sealed_credentials = q.text(8);
        s.created_at_ms = q.int64(9);
        s.account = q.text(10);
        return s;
    }

    std::shared_ptr<Shared> shared_;
    Connection& db_;
    sqlite::CoachingTables coaching_;
};

void configure(Connection& db) {
    // Another process (the CLI reading, a second sync) may hold the lock briefly.
    sqlite3_busy_timeout(db.handle(), 5000);
    {
        Statement q(db.handle(), "PRAGMA journal_mode = WAL");
        q.step();
        const std::string_view mode = q.text(0);
        // An in-memory database reports "memory" and has no use for a WAL.
        if (mode != "wal" && mode != "memory")
            throw std::runtime_error("cannot switch to WAL journal mode (got '" + std::string(mode) + "')");
    }
    // Under WAL, NORMAL keeps the file consistent across a crash; only the
    // last commits may be lost on power failure, never on a process kill.
    db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16000");
}

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
    auto shared = std::make_shared<Shared>(path);  // names the path itself on failure
    try {
        configure(shared->db);
        const bool had_facts = sqlite::schema_version(shared->db) >= 2;
        sqlite::migrate(shared->db, now_ms());
        // A store written before the fact tables existed gets them filled once.
        if (!had_facts) SqliteStore(shared).rebuild_facts();
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("cannot open store '" + path + "': " + e.what());
    }
    return std::make_unique<SqliteStore>(std::move(shared));
}

}  // namespace pcgd::host
