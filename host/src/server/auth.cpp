#include "server/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace pcgd::host::server {

std::optional<Role> role_from_string(std::string_view s) noexcept {
    if (s == "admin") return Role::admin;
    if (s == "manager") return Role::manager;
    if (s == "sme") return Role::sme;
    return std::nullopt;
}

const char* to_string(Role role) noexcept {
    switch (role) {
        case Role::admin:
            return "admin";
        case Role::manager:
            return "manager";
        case Role::sme:
            return "sme";
    }
    return "?";
}

namespace {
std::string hex(const unsigned char* bytes, std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    return out;
}
}  // namespace

std::string new_token() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("the system's random generator failed: no token created");
    return "pcgd_" + hex(bytes.data(), bytes.size());
}

std::string token_hash(std::string_view token) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
    return hex(digest.data(), digest.size());
}

std::optional<Principal> authenticate(Store& store, std::string_view authorization) {
    constexpr std::string_view scheme = "bearer ";
    if (authorization.size() <= scheme.size()) return std::nullopt;
    for (std::size_t i = 0; i < scheme.size(); ++i)  // the scheme is case-insensitive (RFC 9110 11.1)
        if (static_cast<char>(std::tolower(static_cast<unsigned char>(authorization[i]))) != scheme[i])
            return std::nullopt;
    std::string_view token = authorization.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.empty()) return std::nullopt;
    const std::string hash = token_hash(token);
    std::optional<Principal> found;
    for (const auto& t : store.list_tokens()) {
        if (t.revoked_at_ms || t.hash.size() != hash.size()) continue;
        // No early exit: every live hash is compared whole.
        if (CRYPTO_memcmp(t.hash.data(), hash.data(), hash.size()) == 0) {
            const auto role = role_from_string(t.role);
            if (role) found = Principal{*role, t.subject, t.id};
        }
    }
    return found;
}

}  // namespace pcgd::host::server
