#include "server/access.hpp"

#include <algorithm>
#include <string>

namespace pcgd::host::server {

namespace {
bool coaches(Store& store, const std::string& manager, std::string_view sme_id) {
    const auto smes = store.coached_smes(manager);
    return std::find(smes.begin(), smes.end(), sme_id) != smes.end();
}
}  // namespace

Access sme_access(Store& store, const Principal& who, std::string_view sme_id) {
    if (!store.get_sme(sme_id)) return Access::unknown;
    switch (who.role) {
        case Role::admin:
            return Access::allowed;
        case Role::manager:
            return coaches(store, who.subject, sme_id) ? Access::allowed : Access::forbidden;
        case Role::sme:
            return who.subject == sme_id ? Access::allowed : Access::forbidden;
    }
    return Access::forbidden;
}

Access shop_access(Store& store, const Principal& who, std::string_view shop_id) {
    const auto shop = store.get_shop(shop_id);
    if (!shop) return Access::unknown;
    if (who.role == Role::admin) return Access::allowed;
    // A shop without an SME belongs to nobody a manager or an SME could be.
    if (shop->sme_id.empty()) return Access::forbidden;
    return sme_access(store, who, shop->sme_id) == Access::allowed ? Access::allowed : Access::forbidden;
}

std::vector<Sme> visible_smes(Store& store, const Principal& who) {
    std::vector<Sme> out;
    for (auto& sme : store.list_smes())
        if (who.role == Role::admin || (who.role == Role::sme && sme.id == who.subject) ||
            (who.role == Role::manager && coaches(store, who.subject, sme.id)))
            out.push_back(std::move(sme));
    return out;
}

std::optional<Response> refusal(const Principal& who, Access access, std::string_view kind, std::string_view id) {
    if (access == Access::allowed) return std::nullopt;
    const std::string unknown = "no " + std::string(kind) + " '" + std::string(id) + "'";
    if (access == Access::unknown || who.role == Role::sme) return json_error(404, unknown);
    return json_error(403, std::string(kind) + " '" + std::string(id) + "' is not among those this token may read");
}

}  // namespace pcgd::host::server
