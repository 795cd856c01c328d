#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <pcgd/sdk/json.hpp>

#include "cli/context.hpp"
#include "sync/sync_engine.hpp"

namespace pcgd::host::cli {
namespace {

std::string seconds(std::int64_t ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
    return buf;
}

/// A live line per shop on a terminal: its dataset, pages, records, rate and
/// time spent waiting for rate limits. Redrawn in place at most ten times a
/// second.
class ProgressLines {
public:
    void update(const ShopProgress& p) {
        shops_[p.shop_id] = p;
        const auto now = std::chrono::steady_clock::now();
        if (!p.finished && now - drawn_at_ < std::chrono::milliseconds(100)) return;
        drawn_at_ = now;
        std::string frame;
        if (lines_drawn_ > 0) frame += "\x1b[" + std::to_string(lines_drawn_) + "F";  // back to the first line
        for (const auto& [id, s] : shops_) {
            const double rate = s.elapsed_ms > 0 ? 1000.0 * static_cast<double>(s.records) / static_cast<double>(s.elapsed_ms) : 0.0;
            char buf[256];
            std::snprintf(buf, sizeof buf, "%-20s %-9s %5lld pages %8lld records %7.0f/s%s%s", id.c_str(),
                          sdk::to_string(s.dataset), static_cast<long long>(s.pages), static_cast<long long>(s.records), rate,
                          s.waited_ms ? ("  waited " + seconds(s.waited_ms)).c_str() : "",
                          s.finished ? "  done" : s.waiting ? "  (waiting)" : "");
            frame += "\x1b[K";
            frame += buf;
            frame += '\n';
        }
        lines_drawn_ = shops_.size();
        std::fputs(frame.c_str(), stderr);
        std::fflush(stderr);
    }

private:
    std::map<std::string, ShopProgress> shops_;
    std::chrono::steady_clock::time_point drawn_at_{};
    std::size_t lines_drawn_ = 0;
};

struct SyncArgs {
    std::vector<std::string> shops;
    std::vector<std::string> datasets;
    bool full = false;
    bool json = false;
};

void print_json(const std::vector<ShopReport>& reports) {
    json::Writer w;
    w.begin_array();
    for (const auto& r : reports) {
        w.begin_object().field("shop", r.shop_id).field("platform", r.platform).field("ok", r.ok);
        w.key("error");
        r.error.empty() ? w.null() : w.value(r.error);
        w.key("datasets").begin_array();
        for (const auto& d : r.datasets) {
            w.begin_object().field("dataset", sdk::to_string(d.dataset)).field("ok", d.ok);
            w.key("error");
            d.error.empty() ? w.null() : w.value(d.error);
            w.field("inserted", d.stats.inserted).field("updated", d.stats.updated).field("unchanged", d.stats.unchanged);
            w.field("deleted", d.stats.deleted).field("records", d.records).field("pages", d.pages);
            w.field("requests", d.requests).field("retries", d.retries).field("restarts", d.restarts);
            w.field("waited_ms", d.waited_ms).field("duration_ms", d.duration_ms);
            w.key("warnings").begin_array();
            for (const auto& warning : d.warnings) w.value(warning);
            w.end_array();
            w.end_object();
        }
        w.end_array().end_object();
    }
    w.end_array();
    std::cout << w.view() << '\n';
}

void run_sync(Context& ctx, const SyncArgs& args) {
    const Config& config = ctx.config();
    SyncOptions options;
    for (const auto& name : args.datasets) {
        auto d = sdk::dataset_from_string(name);
        if (!d) throw CommandError("unknown dataset '" + name + "' (inventory, orders or traffic)", 2);
        options.datasets.push_back(*d);
    }
    std::vector<ShopRecord> shops;
    if (args.shops.empty()) {
        shops = ctx.store().list_shops();
        if (shops.empty()) throw CommandError("no shops to sync: add one with `pcgd shop add`");
    } else {
        for (const auto& id : args.shops) {
            auto shop = ctx.store().get_shop(id);
            if (!shop) throw CommandError("no shop '" + id + "' (see `pcgd shop list`)", 2);
            shops.push_back(*shop);
        }
    }
    options.full = args.full;
    options.retry.max_attempts = config.max_attempts;
    options.max_parallel_shops = config.max_parallel_shops;

    net::HttpClientOptions http;
    http.ca_file = config.ca_file;
    http.connect_timeout_ms = config.connect_timeout_ms;
    http.default_timeout_ms = config.timeout_ms;
    SyncEngine engine(ctx.store(), ctx.plugins(), ctx.vault(), http);
    ProgressLines progress;
    const bool live = ::isatty(STDERR_FILENO) == 1;
    if (live) engine.on_progress([&](const ShopProgress& p) { progress.update(p); });
    const auto reports = engine.run(shops, options);

    if (args.json) {
        print_json(reports);
        std::size_t failed = 0;
        for (const auto& r : reports) failed += !r.ok;
        if (failed) throw CommandError("sync failed for " + std::to_string(failed) + " shop(s)");
        return;
    }
    std::vector<std::vector<std::string>> rows{{"SHOP", "DATASET", "RESULT", "NEW", "UPDATED", "UNCHANGED", "DELETED", "PAGES", "RETRIES", "WAITED", "TIME"}};
    bool all_ok = true;
    std::vector<std::string> errors, warnings;
    for (const auto& r : reports) {
        if (!r.error.empty()) {
            all_ok = false;
            rows.push_back({r.shop_id, "-", "FAILED", "", "", "", "", "", "", "", ""});
            errors.push_back(r.shop_id + ": " + r.error);
        }
        for (const auto& d : r.datasets) {
            all_ok = all_ok && d.ok;
            rows.push_back({r.shop_id, sdk::to_string(d.dataset), d.ok ? "ok" : "FAILED", std::to_string(d.stats.inserted),
                            std::to_string(d.stats.updated), std::to_string(d.stats.unchanged), std::to_string(d.stats.deleted),
                            std::to_string(d.pages), std::to_string(d.retries + d.restarts), seconds(d.waited_ms),
                            seconds(d.duration_ms)});
            if (!d.ok) errors.push_back(r.shop_id + " " + sdk::to_string(d.dataset) + ": " + d.error);
            for (const auto& w : d.warnings) warnings.push_back(r.shop_id + " " + sdk::to_string(d.dataset) + ": " + w);
        }
    }
    std::cout << format_table(rows);
    for (const auto& w : warnings) std::cout << "warning: " << w << '\n';
    for (const auto& e : errors) std::cerr << "error: " << e << '\n';
    if (!all_ok) throw CommandError("sync failed for " + std::to_string(errors.size()) + " shop dataset(s)");
}

}  // namespace

void add_sync_command(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<SyncArgs>();
    auto* cmd = app.add_subcommand("sync", "Run one sync pass; resumes from the last committed page");
    cmd->add_option("--shop", args->shops, "Only this shop (repeatable); default: every shop");
    cmd->add_option("--dataset", args->datasets, "Only this dataset: inventory, orders or traffic (repeatable)");
    cmd->add_flag("--full", args->full, "Ignore the cursors and read everything again");
    cmd->add_flag("--json", args->json, "Print the report as JSON");
    cmd->callback([&ctx, args] { run_sync(ctx, *args); });
}

}  // namespace pcgd::host::cli
