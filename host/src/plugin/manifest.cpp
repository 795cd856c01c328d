// Parsing and checking a plugin's manifest (format: docs/manifest.md).
#include "plugin/manifest.hpp"

#include <stdexcept>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <pcgd/abi.h>
#include <pcgd/sdk/json.hpp>

namespace pcgd::host {

namespace {

// Every message starts with "manifest: " and, below the root, the JSON path
// of the offending value, so a plugin author can find it without a debugger.
[[noreturn]] void fail(const json::Node& at, const std::string& what) {
    const std::string path = at.path();
    throw std::invalid_argument("manifest: " + (path.empty() ? what : path + ": " + what));
}

// Node::at would name the root as "" (we give it no name, so that child
// paths read "settings[2].type" rather than "$.settings[2].type").
json::Node required(const json::Node& object, const char* key) {
    auto member = object.find(key);
    if (!member) fail(object, std::string("missing required field '") + key + "'");
    return *member;
}

std::string non_empty_string(const json::Node& node) {
    std::string s(node.str());
    if (s.empty()) fail(node, "must not be empty");
    return s;
}

bool is_valid_id(std::string_view id) {
    if (id.empty()) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

bool is_known_setting_type(std::string_view type) {
    return type == "string" || type == "integer" || type == "boolean" || type == "url";
}

std::string to_json_text(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

SettingSpec parse_setting(const json::Node& node, const std::vector<SettingSpec>& earlier) {
    if (!node.is_object()) fail(node, std::string("expected an object, found ") + node.type_name());
    SettingSpec spec;
    const json::Node name = required(node, "name");
    spec.name = non_empty_string(name);
    for (std::size_t i = 0; i < earlier.size(); ++i)
        if (earlier[i].name == spec.name)
            fail(name, "duplicate setting '" + spec.name + "' (also settings[" + std::to_string(i) + "])");

    const json::Node type = required(node, "type");
    spec.type = std::string(type.str());
    if (!is_known_setting_type(spec.type))
        fail(type, "unknown type '" + spec.type + "' (expected string, integer, boolean or url)");

    spec.description = std::string(required(node, "description").str());
    spec.secret = node.bool_or("secret", false);
    spec.required = node.bool_or("required", false);
    // Any JSON value is accepted as a default; it is kept as text so the
    // config layer can check it against the type with the shop's values.
    if (auto d = node.find("default")) spec.default_json = to_json_text(d->raw());
    return spec;
}

}  // namespace

const SettingSpec* PluginManifest::setting(std::string_view name) const {
    for (const auto& s : settings)
        if (s.name == name) return &s;
    return nullptr;
}

PluginManifest parse_manifest(std::string_view text) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError())
        throw std::invalid_argument("manifest: not valid JSON at byte " + std::to_string(doc.GetErrorOffset()) + ": " +
                                    rapidjson::GetParseError_En(doc.GetParseError()));
    const json::Node root(doc, "");
    if (!root.is_object()) fail(root, std::string("expected an object, found ") + root.type_name());

    PluginManifest m;
    try {
        const json::Node id = required(root, "id");
        m.id = std::string(id.str());
        if (!is_valid_id(m.id)) fail(id, "'" + m.id + "' must be lowercase letters, digits, '_' or '-'");
        m.name = non_empty_string(required(root, "name"));
        m.version = non_empty_string(required(root, "version"));
        m.platform = non_empty_string(required(root, "platform"));

        const json::Node datasets = required(root, "datasets");
        if (!datasets.is_array()) fail(datasets, std::string("expected an array, found ") + datasets.type_name());
        if (datasets.size() == 0) fail(datasets, "must list at least one dataset");
        datasets.for_each([&](const json::Node& d) {
            const std::string name(d.str());
            const auto dataset = sdk::dataset_from_string(name);
            if (!dataset) fail(d, "unknown dataset '" + name + "' (expected inventory, orders or traffic)");
            for (auto earlier : m.datasets)
                if (earlier == *dataset) fail(d, "dataset '" + name + "' listed twice");
            m.datasets.push_back(*dataset);
        });

        const json::Node schema = required(root, "record_schema_version");
        const std::int64_t version = schema.i64();
        if (version < 1) fail(schema, std::to_string(version) + " is not a record schema version (the first is 1)");
        if (version > static_cast<std::int64_t>(PCGD_RECORD_SCHEMA_VERSION))
            fail(schema, std::to_string(version) + " is newer than this host's " +
                             std::to_string(PCGD_RECORD_SCHEMA_VERSION));
        m.record_schema_version = static_cast<std::uint32_t>(version);

        const json::Node settings = required(root, "settings");
        if (!settings.is_array()) fail(settings, std::string("expected an array, found ") + settings.type_name());
        settings.for_each([&](const json::Node& s) { m.settings.push_back(parse_setting(s, m.settings)); });
    } catch (const json::ParseError& e) {
        // Type errors raised by Node already carry the path.
        throw std::invalid_argument(std::string("manifest: ") + e.what());
    }
    return m;
}

}  // namespace pcgd::host
