// A blocking form POST for the connect callbacks (see connect_exchange.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "config/config.hpp"

namespace pcgd::host::server {

/// The longest a code exchange may hold the service's io thread.
constexpr std::uint32_t exchange_timeout_ms = 10000;

/// POSTs `form` to `url` (with `authorization` as the Authorization header
/// unless empty); the status and body. Throws std::runtime_error on a
/// transport failure (connect, TLS, timeout).
std::pair<int, std::string> blocking_post_form(const Config& config, const std::string& url, const std::string& form,
                                               const std::string& authorization = {});

}  // namespace pcgd::host::server
