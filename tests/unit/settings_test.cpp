#include <gtest/gtest.h>

#include "sync/sync_engine.hpp"

using namespace pcgd::host;

TEST(PluginSettings, MergesIdentityBaseUrlSettingsAndCredentials) {
    ShopRecord shop;
    shop.shop = pcgd::model::Shop{"maison-gb", "testshop", "GB", pcgd::model::Currency::of("GBP"), "Europe/London"};
    shop.base_url = "https://127.0.0.1:8443";
    shop.settings_json = R"({"page_size":50,"base_url":"https://ignored","client_secret":"stale"})";
    const std::string json = plugin_settings_json(shop, {{"client_secret", "s3cret"}});
    EXPECT_EQ(json,
              R"({"page_size":50,"base_url":"https://127.0.0.1:8443","client_secret":"s3cret",)"
              R"("shop":{"id":"maison-gb","platform":"testshop","country":"GB","currency":"GBP","time_zone":"Europe/London"}})");
}

TEST(PluginSettings, RejectsSettingsThatAreNotAnObject) {
    ShopRecord shop;
    shop.shop.id = "x";
    shop.settings_json = "[1]";
    EXPECT_THROW(plugin_settings_json(shop, {}), std::invalid_argument);
    shop.settings_json = "{";
    EXPECT_THROW(plugin_settings_json(shop, {}), pcgd::json::ParseError);
}
