// Printable, self-contained HTML of a session record and of the new-market
// entry plan, in English or French: inline CSS with a print stylesheet, no
// script, no external asset, so the file prints the same anywhere.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coaching/plan_draft.hpp"
#include "coaching/snapshot.hpp"
#include "coaching/texts.hpp"
#include "store/store.hpp"

namespace pcgd::coaching {

struct People {
    host::Sme sme;
    host::Coaching coaching;
    std::map<std::string, host::Manager> managers;  // by id
    std::string name_of(const std::string& manager_id) const;
};

struct SessionDocument {
    People people;
    host::Session session;
    std::optional<host::Session> previous;  // the session the figures are compared with
    std::vector<host::Action> actions;      // agreed in the session
};

struct PlanDocument {
    People people;
    host::Plan plan;
    PlanDraft draft;
    std::vector<host::Action> actions;  // the plan's
};

std::string session_html(const SessionDocument& doc, Lang lang);
std::string plan_html(const PlanDocument& doc, Lang lang);

/// Escapes &, <, >, " and ' for HTML text and attributes.
std::string escape(std::string_view text);

/// The answers or conclusions of a session: a JSON object of strings.
std::map<std::string, std::string> string_map(const std::string& json);

}  // namespace pcgd::coaching
