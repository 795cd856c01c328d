// Every body the ebay emulator serves for the operations the plugin uses,
// checked against the schemas of eBay's own OpenAPI 3 specs
// (tests/data/ebay/openapi) with RapidJSON's JSON Schema validator.
//
// RapidJSON validates draft-04 JSON Schema; the specs are OAS 3.0. The spec
// document itself is the schema document, with a root `$ref` into
// `#/components/schemas/...` (RapidJSON resolves local refs against it).
// What had to be translated, and why:
//  * `type: object` without properties, additionalProperties or items is
//    eBay's code generator writing java.lang.Object (the traffic report's
//    Value.value holds numbers and strings): such a schema accepts any value.
//  * `aspects` is typed `string`, but its description (and eBay's samples)
//    show an object of string arrays: it is checked as that.
//  * Stricter than the specs: every schema with properties refuses other
//    members (additionalProperties: false), so a misspelt field fails; the
//    one exception is Order.legacyOrderId, not in the spec but in real
//    responses (see shared/reference/ebay.md).
//  * The token endpoint's answer has no OpenAPI schema (the identity spec
//    covers getUser only); it is checked by hand below.
#include <pcgd/emulator/emulator.hpp>

#include <gtest/gtest.h>

#include <rapidjson/schema.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

using namespace pcgd;
using namespace pcgd::emulator;

namespace {

std::string read(const std::string& name) {
    std::ifstream in(std::string(PCGD_EBAY_DATA_DIR) + "/openapi/" + name);
    if (!in) throw std::runtime_error("missing spec " + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void translate(rapidjson::Value& v, rapidjson::Document::AllocatorType& a) {
    if (v.IsArray()) {
        for (auto& e : v.GetArray()) translate(e, a);
        return;
    }
    if (!v.IsObject()) return;
    for (auto& m : v.GetObject()) translate(m.value, a);
    const bool bare_object = v.HasMember("type") && v["type"].IsString() && std::string_view(v["type"].GetString()) == "object" &&
                             !v.HasMember("properties") && !v.HasMember("additionalProperties") && !v.HasMember("items");
    if (bare_object) v.RemoveMember("type");
    if (v.HasMember("properties") && v["properties"].IsObject()) {
        auto& properties = v["properties"];
        if (properties.HasMember("aspects")) {
            rapidjson::Value aspects(rapidjson::kObjectType), arrays(rapidjson::kObjectType), strings(rapidjson::kObjectType);
            strings.AddMember("type", "string", a);
            arrays.AddMember("type", "array", a).AddMember("items", strings, a);
            aspects.AddMember("type", "object", a).AddMember("additionalProperties", arrays, a);
            properties["aspects"] = aspects;
        }
        if (!v.HasMember("additionalProperties")) v.AddMember("additionalProperties", false, a);
    }
}

/// One spec, translated, from which schemas are made by name.
class Spec {
public:
    explicit Spec(const std::string& file) : file_(file), text_(read(file)) {}

    /// The schema `#/components/schemas/<name>`; "<Error container>" for `{errors: [Error]}`.
    std::unique_ptr<rapidjson::SchemaDocument> schema(const std::string& name) {
        doc_ = std::make_unique<rapidjson::Document>();
        doc_->Parse(text_.c_str(), text_.size());
        if (doc_->HasParseError()) throw std::runtime_error(file_ + " does not parse");
        auto& a = doc_->GetAllocator();
        auto& schemas = (*doc_)["components"]["schemas"];
        if (schemas.HasMember("Order")) {
            rapidjson::Value legacy(rapidjson::kObjectType);
            legacy.AddMember("type", "string", a);
            schemas["Order"]["properties"].AddMember("legacyOrderId", legacy, a);
        }
        translate(schemas, a);
        if (name == "<Error container>") {
            rapidjson::Value ref(rapidjson::kObjectType), errors(rapidjson::kObjectType), properties(rapidjson::kObjectType);
            ref.AddMember("$ref", "#/components/schemas/Error", a);
            errors.AddMember("type", "array", a).AddMember("items", ref, a);
            properties.AddMember("errors", errors, a);
            doc_->AddMember("type", "object", a);
            doc_->AddMember("properties", properties, a);
            doc_->AddMember("required", rapidjson::Value(rapidjson::kArrayType).PushBack("errors", a), a);
        } else {
            if (!schemas.HasMember(name.c_str())) throw std::runtime_error(file_ + " has no schema " + name);
            doc_->AddMember("$ref", rapidjson::Value(("#/components/schemas/" + name).c_str(), a), a);
        }
        return std::make_unique<rapidjson::SchemaDocument>(*doc_);
    }

private:
    std::string file_, text_;
    std::unique_ptr<rapidjson::Document> doc_;  // the schema document borrows it
};

/// Empty when `body` is valid; otherwise where and why not.
std::string violations(rapidjson::SchemaDocument& schema, const std::string& body) {
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    if (doc.HasParseError()) return "not JSON: " + body.substr(0, 200);
    rapidjson::SchemaValidator validator(schema);
    if (doc.Accept(validator)) return {};
    rapidjson::StringBuffer schema_at, doc_at;
    validator.GetInvalidSchemaPointer().StringifyUriFragment(schema_at);
    validator.GetInvalidDocumentPointer().StringifyUriFragment(doc_at);
    return std::string("value ") + doc_at.GetString() + " breaks '" + validator.GetInvalidSchemaKeyword() + "' of " + schema_at.GetString();
}

struct Served {
    int status;
    std::string body;
};

class EbayBodies : public ::testing::Test {
protected:
    void start(const std::string& country) {
        EmulatorOptions o;
        o.platform = "ebay";
        o.generator.seed = 5;
        o.generator.products = 25;
        o.generator.orders = 400;
        o.generator.country = country;
        o.module.bucket_capacity = 1'000'000;
        o.module.leak_per_s = 1'000'000;
        emulator_ = std::make_unique<Emulator>(o);
        const auto token = get("POST", "/identity/v1/oauth2/token",
                               "grant_type=refresh_token&refresh_token=v%5E1.1%23i%5E1%23r%5E1%23f%5E0%23p%5E3%23I%5E3%23t%5Epcgd-emulator-refresh",
                               "Basic cGNnZC1lYmF5LWNsaWVudDpwY2dkLWViYXktc2VjcmV0");
        ASSERT_EQ(token.status, 200) << token.body;
        rapidjson::Document t;
        t.Parse(token.body.c_str());
        ASSERT_TRUE(t.IsObject() && t["access_token"].IsString() && t["expires_in"].IsInt64() && t["token_type"].IsString());
        EXPECT_EQ(t["expires_in"].GetInt64(), 7200);
        EXPECT_EQ(t.MemberCount(), 3u);
        bearer_ = std::string("Bearer ") + t["access_token"].GetString();
        emulator_->dispatch(Request::make("POST", "/_emulator/mutate"));
        emulator_->dispatch(Request::make("POST", "/_emulator/mutate"));
    }

    Served get(const std::string& method, const std::string& target, const std::string& body = {}, const std::string& auth = {}) {
        const auto outcome = emulator_->dispatch(
            Request::make(method, target, body, {{"Authorization", auth.empty() ? bearer_ : auth}, {"Content-Type", "application/x-www-form-urlencoded"}}));
        return {outcome.response.status, outcome.response.body};
    }

    /// Checks a body, counting what was checked.
    void check(rapidjson::SchemaDocument& schema, const Served& s, int status, const std::string& what) {
        EXPECT_EQ(s.status, status) << what << ": " << s.body.substr(0, 300);
        EXPECT_EQ(violations(schema, s.body), "") << what;
        ++checked_;
    }

    /// Every page of a paged list, following `next`; calls f on each body.
    template <class F>
    void pages(std::string target, F&& f) {
        for (int n = 0; n < 1000 && !target.empty(); ++n) {
            const auto s = get("GET", target);
            f(s);
            rapidjson::Document d;
            d.Parse(s.body.c_str());
            target.clear();
            if (d.IsObject() && d.HasMember("next") && d["next"].IsString()) {
                const std::string next = d["next"].GetString();
                target = next.substr(next.find("/sell/"));
            }
        }
    }

    std::unique_ptr<Emulator> emulator_;
    std::string bearer_;
    int checked_ = 0;
};

}  // namespace

TEST_F(EbayBodies, EveryServedBodyMatchesEbaysSchemas) {
    for (const std::string country : {"GB", "FR"}) {
        SCOPED_TRACE(country);
        start(country);
        Spec inventory("sell_inventory_v1_oas3.json"), fulfillment("sell_fulfillment_v1_oas3.json"), analytics("sell_analytics_v1_oas3.json");
        const std::string market = country == "FR" ? "EBAY_FR" : "EBAY_GB";

        auto items_schema = inventory.schema("InventoryItems");
        auto offers_schema = inventory.schema("Offers");
        auto group_schema = inventory.schema("InventoryItemGroup");
        auto inventory_errors = inventory.schema("<Error container>");
        std::set<std::string> skus, groups;
        pages("/sell/inventory/v1/inventory_item?limit=7&offset=0", [&](const Served& s) {
            check(*items_schema, s, 200, "getInventoryItems");
            rapidjson::Document d;
            d.Parse(s.body.c_str());
            for (const auto& item : d["inventoryItems"].GetArray()) {
                skus.insert(item["sku"].GetString());
                if (item.HasMember("inventoryItemGroupKeys")) groups.insert(item["inventoryItemGroupKeys"][0].GetString());
            }
        });
        EXPECT_GE(skus.size(), 25u);
        EXPECT_GE(groups.size(), 1u);
        for (const auto& sku : skus) check(*offers_schema, get("GET", "/sell/inventory/v1/offer?sku=" + sku + "&marketplace_id=" + market), 200, "getOffers " + sku);
        for (const auto& g : groups) check(*group_schema, get("GET", "/sell/inventory/v1/inventory_item_group/" + g), 200, "group " + g);
        check(*inventory_errors, get("GET", "/sell/inventory/v1/offer?sku=NO-SUCH-SKU"), 404, "getOffers of an unknown SKU");
        check(*inventory_errors, get("GET", "/sell/inventory/v1/inventory_item?limit=500"), 400, "limit over 200");

        auto orders_schema = fulfillment.schema("OrderSearchPagedCollection");
        auto order_schema = fulfillment.schema("Order");
        auto fulfillment_errors = fulfillment.schema("<Error container>");
        std::vector<std::string> ids;
        bool refunded = false, cancelled = false, converted = false, discounted = false;
        pages("/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B2024-11-01T00:00:00.000Z..%5D&limit=50", [&](const Served& s) {
            check(*orders_schema, s, 200, "getOrders");
            rapidjson::Document d;
            d.Parse(s.body.c_str());
            for (const auto& o : d["orders"].GetArray()) {
                ids.push_back(o["orderId"].GetString());
                refunded = refunded || o["paymentSummary"]["refunds"].Size() > 0;
                cancelled = cancelled || std::string_view(o["cancelStatus"]["cancelState"].GetString()) == "CANCELED";
                converted = converted || o["pricingSummary"]["total"].HasMember("convertedFromCurrency");
                discounted = discounted || o["pricingSummary"].HasMember("priceDiscount");
            }
        });
        EXPECT_GE(ids.size(), 200u);
        EXPECT_TRUE(refunded && cancelled && discounted) << "the bodies cover refunds, cancellations and discounts";
        if (country == "FR") {
            EXPECT_TRUE(converted) << "and amounts converted for the buyer";
        }
        for (const auto& id : ids) check(*order_schema, get("GET", "/sell/fulfillment/v1/order/" + id), 200, "getOrder " + id);
        check(*fulfillment_errors, get("GET", "/sell/fulfillment/v1/order?limit=201"), 400, "limit over 200");
        check(*fulfillment_errors, get("GET", "/sell/fulfillment/v1/order?filter=orderfulfillmentstatus:NOT_STARTED"), 400, "braces missing");
        check(*fulfillment_errors, get("GET", "/sell/fulfillment/v1/order", {}, "Bearer expired"), 401, "a bad token");

        auto report_schema = analytics.schema("Report");
        auto analytics_errors = analytics.schema("<Error container>");
        const std::string report = "/sell/analytics/v1/traffic_report?dimension=LISTING,DAY&metric=LISTING_VIEWS_TOTAL,LISTING_IMPRESSION_TOTAL,"
                                   "TRANSACTION&filter=marketplace_ids:%7B" + market + "%7D,date_range:%5B20260803..20261031%5D";
        const auto served = get("GET", report);
        check(*report_schema, served, 200, "getTrafficReport");
        EXPECT_GT(served.body.size(), 10'000u) << "90 days of listings";
        check(*analytics_errors, get("GET", report + "%2Clisting_idz:%7B1%7D"), 400, "an unknown filter");
        // The dimensions the spec lists, one at a time: one day by listing, a range by day, listings by id.
        const std::string one = "/sell/analytics/v1/traffic_report?metric=LISTING_VIEWS_TOTAL,TRANSACTION&filter=marketplace_ids:%7B" + market;
        const auto by_listing = get("GET", one + "%7D,date_range:%5B20261030..20261030%5D&dimension=LISTING");
        check(*report_schema, by_listing, 200, "getTrafficReport by LISTING");
        rapidjson::Document listing_report;
        listing_report.Parse(by_listing.body.c_str());
        ASSERT_GT(listing_report["records"].Size(), 0u);
        EXPECT_STREQ(listing_report["header"]["dimensionKeys"][0]["key"].GetString(), "LISTING_ID");
        const std::string listing = listing_report["records"][0]["dimensionValues"][0]["value"].GetString();
        check(*report_schema, get("GET", one + "%7D,date_range:%5B20261001..20261030%5D&dimension=DAY"), 200, "getTrafficReport by DAY");
        check(*report_schema, get("GET", one + "%7D,date_range:%5B20261030..20261030%5D,listing_ids:%7B" + listing + "%7C1%7D&dimension=LISTING"),
              200, "getTrafficReport by listing_ids");
        check(*analytics_errors, get("GET", one + "%7D,date_range:%5B20261030..20261030%5D&dimension=SELLER"), 400, "50001, as the refused pair");
        check(*analytics_errors, get("GET", "/sell/analytics/v1/traffic_report?dimension=DAY&metric=LISTING_VIEWS_TOTAL&filter=marketplace_ids:%7B" +
                                                market + "%7D,date_range:%5B20260101..20261031%5D"),
              400, "an unsupported dimension");
    }
    EXPECT_GT(checked_, 500);
}

TEST(EbaySchemaTranslation, TheValidatorRefusesWhatTheSpecForbids) {
    // The check is only worth something if a wrong body fails it.
    Spec fulfillment("sell_fulfillment_v1_oas3.json");
    auto order = fulfillment.schema("Order");
    EXPECT_EQ(violations(*order, R"({"orderId":"1","lineItems":[{"quantity":1}]})"), "");
    EXPECT_NE(violations(*order, R"({"orderId":1})"), "") << "a number for a string";
    EXPECT_NE(violations(*order, R"({"orderId":"1","lineItems":[{"quantity":"1"}]})"), "") << "a string for an integer";
    EXPECT_NE(violations(*order, R"({"orderId":"1","pricingSummary":{"total":{"value":12.5,"currency":"GBP"}}})"), "")
        << "an amount as a number";
    EXPECT_NE(violations(*order, R"({"orderId":"1","listingMarketplaceID":"EBAY_GB"})"), "") << "a misspelt member";
    Spec analytics("sell_analytics_v1_oas3.json");
    auto report = analytics.schema("Report");
    EXPECT_EQ(violations(*report, R"({"records":[{"metricValues":[{"value":3,"applicable":true},{"value":"x","applicable":false}]}]})"), "");
    EXPECT_NE(violations(*report, R"({"records":[{"metricValues":[{"value":3,"applicable":"yes"}]}]})"), "");
}
