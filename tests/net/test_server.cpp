#include "test_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#ifndef PCGD_TEST_TLS_DIR
#error "PCGD_TEST_TLS_DIR must name the directory of the test CA"
#endif

namespace pcgd::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::uint64_t pattern_checksum(std::uint64_t bytes) {
    Fnv1a sum;
    std::string piece;
    for (std::uint64_t i = 0; i < bytes;) {
        const std::uint64_t n = std::min<std::uint64_t>(65536, bytes - i);
        piece.resize(n);
        for (std::uint64_t k = 0; k < n; ++k) piece[k] = pattern_byte(i + k);
        sum.update(piece);
        i += n;
    }
    return sum.value();
}

namespace {

struct Target {
    std::string path;
    std::map<std::string, std::string> query;
    std::uint64_t number(const std::string& key, std::uint64_t fallback) const {
        const auto it = query.find(key);
        return it == query.end() ? fallback : std::stoull(it->second);
    }
};

Target parse_target(std::string_view target) {
    Target t;
    const auto q = target.find('?');
    t.path = std::string(target.substr(0, q));
    if (q == std::string_view::npos) return t;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        t.query[std::string(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    return t;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string pattern(std::uint64_t offset, std::uint64_t n) {
    std::string s(n, '\0');
    for (std::uint64_t k = 0; k < n; ++k) s[k] = pattern_byte(offset + k);
    return s;
}

}  // namespace

struct TestServer::Impl {
    struct Connection {
        std::mutex mutex;
        int fd = -1;
        bool closed = false;
    };

    explicit Impl(Mode mode_) : mode(mode_), acceptor(io) {
        if (mode == Mode::tls) {
            ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
            ssl->use_certificate_chain_file(std::string(PCGD_TEST_TLS_DIR) + "/server.pem");
            ssl->use_private_key_file(std::string(PCGD_TEST_TLS_DIR) + "/server.key", asio::ssl::context::pem);
        }
        const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen();
        port = acceptor.local_endpoint().port();
        accept_thread = std::thread([this] { accept_loop(); });
    }

    ~Impl() {
        {
            std::lock_guard lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        {
            // A blocking accept() does not notice close(); a connection wakes it.
            tcp::socket poke(io);
            boost::system::error_code ec;
            poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
            accept_thread.join();
        }
        {
            std::lock_guard lock(mutex);
            for (auto& c : connections) {
                std::lock_guard conn_lock(c->mutex);
                // Wakes threads blocked in read (/hang, idle keep-alive).
                if (!c->closed) ::shutdown(c->fd, SHUT_RDWR);
            }
        }
        for (auto& t : workers) t.join();
    }

    void accept_loop() {
        for (;;) {
            tcp::socket socket(io);
            boost::system::error_code ec;
            acceptor.accept(socket, ec);
            {
                std::lock_guard lock(mutex);
                if (stopping) return;
            }
            if (ec) continue;
            ++accepted;
            auto conn = std::make_shared<Connection>();
            conn->fd = socket.native_handle();
            {
                std::lock_guard lock(mutex);
                connections.push_back(conn);
            }
            workers.emplace_back([this, conn, s = std::move(socket)]() mutable { run_connection(std::move(s), *conn); });
        }
    }

    void run_connection(tcp::socket socket, Connection& conn) {
        try {
            if (mode == Mode::tls) {
                asio::ssl::stream<tcp::socket&> stream(socket, *ssl);
                stream.handshake(asio::ssl::stream_base::server);
                serve(stream);
            } else {
                serve(socket);
            }
        } catch (const std::exception&) {
            // Peers vanishing mid-exchange is what several tests do on purpose.
        }
        std::lock_guard lock(conn.mutex);
        conn.closed = true;
        boost::system::error_code ec;
        socket.close(ec);
    }

    template <class Stream>
    void serve(Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            boost::system::error_code ec;
            http::read(stream, buffer, parser, ec);
            if (ec) return;
            if (!respond(stream, parser.get())) return;
        }
    }

    template <class Stream>
    static void send(Stream& stream, std::string_view data) {
        asio::write(stream, asio::buffer(data.data(), data.size()));
    }

    static std::string head(int status, std::string_view extra_headers) {
        return "HTTP/1.1 " + std::to_string(status) + " X\r\n" + std::string(extra_headers) + "\r\n";
    }

    // Returns false when the connection is to be closed.
    template <class Stream>
    bool respond(Stream& stream, const http::request<http::string_body>& req) {
        const Target target = parse_target(std::string_view(req.target().data(), req.target().size()));
        const std::string& path = target.path;
        if (path == "/echo") {
            std::string body = std::string(req.method_string()) + "\n";
            for (const auto& field : req) {
                body += lower(std::string_view(field.name_string().data(), field.name_string().size()));
                body += ": ";
                body.append(field.value().data(), field.value().size());
                body += "\n";
            }
            body += "\n";
            body += req.body();
            send(stream, head(200, "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n") + body);
            return true;
        }
        if (path == "/status") {
            const int code = static_cast<int>(target.number("code", 200));
            std::string extra = "X-Test: yes\r\n";
            if (code == 429) extra += "Retry-After: 2\r\n";
            if (code == 204 || code == 304) {
                send(stream, head(code, extra));
                return true;
            }
            const std::string body = "status " + std::to_string(code);
            send(stream, head(code, extra + "Content-Length: " + std::to_string(body.size()) + "\r\n") + body);
            return true;
        }
        if (path == "/big" || path == "/chunked") {
            const std::uint64_t bytes = target.number("bytes", 0);
            const bool chunked = path == "/chunked";
            send(stream, head(200, chunked ? std::string("Transfer-Encoding: chunked\r\n")
                                           : "Content-Length: " + std::to_string(bytes) + "\r\n"));
            // Odd-sized pieces, so chunk boundaries on the client never line up with ours.
            constexpr std::uint64_t kPiece = 100003;
            for (std::uint64_t offset = 0; offset < bytes; offset += kPiece) {
                const std::uint64_t n = std::min(kPiece, bytes - offset);
                if (chunked) {
                    char size_line[32];
                    std::snprintf(size_line, sizeof size_line, "%llx\r\n", static_cast<unsigned long long>(n));
                    send(stream, size_line);
                }
                send(stream, pattern(offset, n));
                if (chunked) send(stream, "\r\n");
            }
            if (chunked) send(stream, "0\r\n\r\n");
            return true;
        }
        if (path == "/trickle") {
            // A download that keeps flowing for longer than a whole-exchange timeout.
            const std::uint64_t pieces = target.number("pieces", 10);
            const auto interval = std::chrono::milliseconds(target.number("interval_ms", 50));
            send(stream, head(200, "Content-Length: " + std::to_string(pieces * 1000) + "\r\n"));
            for (std::uint64_t i = 0; i < pieces; ++i) {
                {
                    std::unique_lock lock(mutex);
                    if (wake.wait_for(lock, interval, [this] { return stopping; })) return false;
                }
                send(stream, pattern(i * 1000, 1000));
            }
            return true;
        }
        if (path == "/truncated") {
            send(stream, head(200, "Content-Length: 1000\r\n") + std::string(100, 'x'));
            return false;
        }
        if (path == "/truncated-chunked") {
            send(stream, head(200, "Transfer-Encoding: chunked\r\n") + "64\r\n" + std::string(100, 'x') + "\r\n");
            return false;
        }
        if (path == "/close") return false;
        if (path == "/hang") {
            char scratch[4096];
            boost::system::error_code ec;
            while (!ec) stream.read_some(asio::buffer(scratch), ec);
            return false;
        }
        if (path == "/delay") {
            const auto ms = std::chrono::milliseconds(target.number("ms", 0));
            {
                std::unique_lock lock(mutex);
                if (wake.wait_for(lock, ms, [this] { return stopping; })) return false;
            }
            send(stream, head(200, "Content-Length: 4\r\n") + "late");
            return true;
        }
        if (path == "/redirect") {
            send(stream, head(302, "Location: /echo\r\nContent-Length: 0\r\n"));
            return true;
        }
        send(stream, head(404, "Content-Length: 0\r\n"));
        return true;
    }

    Mode mode;
    asio::io_context io;  // only for constructing sockets; all I/O here is blocking
    std::unique_ptr<asio::ssl::context> ssl;
    tcp::acceptor acceptor;
    std::uint16_t port = 0;
    std::thread accept_thread;
    std::vector<std::thread> workers;  // touched by the accept thread, then by ~Impl after its join
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::vector<std::shared_ptr<Connection>> connections;
    std::atomic<int> accepted{0};
};

TestServer::TestServer(Mode mode) : impl_(std::make_unique<Impl>(mode)) {}
TestServer::~TestServer() = default;

std::uint16_t TestServer::port() const noexcept { return impl_->port; }

std::string TestServer::url(std::string_view path) const {
    return std::string(impl_->mode == Mode::tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port) +
           std::string(path);
}

int TestServer::connections_accepted() const noexcept { return impl_->accepted.load(); }

}  // namespace pcgd::test
