// SIGHUP on the real `pcgd serve`: a plugin added to the plugin directory and
// a fee rule added to the configuration are in force without a restart; a bad
// configuration is refused with a log line naming what is wrong, and the
// running one stays; a setting only a restart changes is named.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "harness.hpp"

using namespace pcgd::test;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Reply {
    unsigned status = 0;
    std::string body;
};

Reply get(unsigned short port, const std::string& target, const std::string& token) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    asio::write(socket, asio::buffer(request + "\r\n"));
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return Reply{res.result_int(), res.body()};
}

bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 300; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string quoted(const std::string& s) {
    return "'" + s + "'";
}

class ServeReload : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(pcgd({"sme", "add", "--id", "lumiere", "--name", "Lumière", "--currency", "GBP"}).exit_code, 0);
        const auto add = pcgd({"shop", "add", "--id", "gb", "--sme", "lumiere", "--platform", "testshop", "--base-url",
                               emulator.base_url(), "--country", "GB", "--timezone", "UTC", "--setting",
                               "client_id=pcgd-test-client", "--credential", "client_secret=pcgd-test-secret"});
        ASSERT_EQ(add.exit_code, 0) << add.err;
        sync_json(pcgd);
        const auto created = pcgd({"token", "create", "--role", "admin"});
        ASSERT_EQ(created.exit_code, 0) << created.err;
        token = created.out.substr(0, created.out.find('\n'));
        // From here on the service reads its plugins from a folder of the test's.
        fs::create_directories(plugins);
        write_config("");
        // Through a shell, for the service's log in a file; no scheduled sync
        // runs (the interval is a week), so only the reloads are logged.
        std::string command = "exec";
        for (const auto& a : pcgd.command({"serve", "--listen", "127.0.0.1:0", "--log-level", "info"}))
            command += " " + quoted(a);
        server = std::make_unique<Subprocess>(std::vector<std::string>{"/bin/sh", "-c", command + " 2>" + quoted(log)},
                                              pcgd.env());
        const std::string line = server->read_line();
        const std::string prefix = "listening on http://127.0.0.1:";
        ASSERT_EQ(line.substr(0, prefix.size()), prefix) << line;
        port = static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
    }

    void write_config(const std::string& extra) {
        std::ofstream(config) << "[store]\npath = \"pcgd.db\"\n[plugins]\ndir = \"" << plugins.string()
                              << "\"\n[secrets]\nkey_file = \"secret.key\"\n[scheduler]\ninterval_s = 604800\n"
                              << extra;
    }

    /// Sends SIGHUP and waits for the service to log the reload's outcome (the n-th).
    std::string hang_up(int n) {
        server->kill(SIGHUP);
        std::string outcome;
        EXPECT_TRUE(eventually([&] {
            const std::string text = read_file(log);
            std::size_t at = 0;
            for (int i = 0; i < n; ++i) {
                const auto found = text.find("SIGHUP: ", at);
                const auto next =
                    std::min(text.find("SIGHUP: configuration reloaded", at), text.find("SIGHUP: reload refused", at));
                if (found == std::string::npos || next == std::string::npos) return false;
                at = next + 1;
                outcome = text.substr(next, text.find('\n', next) - next);
            }
            return true;
        })) << read_file(log);
        return outcome;
    }

    std::string growth() {
        const auto r = get(port, "/api/reports/growth?sme=lumiere&month=2026-10", token);
        EXPECT_EQ(r.status, 200u) << r.body;
        return r.body;
    }

    Emulator emulator{emulated("testshop", "GB", 21, 12, 200)};
    Pcgd pcgd;
    const fs::path plugins = fs::path(pcgd.dir().path()) / "plugins-live";
    const fs::path config = fs::path(pcgd.dir().path()) / "pcgd.toml";
    const std::string log = pcgd.dir() / "serve.log";
    std::string token;
    std::unique_ptr<Subprocess> server;
    unsigned short port = 0;
};

}  // namespace

TEST_F(ServeReload, APluginAndAFeeRuleComeInWithoutARestart) {
    const auto not_ready = get(port, "/readyz", "");
    EXPECT_EQ(not_ready.status, 503u);
    EXPECT_EQ(not_ready.body, R"j({"error":"no plugin loaded from )j" + plugins.string() + "\"}");
    const std::string before = growth();

    fs::copy_file(fs::path(PCGD_PLUGIN_DIR) / "pcgd_testshop.so", plugins / "pcgd_testshop.so");
    write_config("[fees.testshop]\npercent = 10\nfixed_minor = 0\n");
    EXPECT_EQ(hang_up(1), "SIGHUP: configuration reloaded; plugins loaded: testshop");
    EXPECT_EQ(get(port, "/readyz", "").status, 200u);
    const std::string after = growth();
    EXPECT_TRUE(after != before) << "the fee rule changed nothing";
    EXPECT_NE(after.find("estimated from [fees] rules"), std::string::npos);
    EXPECT_EQ(before.find("estimated from [fees] rules"), std::string::npos);
    // The service's report is the CLI's with the new configuration, byte for byte.
    const auto cli = pcgd({"report", "growth", "--sme", "lumiere", "--month", "2026-10", "--format", "json"});
    ASSERT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_TRUE(after == cli.out) << "the API's growth report differs from the CLI's";

    server->kill(SIGTERM);
    EXPECT_EQ(server->wait(), 0);
}

TEST_F(ServeReload, ABadConfigurationIsRefusedAndTheRunningOneStays) {
    fs::copy_file(fs::path(PCGD_PLUGIN_DIR) / "pcgd_testshop.so", plugins / "pcgd_testshop.so");
    write_config("[fees.testshop]\npercent = 10\nfixed_minor = 0\n");
    hang_up(1);
    const std::string in_force = growth();

    write_config("[fees.testshop]\npercent = \"ten\"\n");
    const std::string refused = hang_up(2);
    EXPECT_EQ(refused.rfind("SIGHUP: reload refused, the running configuration stays: " + config.string() + ":", 0), 0u)
        << refused;
    EXPECT_NE(refused.find("fees.testshop.percent"), std::string::npos) << refused;
    EXPECT_EQ(get(port, "/readyz", "").status, 200u);
    EXPECT_TRUE(growth() == in_force) << "a refused reload changed the report";

    // A plugin directory that is not there is refused the same way.
    std::ofstream(config) << "[plugins]\ndir = \"/nonexistent/plugins\"\n";
    EXPECT_EQ(hang_up(3).rfind("SIGHUP: reload refused", 0), 0u);
    EXPECT_EQ(get(port, "/readyz", "").status, 200u);

    // The listen address needs a restart: named, and the rest still reloads.
    write_config("[server]\nlisten = \"127.0.0.1:1\"\n");
    EXPECT_EQ(hang_up(4), "SIGHUP: configuration reloaded; plugins loaded: testshop");
    EXPECT_NE(read_file(log).find("SIGHUP: server.listen changed: in force after a restart only"), std::string::npos);
    EXPECT_TRUE(growth() != in_force) << "the fee rule should be gone with the new file";
    EXPECT_EQ(get(port, "/healthz", "").status, 200u);

    server->kill(SIGTERM);
    EXPECT_EQ(server->wait(), 0);
}
