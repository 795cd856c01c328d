#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "secrets/vault.hpp"

namespace pcgd::host {
namespace {

namespace fs = std::filesystem;

std::array<std::uint8_t, 32> key_of(std::uint8_t seed) {
    std::array<std::uint8_t, 32> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(seed + i);
    return key;
}

const std::map<std::string, std::string> credentials = {
    {"access_token", "shpat_0123456789abcdef"},
    {"client_secret", "s3cr\"et\nwith \\ escapes and ünïcode"},
    {"empty", ""},
};

mode_t mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A private temporary directory and no PCGD_SECRET_KEY for the test's duration.
class KeyFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (const char* env = std::getenv("PCGD_SECRET_KEY")) saved_env_ = env;
        ::unsetenv("PCGD_SECRET_KEY");
        std::string pattern = (fs::temp_directory_path() / "pcgd-vault-XXXXXX").string();
        ASSERT_TRUE(::mkdtemp(pattern.data()));
        dir_ = pattern;
    }
    void TearDown() override {
        if (saved_env_) ::setenv("PCGD_SECRET_KEY", saved_env_->c_str(), 1);
        else ::unsetenv("PCGD_SECRET_KEY");
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
    std::optional<std::string> saved_env_;
};

TEST(Vault, SealThenOpenRoundTrips) {
    const Vault vault(key_of(1));
    const std::string sealed = vault.seal(credentials);
    EXPECT_EQ(sealed.rfind("v1:", 0), 0u);
    EXPECT_EQ(sealed.find("shpat_"), std::string::npos);
    EXPECT_EQ(vault.open(sealed), credentials);
    EXPECT_EQ(vault.open(vault.seal({})), (std::map<std::string, std::string>{}));
}

TEST(Vault, DerivedKeysAreHmacOfThePurpose) {
    // printf oauth-state | openssl dgst -sha256 -mac HMAC -macopt hexkey:0102...20
    const Vault vault(key_of(1));
    std::string hex;
    for (unsigned char c : vault.derive_key("oauth-state")) {
        static constexpr char digits[] = "0123456789abcdef";
        hex += digits[c >> 4];
        hex += digits[c & 15];
    }
    EXPECT_EQ(hex, "c7d81e32a139fc92c51516578392e3ccacef1140ba3031479873ed11e1d4b4d8");
    EXPECT_NE(vault.derive_key("other"), vault.derive_key("oauth-state"));
    EXPECT_NE(Vault(key_of(2)).derive_key("oauth-state"), vault.derive_key("oauth-state"));
}

TEST(Vault, EachSealUsesAFreshNonce) {
    const Vault vault(key_of(1));
    const std::string a = vault.seal(credentials), b = vault.seal(credentials);
    EXPECT_NE(a, b);
    EXPECT_NE(a.substr(0, 20), b.substr(0, 20));  // the nonce leads the payload
    EXPECT_EQ(vault.open(a), vault.open(b));
}

TEST(Vault, TamperedDataIsRefused) {
    const Vault vault(key_of(1));
    const std::string sealed = vault.seal(credentials);
    // Flip one base64 digit in the nonce, in the middle and in the tag.
    for (std::size_t at : {std::size_t{5}, sealed.size() / 2, sealed.size() - 5}) {
        std::string tampered = sealed;
        tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
        try {
            vault.open(tampered);
            FAIL() << "accepted data tampered at " << at;
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), "credentials cannot be decrypted: wrong key or corrupted data");
        }
    }
    EXPECT_THROW(vault.open(sealed.substr(0, sealed.size() - 4)), std::runtime_error);
    EXPECT_THROW(vault.open("v1:"), std::runtime_error);
    EXPECT_THROW(vault.open("v1:not base64!"), std::runtime_error);
}

TEST(Vault, WrongKeyIsRefused) {
    const std::string sealed = Vault(key_of(1)).seal(credentials);
    try {
        Vault(key_of(2)).open(sealed);
        FAIL() << "opened with the wrong key";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "credentials cannot be decrypted: wrong key or corrupted data");
    }
}

TEST(Vault, UnknownVersionIsNamed) {
    const Vault vault(key_of(1));
    const std::string sealed = vault.seal(credentials);
    try {
        vault.open("v2:" + sealed.substr(3));
        FAIL() << "opened an unknown format";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("'v2'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(vault.open("plain text token"), std::runtime_error);
}

TEST_F(KeyFileTest, KeyFileIsCreatedPrivateAndReused) {
    const std::string path = file("config/pcgd/secret.key");
    const std::string sealed = Vault::from_environment_or_file(path).seal(credentials);
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(mode_of(file("config/pcgd")), 0700u);
    const std::string text = read_text(path);
    ASSERT_EQ(text.size(), 65u);
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), 64u);
    EXPECT_EQ(std::distance(fs::directory_iterator(file("config/pcgd")), fs::directory_iterator()), 1)
        << "a temporary file was left behind";

    // The same key next time.
    EXPECT_EQ(Vault::from_environment_or_file(path).open(sealed), credentials);
    EXPECT_EQ(read_text(path), text);
}

TEST_F(KeyFileTest, LooseKeyFileModeIsRefusedWithTheFix) {
    const std::string path = file("secret.key");
    Vault::from_environment_or_file(path);
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    try {
        Vault::from_environment_or_file(path);
        FAIL() << "accepted a world-readable key file";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(path), std::string::npos) << what;
        EXPECT_NE(what.find("0644"), std::string::npos) << what;
        EXPECT_NE(what.find("chmod 600"), std::string::npos) << what;
    }
}

TEST_F(KeyFileTest, MalformedKeyFileIsRefused) {
    const std::string path = file("secret.key");
    std::ofstream(path) << "not a key\n";
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    try {
        Vault::from_environment_or_file(path);
        FAIL() << "accepted a malformed key file";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST_F(KeyFileTest, EnvironmentKeyWinsOverTheFile) {
    const std::string path = file("secret.key");
    ::setenv("PCGD_SECRET_KEY", std::string(64, 'a').c_str(), 1);
    const std::string sealed = Vault::from_environment_or_file(path).seal(credentials);
    EXPECT_FALSE(fs::exists(path));
    std::array<std::uint8_t, 32> aa{};
    aa.fill(0xaa);
    EXPECT_EQ(Vault(aa).open(sealed), credentials);
}

TEST_F(KeyFileTest, MalformedEnvironmentKeyNamesTheVariable) {
    for (const std::string& bad : {std::string(63, 'a'), std::string(65, 'a'), std::string(63, 'a') + "g"}) {
        ::setenv("PCGD_SECRET_KEY", bad.c_str(), 1);
        try {
            Vault::from_environment_or_file(file("secret.key"));
            FAIL() << "accepted " << bad;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("PCGD_SECRET_KEY"), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find(bad), std::string::npos) << "the error echoes the key";
        }
    }
}

TEST(Redactor, ReplacesEverySecretLongestFirst) {
    Redactor r;
    r.add("abc");  // too short: ignored
    r.add("token123");
    r.add("token123456");
    r.add("s3cret");
    EXPECT_EQ(r.redact("GET /x?access_token=token123456&b=token123 s3cret!s3cret abc"),
              "GET /x?access_token=***&b=*** ***!*** abc");
    EXPECT_EQ(r.redact(""), "");
    EXPECT_EQ(r.redact("nothing here"), "nothing here");
    EXPECT_EQ(Redactor().redact("token123"), "token123");
}

}  // namespace
}  // namespace pcgd::host
