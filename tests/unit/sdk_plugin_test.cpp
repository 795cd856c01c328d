// The SDK's trampolines, driven through the C vtable by FakeHost.
#include <gtest/gtest.h>

#include <pcgd/sdk/plugin.hpp>
#include <pcgd/testing/fake_host.hpp>

namespace {

using namespace pcgd;

/// Pages through "/items?page=N" and emits one product per item; behaviour
/// switches let tests reach every error path.
class EchoPlugin : public sdk::Plugin {
public:
    static const char* manifest() { return R"({"id":"echo"})"; }
    EchoPlugin(sdk::Host host, const json::Node& settings)
        : Plugin(std::move(host)), base_url_(settings.at("base_url").str()), mode_(settings.str_or("mode", "")) {
        if (mode_ == "throw-in-create") throw std::runtime_error("cannot start");
    }
    void begin(const sdk::Job& job) override {
        page_ = job.cursor.empty() ? 1 : std::stoi(job.cursor);
        done_ = false;
        if (mode_ == "throw-in-begin") throw sdk::Error(PCGD_ERR_AUTH, "token revoked");
    }
    sdk::Step next_step() override {
        if (done_) return sdk::Step::done();
        if (mode_ == "wait") return sdk::Step::wait(1500);
        sdk::Request r;
        r.url = base_url_ + "/items?page=" + std::to_string(page_);
        r.header("Accept", "application/json");
        r.stream_body = mode_ == "stream";
        return sdk::Step::send(std::move(r));
    }
    void on_response(const sdk::Response& response, sdk::Result& out) override {
        if (mode_ == "stream") {
            body_ += response.body();
            if (!response.final_chunk()) return;
        } else {
            body_ = response.body();
        }
        if (mode_ == "bad-int") (void)std::stoi("x");  // std::invalid_argument from a library
        if (mode_ == "logic") throw std::logic_error("bug");
        if (mode_ == "int") throw 42;
        rapidjson::Document doc;
        json::parse(doc, body_, "items page");
        json::Node root(doc, "page");
        root.at("items").for_each([&](const json::Node& item) {
            model::Product p;
            p.id = std::string(item.at("id").str());
            p.title = std::string(item.str_or("title", ""));
            host().emit(p);
        });
        body_.clear();
        if (auto remaining = response.header("x-ratelimit-remaining")) out.budget_remaining = std::stoll(std::string(*remaining));
        done_ = !root.bool_or("more", false);
        ++page_;
        out.commit(std::to_string(page_));
    }

private:
    std::string base_url_, mode_, body_;
    int page_ = 1;
    bool done_ = false;
};

}  // namespace

PCGD_DECLARE_PLUGIN(EchoPlugin)

namespace {

using pcgd::testing::FakeHost;
using pcgd::testing::SlotError;

TEST(SdkPlugin, RequestsRecordsAndCheckpoints) {
    FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://shop.test"})");
    host.begin(sdk::Dataset::inventory);
    auto step = host.next_step();
    ASSERT_EQ(step.kind, sdk::Step::Kind::request);
    EXPECT_EQ(step.request.url, "https://shop.test/items?page=1");
    EXPECT_EQ(step.request.header("accept"), "application/json");
    auto result = host.respond(200, {{"X-RateLimit-Remaining", "37"}}, R"({"items":[{"id":"a","title":"A"},{"id":"b"}],"more":true})");
    EXPECT_TRUE(result.checkpoint);
    EXPECT_EQ(result.cursor, "2");
    EXPECT_EQ(result.budget_remaining, 37);
    EXPECT_EQ(result.budget_capacity, -1);
    ASSERT_EQ(host.records().size(), 2u);
    EXPECT_EQ(host.records()[0].json, R"({"id":"a","title":"A","active":true})");
    EXPECT_EQ(host.next_step().request.url, "https://shop.test/items?page=2");
    host.respond(200, {}, R"({"items":[]})");
    EXPECT_EQ(host.next_step().kind, sdk::Step::Kind::done);
}

TEST(SdkPlugin, ResumesFromACursor) {
    FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://shop.test"})");
    host.begin(sdk::Dataset::inventory, false, "7");
    EXPECT_EQ(host.next_step().request.url, "https://shop.test/items?page=7");
}

TEST(SdkPlugin, StreamedBodiesArriveInChunks) {
    FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://s","mode":"stream"})");
    host.begin(sdk::Dataset::inventory);
    EXPECT_TRUE(host.next_step().request.stream_body);
    host.respond(200, {}, R"({"items":[{"id":"a"},{"id":"b"},{"id":"c"}]})", 5);
    EXPECT_EQ(host.records().size(), 3u);
}

TEST(SdkPlugin, WaitSteps) {
    FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://s","mode":"wait"})");
    host.begin(sdk::Dataset::inventory);
    auto step = host.next_step();
    EXPECT_EQ(step.kind, sdk::Step::Kind::wait);
    EXPECT_EQ(step.wait_ms, 1500u);
}

TEST(SdkPlugin, ExceptionsBecomeErrorCodes) {
    auto code_of = [](const char* mode, const char* body, std::string* message = nullptr) {
        FakeHost host(pcgd_plugin_get_vtable(), std::string(R"({"base_url":"https://s","mode":")") + mode + "\"}");
        host.begin(sdk::Dataset::inventory);
        host.next_step();
        try {
            host.respond(200, {}, body);
        } catch (const SlotError& e) {
            if (message) *message = e.what();
            return e.code;
        }
        return 0;
    };
    std::string message;
    EXPECT_EQ(code_of("", R"({"items":[{"id":5}]})", &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_EQ(message, "page.items[0].id: expected a string, found a number");
    EXPECT_EQ(code_of("", "<html>502 Bad Gateway</html>", &message), PCGD_ERR_BAD_RESPONSE);
    EXPECT_EQ(message, "items page is not valid JSON at byte 0: Invalid value.");
    EXPECT_EQ(code_of("bad-int", "{}"), PCGD_ERR_BAD_RESPONSE);
    EXPECT_EQ(code_of("logic", "{}", &message), PCGD_ERR_INTERNAL);
    EXPECT_EQ(message, "plugin error: bug");
    EXPECT_EQ(code_of("int", "{}", &message), PCGD_ERR_INTERNAL);
    EXPECT_EQ(message, "plugin threw an unknown exception");
}

TEST(SdkPlugin, CreateAndBeginFailuresCarryTheirCode) {
    try {
        FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://s","mode":"throw-in-create"})");
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_INTERNAL);
        EXPECT_STREQ(e.what(), "plugin error: cannot start");
    }
    try {
        FakeHost host(pcgd_plugin_get_vtable(), R"({"mode":"x"})");
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_CONFIG);
        EXPECT_STREQ(e.what(), "settings: missing required field 'base_url'");
    }
    try {
        FakeHost host(pcgd_plugin_get_vtable(), "not json");
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_CONFIG);
        EXPECT_STREQ(e.what(), "plugin settings is not valid JSON at byte 1: Invalid value.");
    }
    FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://s","mode":"throw-in-begin"})");
    try {
        host.begin(sdk::Dataset::orders);
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_AUTH);
        EXPECT_STREQ(e.what(), "token revoked");
    }
}

TEST(SdkPlugin, ARefusedRecordFailsTheCall) {
    FakeHost host(pcgd_plugin_get_vtable(), R"({"base_url":"https://s"})");
    host.begin(sdk::Dataset::inventory);
    host.next_step();
    host.fail_emits_with(PCGD_ERR_HOST);
    try {
        host.respond(200, {}, R"({"items":[{"id":"a"}]})");
        FAIL();
    } catch (const SlotError& e) {
        EXPECT_EQ(e.code, PCGD_ERR_HOST);
        EXPECT_STREQ(e.what(), "emit refused by FakeHost");
    }
}

TEST(SdkPlugin, VtableIsComplete) {
    const pcgd_plugin_vtable* vt = pcgd_plugin_get_vtable();
    EXPECT_EQ(vt->abi_version, PCGD_ABI_VERSION);
    EXPECT_EQ(vt->struct_size, sizeof(pcgd_plugin_vtable));
    EXPECT_GE(vt->struct_size, PCGD_PLUGIN_VTABLE_MIN_SIZE_1_0);
    EXPECT_STREQ(vt->manifest_json(), R"({"id":"echo"})");
    EXPECT_EQ(pcgd_plugin_abi_version(), PCGD_ABI_VERSION);
}

}  // namespace
