// Webhook deliveries to the real `pcgd serve`, as raw HTTP over loopback: the
// headers and the body reach the signature check byte for byte (WooCommerce's
// PHP-escaped JSON, Shopify's header names with and without "X-").
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <sstream>

#include "harness.hpp"

using namespace pcgd::test;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

const std::string woo_secret = "wh_example_secret_0123456789";
const std::string woo_signature = "w6eYR6tQcUXEIaVGU9jsDc25bxzAFej/dd4Cf7EIEno=";

struct Reply {
    unsigned status = 0;
    std::string body;
};

Reply post(unsigned short port, const std::string& target, const std::string& headers, const std::string& body) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    const std::string request = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers +
                                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    asio::write(socket, asio::buffer(request));
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return Reply{res.result_int(), res.body()};
}

class WebhooksEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        const auto add = pcgd({"shop", "add", "--id", "fr-woo", "--platform", "woocommerce", "--base-url",
                               "https://boutique.example", "--country", "FR", "--credential", "consumer_key=ck_x",
                               "--credential", "consumer_secret=cs_x", "--credential", "webhook_secret=" + woo_secret});
        ASSERT_EQ(add.exit_code, 0) << add.err;
        std::ifstream in(PCGD_WOOCOMMERCE_DATA_DIR "/webhook_order_updated_body.json", std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        body = s.str();
        ASSERT_EQ(body.size(), 2445u);
        server = pcgd.start({"serve", "--listen", "127.0.0.1:0"});
        const std::string line = server->read_line();
        const std::string prefix = "listening on http://127.0.0.1:";
        ASSERT_EQ(line.substr(0, prefix.size()), prefix) << line;
        port = static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
    }

    Pcgd pcgd;
    std::string body;
    std::unique_ptr<Subprocess> server;
    unsigned short port = 0;
};

}  // namespace

TEST_F(WebhooksEndToEnd, WooCommerceDeliveriesOverHttp) {
    const std::string signed_headers =
        "Content-Type: application/json\r\nX-WC-Webhook-Topic: order.updated\r\n"
        "X-WC-Webhook-Delivery-ID: 6a3f0c2e9b1d4e8fa7c5b3d1e2f4a6b8\r\n";
    const auto ping = post(port, "/webhooks/woocommerce/fr-woo", "Content-Type: application/x-www-form-urlencoded\r\n",
                           "webhook_id=142");
    EXPECT_EQ(ping.status, 200u);
    EXPECT_EQ(ping.body, R"j({"status":"ping"})j");

    const auto missing = post(port, "/webhooks/woocommerce/fr-woo", signed_headers, body);
    EXPECT_EQ(missing.status, 401u);
    const auto bad = post(port, "/webhooks/woocommerce/fr-woo",
                          signed_headers + "X-WC-Webhook-Signature: " + woo_signature + "\r\n", body + " ");
    EXPECT_EQ(bad.status, 401u);
    EXPECT_EQ(bad.body, R"j({"error":"the delivery's signature does not verify for this shop"})j");
    const auto unknown = post(port, "/webhooks/woocommerce/nobody",
                              signed_headers + "X-WC-Webhook-Signature: " + woo_signature + "\r\n", body);
    EXPECT_EQ(unknown.body, bad.body);

    // The good delivery queues a sync of the shop; the same delivery again is dropped.
    const auto good = post(port, "/webhooks/woocommerce/fr-woo",
                           signed_headers + "x-wc-webhook-signature: " + woo_signature + "\r\n", body);
    EXPECT_EQ(good.status, 200u) << good.body;
    EXPECT_NE(good.body.find(R"("status":"queued")"), std::string::npos) << good.body;
    const auto again = post(port, "/webhooks/woocommerce/fr-woo",
                            signed_headers + "X-WC-Webhook-Signature: " + woo_signature + "\r\n", body);
    EXPECT_EQ(again.status, 200u);
    EXPECT_EQ(again.body, R"j({"status":"duplicate"})j");
}
