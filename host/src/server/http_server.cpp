#include "server/http_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>

namespace pcgd::host::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

class Session;

struct HttpServer::Impl {
    Impl(asio::io_context& io, const ServerConfig& c, Handler h, Observer o)
        : io(io), config(c), handler(std::move(h)), observer(std::move(o)), acceptor(io) {}

    asio::io_context& io;
    ServerConfig config;
    Handler handler;
    Observer observer;
    tcp::acceptor acceptor;
    bool stopping = false;
    std::function<void()> on_drained;
    std::map<Session*, std::weak_ptr<Session>> sessions;
    std::weak_ptr<Impl> shared_self;

    void accept();
    void session_ended(Session* s) {
        sessions.erase(s);
        if (stopping && sessions.empty() && on_drained) {
            auto f = std::move(on_drained);
            on_drained = nullptr;
            asio::post(io, std::move(f));
        }
    }
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
        : stream_(std::move(socket)), read_timer_(stream_.get_executor()), server_(std::move(server)) {}
    ~Session() { server_->session_ended(this); }

    void read() {
        parser_.emplace();
        parser_->header_limit(server_->config.max_header_bytes);
        parser_->body_limit(server_->config.max_body_bytes);
        reading_ = true;
        started_ = Clock::now();
        // Our own timer, not the stream's expiry: that one closes the socket,
        // and a slow client is owed its 408 before the connection closes.
        stream_.expires_never();
        timed_out_ = false;
        read_timer_.expires_after(std::chrono::milliseconds(server_->config.read_timeout_ms));
        read_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || !self->reading_) return;
            self->timed_out_ = true;
            beast::error_code ignored;
            self->stream_.socket().cancel(ignored);
        });
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    /// Shutdown: an idle connection (waiting for a request of which nothing
    /// has arrived) is closed; any other finishes its request first.
    void stop_if_idle() {
        if (reading_ && !parser_->got_some() && buffer_.size() == 0) {
            beast::error_code ignored;
            stream_.socket().close(ignored);
        }
    }

private:
    void on_read(beast::error_code ec) {
        reading_ = false;
        read_timer_.cancel();
        const std::string method = parser_->is_header_done() ? std::string(parser_->get().method_string()) : "-";
        if (timed_out_ && ec) {
            // A client that sends nothing more on a kept-alive connection is
            // simply closed; one that stalls inside a request is told so.
            if (parser_->got_some())
                reject(
                    method, 408,
                    "the request was not received within " + std::to_string(server_->config.read_timeout_ms) + " ms");
            return;
        }
        if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::bad_descriptor)
            return;  // the client left, or shutdown closed an idle connection
        if (ec == http::error::body_limit)
            return reject(
                method, 413,
                "the request body is larger than " + std::to_string(server_->config.max_body_bytes) + " bytes");
        if (ec == http::error::header_limit)
            return reject(
                method, 431,
                "the request headers are larger than " + std::to_string(server_->config.max_header_bytes) + " bytes");
        if (ec.category() == http::make_error_code(http::error::bad_target).category())
            return reject(method, 400, "malformed HTTP request: " + ec.message());
        if (ec) return;  // a network error: nobody to answer

        auto& req = parser_->get();
        Request request;
        request.method = std::string(req.method_string());
        std::string error;
        if (!parse_target(std::string(req.target()), request, error)) return reject(request.method, 400, error);
        request.authorization = std::string(req[http::field::authorization]);
        for (const auto& field : req) request.headers.emplace_back(field.name_string(), field.value());
        request.body = std::move(req.body());
        std::string request_method = request.method;
        // The answer may come from a worker: it is written on this thread,
        // and the worker gives up its reference to the session as it answers,
        // so that the session always ends here. Until then the answer counts
        // as work, so the io_context does not run out while it is awaited.
        server_->handler(
            std::move(request),
            [self = shared_from_this(), request_method = std::move(request_method), keep_alive = req.keep_alive(),
             awaited = asio::make_work_guard(stream_.get_executor())](Response response) mutable {
                auto executor = self->stream_.get_executor();
                asio::post(executor, [self = std::move(self), request_method = std::move(request_method), keep_alive,
                                      response = std::move(response), awaited = std::move(awaited)]() mutable {
                    self->write(request_method, std::move(response), keep_alive && !self->server_->stopping);
                    awaited.reset();
                });
            });
    }

    void reject(const std::string& method, unsigned status, const std::string& message) {
        write(method, json_error(status, message), false);
    }

    void write(const std::string& method, Response response, bool keep_alive) {
        auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
        res->set(http::field::server, "pcgd");
        res->set(http::field::content_type, response.content_type);
        res->set(http::field::cache_control, "no-store");
        for (const auto& [name, value] : response.headers) res->set(name, value);
        res->body() = std::move(response.body);
        res->keep_alive(keep_alive);
        res->prepare_payload();
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
        if (server_->observer) server_->observer(method, response.route, response.status, ms);
        // Writing is bounded too: a client that never reads is cut off.
        stream_.expires_after(std::chrono::milliseconds(server_->config.read_timeout_ms));
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec || !res->keep_alive() || self->server_->stopping) {
                beast::error_code ignored;
                self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                return;  // the last reference goes: the socket closes
            }
            self->read();
        });
    }

    beast::tcp_stream stream_;
    asio::steady_timer read_timer_;
    bool timed_out_ = false;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<HttpServer::Impl> server_;
    bool reading_ = false;
    Clock::time_point started_;
};

void HttpServer::Impl::accept() {
    acceptor.async_accept([self = this](beast::error_code ec, tcp::socket socket) {
        if (self->stopping || ec == asio::error::operation_aborted) return;
        if (!ec) {
            // The Impl outlives every session: HttpServer owns it and the
            // sessions hold it (shared_from_this is not available here).
            auto session = std::make_shared<Session>(std::move(socket), self->shared_self.lock());
            self->sessions.emplace(session.get(), session);
            session->read();
        }
        self->accept();
    });
}

HttpServer::HttpServer(asio::io_context& io, const ServerConfig& config, Handler handler, Observer observer)
    : impl_(std::make_shared<Impl>(io, config, std::move(handler), std::move(observer))) {
    impl_->shared_self = impl_;
}

HttpServer::~HttpServer() = default;

std::string HttpServer::listen(const std::string& address) {
    const auto colon = address.rfind(':');
    std::string host = colon == std::string::npos ? std::string() : address.substr(0, colon);
    const std::string port_text = colon == std::string::npos ? std::string() : address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(port_text, &used);
        if (used != port_text.size() || port > 65535) throw std::out_of_range("port");
    } catch (const std::exception&) {
        throw std::runtime_error("listen address '" + address + "' must be HOST:PORT with a port from 0 to 65535");
    }
    beast::error_code ec;
    const auto ip = asio::ip::make_address(host, ec);
    if (ec) throw std::runtime_error("listen address '" + address + "': '" + host + "' is not an IP address");
    const tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
    auto& a = impl_->acceptor;
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + address + ": " + ec.message());
    const auto bound = a.local_endpoint();
    const std::string h = bound.address().to_string();
    return (bound.address().is_v6() ? "[" + h + "]" : h) + ":" + std::to_string(bound.port());
}

void HttpServer::start() {
    impl_->accept();
}

void HttpServer::shutdown(std::function<void()> on_drained) {
    impl_->stopping = true;
    impl_->on_drained = std::move(on_drained);
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    // Copy first: closing a session may end it and erase it from the map.
    std::vector<std::shared_ptr<Session>> live;
    for (auto& [_, weak] : impl_->sessions)
        if (auto s = weak.lock()) live.push_back(std::move(s));
    for (auto& s : live) s->stop_if_idle();
    live.clear();
    if (impl_->sessions.empty() && impl_->on_drained) {
        auto f = std::move(impl_->on_drained);
        impl_->on_drained = nullptr;
        asio::post(impl_->io, std::move(f));
    }
}

std::size_t HttpServer::connections() const {
    return impl_->sessions.size();
}

}  // namespace pcgd::host::server
