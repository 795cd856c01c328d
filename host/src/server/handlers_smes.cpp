// /api/smes, /api/smes/{id}, /api/smes/{id}/shops: the JSON of `pcgd sme
// list --json` (one element for one SME) and `pcgd shop list --json`.
#include "export/listing_json.hpp"
#include "server/access.hpp"
#include "server/api.hpp"

namespace pcgd::host::server {

void add_sme_routes(Router& router, Api& api) {
    router.add("GET", "/api/smes", [&api](const Call& c) {
        if (auto bad = unknown_parameter(c.request, {})) return *bad;
        const auto shops = c.store.list_shops();
        json::Writer w;
        w.begin_array();
        for (const auto& sme : visible_smes(c.store, *c.principal)) write_sme_json(w, sme, shops);
        w.end_array();
        return json_ok(std::string(w.view()));
    });
    router.add("GET", "/api/smes/{id}", [&api](const Call& c) {
        if (auto bad = unknown_parameter(c.request, {})) return *bad;
        const auto& id = c.params.at("id");
        if (auto refused = refusal(*c.principal, sme_access(c.store, *c.principal, id), "SME", id)) return *refused;
        json::Writer w;
        write_sme_json(w, *c.store.get_sme(id), c.store.list_shops());
        return json_ok(std::string(w.view()));
    });
    router.add("GET", "/api/smes/{id}/shops", [&api](const Call& c) {
        if (auto bad = unknown_parameter(c.request, {})) return *bad;
        const auto& id = c.params.at("id");
        if (auto refused = refusal(*c.principal, sme_access(c.store, *c.principal, id), "SME", id)) return *refused;
        std::vector<ShopRecord> shops;
        for (auto& s : c.store.list_shops())
            if (s.sme_id == id) shops.push_back(std::move(s));
        return json_ok(shops_json(c.store, shops));
    });
}

}  // namespace pcgd::host::server
