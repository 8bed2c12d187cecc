// GroupCommit on its own (no database): an asynchronous request completes
// on the writer thread only after the batch holding it was executed, shares
// batches with blocking requests, and requests still queued when the
// GroupCommit is destroyed are executed and completed, never dropped.
#include "storage/group_commit.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hush::server::storage {
namespace {

/// Records every batch; can hold the writer inside a batch until released.
class RecordingExecutor final : public BatchExecutor {
 public:
  void execute(std::span<WriteRequest* const> batch) noexcept override {
    std::unique_lock lock(mu_);
    batches_.emplace_back(batch.begin(), batch.end());
    for (WriteRequest* r : batch) executed_.push_back(r);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold_; });
  }
  void hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  void release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  /// Waits until the writer is inside a batch.
  void wait_entered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  bool executed(const WriteRequest* r) {
    std::lock_guard lock(mu_);
    for (auto* e : executed_) {
      if (e == r) return true;
    }
    return false;
  }
  std::vector<std::vector<WriteRequest*>> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool entered_ = false;
  std::vector<WriteRequest*> executed_;
  std::vector<std::vector<WriteRequest*>> batches_;
};

/// What a completion saw.
struct Seen {
  bool executed_before_completion = false;
  Errc code = Errc::ok;
};

class TestWrite final : public AsyncWrite {
 public:
  TestWrite(RecordingExecutor& executor, std::promise<Seen> done) : executor_(executor), done_(std::move(done)) {}
  WriteRequest& request() noexcept override { return request_; }
  void complete() noexcept override {
    done_.set_value(Seen{executor_.executed(&request_), request_.result.code()});
  }

 private:
  RecordingExecutor& executor_;
  std::promise<Seen> done_;
  WriteRequest request_{WriteRequest::Kind::send};
};

std::future<Seen> submit(GroupCommit& gc, RecordingExecutor& executor) {
  std::promise<Seen> p;
  auto f = p.get_future();
  gc.submit(std::make_unique<TestWrite>(executor, std::move(p)));
  return f;
}

TEST(GroupCommit, CompletesAnAsyncRequestAfterItsBatchWasExecuted) {
  RecordingExecutor executor;
  GroupCommit gc(executor, 16);
  auto seen = submit(gc, executor).get();
  EXPECT_TRUE(seen.executed_before_completion);
  EXPECT_EQ(seen.code, Errc::ok);
}

TEST(GroupCommit, BatchesAsyncRequestsQueuedWhileTheWriterIsBusy) {
  RecordingExecutor executor;
  GroupCommit gc(executor, 16);
  executor.hold();
  auto first = submit(gc, executor);
  executor.wait_entered();  // the writer holds the first batch: the rest queue up
  std::vector<std::future<Seen>> queued;
  for (int i = 0; i < 5; ++i) queued.push_back(submit(gc, executor));
  WriteRequest blocking(WriteRequest::Kind::ack);
  std::thread runner([&] { EXPECT_TRUE(gc.run(blocking)); });
  executor.release();  // the blocking request joins a batch now or a later one
  runner.join();
  EXPECT_TRUE(first.get().executed_before_completion);
  for (auto& f : queued) EXPECT_TRUE(f.get().executed_before_completion);
  EXPECT_TRUE(executor.executed(&blocking));
  // Five async requests queued while the writer was busy went in one batch.
  auto batches = executor.batches();
  ASSERT_GE(batches.size(), 2u);
  EXPECT_GE(batches[1].size(), 5u);
}

TEST(GroupCommit, CompletesQueuedAsyncRequestsWhenDestroyed) {
  RecordingExecutor executor;
  std::vector<std::future<Seen>> futures;
  {
    auto gc = std::make_unique<GroupCommit>(executor, 2);
    executor.hold();
    futures.push_back(submit(*gc, executor));
    executor.wait_entered();
    for (int i = 0; i < 7; ++i) futures.push_back(submit(*gc, executor));
    std::thread destroyer([&] { gc.reset(); });  // stops, but drains what was queued
    executor.release();
    destroyer.join();
  }
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready) << "dropped at shutdown";
    auto seen = f.get();
    EXPECT_TRUE(seen.executed_before_completion);
    EXPECT_EQ(seen.code, Errc::ok);
  }
  EXPECT_EQ(executor.batches().size(), 5u);  // 1 + 7 in batches of at most 2
}

}  // namespace
}  // namespace hush::server::storage
