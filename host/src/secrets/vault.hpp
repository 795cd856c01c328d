// Credentials at rest: AES-256-GCM with a key that never enters the store.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pcgd::host {

/// Seals and opens credential maps. The key comes from the environment
/// variable PCGD_SECRET_KEY (64 hex digits) when set, else from a key file
/// that must be mode 0600 and is created (0600, 32 random bytes) on first use.
class Vault {
public:
    /// Throws std::runtime_error naming the file or variable when the key is
    /// missing, malformed, or the key file's mode is looser than 0600.
    static Vault from_environment_or_file(const std::string& key_file_path);
    explicit Vault(const std::array<std::uint8_t, 32>& key) : key_(key) {}

    /// "v1:" + base64(nonce | ciphertext | tag); a fresh random nonce each call.
    std::string seal(const std::map<std::string, std::string>& credentials) const;
    /// Throws std::runtime_error ("credentials cannot be decrypted: wrong key or
    /// corrupted data") when authentication fails.
    std::map<std::string, std::string> open(std::string_view sealed) const;
    /// A 32-byte key for another purpose (e.g. "oauth-state"): HMAC-SHA256 of
    /// the purpose under the vault's key, so it needs no storage of its own and
    /// changes when the vault's key does.
    std::string derive_key(std::string_view purpose) const;

private:
    std::array<std::uint8_t, 32> key_;
};

/// Replaces every occurrence of each secret value in a text with "***".
class Redactor {
public:
    void add(std::string_view secret);  // values shorter than 4 bytes are ignored
    std::string redact(std::string_view text) const;

private:
    std::vector<std::string> secrets_;
};

}  // namespace pcgd::host
