// A loopback HTTP/1.1 server for the HttpClient tests, on 127.0.0.1 and an
// ephemeral port. One thread accepts; each connection gets a thread doing
// blocking I/O, so the client's io_context in the test thread is the only
// event loop under test.
//
// Routes (query parameters after '?'):
//   /echo                 200; body = method, "\n", "name: value\n" per header
//                         (names lower-cased), "\n", then the request body
//   /status?code=N        status N, "X-Test: yes"; 429 adds "Retry-After: 2"
//   /big?bytes=N          N pattern bytes with Content-Length, written in pieces
//   /chunked?bytes=N      N pattern bytes, chunked transfer encoding
//   /trickle?pieces=N&interval_ms=M  N pieces of 1000 bytes, one every M ms
//   /truncated            announces Content-Length 1000, sends 100 bytes, closes
//   /truncated-chunked    one chunk, then closes without the last chunk
//   /close                reads the request, closes without answering
//   /hang                 reads the request, never answers (until the peer leaves)
//   /delay?ms=N           answers "late" after N ms
//   /redirect             302 to /echo
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace pcgd::test {

/// Byte `i` of the bodies of /big and /chunked: not periodic over small
/// windows, so a lost or repeated piece changes the checksum.
inline char pattern_byte(std::uint64_t i) noexcept {
    return static_cast<char>((i * 131u + (i >> 12) * 7u + 3u) & 0xffu);
}

/// FNV-1a, 64 bits, fed incrementally.
class Fnv1a {
public:
    void update(std::string_view data) noexcept {
        for (const char c : data) {
            hash_ ^= static_cast<unsigned char>(c);
            hash_ *= 1099511628211ull;
        }
    }
    std::uint64_t value() const noexcept { return hash_; }

private:
    std::uint64_t hash_ = 14695981039346656037ull;
};

std::uint64_t pattern_checksum(std::uint64_t bytes);

class TestServer {
public:
    enum class Mode { plain, tls };
    explicit TestServer(Mode mode = Mode::plain);
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    std::uint16_t port() const noexcept;
    /// "http://127.0.0.1:<port><path>" (https for Mode::tls).
    std::string url(std::string_view path) const;
    int connections_accepted() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pcgd::test
