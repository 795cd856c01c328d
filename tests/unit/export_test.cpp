#include <gtest/gtest.h>

#include <sstream>

#include <pcgd/model/json.hpp>

#include "export/exporter.hpp"

using namespace pcgd;
using namespace pcgd::host;

namespace {

/// Serves fixed documents; the exporter only reads.
class FixedStore final : public Store {
public:
    std::vector<std::tuple<model::RecordKind, std::string, std::string>> docs;

    void put_shop(const ShopRecord&) override {}
    std::optional<ShopRecord> get_shop(std::string_view) override { return std::nullopt; }
    std::vector<ShopRecord> list_shops() override { return {}; }
    bool remove_shop(std::string_view) override { return false; }
    SyncState sync_state(std::string_view, sdk::Dataset) override { return {}; }
    void reset_cursor(std::string_view, sdk::Dataset) override {}
    void record_job_result(std::string_view, sdk::Dataset, std::int64_t, std::string_view) override {}
    std::unique_ptr<Batch> begin_batch(std::string_view, sdk::Dataset) override { return nullptr; }
    RecordCounts counts(std::optional<std::string_view>) override { return {}; }
    std::vector<model::Money> order_totals(std::optional<std::string_view>) override { return {}; }
    void for_each(model::RecordKind kind, std::optional<std::string_view> shop,
                  const std::function<void(std::string_view, std::string_view)>& f) override {
        for (const auto& [k, s, json] : docs)
            if (k == kind && (!shop || *shop == s)) f(s, json);
    }
};

FixedStore sample_store() {
    const auto gbp = model::Currency::of("GBP");
    FixedStore store;
    model::Product p;
    p.id = "p1";
    p.title = "=HYPERLINK(\"http://evil\")";
    p.description = "Line one,\nline \"two\"";
    store.docs.emplace_back(model::RecordKind::product, "gb", model::to_json(p));
    model::Order o;
    o.id = "o1";
    o.created_at = *model::parse_iso8601("2026-01-31T23:30:00Z");
    o.currency = gbp;
    o.subtotal = o.total = {model::Money{2500, gbp}, std::nullopt};
    o.discounts = o.shipping = o.tax = {model::Money{0, gbp}, std::nullopt};
    o.lines.push_back(model::OrderLine{"l1", "SKU-1", "", "", "Savon", 2, {model::Money{1250, gbp}, std::nullopt},
                                       {model::Money{0, gbp}, std::nullopt}, {model::Money{208, gbp}, std::nullopt}});
    o.lines.push_back(model::OrderLine{"l2", "SKU-2", "", "", "Bougie", 1, {model::Money{0, gbp}, std::nullopt},
                                       {model::Money{0, gbp}, std::nullopt}, {model::Money{0, gbp}, std::nullopt}});
    store.docs.emplace_back(model::RecordKind::order, "gb", model::to_json(o));
    return store;
}

}  // namespace

TEST(Export, CsvQuotesAndDefusesFormulas) {
    auto store = sample_store();
    std::ostringstream out;
    EXPECT_EQ(export_table(store, ExportTable::products, ExportFormat::csv, std::nullopt, out), 1u);
    EXPECT_EQ(out.str(),
              "shop_id,id,title,active,vendor,product_type,images,description,marketplace,created_at,updated_at\r\n"
              "gb,p1,\"'=HYPERLINK(\"\"http://evil\"\")\",true,,,0,\"Line one,\nline \"\"two\"\"\",,,\r\n");
}

TEST(Export, OrderLinesFlattenOrders) {
    auto store = sample_store();
    std::ostringstream out;
    EXPECT_EQ(export_table(store, ExportTable::order_lines, ExportFormat::csv, std::nullopt, out), 2u);
    EXPECT_EQ(out.str(),
              "shop_id,order_id,id,sku,title,quantity,currency,unit_price,discount,tax\r\n"
              "gb,o1,l1,SKU-1,Savon,2,GBP,12.50,0.00,2.08\r\n"
              "gb,o1,l2,SKU-2,Bougie,1,GBP,0.00,0.00,0.00\r\n");
    std::ostringstream jsonl;
    EXPECT_EQ(export_table(store, ExportTable::order_lines, ExportFormat::jsonl, std::nullopt, jsonl), 2u);
    EXPECT_EQ(jsonl.str().substr(0, jsonl.str().find('\n')),
              R"({"shop_id":"gb","order_id":"o1","id":"l1","sku":"SKU-1","variant_id":"","product_id":"","title":"Savon","quantity":2,)"
              R"("unit_price":{"minor":1250,"currency":"GBP"},"discount":{"minor":0,"currency":"GBP"},"tax":{"minor":208,"currency":"GBP"}})");
}

TEST(Export, JsonLinesCarryTheShop) {
    auto store = sample_store();
    std::ostringstream out;
    EXPECT_EQ(export_table(store, ExportTable::products, ExportFormat::jsonl, std::string_view("gb"), out), 1u);
    const std::string line = out.str();
    EXPECT_EQ(line.rfind(R"({"shop_id":"gb","id":"p1",)", 0), 0u);
    EXPECT_EQ(line.back(), '\n');
    std::ostringstream none;
    EXPECT_EQ(export_table(store, ExportTable::products, ExportFormat::jsonl, std::string_view("fr"), none), 0u);
}

TEST(Export, TableNames) {
    EXPECT_EQ(export_table_from_string("order-lines"), ExportTable::order_lines);
    EXPECT_FALSE(export_table_from_string("order_lines"));
}
