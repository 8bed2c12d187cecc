// The writer thread of GroupCommit: take up to max_batch queued requests,
// let the executor run them as one transaction, wake their waiters.
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
    queue_.push_back(&w);
  }
  work_cv_.notify_one();
  std::unique_lock lock(w.mu);
  w.cv.wait(lock, [&] { return w.done; });
  return request.result;
}

void GroupCommit::writer_loop() {
  std::vector<Waiter*> batch;
  std::vector<WriteRequest*> requests;
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    batch.clear();
    requests.clear();
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      requests.push_back(queue_.front()->request);
      queue_.pop_front();
    }
    lock.unlock();
    executor_.execute(requests);
    for (Waiter* w : batch) {
      // Notify under the waiter's mutex: it cannot return (and destroy w)
      // before we let go of w.mu.
      std::lock_guard wl(w->mu);
      w->done = true;
      w->cv.notify_one();
    }
    lock.lock();
  }
}

}  // namespace hush::server::storage
