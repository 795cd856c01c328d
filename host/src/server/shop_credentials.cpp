#include "server/shop_credentials.hpp"

namespace pcgd::host::server {

const Vault& service_vault(Api& api) {
    if (!api.vault)
        api.vault = std::make_shared<const Vault>(Vault::from_environment_or_file(api.config.key_file.string()));
    return *api.vault;
}

std::map<std::string, std::string> shop_credentials(Api& api, const ShopRecord& shop) {
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
