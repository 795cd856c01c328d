// The default Api::post_form: one blocking exchange through the host's HTTP
// client on a private io_context. It runs on the service's io thread, which
// it holds for at most the timeout below; a callback is one click of one SME,
// rare enough for that (docs/service.md).
#include "server/connect_exchange.hpp"

#include <boost/asio/io_context.hpp>

#include "net/http_client.hpp"

namespace pcgd::host::server {

std::pair<int, std::string> blocking_post_form(const Config& config, const std::string& url, const std::string& form,
                                               const std::string& authorization) {
    boost::asio::io_context io;
    net::HttpClientOptions options;
    options.ca_file = config.ca_file;
    options.connect_timeout_ms = std::min<std::uint32_t>(config.connect_timeout_ms, exchange_timeout_ms);
    options.default_timeout_ms = exchange_timeout_ms;
    net::HttpClient client(io, options);
    net::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
    request.body = form;
    int status = 0;
    std::string body, failure;
    net::HttpHandlers handlers;
    handlers.on_head = [&](const net::HttpResponseHead& head) { status = head.status; };
    handlers.on_complete = [&](net::TransportError error, std::string detail, std::string b) {
        if (error != net::TransportError::none) failure = std::string(net::to_string(error)) + ": " + detail;
        body = std::move(b);
    };
    client.perform(std::move(request), std::move(handlers));
    io.run();
    if (!failure.empty()) throw std::runtime_error(failure);
    return {status, std::move(body)};
}

}  // namespace pcgd::host::server
