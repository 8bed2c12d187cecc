// Handlers of the mailbox requests: send a message (one ciphertext per
// recipient device; stale device lists answered with the difference), send
// one body to the devices of many accounts (a group fan-out), ack a
// delivered envelope, and the envelope frames pushed from a device's queue.
// Ciphertexts pass through untouched: the server cannot read them. The
// non-blocking variants of the same requests are in async_handlers.cpp.
#include "api/handlers.hpp"

#include <algorithm>

namespace hush::server::api {
namespace {

void fill_ids(const std::vector<DeviceId>& ids, google::protobuf::RepeatedField<std::uint32_t>& out) {
  for (auto id : ids) out.Add(raw(id));
}

/// Status of a fan-out's stale-device answer: 409, as proto/service.proto
/// says for send_multi (a 1:1 send answers 410); the message stays
/// "stale_devices" so clients need not tell the two apart.
constexpr std::uint32_t kStatusMultiStale = 409;

void set_receipt(pb::Response& response, const SendReceipt& receipt) {
  set_ok(response);
  auto* body = response.mutable_send_message();
  body->set_duplicate(receipt.duplicate);
  body->set_server_timestamp_ms(to_millis(receipt.server_time));
  for (const RefusedDelivery& r : receipt.refused) {
    auto* copy = body->add_refused();
    copy->set_account(to_string(r.recipient.account.bytes));
    copy->set_device_id(raw(r.recipient.device));
    copy->set_reason(r.reason == RefusalReason::share_full ? "share_full" : "queue_full");
  }
}

}  // namespace

Result<SendRequest> parse_send(const DeviceAddress& caller, const pb::SendMessageRequest& request) {
  HUSH_TRY_ASSIGN(auto recipient, AccountId::from_bytes(hush::as_bytes(request.destination())));
  SendRequest send{caller, recipient, {}, {}, request.partial()};
  if (request.message_id().size() != send.message_id.size()) return make_error(Errc::bad_length, "message id");
  std::copy(request.message_id().begin(), request.message_id().end(), send.message_id.begin());
  send.copies.reserve(static_cast<std::size_t>(request.messages_size()));
  for (const auto& m : request.messages()) {
    send.copies.push_back(
        OutgoingCopy{DeviceId{m.device_id()}, RegistrationId{m.registration_id()}, m.type(), to_bytes(m.ciphertext())});
  }
  if (!request.sync_message_id().empty()) {
    // Bound before copying, as parse_send_multi does (the service checks again).
    if (static_cast<std::size_t>(request.sync_messages_size()) > kMaxDevicesPerSend)
      return make_error(Errc::invalid_argument, "too many copies");
    MessageId sync{};
    if (request.sync_message_id().size() != sync.size()) return make_error(Errc::bad_length, "sync message id");
    std::copy(request.sync_message_id().begin(), request.sync_message_id().end(), sync.begin());
    send.sync_message_id = sync;
    for (const auto& m : request.sync_messages()) {
      send.sync_copies.push_back(OutgoingCopy{DeviceId{m.device_id()}, RegistrationId{m.registration_id()}, m.type(),
                                              to_bytes(m.ciphertext())});
    }
  } else if (request.sync_messages_size() > 0) {
    return make_error(Errc::invalid_argument, "sync copies without an id");
  }
  if (!request.destination_username().empty()) {
    HUSH_TRY_ASSIGN(auto name, AccountService::normalize_username(request.destination_username()));
    send.expected_username = std::move(name);
  }
  return send;
}

bool multi_stale_answer(const pb::SendMessageRequest& request) {
  return request.bundles_on_stale() || !request.sync_message_id().empty();
}

Result<std::vector<Seq>> parse_ack(const pb::AckRequest& request) {
  if (static_cast<std::size_t>(request.seqs_size()) > kMaxAckBatch)
    return make_error(Errc::invalid_argument, "too many seqs");
  std::vector<Seq> out;
  out.reserve(static_cast<std::size_t>(request.seqs_size()) + 1);
  if (request.seq() != 0) out.push_back(Seq{request.seq()});
  for (auto seq : request.seqs()) {
    if (seq != 0) out.push_back(Seq{seq});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void add_stale_bundles(HandlerContext& ctx, pb::Response& response) {
  if (!response.has_multi_stale_devices()) return;
  for (auto& entry : *response.mutable_multi_stale_devices()->mutable_accounts()) {
    auto account = AccountId::from_bytes(hush::as_bytes(entry.account()));
    if (!account) continue;
    auto* out = entry.mutable_bundles();
    out->set_account_id(entry.account());
    auto add = [&](std::uint32_t id) {
      auto bundles = ctx.services.keys.fetch_bundles_for(ctx.caller, *account, DeviceId{id});
      if (!bundles) return;  // rate limited or gone: the client fetches that device itself
      for (const auto& b : *bundles) {
        if (out->identity_key().empty()) out->set_identity_key(to_string(b.identity_key.serialize()));
        fill_bundle(b, *out->add_bundles());
      }
    };
    for (auto id : entry.devices().missing()) add(id);
    for (auto id : entry.devices().stale()) add(id);
  }
}

Result<MultiSendRequest> parse_send_multi(const DeviceAddress& caller, const pb::SendMultiRequest& request) {
  MultiSendRequest send;
  send.sender = caller;
  if (request.message_id().size() != send.message_id.size()) return make_error(Errc::bad_length, "message id");
  std::copy(request.message_id().begin(), request.message_id().end(), send.message_id.begin());
  send.type = request.type();
  send.partial = request.partial();
  // Bound the work before copying anything: the service checks the same
  // limits, this keeps a hostile list from being materialized first.
  if (static_cast<std::size_t>(request.recipients_size()) > kMaxFanOutAccounts)
    return make_error(Errc::invalid_argument, "too many recipients");
  std::size_t devices = 0;
  for (const auto& r : request.recipients()) devices += static_cast<std::size_t>(r.devices_size());
  if (devices > kMaxFanOutDevices) return make_error(Errc::invalid_argument, "too many devices");
  if (request.body().size() > kMaxBodySize) return make_error(Errc::bad_length, "message body");
  send.recipients.reserve(static_cast<std::size_t>(request.recipients_size()));
  for (const auto& r : request.recipients()) {
    HUSH_TRY_ASSIGN(auto account, AccountId::from_bytes(hush::as_bytes(r.account())));
    FanOutAccount out{account, {}};
    out.devices.reserve(static_cast<std::size_t>(r.devices_size()));
    for (const auto& d : r.devices()) out.devices.emplace_back(DeviceId{d.device_id()}, RegistrationId{d.registration_id()});
    send.recipients.push_back(std::move(out));
  }
  send.body = to_bytes(request.body());
  return send;
}

void answer_send_multi(pb::Response& response, const Result<SendReceipt>& receipt,
                       const std::vector<DeviceMismatch>& mismatches) {
  if (receipt) return set_receipt(response, *receipt);
  set_error(response, receipt.code());
  if (receipt.code() != Errc::stale_devices) return;
  response.set_status(kStatusMultiStale);
  auto* stale = response.mutable_multi_stale_devices();
  for (const DeviceMismatch& m : mismatches) {
    auto* entry = stale->add_accounts();
    entry->set_account(to_string(m.account.bytes));
    fill_ids(m.missing, *entry->mutable_devices()->mutable_missing());
    fill_ids(m.extra, *entry->mutable_devices()->mutable_extra());
    fill_ids(m.stale, *entry->mutable_devices()->mutable_stale());
  }
}

void answer_send(pb::Response& response, const Result<SendReceipt>& receipt,
                 const std::vector<DeviceMismatch>& mismatches, const AccountId& recipient, bool multi) {
  if (multi) {
    answer_send_multi(response, receipt, mismatches);
    if (!receipt && receipt.code() == Errc::stale_devices) response.set_status(410);  // a 1:1 send's status
    return;
  }
  if (receipt) return set_receipt(response, *receipt);
  set_error(response, receipt.code());
  if (receipt.code() != Errc::stale_devices) return;
  for (const DeviceMismatch& mismatch : mismatches) {
    if (mismatch.account != recipient) continue;  // without sync copies only the recipient is checked
    auto* stale = response.mutable_stale_devices();
    fill_ids(mismatch.missing, *stale->mutable_missing());
    fill_ids(mismatch.extra, *stale->mutable_extra());
    fill_ids(mismatch.stale, *stale->mutable_stale());
  }
}

void handle_send_multi(HandlerContext& ctx, const pb::SendMultiRequest& request, pb::Response& response) {
  auto send = parse_send_multi(ctx.caller, request);
  if (!send) return set_error(response, send.code());
  std::vector<DeviceMismatch> mismatches;
  answer_send_multi(response, ctx.services.messages.send_multi(*send, mismatches), mismatches);
}

void handle_send_message(HandlerContext& ctx, const pb::SendMessageRequest& request, pb::Response& response) {
  auto send = parse_send(ctx.caller, request);
  if (!send) return set_error(response, send.code());
  std::vector<DeviceMismatch> mismatches;
  answer_send(response, ctx.services.messages.send(*send, mismatches), mismatches, send->recipient,
              multi_stale_answer(request));
  if (request.bundles_on_stale() && response.status() == 410) add_stale_bundles(ctx, response);
}

void handle_ack(HandlerContext& ctx, const pb::AckRequest& request, pb::Response& response) {
  auto seqs = parse_ack(request);
  if (!seqs) return set_error(response, seqs.code());
  if (seqs->empty()) return set_error(response, Errc::not_found);  // seq 0 names no row
  const bool batch = request.seqs_size() > 0;
  for (Seq seq : *seqs) {
    const Status acked = ctx.services.messages.ack(ctx.caller, seq);
    // In a batch a row already gone is acknowledged (a redelivery acked twice).
    if (!acked && !(batch && acked.code() == Errc::not_found)) return set_error(response, acked.code());
  }
  set_ok(response);
}

Bytes envelope_frame(Seq seq, const DeviceAddress& sender, const MessageId& message_id, Timestamp server_time,
                     std::uint32_t type, ByteView body) {
  pb::ServerFrame frame;
  auto* envelope = frame.mutable_envelope();
  envelope->set_seq(raw(seq));
  envelope->set_sender_account(to_string(sender.account.bytes));
  envelope->set_sender_device(raw(sender.device));
  envelope->set_server_timestamp_ms(to_millis(server_time));
  envelope->set_type(type);
  envelope->set_content(to_string(body));
  envelope->set_message_id(to_string(message_id));
  Bytes bytes(frame.ByteSizeLong());
  frame.SerializeWithCachedSizesToArray(bytes.data());
  return bytes;
}

Result<std::vector<EnvelopeFrame>> Api::pending(const DeviceAddress& device, std::uint64_t after, std::size_t max) {
  HUSH_TRY_ASSIGN(auto queued, s_.messages.pending(device, Seq{after}, std::min(max, kMaxPendingPage)));
  std::vector<EnvelopeFrame> out;
  out.reserve(queued.size());
  for (const auto& q : queued) {
    out.push_back(EnvelopeFrame{raw(q.seq), envelope_frame(q.seq, q.sender, q.message_id, q.server_time, q.type, q.body)});
  }
  return out;
}

}  // namespace hush::server::api
