// The [analysis] and [fees.<platform>] configuration sections.
#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

#include "config/config.hpp"

namespace {

std::filesystem::path write_config(const std::string& text) {
    const auto dir = std::filesystem::temp_directory_path() / ("pcgd-analysis-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "pcgd.toml";
    std::ofstream(file) << text;
    return file;
}

std::string error_of(const std::string& text) {
    try {
        (void)pcgd::host::load_config(write_config(text), pcgd::host::Config{});
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        return message.substr(message.find(':') + 1);
    }
    return "no error";
}

}  // namespace

TEST(AnalysisConfig, DefaultsAreDocumented) {
    const pcgd::host::Config c;
    EXPECT_EQ(c.analysis.flat_band_pct, 5u);
    EXPECT_EQ(c.analysis.window_days, 90u);
    EXPECT_EQ(c.analysis.weight_title + c.analysis.weight_description + c.analysis.weight_images + c.analysis.weight_stock +
                  c.analysis.weight_identifiers + c.analysis.weight_price,
              100u);
    EXPECT_TRUE(c.fees.empty());
}

TEST(AnalysisConfig, ReadsThresholdsAndFeeRules) {
    const auto c = pcgd::host::load_config(write_config(R"(
[analysis]
flat_band_pct = 3
window_days = 60
[fees.amazon]
percent = 15.3
fixed_minor = 25
[fees.ebay]
percent = 12
)"), pcgd::host::Config{});
    EXPECT_EQ(c.analysis.flat_band_pct, 3u);
    EXPECT_EQ(c.analysis.window_days, 60u);
    EXPECT_EQ(c.fees.at("amazon").percent_bp, 1530u);
    EXPECT_EQ(c.fees.at("amazon").fixed_minor, 25);
    EXPECT_EQ(c.fees.at("ebay").percent_bp, 1200u);
    EXPECT_EQ(c.fees.at("ebay").fixed_minor, 0);
}

TEST(AnalysisConfig, RefusesUnknownKeysAndBadValues) {
    EXPECT_EQ(error_of("[analysis]\nflat_band = 3\n"), "2: unknown setting 'analysis.flat_band'");
    EXPECT_EQ(error_of("[analysis]\nflat_band_pct = 300\n"), "2: 'analysis.flat_band_pct' must be between 0 and 100");
    EXPECT_EQ(error_of("[analysis]\nweight_title = 30\n"), "1: the [analysis] weight_* settings must add up to 100");
    EXPECT_EQ(error_of("[fees.amazon]\npercent = 150\n"), "2: 'fees.amazon.percent' must be between 0 and 100");
    EXPECT_EQ(error_of("[fees.amazon]\nfixed = 1\n"), "2: unknown setting 'fees.amazon.fixed' (percent, fixed_minor)");
    EXPECT_EQ(error_of("[fees.amazon]\nfixed_minor = 0.3\n"), "2: 'fees.amazon.fixed_minor' must be an integer (minor units)");
}
