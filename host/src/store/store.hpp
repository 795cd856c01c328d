// The store: shops, their sync cursors and the normalised records.
// A narrow interface so that a PostgreSQL backend can sit beside SQLite.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pcgd/model/records.hpp>
#include <pcgd/sdk/plugin.hpp>

#include "store/coaching_records.hpp"

namespace pcgd::host {

/// A connected shop as stored. Credentials are sealed (see secrets/vault.hpp);
/// the store never sees them in clear.
struct ShopRecord {
    model::Shop shop;                 // id, platform, country, currency, time_zone
    std::string base_url;             // the platform's API root (an emulator in tests)
    std::string sme_id;               // the SME that owns the shop; may be empty
    std::string settings_json = "{}"; // non-secret plugin settings, a JSON object
    std::string sealed_credentials;   // Vault::seal output; empty when none
    std::int64_t created_at_ms = 0;
    /// The seller account whose request budget the shop draws on; shops of
    /// one platform with the same account share it. Empty: the shop's own.
    std::string account;
    /// The key of that budget in the rate limiter: "amazon:SELLER".
    std::string budget_key() const { return shop.platform + ":" + (account.empty() ? shop.id : account); }
};

/// What one commit changed.
struct CommitStats {
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t deleted = 0;  // records newly marked deleted
    CommitStats& operator+=(const CommitStats& o) {
        inserted += o.inserted; updated += o.updated; unchanged += o.unchanged; deleted += o.deleted;
        return *this;
    }
    std::int64_t changed() const { return inserted + updated + deleted; }
};

/// Committed sync state of one dataset of one shop.
struct SyncState {
    std::string cursor;              // last committed cursor, empty when none
    std::int64_t committed_at_ms = 0;
    std::int64_t last_success_at_ms = 0;  // last time a whole job finished
    std::string last_error;
    std::uint32_t consecutive_failures = 0;  // failed jobs since the last success
    std::int64_t last_failure_at_ms = 0;     // 0: never failed
};

/// An open transaction for one shop and dataset. Records are written as they
/// arrive (memory stays flat) and become visible, together with the new
/// cursor, only on commit. Destroying an uncommitted batch rolls it back.
/// A batch works on its Store's connection: while it holds uncommitted
/// records, reads through that Store see them and writes through it
/// (put_shop, remove_shop, reset_cursor, record_job_result, another batch's
/// add) throw std::logic_error. The write lock of the file is taken at the
/// first add and held until commit or rollback. A batch may outlive its Store.
class Batch {
public:
    virtual ~Batch() = default;
    /// Upserts one record given in its JSON form. Throws json::ParseError
    /// (naming the field) for a record that does not match the schema.
    virtual void add(model::RecordKind kind, std::string_view json) = 0;
    /// Makes everything since the last commit durable with `cursor`, and
    /// starts a new transaction for what follows.
    virtual CommitStats commit(std::string_view cursor) = 0;
    /// Discards everything since the last commit.
    virtual void rollback() = 0;
    // If add or commit fails for a reason other than a ParseError (disk full,
    // I/O error), everything since the last commit is rolled back first.
};

/// Counts of live (not deleted) records of one shop, or of all shops.
struct RecordCounts {
    std::int64_t products = 0, variants = 0, orders = 0, order_lines = 0, refunds = 0, traffic = 0;
};

/// A small business owning one or more shops.
struct Sme {
    std::string id;
    std::string name;
    model::Currency currency;  // the reporting currency of its reports
    std::string lang = "en";   // en or fr
    std::int64_t created_at_ms = 0;
};

/// One published rate: 1 unit of `from` is `rate` units of `to` on `day`.
/// The rate stays the decimal string the user imported, so conversions are
/// exact (see analysis/exchange.hpp).
struct ExchangeRate {
    model::Currency from, to;
    std::int64_t day = 0;  // days since the epoch
    std::string rate;
};

/// A row of an SME's cost sheet: the unit cost of a SKU from a day on.
struct CostEntry {
    std::string sku;
    std::int64_t valid_from_day = 0;
    model::Money unit_cost;
};

/// Order-level sums of one shop, local day and currency (see schema.cpp).
struct DayOrderFacts {
    std::int64_t day = 0;
    model::Currency currency;
    std::int64_t orders = 0, shipping_net_minor = 0, refunds_other_minor = 0, fees_known_minor = 0,
                 fee_unknown_orders = 0, fee_base_minor = 0;
};

/// Line-level sums of one shop, local day, SKU and currency.
struct DaySkuFacts {
    std::int64_t day = 0;
    std::string sku;
    model::Currency currency;
    std::int64_t orders = 0, units = 0, sales_minor = 0, refund_units = 0, refunds_minor = 0;
};

/// One sale (not cancelled, not a test) with what its profit needs.
struct OrderSale {
    struct Line {
        std::string sku;
        std::int64_t quantity = 0;
        std::int64_t net_minor = 0;  // after discounts, excluding tax
    };
    std::string id, name, marketplace;
    model::TimestampMs created_at = 0;
    std::int64_t day = 0;  // local day in the shop's time zone
    model::Currency currency;
    std::int64_t shipping_net_minor = 0;
    std::optional<std::int64_t> fees_minor;  // empty: not reported by the platform
    std::vector<Line> lines;
};

/// A SKU's traffic on one day.
struct DayViews {
    std::string_view sku;
    std::int64_t day = 0;
    std::int64_t views = 0;
    std::optional<std::int64_t> sessions;  // empty unless every listing of the SKU reported sessions that day
};

/// One refund, excluding tax, split into its lines and the rest.
struct RefundEntry {
    struct Line {
        std::string sku;
        std::int64_t quantity = 0;
        std::int64_t net_minor = 0;
    };
    std::string id, order_id;
    model::TimestampMs created_at = 0;
    std::int64_t day = 0;
    model::Currency currency;
    std::int64_t other_net_minor = 0;  // amount - tax - lines: shipping, adjustments
    std::vector<Line> lines;
};

/// An API token of the service (schema version 5). The token itself is never
/// stored: only its SHA-256, so a copy of the store grants no access.
struct ApiToken {
    std::int64_t id = 0;
    std::string hash;     // SHA-256 of the token, lower-case hex
    std::string role;     // admin, manager or sme
    std::string subject;  // the manager's id (manager), the SME's id (sme), '' (admin)
    std::string name;     // what the token is for, free text
    std::int64_t created_at_ms = 0;
    std::optional<std::int64_t> revoked_at_ms;
};

/// THREAD: one Store, and its batches, are used from one thread at a time.
/// Several Stores, in one process or several, may open the same file: SQLite
/// serialises writers and waits up to 5 s for a lock before failing.
class Store {
public:
    virtual ~Store() = default;

    // Shops
    virtual void put_shop(const ShopRecord& shop) = 0;  // insert or replace
    virtual std::optional<ShopRecord> get_shop(std::string_view id) = 0;
    virtual std::vector<ShopRecord> list_shops() = 0;
    /// Removes the shop and all its records and state. False when unknown.
    virtual bool remove_shop(std::string_view id) = 0;

    // Sync state
    virtual SyncState sync_state(std::string_view shop_id, sdk::Dataset dataset) = 0;
    /// Forgets the cursor (a full sync starts over); records stay.
    virtual void reset_cursor(std::string_view shop_id, sdk::Dataset dataset) = 0;
    virtual void record_job_result(std::string_view shop_id, sdk::Dataset dataset, std::int64_t at_ms,
                                   std::string_view error /* empty on success */) = 0;
    /// Throws std::invalid_argument when the shop is unknown (put_shop first).
    virtual std::unique_ptr<Batch> begin_batch(std::string_view shop_id, sdk::Dataset dataset) = 0;

    // Reading
    virtual RecordCounts counts(std::optional<std::string_view> shop_id) = 0;
    /// Calls f(shop_id, json) for each live record of `kind`, ordered by shop
    /// then id. Order lines and refund lines are read through their parents.
    virtual void for_each(model::RecordKind kind, std::optional<std::string_view> shop_id,
                          const std::function<void(std::string_view shop_id, std::string_view json)>& f) = 0;
    /// Sum of live orders' totals per currency (shop money, cancelled included), in minor units.
    virtual std::vector<model::Money> order_totals(std::optional<std::string_view> shop_id) = 0;

    // Analysis. Not pure: a store written for a test, or a backend without
    // analysis yet, gets implementations that throw std::logic_error.

    // SMEs, exchange rates and cost sheets (analysis inputs)
    virtual void put_sme(const Sme& sme);  // insert or replace
    virtual std::optional<Sme> get_sme(std::string_view id);
    virtual std::vector<Sme> list_smes();
    /// Inserts or replaces rates, all in one transaction; returns how many.
    virtual std::size_t put_rates(const std::vector<ExchangeRate>& rates);
    /// Every rate of the pair, by day.
    virtual std::vector<ExchangeRate> rates(model::Currency from, model::Currency to);
    virtual std::size_t put_costs(std::string_view sme_id, const std::vector<CostEntry>& costs);
    /// The SME's cost sheet, by SKU then valid_from_day.
    virtual std::vector<CostEntry> costs(std::string_view sme_id);

    // Facts kept up to date with every order and refund upsert. Days are
    // local days of the shop, [from_day, to_day] inclusive.
    virtual void for_each_order_fact(std::string_view shop_id, std::int64_t from_day, std::int64_t to_day,
                                     const std::function<void(const DayOrderFacts&)>& f);
    virtual void for_each_sku_fact(std::string_view shop_id, std::int64_t from_day, std::int64_t to_day,
                                   const std::function<void(const DaySkuFacts&)>& f);
    /// Sales created in [from_ms, to_ms), by creation time then id.
    virtual void for_each_sale(std::string_view shop_id, model::TimestampMs from_ms, model::TimestampMs to_ms,
                               const std::function<void(const OrderSale&)>& f);
    /// Refunds created in [from_ms, to_ms), by creation time then id.
    virtual void for_each_refund(std::string_view shop_id, model::TimestampMs from_ms, model::TimestampMs to_ms,
                                 const std::function<void(const RefundEntry&)>& f);
    /// Traffic in [from_day, to_day], summed per SKU and day.
    virtual void for_each_views(std::string_view shop_id, std::int64_t from_day, std::int64_t to_day,
                                const std::function<void(const DayViews&)>& f);
    /// Recomputes the facts of every shop from its orders and refunds.
    virtual void rebuild_facts();

    // Coaching (schema version 4; see coaching_records.hpp). Every query is
    // by SME, the unit of access. Writes that go together (a session and the
    // actions agreed in it) are one transaction: nothing is stored on failure.
    virtual void put_manager(const Manager& manager);  // insert or replace
    virtual std::optional<Manager> get_manager(std::string_view id);
    virtual std::vector<Manager> list_managers();
    virtual void put_coaching(const Coaching& coaching);  // insert or replace, experts included
    virtual std::optional<Coaching> get_coaching(std::string_view sme_id);
    /// The SMEs `manager_id` coaches, as account manager or expert.
    virtual std::vector<std::string> coached_smes(std::string_view manager_id);
    /// Stores the session and the actions agreed in it; returns the session id.
    virtual std::int64_t add_session(const Session& session, const std::vector<Action>& actions);
    virtual std::optional<Session> get_session(std::string_view sme_id, std::int64_t id);
    /// By held_at_ms then id.
    virtual std::vector<Session> list_sessions(std::string_view sme_id);
    virtual std::int64_t add_obstacle(const Obstacle& obstacle);
    virtual std::vector<Obstacle> list_obstacles(std::string_view sme_id);
    virtual void put_training(const Training& training);  // per (SME, tool)
    virtual std::vector<Training> list_training(std::string_view sme_id);
    virtual std::int64_t add_goal(const Goal& goal);
    virtual std::vector<Goal> list_goals(std::string_view sme_id);
    /// Inserts or replaces the SME's plan and adds `new_actions` to it.
    virtual void put_plan(const Plan& plan, const std::vector<Action>& new_actions);
    virtual std::optional<Plan> get_plan(std::string_view sme_id);
    virtual std::int64_t add_action(const Action& action);
    virtual void update_action(const Action& action);  // by id and SME
    virtual std::optional<Action> get_action(std::string_view sme_id, std::int64_t id);
    /// By id.
    virtual std::vector<Action> list_actions(std::string_view sme_id);

    // API tokens (schema version 5).
    /// Stores a new token; returns its id. Throws when the hash exists.
    virtual std::int64_t add_token(const ApiToken& token);
    /// Every token, revoked ones included, by id.
    virtual std::vector<ApiToken> list_tokens();
    /// Marks the token revoked at `at_ms`. False when unknown or already revoked.
    virtual bool revoke_token(std::int64_t id, std::int64_t at_ms);

    // Webhook deliveries seen (schema version 6).
    /// True when the shop's delivery id was recorded and not pruned since.
    virtual bool delivery_seen(std::string_view shop_id, std::string_view delivery_id);
    /// Records the delivery (the shop must exist) and prunes every delivery
    /// received before `prune_before_ms`.
    virtual void record_delivery(std::string_view shop_id, std::string_view delivery_id, std::int64_t received_at_ms,
                                 std::int64_t prune_before_ms);
};

/// Opens (creating and migrating as needed) an SQLite store in WAL mode.
/// Throws std::runtime_error naming the path on failure.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace pcgd::host
