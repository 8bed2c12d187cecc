// The Store's blocking fallbacks for the asynchronous mailbox calls: a
// backend without group commit runs the call and completes at once.
#include "storage/store.hpp"

#include <utility>

namespace hush::server::storage {

void Store::store_message_async(NewMessage message, std::size_t queue_cap, StoreMessageDone done) {
  std::vector<DeviceMismatch> mismatches;
  auto receipt = store_message(message, queue_cap, mismatches);
  done(std::move(receipt), mismatches, message);
}

void Store::ack_async(const DeviceAddress& device, Seq seq, AckDone done) { done(ack(device, seq)); }

}  // namespace hush::server::storage
