// A fixed set of connections lent to one thread at a time. Neither sqlite3
// nor PGconn handles may be used by two threads at once; a small pool caps
// the database's concurrency (PostgreSQL spends a process per connection).
#pragma once

#include <hush/util/check.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace hush::server::storage {

template <class Conn>
class Pool {
 public:
  /// Returns its connection to the pool when destroyed.
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Conn> conn) noexcept : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&& o) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) pool_->give_back(std::move(conn_));
    }
    Conn& operator*() const noexcept { return *conn_; }
    Conn* operator->() const noexcept { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  void add(std::unique_ptr<Conn> conn) {
    HUSH_CHECK(conn != nullptr);
    std::lock_guard lock(mu_);
    free_.push_back(std::move(conn));
    cv_.notify_one();
  }

  /// Blocks until a connection is free.
  Lease lease() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty(); });
    auto conn = std::move(free_.back());
    free_.pop_back();
    return Lease(*this, std::move(conn));
  }

 private:
  void give_back(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(conn));
    cv_.notify_one();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> free_;
};

}  // namespace hush::server::storage
