// The one test translation unit that includes Boost.Beast.
#include "client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>
#include <sys/socket.h>
#include <sys/time.h>

namespace pcgd::emulator::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {
/// Blocking calls have no timeout in Asio; the kernel's does the job.
void set_timeouts(tcp::socket& s, int timeout_ms) {
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}
}  // namespace

struct HttpClient::Impl {
    std::uint16_t port;
    std::string ca_file;
    int timeout_ms;
    net::io_context ioc;
    std::optional<ssl::context> tls;
    std::optional<tcp::socket> plain;
    std::optional<ssl::stream<tcp::socket>> secure;
    beast::flat_buffer buffer;
    int connections = 0;

    void connect() {
        buffer.clear();
        const tcp::endpoint ep(net::ip::make_address_v4("127.0.0.1"), port);
        if (tls) {
            secure.emplace(ioc, *tls);
            secure->next_layer().connect(ep);
            set_timeouts(secure->next_layer(), timeout_ms);
            secure->set_verify_mode(ssl::verify_peer);
            secure->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
            secure->handshake(ssl::stream_base::client);
        } else {
            plain.emplace(ioc);
            plain->connect(ep);
            set_timeouts(*plain, timeout_ms);
        }
        ++connections;
    }
    bool connected() const { return tls ? secure.has_value() : plain.has_value(); }
    void disconnect() {
        secure.reset();
        plain.reset();
    }

    template <class Stream>
    HttpReply exchange(Stream& s, http::request<http::string_body>& req) {
        http::write(s, req);
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        http::read(s, buffer, parser);
        auto res = parser.release();
        HttpReply reply;
        reply.status = static_cast<int>(res.result_int());
        for (const auto& f : res) {
            std::string name(f.name_string());
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            reply.headers[name] = std::string(f.value());
        }
        reply.body = std::move(res.body());
        if (!res.keep_alive()) disconnect();
        return reply;
    }
};

HttpClient::HttpClient(std::uint16_t port, std::string ca_file, int timeout_ms) : impl_(std::make_unique<Impl>()) {
    impl_->port = port;
    impl_->ca_file = std::move(ca_file);
    impl_->timeout_ms = timeout_ms;
    if (!impl_->ca_file.empty()) {
        impl_->tls.emplace(ssl::context::tls_client);
        impl_->tls->load_verify_file(impl_->ca_file);
    }
}

HttpClient::~HttpClient() = default;

int HttpClient::connections() const noexcept { return impl_->connections; }

HttpReply HttpClient::request(const std::string& method, const std::string& target,
                              const std::map<std::string, std::string>& headers, const std::string& body) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    // No silent retry: tests must see dropped and truncated responses. The
    // server closes idle connections only after 30 s, longer than any test.
    try {
        if (!impl_->connected()) impl_->connect();
        return impl_->tls ? impl_->exchange(*impl_->secure, req) : impl_->exchange(*impl_->plain, req);
    } catch (const std::exception& e) {
        impl_->disconnect();
        HttpReply failed;
        failed.error = e.what();
        return failed;
    }
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms) {
    net::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port));
    set_timeouts(s, timeout_ms);
    net::write(s, net::buffer(bytes));
    std::string out;
    char buf[4096];
    boost::system::error_code ec;
    while (true) {
        const std::size_t n = s.read_some(net::buffer(buf), ec);
        if (ec) break;
        out.append(buf, n);
    }
    return out;
}

}  // namespace pcgd::emulator::testing
