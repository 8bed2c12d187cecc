// The writer thread of GroupCommit: take up to max_batch queued ops, run them
// in one transaction, commit, wake the waiters.
#include "storage/group_commit.hpp"

#include <vector>

namespace hush::server::storage {
namespace {

// Errors a statement can raise (as opposed to an op's own verdicts such as
// stale_devices); after one, PostgreSQL refuses the rest of the transaction.
bool is_database_error(Errc code) noexcept {
  return code == Errc::storage_failure || code == Errc::unavailable || code == Errc::conflict;
}

}  // namespace

GroupCommit::GroupCommit(TransactionHost& host, std::size_t max_batch)
    : host_(host), max_batch_(max_batch == 0 ? 1 : max_batch), writer_([this] { writer_loop(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
}

Status GroupCommit::run(const Op& op) {
  Pending p{&op, ok()};
  std::unique_lock lock(mu_);
  if (stopping_) return make_error(Errc::unavailable, "store is closing");
  queue_.push_back(&p);
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return p.done; });
  return p.result;
}

void GroupCommit::writer_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    std::deque<Pending*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    run_batch(batch);
    lock.lock();
    for (Pending* p : batch) p->done = true;
    done_cv_.notify_all();
  }
}

// Runs the ops; a database error in one op rolls the transaction back, marks
// that op failed and starts over with the rest (they had not been committed).
void GroupCommit::run_batch(std::deque<Pending*>& batch) {
  std::vector<Pending*> todo(batch.begin(), batch.end());
  while (!todo.empty()) {
    if (auto st = host_.begin(); !st) {
      for (Pending* p : todo) p->result = st;
      return;
    }
    bool restarted = false;
    for (std::size_t i = 0; i < todo.size(); ++i) {
      Status st = (*todo[i]->op)();
      todo[i]->result = st;
      if (!st && is_database_error(st.code())) {
        host_.rollback();
        todo.erase(todo.begin() + static_cast<std::ptrdiff_t>(i));  // keeps its error
        restarted = true;
        break;
      }
    }
    if (restarted) continue;
    if (auto st = host_.commit(); !st) {
      for (Pending* p : todo) p->result = st;
    }
    return;
  }
}

}  // namespace hush::server::storage
