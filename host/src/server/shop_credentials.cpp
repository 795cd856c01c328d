#include "server/shop_credentials.hpp"

#include <stdexcept>

namespace pcgd::host::server {

const Vault& service_vault(const Api& api) {
    // Loaded up front, never lazily: handlers run on several threads.
    if (!api.vault) throw std::runtime_error("the service was started without its secret key");
    return *api.vault;
}

std::map<std::string, std::string> shop_credentials(const Api& api, const ShopRecord& shop) {
    if (shop.sealed_credentials.empty()) return {};
    return service_vault(api).open(shop.sealed_credentials);
}

std::string loggable(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (text.size() > 80) out += "...";
    return out;
}

}  // namespace pcgd::host::server
