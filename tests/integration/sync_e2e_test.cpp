// End to end: the real pcgd binary, the testshop plugin module and the
// emulator on loopback. Every check compares the store with the emulator's
// ground truth exactly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "harness.hpp"

using namespace pcgd::test;

TEST(SyncEndToEnd, FullSyncOfTwoShopsMatchesGroundTruthAndASecondSyncChangesNothing) {
    Emulator gb(emulated("testshop", "GB", 11, 25, 400));
    Emulator fr(emulated("testshop", "FR", 11, 25, 300));
    Pcgd pcgd;
    pcgd.add_testshop("maison-gb", gb, "GB");
    pcgd.add_testshop("maison-fr", fr, "FR");

    const auto first = sync_json(pcgd);
    ASSERT_EQ(first.Size(), 2u);
    for (const auto& shop : first.GetArray()) {
        EXPECT_TRUE(shop["ok"].GetBool());
        ASSERT_EQ(shop["datasets"].Size(), 3u);
    }
    EXPECT_EQ(ground_truth_differences(pcgd, "maison-gb", gb), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "maison-fr", fr), "");
    EXPECT_GT(sum_field(first, "inserted"), 700);

    const auto second = sync_json(pcgd);
    EXPECT_EQ(sum_field(second, "inserted"), 0);
    EXPECT_EQ(sum_field(second, "updated"), 0);
    EXPECT_EQ(sum_field(second, "deleted"), 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "maison-gb", gb), "");

    // A full sync reads everything again and still changes nothing.
    const auto full = sync_json(pcgd, {"--full", "--shop", "maison-fr"});
    EXPECT_GT(sum_field(full, "unchanged"), 300);
    EXPECT_EQ(sum_field(full, "inserted") + sum_field(full, "updated") + sum_field(full, "deleted"), 0);
}

TEST(SyncEndToEnd, IncrementalSyncCarriesEditsDeletionsAndLateRefunds) {
    Emulator gb(emulated("testshop", "GB", 5, 20, 200));
    Pcgd pcgd;
    pcgd.add_testshop("gb", gb);
    sync_json(pcgd);
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", gb), "");

    const auto before = gb.summary();
    gb.mutate();
    gb.mutate();
    const auto after = gb.summary();
    EXPECT_NE(before["counts"]["refunds"].GetInt64(), after["counts"]["refunds"].GetInt64());

    const auto report = sync_json(pcgd);
    EXPECT_GT(sum_field(report, "updated") + sum_field(report, "inserted"), 0);
    EXPECT_GT(sum_field(report, "deleted"), 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", gb), "");
    // Incremental: far fewer records read than a full pass.
    EXPECT_LT(sum_field(report, "records"), 200);
}

TEST(SyncEndToEnd, EveryFaultKindEndsWithCompleteData) {
    Emulator gb(emulated("testshop", "GB", 3, 20, 300, {"--faults", "429:0.08,5xx:0.08,drop:0.08,truncate:0.08,malformed:0.08,expired-token:0.05,slow:0.03",
                           "--slow-ms", "300", "--retry-after-s", "0"}));
    Pcgd pcgd;
    // Small pages: many requests, so every fault kind strikes several times.
    ASSERT_EQ(pcgd({"shop", "add", "--id", "gb", "--platform", "testshop", "--base-url", gb.base_url(), "--setting",
                    "client_id=pcgd-test-client", "--setting", "page_size=5", "--credential", "client_secret=pcgd-test-secret"})
                  .exit_code,
              0);
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_GT(sum_field(report, "retries") + sum_field(report, "restarts"), 0);
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", gb), "");

    const auto stats = gb.stats();
    for (const char* kind : {"429", "5xx", "drop", "truncate", "malformed", "expired-token"})
        EXPECT_GT(stats["faults"][kind].GetInt64(), 0) << kind << " was never injected";
}

TEST(SyncEndToEnd, RateLimitedRunCompletesWithoutAFailedPage) {
    Emulator gb(emulated("testshop", "GB", 9, 10, 300, {"--bucket", "4", "--leak-per-s", "20"}));
    Pcgd pcgd;
    pcgd.add_testshop("gb", gb);
    ASSERT_EQ(pcgd({"shop", "add", "--id", "dummy", "--platform", "testshop", "--base-url", gb.base_url(), "--setting",
                    "client_id=pcgd-test-client", "--setting", "page_size=10", "--credential", "client_secret=pcgd-test-secret"})
                  .exit_code,
              0);
    const auto report = sync_json(pcgd, {"--shop", "gb", "--shop", "dummy"});
    for (const auto& shop : report.GetArray()) EXPECT_TRUE(shop["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", gb), "");
    EXPECT_EQ(ground_truth_differences(pcgd, "dummy", gb), "");
}

TEST(SyncEndToEnd, KillDuringSyncLosesAndDuplicatesNothing) {
    Emulator gb(emulated("testshop", "GB", 21, 40, 1200, {"--latency-ms", "10"}));
    Pcgd pcgd;
    ASSERT_EQ(pcgd({"shop", "add", "--id", "gb", "--platform", "testshop", "--base-url", gb.base_url(), "--setting",
                    "client_id=pcgd-test-client", "--setting", "page_size=20", "--credential", "client_secret=pcgd-test-secret"})
                  .exit_code,
              0);
    std::int64_t previous_orders = 0;
    for (int pages_before_kill : {1, 6, 15}) {
        const std::int64_t orders = kill_orders_sync_after(pcgd, "gb", previous_orders + 20LL * pages_before_kill);
        EXPECT_LT(orders, 1200) << "killed too late to test anything";
        // Whole pages only: the cursor and the records were committed together.
        EXPECT_EQ(orders % 20, 0);
        previous_orders = orders;
    }
    const auto report = sync_json(pcgd);
    EXPECT_TRUE(report[0]["ok"].GetBool());
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", gb), "");
}

TEST(SyncEndToEnd, HttpsIsVerifiedAgainstTheConfiguredCa) {
    Emulator gb(emulated("testshop", "GB", 2, 5, 20, {}, true));
    ASSERT_EQ(gb.base_url().rfind("https://", 0), 0u);
    Pcgd pcgd;
    pcgd.add_testshop("gb", gb);
    sync_json(pcgd);
    EXPECT_EQ(ground_truth_differences(pcgd, "gb", gb), "");

    // The same shop, with a config that does not trust the test CA, fails.
    const std::string bare = pcgd.dir() / "bare.toml";
    std::ofstream(bare) << "[store]\npath = \"pcgd.db\"\n[plugins]\ndir = \"" << PCGD_PLUGIN_DIR
                        << "\"\n[secrets]\nkey_file = \"secret.key\"\n[sync]\nmax_attempts = 2\n";
    const auto r = run({PCGD_BIN, "--config", bare, "sync", "--shop", "gb"}, pcgd.env());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("tls error"), std::string::npos) << r.err;
}

TEST(SyncEndToEnd, CredentialsAreEncryptedAtRestAndNeverPrinted) {
    Emulator gb(emulated("testshop", "GB", 1, 3, 5));
    Pcgd pcgd;
    const std::string secret = "wrong-secret-Zq81xP";
    ASSERT_EQ(pcgd({"shop", "add", "--id", "gb", "--platform", "testshop", "--base-url", gb.base_url(), "--setting",
                    "client_id=pcgd-test-client", "--credential", "client_secret=" + secret})
                  .exit_code,
              0);
    struct stat st {};
    ASSERT_EQ(::stat((pcgd.dir() / "secret.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream db(pcgd.store_path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(secret), std::string::npos);

    const auto check = pcgd({"shop", "check", "--id", "gb", "--log-level", "debug"});
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_NE(check.out.find("gb  orders: access missing: "), std::string::npos) << check.out;
    const auto sync = pcgd({"--log-level", "debug", "sync"});
    EXPECT_EQ(sync.exit_code, 1);
    EXPECT_EQ((check.out + check.err + sync.out + sync.err).find(secret), std::string::npos);
}

TEST(SyncEndToEnd, ShopCheckPassesWithGoodCredentials) {
    Emulator gb(emulated("testshop", "GB", 1, 3, 5));
    Pcgd pcgd;
    pcgd.add_testshop("gb", gb);
    const auto r = pcgd({"shop", "check", "--id", "gb"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "gb  inventory: ok\ngb  orders: ok\ngb  traffic: ok\n");
    // A check stores nothing.
    EXPECT_EQ(pcgd.export_jsonl("orders").size(), 0u);
}
