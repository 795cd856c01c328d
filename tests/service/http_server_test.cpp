// The HTTP server with answers that come later, from another thread (as the
// service's workers give them): other connections are answered meanwhile,
// the connection carries on after the late answer, and a graceful shutdown
// waits for it.
#include "server/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace pcgd::host::server {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct Reply {
    unsigned status = 0;
    std::string body;
    bool keep_alive = false;
};

class Client {
public:
    explicit Client(unsigned short port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    void send_get(const std::string& target) {
        const std::string r = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        asio::write(socket_, asio::buffer(r));
    }
    Reply receive() {
        http::response<http::string_body> res;
        http::read(socket_, buffer_, res);
        return Reply{res.result_int(), res.body(), res.keep_alive()};
    }

private:
    asio::io_context io_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

/// A server on its own io thread whose handler answers /slow only when the
/// test says so (from the test's thread), and anything else at once.
class LateAnswers : public ::testing::Test {
protected:
    void SetUp() override {
        ServerConfig config;
        config.read_timeout_ms = 5000;
        server_ = std::make_unique<HttpServer>(
            io_, config,
            [this](Request request, HttpServer::Respond respond) {
                if (request.path == "/slow") {
                    std::lock_guard lock(mutex_);
                    held_ = std::move(respond);
                    held_cv_.notify_all();
                    return;
                }
                Response r;
                r.body = request.path;
                respond(std::move(r));
            },
            nullptr);
        const std::string bound = server_->listen("127.0.0.1:0");
        port_ = static_cast<unsigned short>(std::stoi(bound.substr(bound.rfind(':') + 1)));
        server_->start();
        io_thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        io_.stop();
        io_thread_.join();
        server_.reset();
    }

    /// Waits until the handler holds /slow's answer, and takes it.
    HttpServer::Respond take_held() {
        std::unique_lock lock(mutex_);
        held_cv_.wait(lock, [this] { return static_cast<bool>(held_); });
        return std::exchange(held_, nullptr);
    }

    /// Runs `f` on the io thread and waits for it.
    template <class F>
    auto on_io_thread(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io_, [&task] { task(); });
        return result.get();
    }

    asio::io_context io_;
    // The io thread runs until TearDown, whatever the server has left to do.
    asio::executor_work_guard<asio::io_context::executor_type> keep_running_ = asio::make_work_guard(io_);
    std::unique_ptr<HttpServer> server_;
    unsigned short port_ = 0;
    std::thread io_thread_;
    std::mutex mutex_;
    std::condition_variable held_cv_;
    HttpServer::Respond held_;
};

TEST_F(LateAnswers, OtherConnectionsAreAnsweredWhileOneWaits) {
    Client slow(port_), fast(port_);
    slow.send_get("/slow");
    HttpServer::Respond answer = take_held();

    fast.send_get("/fast");
    const Reply quick = fast.receive();
    EXPECT_EQ(quick.status, 200u);
    EXPECT_EQ(quick.body, "/fast");

    Response late;
    late.status = 201;
    late.body = "late";
    std::thread([answer = std::move(answer), late]() mutable { answer(late); }).join();
    const Reply waited = slow.receive();
    EXPECT_EQ(waited.status, 201u);
    EXPECT_EQ(waited.body, "late");
    EXPECT_TRUE(waited.keep_alive);

    // The connection reads its next request once the late answer is written.
    slow.send_get("/after");
    const Reply next = slow.receive();
    EXPECT_EQ(next.body, "/after");
}

TEST_F(LateAnswers, ShutdownWaitsForTheLateAnswerAndClosesAfterIt) {
    Client slow(port_);
    slow.send_get("/slow");
    HttpServer::Respond answer = take_held();

    std::atomic<bool> drained{false};
    on_io_thread([&] {
        server_->shutdown([&] { drained = true; });
        return 0;
    });
    // Everything the io thread had to do is done, and the connection stays.
    EXPECT_EQ(on_io_thread([&] { return server_->connections(); }), 1u);
    EXPECT_FALSE(drained.load());

    Response late;
    late.body = "late";
    std::thread([answer = std::move(answer), late]() mutable { answer(late); }).join();
    const Reply waited = slow.receive();
    EXPECT_EQ(waited.body, "late");
    EXPECT_FALSE(waited.keep_alive);  // answered with Connection: close while stopping
    for (int i = 0; i < 500 && !drained; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(drained.load());
    EXPECT_EQ(on_io_thread([&] { return server_->connections(); }), 0u);
}

}  // namespace
}  // namespace pcgd::host::server
