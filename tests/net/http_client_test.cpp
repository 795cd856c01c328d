#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>

#include "net/retry.hpp"
#include "test_server.hpp"

namespace pcgd::host::net {
namespace {

using pcgd::test::Fnv1a;
using pcgd::test::TestServer;
using Clock = std::chrono::steady_clock;

constexpr auto kDeadline = std::chrono::seconds(30);  // generous: sanitizer builds on a shared machine

/// What the handlers of one exchange saw.
struct Outcome {
    int heads = 0;
    int completions = 0;
    bool head_before_first_chunk = true;
    HttpResponseHead head;
    TransportError error = TransportError::other;
    std::string detail;
    std::string body;
    std::uint64_t streamed_bytes = 0;
    std::size_t chunks = 0;
    std::size_t largest_chunk = 0;
    Fnv1a checksum;
    std::thread::id thread;

    HttpHandlers handlers() {
        HttpHandlers h;
        h.on_head = [this](const HttpResponseHead& head_in) {
            ++heads;
            head = head_in;
        };
        h.on_chunk = [this](std::string_view chunk) {
            if (heads == 0) head_before_first_chunk = false;
            ++chunks;
            streamed_bytes += chunk.size();
            largest_chunk = std::max(largest_chunk, chunk.size());
            checksum.update(chunk);
            return true;
        };
        h.on_complete = [this](TransportError e, std::string d, std::string b) {
            ++completions;
            error = e;
            detail = std::move(d);
            body = std::move(b);
            thread = std::this_thread::get_id();
        };
        return h;
    }
};

/// Runs `io` on this thread until `done` or the deadline.
void run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = Clock::now() + kDeadline;
    while (!done() && Clock::now() < deadline) {
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::milliseconds(50));
    }
}

HttpRequest get(std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    return r;
}

/// Echo bodies: method line, header lines, blank line, request body.
struct Echo {
    std::string method;
    std::multimap<std::string, std::string> headers;
    std::string body;
};

Echo parse_echo(const std::string& text) {
    Echo e;
    std::size_t pos = text.find('\n');
    e.method = text.substr(0, pos);
    ++pos;
    for (;;) {
        const std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) throw std::runtime_error("bad echo");
        if (end == pos) {
            e.body = text.substr(end + 1);
            return e;
        }
        const std::string line = text.substr(pos, end - pos);
        const std::size_t colon = line.find(": ");
        e.headers.emplace(line.substr(0, colon), colon == std::string::npos ? "" : line.substr(colon + 2));
        pos = end + 1;
    }
}

class HttpClientTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        // A proxy from the environment must not capture loopback traffic.
        ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
        ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    }

    Outcome fetch(HttpClient& client, HttpRequest request) {
        Outcome out;
        client.perform(std::move(request), out.handlers());
        run_until(io, [&] { return out.completions > 0; });
        return out;
    }

    Outcome fetch(HttpRequest request) {
        HttpClient client(io, options);
        return fetch(client, std::move(request));
    }

    TestServer server;  // declared first: outlives every client in a test
    boost::asio::io_context io;
    HttpClientOptions options;
};

TEST_F(HttpClientTest, GetRoundTripsHeaders) {
    HttpRequest r = get(server.url("/echo?x=1"));
    r.headers = {{"X-One", "1"}, {"X-Spaces", "a b  c"}, {"X-Empty", ""}, {"Authorization", "Bearer t0k"}};
    const Outcome out = fetch(r);
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    EXPECT_EQ(out.completions, 1);
    EXPECT_EQ(out.heads, 1);
    EXPECT_EQ(out.head.status, 200);
    const Echo echo = parse_echo(out.body);
    EXPECT_EQ(echo.method, "GET");
    EXPECT_EQ(echo.headers.find("x-one")->second, "1");
    EXPECT_EQ(echo.headers.find("x-spaces")->second, "a b  c");
    ASSERT_EQ(echo.headers.count("x-empty"), 1u);
    EXPECT_EQ(echo.headers.find("x-empty")->second, "");
    EXPECT_EQ(echo.headers.find("authorization")->second, "Bearer t0k");
    EXPECT_EQ(echo.headers.find("user-agent")->second, "pcgd/0.1");
    EXPECT_EQ(echo.headers.count("content-length"), 0u);
    EXPECT_EQ(echo.body, "");
}

TEST_F(HttpClientTest, PostRoundTripsBinaryBody) {
    std::string payload(300 * 1024, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 % 256);
    HttpRequest r = get(server.url("/echo"));
    r.method = "POST";
    r.headers = {{"Content-Type", "application/json"}, {"X-Trace", "abc"}};
    r.body = payload;
    const Outcome out = fetch(r);
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    const Echo echo = parse_echo(out.body);
    EXPECT_EQ(echo.method, "POST");
    EXPECT_EQ(echo.headers.find("content-type")->second, "application/json");
    EXPECT_EQ(echo.headers.find("x-trace")->second, "abc");
    EXPECT_EQ(echo.headers.find("content-length")->second, std::to_string(payload.size()));
    EXPECT_EQ(echo.headers.count("expect"), 0u);  // no 100-continue round trip
    EXPECT_TRUE(echo.body == payload);
}

TEST_F(HttpClientTest, OtherMethodsSendTheirBody) {
    HttpClient client(io, options);
    for (const std::string method : {"PUT", "PATCH", "DELETE"}) {
        HttpRequest r = get(server.url("/echo"));
        r.method = method;
        r.body = "{\"m\":\"" + method + "\"}";
        const Outcome out = fetch(client, r);
        ASSERT_EQ(out.error, TransportError::none) << method << ": " << out.detail;
        const Echo echo = parse_echo(out.body);
        EXPECT_EQ(echo.method, method);
        EXPECT_EQ(echo.body, r.body);
        // We never invent a content type (curl would claim a form).
        EXPECT_EQ(echo.headers.count("content-type"), 0u);
    }
    HttpRequest del = get(server.url("/echo"));
    del.method = "DELETE";
    const Outcome out = fetch(client, del);
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    const Echo echo = parse_echo(out.body);
    EXPECT_EQ(echo.method, "DELETE");
    EXPECT_EQ(echo.body, "");
    // One keep-alive connection served all four exchanges.
    EXPECT_EQ(server.connections_accepted(), 1);
}

TEST_F(HttpClientTest, StatusAndHeaders) {
    const Outcome out = fetch(get(server.url("/status?code=429")));
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    EXPECT_EQ(out.head.status, 429);
    ASSERT_TRUE(out.head.header("retry-after"));
    EXPECT_EQ(*out.head.header("retry-after"), "2");
    EXPECT_EQ(*out.head.header("RETRY-AFTER"), "2");
    EXPECT_EQ(*out.head.header("x-test"), "yes");
    EXPECT_FALSE(out.head.header("x-absent"));
    EXPECT_EQ(out.body, "status 429");
    EXPECT_EQ(parse_retry_after_ms(*out.head.header("Retry-After"), 0), 2000u);
    EXPECT_TRUE(is_retryable(out.head.status, out.error));
}

TEST_F(HttpClientTest, EmptyBodyStillDeliversHeadOnce) {
    const Outcome out = fetch(get(server.url("/status?code=204")));
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    EXPECT_EQ(out.heads, 1);
    EXPECT_EQ(out.head.status, 204);
    EXPECT_EQ(out.body, "");
}

TEST_F(HttpClientTest, RedirectIsFollowed) {
    const Outcome out = fetch(get(server.url("/redirect")));
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    EXPECT_EQ(out.heads, 1);
    EXPECT_EQ(out.head.status, 200);  // the final response's head, not the 302's
    EXPECT_EQ(parse_echo(out.body).method, "GET");
}

TEST_F(HttpClientTest, RejectsHeaderInjectionAndBadMethods) {
    HttpRequest injected = get(server.url("/echo"));
    injected.headers = {{"X-A", "1\r\nX-Evil: 1"}};
    Outcome out = fetch(injected);
    EXPECT_EQ(out.error, TransportError::other);
    EXPECT_EQ(out.completions, 1);

    HttpRequest bad_name = get(server.url("/echo"));
    bad_name.headers = {{"X A", "1"}};
    EXPECT_EQ(fetch(bad_name).error, TransportError::other);

    HttpRequest bad_method = get(server.url("/echo"));
    bad_method.method = "GE T";
    EXPECT_EQ(fetch(bad_method).error, TransportError::other);
    EXPECT_EQ(server.connections_accepted(), 0);
}

TEST_F(HttpClientTest, OnlyHttpAndHttps) {
    for (const char* url : {"file:///etc/hostname", "ftp://127.0.0.1:1/", "gopher://127.0.0.1:1/"}) {
        const Outcome out = fetch(get(url));
        EXPECT_EQ(out.error, TransportError::other) << url;
        EXPECT_EQ(out.completions, 1);
        EXPECT_EQ(out.heads, 0);
    }
}

TEST_F(HttpClientTest, StreamsTwentyMegabytesInBoundedChunks) {
    constexpr std::uint64_t kBytes = 20 * 1024 * 1024;
    options.max_chunk_bytes = 10000;  // smaller than curl's writes, and not a power of two
    HttpRequest r = get(server.url("/big?bytes=" + std::to_string(kBytes)));
    r.stream_body = true;
    const Outcome out = fetch(r);
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    EXPECT_EQ(out.heads, 1);
    EXPECT_TRUE(out.head_before_first_chunk);
    EXPECT_EQ(*out.head.header("content-length"), std::to_string(kBytes));
    EXPECT_EQ(out.streamed_bytes, kBytes);
    EXPECT_EQ(out.checksum.value(), pcgd::test::pattern_checksum(kBytes));
    EXPECT_LE(out.largest_chunk, 10000u);
    EXPECT_GE(out.chunks, kBytes / 10000);
    EXPECT_EQ(out.body, "");  // streamed bodies are not accumulated
}

TEST_F(HttpClientTest, StreamsChunkedEncoding) {
    constexpr std::uint64_t kBytes = 3 * 1024 * 1024 + 17;
    HttpRequest r = get(server.url("/chunked?bytes=" + std::to_string(kBytes)));
    r.stream_body = true;
    const Outcome out = fetch(r);
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    EXPECT_EQ(out.streamed_bytes, kBytes);
    EXPECT_EQ(out.checksum.value(), pcgd::test::pattern_checksum(kBytes));
    EXPECT_LE(out.largest_chunk, options.max_chunk_bytes);
}

TEST_F(HttpClientTest, BufferedBodyUpToTheLimitAndNoFurther) {
    options.max_buffered_body_bytes = 1024 * 1024;
    HttpClient client(io, options);
    const Outcome fits = fetch(client, get(server.url("/big?bytes=1048576")));
    ASSERT_EQ(fits.error, TransportError::none) << fits.detail;
    ASSERT_EQ(fits.body.size(), 1048576u);
    Fnv1a sum;
    sum.update(fits.body);
    EXPECT_EQ(sum.value(), pcgd::test::pattern_checksum(1048576));

    const Outcome over = fetch(client, get(server.url("/big?bytes=1048577")));
    EXPECT_EQ(over.error, TransportError::too_large);
    EXPECT_EQ(over.completions, 1);
    EXPECT_EQ(over.body, "");
    EXPECT_FALSE(is_retryable(0, over.error));
}

TEST_F(HttpClientTest, ShortBodyIsTruncated) {
    const Outcome out = fetch(get(server.url("/truncated")));
    EXPECT_EQ(out.error, TransportError::truncated) << out.detail;
    EXPECT_EQ(out.completions, 1);
    EXPECT_EQ(out.heads, 1);
    EXPECT_EQ(out.head.status, 200);
    EXPECT_EQ(out.body, "");  // never half a body presented as a whole

    HttpRequest streamed = get(server.url("/truncated"));
    streamed.stream_body = true;
    const Outcome s = fetch(streamed);
    EXPECT_EQ(s.error, TransportError::truncated) << s.detail;
    EXPECT_EQ(s.streamed_bytes, 100u);
}

TEST_F(HttpClientTest, ChunkedBodyCutShortIsTruncated) {
    const Outcome out = fetch(get(server.url("/truncated-chunked")));
    EXPECT_EQ(out.error, TransportError::truncated) << out.detail;
}

TEST_F(HttpClientTest, CloseWithoutAnswerIsTruncated) {
    const Outcome out = fetch(get(server.url("/close")));
    EXPECT_EQ(out.error, TransportError::truncated) << out.detail;
    EXPECT_EQ(out.heads, 0);
    EXPECT_EQ(out.completions, 1);
}

TEST_F(HttpClientTest, ClosedPortIsConnectError) {
    std::uint16_t port = 0;
    {
        // Bind then close: the port is free and nobody listens on it.
        boost::asio::io_context scratch;
        boost::asio::ip::tcp::acceptor a(scratch, {boost::asio::ip::make_address("127.0.0.1"), 0});
        port = a.local_endpoint().port();
    }
    const Outcome out = fetch(get("http://127.0.0.1:" + std::to_string(port) + "/"));
    EXPECT_EQ(out.error, TransportError::connect) << out.detail;
    EXPECT_FALSE(out.detail.empty());
    EXPECT_TRUE(is_retryable(0, out.error));
}

TEST_F(HttpClientTest, TimeoutFiresWithinBound) {
    HttpRequest r = get(server.url("/hang"));
    r.timeout_ms = 300;
    const auto start = Clock::now();
    const Outcome out = fetch(r);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    EXPECT_EQ(out.error, TransportError::timeout) << out.detail;
    EXPECT_GE(elapsed.count(), 290);
    EXPECT_LT(elapsed.count(), 10000);
}

TEST_F(HttpClientTest, SlowAnswerWithinTimeoutSucceeds) {
    HttpRequest r = get(server.url("/delay?ms=100"));
    r.timeout_ms = 10000;
    const Outcome out = fetch(r);
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    EXPECT_EQ(out.body, "late");
}

TEST_F(HttpClientTest, AStreamedDownloadHasNoWholeExchangeTimeout) {
    // A bulk export may take longer than any fixed bound; only a stall ends it.
    options.default_timeout_ms = 300;
    HttpRequest r = get(server.url("/trickle?pieces=8&interval_ms=100"));
    r.stream_body = true;
    const Outcome streamed = fetch(r);
    ASSERT_EQ(streamed.error, TransportError::none) << streamed.detail;
    EXPECT_EQ(streamed.streamed_bytes, 8000u);

    r.stream_body = false;  // the same exchange buffered keeps the bound
    EXPECT_EQ(fetch(r).error, TransportError::timeout);
}

class HttpsTest : public HttpClientTest {
protected:
    TestServer tls_server{TestServer::Mode::tls};
};

TEST_F(HttpsTest, TestCaIsTrusted) {
    options.ca_file = std::string(PCGD_TEST_TLS_DIR) + "/ca.pem";
    HttpRequest r = get(tls_server.url("/echo"));
    r.method = "POST";
    r.body = "over tls";
    const Outcome out = fetch(r);
    ASSERT_EQ(out.error, TransportError::none) << out.detail;
    EXPECT_EQ(out.head.status, 200);
    EXPECT_EQ(parse_echo(out.body).body, "over tls");
}

TEST_F(HttpsTest, UnknownCaFailsWithTls) {
    const Outcome out = fetch(get(tls_server.url("/echo")));
    EXPECT_EQ(out.error, TransportError::tls) << out.detail;
    EXPECT_EQ(out.heads, 0);
}

TEST_F(HttpsTest, PlainHttpToTlsPortIsNotSuccess) {
    const Outcome out = fetch(get("http://127.0.0.1:" + std::to_string(tls_server.port()) + "/echo"));
    EXPECT_NE(out.error, TransportError::none);
}

TEST_F(HttpClientTest, FiftyConcurrentRequestsOnOneThread) {
    HttpClient client(io, options);
    constexpr int kCount = 50;
    std::vector<Outcome> outs(kCount);
    for (int i = 0; i < kCount; ++i) {
        const std::uint64_t bytes = 1000 * static_cast<std::uint64_t>(i) + 1;
        client.perform(get(server.url("/big?bytes=" + std::to_string(bytes))), outs[static_cast<std::size_t>(i)].handlers());
    }
    EXPECT_EQ(client.in_flight(), static_cast<std::size_t>(kCount));
    int done = 0;
    run_until(io, [&] {
        done = 0;
        for (const auto& o : outs) done += o.completions;
        return done == kCount;
    });
    ASSERT_EQ(done, kCount);
    EXPECT_EQ(client.in_flight(), 0u);
    for (int i = 0; i < kCount; ++i) {
        const Outcome& o = outs[static_cast<std::size_t>(i)];
        const std::uint64_t bytes = 1000 * static_cast<std::uint64_t>(i) + 1;
        ASSERT_EQ(o.error, TransportError::none) << i << ": " << o.detail;
        EXPECT_EQ(o.completions, 1);
        ASSERT_EQ(o.body.size(), bytes);
        Fnv1a sum;
        sum.update(o.body);
        EXPECT_EQ(sum.value(), pcgd::test::pattern_checksum(bytes)) << i;
        EXPECT_EQ(o.thread, std::this_thread::get_id());
    }
}

TEST_F(HttpClientTest, AbortFromChunkHandler) {
    HttpClient client(io, options);
    Outcome out;
    HttpHandlers h = out.handlers();
    h.on_chunk = [&](std::string_view chunk) {
        ++out.chunks;
        out.streamed_bytes += chunk.size();
        return false;
    };
    HttpRequest r = get(server.url("/big?bytes=20971520"));
    r.stream_body = true;
    client.perform(r, std::move(h));
    run_until(io, [&] { return out.completions > 0; });
    EXPECT_EQ(out.error, TransportError::aborted) << out.detail;
    EXPECT_EQ(out.completions, 1);
    EXPECT_EQ(out.chunks, 1u);
    EXPECT_FALSE(is_retryable(0, out.error));
    EXPECT_EQ(client.in_flight(), 0u);

    // The client carries on after an abort.
    const Outcome next = fetch(client, get(server.url("/echo")));
    EXPECT_EQ(next.error, TransportError::none) << next.detail;
}

TEST_F(HttpClientTest, ThrowingChunkHandlerFailsTheExchange) {
    Outcome out;
    HttpHandlers h = out.handlers();
    h.on_chunk = [](std::string_view) -> bool { throw std::runtime_error("boom"); };
    HttpRequest r = get(server.url("/big?bytes=100000"));
    r.stream_body = true;
    HttpClient client(io, options);
    client.perform(r, std::move(h));
    run_until(io, [&] { return out.completions > 0; });
    EXPECT_EQ(out.error, TransportError::other);
    EXPECT_NE(out.detail.find("boom"), std::string::npos);
}

TEST_F(HttpClientTest, PerformFromChunkHandlerIsDeferred) {
    HttpClient client(io, options);
    Outcome first;
    Outcome second;
    HttpHandlers h = first.handlers();
    h.on_chunk = [&](std::string_view chunk) {
        if (first.chunks++ == 0) client.perform(get(server.url("/echo")), second.handlers());
        first.streamed_bytes += chunk.size();
        return true;
    };
    HttpRequest r = get(server.url("/big?bytes=500000"));
    r.stream_body = true;
    client.perform(r, std::move(h));
    run_until(io, [&] { return first.completions > 0 && second.completions > 0; });
    EXPECT_EQ(first.error, TransportError::none) << first.detail;
    EXPECT_EQ(first.streamed_bytes, 500000u);
    EXPECT_EQ(second.error, TransportError::none) << second.detail;
    EXPECT_EQ(parse_echo(second.body).method, "GET");
}

TEST_F(HttpClientTest, RetryFromOnComplete) {
    HttpClient client(io, options);
    Outcome second;
    Outcome first;
    HttpHandlers h = first.handlers();
    h.on_complete = [&](TransportError e, std::string, std::string) {
        ++first.completions;
        first.error = e;
        client.perform(get(server.url("/echo")), second.handlers());
    };
    client.perform(get(server.url("/status?code=503")), std::move(h));
    run_until(io, [&] { return second.completions > 0; });
    EXPECT_EQ(first.completions, 1);
    EXPECT_EQ(first.head.status, 503);
    EXPECT_EQ(second.error, TransportError::none) << second.detail;
}

TEST_F(HttpClientTest, DestructionWithExchangesInFlightCompletesThemAborted) {
    auto client = std::make_unique<HttpClient>(io, options);
    constexpr int kHanging = 5;
    std::vector<Outcome> outs(kHanging + 2);
    for (int i = 0; i < kHanging; ++i) client->perform(get(server.url("/hang")), outs[static_cast<std::size_t>(i)].handlers());
    HttpRequest big = get(server.url("/big?bytes=20971520"));
    big.stream_body = true;
    client->perform(big, outs[kHanging].handlers());
    // Started but the loop will not run again before destruction.
    client->perform(get(server.url("/echo")), outs[kHanging + 1].handlers());
    // Let the hanging requests reach the server and the download start.
    run_until(io, [&] { return server.connections_accepted() >= kHanging + 1 && outs[kHanging].chunks > 0; });
    ASSERT_GE(server.connections_accepted(), kHanging + 1);
    client.reset();
    int aborted = 0;
    for (const auto& o : outs) {
        EXPECT_EQ(o.completions, 1);
        aborted += o.error == TransportError::aborted ? 1 : 0;
    }
    // The /echo may legitimately have finished already; all the others cannot have.
    EXPECT_GE(aborted, kHanging + 1);
    // Handlers queued before destruction must be harmless (ASan watches).
    io.restart();
    io.run_for(std::chrono::milliseconds(100));
    for (const auto& o : outs) EXPECT_EQ(o.completions, 1);
}

TEST_F(HttpClientTest, DestructionBeforeTheLoopRuns) {
    std::vector<Outcome> outs(4);
    {
        HttpClient client(io, options);
        for (std::size_t i = 0; i < 3; ++i) client.perform(get(server.url("/echo")), outs[i].handlers());
        HttpRequest bad = get(server.url("/echo"));
        bad.headers = {{"X", "a\nb"}};  // its failure is queued, not yet reported
        client.perform(bad, outs[3].handlers());
        EXPECT_EQ(client.in_flight(), 4u);
    }
    for (const auto& o : outs) {
        EXPECT_EQ(o.completions, 1);
        EXPECT_EQ(o.error, TransportError::aborted);
    }
    io.run_for(std::chrono::milliseconds(50));
    for (const auto& o : outs) EXPECT_EQ(o.completions, 1);
}

TEST_F(HttpClientTest, DestructionFromOnComplete) {
    auto client = std::make_unique<HttpClient>(io, options);
    Outcome quick;
    Outcome hanging;
    client->perform(get(server.url("/hang")), hanging.handlers());
    HttpHandlers h = quick.handlers();
    std::size_t in_flight_seen = 99;
    h.on_complete = [&](TransportError e, std::string, std::string) {
        ++quick.completions;
        quick.error = e;
        in_flight_seen = client->in_flight();
        client.reset();  // the owner drops the client from a completion
    };
    client->perform(get(server.url("/echo")), std::move(h));
    run_until(io, [&] { return quick.completions > 0; });
    EXPECT_EQ(quick.error, TransportError::none);
    EXPECT_EQ(in_flight_seen, 1u);  // the completing exchange no longer counts
    EXPECT_EQ(hanging.completions, 1);
    EXPECT_EQ(hanging.error, TransportError::aborted);
    io.run_for(std::chrono::milliseconds(50));
    EXPECT_EQ(hanging.completions, 1);
}

std::size_t open_fd_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

// Every socket curl opens is closed by curl exactly once: none leak when our
// watchers release them, and reuse across exchanges keeps working (a watcher
// that closed curl's fd would break the second exchange on the connection).
TEST(HttpClientFdTest, SocketsAreNeitherLeakedNorClosedTwice) {
    const std::size_t before = open_fd_count();
    {
        TestServer server;
        boost::asio::io_context io;
        Outcome hung;  // outlives the client, whose destruction completes it
        {
            HttpClient client(io, {});
            for (int round = 0; round < 3; ++round) {
                std::vector<Outcome> outs(8);
                for (auto& o : outs) client.perform(get(server.url("/echo")), o.handlers());
                run_until(io, [&] {
                    int done = 0;
                    for (const auto& o : outs) done += o.completions;
                    return done == 8;
                });
                for (const auto& o : outs) ASSERT_EQ(o.error, TransportError::none) << o.detail;
            }
            // Later rounds reused the first round's connections.
            EXPECT_LT(server.connections_accepted(), 24);
            // Destroyed with an exchange in flight: its socket is closed too.
            client.perform(get(server.url("/hang")), hung.handlers());
            io.restart();
            io.run_for(std::chrono::milliseconds(100));
        }
        EXPECT_EQ(hung.error, TransportError::aborted);
        io.run_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(open_fd_count(), before);
}

TEST(TransportErrorTest, Names) {
    EXPECT_STREQ(to_string(TransportError::none), "none");
    EXPECT_STREQ(to_string(TransportError::connect), "connect");
    EXPECT_STREQ(to_string(TransportError::tls), "tls");
    EXPECT_STREQ(to_string(TransportError::timeout), "timeout");
    EXPECT_STREQ(to_string(TransportError::truncated), "truncated");
    EXPECT_STREQ(to_string(TransportError::too_large), "too_large");
    EXPECT_STREQ(to_string(TransportError::aborted), "aborted");
    EXPECT_STREQ(to_string(TransportError::other), "other");
}

TEST(HttpResponseHeadTest, HeaderLookupIsCaseInsensitiveFirstMatch) {
    HttpResponseHead head;
    head.headers = {{"Content-Type", "text/plain"}, {"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}};
    EXPECT_EQ(*head.header("content-type"), "text/plain");
    EXPECT_EQ(*head.header("SET-COOKIE"), "a=1");
    EXPECT_FALSE(head.header("Content-Typ"));
    EXPECT_FALSE(head.header(""));
}

}  // namespace
}  // namespace pcgd::host::net
