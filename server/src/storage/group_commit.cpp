// The writer thread of GroupCommit: take up to max_batch queued requests,
// let the executor run them as one transaction, then complete each: wake a
// blocked waiter, or run an asynchronous request's completion here.
#include "storage/group_commit.hpp"

#include <vector>

namespace hush::server::storage {

GroupCommit::GroupCommit(BatchExecutor& executor, std::size_t max_batch)
    : executor_(executor), max_batch_(max_batch == 0 ? 1 : max_batch), writer_([this] { writer_loop(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
}

Status GroupCommit::run(WriteRequest& request) {
  Waiter w{&request, {}, {}};
  {
    std::lock_guard lock(mu_);
    if (stopping_) return make_error(Errc::unavailable, "store is closing");
    queue_.push_back(Entry{&w, nullptr});
  }
  work_cv_.notify_one();
  std::unique_lock lock(w.mu);
  w.cv.wait(lock, [&] { return w.done; });
  return request.result;
}

void GroupCommit::submit(std::unique_ptr<AsyncWrite> write) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(Entry{nullptr, write.release()});
      // Only the first request of an idle queue needs to wake the writer:
      // while it works it drains the queue before sleeping again.
      if (queue_.size() > 1) return;
    }
  }
  if (write) {  // closing: refused before it was queued
    write->request().result = make_error(Errc::unavailable, "store is closing");
    write->complete();
    return;
  }
  work_cv_.notify_one();
}

void GroupCommit::finish(const Entry& e) noexcept {
  if (e.async != nullptr) {
    std::unique_ptr<AsyncWrite> owned(e.async);
    owned->complete();
    return;
  }
  // Notify under the waiter's mutex: it cannot return (and destroy w)
  // before we let go of w.mu.
  std::lock_guard wl(e.waiter->mu);
  e.waiter->done = true;
  e.waiter->cv.notify_one();
}

void GroupCommit::writer_loop() {
  std::vector<Entry> batch;
  std::vector<WriteRequest*> requests;
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    batch.clear();
    requests.clear();
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      requests.push_back(queue_.front().request());
      queue_.pop_front();
    }
    lock.unlock();
    executor_.execute(requests);
    for (const Entry& e : batch) finish(e);
    lock.lock();
  }
}

}  // namespace hush::server::storage
