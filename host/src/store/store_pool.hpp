// Connections to one store for threads that each need their own.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/store.hpp"

namespace pcgd::host {

/// Lends connections to one store, opening one only when none is idle, so a
/// pool never holds more than were ever lent at once. THREAD: safe; each
/// lent Store is, as always, used by one thread at a time.
class StorePool {
public:
    using Opener = std::function<std::unique_ptr<Store>()>;

    /// A lent connection, given back when the lease ends. It must end before
    /// the pool does.
    class Lease {
    public:
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        Store& operator*() const { return *store_; }
        Store* operator->() const { return store_.get(); }

    private:
        friend class StorePool;
        Lease(StorePool& pool, std::unique_ptr<Store> store) : pool_(&pool), store_(std::move(store)) {}
        StorePool* pool_;
        std::unique_ptr<Store> store_;
    };

    explicit StorePool(Opener open) : open_(std::move(open)) {}

    /// An idle connection, or a new one. Throws what the opener throws.
    Lease lease();

    /// Connections open now (lent or idle).
    std::size_t opened() const;

private:
    void give_back(std::unique_ptr<Store> store);

    Opener open_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Store>> idle_;
    std::size_t opened_ = 0;
};

}  // namespace pcgd::host
