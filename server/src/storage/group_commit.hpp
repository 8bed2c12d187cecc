// Group commit: one writer thread drains queued mailbox writes into a single
// transaction, commits once (one fsync for the whole batch) and only then
// completes every waiter. Ops must fail *before* writing when they fail for a
// logical reason (stale devices, duplicate, quota); a database error inside
// an op rolls the batch back and the others are re-run without it.
#pragma once

#include <hush/util/result.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace hush::server::storage {

/// The transaction control the writer needs from its dedicated connection.
class TransactionHost {
 public:
  virtual ~TransactionHost() = default;
  /// Starts a write transaction. storage_failure.
  virtual Status begin() = 0;
  /// Commits durably. storage_failure (then the transaction is rolled back).
  virtual Status commit() = 0;
  virtual void rollback() noexcept = 0;
};

class GroupCommit {
 public:
  /// An op runs inside the batch transaction on the writer thread. It must
  /// reset its outputs when it starts (it may be re-run after a rollback).
  using Op = std::function<Status()>;

  GroupCommit(TransactionHost& host, std::size_t max_batch);
  /// Finishes queued ops, then stops the writer.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  /// Queues `op` and blocks until its batch is committed (or it failed).
  /// Returns the op's own error, or storage_failure when the commit failed.
  Status run(const Op& op);

 private:
  struct Pending {
    const Op* op;
    Status result;
    bool done = false;
  };
  void writer_loop();
  void run_batch(std::deque<Pending*>& batch);

  TransactionHost& host_;
  std::size_t max_batch_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace hush::server::storage
