// The HTTP/1.1 listener and its connections (Boost.Beast, kept inside
// http_server.cpp). The connections live on one io_context thread; the
// handler is called there and may answer later from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "server/http_types.hpp"

namespace boost::asio {
class io_context;
}

namespace pcgd::host::server {

/// Told of every response sent, the handler's and the listener's own
/// (400, 408, 413, 431): for the request log and the metrics.
using Observer = std::function<void(const std::string& method, const std::string& route, unsigned status, double ms)>;

class HttpServer {
public:
    /// Answers the request: call it once, from any thread.
    using Respond = std::function<void(Response)>;
    /// Called on the io_context's thread; must not block it for long.
    using Handler = std::function<void(Request, Respond)>;

    HttpServer(boost::asio::io_context& io, const ServerConfig& config, Handler handler, Observer observer);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds "HOST:PORT" ("[::1]:0" for IPv6; port 0: any free one) and
    /// returns the bound address in the same form. Throws std::runtime_error
    /// naming the address.
    std::string listen(const std::string& address);

    /// Accepts connections until shutdown().
    void start();

    /// Graceful stop: no new connection is accepted; idle keep-alive
    /// connections are closed at once; a request being read or answered is
    /// finished, answered with `Connection: close`, and its connection
    /// closed. `on_drained` runs once no connection is left.
    void shutdown(std::function<void()> on_drained);

    /// Connections open now.
    std::size_t connections() const;

private:
    friend class Session;  // a connection (http_server.cpp)
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pcgd::host::server
