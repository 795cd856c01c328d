#include "server/webhooks.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <pcgd/model/time.hpp>
#include <stdexcept>

namespace pcgd::host::server::webhooks {

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length))
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(out), length);
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool verify_body_signature(std::string_view secret, std::string_view body, std::string_view signature) {
    if (secret.empty() || signature.empty()) return false;
    return constant_time_equal(base64(hmac_sha256(secret, body)), signature);
}

const std::string* prefixed_header(const Request& request, std::string_view name) {
    if (const auto* v = request.header("X-" + std::string(name))) return v;
    return request.header(name);
}

std::string timestamp_problem(std::string_view triggered_at, std::int64_t now_ms) {
    const auto at = model::parse_iso8601(triggered_at);
    if (!at) return "its timestamp '" + std::string(triggered_at) + "' is not ISO 8601";
    if (*at < now_ms - replay_window_ms)
        return "it was triggered at " + std::string(triggered_at) + ", more than " +
               std::to_string(replay_window_ms / 3600000) + " h ago (a replay, or a retry too late to tell from one)";
    if (*at > now_ms + clock_skew_ms)
        return "it was triggered at " + std::string(triggered_at) + ", in the future by more than " +
               std::to_string(clock_skew_ms / 60000) + " min";
    return {};
}

bool is_woocommerce_ping(const Request& request) {
    constexpr std::string_view prefix = "webhook_id=";
    const std::string_view body = request.body;
    if (body.size() <= prefix.size() || body.substr(0, prefix.size()) != prefix || body.size() > prefix.size() + 19)
        return false;
    for (char c : body.substr(prefix.size()))
        if (c < '0' || c > '9') return false;
    return !request.header("X-WC-Webhook-Signature");
}

}  // namespace pcgd::host::server::webhooks
