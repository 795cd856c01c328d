#include "store/store_pool.hpp"

namespace pcgd::host {

StorePool::Lease::~Lease() {
    if (store_) pool_->give_back(std::move(store_));
}

StorePool::Lease StorePool::lease() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto store = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(store));
        }
    }
    // Opened outside the lock: opening runs the schema check and may wait on SQLite.
    auto store = open_();
    std::lock_guard lock(mutex_);
    ++opened_;
    return Lease(*this, std::move(store));
}

std::size_t StorePool::opened() const {
    std::lock_guard lock(mutex_);
    return opened_;
}

void StorePool::give_back(std::unique_ptr<Store> store) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(store));
}

}  // namespace pcgd::host
