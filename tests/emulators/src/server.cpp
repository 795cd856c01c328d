// The one translation unit of the emulator that includes Boost.Beast.
#include <pcgd/emulator/server.hpp>

#include <pcgd/emulator/emulator.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <csignal>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace pcgd::emulator {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

struct Server::Impl {
    Impl(Emulator& e, const ServerOptions& o) : emulator(e), options(o), acceptor(ioc) {}

    Emulator& emulator;
    ServerOptions options;
    net::io_context ioc{1};
    tcp::acceptor acceptor;
    std::optional<ssl::context> tls;
    std::optional<net::signal_set> signals;

    void accept();
};

namespace {

Request to_request(http::request<http::string_body>&& req) {
    std::map<std::string, std::string> headers;
    for (const auto& f : req) headers.emplace(std::string(f.name_string()), std::string(f.value()));
    return Request::make(std::string(req.method_string()), std::string(req.target()), std::move(req.body()), std::move(headers));
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

    template <class... Args>
    Session(Server::Impl& server, Args&&... args)
        : server_(server), stream_(std::forward<Args>(args)...), timer_(stream_.get_executor()) {}

    void start() {
        if constexpr (is_tls) {
            lowest().expires_after(std::chrono::milliseconds(server_.options.idle_timeout_ms));
            stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
                if (ec) return self->close_hard();
                self->read();
            });
        } else {
            read();
        }
    }

private:
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    void read() {
        parser_.emplace();
        parser_->body_limit(server_.options.body_limit_bytes);
        lowest().expires_after(std::chrono::milliseconds(server_.options.idle_timeout_ms));
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(error_code ec) {
        if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == net::error::eof ||
            ec == beast::error::timeout || ec == net::error::connection_reset)
            return close();
        if (ec == http::error::body_limit) return reject(413, "request body too large");
        if (ec && ec.category() == http::make_error_code(http::error::bad_target).category())
            return reject(400, "malformed request: " + ec.message());
        if (ec) return close_hard();

        auto req = parser_->release();
        keep_alive_ = req.keep_alive();
        Outcome outcome;
        try {
            outcome = server_.emulator.dispatch(to_request(std::move(req)));
        } catch (const std::exception& e) {
            outcome.response = Response::json(500, std::string(R"({"error":"emulator_bug","error_description":")") +
                                                       "see the emulator's stderr\"}");
            std::fprintf(stderr, "pcgd-emulator: request failed: %s\n", e.what());
        }
        build(outcome.response);
        delivery_ = outcome.delivery;
        if (outcome.delay_ms == 0) return deliver();
        // Wait without blocking the other connections: the server has one thread.
        lowest().expires_never();
        timer_.expires_after(std::chrono::milliseconds(outcome.delay_ms));
        timer_.async_wait([self = this->shared_from_this()](error_code) { self->deliver(); });
    }

    void build(const Response& r) {
        res_ = {};
        res_.version(11);
        res_.result(static_cast<unsigned>(r.status));
        res_.set(http::field::server, "pcgd-emulator");
        res_.set(http::field::content_type, r.content_type);
        for (const auto& [name, value] : r.headers) res_.insert(name, value);
        res_.body() = r.body;
        res_.keep_alive(keep_alive_);
        res_.prepare_payload();
    }

    void reject(int status, const std::string& why) {
        keep_alive_ = false;
        build(Response::json(status, R"({"error":"bad_request","error_description":")" + why + "\"}"));
        delivery_ = Delivery::normal;
        deliver();
    }

    void deliver() {
        lowest().expires_after(std::chrono::milliseconds(server_.options.idle_timeout_ms));
        switch (delivery_) {
        case Delivery::drop: return close_hard();
        case Delivery::truncate: {
            // Headers announce the whole body; half of it follows, then the connection ends.
            std::ostringstream os;
            os << res_;
            raw_ = os.str();
            raw_.resize(raw_.size() - res_.body().size() / 2 - 1);
            net::async_write(stream_, net::buffer(raw_),
                             [self = this->shared_from_this()](error_code, std::size_t) { self->close_hard(); });
            return;
        }
        case Delivery::normal:
            http::async_write(stream_, res_, [self = this->shared_from_this()](error_code ec, std::size_t) {
                if (ec || !self->keep_alive_) return self->close();
                self->read();
            });
            return;
        }
    }

    void close() {
        if constexpr (is_tls) {
            lowest().expires_after(std::chrono::seconds(2));
            stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->close_hard(); });
        } else {
            error_code ec;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
            lowest().close();
        }
    }

    void close_hard() {
        error_code ec;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
        lowest().close();
    }

    Server::Impl& server_;
    Stream stream_;
    net::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> res_;
    std::string raw_;
    bool keep_alive_ = true;
    Delivery delivery_ = Delivery::normal;
};

}  // namespace

void Server::Impl::accept() {
    acceptor.async_accept(ioc, [this](error_code ec, tcp::socket socket) {
        if (!acceptor.is_open()) return;
        if (!ec) {
            socket.set_option(tcp::no_delay(true), ec);
            if (tls)
                std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls)->start();
            else
                std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->start();
        }
        accept();
    });
}

Server::Server(Emulator& emulator, const ServerOptions& options) : impl_(std::make_unique<Impl>(emulator, options)) {
    if (options.tls_cert_file.empty() != options.tls_key_file.empty())
        throw std::invalid_argument("--tls-cert and --tls-key go together");
    if (!options.tls_cert_file.empty()) {
        impl_->tls.emplace(ssl::context::tls_server);
        try {
            impl_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
            impl_->tls->use_certificate_chain_file(options.tls_cert_file);
            impl_->tls->use_private_key_file(options.tls_key_file, ssl::context::pem);
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error("cannot load the TLS certificate or key: " + std::string(e.what()));
        }
    }
    const tcp::endpoint endpoint(net::ip::make_address_v4("127.0.0.1"), options.port);
    error_code ec;
    auto& a = impl_->acceptor;
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(options.port) + ": " + ec.message());
    impl_->accept();
}

Server::~Server() = default;

std::uint16_t Server::port() const noexcept {
    error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

bool Server::tls() const noexcept { return impl_->tls.has_value(); }

std::string Server::url() const { return std::string(tls() ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()); }

void Server::stop_on_signals() {
    impl_->signals.emplace(impl_->ioc, SIGINT, SIGTERM);
    impl_->signals->async_wait([this](error_code ec, int) {
        if (!ec) stop();
    });
}

void Server::run() { impl_->ioc.run(); }

void Server::stop() {
    net::post(impl_->ioc, [impl = impl_.get()] {
        error_code ec;
        impl->acceptor.close(ec);
        if (impl->signals) impl->signals->cancel(ec);
        impl->ioc.stop();
    });
}

}  // namespace pcgd::emulator
