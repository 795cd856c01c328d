// API tokens and who holds them. A token is 32 random bytes shown once as
// "pcgd_" + 64 hex digits; the store keeps only its SHA-256 (store.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace pcgd::host::server {

enum class Role { admin, manager, sme };

std::optional<Role> role_from_string(std::string_view s) noexcept;
const char* to_string(Role role) noexcept;

/// Who a request comes from.
struct Principal {
    Role role = Role::sme;
    std::string subject;  // the manager's or the SME's id; empty for admin
    std::int64_t token_id = 0;
};

/// A new random token (from the OpenSSL CSPRNG).
std::string new_token();

/// SHA-256 of the token, lower-case hex: what the store keeps.
std::string token_hash(std::string_view token);

/// The principal of an `Authorization: Bearer TOKEN` header, or nullopt when
/// the header is missing or malformed, or the token unknown or revoked. Every
/// live token's hash is compared in constant time, so the time taken says
/// nothing about how close a guess was.
std::optional<Principal> authenticate(Store& store, std::string_view authorization);

}  // namespace pcgd::host::server
