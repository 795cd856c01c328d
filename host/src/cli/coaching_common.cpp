#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <toml++/toml.h>

#include <pcgd/model/time.hpp>

#include "cli/coaching.hpp"

namespace pcgd::host::cli::coaching_cli {

std::int64_t at_ms(const std::string& at) {
    if (at.empty())
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (const auto d = model::parse_date(at)) return *d * 86400000;
    if (const auto t = model::parse_iso8601(at)) return *t;
    throw CommandError("--at must be a date (YYYY-MM-DD) or an ISO 8601 instant, got '" + at + "'", 2);
}

std::int64_t day_of(const std::string& text, const std::string& option) {
    const auto d = model::parse_date(text);
    if (!d) throw CommandError(option + " must be a date (YYYY-MM-DD), got '" + text + "'", 2);
    return *d;
}

const std::string& one_of(const std::vector<Term>& terms, const std::string& value, const std::string& option) {
    if (!pcgd::coaching::find_term(terms, value))
        throw CommandError(option + " must be " + pcgd::coaching::keys_of(terms) + ", got '" + value + "'", 2);
    return value;
}

Sme require_sme(Context& ctx, const std::string& sme_id) {
    auto sme = ctx.store().get_sme(sme_id);
    if (!sme) throw CommandError("no SME '" + sme_id + "' (add it with `pcgd sme add`)", 2);
    return *sme;
}

Manager require_manager(Context& ctx, const std::string& manager_id, const std::string& option) {
    auto m = ctx.store().get_manager(manager_id);
    if (!m) throw CommandError(option + ": no account manager '" + manager_id + "' (add one with `pcgd manager add`)", 2);
    return *m;
}

Coaching require_coaching(Context& ctx, const std::string& sme_id) {
    require_sme(ctx, sme_id);
    auto c = ctx.store().get_coaching(sme_id);
    if (!c) throw CommandError("SME '" + sme_id + "' has no account manager (assign one with `pcgd sme assign`)", 2);
    return *c;
}

void require_coach(const Coaching& c, const std::string& manager_id) {
    if (manager_id == c.manager_id) return;
    for (const auto& e : c.experts)
        if (e == manager_id) return;
    throw CommandError("--by: '" + manager_id + "' neither manages nor advises SME '" + c.sme_id + "' (its account manager is '" +
                           c.manager_id + "')",
                       2);
}

void add_pairs(std::map<std::string, std::string>& out, const std::vector<std::string>& pairs, const std::vector<Term>& terms,
               const std::string& option) {
    for (const auto& p : pairs) {
        const auto eq = p.find('=');
        if (eq == std::string::npos) throw CommandError(option + " expects KEY=TEXT, got '" + p + "'", 2);
        const std::string key = p.substr(0, eq);
        one_of(terms, key, option + " key");
        out[key] = p.substr(eq + 1);
    }
}

void read_answers_file(const std::string& path, std::map<std::string, std::string>& answers,
                       std::map<std::string, std::string>& conclusions) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CommandError("cannot read answers file '" + path + "'", 2);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const auto take = [&](std::map<std::string, std::string>& out, const std::vector<Term>& terms, const std::string& key,
                          const std::string& value) {
        if (!pcgd::coaching::find_term(terms, key))
            throw CommandError(path + ": unknown key '" + key + "' (expected " + pcgd::coaching::keys_of(terms) + ")", 2);
        out[key] = value;
    };
    if (std::filesystem::path(path).extension() == ".json") {
        rapidjson::Document d;
        d.Parse(text.c_str(), text.size());
        if (d.HasParseError() || !d.IsObject()) throw CommandError(path + ": not a JSON object", 2);
        for (const auto& m : d.GetObject()) {
            const std::string key = m.name.GetString();
            if (key == "conclusions" && m.value.IsObject()) {
                for (const auto& c : m.value.GetObject()) {
                    if (!c.value.IsString()) throw CommandError(path + ": conclusions." + c.name.GetString() + " must be text", 2);
                    take(conclusions, pcgd::coaching::conclusion_areas(), c.name.GetString(), c.value.GetString());
                }
                continue;
            }
            if (!m.value.IsString()) throw CommandError(path + ": '" + key + "' must be text", 2);
            take(answers, pcgd::coaching::key_questions(), key, m.value.GetString());
        }
        return;
    }
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        throw CommandError(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": " +
                               std::string(e.description()),
                           2);
    }
    for (const auto& [k, v] : root) {
        const std::string key(k.str());
        if (key == "conclusions" && v.is_table()) {
            for (const auto& [ck, cv] : *v.as_table()) {
                if (!cv.is_string()) throw CommandError(path + ": conclusions." + std::string(ck.str()) + " must be text", 2);
                take(conclusions, pcgd::coaching::conclusion_areas(), std::string(ck.str()), cv.as_string()->get());
            }
            continue;
        }
        if (!v.is_string()) throw CommandError(path + ": '" + key + "' must be text", 2);
        take(answers, pcgd::coaching::key_questions(), key, v.as_string()->get());
    }
}

std::string to_json(const std::map<std::string, std::string>& m) {
    rapidjson::StringBuffer buffer;
    coaching::json::Writer w(buffer);
    w.StartObject();
    for (const auto& [k, v] : m) coaching::json::str(w, k.c_str(), v);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

void print_json(const rapidjson::StringBuffer& buffer) { std::cout << std::string_view(buffer.GetString(), buffer.GetSize()) << '\n'; }

}  // namespace pcgd::host::cli::coaching_cli
