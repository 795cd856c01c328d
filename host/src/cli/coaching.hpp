// What the coaching commands (coaching_*.cpp) share: checks that refuse bad
// input with exit code 2 before anything is stored, the --at clock, and the
// answers file reader.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "coaching/texts.hpp"
#include "coaching/json.hpp"
#include "coaching/records_json.hpp"

namespace pcgd::host::cli::coaching_cli {

using pcgd::coaching::Term;

/// Milliseconds since the epoch of --at (YYYY-MM-DD, midnight UTC, or an
/// ISO 8601 instant), or now when empty.
std::int64_t at_ms(const std::string& at);
/// A day of an option (YYYY-MM-DD).
std::int64_t day_of(const std::string& text, const std::string& option);
/// The key itself when it is one of `terms`, else exit 2 naming the choices.
const std::string& one_of(const std::vector<Term>& terms, const std::string& value, const std::string& option);

Sme require_sme(Context& ctx, const std::string& sme_id);
Manager require_manager(Context& ctx, const std::string& manager_id, const std::string& option = "--by");
/// The SME's coaching, or exit 2 when no account manager is assigned.
Coaching require_coaching(Context& ctx, const std::string& sme_id);
/// Refuses (exit 2) a manager who neither manages nor advises the SME.
void require_coach(const Coaching& coaching, const std::string& manager_id);

/// KEY=TEXT options into a map, keys checked against `terms`.
void add_pairs(std::map<std::string, std::string>& out, const std::vector<std::string>& pairs, const std::vector<Term>& terms,
               const std::string& option);
/// Reads answers (the key questions) and an optional `conclusions` table
/// from a TOML or JSON file (by its extension: .json, else TOML).
void read_answers_file(const std::string& path, std::map<std::string, std::string>& answers,
                       std::map<std::string, std::string>& conclusions);

std::string to_json(const std::map<std::string, std::string>& m);

/// Runs `f`, turning the tools' input errors into exit code 2.
template <class F>
auto with_tools(F&& f) -> decltype(f());

/// Writes `json` (a whole document) to stdout with a newline.
void print_json(const rapidjson::StringBuffer& buffer);

}  // namespace pcgd::host::cli::coaching_cli

#include "coaching/goals.hpp"

namespace pcgd::host::cli {

/// Every goal of the SME with its progress as of --at (coaching_followup.cpp).
std::vector<pcgd::coaching::GoalProgress> goal_progress_of(Context& ctx, const std::string& sme_id, const std::string& at);
std::string goal_line(const pcgd::coaching::GoalProgress& p);
/// `pcgd export session|plan` (coaching_export.cpp), called by `pcgd export`.
struct DocumentExport {
    std::string kind, sme, lang, format, output;
    std::int64_t id = 0;
};
void export_document(Context& ctx, const DocumentExport& e);
/// `pcgd programme report` (coaching_report.cpp).
void add_programme_report(CLI::App& programme, Context& ctx);

}  // namespace pcgd::host::cli

namespace pcgd::host::cli::coaching_cli {

}  // namespace pcgd::host::cli::coaching_cli

#include "analysis/exchange.hpp"
#include "analysis/scope.hpp"

namespace pcgd::host::cli::coaching_cli {

template <class F>
auto with_tools(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const analysis::InputError& e) {
        throw CommandError(e.what(), 2);
    } catch (const analysis::MissingRate& e) {
        throw CommandError(e.what(), 2);
    } catch (const std::invalid_argument& e) {
        throw CommandError(e.what(), 2);
    }
}

}  // namespace pcgd::host::cli::coaching_cli
