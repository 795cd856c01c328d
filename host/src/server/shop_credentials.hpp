// A shop's credentials in clear, for the routes that need them (webhook
// secrets, OAuth client secrets): opened with the service's vault.
#pragma once

#include <map>
#include <string>

#include "server/api.hpp"

namespace pcgd::host::server {

/// The Api's vault (run_service loads it before serving). Throws
/// std::runtime_error when the Api has none.
const Vault& service_vault(const Api& api);

/// The shop's credentials; empty when it has none. Throws when they cannot
/// be decrypted.
std::map<std::string, std::string> shop_credentials(const Api& api, const ShopRecord& shop);

/// `text` made safe for one log line: printable ASCII, at most 80 bytes.
std::string loggable(std::string_view text);

}  // namespace pcgd::host::server
