// The loader against one fixture per refusal rule, and the ABI version rule
// as a truth table.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "plugin/loader.hpp"

namespace pcgd::host {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = PCGD_ABI_FIXTURE_DIR;

constexpr std::uint32_t v(std::uint32_t major, std::uint32_t minor) { return (major << 16) | minor; }

TEST(CheckAbi, TruthTable) {
    struct Row {
        std::uint32_t host, plugin;
        AbiVerdict verdict;
    };
    const Row rows[] = {
        {v(1, 0), v(1, 0), AbiVerdict::compatible},
        {v(1, 1), v(1, 0), AbiVerdict::compatible},  // an older minor loads
        {v(1, 7), v(1, 3), AbiVerdict::compatible},
        {v(1, 1), v(1, 1), AbiVerdict::compatible},
        {v(1, 0), v(1, 1), AbiVerdict::minor_newer},
        {v(1, 3), v(1, 7), AbiVerdict::minor_newer},
        {v(1, 0), v(2, 0), AbiVerdict::major_differs},
        {v(2, 0), v(1, 0), AbiVerdict::major_differs},  // an older major does not load either
        {v(2, 5), v(1, 0), AbiVerdict::major_differs},
        {v(1, 0), v(0, 0), AbiVerdict::major_differs},  // a library returning 0
        {v(1, 0xFFFF), v(1, 0xFFFF), AbiVerdict::compatible},
        {v(1, 0), 0xFFFFFFFFu, AbiVerdict::major_differs},
    };
    for (const auto& r : rows)
        EXPECT_EQ(check_abi(r.host, r.plugin), r.verdict)
            << "host " << format_abi_version(r.host) << " plugin " << format_abi_version(r.plugin);
}

TEST(CheckAbi, FormatsMajorDotMinor) {
    EXPECT_EQ(format_abi_version(PCGD_ABI_VERSION), "1.1");
    EXPECT_EQ(format_abi_version(v(2, 17)), "2.17");
}

TEST(LoadFailure, EachHasAName) {
    EXPECT_STREQ(to_string(LoadFailure::none), "loaded");
    EXPECT_STREQ(to_string(LoadFailure::duplicate_id), "duplicate_id");
    EXPECT_STREQ(to_string(LoadFailure::not_a_library), "not_a_library");
}

struct Expected {
    const char* file;
    LoadFailure failure;
    std::vector<std::string> reason_contains;
};

void PrintTo(const Expected& e, std::ostream* os) { *os << e.file; }

// Loaded alone, each fixture meets exactly its rule.
class LoaderFixture : public ::testing::TestWithParam<Expected> {};

TEST_P(LoaderFixture, IsRefusedByItsRule) {
    const Expected& e = GetParam();
    PluginRegistry registry;
    const PluginStatus& status = registry.load_file(kFixtures / e.file);
    EXPECT_EQ(status.failure, e.failure) << to_string(status.failure) << ": " << status.reason;
    EXPECT_FALSE(status.loaded());
    EXPECT_EQ(status.path, kFixtures / e.file);
    EXPECT_EQ(status.reason.rfind(std::string(e.file) + ": ", 0), 0u) << status.reason;
    for (const auto& part : e.reason_contains) EXPECT_NE(status.reason.find(part), std::string::npos) << status.reason;
    EXPECT_TRUE(registry.loaded().empty());
    EXPECT_EQ(registry.statuses().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    AbiFixtures, LoaderFixture,
    ::testing::Values(
        Expected{"pcgd_not_a_library.so", LoadFailure::not_a_library,
                 {"cannot be opened as a shared library", "invalid ELF header"}},
        Expected{"pcgd_no_entry.so", LoadFailure::missing_entry, {"missing entry symbol 'pcgd_plugin_get_vtable'"}},
        Expected{"pcgd_wrong_major.so", LoadFailure::abi_incompatible,
                 {"plugin ABI 2.0 is incompatible with host ABI 1.1 (major versions differ)"}},
        Expected{"pcgd_newer_minor.so", LoadFailure::abi_incompatible,
                 {"plugin ABI 1.7 is incompatible with host ABI 1.1", "newer minor"}},
        Expected{"pcgd_vtable_null.so", LoadFailure::vtable_invalid, {"pcgd_plugin_get_vtable returned NULL"}},
        Expected{"pcgd_vtable_version_mismatch.so", LoadFailure::vtable_invalid,
                 {"vtable reports ABI 1.3 but pcgd_plugin_abi_version reports 1.1"}},
        Expected{"pcgd_short_vtable.so", LoadFailure::vtable_invalid,
                 {"vtable struct_size 48 is below the ABI 1.0 minimum of 56 bytes"}},
        Expected{"pcgd_null_required_slot.so", LoadFailure::slot_missing, {"required slot 'on_response' is NULL"}},
        Expected{"pcgd_bad_manifest_json.so", LoadFailure::manifest_invalid, {"manifest: not valid JSON at byte 0"}},
        Expected{"pcgd_manifest_missing_id.so", LoadFailure::manifest_invalid, {"manifest: missing required field 'id'"}}),
    [](const auto& info) {
        std::string name = fs::path(info.param.file).stem().string();
        return name.substr(name.find('_') + 1);
    });

TEST(Loader, LoadsTheGoodFixture) {
    PluginRegistry registry;
    const PluginStatus& status = registry.load_file(kFixtures / "pcgd_good.so");
    ASSERT_TRUE(status.loaded()) << status.reason;
    EXPECT_EQ(status.id, "fixture_good");
    EXPECT_EQ(status.version, "1.2.3");
    EXPECT_EQ(status.abi_version, PCGD_ABI_VERSION);

    auto lib = registry.find("fixture_good");
    ASSERT_NE(lib, nullptr);
    EXPECT_EQ(lib->manifest().platform, "Fixture");
    EXPECT_EQ(lib->abi_version(), PCGD_ABI_VERSION);
    EXPECT_EQ(lib->path(), kFixtures / "pcgd_good.so");
    EXPECT_EQ(lib->vtable().struct_size, sizeof(pcgd_plugin_vtable));
    EXPECT_NE(lib->vtable().on_response, nullptr);
    EXPECT_EQ(registry.find("nope"), nullptr);
}

TEST(Loader, RefusesASecondLibraryWithTheSameId) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_file(kFixtures / "pcgd_good.so").loaded());
    const PluginStatus& dup = registry.load_file(kFixtures / "pcgd_good_duplicate_id.so");
    EXPECT_EQ(dup.failure, LoadFailure::duplicate_id);
    EXPECT_EQ(dup.id, "fixture_good");
    EXPECT_EQ(dup.reason, "pcgd_good_duplicate_id.so: plugin id 'fixture_good' is already loaded from " +
                              (kFixtures / "pcgd_good.so").string());
    EXPECT_EQ(registry.loaded().size(), 1u);
}

TEST(Loader, RefusesAMissingFileAsNotALibrary) {
    PluginRegistry registry;
    const PluginStatus& status = registry.load_file(kFixtures / "pcgd_does_not_exist.so");
    EXPECT_EQ(status.failure, LoadFailure::not_a_library);
    EXPECT_NE(status.reason.find("pcgd_does_not_exist.so: cannot be opened"), std::string::npos) << status.reason;
}

TEST(Loader, LoadsTheFixtureDirectoryKeepingOnlyTheGoodPlugin) {
    PluginRegistry registry;
    registry.load_directory(kFixtures);

    const std::map<std::string, LoadFailure> expected = {
        {"pcgd_bad_manifest_json.so", LoadFailure::manifest_invalid},
        {"pcgd_good.so", LoadFailure::none},
        {"pcgd_good_duplicate_id.so", LoadFailure::duplicate_id},
        {"pcgd_manifest_missing_id.so", LoadFailure::manifest_invalid},
        {"pcgd_newer_minor.so", LoadFailure::abi_incompatible},
        {"pcgd_no_entry.so", LoadFailure::missing_entry},
        {"pcgd_not_a_library.so", LoadFailure::not_a_library},
        {"pcgd_null_required_slot.so", LoadFailure::slot_missing},
        {"pcgd_short_vtable.so", LoadFailure::vtable_invalid},
        {"pcgd_vtable_null.so", LoadFailure::vtable_invalid},
        {"pcgd_vtable_version_mismatch.so", LoadFailure::vtable_invalid},
        {"pcgd_wrong_major.so", LoadFailure::abi_incompatible},
    };
    std::map<std::string, LoadFailure> actual;
    std::string previous;
    for (const auto& s : registry.statuses()) {
        const std::string name = s.path.filename().string();
        EXPECT_LT(previous, name) << "statuses are in name order";
        previous = name;
        actual[name] = s.failure;
        EXPECT_EQ(s.reason.rfind(name + ": ", 0), 0u) << s.reason;
    }
    EXPECT_EQ(actual, expected);

    ASSERT_EQ(registry.loaded().size(), 1u);
    EXPECT_EQ(registry.loaded().front()->manifest().id, "fixture_good");
    EXPECT_EQ(registry.loaded().front()->path().filename(), "pcgd_good.so");
}

TEST(Loader, LoadsLibrariesThatFailOnlyAtRunTime) {
    PluginRegistry registry;
    registry.load_directory(PCGD_ABI_RUNTIME_FIXTURE_DIR);
    ASSERT_EQ(registry.statuses().size(), 4u);
    for (const auto& s : registry.statuses()) EXPECT_TRUE(s.loaded()) << s.reason;
}

TEST(Loader, ThrowsForAMissingDirectory) {
    PluginRegistry registry;
    const fs::path missing = kFixtures / "no-such-dir";
    try {
        registry.load_directory(missing);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
    }
}

TEST(Loader, IgnoresFilesThatAreNotSharedObjects) {
    const fs::path dir = fs::path(::testing::TempDir()) / "pcgd-loader-ignores";
    fs::remove_all(dir);
    fs::create_directories(dir / "sub.so");
    { std::ofstream(dir / "README.txt") << "not a plugin"; }
    { std::ofstream(dir / "pcgd_x.so.1") << "not a plugin"; }
    PluginRegistry registry;
    registry.load_directory(dir);
    EXPECT_TRUE(registry.statuses().empty());
    fs::remove_all(dir);
}

}  // namespace
}  // namespace pcgd::host
