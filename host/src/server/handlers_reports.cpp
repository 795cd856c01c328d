// /api/reports/{tool}: exactly the JSON of `pcgd report TOOL --format json`.
#include <sstream>

#include "analysis/exchange.hpp"
#include "analysis/tools.hpp"
#include "server/access.hpp"
#include "server/api.hpp"

namespace pcgd::host::server {

namespace {

Response report(Api& api, const Call& c) {
    const auto& tool = c.params.at("tool");
    if (tool != "quality" && tool != "opportunities" && tool != "planning" && tool != "growth")
        return json_error(404, "no report '" + tool + "' (quality, opportunities, planning or growth)");
    if (auto bad = unknown_parameter(c.request, {"sme", "shop", "month", "lang", "currency"})) return *bad;
    const auto& q = c.request.query;
    const auto get = [&](const char* name) {
        const auto it = q.find(name);
        return it == q.end() ? std::string() : it->second;
    };
    analysis::ReportRequest request;
    request.sme_id = get("sme");
    request.shop_id = get("shop");
    if (request.sme_id.empty() == request.shop_id.empty())
        return json_error(400, "give exactly one of the parameters sme and shop");
    if (const auto month = get("month"); !month.empty()) {
        request.month = analysis::Month::parse(month);
        if (!request.month) return json_error(400, "month must be YYYY-MM, got '" + month + "'");
    }
    if (const auto lang = get("lang"); !lang.empty()) {
        if (lang != "en" && lang != "fr") return json_error(400, "lang must be en or fr, got '" + lang + "'");
        request.lang = lang == "fr" ? analysis::Lang::fr : analysis::Lang::en;
    }
    if (const auto currency = get("currency"); !currency.empty()) {
        request.currency = model::Currency::parse(currency);
        if (!request.currency)
            return json_error(400, "currency must be an ISO 4217 code such as GBP or EUR, got '" + currency + "'");
    }
    // Access first: a refused scope is never resolved, so no error message
    // can tell an SME token anything about another SME's data.
    const auto refused =
        request.sme_id.empty()
            ? refusal(*c.principal, shop_access(c.store, *c.principal, request.shop_id), "shop", request.shop_id)
            : refusal(*c.principal, sme_access(c.store, *c.principal, request.sme_id), "SME", request.sme_id);
    if (refused) return *refused;
    request.now_ms = api.now_ms();
    try {
        const analysis::Scope scope = analysis::resolve_scope(c.store, request);
        const analysis::Report report = analysis::run_tool(tool, c.store, c.config, scope);
        std::ostringstream out;
        analysis::render(report, analysis::Format::json, scope.lang, out);
        return json_ok(std::move(out).str());
    } catch (const analysis::InputError& e) {
        return json_error(400, e.what());
    } catch (const analysis::MissingRate& e) {
        // The request is well formed but the store lacks a rate to answer it.
        return json_error(422, e.what());
    }
}

}  // namespace

void add_report_routes(Router& router, Api& api) {
    router.add("GET", "/api/reports/{tool}", [&api](const Call& c) { return report(api, c); });
}

}  // namespace pcgd::host::server
