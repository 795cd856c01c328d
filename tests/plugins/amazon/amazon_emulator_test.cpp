// The amazon emulator module in process: every answer it gives for the
// operations the plugin uses is validated against the response schema of the
// official model (Swagger 2.0, `#/definitions/...`), report documents against
// the Sales and Traffic schema; Amazon's rules (two-minute dates, tokens,
// quotas, the report lifecycle) hold.
#include <pcgd/emulator/emulator.hpp>
#include <pcgd/sdk/json.hpp>

#include <gtest/gtest.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <zlib.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

using namespace pcgd;
using namespace pcgd::emulator;

namespace {

std::string read_file(const std::string& name) {
    std::ifstream in(std::string(PCGD_AMAZON_DATA_DIR) + "/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("missing " + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A schema whose root is `{"$ref": "#/definitions/<name>"}` inside the
/// model: the model document itself, given that root reference.
class ModelSchemas {
public:
    explicit ModelSchemas(const std::string& model_file) {
        text_ = read_file("models/" + model_file);
    }
    const rapidjson::SchemaDocument& of(const std::string& definition) {
        auto& slot = schemas_[definition];
        if (!slot) {
            rapidjson::Document doc;
            doc.Parse(text_.c_str(), text_.size());
            if (doc.HasParseError()) throw std::runtime_error("model does not parse");
            const std::string ref = "#/definitions/" + definition;
            doc.AddMember("$ref", rapidjson::Value(ref.c_str(), doc.GetAllocator()), doc.GetAllocator());
            slot = std::make_unique<rapidjson::SchemaDocument>(doc);
        }
        return *slot;
    }

private:
    std::string text_;
    std::map<std::string, std::unique_ptr<rapidjson::SchemaDocument>> schemas_;
};

/// Empty when `body` is valid; else where and why it is not.
std::string violations(const rapidjson::SchemaDocument& schema, const std::string& body) {
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    if (doc.HasParseError()) return "not JSON: " + body.substr(0, 200);
    rapidjson::SchemaValidator validator(schema);
    if (doc.Accept(validator)) return "";
    rapidjson::StringBuffer where, what;
    validator.GetInvalidSchemaPointer().StringifyUriFragment(where);
    validator.GetInvalidDocumentPointer().StringifyUriFragment(what);
    return std::string("schema ") + where.GetString() + " keyword " + validator.GetInvalidSchemaKeyword() + " at document " +
           what.GetString();
}

std::string gunzip(const std::string& in) {
    z_stream z{};
    inflateInit2(&z, 16 + MAX_WBITS);
    std::string out;
    char buf[65536];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
    }
    inflateEnd(&z);
    return rc == Z_STREAM_END ? out : std::string();
}

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str(), body.size());
    return d;
}

struct Fixture {
    std::int64_t steady_ms = 1000;
    std::unique_ptr<Emulator> emulator;
    std::string token;

    explicit Fixture(std::string data = "both", int bucket = 0) {
        EmulatorOptions o;
        o.platform = "amazon";
        o.generator.seed = 3;
        o.generator.products = 12;
        o.generator.orders = 150;
        o.module.data = std::move(data);
        if (bucket > 0) {
            o.module.rate_limit_given = true;
            o.module.bucket_capacity = bucket;
            o.module.leak_per_s = 1;
        } else {
            o.module.rate_limit_given = true;
            o.module.bucket_capacity = 100000;
            o.module.leak_per_s = 100000;
        }
        o.module.steady_now_ms = [this] { return steady_ms; };
        emulator = std::make_unique<Emulator>(o);
        token = grant();
    }

    Response send(const std::string& method, const std::string& target, const std::string& body = {}, bool with_token = true) {
        std::map<std::string, std::string> headers{{"host", "127.0.0.1:1"}};
        if (with_token) headers["x-amz-access-token"] = token;
        return emulator->dispatch(Request::make(method, target, body, headers)).response;
    }

    std::string grant() {
        const auto r = send("POST", "/auth/o2/token",
                            "grant_type=refresh_token&refresh_token=Atzr%7Cpcgd-emulator-refresh-token&client_id=amzn1.application-oa2-client."
                            "pcgd-emulator&client_secret=pcgd-emulator-client-secret",
                            false);
        EXPECT_EQ(r.status, 200) << r.body;
        return parse(r.body)["access_token"].GetString();
    }
};

std::string header(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return {};
}

}  // namespace

TEST(AmazonEmulator, EveryAnswerMatchesTheModelsSchemas) {
    Fixture f;
    ModelSchemas orders("orders_2026-01-01.json"), finances("financesV0.json"), fba("fbaInventory.json"), reports("reports_2021-06-30.json");
    int validated = 0;
    const auto check = [&](const rapidjson::SchemaDocument& schema, const Response& r, const std::string& what) {
        EXPECT_EQ(violations(schema, r.body), "") << what << ": " << r.body.substr(0, 300);
        ++validated;
    };
    std::vector<std::string> order_ids;
    for (const char* market : {"A1F83G8C2ARO7P", "A13V1IB3VIYZZH"}) {
        std::string target = std::string("/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00%3A00%3A00Z&marketplaceIds=") + market +
                             "&maxResultsPerPage=40&includedData=PROCEEDS%2CFULFILLMENT";
        for (int pages = 0; pages < 100; ++pages) {
            const auto r = f.send("GET", target);
            ASSERT_EQ(r.status, 200) << r.body;
            EXPECT_EQ(header(r, "x-amzn-RateLimit-Limit"), "100000");
            check(orders.of("SearchOrdersResponse"), r, "searchOrders");
            const auto d = parse(r.body);
            for (const auto& o : d["orders"].GetArray()) {
                order_ids.emplace_back(o["orderId"].GetString());
                EXPECT_STREQ(o["salesChannel"]["marketplaceId"].GetString(), market);
            }
            if (!d.HasMember("pagination")) break;
            target = std::string("/orders/2026-01-01/orders?paginationToken=") + d["pagination"]["nextToken"].GetString();
        }
    }
    ASSERT_GT(order_ids.size(), 100u);
    for (std::size_t i = 0; i < order_ids.size(); i += 7) {
        check(orders.of("GetOrderResponse"), f.send("GET", "/orders/2026-01-01/orders/" + order_ids[i] + "?includedData=PROCEEDS%2CFULFILLMENT"),
              "getOrder");
        check(finances.of("ListFinancialEventsResponse"), f.send("GET", "/finances/v0/orders/" + order_ids[i] + "/financialEvents"),
              "listFinancialEventsByOrderId");
    }
    std::string events = "/finances/v0/financialEvents?PostedAfter=2020-01-01T00%3A00%3A00Z&MaxResultsPerPage=20";
    int shipment_events = 0, refund_events = 0;
    for (int pages = 0; pages < 100; ++pages) {
        const auto r = f.send("GET", events);
        check(finances.of("ListFinancialEventsResponse"), r, "listFinancialEvents");
        const auto d = parse(r.body);
        shipment_events += static_cast<int>(d["payload"]["FinancialEvents"]["ShipmentEventList"].Size());
        refund_events += static_cast<int>(d["payload"]["FinancialEvents"]["RefundEventList"].Size());
        if (!d["payload"].HasMember("NextToken")) break;
        events = std::string("/finances/v0/financialEvents?NextToken=") + d["payload"]["NextToken"].GetString();
    }
    EXPECT_GT(shipment_events, 100);
    EXPECT_GT(refund_events, 0);
    check(fba.of("GetInventorySummariesResponse"),
          f.send("GET", "/fba/inventory/v1/summaries?details=true&granularityType=Marketplace&granularityId=A13V1IB3VIYZZH&marketplaceIds=A13V1IB3VIYZZH"),
          "getInventorySummaries");

    // Listings Items: every page of both marketplaces, one item alone, the errors.
    ModelSchemas listings("listingsItems_2021-08-01.json");
    std::vector<std::string> skus;
    for (const char* market : {"A1F83G8C2ARO7P", "A13V1IB3VIYZZH"}) {
        const std::string first = std::string("/listings/2021-08-01/items/A2PCGDEMULATOR?marketplaceIds=") + market +
                                  "&includedData=summaries%2Cattributes&pageSize=5";
        std::string target = first;
        for (int pages = 0; pages < 100; ++pages) {
            const auto r = f.send("GET", target);
            ASSERT_EQ(r.status, 200) << r.body;
            check(listings.of("ItemSearchResults"), r, "searchListingsItems");
            const auto d = parse(r.body);
            for (const auto& item : d["items"].GetArray()) {
                skus.emplace_back(item["sku"].GetString());
                EXPECT_STREQ(item["summaries"][0]["marketplaceId"].GetString(), market);
            }
            if (!d.HasMember("pagination") || !d["pagination"].HasMember("nextToken")) break;
            target = first + "&pageToken=" + d["pagination"]["nextToken"].GetString();
        }
    }
    ASSERT_GT(skus.size(), 20u);
    check(listings.of("Item"),
          f.send("GET", "/listings/2021-08-01/items/A2PCGDEMULATOR/" + skus[3] +
                            "?marketplaceIds=A1F83G8C2ARO7P&includedData=summaries%2Cattributes"),
          "getListingsItem");
    check(listings.of("ErrorList"),
          f.send("GET", "/listings/2021-08-01/items/A2PCGDEMULATOR/NO-SUCH-SKU?marketplaceIds=A1F83G8C2ARO7P"),
          "getListingsItem 404");
    const auto bad_market = f.send("GET", "/listings/2021-08-01/items/A2PCGDEMULATOR?marketplaceIds=invalid");
    EXPECT_EQ(bad_market.status, 400);
    check(listings.of("ErrorList"), bad_market, "searchListingsItems 400");

    // Reports: the lifecycle, the document, and the documents' own shapes.
    rapidjson::Document traffic_schema_doc;
    const std::string traffic_schema_text = read_file("models/sellerSalesAndTrafficReport.json");
    traffic_schema_doc.Parse(traffic_schema_text.c_str(), traffic_schema_text.size());
    const rapidjson::SchemaDocument traffic_schema(traffic_schema_doc);
    const auto yesterday = model::format_date(model::floor_div(f.emulator->module().data().clock_ms, 86400000) - 1);
    for (const std::string& body :
         {std::string(R"({"reportType":"GET_MERCHANT_LISTINGS_ALL_DATA","marketplaceIds":["A13V1IB3VIYZZH"],"reportOptions":{"preferredReportDocumentLocale":"en_US"}})"),
          R"({"reportType":"GET_SALES_AND_TRAFFIC_REPORT","marketplaceIds":["A1F83G8C2ARO7P"],"reportOptions":{"dateGranularity":"DAY","asinGranularity":"CHILD"},"dataStartTime":")" +
              yesterday + R"(T00:00:00Z","dataEndTime":")" + yesterday + R"(T23:59:59Z"})"}) {
        const auto created = f.send("POST", "/reports/2021-06-30/reports", body);
        ASSERT_EQ(created.status, 202);
        check(reports.of("CreateReportResponse"), created, "createReport");
        const std::string id = parse(created.body)["reportId"].GetString();
        std::vector<std::string> seen;
        std::string document_id;
        for (int polls = 0; polls < 5 && document_id.empty(); ++polls) {
            const auto r = f.send("GET", "/reports/2021-06-30/reports/" + id);
            check(reports.of("Report"), r, "getReport");
            const auto d = parse(r.body);
            seen.emplace_back(d["processingStatus"].GetString());
            if (d.HasMember("reportDocumentId")) document_id = d["reportDocumentId"].GetString();
        }
        EXPECT_EQ(seen, (std::vector<std::string>{"IN_PROGRESS", "DONE"}));
        const auto doc = f.send("GET", "/reports/2021-06-30/documents/" + document_id);
        check(reports.of("ReportDocument"), doc, "getReportDocument");
        const auto d = parse(doc.body);
        EXPECT_STREQ(d["compressionAlgorithm"].GetString(), "GZIP");
        const std::string url = d["url"].GetString();
        const auto download = f.send("GET", url.substr(url.find("/_docs/")), {}, false);
        ASSERT_EQ(download.status, 200);
        const std::string text = gunzip(download.body);
        ASSERT_FALSE(text.empty());
        if (body.find("LISTINGS") != std::string::npos) {
            EXPECT_EQ(download.content_type, "text/plain;charset=Cp1252");
            EXPECT_EQ(text.rfind("item-name\titem-description\tlisting-id\tseller-sku\t", 0), 0u);
            EXPECT_NE(text.find("\r\n"), std::string::npos) << "the FR file ends its lines with CRLF";
            EXPECT_NE(text.find('\xE9'), std::string::npos) << "é in Cp1252, one byte";
        } else {
            EXPECT_EQ(violations(traffic_schema, text), "") << text.substr(0, 400);
            ++validated;
        }
    }

    // Amazon's errors are ErrorLists too.
    const auto too_recent = f.send("GET", "/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00%3A00%3A00Z&lastUpdatedBefore=" +
                                              model::format_iso8601(f.emulator->module().data().clock_ms + 2 * 60000));
    EXPECT_EQ(too_recent.status, 400);
    EXPECT_NE(too_recent.body.find("at least 2 minutes before current time"), std::string::npos);
    check(orders.of("ErrorList"), too_recent, "too recent");
    const auto two = f.send("GET", "/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00%3A00%3A00Z&createdAfter=2020-01-01T00%3A00%3A00Z");
    EXPECT_EQ(two.status, 400);
    check(orders.of("ErrorList"), two, "both afters");
    check(finances.of("ListFinancialEventsResponse"), f.send("GET", "/finances/v0/financialEvents?PostedAfter=" + model::format_iso8601(f.emulator->module().data().clock_ms + 120000)),
          "posted after too recent");
    EXPECT_GT(validated, 60);
}

TEST(AmazonEmulator, TokensExpireAndAreRefusedAsAmazonDoes) {
    Fixture f("generated,token-ttl-s=60");
    const std::string search = "/orders/2026-01-01/orders?lastUpdatedAfter=2026-01-01T00%3A00%3A00Z";
    EXPECT_EQ(f.send("GET", search).status, 200);
    f.steady_ms += 61'000;
    const auto expired = f.send("GET", search);
    EXPECT_EQ(expired.status, 403);
    EXPECT_NE(expired.body.find("The access token you provided has expired."), std::string::npos);
    f.token = "Atza|forged";
    EXPECT_NE(f.send("GET", search).body.find("revoked, malformed or invalid"), std::string::npos);
    const auto bad = f.send("POST", "/auth/o2/token", "grant_type=refresh_token&refresh_token=nope&client_id=amzn1.application-oa2-client.pcgd-emulator&client_secret=pcgd-emulator-client-secret", false);
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("invalid_grant"), std::string::npos);
    const auto client = f.send("POST", "/auth/o2/token", "grant_type=refresh_token&refresh_token=x&client_id=x&client_secret=y", false);
    EXPECT_EQ(client.status, 401);
    EXPECT_NE(client.body.find("invalid_client"), std::string::npos);
}

TEST(AmazonEmulator, EachOperationHasItsOwnBucketAndSays429QuotaExceeded) {
    Fixture f("generated", 2);
    const std::string search = "/orders/2026-01-01/orders?lastUpdatedAfter=2026-01-01T00%3A00%3A00Z";
    EXPECT_EQ(f.send("GET", search).status, 200);
    EXPECT_EQ(f.send("GET", search).status, 200);
    const auto refused = f.send("GET", search);
    EXPECT_EQ(refused.status, 429);
    EXPECT_NE(refused.body.find("QuotaExceeded"), std::string::npos);
    EXPECT_EQ(header(refused, "x-amzn-RateLimit-Limit"), "") << "often missing on a 429";
    // Another operation draws on its own bucket.
    EXPECT_EQ(f.send("GET", "/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=A1F83G8C2ARO7P&marketplaceIds=A1F83G8C2ARO7P").status, 200);
    f.steady_ms += 1000;
    EXPECT_EQ(f.send("GET", search).status, 200);
}

TEST(AmazonEmulator, ListingsItemsCarryImagesWithSizesAndEansByIdentifiers) {
    Fixture f("generated");
    const auto summary = parse(f.send("GET", "/_amazon/summary", {}, false).body);
    const auto truth = summary["A1F83G8C2ARO7P"]["listings"].GetObject();
    std::vector<std::string> skus;
    for (const auto& l : truth) skus.emplace_back(l.name.GetString());
    ASSERT_GE(skus.size(), 3u);
    const auto r = f.send(
        "GET",
        "/listings/2021-08-01/items/A2PCGDEMULATOR?marketplaceIds=A1F83G8C2ARO7P&includedData=summaries%2Cattributes"
        "&identifiersType=SKU&identifiers=" +
            skus[2] + "%2C" + skus[0] + "&pageSize=20");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto d = parse(r.body);
    EXPECT_EQ(d["numberOfResults"].GetInt(), 2);
    EXPECT_FALSE(d.HasMember("pagination"));
    ASSERT_EQ(d["items"].Size(), 2u);
    int with_images = 0, with_ean = 0;
    for (const auto& item : d["items"].GetArray()) {
        const auto& expected = truth[item["sku"].GetString()];
        const auto& summary = item["summaries"][0];
        EXPECT_STREQ(summary["asin"].GetString(), expected["asin"].GetString());
        const auto& attributes = item["attributes"];
        if (expected["images"].Size() > 0) {
            ++with_images;
            EXPECT_STREQ(summary["mainImage"]["link"].GetString(), expected["images"][0]["url"].GetString());
            EXPECT_EQ(summary["mainImage"]["width"].GetInt(), expected["images"][0]["width"].GetInt());
            EXPECT_EQ(summary["mainImage"]["height"].GetInt(), expected["images"][0]["height"].GetInt());
            EXPECT_STREQ(attributes["main_product_image_locator"][0]["media_location"].GetString(),
                         expected["images"][0]["url"].GetString());
        } else {
            EXPECT_FALSE(summary.HasMember("mainImage"));
        }
        if (std::string(expected["barcode"].GetString()).empty()) {
            EXPECT_FALSE(attributes.HasMember("externally_assigned_product_identifier"));
        } else {
            ++with_ean;
            EXPECT_STREQ(attributes["externally_assigned_product_identifier"][0]["value"].GetString(),
                         expected["barcode"].GetString());
        }
    }
    EXPECT_GT(with_images + with_ean, 0);
    EXPECT_EQ(f.send("GET",
                     "/listings/2021-08-01/items/"
                     "A2PCGDEMULATOR?marketplaceIds=A1F83G8C2ARO7P&identifiersType=ASIN&identifiers=B0X")
                  .status,
              400);
    EXPECT_EQ(
        f.send("GET", "/listings/2021-08-01/items/A2PCGDEMULATOR?marketplaceIds=A1F83G8C2ARO7P&pageSize=21").status,
        400);
    EXPECT_EQ(f.send("GET", "/listings/2021-08-01/items/SOMEONE-ELSE?marketplaceIds=A1F83G8C2ARO7P").status, 400);
}

TEST(AmazonEmulator, SearchListingsItemsHasItsOwnBucketOfFiveAThrottled429) {
    EmulatorOptions o;
    o.platform = "amazon";
    o.generator.seed = 3;
    o.generator.products = 5;
    o.generator.orders = 10;
    std::int64_t steady_ms = 1000;
    o.module.steady_now_ms = [&] { return steady_ms; };
    Emulator e(o);  // the models' usage plans: searchListingsItems 5 rps, burst 5
    const auto send = [&](const std::string& target, const std::string& token) {
        std::map<std::string, std::string> h{{"host", "127.0.0.1:1"}};
        if (!token.empty()) h["x-amz-access-token"] = token;
        return e.dispatch(Request::make("GET", target, {}, h)).response;
    };
    const auto granted =
        e.dispatch(
             Request::make("POST", "/auth/o2/token",
                           "grant_type=refresh_token&refresh_token=Atzr%7Cpcgd-emulator-refresh-token&client_id=amzn1."
                           "application-oa2-client.pcgd-emulator&client_secret=pcgd-emulator-client-secret"))
            .response;
    const std::string token = parse(granted.body)["access_token"].GetString();
    const std::string search = "/listings/2021-08-01/items/A2PCGDEMULATOR?marketplaceIds=A1F83G8C2ARO7P";
    for (int i = 0; i < 5; ++i) {
        const auto r = send(search, token);
        EXPECT_EQ(r.status, 200) << i;
        EXPECT_EQ(header(r, "x-amzn-RateLimit-Limit"), "5");
    }
    const auto refused = send(search, token);
    EXPECT_EQ(refused.status, 429);
    EXPECT_NE(refused.body.find("QuotaExceeded"), std::string::npos);
    steady_ms += 200;  // one token back at 5 per second
    EXPECT_EQ(send(search, token).status, 200);
    EXPECT_EQ(send(search, token).status, 429);
}

TEST(AmazonEmulator, ReportsCanEndFatalOrCancelled) {
    Fixture f("generated,fatal-every=1");
    const auto created = f.send("POST", "/reports/2021-06-30/reports", R"({"reportType":"GET_MERCHANT_LISTINGS_ALL_DATA","marketplaceIds":["A1F83G8C2ARO7P"]})");
    const std::string id = parse(created.body)["reportId"].GetString();
    f.send("GET", "/reports/2021-06-30/reports/" + id);
    EXPECT_STREQ(parse(f.send("GET", "/reports/2021-06-30/reports/" + id).body)["processingStatus"].GetString(), "FATAL");
    Fixture g("generated");
    // A day without traffic has no data: CANCELLED.
    const auto old = g.send("POST", "/reports/2021-06-30/reports",
                            R"({"reportType":"GET_SALES_AND_TRAFFIC_REPORT","marketplaceIds":["A1F83G8C2ARO7P"],"reportOptions":{"asinGranularity":"CHILD"},)"
                            R"("dataStartTime":"2001-01-01T00:00:00Z","dataEndTime":"2001-01-01T23:59:59Z"})");
    const std::string old_id = parse(old.body)["reportId"].GetString();
    g.send("GET", "/reports/2021-06-30/reports/" + old_id);
    EXPECT_STREQ(parse(g.send("GET", "/reports/2021-06-30/reports/" + old_id).body)["processingStatus"].GetString(), "CANCELLED");
}
