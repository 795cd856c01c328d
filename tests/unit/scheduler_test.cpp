// The scheduler's timetable, exactly: an injected clock and jitter source.
#include "sync/scheduler.hpp"

#include <gtest/gtest.h>

using namespace pcgd::host;

namespace {

constexpr std::int64_t t0 = 1'790'000'000'000;  // ms

class SchedulerTest : public ::testing::Test {
protected:
    SchedulerTest()
        : scheduler_(
              config(), [this] { return now_; }, [this] { return jitter_; }) {}
    static SchedulerConfig config() {
        SchedulerConfig c;
        c.interval_s = 900;
        c.jitter_pct = 10;
        c.backoff_max_s = 3600;
        return c;
    }
    ShopSchedule at(const std::string& id) {
        auto s = scheduler_.shop(id);
        EXPECT_TRUE(s) << id;
        return s.value_or(ShopSchedule{});
    }
    std::int64_t now_ = t0;
    double jitter_ = 0.0;
    Scheduler scheduler_;
};

}  // namespace

TEST_F(SchedulerTest, NewShopsAreDueAtOnceOrOneIntervalAfterTheirLastSuccess) {
    jitter_ = 0.5;  // +5% of 900 s = +45 s
    scheduler_.set_shops({{"never", 0}, {"recent", t0 - 100'000}, {"stale", t0 - 5'000'000}});
    EXPECT_EQ(at("never").next_run_at_ms, t0);
    EXPECT_EQ(at("recent").next_run_at_ms, t0 - 100'000 + 945'000);
    EXPECT_EQ(at("recent").last_success_at_ms, t0 - 100'000);
    EXPECT_EQ(at("stale").next_run_at_ms, t0);  // overdue: now, not in the past
    EXPECT_EQ(at("never").phase, ShopSyncPhase::idle);
    EXPECT_EQ(scheduler_.due(), (std::vector<std::string>{"never", "stale"}));
}

TEST_F(SchedulerTest, MostOverdueFirstAndQueuedOrRunningShopsAreNotDue) {
    scheduler_.set_shops({{"b", 0}, {"a", 0}});
    scheduler_.on_queued("a", 1);
    scheduler_.on_finished("a", 1, SyncJobState::failed, "boom");  // due at t0 + 900 s
    now_ = t0 + 1'000'000;
    scheduler_.set_shops({{"a", 0}, {"b", 0}, {"c", 0}});  // c: due now, b: due since t0
    EXPECT_EQ(scheduler_.due(), (std::vector<std::string>{"b", "a", "c"}));
    scheduler_.on_queued("b", 7);
    EXPECT_EQ(at("b").phase, ShopSyncPhase::queued);
    EXPECT_EQ(at("b").job_id, 7);
    scheduler_.on_started("b", 7);
    EXPECT_EQ(at("b").phase, ShopSyncPhase::running);
    EXPECT_EQ(scheduler_.due(), (std::vector<std::string>{"a", "c"}));
}

TEST_F(SchedulerTest, ASuccessSchedulesTheNextRunOneIntervalLaterWithJitter) {
    scheduler_.set_shops({{"gb", 0}});
    scheduler_.on_queued("gb", 3);
    scheduler_.on_started("gb", 3);
    now_ = t0 + 5'000;
    jitter_ = -1.0;  // -10%: 810 s
    scheduler_.on_finished("gb", 3, SyncJobState::succeeded, "");
    const auto s = at("gb");
    EXPECT_EQ(s.phase, ShopSyncPhase::idle);
    EXPECT_EQ(s.job_id, 0);
    EXPECT_EQ(s.last_success_at_ms, t0 + 5'000);
    EXPECT_EQ(s.next_run_at_ms, t0 + 5'000 + 810'000);
    now_ = t0 + 5'000 + 809'999;
    EXPECT_TRUE(scheduler_.due().empty());
    now_ += 1;
    EXPECT_EQ(scheduler_.due(), (std::vector<std::string>{"gb"}));
    jitter_ = 1.0;  // +10%: 990 s
    scheduler_.on_finished("gb", 4, SyncJobState::succeeded, "");
    EXPECT_EQ(at("gb").next_run_at_ms, now_ + 990'000);
}

TEST_F(SchedulerTest, FailuresBackOffExponentiallyUpToTheCapWithoutDelayingOtherShops) {
    EXPECT_EQ(scheduler_.backoff_ms(1), 900'000);
    EXPECT_EQ(scheduler_.backoff_ms(2), 1'800'000);
    EXPECT_EQ(scheduler_.backoff_ms(3), 3'600'000);
    EXPECT_EQ(scheduler_.backoff_ms(4), 3'600'000);
    EXPECT_EQ(scheduler_.backoff_ms(4'000'000'000u), 3'600'000);
    scheduler_.set_shops({{"bad", 0}, {"good", 0}});
    const std::int64_t expected[] = {900'000, 1'800'000, 3'600'000, 3'600'000};
    for (std::uint32_t n = 1; n <= 4; ++n) {
        scheduler_.on_queued("bad", n);
        scheduler_.on_finished("bad", n, SyncJobState::failed, "orders: HTTP 500 #" + std::to_string(n));
        const auto s = at("bad");
        EXPECT_EQ(s.consecutive_failures, n);
        EXPECT_EQ(s.phase, ShopSyncPhase::backing_off);
        EXPECT_EQ(s.last_error, "orders: HTTP 500 #" + std::to_string(n));
        EXPECT_EQ(s.next_run_at_ms, now_ + expected[n - 1]);
        // The good shop is due all along.
        EXPECT_EQ(scheduler_.due(), (std::vector<std::string>{"good"}));
    }
    jitter_ = 0.5;  // the backoff is spread too: +5% of 3600 s
    scheduler_.on_finished("bad", 5, SyncJobState::failed, "x");
    EXPECT_EQ(at("bad").next_run_at_ms, now_ + 3'780'000);
    scheduler_.on_finished("bad", 6, SyncJobState::succeeded, "");
    EXPECT_EQ(at("bad").consecutive_failures, 0u);
    EXPECT_EQ(at("bad").last_error, "");
    EXPECT_EQ(at("bad").phase, ShopSyncPhase::idle);
}

TEST_F(SchedulerTest, ARestartedSchedulerKeepsBackingOffFromTheStoredFailures) {
    // What a restarted service reads from the store: "bad" failed twice in a
    // row, a minute ago; "long-ago" failed three times, hours ago.
    scheduler_.set_shops({{"bad", t0 - 10'000'000, 2, t0 - 60'000, "orders: HTTP 500"},
                          {"long-ago", 0, 3, t0 - 20'000'000, "traffic: timeout"},
                          {"fine", t0 - 100'000}});
    const auto bad = at("bad");
    EXPECT_EQ(bad.phase, ShopSyncPhase::backing_off);
    EXPECT_EQ(bad.consecutive_failures, 2u);
    EXPECT_EQ(bad.last_error, "orders: HTTP 500");
    EXPECT_EQ(bad.last_success_at_ms, t0 - 10'000'000);
    EXPECT_EQ(bad.next_run_at_ms, t0 - 60'000 + 1'800'000);  // the second failure's backoff, from that failure
    EXPECT_EQ(at("long-ago").next_run_at_ms, t0);            // its backoff is over: due at once
    EXPECT_EQ(at("long-ago").consecutive_failures, 3u);
    EXPECT_EQ(at("fine").phase, ShopSyncPhase::idle);
    EXPECT_EQ(scheduler_.due(), (std::vector<std::string>{"long-ago"}));
    // One more failure goes on counting from the stored ones.
    scheduler_.on_queued("long-ago", 1);
    scheduler_.on_finished("long-ago", 1, SyncJobState::failed, "traffic: timeout");
    EXPECT_EQ(at("long-ago").consecutive_failures, 4u);
    EXPECT_EQ(at("long-ago").next_run_at_ms, t0 + 3'600'000);
}

TEST_F(SchedulerTest, AStoppedSyncIsDueAgainAtOnceAndChangesNothingElse) {
    scheduler_.set_shops({{"gb", 0}});
    scheduler_.on_finished("gb", 1, SyncJobState::failed, "e");
    now_ += 10'000;
    scheduler_.on_queued("gb", 2);
    scheduler_.on_finished("gb", 2, SyncJobState::stopped, "");
    const auto s = at("gb");
    EXPECT_EQ(s.next_run_at_ms, now_);
    EXPECT_EQ(s.consecutive_failures, 1u);
    EXPECT_EQ(s.last_error, "e");
    EXPECT_EQ(s.job_id, 0);
}

TEST_F(SchedulerTest, ShopsAddedAndRemovedInTheStoreAppearAndDisappear) {
    scheduler_.set_shops({{"a", 0}});
    scheduler_.on_finished("a", 1, SyncJobState::failed, "e");
    scheduler_.set_shops({{"a", 0}, {"b", 0}});
    EXPECT_EQ(at("a").consecutive_failures, 1u);  // kept as it was
    EXPECT_EQ(scheduler_.due(), (std::vector<std::string>{"b"}));
    scheduler_.set_shops({{"b", 0}});
    EXPECT_FALSE(scheduler_.shop("a"));
    // News of a forgotten shop's sync is ignored.
    scheduler_.on_finished("a", 2, SyncJobState::succeeded, "");
    EXPECT_FALSE(scheduler_.shop("a"));
    ASSERT_EQ(scheduler_.shops().size(), 1u);
    EXPECT_EQ(scheduler_.shops()[0].shop_id, "b");
    // Added again: a fresh schedule.
    scheduler_.set_shops({{"a", 0}, {"b", 0}});
    EXPECT_EQ(at("a").consecutive_failures, 0u);
}

TEST(FailureSummary, NamesEachFailedDatasetAndTheShopLevelError) {
    ShopReport r;
    EXPECT_EQ(failure_summary(r), "");
    r.error = "no plugin";
    DatasetReport ok, failed, stopped;
    ok.ok = true;
    failed.dataset = pcgd::sdk::Dataset::traffic;
    failed.error = "HTTP 500";
    stopped.stopped = true;
    r.datasets = {ok, failed, stopped};
    EXPECT_EQ(failure_summary(r), "no plugin; traffic: HTTP 500");
}
