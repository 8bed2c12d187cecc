// Group commit: one writer thread drains queued mailbox writes and hands them
// to a BatchExecutor as one batch (one transaction, one commit, one fsync);
// only then is each request completed: a blocked waiter is woken, or an
// asynchronous request's completion runs on the writer thread (no thread
// sleeps per request). What a batch does with its requests (statements,
// caches, retries) is the executor's business.
#pragma once

#include <hush/util/result.hpp>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <thread>

namespace hush::server::storage {

/// The transaction control a writer needs from its dedicated connection.
class TransactionHost {
 public:
  virtual ~TransactionHost() = default;
  /// Starts a write transaction. storage_failure.
  virtual Status begin() = 0;
  /// Commits durably. storage_failure (then the transaction is rolled back).
  virtual Status commit() = 0;
  virtual void rollback() noexcept = 0;
};

/// One queued write. Executors derive their request types from it and
/// dispatch on `kind`; `result` is what the waiter's run() returns.
struct WriteRequest {
  enum class Kind : std::uint8_t { send, ack, other };
  explicit WriteRequest(Kind k) noexcept : kind(k) {}
  Kind kind;
  Status result = ok();
};

/// Runs a batch of requests on the writer thread and sets every request's
/// result. A request may be reported successful only once the transaction
/// holding its writes has committed.
class BatchExecutor {
 public:
  virtual ~BatchExecutor() = default;
  virtual void execute(std::span<WriteRequest* const> batch) noexcept = 0;
};

/// A request that owns itself while queued: the writer calls complete() once
/// its batch has been executed (committed or failed; request().result says
/// which), then destroys it. complete() runs on the writer thread, so it must
/// be short and must not block (post the answer elsewhere).
class AsyncWrite {
 public:
  virtual ~AsyncWrite() = default;
  virtual WriteRequest& request() noexcept = 0;
  virtual void complete() noexcept = 0;
};

class GroupCommit {
 public:
  GroupCommit(BatchExecutor& executor, std::size_t max_batch);
  /// Finishes queued requests, then stops the writer.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  /// Queues `request` and blocks until its batch has been executed. Returns
  /// request.result, or unavailable when the store is closing.
  Status run(WriteRequest& request);

  /// Queues `write` and returns at once; its complete() runs on the writer
  /// thread after its batch. When the store is closing it is completed at
  /// once, on the calling thread, with unavailable. Requests queued before
  /// the destructor are still executed and completed.
  void submit(std::unique_ptr<AsyncWrite> write);

 private:
  // Each waiter sleeps on its own condition variable: the writer wakes exactly
  // the requests of the batch it finished (a shared notify_all woke every
  // waiter of every batch, which cost more than the SQL at 64 waiters).
  struct Waiter {
    WriteRequest* request;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };
  /// One queued request: a blocked waiter or an owned asynchronous write.
  struct Entry {
    Waiter* waiter = nullptr;
    AsyncWrite* async = nullptr;  ///< owned while queued
    WriteRequest* request() const noexcept { return waiter ? waiter->request : &async->request(); }
  };
  /// Wakes the waiter or runs and destroys the asynchronous write.
  static void finish(const Entry& e) noexcept;
  void writer_loop();

  BatchExecutor& executor_;
  std::size_t max_batch_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace hush::server::storage
