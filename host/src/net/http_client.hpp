// Asynchronous HTTP(S) for the whole host: libcurl's multi interface driven by
// a Boost.Asio io_context, so many shops share one event loop and one thread.
// TLS peer and host verification are always on for https.
//
// Behaviour worth knowing:
// - Only http and https URLs are accepted. Redirects are followed (at most 5,
//   for downloads served from a CDN or a pre-signed URL); an https exchange is
//   never redirected to plain http, and curl does not send our Authorization
//   or Cookie headers to another host.
// - When a body is sent and no Content-Type header is given, none is sent
//   (curl would claim a form); "Expect: 100-continue" is never sent.
// - Proxies from the environment (https_proxy, no_proxy, ...) apply.
// - The client and every callback live on the io_context's thread; the
//   io_context must outlive the client.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace pcgd::host::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";  // GET, POST, PUT, DELETE, PATCH
    std::string url;
    Headers headers;
    std::string body;
    std::uint32_t timeout_ms = 0;  // whole exchange; 0: the client's default, or none when streaming
                                   // (a stalled stream still ends by the low-speed limit)
    bool stream_body = false;      // hand the body over in chunks as it arrives
};

struct HttpClientOptions {
    std::string ca_file;                   // CA bundle file to trust instead of the default bundle (tests: the test CA); empty: system store
    std::uint32_t connect_timeout_ms = 10000;
    std::uint32_t default_timeout_ms = 60000;
    std::uint32_t low_speed_timeout_ms = 30000;  // abort when under 1 byte/s for this long
    std::size_t max_chunk_bytes = 256 * 1024;    // largest chunk handed over when streaming
    std::size_t max_buffered_body_bytes = 256 * 1024 * 1024;  // non-streamed bodies larger than this fail
    std::string user_agent = "pcgd/0.1";
};

/// Why an exchange failed before a complete response arrived.
enum class TransportError {
    none,
    connect,     // refused, unreachable, DNS
    tls,         // handshake or certificate verification failed
    timeout,
    truncated,   // body shorter than announced, or connection closed mid-body
    too_large,   // non-streamed body over max_buffered_body_bytes
    aborted,     // the caller's chunk handler asked to stop
    other,
};
const char* to_string(TransportError e) noexcept;

struct HttpResponseHead {
    int status = 0;
    Headers headers;  // names as received
    std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive
};

/// Callbacks of one exchange, all run on the io_context's thread.
/// on_head and on_chunk may run inside curl: from them perform() is fine
/// (it starts on the next turn of the loop) but destroying the client is not.
/// An exception from on_head or on_chunk fails the exchange with `other`.
struct HttpHandlers {
    /// Called at most once, when the final status and headers are in: before
    /// the first chunk, or just before on_complete when there is no body (also
    /// when the exchange then fails, e.g. truncated). Interim 1xx and followed
    /// redirect responses are not reported.
    std::function<void(const HttpResponseHead&)> on_head;
    /// Streaming only: a chunk of the body, at most max_chunk_bytes. Return
    /// false to abort the exchange (on_complete then gets `aborted`).
    std::function<bool(std::string_view chunk)> on_chunk;
    /// Called exactly once at the end, never from inside perform(). On success
    /// `error` is none and, when not streaming, `body` holds the whole body;
    /// on failure `body` is empty. `detail` is curl's message or ours. It runs
    /// outside curl: it may perform() again or destroy the client. An exception
    /// it throws leaves io_context::run; the client stays consistent.
    std::function<void(TransportError error, std::string detail, std::string body)> on_complete;
};

class HttpClient {
public:
    HttpClient(boost::asio::io_context& io, HttpClientOptions options);
    /// Exchanges still in flight complete here, synchronously and in the order
    /// they were started, with `aborted` (perform() from those handlers
    /// completes at once with `aborted` too). Nothing runs after that.
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Starts an exchange; returns at once. Handlers run on `io`'s thread.
    void perform(HttpRequest request, HttpHandlers handlers);
    /// Exchanges started and not completed.
    std::size_t in_flight() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pcgd::host::net
