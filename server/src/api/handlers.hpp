// Internal to api/: one handler per request type. Each parses what it
// needs, calls one service, and fills the Response (status, message, body).
// Handlers never throw for bad input and never log; the caller logs status.
#pragma once

#include "api/api.hpp"
#include "api/status.hpp"

#include "service.pb.h"

namespace hush::server::api {

namespace pb = ::hush::service::v1;

/// The caller and the services a handler may use.
struct HandlerContext {
  Services& services;
  const DeviceAddress& caller;
};

/// Sets status and message for an error code (no body).
void set_error(pb::Response& response, Errc code);
/// Sets status 200 (the body, if any, is set by the handler).
void set_ok(pb::Response& response);

void handle_upload_keys(HandlerContext& ctx, const pb::UploadKeysRequest& request, pb::Response& response);
void handle_pre_key_count(HandlerContext& ctx, const pb::PreKeyCountRequest& request, pb::Response& response);
void handle_fetch_bundles(HandlerContext& ctx, const pb::FetchBundlesRequest& request, pb::Response& response);
void handle_send_message(HandlerContext& ctx, const pb::SendMessageRequest& request, pb::Response& response);
void handle_send_multi(HandlerContext& ctx, const pb::SendMultiRequest& request, pb::Response& response);
void handle_ack(HandlerContext& ctx, const pb::AckRequest& request, pb::Response& response);
void handle_list_devices(HandlerContext& ctx, const pb::ListDevicesRequest& request, pb::Response& response);
void handle_create_link_token(HandlerContext& ctx, const pb::CreateLinkTokenRequest& request,
                              pb::Response& response);
void handle_remove_device(HandlerContext& ctx, const pb::RemoveDeviceRequest& request, pb::Response& response);
void handle_lookup_username(HandlerContext& ctx, const pb::LookupUsernameRequest& request, pb::Response& response);
void handle_provision_device(HandlerContext& ctx, const pb::ProvisionDeviceRequest& request,
                             pb::Response& response);

/// The mailbox requests, parsed and bounded (message_handlers.cpp).
Result<SendRequest> parse_send(const DeviceAddress& caller, const pb::SendMessageRequest& request);
Result<MultiSendRequest> parse_send_multi(const DeviceAddress& caller, const pb::SendMultiRequest& request);
/// A send's answer from its outcome (`mismatches` read only on
/// stale_devices): `stale_devices` for the recipient's mismatch, or, when
/// `multi` (a send with sync copies or bundles_on_stale), status 410 with
/// `multi_stale_devices`, one entry per account, without bundles.
void answer_send(pb::Response& response, const Result<SendReceipt>& receipt,
                 const std::vector<DeviceMismatch>& mismatches, const AccountId& recipient, bool multi);
/// Whether a send's stale answer is multi_stale_devices / carries bundles.
[[nodiscard]] bool multi_stale_answer(const pb::SendMessageRequest& request);
/// Adds to a send's 410 multi_stale_devices answer the bundles of every
/// missing and stale device (blocking: it takes one-time pre-keys, with the
/// limits of a bundle fetch by the caller; a device whose fetch is refused
/// is left out and the client fetches it itself).
void add_stale_bundles(HandlerContext& ctx, pb::Response& response);
/// One device's pre-key bundle on the wire (key_handlers.cpp).
void fill_bundle(const PreKeyBundle& bundle, pb::DeviceBundle& out);
/// The seqs an AckRequest names (`seq` and `seqs`, zeros left out), or
/// invalid_argument for more than kMaxAckBatch.
Result<std::vector<Seq>> parse_ack(const pb::AckRequest& request);
/// Most envelopes one AckRequest acknowledges: ten drains' pages
/// (kMaxPendingPage); bounds one request's work in the writer.
inline constexpr std::size_t kMaxAckBatch = 1'000;
void answer_send_multi(pb::Response& response, const Result<SendReceipt>& receipt,
                       const std::vector<DeviceMismatch>& mismatches);
/// The ServerFrame carrying one pushed Envelope.
Bytes envelope_frame(Seq seq, const DeviceAddress& sender, const MessageId& message_id, Timestamp server_time,
                     std::uint32_t type, ByteView body);

/// Key material from the wire, parsed before any service call so a bad key
/// changes nothing. Errors: bad_length, bad_key.
Result<SignedPreKeyUpload> parse_signed_pre_key(const pb::SignedPreKey& key);
Result<std::vector<OneTimePreKeyUpload>> parse_one_time_pre_keys(
    const google::protobuf::RepeatedPtrField<pb::OneTimePreKey>& keys);
/// Kyber pre-keys from the wire, copied as they are (the service checks
/// them against the identity key). invalid_argument: more than
/// kMaxKyberPreKeysPerUpload.
KyberPreKeyUpload to_kyber_upload(const pb::KyberPreKey& key);
Result<std::vector<KyberPreKeyUpload>> parse_kyber_pre_keys(
    const google::protobuf::RepeatedPtrField<pb::KyberPreKey>& keys);

}  // namespace hush::server::api
