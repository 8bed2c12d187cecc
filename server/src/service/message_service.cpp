// MessageService: validates a send, hands it to the Store (which checks the
// device lists, retries and caps inside its transaction), and announces new
// mail only after the commit.
#include "service/message_service.hpp"

#include <algorithm>
#include <set>

namespace hush::server {

Result<SendReceipt> MessageService::send(const SendRequest& request, DeviceMismatch& mismatch) {
  if (request.copies.empty()) return make_error(Errc::invalid_argument, "no copies");
  if (request.copies.size() > kMaxDevicesPerSend) return make_error(Errc::invalid_argument, "too many copies");
  NewMessage msg;
  msg.sender = request.sender;
  msg.message_id = request.message_id;
  msg.server_time = clock_.now();
  std::set<DeviceId> named;
  for (const OutgoingCopy& c : request.copies) {
    if (c.type == 0) return make_error(Errc::invalid_argument, "message type");
    if (c.body.empty() || c.body.size() > kMaxBodySize) return make_error(Errc::bad_length, "message body");
    if (!named.insert(c.device).second) return make_error(Errc::invalid_argument, "device named twice");
    // Identical ciphertexts (a sender-key fan-out) are stored once.
    auto same = std::find(msg.bodies.begin(), msg.bodies.end(), c.body);
    auto index = static_cast<std::uint32_t>(same - msg.bodies.begin());
    if (same == msg.bodies.end()) msg.bodies.push_back(c.body);
    msg.deliveries.push_back(Delivery{DeviceAddress{request.recipient, c.device}, c.registration_id, c.type, index});
  }
  HUSH_TRY_ASSIGN(auto receipt, store_.store_message(msg, config_.queue_cap, mismatch));
  if (!receipt.duplicate) {
    for (const auto& [device, seq] : receipt.queued) listener_.on_new_mail(device, seq);
  }
  return SendReceipt{receipt.server_time, receipt.duplicate};
}

Result<std::vector<QueuedMessage>> MessageService::pending(const DeviceAddress& device, Seq after, std::size_t limit) {
  limit = std::min(limit, kMaxPendingPage);
  if (limit == 0) return std::vector<QueuedMessage>{};
  return store_.pending(device, after, limit);
}

Status MessageService::ack(const DeviceAddress& device, Seq seq) { return store_.ack(device, seq); }

Result<std::size_t> MessageService::queue_depth(const DeviceAddress& device) { return store_.queue_depth(device); }

Result<std::size_t> MessageService::sweep_expired() {
  Timestamp now = clock_.now();
  return store_.expire(now - config_.retention, now);
}

}  // namespace hush::server
