// parse_manifest: a valid manifest, then one test per error message. The
// messages are part of the plugin author's experience, so they are pinned
// in full.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "plugin/manifest.hpp"

namespace pcgd::host {
namespace {

// A manifest as (key, raw JSON) pairs, so each test changes one field.
using Fields = std::vector<std::pair<std::string, std::string>>;

Fields valid_fields() {
    return {
        {"id", R"("shop-ify_2")"},
        {"name", R"("Shopify")"},
        {"version", R"("1.4.0")"},
        {"platform", R"("Shopify")"},
        {"datasets", R"(["inventory", "orders", "traffic"])"},
        {"record_schema_version", "1"},
        {"settings", R"([
            {"name": "shop_domain", "type": "string", "description": "myshop.myshopify.com", "required": true},
            {"name": "access_token", "type": "string", "description": "Admin API token", "secret": true, "required": true},
            {"name": "page_size", "type": "integer", "description": "Items per page", "default": 250},
            {"name": "base_url", "type": "url", "description": "API root", "default": "https://x.invalid"},
            {"name": "include_drafts", "type": "boolean", "description": "Read drafts too", "default": {"a": [1, false]}}
        ])"},
    };
}

std::string render(const Fields& fields) {
    std::string out = "{";
    for (const auto& [key, value] : fields) {
        if (out.size() > 1) out += ", ";
        out += '"' + key + "\": " + value;
    }
    return out + "}";
}

std::string with(const std::string& key, const std::string& raw) {
    Fields f = valid_fields();
    for (auto& [k, v] : f)
        if (k == key) {
            v = raw;
            return render(f);
        }
    f.emplace_back(key, raw);
    return render(f);
}

std::string without(const std::string& key) {
    Fields f = valid_fields();
    std::erase_if(f, [&](const auto& kv) { return kv.first == key; });
    return render(f);
}

std::string error_of(const std::string& json) {
    try {
        parse_manifest(json);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

std::string settings_with(const std::string& third) {
    return with("settings", R"([{"name": "a", "type": "string", "description": ""},
                                {"name": "b", "type": "url", "description": ""}, )" + third + "]");
}

TEST(Manifest, ParsesAValidManifest) {
    const PluginManifest m = parse_manifest(render(valid_fields()));
    EXPECT_EQ(m.id, "shop-ify_2");
    EXPECT_EQ(m.name, "Shopify");
    EXPECT_EQ(m.version, "1.4.0");
    EXPECT_EQ(m.platform, "Shopify");
    EXPECT_EQ(m.datasets, (std::vector{sdk::Dataset::inventory, sdk::Dataset::orders, sdk::Dataset::traffic}));
    EXPECT_EQ(m.record_schema_version, 1u);
    ASSERT_EQ(m.settings.size(), 5u);

    const SettingSpec* token = m.setting("access_token");
    ASSERT_NE(token, nullptr);
    EXPECT_EQ(token->type, "string");
    EXPECT_EQ(token->description, "Admin API token");
    EXPECT_TRUE(token->secret);
    EXPECT_TRUE(token->required);
    EXPECT_FALSE(token->default_json);

    const SettingSpec* page = m.setting("page_size");
    ASSERT_NE(page, nullptr);
    EXPECT_FALSE(page->secret);
    EXPECT_FALSE(page->required);
    EXPECT_EQ(page->default_json, "250");
    EXPECT_EQ(m.setting("base_url")->default_json, R"("https://x.invalid")");
    EXPECT_EQ(m.setting("include_drafts")->default_json, R"({"a":[1,false]})");
    EXPECT_EQ(m.setting("nope"), nullptr);
}

TEST(Manifest, AcceptsNoSettingsAndIgnoresUnknownFields) {
    // Unknown fields are ignored so a newer plugin's manifest still loads.
    const PluginManifest m = parse_manifest(with("settings", "[]").insert(1, R"("homepage": "https://x", )"));
    EXPECT_TRUE(m.settings.empty());
}

TEST(Manifest, RejectsTextThatIsNotJson) {
    EXPECT_EQ(error_of("id = shopify"), "manifest: not valid JSON at byte 0: Invalid value.");
}

TEST(Manifest, RejectsANonObject) { EXPECT_EQ(error_of("[1, 2]"), "manifest: expected an object, found an array"); }

TEST(Manifest, RejectsEachMissingRequiredField) {
    for (const char* field : {"id", "name", "version", "platform", "datasets", "record_schema_version", "settings"})
        EXPECT_EQ(error_of(without(field)), std::string("manifest: missing required field '") + field + "'") << field;
}

TEST(Manifest, RejectsANullRequiredFieldAsMissing) {
    EXPECT_EQ(error_of(with("id", "null")), "manifest: missing required field 'id'");
}

TEST(Manifest, RejectsAnIdOfTheWrongType) {
    EXPECT_EQ(error_of(with("id", "42")), "manifest: id: expected a string, found a number");
}

TEST(Manifest, RejectsAnIdThatIsNotLowercaseAscii) {
    for (const char* id : {"Shopify", "shop ify", "shop.ify", ""})
        EXPECT_EQ(error_of(with("id", std::string("\"") + id + "\"")),
                  std::string("manifest: id: '") + id + "' must be lowercase letters, digits, '_' or '-'");
}

TEST(Manifest, RejectsAnEmptyName) { EXPECT_EQ(error_of(with("name", R"("")")), "manifest: name: must not be empty"); }

TEST(Manifest, RejectsAnEmptyVersion) {
    EXPECT_EQ(error_of(with("version", R"("")")), "manifest: version: must not be empty");
}

TEST(Manifest, RejectsAPlatformOfTheWrongType) {
    EXPECT_EQ(error_of(with("platform", "true")), "manifest: platform: expected a string, found a boolean");
}

TEST(Manifest, RejectsDatasetsThatAreNotAnArray) {
    EXPECT_EQ(error_of(with("datasets", R"("orders")")), "manifest: datasets: expected an array, found a string");
}

TEST(Manifest, RejectsNoDatasets) {
    EXPECT_EQ(error_of(with("datasets", "[]")), "manifest: datasets: must list at least one dataset");
}

TEST(Manifest, RejectsAnUnknownDataset) {
    EXPECT_EQ(error_of(with("datasets", R"(["orders", "stock"])")),
              "manifest: datasets[1]: unknown dataset 'stock' (expected inventory, orders or traffic)");
}

TEST(Manifest, RejectsADatasetOfTheWrongType) {
    EXPECT_EQ(error_of(with("datasets", "[1]")), "manifest: datasets[0]: expected a string, found a number");
}

TEST(Manifest, RejectsADatasetListedTwice) {
    EXPECT_EQ(error_of(with("datasets", R"(["orders", "traffic", "orders"])")),
              "manifest: datasets[2]: dataset 'orders' listed twice");
}

TEST(Manifest, RejectsARecordSchemaVersionThatIsNotAnInteger) {
    EXPECT_EQ(error_of(with("record_schema_version", R"("1")")),
              "manifest: record_schema_version: expected an integer, found a string");
    EXPECT_EQ(error_of(with("record_schema_version", "1.5")),
              "manifest: record_schema_version: expected an integer, found a number");
}

TEST(Manifest, RejectsARecordSchemaVersionBelowOne) {
    EXPECT_EQ(error_of(with("record_schema_version", "0")),
              "manifest: record_schema_version: 0 is not a record schema version (the first is 1)");
}

TEST(Manifest, RejectsARecordSchemaVersionNewerThanTheHost) {
    EXPECT_EQ(error_of(with("record_schema_version", "2")), "manifest: record_schema_version: 2 is newer than this host's 1");
}

TEST(Manifest, RejectsSettingsThatAreNotAnArray) {
    EXPECT_EQ(error_of(with("settings", "{}")), "manifest: settings: expected an array, found an object");
}

TEST(Manifest, RejectsASettingThatIsNotAnObject) {
    EXPECT_EQ(error_of(settings_with(R"("token")")), "manifest: settings[2]: expected an object, found a string");
}

TEST(Manifest, RejectsASettingWithoutName) {
    EXPECT_EQ(error_of(settings_with(R"({"type": "string", "description": ""})")),
              "manifest: settings[2]: missing required field 'name'");
}

TEST(Manifest, RejectsASettingWithAnEmptyName) {
    EXPECT_EQ(error_of(settings_with(R"({"name": "", "type": "string", "description": ""})")),
              "manifest: settings[2].name: must not be empty");
}

TEST(Manifest, RejectsASettingWithoutType) {
    EXPECT_EQ(error_of(settings_with(R"({"name": "c", "description": ""})")),
              "manifest: settings[2]: missing required field 'type'");
}

TEST(Manifest, RejectsAnUnknownSettingType) {
    EXPECT_EQ(error_of(settings_with(R"({"name": "c", "type": "int", "description": ""})")),
              "manifest: settings[2].type: unknown type 'int' (expected string, integer, boolean or url)");
}

TEST(Manifest, RejectsASettingWithoutDescription) {
    EXPECT_EQ(error_of(settings_with(R"({"name": "c", "type": "string"})")),
              "manifest: settings[2]: missing required field 'description'");
}

TEST(Manifest, RejectsASecretFlagThatIsNotABoolean) {
    EXPECT_EQ(error_of(settings_with(R"({"name": "c", "type": "string", "description": "", "secret": "yes"})")),
              "manifest: settings[2].secret: expected true or false, found a string");
}

TEST(Manifest, RejectsARequiredFlagThatIsNotABoolean) {
    EXPECT_EQ(error_of(settings_with(R"({"name": "c", "type": "string", "description": "", "required": 1})")),
              "manifest: settings[2].required: expected true or false, found a number");
}

TEST(Manifest, RejectsDuplicateSettingNames) {
    EXPECT_EQ(error_of(settings_with(R"({"name": "a", "type": "integer", "description": ""})")),
              "manifest: settings[2].name: duplicate setting 'a' (also settings[0])");
}

}  // namespace
}  // namespace pcgd::host
