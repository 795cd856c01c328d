// A small blocking HTTP/1.1 client for tests (Beast, kept in client.cpp), and
// an in-process emulator running on its own thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <pcgd/emulator/emulator.hpp>
#include <pcgd/emulator/server.hpp>

namespace pcgd::emulator::testing {

struct HttpReply {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string error;  // set when no complete response arrived (dropped, truncated, timeout)

    bool ok() const { return error.empty(); }
    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// Keeps one keep-alive connection, reconnecting after a failure.
/// With `ca_file` it speaks TLS and verifies the server against that CA.
class HttpClient {
public:
    explicit HttpClient(std::uint16_t port, std::string ca_file = {}, int timeout_ms = 20'000);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    HttpReply request(const std::string& method, const std::string& target,
                      const std::map<std::string, std::string>& headers = {}, const std::string& body = {});
    HttpReply get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
        return request("GET", target, headers);
    }
    /// How many TCP connections were opened so far (keep-alive checks).
    int connections() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Sends raw bytes on a fresh plain connection; returns what comes back until the server closes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000);

/// An Emulator and its Server on a background thread.
class RunningEmulator {
public:
    explicit RunningEmulator(EmulatorOptions options, ServerOptions server_options = {})
        : emulator_(std::move(options)), server_(emulator_, server_options), thread_([this] { server_.run(); }) {}
    ~RunningEmulator() {
        server_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return server_.port(); }
    std::string url() const { return server_.url(); }

private:
    Emulator emulator_;
    Server server_;
    std::thread thread_;
};

}  // namespace pcgd::emulator::testing
