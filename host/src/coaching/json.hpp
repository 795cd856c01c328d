// Small rapidjson helpers shared by the coaching documents.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace pcgd::coaching::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void str(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}
inline void num(Writer& w, const char* key, std::int64_t value) {
    w.Key(key);
    w.Int64(value);
}
inline void opt(Writer& w, const char* key, const std::optional<std::int64_t>& value) {
    w.Key(key);
    if (value) w.Int64(*value);
    else w.Null();
}

inline rapidjson::Document parse(const std::string& text, const char* what) {
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError()) throw std::runtime_error(std::string(what) + ": not valid JSON");
    return d;
}

inline const rapidjson::Value& member(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject() || !v.HasMember(key)) throw std::runtime_error(std::string("missing member '") + key + "'");
    return v[key];
}
inline std::string get_str(const rapidjson::Value& v, const char* key) {
    const auto& m = member(v, key);
    if (!m.IsString()) throw std::runtime_error(std::string("member '") + key + "' is not a string");
    return {m.GetString(), m.GetStringLength()};
}
inline std::int64_t get_int(const rapidjson::Value& v, const char* key) {
    const auto& m = member(v, key);
    if (!m.IsInt64()) throw std::runtime_error(std::string("member '") + key + "' is not an integer");
    return m.GetInt64();
}
inline std::optional<std::int64_t> get_opt(const rapidjson::Value& v, const char* key) {
    const auto& m = member(v, key);
    if (m.IsNull()) return std::nullopt;
    if (!m.IsInt64()) throw std::runtime_error(std::string("member '") + key + "' is not an integer");
    return m.GetInt64();
}

}  // namespace pcgd::coaching::json
