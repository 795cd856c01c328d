// Reading and writing JSON with RapidJSON, with errors that name the path of
// the offending value ("data.orders.nodes[3].totalPriceSet: expected object").
// Used by the record model and by plugins reading platform responses.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace pcgd::json {

/// A value had the wrong shape. The message starts with the value's path.
class ParseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A read-only view of a JSON value that can name its path in errors.
/// A view holds no link to the view it came from, so a chain of calls such
/// as `n.at("a").at("b")` leaves nothing dangling: on an error (rare) the
/// path is found by searching the document from its root.
/// OWNERSHIP: borrows the document; keep it alive while views of it are used.
class Node {
public:
    Node(const rapidjson::Value& value, std::string_view root_name = "$") noexcept
        : value_(&value), root_(&value), root_name_(root_name) {}

    const rapidjson::Value& raw() const noexcept { return *value_; }
    bool is_null() const noexcept { return value_->IsNull(); }
    bool is_object() const noexcept { return value_->IsObject(); }
    bool is_array() const noexcept { return value_->IsArray(); }
    bool is_string() const noexcept { return value_->IsString(); }

    /// The member `key`; throws if this is not an object or the member is missing.
    Node at(const char* key) const {
        auto m = find(key);
        if (!m) fail(std::string("missing required field '") + key + "'");
        return *m;
    }

    /// The member `key`, or nothing when it is missing or null.
    std::optional<Node> find(const char* key) const {
        require_object();
        auto it = value_->FindMember(key);
        if (it == value_->MemberEnd() || it->value.IsNull()) return std::nullopt;
        return Node(it->value, *this);
    }

    bool has(const char* key) const { return find(key).has_value(); }

    std::size_t size() const {
        require_array();
        return value_->Size();
    }

    Node operator[](std::size_t i) const {
        require_array();
        if (i >= value_->Size()) fail("index " + std::to_string(i) + " out of range");
        return Node((*value_)[static_cast<rapidjson::SizeType>(i)], *this);
    }

    /// Calls f(Node) for each element; throws if this is not an array.
    template <class F>
    void for_each(F&& f) const {
        require_array();
        for (const auto& element : value_->GetArray()) f(Node(element, *this));
    }

    /// Calls f(std::string_view key, Node) for each member.
    template <class F>
    void for_each_member(F&& f) const {
        require_object();
        for (const auto& m : value_->GetObject())
            f(std::string_view(m.name.GetString(), m.name.GetStringLength()), Node(m.value, *this));
    }

    std::string_view str() const {
        if (!value_->IsString()) fail(std::string("expected a string, found ") + type_name());
        return {value_->GetString(), value_->GetStringLength()};
    }

    std::int64_t i64() const {
        if (value_->IsInt64()) return value_->GetInt64();
        if (value_->IsDouble()) {
            const double d = value_->GetDouble();
            if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d < 9.2e18 && d > -9.2e18)
                return static_cast<std::int64_t>(d);
        }
        fail(std::string("expected an integer, found ") + type_name());
    }

    /// An integer sent either as a number or as a decimal string ("42").
    std::int64_t i64_lenient() const {
        if (value_->IsString()) {
            std::string_view s = str();
            std::int64_t v = 0;
            bool neg = !s.empty() && s[0] == '-';
            std::size_t i = neg ? 1 : 0;
            if (i == s.size()) fail("expected an integer, found '" + std::string(s) + "'");
            for (; i < s.size(); ++i) {
                if (s[i] < '0' || s[i] > '9' || v > 922337203685477580) fail("expected an integer, found '" + std::string(s) + "'");
                v = v * 10 + (s[i] - '0');
            }
            return neg ? -v : v;
        }
        return i64();
    }

    double number() const {
        if (!value_->IsNumber()) fail(std::string("expected a number, found ") + type_name());
        return value_->GetDouble();
    }

    bool boolean() const {
        if (!value_->IsBool()) fail(std::string("expected true or false, found ") + type_name());
        return value_->GetBool();
    }

    /// Convenience for optional members.
    std::string_view str_or(const char* key, std::string_view fallback) const {
        auto m = find(key);
        return m ? m->str() : fallback;
    }
    std::optional<std::int64_t> opt_i64(const char* key) const {
        auto m = find(key);
        if (!m) return std::nullopt;
        return m->i64();
    }
    bool bool_or(const char* key, bool fallback) const {
        auto m = find(key);
        return m ? m->boolean() : fallback;
    }

    /// "data.orders.nodes[3].id"
    std::string path() const {
        std::string p(root_name_);
        append_path(*root_, p);
        return p;
    }

    /// Throws ParseError prefixed with this value's path.
    [[noreturn]] void fail(const std::string& what) const { throw ParseError(path() + ": " + what); }

    const char* type_name() const noexcept {
        switch (value_->GetType()) {
        case rapidjson::kNullType: return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType: return "a boolean";
        case rapidjson::kObjectType: return "an object";
        case rapidjson::kArrayType: return "an array";
        case rapidjson::kStringType: return "a string";
        case rapidjson::kNumberType: return "a number";
        }
        return "unknown";
    }

private:
    /// A child view: same document, same root.
    Node(const rapidjson::Value& value, const Node& from) noexcept
        : value_(&value), root_(from.root_), root_name_(from.root_name_) {}

    /// Appends the path from `here` down to this view's value; false when it
    /// is not below `here`.
    bool append_path(const rapidjson::Value& here, std::string& out) const {
        if (&here == value_) return true;
        const std::size_t mark = out.size();
        if (here.IsObject()) {
            for (const auto& m : here.GetObject()) {
                if (!out.empty()) out += '.';
                out.append(m.name.GetString(), m.name.GetStringLength());
                if (append_path(m.value, out)) return true;
                out.resize(mark);
            }
        } else if (here.IsArray()) {
            std::size_t i = 0;
            for (const auto& element : here.GetArray()) {
                out += '[' + std::to_string(i++) + ']';
                if (append_path(element, out)) return true;
                out.resize(mark);
            }
        }
        return false;
    }

    void require_object() const {
        if (!value_->IsObject()) fail(std::string("expected an object, found ") + type_name());
    }
    void require_array() const {
        if (!value_->IsArray()) fail(std::string("expected an array, found ") + type_name());
    }

    const rapidjson::Value* value_;
    const rapidjson::Value* root_;
    std::string_view root_name_;
};

/// Parses `text` into `doc` (in situ is not used: `text` may be a borrowed
/// view). Throws ParseError naming the offset and RapidJSON's reason.
inline void parse(rapidjson::Document& doc, std::string_view text, std::string_view what = "JSON") {
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
    if (doc.HasParseError()) {
        throw ParseError(std::string(what) + " is not valid JSON at byte " + std::to_string(doc.GetErrorOffset()) +
                         ": " + rapidjson::GetParseError_En(doc.GetParseError()));
    }
}

/// A compact JSON writer into a reusable string buffer.
class Writer {
public:
    Writer() : writer_(buffer_) {}

    void clear() {
        buffer_.Clear();
        writer_.Reset(buffer_);
    }
    std::string_view view() const noexcept { return {buffer_.GetString(), buffer_.GetSize()}; }
    /// Hands what was written so far to `sink` (called with a string_view)
    /// and forgets it, while the document goes on: a large document is
    /// streamed out in pieces instead of held whole.
    template <class Sink>
    void drain(Sink&& sink) {
        sink(view());
        buffer_.Clear();
    }

    Writer& begin_object() { writer_.StartObject(); return *this; }
    Writer& end_object() { writer_.EndObject(); return *this; }
    Writer& begin_array() { writer_.StartArray(); return *this; }
    Writer& end_array() { writer_.EndArray(); return *this; }
    Writer& key(std::string_view k) { writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); return *this; }
    Writer& value(std::string_view s) { writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); return *this; }
    Writer& value(const char* s) { return value(std::string_view(s)); }
    Writer& value(const std::string& s) { return value(std::string_view(s)); }
    Writer& value(std::int64_t v) { writer_.Int64(v); return *this; }
    Writer& value(std::int32_t v) { writer_.Int(v); return *this; }
    Writer& value(std::uint32_t v) { writer_.Uint(v); return *this; }
    Writer& value(std::uint64_t v) { writer_.Uint64(v); return *this; }
    Writer& value(bool v) { writer_.Bool(v); return *this; }
    Writer& value(double v) { writer_.Double(v); return *this; }
    Writer& null() { writer_.Null(); return *this; }
    /// Inserts already-serialised JSON verbatim.
    Writer& raw(std::string_view json) {
        writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
        return *this;
    }

    template <class T>
    Writer& field(std::string_view k, const T& v) { key(k); return value(v); }

private:
    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace pcgd::json
