// MessageService: validates a send, hands it to the Store (which checks the
// device lists, retries and caps inside its transaction), and announces new
// mail only after the commit. The asynchronous calls share the checks and
// complete on the Store's writer thread instead of blocking a caller.
#include "service/message_service.hpp"

#include <algorithm>
#include <set>

namespace hush::server {

Result<NewMessage> MessageService::build_send(const SendRequest& request) const {
  if (request.copies.empty()) return make_error(Errc::invalid_argument, "no copies");
  if (request.copies.size() > kMaxDevicesPerSend) return make_error(Errc::invalid_argument, "too many copies");
  NewMessage msg;
  msg.sender = request.sender;
  msg.message_id = request.message_id;
  msg.server_time = clock_.now();
  msg.sender_share = config_.sender_share;
  msg.partial = request.partial;
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
  if (request.expected_username) {
    msg.expected_username = NewMessage::ExpectedName{request.recipient, *request.expected_username};
  }
  if (!request.sync_message_id) {
    if (!request.sync_copies.empty()) return make_error(Errc::invalid_argument, "sync copies without an id");
    return msg;
  }
  // The sync copies: the same checks, to the sender's own account.
  if (request.recipient == request.sender.account) return make_error(Errc::invalid_argument, "sync copy to oneself");
  if (request.sync_copies.size() > kMaxDevicesPerSend) return make_error(Errc::invalid_argument, "too many copies");
  msg.sync_message_id = request.sync_message_id;
  named.clear();
  for (const OutgoingCopy& c : request.sync_copies) {
    if (c.type == 0) return make_error(Errc::invalid_argument, "message type");
    if (c.body.empty() || c.body.size() > kMaxBodySize) return make_error(Errc::bad_length, "message body");
    if (!named.insert(c.device).second) return make_error(Errc::invalid_argument, "device named twice");
    msg.bodies.push_back(c.body);
    msg.deliveries.push_back(Delivery{DeviceAddress{request.sender.account, c.device}, c.registration_id, c.type,
                                      static_cast<std::uint32_t>(msg.bodies.size() - 1)});
  }
  if (request.sync_copies.empty()) msg.exact_accounts.push_back(request.sender.account);
  return msg;
}

Result<NewMessage> MessageService::build_multi(const MultiSendRequest& request) const {
  if (request.recipients.empty()) return make_error(Errc::invalid_argument, "no recipients");
  if (request.recipients.size() > kMaxFanOutAccounts) return make_error(Errc::invalid_argument, "too many recipients");
  if (request.type == 0) return make_error(Errc::invalid_argument, "message type");
  if (request.body.empty() || request.body.size() > kMaxBodySize) return make_error(Errc::bad_length, "message body");
  std::size_t devices = 0;
  for (const FanOutAccount& r : request.recipients) devices += r.devices.size();
  if (devices == 0) return make_error(Errc::invalid_argument, "no devices");
  if (devices > kMaxFanOutDevices) return make_error(Errc::invalid_argument, "too many devices");

  NewMessage msg;
  msg.sender = request.sender;
  msg.message_id = request.message_id;
  msg.server_time = clock_.now();
  msg.sender_share = config_.sender_share;
  msg.partial = request.partial;
  msg.bodies.push_back(request.body);  // once, whatever the number of devices
  msg.deliveries.reserve(devices);
  std::set<AccountId> named;
  for (const FanOutAccount& r : request.recipients) {
    if (!named.insert(r.account).second) return make_error(Errc::invalid_argument, "account named twice");
    if (r.devices.empty()) msg.exact_accounts.push_back(r.account);
    for (const auto& [device, registration_id] : r.devices)
      msg.deliveries.push_back(Delivery{DeviceAddress{r.account, device}, registration_id, request.type, 0});
  }
  // The Store refuses a device named twice within an account (invalid_argument).
  return msg;
}

Result<SendReceipt> MessageService::send(const SendRequest& request, std::vector<DeviceMismatch>& mismatches) {
  mismatches.clear();
  HUSH_TRY_ASSIGN(auto msg, build_send(request));
  auto receipt = store_.store_message(msg, config_.queue_cap, mismatches);
  count_refusals(receipt);
  if (!receipt) return receipt.error();
  return announce(*receipt);
}

Result<SendReceipt> MessageService::send(const SendRequest& request, DeviceMismatch& mismatch) {
  std::vector<DeviceMismatch> mismatches;
  auto receipt = send(request, mismatches);
  for (DeviceMismatch& m : mismatches) {
    if (m.account == request.recipient) mismatch = std::move(m);
  }
  return receipt;
}

Result<SendReceipt> MessageService::send_multi(const MultiSendRequest& request,
                                               std::vector<DeviceMismatch>& mismatches) {
  mismatches.clear();
  HUSH_TRY_ASSIGN(auto msg, build_multi(request));
  auto receipt = store_.store_message(msg, config_.queue_cap, mismatches);
  count_refusals(receipt);
  if (!receipt) return receipt.error();
  return announce(*receipt);
}

void MessageService::send_async(const SendRequest& request, Announce announce, SendDone done) {
  store_async(build_send(request), announce, std::move(done));
}

void MessageService::send_multi_async(const MultiSendRequest& request, Announce announce, SendDone done) {
  store_async(build_multi(request), announce, std::move(done));
}

void MessageService::store_async(Result<NewMessage> message, Announce how, SendDone done) {
  if (!message) {
    std::vector<DeviceMismatch> none;
    const NewMessage empty;
    done(message.error(), SendDetails{none, empty, {}});
    return;
  }
  store_.store_message_async(
      std::move(*message), config_.queue_cap,
      [this, how, done = std::move(done)](Result<StoreReceipt> receipt, std::vector<DeviceMismatch>& mismatches,
                                          NewMessage& stored) {
        count_refusals(receipt);
        if (!receipt) return done(receipt.error(), SendDetails{mismatches, stored, {}});
        if (how == Announce::listener) {
          done(announce(*receipt), SendDetails{mismatches, stored, {}});
        } else {
          const std::span<const std::pair<DeviceAddress, Seq>> queued =
              receipt->duplicate ? std::span<const std::pair<DeviceAddress, Seq>>{} : receipt->queued;
          done(SendReceipt{receipt->server_time, receipt->duplicate, std::move(receipt->refused)},
               SendDetails{mismatches, stored, queued});
        }
      });
}

SendReceipt MessageService::announce(const StoreReceipt& receipt) noexcept {
  if (!receipt.duplicate) {
    for (const auto& [device, seq] : receipt.queued) listener_.on_new_mail(device, seq);
  }
  return SendReceipt{receipt.server_time, receipt.duplicate, receipt.refused};
}

void MessageService::count_refusals(const Result<StoreReceipt>& receipt) noexcept {
  if (metrics_ == nullptr) return;
  if (!receipt) {
    // A whole send refused for a share (a client that asked for all or nothing).
    if (receipt.code() == Errc::quota_exceeded && receipt.error().context == kShareFullContext)
      metrics_->mailbox_share_refused.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto shares = std::count_if(receipt->refused.begin(), receipt->refused.end(), [](const RefusedDelivery& r) {
    return r.reason == RefusalReason::share_full;
  });
  if (shares > 0) metrics_->mailbox_share_refused.fetch_add(static_cast<std::uint64_t>(shares), std::memory_order_relaxed);
}

Result<std::vector<QueuedMessage>> MessageService::pending(const DeviceAddress& device, Seq after, std::size_t limit) {
  limit = std::min(limit, kMaxPendingPage);
  if (limit == 0) return std::vector<QueuedMessage>{};
  return store_.pending(device, after, limit);
}

Status MessageService::ack(const DeviceAddress& device, Seq seq) { return store_.ack(device, seq); }

void MessageService::ack_async(const DeviceAddress& device, Seq seq, AckDone done) {
  store_.ack_async(device, seq, std::move(done));
}

Result<std::size_t> MessageService::queue_depth(const DeviceAddress& device) { return store_.queue_depth(device); }

Result<std::size_t> MessageService::sweep_expired() {
  Timestamp now = clock_.now();
  return store_.expire(now - config_.retention, now);
}

}  // namespace hush::server
