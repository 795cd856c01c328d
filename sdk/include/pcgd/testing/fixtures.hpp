// Reading recorded responses and samples in a plugin's tests, so that every
// connector's tests load them the same way.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <pcgd/sdk/json.hpp>

namespace pcgd::testing {

/// The bytes of `dir/name`, read in binary so that a gzipped report stays
/// whole. Throws naming the file when it cannot be read.
inline std::string read_fixture(const std::string& dir, const std::string& name) {
    const std::string path = dir + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("missing fixture " + path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

/// `text` parsed; throws json::ParseError naming the offset.
inline rapidjson::Document parse_json(std::string_view text) {
    rapidjson::Document doc;
    json::parse(doc, text);
    return doc;
}

/// `value` as compact JSON.
inline std::string to_json(const rapidjson::Value& value) {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> writer(out);
    value.Accept(writer);
    return std::string(out.GetString(), out.GetSize());
}

}  // namespace pcgd::testing
