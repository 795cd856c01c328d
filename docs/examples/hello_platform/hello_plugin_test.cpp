// The plugin driven by FakeHost: no network, exact requests and records.
#include <gtest/gtest.h>

#include <pcgd/testing/fake_host.hpp>

using pcgd::testing::FakeHost;

TEST(HelloPlugin, ReadsPagesIntoProductsAndVariants) {
    FakeHost host(pcgd_plugin_get_vtable(),
                  R"({"base_url":"https://api.hello.test","api_key":"k-123","shop":{"currency":"GBP"}})");
    host.begin(pcgd::sdk::Dataset::inventory);

    auto step = host.next_step();
    EXPECT_EQ(step.request.url, "https://api.hello.test/v1/products?page=1");
    EXPECT_EQ(step.request.header("X-Api-Key"), "k-123");

    auto result = host.respond(200, {}, R"({"products":[{"id":"1","title":"Candle","sku":"C-1","price":"12.50","stock":4}],"next_page":2})");
    EXPECT_TRUE(result.checkpoint);
    EXPECT_EQ(result.cursor, "2");
    auto variants = host.records_of<pcgd::model::Variant>();
    ASSERT_EQ(variants.size(), 1u);
    EXPECT_EQ(variants[0].price->minor, 1250);
    EXPECT_EQ(variants[0].stock_total, 4);

    host.next_step();
    host.respond(200, {}, R"({"products":[]})");
    EXPECT_EQ(host.next_step().kind, pcgd::sdk::Step::Kind::done);
}

TEST(HelloPlugin, ARefusedKeyIsAnAuthError) {
    FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://h","api_key":"bad","shop":{"currency":"EUR"}})");
    host.begin(pcgd::sdk::Dataset::inventory);
    host.next_step();
    try {
        host.respond(401, {}, "");
        FAIL();
    } catch (const pcgd::testing::SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_AUTH);
    }
}
