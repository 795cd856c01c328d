#include <gtest/gtest.h>

#include <pcgd/model/json.hpp>

using namespace pcgd::model;
using pcgd::json::ParseError;

namespace {

const Currency gbp = Currency::of("GBP");
const Currency eur = Currency::of("EUR");

Order sample_order() {
    Order o;
    o.id = "450789469";
    o.name = "#1001";
    o.created_at = *parse_iso8601("2026-01-31T23:30:00Z");
    o.updated_at = *parse_iso8601("2026-02-02T10:00:00Z");
    o.status = "closed";
    o.financial_status = "partially_refunded";
    o.fulfillment_status = "fulfilled";
    o.currency = gbp;
    o.presentment_currency = eur;
    o.country = "FR";
    o.subtotal = MoneyBag{Money{5000, gbp}, Money{5800, eur}};
    o.discounts = MoneyBag{Money{500, gbp}, Money{580, eur}};
    o.shipping = MoneyBag{Money{499, gbp}, std::nullopt};
    o.tax = MoneyBag{Money{1000, gbp}, std::nullopt};
    o.total = MoneyBag{Money{5999, gbp}, Money{6960, eur}};
    o.taxes_included = true;
    o.fees_known = true;
    o.fees = {Fee{"commission", Money{750, gbp}}};
    o.lines.push_back(OrderLine{"1", "BOUG-LAV-200", "v1", "p1", "Bougie parfumée à la lavande", 2,
                                MoneyBag{Money{2500, gbp}, std::nullopt}, MoneyBag{Money{500, gbp}, std::nullopt},
                                MoneyBag{Money{833, gbp}, std::nullopt}});
    return o;
}

template <class R>
R round_trip(const R& r) {
    return std::get<R>(read_record(kind_of<R>(), to_json(r)));
}

}  // namespace

TEST(RecordJson, OrderRoundTripsExactly) {
    const Order o = sample_order();
    EXPECT_EQ(round_trip(o), o);
    // Equal records serialise to equal bytes: the store relies on it.
    EXPECT_EQ(to_json(round_trip(o)), to_json(o));
}

TEST(RecordJson, OrderJsonIsStableAndReadable) {
    const std::string json = to_json(sample_order());
    EXPECT_NE(json.find(R"("created_at":"2026-01-31T23:30:00Z")"), std::string::npos);
    EXPECT_NE(json.find(R"("total":{"minor":5999,"currency":"GBP","presentment_minor":6960,"presentment_currency":"EUR"})"),
              std::string::npos);
    EXPECT_NE(json.find("Bougie parfumée à la lavande"), std::string::npos);
}

TEST(RecordJson, ProductAndVariantRoundTrip) {
    Product p;
    p.id = "632910392";
    p.title = "IPod Nano - 8GB";
    p.description = "It's the small iPod";
    p.description_html = "<p>It's the small iPod</p>";
    p.tags = {"Emotive", "Flash Memory"};
    p.active = false;
    p.images = {Image{"https://cdn/1.jpg", 1000, 800}, Image{"https://cdn/2.jpg", std::nullopt, std::nullopt}};
    p.created_at = 1;
    EXPECT_EQ(round_trip(p), p);

    Variant v;
    v.id = "808950810";
    v.product_id = p.id;
    v.sku = "IPOD2008PINK";
    v.barcode = "1234_pink";
    v.price = Money{19900, gbp};
    v.unit_cost = Money{2500, gbp};
    v.stock = {StockLevel{"655441491", 10}, StockLevel{"2", 0}};
    v.stock_total = 10;
    EXPECT_EQ(round_trip(v), v);
    // Unknown stays unknown: not zero.
    Variant untracked = v;
    untracked.stock_total.reset();
    untracked.unit_cost.reset();
    EXPECT_EQ(round_trip(untracked), untracked);
    EXPECT_EQ(to_json(untracked).find("unit_cost"), std::string::npos);
}

TEST(RecordJson, RefundTrafficDeletionRoundTrip) {
    Refund r;
    r.id = "509562969";
    r.order_id = "450789469";
    r.created_at = *parse_iso8601("2026-03-01T09:00:00Z");
    r.amount = MoneyBag{Money{4100, gbp}, std::nullopt};
    r.tax = MoneyBag{Money{683, gbp}, std::nullopt};
    r.shipping = MoneyBag{Money{0, gbp}, std::nullopt};
    r.lines = {RefundLine{"1", "BOUG-LAV-200", 1, MoneyBag{Money{1667, gbp}, std::nullopt}, MoneyBag{Money{333, gbp}, std::nullopt}}};
    EXPECT_EQ(round_trip(r), r);

    TrafficSample t{"BOUG-LAV-200", "B0001", *parse_date("2026-10-31"), 120, 80, "A1F83G8C2ARO7P"};
    EXPECT_EQ(round_trip(t), t);
    EXPECT_EQ(t.id(), "B0001@2026-10-31@A1F83G8C2ARO7P");

    Deletion d{RecordKind::product, "632910392", 5};
    EXPECT_EQ(round_trip(d), d);
}

TEST(RecordJson, ErrorsNameTheField) {
    auto message = [](RecordKind kind, const char* json) {
        try {
            (void)read_record(kind, json);
        } catch (const ParseError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message(RecordKind::product, R"({"title":"x"})"), "product: missing required field 'id'");
    EXPECT_EQ(message(RecordKind::variant, R"({"id":"1","product_id":"2","price":{"minor":"12","currency":"GBP"}})"),
              "variant.price.minor: expected an integer, found a string");
    EXPECT_EQ(message(RecordKind::variant, R"({"id":"1","product_id":"2","price":{"minor":12,"currency":"pounds"}})"),
              "variant.price.currency: not an ISO 4217 currency code: 'pounds'");
    const std::string order = to_json(sample_order());
    std::string bad_line = order;
    bad_line.replace(bad_line.find(R"("quantity":2)"), 12, R"("quantity":2.5)");
    EXPECT_EQ(message(RecordKind::order, bad_line.c_str()), "order.lines[0].quantity: expected an integer, found a number");
    std::string bad_time = order;
    bad_time.replace(bad_time.find("2026-01-31T23:30:00Z"), 20, "31/01/2026 23:30");
    EXPECT_EQ(message(RecordKind::order, bad_time.c_str()), "order.created_at: not an ISO 8601 instant: '31/01/2026 23:30'");
    EXPECT_EQ(message(RecordKind::traffic, R"({"day":"2026-01-01","views":3})"), "traffic: traffic needs a sku or a listing_id");
    EXPECT_EQ(message(RecordKind::deletion, R"({"kind":"traffic","id":"x"})"), "deletion.kind: not a deletable record kind: 'traffic'");
    EXPECT_EQ(message(RecordKind::order, "{"), "order record is not valid JSON at byte 1: Missing a name for object member.");
}

TEST(RecordJson, RecordKindNames) {
    for (auto k : {RecordKind::product, RecordKind::variant, RecordKind::order, RecordKind::refund, RecordKind::traffic,
                   RecordKind::deletion})
        EXPECT_EQ(record_kind_from_string(to_string(k)), k);
    EXPECT_FALSE(record_kind_from_string("orders"));
}
