// A plugin's manifest: who it is and which settings it takes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pcgd/sdk/plugin.hpp>

namespace pcgd::host {

struct SettingSpec {
    std::string name;
    std::string type;           // "string", "integer", "boolean", "url"
    std::string description;
    bool secret = false;        // stored sealed, never logged
    bool required = false;
    std::optional<std::string> default_json;  // the default as a JSON value
};

struct PluginManifest {
    std::string id;        // "shopify"; unique among loaded plugins
    std::string name;
    std::string version;   // the plugin's own semver
    std::string platform;  // "Shopify"
    std::vector<sdk::Dataset> datasets;
    std::uint32_t record_schema_version = 0;
    std::vector<SettingSpec> settings;

    const SettingSpec* setting(std::string_view name) const;
};

/// Parses and checks a manifest. Throws std::invalid_argument saying what is
/// wrong ("manifest: missing required field 'id'", "unknown dataset 'stock'",
/// "record_schema_version 2 is newer than this host's 1").
PluginManifest parse_manifest(std::string_view json);

}  // namespace pcgd::host
