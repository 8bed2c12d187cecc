// Handlers of the mailbox requests: send a message (one ciphertext per
// recipient device; stale device lists answered with the difference), ack a
// delivered envelope, and the envelope frames pushed from a device's queue.
// Ciphertexts pass through untouched: the server cannot read them.
#include "api/handlers.hpp"

#include <algorithm>

namespace hush::server::api {
namespace {

void fill_ids(const std::vector<DeviceId>& ids, google::protobuf::RepeatedField<std::uint32_t>& out) {
  for (auto id : ids) out.Add(raw(id));
}

Result<SendRequest> parse_send(const DeviceAddress& caller, const pb::SendMessageRequest& request) {
  HUSH_TRY_ASSIGN(auto recipient, AccountId::from_bytes(hush::as_bytes(request.destination())));
  SendRequest send{caller, recipient, {}, {}};
  if (request.message_id().size() != send.message_id.size()) return make_error(Errc::bad_length, "message id");
  std::copy(request.message_id().begin(), request.message_id().end(), send.message_id.begin());
  send.copies.reserve(static_cast<std::size_t>(request.messages_size()));
  for (const auto& m : request.messages()) {
    send.copies.push_back(
        OutgoingCopy{DeviceId{m.device_id()}, RegistrationId{m.registration_id()}, m.type(), to_bytes(m.ciphertext())});
  }
  return send;
}

}  // namespace

void handle_send_message(HandlerContext& ctx, const pb::SendMessageRequest& request, pb::Response& response) {
  auto send = parse_send(ctx.caller, request);
  if (!send) return set_error(response, send.code());
  DeviceMismatch mismatch;
  auto receipt = ctx.services.messages.send(*send, mismatch);
  if (!receipt) {
    set_error(response, receipt.code());
    if (receipt.code() == Errc::stale_devices) {
      auto* stale = response.mutable_stale_devices();
      fill_ids(mismatch.missing, *stale->mutable_missing());
      fill_ids(mismatch.extra, *stale->mutable_extra());
      fill_ids(mismatch.stale, *stale->mutable_stale());
    }
    return;
  }
  set_ok(response);
  auto* body = response.mutable_send_message();
  body->set_duplicate(receipt->duplicate);
  body->set_server_timestamp_ms(to_millis(receipt->server_time));
}

void handle_ack(HandlerContext& ctx, const pb::AckRequest& request, pb::Response& response) {
  const Status acked = ctx.services.messages.ack(ctx.caller, Seq{request.seq()});
  if (!acked) return set_error(response, acked.code());
  set_ok(response);
}

Result<std::vector<EnvelopeFrame>> Api::pending(const DeviceAddress& device, std::uint64_t after, std::size_t max) {
  HUSH_TRY_ASSIGN(auto queued, s_.messages.pending(device, Seq{after}, std::min(max, kMaxPendingPage)));
  std::vector<EnvelopeFrame> out;
  out.reserve(queued.size());
  pb::ServerFrame frame;
  for (const auto& q : queued) {
    auto* envelope = frame.mutable_envelope();
    envelope->set_seq(raw(q.seq));
    envelope->set_sender_account(to_string(q.sender.account.bytes));
    envelope->set_sender_device(raw(q.sender.device));
    envelope->set_server_timestamp_ms(to_millis(q.server_time));
    envelope->set_type(q.type);
    envelope->set_content(to_string(q.body));
    envelope->set_message_id(to_string(q.message_id));
    Bytes bytes(frame.ByteSizeLong());
    frame.SerializeWithCachedSizesToArray(bytes.data());
    out.push_back(EnvelopeFrame{raw(q.seq), std::move(bytes)});
  }
  return out;
}

}  // namespace hush::server::api
