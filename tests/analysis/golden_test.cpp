// Golden figures: a small SME worked out by hand. Maison test: a UK shop
// (GBP, London) and a French shop (EUR, Paris), reporting in GBP.
//
// UK orders
//   O1 2026-01-15 CANDLE 2 x 10.00 - 2.00 discount, shipping 5.00, tax 3.60 on top, fees 1.50 reported
//      sales 20.00 - 2.00 + 5.00 = 23.00; unit cost 3.00 (platform) x 2 = 6.00; profit 23.00 - 6.00 - 1.50 = 15.50
//   O2 2026-02-03 SOAP 1 x 6.00 tax-inclusive (tax 1.00), no shipping, fees not reported
//      sales 5.00; unit cost 1.00 (cost sheet); fee estimated 10% of 5.00 = 0.50; profit 3.50
//   O3 2026-02-05 CANDLE cancelled: no sale
//   R1 2026-02-10 refund of O1: 12.00 of which tax 2.00, line CANDLE 1 x 10.00: -10.00 in February
// FR orders (EUR -> GBP at 0.85 from 2026-02-01, 0.86 from 2026-02-20)
//   F1 2026-01-31T23:30Z = 1 February 00:30 in Paris: CANDLE 1 x 20.00 tax-inclusive (tax 3.33),
//      shipping 6.00 with 1.00 of tax (order tax 4.33): sales 16.67 + 5.00 = 21.67 EUR -> 18.4195 -> 18.42 GBP
//      unit cost 2.50 EUR (cost sheet) -> 2.125 -> 2.12 (half-even); fees 3.00 EUR -> 2.55
//   F2 2026-02-20 NOCOST 1 x 10.00, no tax: sales 10.00 EUR -> 8.60 GBP; no cost known; fees 0 reported
// February, SME in GBP: orders 3; sales -5.00 + 18.42 + 8.60 = 22.02; cost unknown (NOCOST);
//   line sales 5.00 + 16.67 EUR (-> 14.1695 -> 14.17) + 8.60 = 27.77, of which without cost 8.60: 31.0%
// January: orders 1, sales 23.00, cost 6.00 + 1.50 = 7.50, profit 15.50, margin 67.4%
//   change in February: (22.02 - 23.00) / 23.00 = -4.3%
#include <gtest/gtest.h>

#include "fixtures.hpp"

namespace pcgd::analysis::test {
namespace {

class Golden : public ::testing::Test {
protected:
    void SetUp() override {
        store->put_sme(host::Sme{"maison", "Maison test", model::Currency::of("GBP"), "en", 0});
        store->put_shop(shop("uk", "testshop", "GB", "GBP", "Europe/London", "maison"));
        store->put_shop(shop("fr", "testshop", "FR", "EUR", "Europe/Paris", "maison"));
        config.fees["testshop"] = host::FeeRule{1000, 0};

        model::Product candle;
        candle.id = "P1";
        candle.title = "Lavender soy candle";
        candle.product_type = "Candle";
        candle.description = "Hand-poured.";
        candle.images = {model::Image{"https://img/1.jpg", 800, 800}};
        put(*store, "uk", candle);
        model::Variant candle_v;
        candle_v.id = "V1";
        candle_v.product_id = "P1";
        candle_v.sku = "CANDLE";
        candle_v.barcode = "5012345678900";
        candle_v.price = model::Money{1000, model::Currency::of("GBP")};
        candle_v.unit_cost = model::Money{300, model::Currency::of("GBP")};
        candle_v.stock_total = 0;
        put(*store, "uk", candle_v);
        model::Product soap;
        soap.id = "P2";
        soap.title = "SOAP";
        soap.product_type = "Soap";
        put(*store, "uk", soap);
        model::Variant soap_v;
        soap_v.id = "V2";
        soap_v.product_id = "P2";
        soap_v.sku = "SOAP";
        soap_v.price = model::Money{600, model::Currency::of("GBP")};
        soap_v.stock_total = 5;
        put(*store, "uk", soap_v);
        // The French shop lists CANDLE and NOCOST, not SOAP.
        for (const auto& [pid, sku] : {std::pair{"FP1", "CANDLE"}, std::pair{"FP2", "NOCOST"}}) {
            model::Product p;
            p.id = pid;
            p.title = std::string("Produit ") + sku;
            put(*store, "fr", p);
            model::Variant v;
            v.id = std::string("F") + sku;
            v.product_id = pid;
            v.sku = sku;
            v.price = model::Money{2000, model::Currency::of("EUR")};
            v.stock_total = 3;
            put(*store, "fr", v);
        }
        // Views: SOAP 40 early in the window, 60 late (rising); CANDLE none.
        for (const auto& [day, views] : {std::pair{"2026-01-01", 40}, std::pair{"2026-02-05", 60}}) {
            model::TrafficSample t;
            t.sku = "SOAP";
            t.day = *model::parse_date(day);
            t.views = views;
            put(*store, "uk", t);
        }

        auto o1 = order("O1", "2026-01-15T10:00:00Z", "GBP", {line("1", "CANDLE", 2, 1000, 200, 0, "GBP")}, 500, 360, false);
        o1.fees_known = true;
        o1.fees = {model::Fee{"commission", model::Money{150, model::Currency::of("GBP")}}};
        put(*store, "uk", o1);
        put(*store, "uk", order("O2", "2026-02-03T12:00:00Z", "GBP", {line("1", "SOAP", 1, 600, 0, 100, "GBP")}, 0, 100, true));
        auto o3 = order("O3", "2026-02-05T12:00:00Z", "GBP", {line("1", "CANDLE", 1, 1000, 0, 0, "GBP")}, 0, 0, false);
        o3.cancelled_at = model::parse_iso8601_or_throw("2026-02-05T13:00:00Z");
        o3.status = "cancelled";
        put(*store, "uk", o3);
        model::Refund r1;
        r1.id = "R1";
        r1.order_id = "O1";
        r1.created_at = model::parse_iso8601_or_throw("2026-02-10T09:00:00Z");
        r1.amount = bag(1200, "GBP");
        r1.tax = bag(200, "GBP");
        r1.shipping = bag(0, "GBP");
        r1.lines = {model::RefundLine{"1", "CANDLE", 1, bag(1000, "GBP"), bag(200, "GBP")}};
        put(*store, "uk", r1);

        auto f1 = order("F1", "2026-01-31T23:30:00Z", "EUR", {line("1", "CANDLE", 1, 2000, 0, 333, "EUR")}, 600, 433, true);
        f1.fees_known = true;
        f1.fees = {model::Fee{"commission", model::Money{300, model::Currency::of("EUR")}}};
        put(*store, "fr", f1);
        auto f2 = order("F2", "2026-02-20T10:00:00Z", "EUR", {line("1", "NOCOST", 1, 1000, 0, 0, "EUR")}, 0, 0, false);
        f2.fees_known = true;
        put(*store, "fr", f2);

        store->put_costs("maison", {host::CostEntry{"SOAP", *model::parse_date("2026-01-01"), model::Money{100, model::Currency::of("GBP")}},
                                    host::CostEntry{"CANDLE", *model::parse_date("2026-01-01"), model::Money{250, model::Currency::of("EUR")}}});
        store->put_rates({host::ExchangeRate{model::Currency::of("EUR"), model::Currency::of("GBP"), *model::parse_date("2026-02-01"), "0.85"},
                          host::ExchangeRate{model::Currency::of("EUR"), model::Currency::of("GBP"), *model::parse_date("2026-02-20"), "0.86"}});
    }

    Scope scope_of(const std::string& sme, const std::string& shop_id, const char* month, const char* currency = nullptr) {
        ReportRequest request;
        request.sme_id = sme;
        request.shop_id = shop_id;
        request.month = Month::parse(month);
        if (currency) request.currency = model::Currency::of(currency);
        return resolve_scope(*store, request);
    }

    TempStore store;
    host::Config config;
};

TEST_F(Golden, PlanningMonthsInGbpAcrossShopsAndTimeZones) {
    const Report r = planning_report(*store, config, scope_of("maison", "", "2026-02"));
    const Section& months = section(r, "months");
    const auto& feb = row_where(months, "month", Month{2026, 2});
    EXPECT_EQ(cell(months, feb, "orders"), Cell{std::int64_t{3}});
    EXPECT_EQ(cell(months, feb, "sales"), gbp(2202));
    EXPECT_EQ(cell(months, feb, "cost"), Cell{});    // NOCOST has no cost: unknown, not zero
    EXPECT_EQ(cell(months, feb, "profit"), Cell{});
    EXPECT_NEAR(std::get<Percent>(cell(months, feb, "change_pct")).value, -98.0 * 100 / 2300, 1e-9);
    EXPECT_NEAR(std::get<Percent>(cell(months, feb, "sales_without_cost_pct")).value, 860.0 * 100 / 2777, 1e-9);
    const auto& jan = row_where(months, "month", Month{2026, 1});
    EXPECT_EQ(cell(months, jan, "orders"), Cell{std::int64_t{1}});
    EXPECT_EQ(cell(months, jan, "sales"), gbp(2300));
    EXPECT_EQ(cell(months, jan, "cost"), gbp(750));
    EXPECT_EQ(cell(months, jan, "profit"), gbp(1550));
    EXPECT_EQ(cell(months, jan, "change_pct"), Cell{});  // December was zero

    const Section& channels = section(r, "channels");
    std::int64_t feb_sales = 0, feb_orders = 0;
    for (const auto& row : channels.rows)
        if (cell(channels, row, "month") == Cell{Month{2026, 2}}) {
            feb_sales += std::get<model::Money>(cell(channels, row, "sales")).minor;
            feb_orders += std::get<std::int64_t>(cell(channels, row, "orders"));
        }
    EXPECT_EQ(feb_sales, 2202);
    EXPECT_EQ(feb_orders, 3);
    // The rates used are shown.
    ASSERT_EQ(r.rates.size(), 2u);
    EXPECT_EQ(r.rates[0].rate, "0.85");
    EXPECT_EQ(r.rates[1].day, *model::parse_date("2026-02-20"));
}

TEST_F(Golden, GrowthOfOneShopPerOrderAndProductAddsUp) {
    const Report r = growth_report(*store, config, scope_of("", "uk", "2026-02"));
    const Section& overview = section(r, "overview");
    const auto& o = overview.rows.at(0);
    EXPECT_EQ(cell(overview, o, "orders"), Cell{std::int64_t{1}});
    EXPECT_EQ(cell(overview, o, "sales"), gbp(-500));
    EXPECT_EQ(cell(overview, o, "goods_cost"), gbp(100));
    EXPECT_EQ(cell(overview, o, "fees"), gbp(50));
    EXPECT_EQ(cell(overview, o, "cost"), gbp(150));
    EXPECT_EQ(cell(overview, o, "profit"), gbp(-650));

    const Section& orders = section(r, "orders");
    ASSERT_EQ(orders.rows.size(), 2u);
    const auto& o2 = row_where(orders, "order", std::string("#O2"));
    EXPECT_EQ(cell(orders, o2, "sales"), gbp(500));
    EXPECT_EQ(cell(orders, o2, "fees"), gbp(50));
    EXPECT_EQ(cell(orders, o2, "fees_estimated"), Cell{std::string("yes")});
    EXPECT_EQ(cell(orders, o2, "profit"), gbp(350));
    EXPECT_EQ(cell(orders, o2, "flag"), Cell{std::string("most profitable")});
    const auto& earlier = row_where(orders, "order", std::string("(refunds of earlier orders)"));
    EXPECT_EQ(cell(orders, earlier, "profit"), gbp(-1000));
    EXPECT_EQ(cell(orders, earlier, "flag"), Cell{std::string("loss")});

    const Section& products = section(r, "products");
    const auto& soap = row_where(products, "sku", std::string("SOAP"));
    EXPECT_EQ(cell(products, soap, "sales"), gbp(500));
    EXPECT_EQ(cell(products, soap, "goods_cost"), gbp(100));
    EXPECT_EQ(cell(products, soap, "profit"), gbp(400));
    const auto& candle = row_where(products, "sku", std::string("CANDLE"));
    EXPECT_EQ(cell(products, candle, "sales"), gbp(-1000));
    EXPECT_EQ(cell(products, candle, "units"), Cell{std::int64_t{0}});
    const auto& rest = row_where(products, "sku", std::string("(shipping, fees and other)"));
    EXPECT_EQ(cell(products, rest, "profit"), gbp(-50));
}

TEST_F(Golden, GrowthOfTheFrenchShopInEurosHasAnOrderWithoutCost) {
    const Report r = growth_report(*store, config, scope_of("", "fr", "2026-02", "EUR"));
    const Section& orders = section(r, "orders");
    const auto& f1 = row_where(orders, "order", std::string("#F1"));
    EXPECT_EQ(cell(orders, f1, "date"), Cell{Day{*model::parse_date("2026-02-01")}});  // Paris time
    EXPECT_EQ(cell(orders, f1, "sales"), eur(2167));
    EXPECT_EQ(cell(orders, f1, "goods_cost"), eur(250));
    EXPECT_EQ(cell(orders, f1, "profit"), eur(1617));
    const auto& f2 = row_where(orders, "order", std::string("#F2"));
    EXPECT_EQ(cell(orders, f2, "goods_cost"), Cell{});
    EXPECT_EQ(cell(orders, f2, "profit"), Cell{});
    EXPECT_EQ(r.warnings.size(), 1u);
    // January has no French sale: the order at 23:30 UTC on 31 January is February in Paris.
    const Report jan = growth_report(*store, config, scope_of("", "fr", "2026-01", "EUR"));
    const Section& jan_overview = section(jan, "overview");
    EXPECT_EQ(cell(jan_overview, jan_overview.rows.at(0), "orders"), Cell{std::int64_t{0}});
}

TEST_F(Golden, MissingRateNamesTheDayAndThePair) {
    try {
        (void)planning_report(*store, config, scope_of("", "uk", "2026-01", "EUR"));
        FAIL() << "expected MissingRate";
    } catch (const MissingRate& e) {
        EXPECT_NE(std::string(e.what()).find("GBP->EUR"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("2026-01-15"), std::string::npos) << e.what();
    }
}

TEST_F(Golden, QualityScoresWithReasonsAndFixes) {
    const Report r = quality_report(*store, config, scope_of("", "uk", "2026-02"));
    const Section& products = section(r, "products");
    // P1: short title -10, short description -10, one image -10 and 800 px -6, out of stock -15.
    EXPECT_EQ(cell(products, row_where(products, "product_id", std::string("P1")), "score"), Cell{std::int64_t{49}});
    // P2: short title -10, capitals -5, no description -20, no image -20, no barcode -5.
    EXPECT_EQ(cell(products, row_where(products, "product_id", std::string("P2")), "score"), Cell{std::int64_t{40}});
    const Section& shops = section(r, "shops");
    // (49 + 40) x 90 / 200 = 40 (rounded down) + 10 x 2 / 20 = 1.
    EXPECT_EQ(cell(shops, shops.rows.at(0), "score"), Cell{std::int64_t{41}});
    const Section& deductions = section(r, "deductions");
    bool found = false;
    for (const auto& row : deductions.rows)
        if (cell(deductions, row, "reason") == Cell{std::string("Only 1 image")}) {
            found = true;
            EXPECT_EQ(cell(deductions, row, "fix"), Cell{std::string("Add images: add at least 3 of 1000 px or more")});
            EXPECT_EQ(cell(deductions, row, "points"), Cell{std::int64_t{-10}});
        }
    EXPECT_TRUE(found);
}

TEST_F(Golden, OpportunitiesWithoutViewsOutOfStockAndNewMarkets) {
    const Report r = opportunities_report(*store, config, scope_of("maison", "", "2026-02"));
    const Section& products = section(r, "products");
    const auto& candle = row_where(products, "product_id", std::string("P1"));
    EXPECT_EQ(cell(products, candle, "tier"), Cell{std::string("potential")});
    EXPECT_EQ(cell(products, candle, "views"), Cell{});           // no views: conversion unknown
    EXPECT_EQ(cell(products, candle, "conversion_pct"), Cell{});
    EXPECT_EQ(cell(products, candle, "sell_through_pct"), Cell{Percent{100.0}});  // 2 / (2 + 0)
    EXPECT_NE(std::get<std::string>(cell(products, candle, "reason")).find("out of stock: restock"), std::string::npos);
    const auto& soap = row_where(products, "product_id", std::string("P2"));
    EXPECT_EQ(cell(products, soap, "views"), Cell{std::int64_t{100}});
    EXPECT_EQ(cell(products, soap, "conversion_pct"), Cell{Percent{1.0}});
    const Section& markets = section(r, "new_markets");
    ASSERT_EQ(markets.rows.size(), 2u);
    EXPECT_EQ(cell(markets, markets.rows[0], "sku"), Cell{std::string("NOCOST")});
    EXPECT_EQ(cell(markets, markets.rows[1], "sku"), Cell{std::string("SOAP")});
    EXPECT_EQ(cell(markets, markets.rows[1], "absent_from"), Cell{std::string("fr (testshop, FR)")});
}

TEST_F(Golden, QualityFlagsBannedCharactersRepeatedWordsAndPromotionalText) {
    store->put_shop(shop("amz", "amazon", "GB", "GBP", "Europe/London", ""));
    store->put_shop(shop("web", "shopify", "GB", "GBP", "Europe/London", ""));
    for (const char* shop_id : {"amz", "web"}) {
        model::Product p;
        p.id = "P";
        p.title = "Candle {lavender} candle, soy candle - free shipping!";
        p.product_type = "Candle";
        put(*store, shop_id, p);
    }
    const auto reasons = [&](const char* shop_id) {
        const Report r = quality_report(*store, config, scope_of("", shop_id, "2026-02"));
        std::vector<std::string> out;
        const Section deductions = section(r, "deductions");
        for (const auto& row : deductions.rows)
            if (cell(deductions, row, "factor") == Cell{std::string("title")}) out.push_back(std::get<std::string>(cell(deductions, row, "reason")));
        return out;
    };
    EXPECT_EQ(reasons("amz"), (std::vector<std::string>{"Title holds characters Amazon bans: { } !",
                                                        "The word 'candle' appears 3 times or more",
                                                        "Title holds promotional text 'free shipping'"}));
    // The banned characters are Amazon's rule; the other two hold everywhere.
    EXPECT_EQ(reasons("web"), (std::vector<std::string>{"The word 'candle' appears 3 times or more",
                                                        "Title holds promotional text 'free shipping'"}));
}

TEST_F(Golden, ConversionIsMeasuredAsEachPlatformDefinesIt) {
    // One product sold in 2 orders of 3 units in all, seen 200 times in 50
    // sessions, on four shops; the second web shop lacks sessions on one day,
    // so its conversion falls back to views.
    struct Case {
        const char *shop, *platform;
        bool every_day_has_sessions;
        const char* basis;
        double conversion_pct;
    };
    const Case cases[] = {
        {"amz", "amazon", true, "units/sessions (Amazon Unit Session Percentage)", 6.0},   // 3 / 50
        {"eb", "ebay", true, "units/listing views (eBay sales conversion rate)", 1.5},      // 3 / 200
        {"web", "shopify", true, "orders/sessions (shopify)", 4.0},                       // 2 / 50
        {"web2", "shopify", false, "orders/views (shopify)", 1.0},                        // 2 / 200
    };
    for (const auto& c : cases) {
        store->put_shop(shop(c.shop, c.platform, "GB", "GBP", "Europe/London", ""));
        model::Product p;
        p.id = "P";
        p.title = "Linen napkins";
        put(*store, c.shop, p);
        model::Variant v;
        v.id = "V";
        v.product_id = "P";
        v.sku = "NAPKIN";
        v.stock_total = 10;
        put(*store, c.shop, v);
        for (const auto& [day, views, sessions] : {std::tuple{"2026-02-02", 120, 30}, std::tuple{"2026-02-09", 80, 20}}) {
            model::TrafficSample t;
            t.sku = "NAPKIN";
            t.day = *model::parse_date(day);
            t.views = views;
            if (c.every_day_has_sessions || std::string(day) != "2026-02-09") t.sessions = sessions;
            put(*store, c.shop, t);
        }
        put(*store, c.shop, order("A1", "2026-02-03T12:00:00Z", "GBP", {line("1", "NAPKIN", 2, 900, 0, 0, "GBP")}, 0, 0, false));
        put(*store, c.shop, order("A2", "2026-02-10T12:00:00Z", "GBP", {line("1", "NAPKIN", 1, 900, 0, 0, "GBP")}, 0, 0, false));

        const Report r = opportunities_report(*store, config, scope_of("", c.shop, "2026-02"));
        const Section& products = section(r, "products");
        const auto& row = row_where(products, "product_id", std::string("P"));
        EXPECT_EQ(cell(products, row, "conversion_basis"), Cell{std::string(c.basis)}) << c.shop;
        EXPECT_EQ(cell(products, row, "conversion_pct"), Cell{Percent{c.conversion_pct}}) << c.shop;
    }
}

TEST_F(Golden, FactsFollowAnOrderThatChangesAndIsDeleted) {
    auto o2 = order("O2", "2026-02-03T12:00:00Z", "GBP", {line("1", "SOAP", 3, 600, 0, 300, "GBP")}, 0, 300, true);
    put(*store, "uk", o2);  // now 3 units: sales 15.00
    auto sales = [&] {
        const Report r = planning_report(*store, config, scope_of("", "uk", "2026-02"));
        return cell(section(r, "months"), row_where(section(r, "months"), "month", Month{2026, 2}), "sales");
    };
    EXPECT_EQ(sales(), gbp(1500 - 1000));
    model::Deletion d;
    d.kind = model::RecordKind::order;
    d.id = "O2";
    put(*store, "uk", d);
    EXPECT_EQ(sales(), gbp(-1000));
    store->rebuild_facts();
    EXPECT_EQ(sales(), gbp(-1000));
}

TEST_F(Golden, RendersMoneyPerLanguage) {
    EXPECT_EQ(format_money(model::Money{123456, model::Currency::of("GBP")}, Lang::en), "£1,234.56");
    EXPECT_EQ(format_money(model::Money{123456, model::Currency::of("EUR")}, Lang::fr), "1\u202F234,56\u00A0€");
    EXPECT_EQ(format_money(model::Money{-5, model::Currency::of("EUR")}, Lang::en), "-€0.05");
    EXPECT_EQ(format_percent(Percent{-4.2608}, Lang::fr), "-4,3\u00A0%");
    EXPECT_EQ(format_day(*model::parse_date("2026-02-01"), Lang::fr), "1 févr. 2026");
    const Report r = growth_report(*store, config, scope_of("", "uk", "2026-02"));
    const std::string json = render_to_string(r, Format::json, Lang::en);
    EXPECT_NE(json.find(R"("sales":{"minor":-500,"currency":"GBP"})"), std::string::npos);
    EXPECT_NE(json.find(R"("definitions":{)"), std::string::npos);
    const std::string csv = render_to_string(r, Format::csv, Lang::en);
    EXPECT_NE(csv.find("overview\r\nmonth,orders,sales,sales_currency,"), std::string::npos) << csv;
    EXPECT_EQ(render_to_string(r, Format::text, Lang::fr), render_to_string(growth_report(*store, config, scope_of("", "uk", "2026-02")), Format::text, Lang::fr));
}

TEST(Exchange, RoundsHalfEvenOnceAndParsesRates) {
    EXPECT_EQ(round_half_even(2125, 1000), 2);
    EXPECT_EQ(round_half_even(2135, 1000), 2);
    EXPECT_EQ(round_half_even(2500, 1000), 2);
    EXPECT_EQ(round_half_even(3500, 1000), 4);
    EXPECT_EQ(round_half_even(-2500, 1000), -2);
    EXPECT_EQ(round_half_even(-2501, 1000), -3);
    ASSERT_TRUE(DecimalRate::parse("0.8512"));
    EXPECT_EQ(DecimalRate::parse("0.8512")->num, 8512);
    EXPECT_EQ(DecimalRate::parse("0.8512")->scale, 4);
    EXPECT_FALSE(DecimalRate::parse("0"));
    EXPECT_FALSE(DecimalRate::parse("-1"));
    EXPECT_FALSE(DecimalRate::parse("1,2"));
}

TEST(Split, PartsAddUpExactly) {
    const auto none = [](std::int64_t) { return std::int64_t{0}; };
    EXPECT_EQ(split(100, {1, 1, 1}, none), (std::vector<std::int64_t>{34, 33, 33}));
    EXPECT_EQ(split(-7, {500, -1000}, none), (std::vector<std::int64_t>{7, -14}));
    EXPECT_EQ(split(0, {5, -5}, [](std::int64_t w) { return w * 2; }), (std::vector<std::int64_t>{10, -10}));
}

TEST(Calendar, MonthsAndLocalBoundaries) {
    EXPECT_FALSE(Month::parse("2026-13"));
    EXPECT_FALSE(Month::parse("2026-1"));
    EXPECT_EQ(Month::parse("2026-01")->plus(-1).str(), "2025-12");
    const auto [from, to] = month_range_ms(Month{2026, 2}, "Europe/Paris");
    EXPECT_EQ(from, model::parse_iso8601_or_throw("2026-01-31T23:00:00Z"));
    EXPECT_EQ(to, model::parse_iso8601_or_throw("2026-02-28T23:00:00Z"));
    EXPECT_EQ(title_limit("amazon", *model::parse_date("2026-07-26")), 200u);
    EXPECT_EQ(title_limit("amazon", *model::parse_date("2026-07-27")), 75u);
}

}  // namespace
}  // namespace pcgd::analysis::test
