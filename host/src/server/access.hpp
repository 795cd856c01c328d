// Who may read what. Admin: everything. An account manager: the SMEs they
// coach (as account manager or expert: Store::coached_smes) and their shops.
// An SME: itself and its own shops, read-only.
//
// Refusals: an unknown SME or shop is 404; a known one out of reach is 403
// for admin and managers, but 404 with the very same body as an unknown one
// for SME tokens, so an SME cannot learn that another SME or shop exists.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "server/auth.hpp"
#include "server/http_types.hpp"
#include "store/store.hpp"

namespace pcgd::host::server {

enum class Access { allowed, forbidden, unknown };

Access sme_access(Store& store, const Principal& who, std::string_view sme_id);
Access shop_access(Store& store, const Principal& who, std::string_view shop_id);

/// The SMEs `who` may read, by id.
std::vector<Sme> visible_smes(Store& store, const Principal& who);

/// The response for a refused access (kind: "SME" or "shop"); nullopt when allowed.
std::optional<Response> refusal(const Principal& who, Access access, std::string_view kind, std::string_view id);

}  // namespace pcgd::host::server
