// The real `pcgd serve` over loopback, against a store synced from an
// emulated shop: the API answers what the CLI prints, byte for byte; the
// limits; a graceful SIGTERM.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"

using namespace pcgd::test;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct Reply {
    unsigned status = 0;
    std::string body;
    bool keep_alive = false;
    std::string content_type;
};

/// A raw connection: requests are written as given, possibly in pieces.
class Connection {
public:
    explicit Connection(unsigned short port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
    Reply receive() {
        http::response<http::string_body> res;
        http::read(socket_, buffer_, res);
        return Reply{res.result_int(), res.body(), res.keep_alive(), std::string(res[http::field::content_type])};
    }
    /// True once the server has closed the connection (reads EOF).
    bool closed_by_server() {
        char c;
        boost::system::error_code ec;
        socket_.read_some(asio::buffer(&c, 1), ec);
        return ec == asio::error::eof || ec == asio::error::connection_reset;
    }

private:
    asio::io_context io_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

std::string get_request(const std::string& target, const std::string& token, bool close = true) {
    std::string r = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
    if (close) r += "Connection: close\r\n";
    return r + "\r\n";
}

class ServiceEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(pcgd({"sme", "add", "--id", "lumiere", "--name", "Lumière", "--currency", "GBP"}).exit_code, 0);
        const auto add = pcgd({"shop", "add", "--id", "gb", "--sme", "lumiere", "--platform", "testshop", "--base-url",
                               emulator.base_url(), "--country", "GB", "--timezone", "UTC", "--setting",
                               "client_id=pcgd-test-client", "--credential", "client_secret=pcgd-test-secret"});
        ASSERT_EQ(add.exit_code, 0) << add.err;
        sync_json(pcgd);
        // Small limits keep the limit tests fast; the harness's config is ours to extend.
        std::ofstream(std::filesystem::path(pcgd.store_path()).parent_path() / "pcgd.toml", std::ios::app)
            << "[server]\nmax_body_bytes = 1024\nread_timeout_ms = " << read_timeout.count()
            << "\nshutdown_timeout_ms = " << shutdown_bound.count() << "\n";
        const auto created = pcgd({"token", "create", "--role", "admin", "--name", "e2e"});
        ASSERT_EQ(created.exit_code, 0) << created.err;
        token = created.out.substr(0, created.out.find('\n'));
        ASSERT_EQ(token.size(), 69u);
        // The token is printed once and never stored: not in the listing.
        EXPECT_EQ(pcgd({"token", "list", "--json"}).out.find(token.substr(5)), std::string::npos);

        server = pcgd.start({"serve", "--listen", "127.0.0.1:0", "--log-level", "info"});
        const std::string line = server->read_line();
        const std::string prefix = "listening on http://127.0.0.1:";
        ASSERT_EQ(line.substr(0, prefix.size()), prefix) << line;
        port = static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
    }

    Reply get(const std::string& target, const std::string& with_token) {
        Connection c(port);
        c.send(get_request(target, with_token));
        return c.receive();
    }

    // The shutdown bound is shorter than the read timeout, so that a stalled
    // client meets the bound, not its own 408.
    const std::chrono::milliseconds read_timeout{2500}, shutdown_bound{1500};
    Emulator emulator{emulated("testshop", "GB", 13, 20, 300)};
    Pcgd pcgd;
    std::string token;
    std::unique_ptr<Subprocess> server;
    unsigned short port = 0;
};

}  // namespace

TEST_F(ServiceEndToEnd, AnswersExactlyWhatTheCliPrints) {
    for (const char* tool : {"quality", "opportunities", "planning", "growth"}) {
        SCOPED_TRACE(tool);
        const auto cli =
            pcgd({"report", tool, "--sme", "lumiere", "--month", "2026-10", "--lang", "fr", "--format", "json"});
        ASSERT_EQ(cli.exit_code, 0) << cli.err;
        const auto api = get(std::string("/api/reports/") + tool + "?sme=lumiere&month=2026-10&lang=fr", token);
        EXPECT_EQ(api.status, 200u);
        EXPECT_EQ(api.body, cli.out);
    }
    const auto shops = pcgd({"shop", "list", "--json"});
    EXPECT_EQ(get("/api/smes/lumiere/shops", token).body + "\n", shops.out);
    const auto orders = pcgd({"export", "orders", "--shop", "gb", "--format", "jsonl"});
    const auto exported = get("/api/exports/orders?shop=gb&format=jsonl", token);
    EXPECT_EQ(exported.content_type, "application/x-ndjson");
    EXPECT_EQ(exported.body, orders.out);
    EXPECT_GT(std::count(exported.body.begin(), exported.body.end(), '\n'), 100);
}

TEST_F(ServiceEndToEnd, OnlyHealthAnswersWithoutAToken) {
    EXPECT_EQ(get("/healthz", "").status, 200u);
    EXPECT_EQ(get("/readyz", "").status, 200u);
    EXPECT_EQ(get("/api/smes", "").status, 401u);
    EXPECT_EQ(get("/metrics", "").status, 401u);
    const auto revoke = pcgd({"token", "revoke", "--id", "1"});
    ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
    EXPECT_EQ(get("/api/smes", token).status, 401u);  // revocation takes effect at once
}

TEST_F(ServiceEndToEnd, KeepAliveServesSeveralRequestsOnOneConnection) {
    Connection c(port);
    for (int i = 0; i < 3; ++i) {
        c.send(get_request("/api/smes", token, false));
        const auto r = c.receive();
        EXPECT_EQ(r.status, 200u);
        EXPECT_TRUE(r.keep_alive);
    }
}

TEST_F(ServiceEndToEnd, RefusesOversizedBodiesAndHeadersAndCutsSlowClientsOff) {
    {
        Connection c(port);
        c.send("POST /api/smes HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n");
        const auto r = c.receive();
        EXPECT_EQ(r.status, 413u);
        EXPECT_EQ(r.body, R"({"error":"the request body is larger than 1024 bytes"})");
        EXPECT_FALSE(r.keep_alive);
    }
    {
        Connection c(port);
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(9000, 'a') + "\r\n\r\n");
        const auto r = c.receive();
        EXPECT_EQ(r.status, 431u);
        EXPECT_EQ(r.body, R"({"error":"the request headers are larger than 8192 bytes"})");
    }
    {
        Connection c(port);
        c.send("GARBAGE\r\n\r\n");
        EXPECT_EQ(c.receive().status, 400u);
    }
    {
        // Half a request, then nothing: answered 408 after read_timeout_ms and closed.
        Connection c(port);
        const auto start = std::chrono::steady_clock::now();
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        const auto r = c.receive();
        const auto waited = std::chrono::steady_clock::now() - start;
        EXPECT_EQ(r.status, 408u);
        EXPECT_EQ(r.body, R"({"error":"the request was not received within 2500 ms"})");
        EXPECT_GE(waited, read_timeout - 100ms);
        EXPECT_LT(waited, read_timeout + 2000ms);
        EXPECT_TRUE(c.closed_by_server());
    }
}

TEST_F(ServiceEndToEnd, SigtermFinishesTheRequestInFlightAndExitsZero) {
    // An idle kept-alive connection must not hold the shutdown up.
    Connection idle(port);
    idle.send(get_request("/api/smes", token, false));
    ASSERT_EQ(idle.receive().status, 200u);

    Connection busy(port);
    busy.send("GET /api/reports/growth?sme=lumiere&month=2026-10 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
              token + "\r\n");
    std::this_thread::sleep_for(200ms);  // the server has the first half
    const auto signalled = std::chrono::steady_clock::now();
    server->kill(SIGTERM);
    std::this_thread::sleep_for(200ms);
    EXPECT_TRUE(idle.closed_by_server());
    EXPECT_THROW(Connection{port}, boost::system::system_error);  // no longer accepting
    busy.send("\r\n");
    const auto r = busy.receive();
    EXPECT_EQ(r.status, 200u);
    EXPECT_FALSE(r.keep_alive);  // answered with Connection: close
    EXPECT_EQ(r.body.rfind(R"({"schema":"pcgd.report/1","tool":"growth")", 0), 0u) << r.body.substr(0, 100);
    EXPECT_EQ(server->wait(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, shutdown_bound);
}

TEST_F(ServiceEndToEnd, SigtermExitsZeroWithinTheBoundWhenAClientStalls) {
    Connection stalled(port);
    stalled.send("GET /healthz HTTP/1.1\r\n");
    std::this_thread::sleep_for(100ms);
    const auto signalled = std::chrono::steady_clock::now();
    server->kill(SIGTERM);
    EXPECT_EQ(server->wait(), 0);
    const auto took = std::chrono::steady_clock::now() - signalled;
    EXPECT_GE(took, shutdown_bound - 100ms);  // it did wait for the client
    EXPECT_LT(took, shutdown_bound + 1000ms);
}
