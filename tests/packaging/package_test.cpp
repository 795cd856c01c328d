// The Debian package: built with cpack, unpacked into a scratch root (no
// maintainer script runs, nothing outside the root is touched), and the
// service started from there. The unit file is checked with
// `systemd-analyze verify` where the machine has it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness.hpp"

namespace fs = std::filesystem;
using namespace pcgd::test;

namespace {

const std::vector<std::string> platforms = {"amazon", "ebay", "shopify", "woocommerce"};

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

RunResult sh(const std::string& script) {
    return run({"/bin/sh", "-c", script});
}

std::string quoted(const std::string& path) {
    return "'" + path + "'";
}

// A tool's absolute path (the harness execs without a PATH search), or "" when absent.
std::string tool(const std::string& name) {
    auto found = sh("command -v " + name);
    if (found.exit_code != 0) return "";
    while (!found.out.empty() && found.out.back() == '\n') found.out.pop_back();
    return found.out;
}

// The unit's keys ([Section]Key -> values, in order); a key may repeat.
std::multimap<std::string, std::string> unit_keys(const std::string& text) {
    std::multimap<std::string, std::string> keys;
    std::istringstream in(text);
    std::string line, section;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            section = line;
            continue;
        }
        const auto eq = line.find('=');
        if (eq != std::string::npos) keys.emplace(section + line.substr(0, eq), line.substr(eq + 1));
    }
    return keys;
}

std::string one(const std::multimap<std::string, std::string>& keys, const std::string& key) {
    const auto [first, last] = keys.equal_range(key);
    if (first == last) return "<missing>";
    if (std::next(first) != last) return "<repeated>";
    return first->second;
}

class Package : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        const std::string out = *dir_ / "out";
        const auto built = run({PCGD_CPACK_COMMAND, "--config", PCGD_CPACK_CONFIG, "-G", "DEB", "-B", out});
        ASSERT_EQ(built.exit_code, 0) << built.out << built.err;
        for (const auto& entry : fs::directory_iterator(out))
            if (entry.path().extension() == ".deb") debs_.push_back(entry.path().string());
        ASSERT_EQ(debs_.size(), 1u) << built.out;
        const auto unpacked = run({tool("dpkg-deb"), "-x", debs_[0], *dir_ / "root"});
        ASSERT_EQ(unpacked.exit_code, 0) << unpacked.err;
        const auto control = run({tool("dpkg-deb"), "-e", debs_[0], *dir_ / "control"});
        ASSERT_EQ(control.exit_code, 0) << control.err;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    void SetUp() override {
        if (debs_.size() != 1) GTEST_SKIP() << "no package was built (see the suite's setup failure)";
    }
    static std::string root(const std::string& path) { return *dir_ / ("root" + path); }
    // Parts of one test: under ASan, cpack takes ~20 s, and each test is a process of its own.
    void control_data();
    void contents();
    void plugins_and_configuration();

    static inline TempDir* dir_ = nullptr;
    static inline std::vector<std::string> debs_;
};

void Package::control_data() {
    EXPECT_EQ(fs::path(debs_[0]).filename().string().rfind(std::string("pcgd_") + PCGD_VERSION + "_", 0), 0u)
        << debs_[0];
    const auto fields = run({tool("dpkg-deb"), "-f", debs_[0], "Package", "Version", "Section"});
    EXPECT_EQ(fields.out, std::string("Package: pcgd\nVersion: ") + PCGD_VERSION + "\nSection: net\n");
    const auto depends = run({tool("dpkg-deb"), "-f", debs_[0], "Depends"}).out;
    // Computed by dpkg-shlibdeps from the binaries, plus the postinst's adduser.
    for (const char* package : {"adduser", "libc6", "libsqlite3-0", "libssl3", "libcurl4", "libstdc++6"})
        EXPECT_NE(depends.find(package), std::string::npos) << package << " not in " << depends;
    EXPECT_EQ(read_text(*dir_ / "control/conffiles"), "/etc/pcgd/pcgd.toml\n");
    for (const char* script : {"postinst", "prerm", "postrm"}) {
        const std::string path = *dir_ / ("control/" + std::string(script));
        EXPECT_TRUE(fs::status(path).permissions() ==
                    (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                     fs::perms::others_exec))
            << script;
        EXPECT_EQ(sh("sh -n " + quoted(path)).exit_code, 0) << script;
    }
}

void Package::contents() {
    EXPECT_TRUE(fs::is_regular_file(root("/usr/bin/pcgd")));
    EXPECT_TRUE((fs::status(root("/usr/bin/pcgd")).permissions() & fs::perms::others_exec) != fs::perms::none);
    for (const auto& p : platforms)
        EXPECT_TRUE(fs::is_regular_file(root("/usr/lib/pcgd/plugins/pcgd_" + p + ".so"))) << p;
    EXPECT_TRUE(fs::is_regular_file(root("/usr/lib/systemd/system/pcgd.service")));
    EXPECT_EQ(read_text(root("/usr/lib/systemd/system/pcgd.service")),
              read_text(PCGD_SOURCE_DIR "/config/pcgd.service"));
    EXPECT_EQ(read_text(root("/etc/pcgd/pcgd.toml")), read_text(PCGD_SOURCE_DIR "/config/pcgd.toml"));
    EXPECT_TRUE(fs::is_regular_file(root("/usr/share/doc/pcgd/pcgd.example.toml")));
    EXPECT_TRUE(fs::is_regular_file(root("/usr/share/doc/pcgd/service.md")));
    // Nothing of the SDK, the tests or the emulators.
    EXPECT_FALSE(fs::exists(root("/usr/include")));
    EXPECT_FALSE(fs::exists(root("/usr/bin/pcgd-emulator")));
    // The secret key is made by the postinst on the target, never shipped.
    EXPECT_FALSE(fs::exists(root("/etc/pcgd/secret.key")));
}

void Package::plugins_and_configuration() {
    const std::map<std::string, std::string> env = {{"HOME", *dir_ / "home"}, {"PCGD_CONFIG", ""}};
    // No --plugin-dir: the default is ../lib/pcgd/plugins from the executable.
    const auto listed = run({root("/usr/bin/pcgd"), "--store", *dir_ / "plugins.db", "plugins", "--json"}, env);
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const auto plugins = parse_json(listed.out);
    ASSERT_TRUE(plugins.IsArray());
    ASSERT_EQ(plugins.Size(), platforms.size()) << listed.out;
    for (rapidjson::SizeType i = 0; i < plugins.Size(); ++i) {
        EXPECT_EQ(std::string(plugins[i]["id"].GetString()), platforms[i]);
        EXPECT_EQ(std::string(plugins[i]["status"].GetString()), "loaded");
        EXPECT_EQ(fs::canonical(plugins[i]["file"].GetString()),
                  fs::canonical(root("/usr/lib/pcgd/plugins/pcgd_" + platforms[i] + ".so")));
    }
    // The packaged /etc/pcgd/pcgd.toml parses (its paths overridden: they are the target's).
    const auto configured =
        run({root("/usr/bin/pcgd"), "--config", root("/etc/pcgd/pcgd.toml"), "--store", *dir_ / "plugins.db",
             "--plugin-dir", root("/usr/lib/pcgd/plugins"), "plugins", "--json"},
            env);
    EXPECT_EQ(configured.exit_code, 0) << configured.err;
    EXPECT_EQ(configured.out, listed.out);
}

TEST_F(Package, DeclaresItsDependenciesAndInstallsTheBinaryPluginsUnitAndConfiguration) {
    {
        SCOPED_TRACE("control data");
        control_data();
    }
    {
        SCOPED_TRACE("contents");
        contents();
    }
    SCOPED_TRACE("plugins and configuration");
    plugins_and_configuration();
}

TEST_F(Package, ServesFromTheScratchRootAndStopsCleanlyOnSigterm) {
    const std::string state = *dir_ / "var/lib/pcgd", config = *dir_ / "pcgd.toml", log = *dir_ / "serve.log";
    fs::create_directories(state);
    std::ofstream(config) << "[store]\npath = \"" << state << "/pcgd.db\"\n"
                          << "[plugins]\ndir = \"" << root("/usr/lib/pcgd/plugins") << "\"\n"
                          << "[secrets]\nkey_file = \"" << (*dir_ / "etc/secret.key") << "\"\n"
                          << "[server]\nshutdown_timeout_ms = 5000\n"
                          << "[log]\nlevel = \"info\"\nformat = \"json\"\n";
    // Through sh only to send stderr (the log) to a file; exec keeps the pid.
    Subprocess server({"/bin/sh", "-c",
                       "exec " + quoted(root("/usr/bin/pcgd")) + " --config " + quoted(config) +
                           " serve --listen 127.0.0.1:0 2>" + quoted(log)},
                      {{"HOME", *dir_ / "home"}});
    const std::string line = server.read_line();
    const std::string prefix = "listening on http://127.0.0.1:";
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
    const std::string url = line.substr(std::string("listening on ").size());
    const auto health = http("GET", url + "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, R"({"status":"ok"})");
    const auto ready = http("GET", url + "/readyz");
    EXPECT_EQ(ready.status, 200) << ready.body;
    EXPECT_EQ(ready.body, R"({"status":"ready"})");
    EXPECT_EQ(http("GET", url + "/api/smes").status, 401);
    server.kill(SIGTERM);
    EXPECT_EQ(server.wait(), 0);

    // The log is JSON Lines; each response is a line with its fields.
    std::istringstream lines(read_text(log));
    std::string entry;
    std::vector<std::string> routes;
    while (std::getline(lines, entry)) {
        const auto json = parse_json(entry);
        ASSERT_TRUE(json.IsObject() && json.HasMember("time") && json.HasMember("level") && json.HasMember("message"))
            << entry;
        if (json.HasMember("route"))
            routes.push_back(std::string(json["route"].GetString()) + " " + std::to_string(json["status"].GetInt()));
    }
    EXPECT_EQ(routes, (std::vector<std::string>{"/healthz 200", "/readyz 200", "/api/smes 401"}));
}

// No cpack needed: the unit as it is in the source tree.
TEST(SystemdUnit, RunsTheServiceHardenedAndRestartsItOnFailure) {
    const std::string unit = read_text(PCGD_SOURCE_DIR "/config/pcgd.service");
    const auto keys = unit_keys(unit);
    EXPECT_EQ(one(keys, "[Service]ExecStart"), "/usr/bin/pcgd --config /etc/pcgd/pcgd.toml serve");
    EXPECT_EQ(one(keys, "[Service]ExecReload"), "/bin/kill -HUP $MAINPID");
    EXPECT_EQ(one(keys, "[Service]Type"), "simple");
    EXPECT_EQ(one(keys, "[Service]Restart"), "on-failure");
    EXPECT_EQ(one(keys, "[Service]KillSignal"), "SIGTERM");
    // Above the packaged shutdown_timeout_ms (10 s), so a graceful stop is never cut short.
    EXPECT_EQ(one(keys, "[Service]TimeoutStopSec"), "15s");
    EXPECT_NE(read_text(PCGD_SOURCE_DIR "/config/pcgd.toml").find("shutdown_timeout_ms = 10000"), std::string::npos);
    EXPECT_EQ(one(keys, "[Service]StateDirectory"), "pcgd");
    EXPECT_EQ(one(keys, "[Service]ConfigurationDirectory"), "pcgd");
    EXPECT_EQ(one(keys, "[Service]User"), "pcgd");
    for (const char* yes : {"NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
                            "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "RestrictNamespaces",
                            "LockPersonality", "MemoryDenyWriteExecute", "RestrictSUIDSGID"})
        EXPECT_EQ(one(keys, std::string("[Service]") + yes), "yes") << yes;
    EXPECT_EQ(one(keys, "[Service]ProtectSystem"), "strict");
    EXPECT_EQ(one(keys, "[Service]CapabilityBoundingSet"), "");
    EXPECT_EQ(one(keys, "[Service]RestrictAddressFamilies"), "AF_INET AF_INET6 AF_UNIX");
    const auto filters = keys.equal_range("[Service]SystemCallFilter");
    ASSERT_NE(filters.first, filters.second);
    EXPECT_EQ(filters.first->second, "@system-service");
    EXPECT_EQ(one(keys, "[Install]WantedBy"), "multi-user.target");

    const std::string systemd_analyze = tool("systemd-analyze");
    if (systemd_analyze.empty()) GTEST_SKIP() << "no systemd-analyze on this machine";
    // verify wants ExecStart's binary to exist: point it at the build's.
    TempDir dir;
    std::string copy = unit;
    const std::string exec = "ExecStart=/usr/bin/pcgd ";
    copy.replace(copy.find(exec), exec.size(), "ExecStart=" + std::string(PCGD_BIN) + " ");
    std::ofstream(dir / "pcgd.service") << copy;
    const auto verified = run({systemd_analyze, "verify", "--man=no", dir / "pcgd.service"});
    EXPECT_EQ(verified.exit_code, 0) << verified.err;
    EXPECT_EQ(verified.out + verified.err, "");  // an unknown or misplaced key is only a warning: none allowed
}

}  // namespace
