// A writer killed with SIGKILL at arbitrary moments must leave a database that
// is intact and holds exactly the batches up to its committed cursor.
#include <csignal>
#include <cstdio>
#include <random>
#include <set>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "store/store.hpp"
#include "support.hpp"

namespace pcgd::host::test {
namespace {

constexpr int orders_per_batch = 40;

std::string order_id(std::int64_t batch, int k) { return "b" + std::to_string(batch) + "-" + std::to_string(k); }

/// The child: commits batch after batch, resuming after the committed cursor,
/// and reports each committed batch number on `report_fd`. Never returns.
[[noreturn]] void run_writer(const std::string& path, int report_fd) {
    try {
        auto store = open_sqlite_store(path);
        const auto cursor = store->sync_state("s1", sdk::Dataset::orders).cursor;
        std::int64_t batch = cursor.empty() ? 0 : std::stoll(cursor) + 1;
        auto b = store->begin_batch("s1", sdk::Dataset::orders);
        for (;; ++batch) {
            for (int k = 0; k < orders_per_batch; ++k)
                b->add(model::RecordKind::order,
                       model::to_json(order(order_id(batch, k), {line("l1", "A", 1, 100 + k), line("l2", "B", 2, 50)})));
            b->commit(std::to_string(batch));
            if (::write(report_fd, &batch, sizeof batch) != sizeof batch) break;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crash test writer failed: %s\n", e.what());
    }
    ::_exit(3);
}

/// Reads the next committed batch number, or nothing if the writer died or stalled.
std::optional<std::int64_t> next_report(int fd) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) return std::nullopt;
    std::int64_t batch = 0;
    if (::read(fd, &batch, sizeof batch) != sizeof batch) return std::nullopt;
    return batch;
}

TEST(StoreCrash, KilledWriterLeavesExactlyTheCommittedBatches) {
    TempDir dir;
    const std::string path = dir.file("crash.db");
    open_sqlite_store(path)->put_shop(shop("s1"));
    std::mt19937 rng(std::random_device{}());
    std::int64_t last_reported = -1;

    for (int round = 0; round < 3; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(fds[0]);
            run_writer(path, fds[1]);
        }
        ::close(fds[1]);
        // Let it commit a few batches, then kill it somewhere inside the next
        // ones: mid-record, mid-commit or between batches.
        const int wanted = 2 + round;
        bool alive = true;
        for (int i = 0; i < wanted && alive; ++i) {
            auto batch = next_report(fds[0]);
            alive = batch.has_value();
            if (batch) last_reported = *batch;
        }
        ::usleep(std::uniform_int_distribution<useconds_t>(0, 30000)(rng));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        while (auto batch = next_report(fds[0])) last_reported = *batch;  // reported before the kill landed
        ::close(fds[0]);
        ASSERT_TRUE(alive) << "the writer stopped before being killed";
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer exited by itself";

        auto store = open_sqlite_store(path);
        EXPECT_EQ(query_int(path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
        EXPECT_EQ(query_int(path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
        const std::int64_t n = std::stoll(store->sync_state("s1", sdk::Dataset::orders).cursor);
        // Every batch reported as committed survived the kill.
        EXPECT_GE(n, last_reported);
        std::printf("round %d: killed after batch %lld\n", round, static_cast<long long>(n));

        std::set<std::string> expected;
        for (std::int64_t batch = 0; batch <= n; ++batch)
            for (int k = 0; k < orders_per_batch; ++k) expected.insert(order_id(batch, k));
        std::set<std::string> found;
        store->for_each(model::RecordKind::order, "s1", [&](std::string_view, std::string_view json) {
            found.insert(std::get<model::Order>(model::read_record(model::RecordKind::order, json)).id);
        });
        EXPECT_EQ(found, expected);
        EXPECT_EQ(store->counts("s1").order_lines, 2 * static_cast<std::int64_t>(expected.size()));
        EXPECT_EQ(query_int(path, "SELECT count(*) FROM order_lines"), 2 * static_cast<std::int64_t>(expected.size()));
    }
}

}  // namespace
}  // namespace pcgd::host::test
