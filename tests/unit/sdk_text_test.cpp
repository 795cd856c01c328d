#include <gtest/gtest.h>

#include <pcgd/sdk/fields.hpp>
#include <pcgd/sdk/text.hpp>

using namespace pcgd;

TEST(SdkText, UrlEncodeKeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(sdk::url_encode("abcXYZ019-_.~"), "abcXYZ019-_.~");
    EXPECT_EQ(sdk::url_encode("updated_at:>='2026-01-01T00:00:00Z'"), "updated_at%3A%3E%3D%272026-01-01T00%3A00%3A00Z%27");
    EXPECT_EQ(sdk::url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    EXPECT_EQ(sdk::url_encode(""), "");
}

TEST(SdkText, HtmlToTextDropsTagsAndDecodesEntities) {
    EXPECT_EQ(sdk::html_to_text("<p>It's the <b>small</b> iPod</p><p>with&nbsp;a&amp;b</p>"), "It's the small iPod with a&b");
    EXPECT_EQ(sdk::html_to_text("<ul>\n  <li>Cire de soja</li>\n  <li>Parfum&eacute;e</li>\n</ul>"), "Cire de soja Parfumée");
    EXPECT_EQ(sdk::html_to_text("Plain text"), "Plain text");
    EXPECT_EQ(sdk::html_to_text("cut <b"), "cut");
    EXPECT_EQ(sdk::html_to_text(""), "");
}

TEST(SdkFields, TypedValuesWithPathsInErrors) {
    rapidjson::Document doc;
    json::parse(doc, R"({"price":"12.50","cur":"EUR","bad":"12,50","at":"2026-01-31T23:30:00Z","gmt":"2026-01-31T23:30:00"})");
    const json::Node root(doc, "item");
    const auto eur = sdk::currency(root.at("cur"));
    EXPECT_EQ(sdk::money(root.at("price"), eur).minor, 1250);
    EXPECT_EQ(sdk::opt_money(root, "missing", eur), std::nullopt);
    EXPECT_EQ(sdk::instant(root.at("at")), 1769902200000);
    EXPECT_EQ(sdk::instant(root.at("gmt"), model::NoZone::utc), 1769902200000);
    try {
        (void)sdk::money(root.at("bad"), eur);
        FAIL();
    } catch (const json::ParseError& e) {
        EXPECT_STREQ(e.what(), "item.bad: not a decimal amount: '12,50'");
    }
    try {
        (void)sdk::instant(root.at("gmt"));
        FAIL();
    } catch (const json::ParseError& e) {
        EXPECT_STREQ(e.what(), "item.gmt: not an ISO 8601 instant: '2026-01-31T23:30:00'");
    }
}

TEST(SdkJson, PathsOfChainedTemporaryViewsAreSafe) {
    // Each at() returns a temporary view; the error must still name the full
    // path without touching the temporaries, which are gone by then.
    rapidjson::Document doc;
    json::parse(doc, R"({"data":{"orders":{"nodes":[{"id":"1"},{"id":2}]}}})");
    const json::Node root(doc, "page");
    try {
        (void)root.at("data").at("orders").at("nodes")[1].at("id").str();
        FAIL();
    } catch (const json::ParseError& e) {
        EXPECT_STREQ(e.what(), "page.data.orders.nodes[1].id: expected a string, found a number");
    }
    const json::Node unnamed(doc, "");
    try {
        (void)unnamed.at("data").at("missing");
        FAIL();
    } catch (const json::ParseError& e) {
        EXPECT_STREQ(e.what(), "data: missing required field 'missing'");
    }
}
