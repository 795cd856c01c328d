// /api/smes/{id}/programme: where the SME stands in the coaching programme,
// as `pcgd programme status --json`.
#include "coaching/programme.hpp"
#include "server/access.hpp"
#include "server/api.hpp"

namespace pcgd::host::server {

void add_coaching_routes(Router& router, Api& api) {
    router.add("GET", "/api/smes/{id}/programme", [&api](const Call& c) {
        if (auto bad = unknown_parameter(c.request, {})) return *bad;
        const auto& id = c.params.at("id");
        if (auto refused = refusal(*c.principal, sme_access(api.store, *c.principal, id), "SME", id)) return *refused;
        if (!api.store.get_coaching(id))
            return json_error(404, "SME '" + id + "' is not in the programme: no account manager assigned");
        return json_ok(coaching::programme_status_json(id, coaching::programme_status(api.store.list_sessions(id))));
    });
}

}  // namespace pcgd::host::server
