// StorePool: connections are reused, opened only when none is idle, and each
// is lent to one thread at a time.
#include "store/store_pool.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pcgd::host {
namespace {

class StorePoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("pcgd-store-pool-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "pcgd.db").string();
        open_sqlite_store(path_);  // creates the schema once
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    StorePool::Opener counting_opener() {
        return [this] {
            ++opens_;
            return open_sqlite_store(path_);
        };
    }

    std::filesystem::path dir_;
    std::string path_;
    std::atomic<int> opens_{0};
};

TEST_F(StorePoolTest, ReusesAnIdleConnection) {
    StorePool pool(counting_opener());
    Store* first = nullptr;
    {
        auto lease = pool.lease();
        first = &*lease;
    }
    auto again = pool.lease();
    EXPECT_EQ(&*again, first);
    EXPECT_EQ(opens_.load(), 1);
    EXPECT_EQ(pool.opened(), 1u);
}

TEST_F(StorePoolTest, OpensOneMoreOnlyWhenAllAreLent) {
    StorePool pool(counting_opener());
    {
        auto a = pool.lease();
        auto b = pool.lease();
        EXPECT_NE(&*a, &*b);
        auto moved = std::move(b);  // a moved lease gives its store back once
    }
    auto c = pool.lease();
    auto d = pool.lease();
    EXPECT_EQ(pool.opened(), 2u);
    EXPECT_EQ(opens_.load(), 2);
    EXPECT_NE(&*c, &*d);
}

TEST_F(StorePoolTest, AFailedOpenIsThrownAndNotCounted) {
    StorePool pool([]() -> std::unique_ptr<Store> { throw std::runtime_error("store file gone"); });
    EXPECT_THROW(
        {
            try {
                pool.lease();
            } catch (const std::runtime_error& e) {
                EXPECT_STREQ(e.what(), "store file gone");
                throw;
            }
        },
        std::runtime_error);
    EXPECT_EQ(pool.opened(), 0u);
}

TEST_F(StorePoolTest, ThreadsNeverShareAConnection) {
    StorePool pool(counting_opener());
    constexpr int threads = 4, rounds = 50;
    std::atomic<int> in_use_twice{0};
    std::vector<std::atomic<Store*>> holders(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; i < rounds; ++i) {
                auto lease = pool.lease();
                holders[t] = &*lease;
                for (int o = 0; o < threads; ++o)
                    if (o != t && holders[o].load() == &*lease) ++in_use_twice;
                lease->list_shops();  // a real query on the lent connection
                holders[t] = nullptr;
            }
        });
    for (auto& w : workers) w.join();
    EXPECT_EQ(in_use_twice.load(), 0);
    EXPECT_GE(pool.opened(), 1u);
    EXPECT_LE(pool.opened(), static_cast<std::size_t>(threads));
}

}  // namespace
}  // namespace pcgd::host
