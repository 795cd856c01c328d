#include "secrets/vault.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <pcgd/sdk/json.hpp>

namespace pcgd::host {

namespace {

constexpr std::string_view version_prefix = "v1:";
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;
constexpr std::size_t key_size = 32;
constexpr const char* key_variable = "PCGD_SECRET_KEY";
constexpr const char* decrypt_error = "credentials cannot be decrypted: wrong key or corrupted data";

using Key = std::array<std::uint8_t, key_size>;

/// Holds plaintext credentials; wiped before the memory is released.
class SecretBuffer {
public:
    explicit SecretBuffer(std::size_t size) : bytes_(size) {}
    ~SecretBuffer() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;
    unsigned char* data() noexcept { return bytes_.data(); }
    std::size_t size() const noexcept { return bytes_.size(); }
    std::string_view view() const noexcept { return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()}; }

private:
    std::vector<unsigned char> bytes_;
};

struct CipherContextDeleter {
    void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

CipherContext new_context() {
    CipherContext ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::runtime_error("OpenSSL cannot allocate a cipher context");
    return ctx;
}

int int_size(std::size_t n) {
    if (n > 0x7fffffff) throw std::length_error("credentials too large to seal");
    return static_cast<int>(n);
}

std::string base64_encode(const std::vector<unsigned char>& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), int_size(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// Strict: only the standard alphabet with padding, as base64_encode writes.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    const auto is_alphabet = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    };
    std::size_t padding = 0;
    while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
    if (!std::all_of(text.begin(), text.end() - static_cast<std::ptrdiff_t>(padding), is_alphabet)) return std::nullopt;
    std::vector<unsigned char> out(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), int_size(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<Key> parse_hex_key(std::string_view hex) {
    if (hex.size() != 2 * key_size) return std::nullopt;
    Key key{};
    for (std::size_t i = 0; i < key_size; ++i) {
        const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        key[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return key;
}

std::string errno_text() { return std::strerror(errno); }

/// Closes a file descriptor when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

std::string mode_text(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

/// Creates every missing directory of `dir` with mode 0700.
void make_private_dirs(const std::string& dir) {
    if (dir.empty()) return;
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) throw std::runtime_error("'" + dir + "' is not a directory");
        return;
    }
    const auto slash = dir.find_last_of('/');
    if (slash != std::string::npos && slash > 0) make_private_dirs(dir.substr(0, slash));
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create directory '" + dir + "': " + errno_text());
}

std::string parent_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return {};
    return slash == 0 ? "/" : path.substr(0, slash);
}

/// Writes a new random key to `path` without ever exposing a partial file
/// and without replacing a key another process created meanwhile: the key
/// goes to a private temporary file which is then hard-linked into place.
void create_key_file(const std::string& path) {
    Key key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw std::runtime_error("cannot generate a secret key: OpenSSL's random generator failed");
    SecretBuffer text(2 * key_size + 1);
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < key_size; ++i) {
        text.data()[2 * i] = static_cast<unsigned char>(digits[key[i] >> 4]);
        text.data()[2 * i + 1] = static_cast<unsigned char>(digits[key[i] & 0xf]);
    }
    text.data()[2 * key_size] = '\n';
    OPENSSL_cleanse(key.data(), key.size());

    const std::string dir = parent_of(path);
    make_private_dirs(dir);
    std::string temp = path + ".XXXXXX";
    const Fd fd(::mkstemp(temp.data()));  // mode 0600
    if (fd.get() < 0) throw std::runtime_error("cannot create key file '" + path + "': " + errno_text());
    bool linked = false;
    try {
        if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd.get()) != 0)
            throw std::runtime_error("cannot write key file '" + path + "': " + errno_text());
        if (::link(temp.c_str(), path.c_str()) == 0) linked = true;
        else if (errno != EEXIST) throw std::runtime_error("cannot create key file '" + path + "': " + errno_text());
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    ::unlink(temp.c_str());
    if (linked) {
        // Make the new name itself durable, not only the file's content.
        const Fd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY));
        if (d.get() >= 0) ::fsync(d.get());
    }
}

/// Reads the key from an existing file; nullopt when it does not exist.
std::optional<Key> read_key_file(const std::string& path) {
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw std::runtime_error("cannot open key file '" + path + "': " + errno_text());
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw std::runtime_error("cannot stat key file '" + path + "': " + errno_text());
    if (!S_ISREG(st.st_mode)) throw std::runtime_error("key file '" + path + "' is not a regular file");
    if ((st.st_mode & 077) != 0)
        throw std::runtime_error("key file '" + path + "' has mode " + mode_text(st.st_mode) +
                                 ", which lets other users read it; run: chmod 600 '" + path + "'");
    SecretBuffer text(2 * key_size + 8);  // room for line endings, and to notice longer content
    std::size_t size = 0;
    while (size < text.size()) {
        const ssize_t n = ::read(fd.get(), text.data() + size, text.size() - size);
        if (n < 0) throw std::runtime_error("cannot read key file '" + path + "': " + errno_text());
        if (n == 0) break;
        size += static_cast<std::size_t>(n);
    }
    std::string_view content = text.view().substr(0, size);
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r' || content.back() == ' '))
        content.remove_suffix(1);
    auto key = parse_hex_key(content);
    if (!key) throw std::runtime_error("key file '" + path + "' does not hold a key of 64 hex digits");
    return key;
}

}  // namespace

Vault Vault::from_environment_or_file(const std::string& key_file_path) {
    // An empty variable counts as unset, as shells make it easy to "clear" one that way.
    if (const char* env = std::getenv(key_variable); env && *env) {
        auto key = parse_hex_key(env);
        if (!key) throw std::runtime_error(std::string(key_variable) + " must be exactly 64 hex digits (a 32-byte key)");
        return Vault(*key);
    }
    if (auto key = read_key_file(key_file_path)) return Vault(*key);
    create_key_file(key_file_path);
    // Read back even when this process created it: one code path, and if a
    // concurrent process won the race, its key is the one on disk.
    if (auto key = read_key_file(key_file_path)) return Vault(*key);
    throw std::runtime_error("key file '" + key_file_path + "' vanished right after it was created");
}

std::string Vault::seal(const std::map<std::string, std::string>& credentials) const {
    json::Writer w;
    w.begin_object();
    for (const auto& [name, value] : credentials) w.field(name, value);
    w.end_object();
    const std::string_view plain = w.view();

    std::vector<unsigned char> out(nonce_size + plain.size() + tag_size);
    unsigned char* nonce = out.data();
    unsigned char* cipher = out.data() + nonce_size;
    if (RAND_bytes(nonce, static_cast<int>(nonce_size)) != 1)
        throw std::runtime_error("cannot seal credentials: OpenSSL's random generator failed");
    auto ctx = new_context();
    int n = 0;
    // The version is authenticated data, so a sealed value cannot be passed
    // off under another format's rules.
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(version_prefix.data()),
                          static_cast<int>(version_prefix.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), cipher, &n, reinterpret_cast<const unsigned char*>(plain.data()),
                          int_size(plain.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), cipher + n, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size), cipher + plain.size()) != 1)
        throw std::runtime_error("cannot seal credentials: OpenSSL encryption failed");
    // The writer's buffer held the secrets in clear.
    OPENSSL_cleanse(const_cast<char*>(plain.data()), plain.size());
    return std::string(version_prefix) + base64_encode(out);
}

std::map<std::string, std::string> Vault::open(std::string_view sealed) const {
    if (sealed.substr(0, version_prefix.size()) != version_prefix) {
        const auto colon = sealed.find(':');
        throw std::runtime_error(colon != std::string_view::npos && colon < 8
                                     ? "credentials are sealed in an unknown format '" +
                                           std::string(sealed.substr(0, colon)) + "' (this pcgd reads v1)"
                                     : std::string("credentials are not sealed data (no version prefix)"));
    }
    auto bytes = base64_decode(sealed.substr(version_prefix.size()));
    if (!bytes || bytes->size() < nonce_size + tag_size) throw std::runtime_error(decrypt_error);
    const unsigned char* nonce = bytes->data();
    const unsigned char* cipher = bytes->data() + nonce_size;
    const std::size_t cipher_size = bytes->size() - nonce_size - tag_size;
    unsigned char tag[tag_size];
    std::memcpy(tag, cipher + cipher_size, tag_size);

    SecretBuffer plain(cipher_size);
    auto ctx = new_context();
    int n = 0;
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(version_prefix.data()),
                          static_cast<int>(version_prefix.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), plain.data(), &n, cipher, int_size(cipher_size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size), tag) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), plain.data() + n, &n) != 1)
        throw std::runtime_error(decrypt_error);

    rapidjson::Document doc;
    doc.Parse(reinterpret_cast<const char*>(plain.data()), plain.size());
    if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error(decrypt_error);
    std::map<std::string, std::string> out;
    for (const auto& m : doc.GetObject()) {
        if (!m.value.IsString()) throw std::runtime_error(decrypt_error);
        out.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                    std::string(m.value.GetString(), m.value.GetStringLength()));
    }
    return out;
}

void Redactor::add(std::string_view secret) {
    if (secret.size() < 4) return;  // short values would blank ordinary words
    if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
    // Longest first, so a secret that contains another is replaced whole.
    const auto at = std::find_if(secrets_.begin(), secrets_.end(), [&](const std::string& s) { return s.size() < secret.size(); });
    secrets_.emplace(at, secret);
}

std::string Redactor::redact(std::string_view text) const {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto match = std::find_if(secrets_.begin(), secrets_.end(),
                                        [&](const std::string& s) { return text.substr(i, s.size()) == s; });
        if (match != secrets_.end()) {
            out += "***";
            i += match->size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::string Vault::derive_key(std::string_view purpose) const {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
              reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(), out, &length))
        throw std::runtime_error("cannot derive a key: HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace pcgd::host
