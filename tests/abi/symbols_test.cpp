// A plugin library exports exactly the two entry symbols: anything else
// would be ABI surface nobody versions (and a source of clashes between
// plugins that bundle the same helper).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/dll/library_info.hpp>

#include <pcgd/abi.h>

namespace {

namespace fs = std::filesystem;

std::vector<std::string> exported_symbols(const fs::path& file) {
    boost::dll::library_info info(file);
    std::vector<std::string> symbols = info.symbols();
    std::sort(symbols.begin(), symbols.end());
    return symbols;
}

const std::vector<std::string> kEntrySymbols = {PCGD_ENTRY_ABI_VERSION, PCGD_ENTRY_VTABLE};

TEST(EntrySymbols, GoodFixtureExportsExactlyTheTwo) {
    EXPECT_EQ(exported_symbols(fs::path(PCGD_ABI_FIXTURE_DIR) / "pcgd_good.so"), kEntrySymbols);
}

TEST(EntrySymbols, EveryBuiltPlatformPluginExportsExactlyTheTwo) {
    const fs::path dir = PCGD_PLUGIN_DIR;
    std::vector<fs::path> modules;
    if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.is_regular_file() && entry.path().extension() == ".so") modules.push_back(entry.path());
    if (modules.empty()) GTEST_SKIP() << "no plugin built in " << dir << " yet";
    for (const auto& module : modules) EXPECT_EQ(exported_symbols(module), kEntrySymbols) << module;
}

}  // namespace
