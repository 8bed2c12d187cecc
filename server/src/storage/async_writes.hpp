// The asynchronous mailbox requests of SqlStore: each owns what its
// MailboxWriter request refers to (the message, the receipt) while it waits
// in group commit, and hands the outcome to the caller's completion on the
// writer thread. Included by sql_store.hpp only.
#pragma once

#include "storage/group_commit.hpp"
#include "storage/mailbox_writer.hpp"
#include "storage/store.hpp"

#include <utility>
#include <vector>

namespace hush::server::storage {

class AsyncSend final : public AsyncWrite {
 public:
  AsyncSend(NewMessage message, std::size_t queue_cap, StoreMessageDone done)
      : message_(std::move(message)), done_(std::move(done)), write_(message_, queue_cap, mismatches_, receipt_) {}
  WriteRequest& request() noexcept override { return write_; }
  void complete() noexcept override {
    if (write_.result) {
      done_(std::move(receipt_), mismatches_, message_);
    } else {
      done_(write_.result.error(), mismatches_, message_);
    }
  }

 private:
  // Declared before write_, which refers to them.
  NewMessage message_;
  std::vector<DeviceMismatch> mismatches_;
  StoreReceipt receipt_;
  StoreMessageDone done_;
  SendWrite write_;
};

class AsyncAck final : public AsyncWrite {
 public:
  AsyncAck(const DeviceAddress& device, Seq seq, AckDone done) : done_(std::move(done)), write_(device, seq) {}
  WriteRequest& request() noexcept override { return write_; }
  void complete() noexcept override { done_(write_.result); }

 private:
  AckDone done_;
  AckWrite write_;
};

}  // namespace hush::server::storage
