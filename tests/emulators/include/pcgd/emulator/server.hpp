// The HTTP/1.1 server: Boost.Beast over Asio, 127.0.0.1 only, one thread,
// keep-alive, optional TLS. Only server.cpp includes Beast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pcgd::emulator {

class Emulator;

struct ServerOptions {
    std::uint16_t port = 0;  // 0: any free port
    std::string tls_cert_file;  // both set: serve HTTPS
    std::string tls_key_file;
    std::size_t body_limit_bytes = 1 << 20;
    std::uint32_t idle_timeout_ms = 30'000;
};

class Server {
public:
    /// Binds 127.0.0.1 at once (throws std::runtime_error on failure), so
    /// port() is known before run().
    Server(Emulator& emulator, const ServerOptions& options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const noexcept;
    bool tls() const noexcept;
    /// "http://127.0.0.1:PORT" or "https://..."
    std::string url() const;

    /// Stop run() on SIGINT / SIGTERM (the CLI wants this; tests do not).
    void stop_on_signals();
    /// Serves until stop(). Call from one thread only.
    void run();
    /// Thread-safe.
    void stop();

    struct Impl;  // public only so that server.cpp's sessions can name it

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace pcgd::emulator
