// The sync queue with a fake runner: no plugin, no network. Jobs are held
// running at gates the test opens, so every interleaving asserted is forced,
// not timed.
#include "sync/sync_queue.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>

using namespace pcgd::host;
using namespace std::chrono_literals;

namespace {

/// What the fake runner does, shop by shop, and what it saw.
class Fake {
public:
    /// The runner holds `shop` until open(shop) (or a stop).
    void hold(const std::string& shop) {
        std::lock_guard lock(mutex_);
        held_.insert(shop);
    }
    void open(const std::string& shop) {
        std::lock_guard lock(mutex_);
        held_.erase(shop);
        changed_.notify_all();
    }
    void fail_with(const std::string& shop, const std::string& error) {
        std::lock_guard lock(mutex_);
        errors_[shop] = error;
    }

    ShopReport run(const std::string& shop, const std::atomic<bool>& stop, pcgd::host::net::RateLimiter& budgets) {
        std::unique_lock lock(mutex_);
        started_.push_back(shop);
        limiters_[shop] = &budgets;
        // What the previous job of the same budget left is visible to this one.
        waited_seen_[shop] = budgets.account("k").waited_ms();
        budgets.account("k").add_waited(100);
        ++running_;
        max_running_ = std::max(max_running_, running_);
        changed_.notify_all();
        while (held_.count(shop) && !stop) changed_.wait_for(lock, 10ms);
        --running_;
        if (const auto it = errors_.find(shop); it != errors_.end()) {
            if (it->second == "throw") throw std::runtime_error("the runner threw");
            ShopReport r;
            r.shop_id = shop;
            r.error = it->second;
            return r;
        }
        ShopReport r;
        r.shop_id = shop;
        r.stopped = held_.count(shop) > 0;  // released by the stop, not by the test
        r.ok = !r.stopped;
        return r;
    }

    /// Waits (up to 10 s, only as a hang guard) until `shop` has started.
    bool wait_started(const std::string& shop) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return std::count(started_.begin(), started_.end(), shop) > 0; });
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::string> held_;
    std::map<std::string, std::string> errors_;
    std::vector<std::string> started_;
    std::map<std::string, pcgd::host::net::RateLimiter*> limiters_;
    std::map<std::string, std::int64_t> waited_seen_;
    int running_ = 0, max_running_ = 0;
};

class QueueTest : public ::testing::Test {
protected:
    std::unique_ptr<SyncQueue> make(std::uint32_t workers, std::size_t kept = 256) {
        SyncQueueOptions o;
        o.workers = workers;
        o.finished_kept = kept;
        o.now_ms = [] { return std::int64_t{42}; };
        o.on_finished = [this](const SyncJob& job) {
            std::lock_guard lock(mutex_);
            finished_.push_back(job);
            changed_.notify_all();
        };
        return std::make_unique<SyncQueue>(
            o, [this](const std::string& shop, const std::atomic<bool>& stop, pcgd::host::net::RateLimiter& b) {
                return fake_.run(shop, stop, b);
            });
    }
    /// Waits (hang guard only) until `n` jobs have finished.
    bool wait_finished(std::size_t n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return finished_.size() >= n; });
    }

    Fake fake_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<SyncJob> finished_;
};

}  // namespace

TEST(SyncJobState, Names) {
    EXPECT_STREQ(to_string(SyncJobState::queued), "queued");
    EXPECT_STREQ(to_string(SyncJobState::running), "running");
    EXPECT_STREQ(to_string(SyncJobState::succeeded), "succeeded");
    EXPECT_STREQ(to_string(SyncJobState::failed), "failed");
    EXPECT_STREQ(to_string(SyncJobState::stopped), "stopped");
}

TEST_F(QueueTest, AShopQueuedOrRunningIsNotQueuedTwice) {
    fake_.hold("a");
    auto q = make(2);
    const auto first = q->request("a", "testshop:a", "api");
    EXPECT_EQ(first.id, 1);
    EXPECT_FALSE(first.already_queued);
    ASSERT_TRUE(fake_.wait_started("a"));
    const auto again = q->request("a", "testshop:a", "webhook");
    EXPECT_EQ(again.id, 1);
    EXPECT_TRUE(again.already_queued);
    EXPECT_EQ(q->active_job("a")->state, SyncJobState::running);
    EXPECT_EQ(q->job(1)->reason, "api");
    EXPECT_EQ(q->job(1)->started_at_ms, 42);
    fake_.open("a");
    ASSERT_TRUE(wait_finished(1));
    const auto done = q->job(1);
    ASSERT_TRUE(done);
    EXPECT_EQ(done->state, SyncJobState::succeeded);
    EXPECT_EQ(done->finished_at_ms, 42);
    EXPECT_FALSE(q->active_job("a"));
    // Finished: the next request is a new sync.
    const auto later = q->request("a", "testshop:a", "schedule");
    EXPECT_EQ(later.id, 2);
    EXPECT_FALSE(later.already_queued);
    ASSERT_TRUE(wait_finished(2));
    EXPECT_FALSE(q->job(3));
}

TEST_F(QueueTest, ShopsOfOneBudgetRunOneAtATimeAndShareTheirLimiterOthersGoOn) {
    fake_.hold("x1");
    auto q = make(2);
    q->request("x1", "amazon:SELLER", "api");
    ASSERT_TRUE(fake_.wait_started("x1"));
    q->request("x2", "amazon:SELLER", "api");  // same account: must wait for x1
    q->request("y", "shopify:y", "api");       // another account: runs beside x1
    ASSERT_TRUE(wait_finished(1));
    EXPECT_EQ(finished_[0].shop_id, "y");
    EXPECT_EQ(q->job(2)->state, SyncJobState::queued);  // x2 still waits for x1's budget
    fake_.open("x1");
    ASSERT_TRUE(wait_finished(3));
    EXPECT_EQ(fake_.started_, (std::vector<std::string>{"x1", "y", "x2"}));
    EXPECT_EQ(fake_.limiters_["x1"], fake_.limiters_["x2"]);
    EXPECT_NE(fake_.limiters_["x1"], fake_.limiters_["y"]);
    // x2 found the budget as x1 left it: carried over, not refilled.
    EXPECT_EQ(fake_.waited_seen_["x1"], 0);
    EXPECT_EQ(fake_.waited_seen_["x2"], 100);
    EXPECT_EQ(fake_.waited_seen_["y"], 0);
}

TEST_F(QueueTest, NoMoreJobsRunAtOnceThanWorkers) {
    fake_.hold("a");
    auto q = make(1);
    q->request("a", "k:a", "api");
    ASSERT_TRUE(fake_.wait_started("a"));
    q->request("b", "k:b", "api");
    EXPECT_EQ(q->job(2)->state, SyncJobState::queued);
    fake_.open("a");
    ASSERT_TRUE(wait_finished(2));
    EXPECT_EQ(fake_.max_running_, 1);
    EXPECT_EQ(q->job(2)->state, SyncJobState::succeeded);
}

TEST_F(QueueTest, FailuresAreReportedAndDoNotStopTheQueue) {
    fake_.fail_with("bad", "orders: HTTP 500");
    fake_.fail_with("worse", "throw");
    auto q = make(1);
    q->request("bad", "k:bad", "api");
    q->request("worse", "k:worse", "api");
    q->request("good", "k:good", "api");
    ASSERT_TRUE(wait_finished(3));
    EXPECT_EQ(q->job(1)->state, SyncJobState::failed);
    EXPECT_EQ(q->job(1)->report.error, "orders: HTTP 500");
    EXPECT_EQ(q->job(2)->state, SyncJobState::failed);
    EXPECT_EQ(q->job(2)->report.error, "the runner threw");
    EXPECT_EQ(q->job(2)->report.shop_id, "worse");
    EXPECT_EQ(q->job(3)->state, SyncJobState::succeeded);
}

TEST_F(QueueTest, StopEndsQueuedJobsUnrunAndAsksRunningOnesToStop) {
    fake_.hold("running");
    auto q = make(1);
    q->request("running", "k:r", "api");
    ASSERT_TRUE(fake_.wait_started("running"));
    q->request("waiting", "k:w", "api");
    EXPECT_TRUE(q->stop(10s));
    EXPECT_EQ(q->job(1)->state, SyncJobState::stopped);
    EXPECT_TRUE(q->job(1)->report.stopped);
    EXPECT_EQ(q->job(2)->state, SyncJobState::stopped);
    EXPECT_EQ(q->job(2)->started_at_ms, 0);  // never ran
    EXPECT_EQ(fake_.started_, (std::vector<std::string>{"running"}));
    ASSERT_EQ(finished_.size(), 2u);  // both announced
    try {
        q->request("late", "k:l", "api");
        FAIL() << "a stopped queue took a job";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "the service is stopping: no new syncs are taken");
    }
}

TEST_F(QueueTest, KeepsABoundedHistoryOfFinishedJobs) {
    auto q = make(1, 2);
    std::size_t n = 0;
    for (const char* shop : {"a", "b", "c"}) {
        q->request(shop, std::string("k:") + shop, "api");
        ASSERT_TRUE(wait_finished(++n));
    }
    EXPECT_FALSE(q->job(1));
    EXPECT_EQ(q->job(2)->shop_id, "b");
    EXPECT_EQ(q->job(3)->shop_id, "c");
}
