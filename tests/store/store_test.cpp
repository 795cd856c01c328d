#include <chrono>
#include <ctime>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "store/store.hpp"
#include "support.hpp"

namespace pcgd::host::test {
namespace {

using model::RecordKind;
using sdk::Dataset;

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        store = open_sqlite_store(path);
        store->put_shop(shop("s1"));
    }

    /// Every live record of `kind` in shop s1, as (id-ordered) JSON texts.
    std::vector<std::string> docs(RecordKind kind, std::optional<std::string_view> shop_id = "s1") {
        std::vector<std::string> out;
        store->for_each(kind, shop_id, [&](std::string_view, std::string_view json) { out.emplace_back(json); });
        return out;
    }

    std::int64_t sql(const std::string& query) { return query_int(path, query); }

    TempDir dir;
    std::string path = dir.file("pcgd.db");
    std::unique_ptr<Store> store;
};

void expect_stats(const CommitStats& s, std::int64_t inserted, std::int64_t updated, std::int64_t unchanged,
                  std::int64_t deleted) {
    EXPECT_EQ(s.inserted, inserted);
    EXPECT_EQ(s.updated, updated);
    EXPECT_EQ(s.unchanged, unchanged);
    EXPECT_EQ(s.deleted, deleted);
}

model::Product product(const std::string& id, const std::string& title = "Mug") {
    model::Product p;
    p.id = id;
    p.title = title;
    p.description = "A mug.";
    p.description_html = "<p>A mug.</p>";
    p.vendor = "Acme";
    p.product_type = "Kitchen";
    p.tags = {"mug", "ceramic"};
    p.images = {model::Image{"https://img.example/1.jpg", 800, 600}};
    p.created_at = 1767225600000;
    p.updated_at = 1767225601234;
    return p;
}

model::Variant variant(const std::string& id, const std::string& product_id, std::int64_t price_minor = 1299) {
    model::Variant v;
    v.id = id;
    v.product_id = product_id;
    v.sku = "SKU-" + id;
    v.barcode = "5012345678900";
    v.title = "Blue";
    v.price = gbp(price_minor);
    v.compare_at_price = gbp(1599);
    v.unit_cost = gbp(400);
    v.stock = {{"loc-1", 5}, {"loc-2", 7}};
    v.stock_total = 12;
    v.updated_at = 1767225600000;
    return v;
}

model::Refund refund(const std::string& id, const std::string& order_id) {
    model::Refund r;
    r.id = id;
    r.order_id = order_id;
    r.created_at = 1767312000000;
    r.amount = bag(1200);
    r.tax = bag(200);
    r.shipping = bag(0);
    r.lines = {model::RefundLine{"l1", "A", 1, bag(1000), bag(200)}};
    r.note = "damaged";
    return r;
}

model::TrafficSample traffic(const std::string& listing, std::int64_t day, std::int64_t views) {
    model::TrafficSample t;
    t.sku = "SKU-" + listing;
    t.listing_id = listing;
    t.day = day;
    t.views = views;
    t.sessions = views / 2;
    t.marketplace = "EBAY_GB";
    return t;
}

model::Deletion deletion(RecordKind kind, const std::string& id) { return model::Deletion{kind, id, std::nullopt}; }

template <class Record>
void add(Batch& b, const Record& r) {
    b.add(model::kind_of<Record>(), model::to_json(r));
}

// ---------------------------------------------------------------- round trip

TEST_F(StoreTest, EveryKindRoundTripsToItsCanonicalJson) {
    auto o = order("1001", {line("l1", "A", 2, 500), line("l2", "B", 1, 250)});
    o.presentment_currency = model::Currency::of("EUR");
    o.total.presentment = model::Money{1450, model::Currency::of("EUR")};
    o.cancelled_at = 1767229200000;
    o.fees = {model::Fee{"payment", gbp(45)}};
    o.fees_known = true;
    o.test = true;
    const auto p = product("p1");
    const auto v = variant("v1", "p1");
    const auto r = refund("r1", "1001");
    const auto t = traffic("L1", 20454, 31);

    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, p);
    add(*b, v);
    add(*b, o);
    add(*b, r);
    add(*b, t);
    expect_stats(b->commit("c1"), 5, 0, 0, 0);

    EXPECT_EQ(docs(RecordKind::product), std::vector{model::to_json(p)});
    EXPECT_EQ(docs(RecordKind::variant), std::vector{model::to_json(v)});
    EXPECT_EQ(docs(RecordKind::order), std::vector{model::to_json(o)});
    EXPECT_EQ(docs(RecordKind::refund), std::vector{model::to_json(r)});
    EXPECT_EQ(docs(RecordKind::traffic), std::vector{model::to_json(t)});
    EXPECT_EQ(sql("SELECT fees_minor FROM orders"), 45);
    EXPECT_EQ(sql("SELECT presentment_total_minor FROM orders"), 1450);
    EXPECT_EQ(sql("SELECT stock_total FROM variants"), 12);
    EXPECT_EQ(sql("SELECT count(*) FROM traffic WHERE id = 'L1@2026-01-01@EBAY_GB'"), 1);
}

TEST_F(StoreTest, StoresTheCanonicalFormNotTheTextAsGiven) {
    const auto o = order("7", {line("l1", "A", 1, 100)});
    // Same record, keys reordered, spaces added, an explicit default.
    const std::string loose =
        R"({ "lines": [ {"quantity": 1, "id": "l1", "sku": "A", "title": "Item A",
             "unit_price": {"currency": "GBP", "minor": 100}, "discount": {"minor": 0, "currency": "GBP"},
             "tax": {"minor": 16, "currency": "GBP"}} ],
           "test": false, "id": "7", "name": "#7", "created_at": "2026-01-01T00:00:00Z", "status": "open",
           "financial_status": "paid", "currency": "GBP", "subtotal": {"minor": 100, "currency": "GBP"},
           "discounts": {"minor": 0, "currency": "GBP"}, "shipping": {"minor": 0, "currency": "GBP"},
           "tax": {"minor": 16, "currency": "GBP"}, "total": {"minor": 100, "currency": "GBP"} })";
    auto b = store->begin_batch("s1", Dataset::orders);
    b->add(RecordKind::order, loose);
    b->commit("c");
    EXPECT_EQ(docs(RecordKind::order), std::vector{model::to_json(o)});
    // And the canonical text of the same record is recognised as unchanged.
    add(*b, o);
    expect_stats(b->commit("c"), 0, 0, 1, 0);
}

// ---------------------------------------------------------------- idempotence

TEST_F(StoreTest, SameBatchTwiceChangesNothing) {
    const auto write_all = [&] {
        auto b = store->begin_batch("s1", Dataset::orders);
        for (int i = 0; i < 20; ++i) add(*b, order(std::string("o") + std::to_string(i), {line("l1", "A", 1, 100 + i)}));
        add(*b, refund("r1", "o1"));
        add(*b, traffic("L1", 20454, 3));
        return b->commit("page-1");
    };
    expect_stats(write_all(), 22, 0, 0, 0);
    const auto changed = sql("SELECT sum(changed_at_ms) FROM orders");
    const auto first_seen = sql("SELECT sum(first_seen_at_ms) FROM orders");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // so a rewrite would show in the timestamps

    expect_stats(write_all(), 0, 0, 22, 0);
    EXPECT_EQ(sql("SELECT sum(changed_at_ms) FROM orders"), changed);
    EXPECT_EQ(sql("SELECT sum(first_seen_at_ms) FROM orders"), first_seen);
    EXPECT_EQ(sql("SELECT sum(changed_at_ms) FROM refunds"), sql("SELECT sum(first_seen_at_ms) FROM refunds"));
    EXPECT_EQ(store->counts("s1").orders, 20);
}

TEST_F(StoreTest, AnEditCountsAsOneUpdate) {
    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    add(*b, order("o2", {line("l1", "A", 1, 100)}));
    b->commit("1");
    const auto first_seen = sql("SELECT first_seen_at_ms FROM orders WHERE id = 'o2'");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));

    auto edited = order("o2", {line("l1", "A", 1, 100)});
    edited.financial_status = "refunded";
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    add(*b, edited);
    expect_stats(b->commit("2"), 0, 1, 1, 0);
    EXPECT_EQ(docs(RecordKind::order)[1], model::to_json(edited));
    EXPECT_EQ(sql("SELECT first_seen_at_ms FROM orders WHERE id = 'o2'"), first_seen);
    EXPECT_GT(sql("SELECT changed_at_ms FROM orders WHERE id = 'o2'"), first_seen);
}

TEST_F(StoreTest, ChangedOrderReplacesItsLines) {
    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100), line("l2", "B", 2, 200), line("l3", "C", 3, 300)}));
    b->commit("1");
    EXPECT_EQ(store->counts("s1").order_lines, 3);

    const auto fewer = order("o1", {line("l1", "A", 1, 100), line("l3", "C", 4, 300)});
    add(*b, fewer);
    expect_stats(b->commit("2"), 0, 1, 0, 0);
    EXPECT_EQ(store->counts("s1").order_lines, 2);
    EXPECT_EQ(sql("SELECT count(*) FROM order_lines WHERE line_id = 'l2'"), 0);
    EXPECT_EQ(sql("SELECT quantity FROM order_lines WHERE line_id = 'l3'"), 4);
    EXPECT_EQ(docs(RecordKind::order), std::vector{model::to_json(fewer)});
}

TEST_F(StoreTest, ChangedRefundReplacesItsLines) {
    auto b = store->begin_batch("s1", Dataset::orders);
    auto r = refund("r1", "o1");
    r.lines.push_back(model::RefundLine{"l2", "B", 2, bag(500), bag(100)});
    add(*b, r);
    b->commit("1");
    EXPECT_EQ(sql("SELECT count(*) FROM refund_lines"), 2);
    r.lines.pop_back();
    add(*b, r);
    expect_stats(b->commit("2"), 0, 1, 0, 0);
    EXPECT_EQ(sql("SELECT count(*) FROM refund_lines"), 1);
}

// ---------------------------------------------------------------- deletions

TEST_F(StoreTest, DeletionsCountOnceAndRecordsMayReturn) {
    auto b = store->begin_batch("s1", Dataset::orders);
    const auto o1 = order("o1", {line("l1", "A", 1, 100)});
    add(*b, o1);
    add(*b, order("o2", {line("l1", "A", 1, 200)}));
    b->commit("1");

    add(*b, deletion(RecordKind::order, "o1"));
    expect_stats(b->commit("2"), 0, 0, 0, 1);
    EXPECT_EQ(store->counts("s1").orders, 1);
    EXPECT_EQ(store->counts("s1").order_lines, 1);
    EXPECT_EQ(docs(RecordKind::order).size(), 1u);
    EXPECT_EQ(store->order_totals("s1"), std::vector{gbp(200)});

    // Again, and an id never seen: nothing changes.
    add(*b, deletion(RecordKind::order, "o1"));
    add(*b, deletion(RecordKind::order, "nope"));
    expect_stats(b->commit("3"), 0, 0, 0, 0);
    EXPECT_EQ(sql("SELECT count(*) FROM orders"), 2);

    // The same record arriving again is live again.
    add(*b, o1);
    expect_stats(b->commit("4"), 0, 1, 0, 0);
    EXPECT_EQ(store->counts("s1").orders, 2);
    EXPECT_EQ(sql("SELECT count(*) FROM orders WHERE deleted_at_ms IS NOT NULL"), 0);
}

TEST_F(StoreTest, DeletionKeepsTheUpstreamTime) {
    auto b = store->begin_batch("s1", Dataset::inventory);
    add(*b, product("p1"));
    add(*b, model::Deletion{RecordKind::product, "p1", 1767225600000});
    expect_stats(b->commit("1"), 1, 0, 0, 1);
    EXPECT_EQ(sql("SELECT deleted_at_ms FROM products"), 1767225600000);
}

TEST_F(StoreTest, ProductDeletionTakesItsVariants) {
    auto b = store->begin_batch("s1", Dataset::inventory);
    add(*b, product("p1"));
    add(*b, product("p2"));
    add(*b, variant("v1", "p1"));
    add(*b, variant("v2", "p1"));
    add(*b, variant("v3", "p2"));
    b->commit("1");
    add(*b, deletion(RecordKind::product, "p1"));
    expect_stats(b->commit("2"), 0, 0, 0, 1);
    const auto c = store->counts("s1");
    EXPECT_EQ(c.products, 1);
    EXPECT_EQ(c.variants, 1);
    EXPECT_EQ(docs(RecordKind::variant), std::vector{model::to_json(variant("v3", "p2"))});

    add(*b, deletion(RecordKind::variant, "v3"));
    expect_stats(b->commit("3"), 0, 0, 0, 1);
    EXPECT_EQ(store->counts("s1").variants, 0);
}

// ---------------------------------------------------------------- transactions

TEST_F(StoreTest, RollbackLeavesNothingAndTheOldCursor) {
    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    b->commit("cursor-1");

    add(*b, order("o2", {line("l1", "A", 1, 100)}));
    add(*b, deletion(RecordKind::order, "o1"));
    b->rollback();
    EXPECT_EQ(store->counts("s1").orders, 1);
    EXPECT_EQ(docs(RecordKind::order), std::vector{model::to_json(order("o1", {line("l1", "A", 1, 100)}))});
    EXPECT_EQ(store->sync_state("s1", Dataset::orders).cursor, "cursor-1");

    // Still usable, and the statistics start afresh.
    add(*b, order("o3", {line("l1", "A", 1, 100)}));
    expect_stats(b->commit("cursor-2"), 1, 0, 0, 0);
    EXPECT_EQ(store->counts("s1").orders, 2);
}

TEST_F(StoreTest, DestroyingAnUncommittedBatchRollsBack) {
    {
        auto b = store->begin_batch("s1", Dataset::orders);
        add(*b, order("o1", {line("l1", "A", 1, 100)}));
        b->commit("cursor-1");
        add(*b, order("o2", {line("l1", "A", 1, 100)}));
    }
    EXPECT_EQ(store->counts("s1").orders, 1);
    EXPECT_EQ(sql("SELECT count(*) FROM orders"), 1);
    EXPECT_EQ(store->sync_state("s1", Dataset::orders).cursor, "cursor-1");
    // The store is free for writes again.
    store->record_job_result("s1", Dataset::orders, 5, "");
}

TEST_F(StoreTest, OtherReadersSeeTheRecordsAndCursorTogetherOnlyAfterCommit) {
    auto reader = open_sqlite_store(path);
    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    EXPECT_EQ(reader->counts("s1").orders, 0);
    EXPECT_EQ(reader->sync_state("s1", Dataset::orders).cursor, "");

    const auto before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
    b->commit(R"({"since":"2026-01-01"})");
    EXPECT_EQ(reader->counts("s1").orders, 1);
    const auto state = reader->sync_state("s1", Dataset::orders);
    EXPECT_EQ(state.cursor, R"({"since":"2026-01-01"})");
    EXPECT_GE(state.committed_at_ms, before_ms);
    EXPECT_EQ(reader->sync_state("s1", Dataset::inventory).cursor, "");
}

TEST_F(StoreTest, CommitWithoutRecordsStillMovesTheCursor) {
    auto b = store->begin_batch("s1", Dataset::traffic);
    expect_stats(b->commit("end"), 0, 0, 0, 0);
    EXPECT_EQ(store->sync_state("s1", Dataset::traffic).cursor, "end");
}

TEST_F(StoreTest, StoreWritesWaitForTheOpenBatch) {
    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    EXPECT_THROW(store->record_job_result("s1", Dataset::orders, 1, ""), std::logic_error);
    EXPECT_THROW(store->put_shop(shop("s2")), std::logic_error);
    EXPECT_EQ(store->counts("s1").orders, 1);  // reads see the batch's own records
    auto other = store->begin_batch("s1", Dataset::inventory);
    EXPECT_THROW(add(*other, product("p1")), std::logic_error);
    b->commit("1");
    store->record_job_result("s1", Dataset::orders, 1, "");
    add(*other, product("p1"));
    expect_stats(other->commit("i1"), 1, 0, 0, 0);
}

TEST_F(StoreTest, BadFieldIsReportedByNameAndTheBatchGoesOn) {
    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    std::string bad = model::to_json(order("o2", {line("l1", "A", 1, 100)}));
    bad.replace(bad.find("\"currency\":\"GBP\""), 16, "\"currency\":\"pounds\"");
    try {
        b->add(RecordKind::order, bad);
        FAIL() << "accepted a bad currency";
    } catch (const json::ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("currency"), std::string::npos) << e.what();
    }
    EXPECT_THROW(b->add(RecordKind::order, R"({"id":"o3"})"), json::ParseError);
    add(*b, order("o4", {line("l1", "A", 1, 100)}));
    expect_stats(b->commit("1"), 2, 0, 0, 0);
    EXPECT_EQ(store->counts("s1").orders, 2);
}

TEST_F(StoreTest, BatchMayOutliveItsStore) {
    auto b = store->begin_batch("s1", Dataset::orders);
    store.reset();
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    expect_stats(b->commit("1"), 1, 0, 0, 0);
    b.reset();
    EXPECT_EQ(open_sqlite_store(path)->counts("s1").orders, 1);
}

TEST_F(StoreTest, BatchForAnUnknownShopIsRefused) {
    EXPECT_THROW(store->begin_batch("nobody", Dataset::orders), std::invalid_argument);
}

// ---------------------------------------------------------------- shops and state

TEST_F(StoreTest, ShopsArePutReplacedAndListed) {
    auto s2 = shop("s2", "EUR");
    s2.sme_id = "sme-9";
    s2.settings_json = R"({"api_version":"2025-01"})";
    s2.sealed_credentials = "v1:abc";
    s2.account = "A2EUQ1WTGCTBG2";
    store->put_shop(s2);
    const auto got = store->get_shop("s2");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->account, "A2EUQ1WTGCTBG2");
    EXPECT_EQ(got->budget_key(), "shopify:A2EUQ1WTGCTBG2");
    EXPECT_EQ(store->get_shop("s1")->budget_key(), "shopify:s1");
    EXPECT_EQ(got->shop, s2.shop);
    EXPECT_EQ(got->sme_id, "sme-9");
    EXPECT_EQ(got->settings_json, s2.settings_json);
    EXPECT_EQ(got->sealed_credentials, "v1:abc");
    EXPECT_EQ(got->created_at_ms, s2.created_at_ms);
    EXPECT_FALSE(store->get_shop("s3"));

    // Replacing a shop keeps its records.
    auto b = store->begin_batch("s2", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}, "EUR"));
    b->commit("1");
    s2.base_url = "https://moved.example";
    store->put_shop(s2);
    EXPECT_EQ(store->get_shop("s2")->base_url, "https://moved.example");
    EXPECT_EQ(store->counts("s2").orders, 1);
    EXPECT_EQ(store->sync_state("s2", Dataset::orders).cursor, "1");

    const auto all = store->list_shops();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].shop.id, "s1");
    EXPECT_EQ(all[1].shop.id, "s2");
}

TEST_F(StoreTest, JobResultsAndCursorReset) {
    store->record_job_result("s1", Dataset::orders, 1000, "");
    store->record_job_result("s1", Dataset::orders, 2000, "HTTP 503 from the platform");
    auto state = store->sync_state("s1", Dataset::orders);
    EXPECT_EQ(state.last_success_at_ms, 1000);
    EXPECT_EQ(state.last_error, "HTTP 503 from the platform");
    EXPECT_EQ(state.consecutive_failures, 1u);
    EXPECT_EQ(state.last_failure_at_ms, 2000);
    store->record_job_result("s1", Dataset::orders, 2500, "HTTP 429 after 8 attempts");
    state = store->sync_state("s1", Dataset::orders);
    EXPECT_EQ(state.consecutive_failures, 2u);
    EXPECT_EQ(state.last_failure_at_ms, 2500);
    EXPECT_EQ(state.last_error, "HTTP 429 after 8 attempts");
    EXPECT_EQ(state.last_success_at_ms, 1000);
    // A first result that is a failure counts one.
    store->record_job_result("s1", Dataset::traffic, 2600, "timeout");
    EXPECT_EQ(store->sync_state("s1", Dataset::traffic).consecutive_failures, 1u);
    EXPECT_EQ(store->sync_state("s1", Dataset::traffic).last_success_at_ms, 0);

    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    b->commit("c9");
    store->record_job_result("s1", Dataset::orders, 3000, "");
    state = store->sync_state("s1", Dataset::orders);
    EXPECT_EQ(state.cursor, "c9");
    EXPECT_EQ(state.last_success_at_ms, 3000);
    EXPECT_EQ(state.last_error, "");
    EXPECT_EQ(state.consecutive_failures, 0u);
    EXPECT_EQ(state.last_failure_at_ms, 2500);  // kept: when it last failed

    store->reset_cursor("s1", Dataset::orders);
    EXPECT_EQ(store->sync_state("s1", Dataset::orders).cursor, "");
    EXPECT_EQ(store->sync_state("s1", Dataset::orders).last_success_at_ms, 3000);
    EXPECT_EQ(store->counts("s1").orders, 1);
}

TEST_F(StoreTest, RemoveShopTakesEverythingOfThatShopOnly) {
    store->put_shop(shop("s2"));
    for (const char* id : {"s1", "s2"}) {
        auto b = store->begin_batch(id, Dataset::orders);
        add(*b, order("o1", {line("l1", "A", 1, 100)}));
        add(*b, refund("r1", "o1"));
        add(*b, product("p1"));
        add(*b, variant("v1", "p1"));
        add(*b, traffic("L1", 20454, 3));
        b->commit("c");
    }
    EXPECT_TRUE(store->remove_shop("s1"));
    EXPECT_FALSE(store->get_shop("s1"));
    const auto gone = store->counts("s1");
    EXPECT_EQ(gone.orders + gone.order_lines + gone.refunds + gone.products + gone.variants + gone.traffic, 0);
    EXPECT_EQ(store->sync_state("s1", Dataset::orders).cursor, "");
    for (const char* table : {"orders", "order_lines", "refunds", "refund_lines", "products", "variants", "traffic",
                              "sync_state"})
        EXPECT_EQ(sql(std::string("SELECT count(*) FROM ") + table + " WHERE shop_id = 's1'"), 0) << table;
    const auto kept = store->counts("s2");
    EXPECT_EQ(kept.orders, 1);
    EXPECT_EQ(kept.order_lines, 1);
    EXPECT_EQ(kept.refunds, 1);
    EXPECT_EQ(kept.traffic, 1);
    EXPECT_FALSE(store->remove_shop("s1"));
}

// ---------------------------------------------------------------- reading

TEST_F(StoreTest, CountsAndTotalsPerCurrency) {
    store->put_shop(shop("s2", "EUR"));
    auto b1 = store->begin_batch("s1", Dataset::orders);
    add(*b1, order("a", {line("l1", "A", 2, 1000)}));  // 20.00 GBP
    auto cancelled = order("b", {line("l1", "A", 1, 550)});
    cancelled.status = "cancelled";
    cancelled.cancelled_at = 1767229200000;
    add(*b1, cancelled);                                         // 5.50 GBP, still counted
    add(*b1, order("c", {line("l1", "A", 1, 999), line("l2", "B", 1, 1)}, "EUR"));  // 10.00 EUR
    add(*b1, order("d", {line("l1", "A", 1, 7777)}));
    add(*b1, deletion(RecordKind::order, "d"));  // deleted: not counted
    add(*b1, traffic("L1", 20454, 3));
    add(*b1, traffic("L2", 20454, 4));
    b1->commit("1");
    b1.reset();
    auto b2 = store->begin_batch("s2", Dataset::orders);
    add(*b2, order("a", {line("l1", "A", 3, 100)}, "EUR"));  // 3.00 EUR
    b2->commit("1");

    const auto expected_s1 = std::vector{model::Money{1000, model::Currency::of("EUR")}, gbp(2550)};
    EXPECT_EQ(store->order_totals("s1"), expected_s1);
    const auto expected_all = std::vector{model::Money{1300, model::Currency::of("EUR")}, gbp(2550)};
    EXPECT_EQ(store->order_totals(std::nullopt), expected_all);
    EXPECT_TRUE(store->order_totals("nobody").empty());

    const auto c1 = store->counts("s1");
    EXPECT_EQ(c1.orders, 3);
    EXPECT_EQ(c1.order_lines, 4);
    EXPECT_EQ(c1.traffic, 2);
    const auto all = store->counts(std::nullopt);
    EXPECT_EQ(all.orders, 4);
    EXPECT_EQ(all.order_lines, 5);

    std::vector<std::string> keys;
    store->for_each(RecordKind::order, std::nullopt,
                    [&](std::string_view shop_id, std::string_view) { keys.push_back(std::string(shop_id)); });
    EXPECT_EQ(keys, (std::vector<std::string>{"s1", "s1", "s1", "s2"}));
    EXPECT_THROW(store->for_each(RecordKind::deletion, std::nullopt, [](auto, auto) {}), std::invalid_argument);
}

// ---------------------------------------------------------------- files and schema

TEST_F(StoreTest, ReopeningKeepsDataAndSchema) {
    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    b->commit("c1");
    b.reset();
    store.reset();

    store = open_sqlite_store(path);
    EXPECT_EQ(store->counts("s1").orders, 1);
    EXPECT_EQ(store->sync_state("s1", Dataset::orders).cursor, "c1");
    EXPECT_EQ(sql("SELECT count(*) FROM schema_migrations"), 7);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_migrations"), 7);  // 7: consecutive sync failures
}

TEST_F(StoreTest, AVersion2StoreIsMigratedKeepingItsShopsAndRecords) {
    auto b = store->begin_batch("s1", Dataset::orders);
    add(*b, order("o1", {line("l1", "A", 1, 100)}));
    b->commit("c1");
    b.reset();
    store.reset();
    // Back to the version 2 layout: no account column, no coaching tables,
    // no API tokens, no webhook deliveries, no failure count, no migrations 3 to 7.
    execute(path,
            "ALTER TABLE sync_state DROP COLUMN consecutive_failures; ALTER TABLE sync_state DROP COLUMN last_failure_at_ms;"
            " ALTER TABLE shops DROP COLUMN account; DROP TABLE webhook_deliveries; DROP TABLE api_tokens; DROP TABLE coaching_actions; DROP TABLE coaching_plans;"
            " DROP TABLE coaching_goals; DROP TABLE coaching_training; DROP TABLE coaching_obstacles;"
            " DROP TABLE coaching_sessions; DROP TABLE coaching_experts; DROP TABLE coaching; DROP TABLE managers;"
            " DELETE FROM schema_migrations WHERE version >= 3");

    store = open_sqlite_store(path);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_migrations"), 7);
    EXPECT_EQ(sql("SELECT count(*) FROM managers"), 0);
    EXPECT_EQ(sql("SELECT count(*) FROM webhook_deliveries"), 0);
    EXPECT_EQ(sql("SELECT count(*) FROM api_tokens"), 0);
    const auto s1 = store->get_shop("s1");
    ASSERT_TRUE(s1);
    EXPECT_EQ(s1->account, "");
    EXPECT_EQ(s1->base_url, "https://s1.example");
    EXPECT_EQ(store->counts("s1").orders, 1);
    EXPECT_EQ(store->sync_state("s1", Dataset::orders).cursor, "c1");
    EXPECT_EQ(store->sync_state("s1", Dataset::orders).consecutive_failures, 0u);
}

TEST_F(StoreTest, FileInWalModeWithForeignKeys) {
    EXPECT_EQ(query_int(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
    EXPECT_EQ(sql("SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

TEST_F(StoreTest, NewerSchemaIsRefusedNamingBothVersions) {
    store.reset();
    execute(path, "INSERT INTO schema_migrations VALUES (99, 'from the future', 0)");
    try {
        open_sqlite_store(path);
        FAIL() << "opened a store from the future";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(path), std::string::npos) << what;
        EXPECT_NE(what.find("99"), std::string::npos) << what;
        EXPECT_NE(what.find("up to 7"), std::string::npos) << what;
    }
}

TEST_F(StoreTest, ApiTokensKeepTheirHashAndCanBeRevokedOnce) {
    const std::string hash(64, 'a');
    const auto id = store->add_token(ApiToken{0, hash, "manager", "alice", "laptop", 1000, std::nullopt});
    EXPECT_THROW(store->add_token(ApiToken{0, hash, "admin", "", "", 1001, std::nullopt}), std::runtime_error);  // hashes are unique
    auto tokens = store->list_tokens();
    ASSERT_EQ(tokens.size(), 1u);
    EXPECT_EQ(tokens[0].id, id);
    EXPECT_EQ(tokens[0].hash, hash);
    EXPECT_EQ(tokens[0].role, "manager");
    EXPECT_EQ(tokens[0].subject, "alice");
    EXPECT_EQ(tokens[0].name, "laptop");
    EXPECT_EQ(tokens[0].created_at_ms, 1000);
    EXPECT_FALSE(tokens[0].revoked_at_ms);
    EXPECT_TRUE(store->revoke_token(id, 2000));
    EXPECT_FALSE(store->revoke_token(id, 3000));  // already revoked: the first time stays
    EXPECT_FALSE(store->revoke_token(id + 1, 3000));
    EXPECT_EQ(store->list_tokens()[0].revoked_at_ms, std::optional<std::int64_t>(2000));
}

TEST(StoreFiles, NonDatabaseFileIsRefusedNamingThePath) {
    TempDir dir;
    const std::string path = dir.file("notes.txt");
    std::ofstream(path) << "These are not the tables you are looking for.\n" << std::string(4096, 'x');
    try {
        open_sqlite_store(path);
        FAIL() << "opened a text file";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
    }
}

TEST(StoreFiles, UnopenablePathIsRefusedNamingThePath) {
    TempDir dir;
    const std::string path = dir.file("missing/dir/pcgd.db");
    try {
        open_sqlite_store(path);
        FAIL() << "opened a file in a missing directory";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace pcgd::host::test
