// The command line's answers to bad input: a clear message naming what is
// wrong, a usage exit code, and no change to the store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.hpp"

using namespace pcgd::test;

namespace {

void expect_refused(const Pcgd& pcgd, std::vector<std::string> args, const std::string& message, int code = 2) {
    const auto r = pcgd(args);
    EXPECT_EQ(r.exit_code, code) << r.out << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << "stderr: " << r.err;
}

std::vector<std::string> add(std::vector<std::string> extra) {
    std::vector<std::string> args = {"shop", "add", "--id", "gb", "--platform", "testshop", "--base-url", "http://127.0.0.1:9"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace

TEST(Cli, ShopAddValidatesEverything) {
    Pcgd pcgd;
    const std::vector<std::string> good = {"--setting", "client_id=c", "--credential", "client_secret=s"};
    auto with = [&](std::vector<std::string> extra) {
        auto all = good;
        all.insert(all.end(), extra.begin(), extra.end());
        return add(all);
    };
    expect_refused(pcgd, with({"--country", "UK1"}), "--country must be an ISO 3166 alpha-2 code such as GB or FR, got 'UK1'");
    expect_refused(pcgd, with({"--currency", "pounds"}), "--currency must be an ISO 4217 code such as GBP or EUR, got 'pounds'");
    expect_refused(pcgd, with({"--timezone", "Europe/Atlantis"}), "unknown time zone 'Europe/Atlantis'");
    expect_refused(pcgd, with({"--country", "DE"}), "--currency and --timezone are required for country DE");
    expect_refused(pcgd, add({"--credential", "client_secret=s"}), "missing required --setting client_id=... for plugin 'testshop'");
    expect_refused(pcgd, add({"--setting", "client_id=c", "--credential", "token=x"}),
                   "plugin 'testshop' has no credential 'token' (credentials: client_secret)");
    expect_refused(pcgd, add({"--setting", "client_secret=s", "--setting", "client_id=c"}),
                   "'client_secret' is a credential: pass it with --credential");
    expect_refused(pcgd, with({"--setting", "page_size=many"}), "setting 'page_size' must be an integer, got 'many'");
    expect_refused(pcgd, with({"--setting", "oops"}), "--setting expects NAME=VALUE, got 'oops'");
    expect_refused(pcgd, {"shop", "add", "--id", "Bad Id!", "--platform", "testshop", "--base-url", "http://x"},
                   "shop id 'Bad Id!' must be 1-64 characters");
    expect_refused(pcgd, {"shop", "add", "--id", "gb", "--platform", "testshop", "--base-url", "ftp://x"},
                   "--base-url must be an http(s) URL, got 'ftp://x'");
    expect_refused(pcgd, {"shop", "add", "--id", "gb", "--platform", "magento", "--base-url", "http://x"},
                   "no loaded plugin for platform 'magento' (loaded: shopify, testshop)");
    expect_refused(pcgd, with({"--account", "seller one"}),
                   "--account 'seller one' must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', '@' or '-'");
    expect_refused(pcgd, with({"--sme", "nobody"}), "no SME 'nobody' (add it first with `pcgd sme add --id nobody --name ...`)");
    // Nothing was stored by any of the refusals.
    const auto list = pcgd({"shop", "list", "--json"});
    EXPECT_EQ(list.out, "[]\n");

    ASSERT_EQ(pcgd(with({})).exit_code, 0);
    expect_refused(pcgd, with({}), "shop 'gb' already exists", 1);
}

TEST(Cli, ShopsOfOneSellerAccountShareItsBudget) {
    Pcgd pcgd;
    const std::vector<std::string> keys = {"--setting", "client_id=c", "--credential", "client_secret=s"};
    auto shop = [&](const std::string& id, std::vector<std::string> extra) {
        std::vector<std::string> args = {"shop", "add", "--id", id, "--platform", "testshop", "--base-url", "http://127.0.0.1:9"};
        args.insert(args.end(), keys.begin(), keys.end());
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = pcgd(args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    };
    shop("uk", {"--account", "A2EUQ1WTGCTBG2"});
    shop("fr", {"--account", "A2EUQ1WTGCTBG2", "--country", "FR"});
    shop("solo", {});
    const auto list = parse_json(pcgd({"shop", "list", "--json"}).out);
    EXPECT_STREQ(shop_entry(list, "uk")["budget"].GetString(), "testshop:A2EUQ1WTGCTBG2");
    EXPECT_STREQ(shop_entry(list, "fr")["budget"].GetString(), "testshop:A2EUQ1WTGCTBG2");
    EXPECT_STREQ(shop_entry(list, "solo")["budget"].GetString(), "testshop:solo");
}

TEST(Cli, CommandsNameWhatIsUnknown) {
    Pcgd pcgd;
    expect_refused(pcgd, {"sync", "--shop", "nowhere"}, "no shop 'nowhere' (see `pcgd shop list`)");
    expect_refused(pcgd, {"sync"}, "no shops to sync: add one with `pcgd shop add`", 1);
    expect_refused(pcgd, {"sync", "--dataset", "stock"}, "unknown dataset 'stock' (inventory, orders or traffic)");
    expect_refused(pcgd, {"shop", "remove", "--id", "nowhere"}, "no shop 'nowhere'", 1);
    expect_refused(pcgd, {"export", "customers"}, "customers not in {products,variants,orders,order-lines,refunds,traffic}");
    expect_refused(pcgd, {"export", "orders", "--format", "xml"}, "xml not in {csv,jsonl}");
    expect_refused(pcgd, {"frobnicate"}, "unknown command 'frobnicate' (see `pcgd --help`)");
    const auto missing = run({PCGD_BIN, "--config", "/nonexistent/pcgd.toml", "plugins"}, pcgd.env());
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("config file '/nonexistent/pcgd.toml' does not exist"), std::string::npos);
    const std::string bad_config = pcgd.dir() / "bad.toml";
    std::ofstream(bad_config) << "[sync]\nmax_attempt = 3\n";
    const auto bad = run({PCGD_BIN, "--config", bad_config, "plugins"}, pcgd.env());
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("bad.toml:2: unknown setting 'sync.max_attempt'"), std::string::npos) << bad.err;
}

TEST(Cli, EveryCommandHasHelp) {
    Pcgd pcgd;
    for (std::vector<std::string> cmd : {std::vector<std::string>{}, {"plugins"}, {"shop"}, {"shop", "add"}, {"shop", "list"},
                                         {"shop", "remove"}, {"shop", "check"}, {"sync"}, {"export"}}) {
        cmd.push_back("--help");
        const auto r = pcgd(cmd);
        EXPECT_EQ(r.exit_code, 0);
        EXPECT_NE(r.out.find("Usage:"), std::string::npos);
    }
}

TEST(Cli, PluginsListsEveryRefusedFixtureWithItsReason) {
    Pcgd pcgd;
    const auto r = run({PCGD_BIN, "--plugin-dir", PCGD_ABI_FIXTURE_DIR, "plugins", "--json"}, pcgd.env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto list = parse_json(r.out);
    int loaded = 0, refused = 0;
    for (const auto& p : list.GetArray()) {
        if (std::string(p["status"].GetString()) == "loaded") {
            ++loaded;
            continue;
        }
        ++refused;
        const std::string file = std::filesystem::path(p["file"].GetString()).filename().string();
        EXPECT_NE(std::string(p["reason"].GetString()).find(file), std::string::npos) << p["reason"].GetString();
    }
    EXPECT_GE(loaded, 1);
    EXPECT_GE(refused, 10);
    const auto table = run({PCGD_BIN, "--plugin-dir", PCGD_ABI_FIXTURE_DIR, "plugins"}, pcgd.env());
    EXPECT_EQ(table.exit_code, 0);
    EXPECT_NE(table.out.find("refused"), std::string::npos);
}

TEST(Cli, ExportWritesFilesAtomically) {
    Pcgd pcgd;
    const std::string out = pcgd.dir() / "orders.csv";
    const auto r = pcgd({"export", "orders", "-o", out});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
}
