// PluginInstance against real fixture libraries: the whole lifecycle, the
// error paths, and the library's lifetime.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <pcgd/model/json.hpp>

#include "plugin/loader.hpp"

namespace pcgd::host {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = PCGD_ABI_FIXTURE_DIR;
const fs::path kRuntimeFixtures = PCGD_ABI_RUNTIME_FIXTURE_DIR;

class RecordingServices : public InstanceServices {
public:
    void log(sdk::LogLevel level, std::string_view message) noexcept override {
        logs.push_back(std::to_string(static_cast<int>(level)) + " " + std::string(message));
    }
    void emit(model::RecordKind kind, std::string_view json) override {
        if (refuse_with) std::rethrow_exception(refuse_with);
        records.emplace_back(kind, std::string(json));
    }

    std::exception_ptr refuse_with;
    std::vector<std::string> logs;
    std::vector<std::pair<model::RecordKind, std::string>> records;
};

std::shared_ptr<const PluginLibrary> load(PluginRegistry& registry, const fs::path& file) {
    const PluginStatus& status = registry.load_file(file);
    EXPECT_TRUE(status.loaded()) << status.reason;
    return registry.find(status.id);
}

// True while the dynamic loader still has the file mapped.
bool is_mapped(const fs::path& file) {
    void* h = dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (h) dlclose(h);
    return h != nullptr;
}

std::string request_url(const StepView& step) {
    return std::string(step.request->url.data, step.request->url.size);
}

TEST(PluginInstance, RunsTheGoodFixtureThroughAJob) {
    PluginRegistry registry;
    auto lib = load(registry, kFixtures / "pcgd_good.so");
    ASSERT_NE(lib, nullptr);
    RecordingServices services;
    PluginInstance instance(lib, R"({"base_url": "https://shop.test"})", services);
    EXPECT_EQ(&instance.library(), lib.get());

    instance.begin(sdk::Dataset::inventory, false, "", 1767225600000);
    ASSERT_EQ(services.logs.size(), 1u);
    EXPECT_EQ(services.logs[0], "2 begin inventory");

    const StepView step = instance.next_step();
    ASSERT_EQ(step.kind, PCGD_STEP_REQUEST);
    ASSERT_NE(step.request, nullptr);
    EXPECT_EQ(step.request->method, PCGD_HTTP_GET);
    EXPECT_EQ(request_url(step), "https://shop.test/products");
    ASSERT_EQ(step.request->header_count, 1u);
    EXPECT_EQ(sdk::view(step.request->headers[0].name), "Accept");
    EXPECT_EQ(step.rate_bucket, "catalog.products");
    EXPECT_EQ(step.rate_bucket_capacity, 20);
    EXPECT_EQ(step.rate_bucket_restore_milli_per_s, 2500);

    const std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
    const pcgd_response_result result = instance.on_response(ResponseView{200, &headers, "Blue mug", 0, true});
    EXPECT_EQ(result.flags & PCGD_RESULT_CHECKPOINT, PCGD_RESULT_CHECKPOINT);
    EXPECT_EQ(sdk::view(result.cursor), R"({"page":1})");
    EXPECT_EQ(result.budget_remaining, -1);

    ASSERT_EQ(services.records.size(), 1u);
    EXPECT_EQ(services.records[0].first, model::RecordKind::product);
    const auto product = std::get<model::Product>(model::read_record(model::RecordKind::product, services.records[0].second));
    EXPECT_EQ(product.id, "1");
    EXPECT_EQ(product.title, "Blue mug");

    EXPECT_EQ(instance.next_step().kind, PCGD_STEP_DONE);

    // A job can be restarted on the same instance.
    instance.begin(sdk::Dataset::inventory, true, R"({"page":1})", 1767225600000);
    EXPECT_EQ(instance.next_step().kind, PCGD_STEP_REQUEST);
}

TEST(PluginInstance, ReadsAnOlderMinorsShorterRequestWithoutTouchingItsTail) {
    PluginRegistry registry;
    auto lib = load(registry, kRuntimeFixtures / "pcgd_older_minor.so");
    ASSERT_NE(lib, nullptr);
    EXPECT_EQ(lib->abi_version(), (1u << 16) | 0u);
    RecordingServices services;
    PluginInstance instance(lib, "{}", services);
    instance.begin(sdk::Dataset::orders, false, "", 1767225600000);
    const StepView step = instance.next_step();
    ASSERT_EQ(step.kind, PCGD_STEP_REQUEST);
    EXPECT_EQ(step.request->struct_size, PCGD_HTTP_REQUEST_MIN_SIZE_1_0);
    EXPECT_EQ(request_url(step), "https://fixture.invalid/orders");
    // The fixture filled the 1.1 fields with poison: none of it may be read.
    EXPECT_EQ(step.rate_bucket, "");
    EXPECT_EQ(step.rate_bucket_capacity, 0);
    EXPECT_EQ(step.rate_bucket_restore_milli_per_s, 0);
}

TEST(PluginInstance, ReportsAPluginErrorWithItsCode) {
    PluginRegistry registry;
    auto lib = load(registry, kFixtures / "pcgd_good.so");
    RecordingServices services;
    PluginInstance instance(lib, "{}", services);
    instance.begin(sdk::Dataset::inventory, false, "", 0);
    EXPECT_EQ(request_url(instance.next_step()), "https://fixture.invalid/products");
    try {
        instance.on_response(ResponseView{404, nullptr, "", 0, true});
        FAIL() << "no exception";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.code(), PCGD_ERR_BAD_RESPONSE);
        EXPECT_STREQ(e.what(), "fixture_good.on_response: status 404");
    }
}

TEST(PluginInstance, SettingsThatAreNotJsonFailCreate) {
    PluginRegistry registry;
    auto lib = load(registry, kFixtures / "pcgd_good.so");
    RecordingServices services;
    try {
        PluginInstance instance(lib, "not json", services);
        FAIL() << "no exception";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.code(), PCGD_ERR_CONFIG);
        EXPECT_NE(std::string(e.what()).find("fixture_good.create: plugin settings is not valid JSON"), std::string::npos)
            << e.what();
    }
}

TEST(PluginInstance, EmitRefusedByTheHostFailsTheSlot) {
    PluginRegistry registry;
    auto lib = load(registry, kFixtures / "pcgd_good.so");
    RecordingServices services;
    PluginInstance instance(lib, "{}", services);
    instance.begin(sdk::Dataset::inventory, false, "", 0);
    instance.next_step();

    services.refuse_with = std::make_exception_ptr(std::runtime_error("store is full"));
    try {
        instance.on_response(ResponseView{200, nullptr, "Mug", 0, true});
        FAIL() << "no exception";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.code(), PCGD_ERR_HOST);
        EXPECT_STREQ(e.what(), "fixture_good.on_response: store is full");
    }

    services.refuse_with = std::make_exception_ptr(std::invalid_argument("record rejected: id missing"));
    try {
        instance.on_response(ResponseView{200, nullptr, "Mug", 0, true});
        FAIL() << "no exception";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.code(), PCGD_ERR_INVALID_ARGUMENT);
        EXPECT_STREQ(e.what(), "fixture_good.on_response: record rejected: id missing");
    }

    services.refuse_with = std::make_exception_ptr(42);  // not even a std::exception
    try {
        instance.on_response(ResponseView{200, nullptr, "Mug", 0, true});
        FAIL() << "no exception";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.code(), PCGD_ERR_HOST);
    }
    EXPECT_TRUE(services.records.empty());
}

TEST(PluginInstance, ContainsExceptionsFromEverySlot) {
    PluginRegistry registry;
    auto lib = load(registry, kRuntimeFixtures / "pcgd_throws_everywhere.so");
    ASSERT_NE(lib, nullptr);
    RecordingServices services;
    PluginInstance instance(lib, "{}", services);

    auto expect_internal = [](const char* what, auto&& call) {
        try {
            call();
            ADD_FAILURE() << what << ": no exception";
        } catch (const PluginError& e) {
            EXPECT_EQ(e.code(), PCGD_ERR_INTERNAL) << what;
            EXPECT_STRNE(e.what(), "") << what;
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    expect_internal("fixture_throws_everywhere.begin: plugin error: begin exploded",
                    [&] { instance.begin(sdk::Dataset::orders, false, "", 0); });
    expect_internal("fixture_throws_everywhere.next_step: plugin error: next_step exploded", [&] { instance.next_step(); });
    expect_internal("fixture_throws_everywhere.on_response: plugin threw an unknown exception",
                    [&] { instance.on_response(ResponseView{200, nullptr, "{}", 0, true}); });
}

TEST(PluginInstance, CreateThatThrowsBecomesAPluginError) {
    PluginRegistry registry;
    auto lib = load(registry, kRuntimeFixtures / "pcgd_create_throws.so");
    ASSERT_NE(lib, nullptr);
    RecordingServices services;
    try {
        PluginInstance instance(lib, "{}", services);
        FAIL() << "no exception";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.code(), PCGD_ERR_INTERNAL);
        EXPECT_STREQ(e.what(), "fixture_create_throws.create: plugin error: constructor exploded");
    }
}

TEST(PluginInstance, CreateThatFailsBecomesAPluginError) {
    PluginRegistry registry;
    auto lib = load(registry, kRuntimeFixtures / "pcgd_create_fails.so");
    ASSERT_NE(lib, nullptr);
    RecordingServices services;
    try {
        PluginInstance instance(lib, "{}", services);
        FAIL() << "no exception";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.code(), PCGD_ERR_CONFIG);
        EXPECT_STREQ(e.what(), "fixture_create_fails.create: fixture_create_fails: setting 'token' is required");
    }
}

TEST(PluginInstance, KeepsTheLibraryLoadedAfterTheRegistryIsGone) {
    const fs::path file = kFixtures / "pcgd_good.so";
    auto registry = std::make_unique<PluginRegistry>();
    RecordingServices services;
    std::optional<PluginInstance> instance;
    instance.emplace(load(*registry, file), "{}", services);
    registry.reset();
    EXPECT_TRUE(is_mapped(file));

    // Code and static data of the plugin are still there to be called.
    instance->begin(sdk::Dataset::inventory, false, "", 0);
    EXPECT_EQ(instance->next_step().kind, PCGD_STEP_REQUEST);
    instance->on_response(ResponseView{200, nullptr, "Mug", 0, true});
    EXPECT_EQ(services.records.size(), 1u);
    EXPECT_EQ(instance->library().manifest().id, "fixture_good");

    instance.reset();
    EXPECT_FALSE(is_mapped(file)) << "the last holder unloads the library";
}

}  // namespace
}  // namespace pcgd::host
