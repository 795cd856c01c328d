// The end-to-end harness: emulators and the pcgd binary as child processes,
// one scratch store and key per test.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "subprocess.hpp"

namespace pcgd::test {

/// One HTTP exchange with the host's own client (used for the emulators'
/// admin routes). Throws on a transport error.
struct HttpResult {
    int status = 0;
    std::string body;
};
HttpResult http(const std::string& method, const std::string& url, const std::string& ca_file = {});

/// A `pcgd-emulator` child serving one shop on 127.0.0.1.
class Emulator {
public:
    struct Options {
        std::string platform = "testshop";
        std::string country = "GB";
        int seed = 7;
        int products = 30;
        int orders = 300;
        std::vector<std::string> extra;  // e.g. {"--faults", "429:0.2"}
        bool tls = false;
    };
    explicit Emulator(Options options);
    const std::string& base_url() const { return base_url_; }
    /// Ground truth of the current state.
    rapidjson::Document summary() const;
    /// Applies the next deterministic batch of upstream changes.
    void mutate() const;
    rapidjson::Document stats() const;

private:
    Options options_;
    std::unique_ptr<Subprocess> process_;
    std::string base_url_;
};

/// Runs `pcgd` against a scratch store, key and config.
class Pcgd {
public:
    Pcgd();
    RunResult operator()(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const;
    /// Starts `pcgd` without waiting (for kill tests).
    std::unique_ptr<Subprocess> start(std::vector<std::string> args) const;
    std::vector<std::string> command(std::vector<std::string> args) const;
    const std::string& store_path() const { return store_; }
    const TempDir& dir() const { return dir_; }
    /// Adds a testshop shop pointing at `emulator`.
    void add_testshop(const std::string& id, const Emulator& emulator, const std::string& country = "GB") const;
    /// The export of `table` as JSON Lines, parsed.
    std::vector<rapidjson::Document> export_jsonl(const std::string& table, const std::string& shop = {}) const;
    std::map<std::string, std::string> env() const;

private:
    TempDir dir_;
    std::string store_, config_;
};

rapidjson::Document parse_json(const std::string& text);

/// Starts `pcgd sync --dataset orders` and kills it with SIGKILL once the
/// store holds at least `orders_at_least` orders of `shop`. Returns the
/// store's order count after the kill. Throws when the sync makes no
/// progress within a minute or does not die of the signal.
std::int64_t kill_orders_sync_after(const Pcgd& pcgd, const std::string& shop, std::int64_t orders_at_least);

/// The options of an emulator of `platform` with that data; `extra` are more
/// command-line options (faults, rate limits, module options).
Emulator::Options emulated(std::string platform, std::string country, int seed, int products, int orders,
                           std::vector<std::string> extra = {}, bool tls = false);

/// `pcgd sync --json EXTRA...`, parsed; throws with pcgd's output when it fails.
rapidjson::Document sync_json(const Pcgd& pcgd, const std::vector<std::string>& extra = {});

/// The sum of one counter (inserted, pages, waited_ms...) over every dataset
/// of every shop of a sync report.
std::int64_t sum_field(const rapidjson::Document& report, const char* field);

/// One shop's entry in `pcgd shop list --json`; throws when it is not listed.
const rapidjson::Value& shop_entry(const rapidjson::Document& shops, const std::string& id);

/// How the store's copy of `shop` differs from `emulator`'s ground truth:
/// record counts, per-currency order totals, an order stored twice. Empty when
/// they are the same; tests assert `EXPECT_EQ(ground_truth_differences(...), "")`
/// so that a failure lists every difference at once.
std::string ground_truth_differences(const Pcgd& pcgd, const std::string& shop, const Emulator& emulator);
/// The same against a ground truth given as JSON: one marketplace's part of
/// an emulator serving several (the amazon module's /_amazon/summary).
std::string ground_truth_differences(const Pcgd& pcgd, const std::string& shop, const rapidjson::Value& truth);

}  // namespace pcgd::test
