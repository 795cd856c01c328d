#include "server/service.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>

#include "server/api.hpp"
#include "server/http_server.hpp"

namespace pcgd::host::server {

void run_service(Store& store, const Config& config, const ServiceOptions& options) {
    boost::asio::io_context io;
    Metrics metrics;
    const auto now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    Api api{store, config, metrics, options.not_ready ? options.not_ready : [] { return std::string(); }, now_ms};
    Router router(store);
    add_all_routes(router, api);

    // One line per response. The route pattern, never the raw target or a
    // header: nothing secret can reach the log.
    auto observe = [&metrics](const std::string& method, const std::string& route, unsigned status, double ms) {
        metrics.count_request(route, status);
        spdlog::info("{} {} {} {:.1f} ms", method, route.empty() ? "-" : route, status, ms);
    };
    HttpServer server(
        io, config.server, [&router](const Request& r) { return router.handle(r); }, observe);
    const std::string bound = server.listen(options.listen.empty() ? config.server.listen : options.listen);

    // Registered before announcing the address, so that a signal sent as
    // soon as the address is known is never lost.
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer deadline(io);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("{}: stopping; {} connection(s) open", signal == SIGTERM ? "SIGTERM" : "SIGINT",
                     server.connections());
        server.shutdown([&] {
            spdlog::info("stopped: every request answered");
            io.stop();
        });
        deadline.expires_after(std::chrono::milliseconds(config.server.shutdown_timeout_ms));
        deadline.async_wait([&](const boost::system::error_code& timer_ec) {
            if (timer_ec) return;
            spdlog::warn("stopped after {} ms with {} connection(s) still open: they are cut off",
                         config.server.shutdown_timeout_ms, server.connections());
            io.stop();
        });
    });
    server.start();
    if (options.on_listening) options.on_listening("http://" + bound);
    io.run();
}

}  // namespace pcgd::host::server
