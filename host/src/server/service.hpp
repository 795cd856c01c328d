// `pcgd serve`: the API on one io_context until SIGTERM or SIGINT.
#pragma once

#include <functional>
#include <string>

#include "config/config.hpp"
#include "store/store.hpp"

namespace pcgd::host::server {

struct ServiceOptions {
    std::string listen;                                        // HOST:PORT; empty: config.server.listen
    std::function<std::string()> not_ready;                    // /readyz: empty when ready, else what is missing
    std::function<void(const std::string& url)> on_listening;  // once bound and accepting
};

/// Serves until SIGTERM or SIGINT, then stops accepting, lets the requests in
/// flight finish for up to config.server.shutdown_timeout_ms, and returns.
/// Throws std::runtime_error when it cannot listen.
void run_service(Store& store, const Config& config, const ServiceOptions& options);

}  // namespace pcgd::host::server
