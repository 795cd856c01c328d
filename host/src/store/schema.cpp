#include "store/schema.hpp"

#include <stdexcept>
#include <string>

namespace pcgd::host::sqlite {

namespace {

struct Migration {
    std::int64_t version;
    const char* description;
    const char* sql;
};

// Every record table has the same tail: the canonical JSON (`doc`, as written
// by model::to_json, so equal records have equal bytes), its 64-bit FNV-1a
// hash for cheap change detection, a soft-delete mark and two timestamps of
// this store's own clock. The typed columns before it are what analysis and
// export filter, group and sum on; `doc` remains the source of truth.
//
// Records reference their shop so that nothing can outlive it; lines reference
// their parent and are keyed by position because platforms do not promise
// unique line ids. Lines are small and always read by their parent's key, so
// they live in the primary-key B-tree alone (WITHOUT ROWID): one tree to
// write per line instead of two. Variants do not reference products and refunds do not
// reference orders: a sync may deliver them first, or only them.
constexpr Migration migrations[] = {
    {1, "initial schema", R"sql(
CREATE TABLE shops (
    id                 TEXT PRIMARY KEY NOT NULL,
    platform           TEXT NOT NULL,
    country            TEXT NOT NULL,
    currency           TEXT NOT NULL,
    time_zone          TEXT NOT NULL,
    base_url           TEXT NOT NULL,
    sme_id             TEXT NOT NULL,
    settings_json      TEXT NOT NULL,
    sealed_credentials TEXT NOT NULL,
    created_at_ms      INTEGER NOT NULL
);

CREATE TABLE sync_state (
    shop_id            TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    dataset            TEXT NOT NULL,
    cursor             TEXT NOT NULL DEFAULT '',
    committed_at_ms    INTEGER NOT NULL DEFAULT 0,
    last_success_at_ms INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (shop_id, dataset)
);

CREATE TABLE products (
    shop_id          TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    title            TEXT NOT NULL,
    vendor           TEXT NOT NULL,
    product_type     TEXT NOT NULL,
    active           INTEGER NOT NULL,
    marketplace      TEXT NOT NULL,
    created_at_ms    INTEGER,
    updated_at_ms    INTEGER,
    doc              TEXT NOT NULL,
    doc_hash         INTEGER NOT NULL,
    deleted_at_ms    INTEGER,
    first_seen_at_ms INTEGER NOT NULL,
    changed_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id)
);

CREATE TABLE variants (
    shop_id                TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id                     TEXT NOT NULL,
    product_id             TEXT NOT NULL,
    sku                    TEXT NOT NULL,
    barcode                TEXT NOT NULL,
    title                  TEXT NOT NULL,
    currency               TEXT,    -- of price and compare_at_price
    price_minor            INTEGER,
    compare_at_price_minor INTEGER,
    unit_cost_currency     TEXT,
    unit_cost_minor        INTEGER,
    stock_total            INTEGER, -- NULL: stock not tracked
    active                 INTEGER NOT NULL,
    marketplace            TEXT NOT NULL,
    updated_at_ms          INTEGER,
    doc              TEXT NOT NULL,
    doc_hash         INTEGER NOT NULL,
    deleted_at_ms    INTEGER,
    first_seen_at_ms INTEGER NOT NULL,
    changed_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id)
);
CREATE INDEX variants_by_product ON variants(shop_id, product_id);
CREATE INDEX variants_by_sku ON variants(shop_id, sku);

CREATE TABLE orders (
    shop_id                     TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id                          TEXT NOT NULL,
    name                        TEXT NOT NULL,
    created_at_ms               INTEGER NOT NULL,
    updated_at_ms               INTEGER,
    cancelled_at_ms             INTEGER,
    status                      TEXT NOT NULL,
    financial_status            TEXT NOT NULL,
    fulfillment_status          TEXT NOT NULL,
    currency                    TEXT NOT NULL, -- of every *_minor column here and in order_lines
    presentment_currency        TEXT,
    marketplace                 TEXT NOT NULL,
    country                     TEXT NOT NULL,
    subtotal_minor              INTEGER NOT NULL,
    discounts_minor             INTEGER NOT NULL,
    shipping_minor              INTEGER NOT NULL,
    tax_minor                   INTEGER NOT NULL,
    total_minor                 INTEGER NOT NULL,
    presentment_total_minor     INTEGER,
    taxes_included              INTEGER NOT NULL,
    tax_remitted_by_marketplace INTEGER NOT NULL,
    fees_known                  INTEGER NOT NULL,
    fees_minor                  INTEGER, -- NULL unless fees are known and all in `currency`
    line_count                  INTEGER NOT NULL,
    test                        INTEGER NOT NULL,
    doc              TEXT NOT NULL,
    doc_hash         INTEGER NOT NULL,
    deleted_at_ms    INTEGER,
    first_seen_at_ms INTEGER NOT NULL,
    changed_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id)
);
CREATE INDEX orders_by_created ON orders(shop_id, created_at_ms);

CREATE TABLE order_lines (
    shop_id          TEXT NOT NULL,
    order_id         TEXT NOT NULL,
    position         INTEGER NOT NULL,
    line_id          TEXT NOT NULL,
    sku              TEXT NOT NULL,
    variant_id       TEXT NOT NULL,
    product_id       TEXT NOT NULL,
    title            TEXT NOT NULL,
    quantity         INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    discount_minor   INTEGER NOT NULL,
    tax_minor        INTEGER NOT NULL,
    PRIMARY KEY (shop_id, order_id, position),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders(shop_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE refunds (
    shop_id          TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    order_id         TEXT NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    currency         TEXT NOT NULL, -- of every *_minor column here and in refund_lines
    amount_minor     INTEGER NOT NULL,
    tax_minor        INTEGER NOT NULL,
    shipping_minor   INTEGER NOT NULL,
    doc              TEXT NOT NULL,
    doc_hash         INTEGER NOT NULL,
    deleted_at_ms    INTEGER,
    first_seen_at_ms INTEGER NOT NULL,
    changed_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id)
);
CREATE INDEX refunds_by_order ON refunds(shop_id, order_id);
CREATE INDEX refunds_by_created ON refunds(shop_id, created_at_ms);

CREATE TABLE refund_lines (
    shop_id        TEXT NOT NULL,
    refund_id      TEXT NOT NULL,
    position       INTEGER NOT NULL,
    order_line_id  TEXT NOT NULL,
    sku            TEXT NOT NULL,
    quantity       INTEGER NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    tax_minor      INTEGER NOT NULL,
    PRIMARY KEY (shop_id, refund_id, position),
    FOREIGN KEY (shop_id, refund_id) REFERENCES refunds(shop_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE traffic (
    shop_id          TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id               TEXT NOT NULL, -- TrafficSample::id()
    sku              TEXT NOT NULL,
    listing_id       TEXT NOT NULL,
    day              INTEGER NOT NULL, -- days since the epoch, shop time zone
    views            INTEGER NOT NULL,
    sessions         INTEGER,
    marketplace      TEXT NOT NULL,
    doc              TEXT NOT NULL,
    doc_hash         INTEGER NOT NULL,
    deleted_at_ms    INTEGER,
    first_seen_at_ms INTEGER NOT NULL,
    changed_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id)
);
CREATE INDEX traffic_by_day ON traffic(shop_id, day);
)sql"},
    // Analysis. An SME groups shops; rates and the cost sheet are what the
    // user imports. The two fact tables are sums kept up to date in the same
    // transaction as each order or refund upsert (see facts.hpp), so a month
    // report reads O(days x SKUs) rows instead of every order line. `day` is
    // the local day in the shop's time zone; amounts are in `currency`.
    // Order-level sums (orders, shipping, fees, refunds not tied to a line)
    // and line-level sums per SKU live apart so neither is counted twice.
    {2, "SMEs, exchange rates, cost sheet, daily facts", R"sql(
CREATE TABLE smes (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    currency      TEXT NOT NULL,
    lang          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE exchange_rates (
    from_currency TEXT NOT NULL,
    to_currency   TEXT NOT NULL,
    day           INTEGER NOT NULL, -- days since the epoch
    rate          TEXT NOT NULL,    -- decimal as published: 1 from = rate to
    PRIMARY KEY (from_currency, to_currency, day)
) WITHOUT ROWID;

CREATE TABLE cost_sheet (
    sme_id          TEXT NOT NULL,
    sku             TEXT NOT NULL,
    valid_from_day  INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    unit_cost_minor INTEGER NOT NULL,
    PRIMARY KEY (sme_id, sku, valid_from_day)
) WITHOUT ROWID;

CREATE TABLE daily_order_facts (
    shop_id             TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    day                 INTEGER NOT NULL,
    currency            TEXT NOT NULL,
    orders              INTEGER NOT NULL, -- created that day, not cancelled, not test
    shipping_net_minor  INTEGER NOT NULL, -- shipping charged, excluding tax
    refunds_other_minor INTEGER NOT NULL, -- refunded that day, excluding tax, not tied to a line
    fees_known_minor    INTEGER NOT NULL, -- platform fees of orders whose fees are known
    fee_unknown_orders  INTEGER NOT NULL, -- orders whose fees the platform has not reported
    fee_base_minor      INTEGER NOT NULL, -- their sales, the base of an estimated fee
    PRIMARY KEY (shop_id, day, currency)
) WITHOUT ROWID;

CREATE TABLE daily_sku_facts (
    shop_id       TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    day           INTEGER NOT NULL,
    sku           TEXT NOT NULL,
    currency      TEXT NOT NULL,
    orders        INTEGER NOT NULL, -- orders holding the SKU
    units         INTEGER NOT NULL,
    sales_minor   INTEGER NOT NULL, -- line amounts after discounts, excluding tax
    refund_units  INTEGER NOT NULL,
    refunds_minor INTEGER NOT NULL, -- refunded that day, excluding tax
    PRIMARY KEY (shop_id, day, sku, currency)
) WITHOUT ROWID;
)sql"},
    // Shops of one seller account (an Amazon seller on UK and FR) share its
    // request budget; the key names the account. Empty: the shop is its own.
    {3, "shops share a seller account's budget", R"sql(
ALTER TABLE shops ADD COLUMN account TEXT NOT NULL DEFAULT '';
)sql"},
    // The coaching programme. Every table is keyed or indexed by SME, the
    // unit of access (an SME sees its own programme, a manager their SMEs).
    // Rows name the SME but do not reference `smes`: a programme's history
    // stays even if the SME row is replaced. Answers, conclusions and the
    // snapshot of the figures shown are JSON documents: they are shown back
    // exactly as recorded, never queried by field. Days are days since the
    // epoch; money is minor units with its currency.
    {4, "coaching: managers, sessions, obstacles, training, goals, plan, actions", R"sql(
CREATE TABLE managers (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    launchpad     TEXT NOT NULL, -- GB or FR
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE coaching (
    sme_id         TEXT PRIMARY KEY NOT NULL,
    country        TEXT NOT NULL,
    manager_id     TEXT NOT NULL REFERENCES managers(id),
    assigned_at_ms INTEGER NOT NULL,
    started_at_ms  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE coaching_experts (
    sme_id     TEXT NOT NULL,
    manager_id TEXT NOT NULL REFERENCES managers(id),
    PRIMARY KEY (sme_id, manager_id)
) WITHOUT ROWID;
CREATE INDEX coaching_by_manager ON coaching(manager_id);
CREATE INDEX coaching_experts_by_manager ON coaching_experts(manager_id);

CREATE TABLE coaching_sessions (
    id               INTEGER PRIMARY KEY,
    sme_id           TEXT NOT NULL,
    kind             TEXT NOT NULL, -- onboarding, review, checkin, end_review, continuing
    number           INTEGER NOT NULL,
    held_at_ms       INTEGER NOT NULL,
    manager_id       TEXT NOT NULL,
    answers_json     TEXT NOT NULL,
    conclusions_json TEXT NOT NULL,
    notes            TEXT NOT NULL,
    snapshot_json    TEXT NOT NULL, -- '' for a check-in
    created_at_ms    INTEGER NOT NULL
);
CREATE INDEX coaching_sessions_by_sme ON coaching_sessions(sme_id, held_at_ms);

CREATE TABLE coaching_obstacles (
    id          INTEGER PRIMARY KEY,
    sme_id      TEXT NOT NULL,
    kind        TEXT NOT NULL, -- external_shock, outside_expertise, data_skills, slowed_growth
    note        TEXT NOT NULL,
    day         INTEGER NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX coaching_obstacles_by_sme ON coaching_obstacles(sme_id);

CREATE TABLE coaching_training (
    sme_id        TEXT NOT NULL,
    tool          TEXT NOT NULL, -- quality, opportunities, planning, growth
    trained       INTEGER NOT NULL,
    day           INTEGER,
    trainer       TEXT NOT NULL,
    confidence    INTEGER,       -- 1-5
    follow_up     TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (sme_id, tool)
) WITHOUT ROWID;

CREATE TABLE coaching_goals (
    id            INTEGER PRIMARY KEY,
    sme_id        TEXT NOT NULL,
    metric        TEXT NOT NULL, -- monthly_sales, channel_orders, quality_score, margin
    shop_id       TEXT NOT NULL,
    currency      TEXT NOT NULL, -- of a money target, else ''
    target        INTEGER NOT NULL,
    due_day       INTEGER NOT NULL,
    note          TEXT NOT NULL,
    set_by        TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX coaching_goals_by_sme ON coaching_goals(sme_id);

CREATE TABLE coaching_plans (
    sme_id         TEXT PRIMARY KEY NOT NULL,
    plan_day       INTEGER NOT NULL,
    draft_json     TEXT NOT NULL,
    target_country TEXT NOT NULL,
    target_channel TEXT NOT NULL,
    target_segment TEXT NOT NULL,
    summary        TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
);

CREATE TABLE coaching_actions (
    id            INTEGER PRIMARY KEY,
    sme_id        TEXT NOT NULL,
    session_id    INTEGER REFERENCES coaching_sessions(id),
    in_plan       INTEGER NOT NULL,
    title         TEXT NOT NULL,
    owner_kind    TEXT NOT NULL, -- sme_staff, external, account_manager
    owner_name    TEXT NOT NULL,
    due_day       INTEGER,
    status        TEXT NOT NULL, -- planned, in_progress, done, rejected, deferred
    note          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX coaching_actions_by_sme ON coaching_actions(sme_id);
)sql"},
    // API tokens of `pcgd serve`: only the SHA-256 of a token is kept, so a
    // copy of the store gives no access. Revoked tokens stay for the audit.
    {5, "API tokens of the service", R"sql(
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    hash          TEXT NOT NULL UNIQUE, -- SHA-256 of the token, lower-case hex
    role          TEXT NOT NULL,        -- admin, manager, sme
    subject       TEXT NOT NULL,        -- the manager's or the SME's id; '' for admin
    name          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER
);
)sql"},
    // Webhook deliveries already acted on, so that a duplicate or a replay is
    // dropped even across a restart. Rows older than the replay window are
    // pruned as new ones arrive (server/webhooks.hpp).
    {6, "webhook deliveries seen", R"sql(
CREATE TABLE webhook_deliveries (
    shop_id        TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    delivery_id    TEXT NOT NULL, -- the platform's id of the delivery (or 'oauth-state:' + a state)
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_id, delivery_id)
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries(received_at_ms);
)sql"},
    // How many times in a row a dataset's sync failed, and when it last did:
    // a restarted service keeps backing a failing shop off instead of
    // hammering its platform again at once.
    {7, "consecutive sync failures", R"sql(
ALTER TABLE sync_state ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN last_failure_at_ms INTEGER NOT NULL DEFAULT 0;
)sql"},
};

std::int64_t current_version(Connection& db) {
    Use q(db.cached("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    q->step();
    return q->int64(0);
}

}  // namespace

std::int64_t schema_version(Connection& db) {
    Use q(db.cached("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"));
    q->step();
    if (q->int64(0) == 0) return 0;
    return current_version(db);
}

std::int64_t latest_schema_version() noexcept { return std::end(migrations)[-1].version; }

void migrate(Connection& db, std::int64_t now_ms) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY NOT NULL,"
        " description TEXT NOT NULL,"
        " applied_at_ms INTEGER NOT NULL)");
    for (const auto& m : migrations) {
        // IMMEDIATE takes the write lock before reading the version, so two
        // processes opening a new file cannot both apply the same migration.
        db.exec("BEGIN IMMEDIATE");
        try {
            const std::int64_t version = current_version(db);
            if (version > latest_schema_version())
                throw std::runtime_error("its schema version is " + std::to_string(version) +
                                         " but this pcgd knows only versions up to " +
                                         std::to_string(latest_schema_version()) + "; upgrade pcgd to open it");
            if (version < m.version) {
                db.exec(m.sql);
                Use ins(db.cached("INSERT INTO schema_migrations(version, description, applied_at_ms) VALUES (?1, ?2, ?3)"));
                ins->bind(1, m.version).bind(2, std::string_view(m.description)).bind(3, now_ms).run();
            }
            db.exec("COMMIT");
        } catch (...) {
            db.rollback();
            throw;
        }
    }
}

}  // namespace pcgd::host::sqlite
