// Connecting a Shopify shop end to end: `pcgd shop connect` prints the link,
// the owner's browser (the harness's client, following redirects) approves at
// the Shopify emulator, which redirects to the real `pcgd serve`'s callback;
// the service exchanges the code at the emulator and stores the token. Then
// `pcgd shop check` names the scope the owner declined and what it costs, and
// `pcgd sync` works with the stored token.
#include <gtest/gtest.h>

#include "harness.hpp"

using namespace pcgd::test;

namespace {

class ConnectEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        const auto add = pcgd({"shop", "add", "--id", "uk", "--platform", "shopify", "--base-url", emulator.base_url(),
                               "--country", "GB", "--setting", "client_id=pcgd-emulator-client", "--credential",
                               "client_secret=pcgd-emulator-client-secret"});
        ASSERT_EQ(add.exit_code, 0) << add.err;
        server = pcgd.start({"serve", "--listen", "127.0.0.1:0"});
        const std::string line = server->read_line();
        const std::string prefix = "listening on ";
        ASSERT_EQ(line.substr(0, prefix.size()), prefix) << line;
        service_url = line.substr(prefix.size());
    }

    Emulator emulator{emulated("shopify", "GB", 5, 10, 40)};
    Pcgd pcgd;
    std::unique_ptr<Subprocess> server;
    std::string service_url;
};

}  // namespace

TEST_F(ConnectEndToEnd, OwnerApprovesAndTheTokenIsStored) {
    // Not connected yet: nothing to sync with.
    EXPECT_NE(pcgd({"sync", "--shop", "uk"}).exit_code, 0);

    const auto link = pcgd({"shop", "connect", "--id", "uk", "--public-url", service_url});
    ASSERT_EQ(link.exit_code, 0) << link.err;
    const std::string url = link.out.substr(0, link.out.find('\n'));
    ASSERT_EQ(url.rfind(emulator.base_url() + "/admin/oauth/authorize?client_id=pcgd-emulator-client&scope=", 0), 0u)
        << url;
    EXPECT_NE(url.find("read_all_orders"), std::string::npos);

    // The owner declines read_all_orders (an emulator-only parameter).
    const auto approved = http("GET", url + "&pcgd_emulator_decline=read_all_orders");
    EXPECT_EQ(approved.status, 200) << approved.body;
    EXPECT_NE(approved.body.find("<h1>Connected</h1>"), std::string::npos) << approved.body;

    // The same link again: used once only.
    const auto again = http("GET", url);
    EXPECT_EQ(again.status, 400);
    EXPECT_NE(again.body.find("This link has been used already"), std::string::npos) << again.body;

    const auto check = pcgd({"shop", "check", "--id", "uk"});
    EXPECT_NE(check.exit_code, 0);
    EXPECT_NE(check.out.find("uk  access missing: scope read_all_orders not granted: only the last 60 days of orders: "
                             "growth and planning lack history (connect again: `pcgd shop connect --id uk`)"),
              std::string::npos)
        << check.out << check.err;

    const auto synced = pcgd({"sync", "--shop", "uk"});
    EXPECT_EQ(synced.exit_code, 0) << synced.err;
}

TEST(ConnectAmazonEndToEnd, SellerAuthorisesAndTheRefreshTokenIsStored) {
    Emulator amazon{emulated("amazon", "GB", 5, 10, 40)};
    Pcgd pcgd;
    const auto add = pcgd({"shop",         "add",
                           "--id",         "amz",
                           "--platform",   "amazon",
                           "--base-url",   amazon.base_url(),
                           "--country",    "GB",
                           "--setting",    "client_id=amzn1.application-oa2-client.pcgd-emulator",
                           "--setting",    "application_id=amzn1.sp.solution.pcgd-emulator",
                           "--setting",    "seller_central_url=" + amazon.base_url(),
                           "--setting",    "token_url=" + amazon.base_url() + "/auth/o2/token",
                           "--setting",    "report_poll_ms=1",
                           "--credential", "client_secret=pcgd-emulator-client-secret"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
    auto server = pcgd.start({"serve", "--listen", "127.0.0.1:0"});
    const std::string line = server->read_line();
    ASSERT_EQ(line.rfind("listening on ", 0), 0u) << line;
    const std::string service_url = line.substr(std::string("listening on ").size());

    const auto link = pcgd({"shop", "connect", "--id", "amz", "--public-url", service_url});
    ASSERT_EQ(link.exit_code, 0) << link.err;
    const std::string url = link.out.substr(0, link.out.find('\n'));
    ASSERT_EQ(
        url.rfind(amazon.base_url() + "/apps/authorize/consent?application_id=amzn1.sp.solution.pcgd-emulator&state=",
                  0),
        0u)
        << url;
    const auto approved = http("GET", url);
    EXPECT_EQ(approved.status, 200) << approved.body;
    EXPECT_NE(approved.body.find("<h1>Connected</h1>"), std::string::npos) << approved.body;

    const auto synced = pcgd({"sync", "--shop", "amz", "--dataset", "orders"});
    EXPECT_EQ(synced.exit_code, 0) << synced.err;
}

TEST(ConnectEbayEndToEnd, SellerConsentsAndTheRefreshTokenIsStored) {
    Emulator ebay{emulated("ebay", "GB", 5, 10, 40)};
    Pcgd pcgd;
    const auto add =
        pcgd({"shop", "add", "--id", "eb", "--platform", "ebay", "--base-url", ebay.base_url(), "--country", "GB",
              "--setting", "ru_name=pcgd-emulator-RuName", "--setting", "auth_url=" + ebay.base_url(), "--credential",
              "client_id=pcgd-ebay-client", "--credential", "client_secret=pcgd-ebay-secret"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
    auto server = pcgd.start({"serve", "--listen", "127.0.0.1:0"});
    const std::string line = server->read_line();
    ASSERT_EQ(line.rfind("listening on ", 0), 0u) << line;
    const std::string service_url = line.substr(std::string("listening on ").size());

    const auto link = pcgd({"shop", "connect", "--id", "eb"});
    ASSERT_EQ(link.exit_code, 0) << link.err;
    const std::string url = link.out.substr(0, link.out.find('\n'));
    ASSERT_EQ(
        url.rfind(ebay.base_url() + "/oauth2/authorize?client_id=pcgd-ebay-client&redirect_uri=pcgd-emulator-RuName",
                  0),
        0u)
        << url;
    // The accept URL registered for the RuName at eBay: this service's callback.
    const auto approved = http("GET", url + "&pcgd_emulator_accept_url=" + service_url + "/connect/ebay/callback");
    EXPECT_EQ(approved.status, 200) << approved.body;
    EXPECT_NE(approved.body.find("<h1>Connected</h1>"), std::string::npos) << approved.body;

    const auto synced = pcgd({"sync", "--shop", "eb", "--dataset", "orders"});
    EXPECT_EQ(synced.exit_code, 0) << synced.err;
}
