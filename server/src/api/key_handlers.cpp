// Handlers of the pre-key directory requests: upload keys (identity key,
// signed pre-key, one-time pre-keys, Kyber pre-keys), pre-key count, fetch
// bundles. Keys are parsed (and, in the service, verified) before anything
// is stored, so a malformed one changes nothing.
#include "api/handlers.hpp"

namespace hush::server::api {

Result<SignedPreKeyUpload> parse_signed_pre_key(const pb::SignedPreKey& key) {
  HUSH_TRY(crypto::PublicKey::deserialize(hush::as_bytes(key.public_key())));
  if (key.signature().size() != crypto::kSignatureSize) return make_error(Errc::bad_length, "signature size");
  return SignedPreKeyUpload{key.id(), to_bytes(key.public_key()), to_bytes(key.signature())};
}

Result<std::vector<OneTimePreKeyUpload>> parse_one_time_pre_keys(
    const google::protobuf::RepeatedPtrField<pb::OneTimePreKey>& keys) {
  if (static_cast<std::size_t>(keys.size()) > kMaxOneTimePreKeysPerUpload) {
    return make_error(Errc::invalid_argument, "too many one-time pre-keys");
  }
  std::vector<OneTimePreKeyUpload> out;
  out.reserve(static_cast<std::size_t>(keys.size()));
  for (const auto& k : keys) {
    HUSH_TRY(crypto::PublicKey::deserialize(hush::as_bytes(k.public_key())));
    out.push_back(OneTimePreKeyUpload{k.id(), to_bytes(k.public_key())});
  }
  return out;
}

KyberPreKeyUpload to_kyber_upload(const pb::KyberPreKey& key) {
  return KyberPreKeyUpload{key.id(), to_bytes(key.public_key()), to_bytes(key.signature())};
}

Result<std::vector<KyberPreKeyUpload>> parse_kyber_pre_keys(
    const google::protobuf::RepeatedPtrField<pb::KyberPreKey>& keys) {
  if (static_cast<std::size_t>(keys.size()) > kMaxKyberPreKeysPerUpload) {
    return make_error(Errc::invalid_argument, "too many kyber pre-keys");
  }
  std::vector<KyberPreKeyUpload> out;
  out.reserve(static_cast<std::size_t>(keys.size()));
  for (const auto& k : keys) out.push_back(to_kyber_upload(k));
  return out;
}

void handle_upload_keys(HandlerContext& ctx, const pb::UploadKeysRequest& request, pb::Response& response) {
  KeyUpload upload;
  upload.identity_key = to_bytes(request.identity_key());
  if (request.has_signed_pre_key()) {
    auto parsed = parse_signed_pre_key(request.signed_pre_key());
    if (!parsed) return set_error(response, parsed.code());
    upload.signed_pre_key = std::move(*parsed);
  }
  auto one_time = parse_one_time_pre_keys(request.one_time_pre_keys());
  if (!one_time) return set_error(response, one_time.code());
  upload.one_time_pre_keys = std::move(*one_time);
  if (request.has_last_resort_kyber_pre_key()) {
    upload.last_resort_kyber_pre_key = to_kyber_upload(request.last_resort_kyber_pre_key());
  }
  auto kyber = parse_kyber_pre_keys(request.kyber_pre_keys());
  if (!kyber) return set_error(response, kyber.code());
  upload.kyber_pre_keys = std::move(*kyber);

  const Status uploaded = ctx.services.keys.upload_keys(ctx.caller, upload);
  if (!uploaded) return set_error(response, uploaded.code());
  set_ok(response);
}

void handle_pre_key_count(HandlerContext& ctx, const pb::PreKeyCountRequest& /*request*/, pb::Response& response) {
  // The ids say which keys were handed out (docs/protocol.md §7.8): the
  // device prunes the private keys of those after a grace period.
  auto ids = ctx.services.keys.held_one_time_pre_key_ids(ctx.caller);
  if (!ids) return set_error(response, ids.code());
  auto kyber_ids = ctx.services.keys.held_kyber_pre_key_ids(ctx.caller);
  if (!kyber_ids) return set_error(response, kyber_ids.code());
  set_ok(response);
  auto* body = response.mutable_pre_key_count();
  body->set_count(static_cast<std::uint32_t>(ids->size()));
  for (std::uint32_t id : *ids) body->add_held_ids(id);
  body->set_kyber_count(static_cast<std::uint32_t>(kyber_ids->size()));
  for (std::uint32_t id : *kyber_ids) body->add_kyber_held_ids(id);
}

namespace {

Result<AccountId> resolve_target(HandlerContext& ctx, const pb::FetchBundlesRequest& request) {
  switch (request.target_case()) {
    case pb::FetchBundlesRequest::kUsername: {
      HUSH_TRY_ASSIGN(auto account, ctx.services.accounts.find_by_username(request.username()));
      return account.id;
    }
    case pb::FetchBundlesRequest::kAccountId:
      return AccountId::from_bytes(hush::as_bytes(request.account_id()));
    case pb::FetchBundlesRequest::TARGET_NOT_SET:
      break;
  }
  return make_error(Errc::invalid_argument, "bundle target");
}

}  // namespace

void fill_bundle(const PreKeyBundle& bundle, pb::DeviceBundle& out) {
  out.set_device_id(raw(bundle.device));
  out.set_registration_id(raw(bundle.registration_id));
  auto* spk = out.mutable_signed_pre_key();
  spk->set_id(bundle.signed_pre_key.id);
  spk->set_public_key(to_string(bundle.signed_pre_key.public_key.serialize()));
  spk->set_signature(to_string(bundle.signed_pre_key.signature));
  if (bundle.one_time_pre_key) {
    auto* otpk = out.mutable_one_time_pre_key();
    otpk->set_id(bundle.one_time_pre_key->id);
    otpk->set_public_key(to_string(bundle.one_time_pre_key->public_key.serialize()));
  }
  if (bundle.kyber_pre_key) {
    auto* kyber = out.mutable_kyber_pre_key();
    kyber->set_id(bundle.kyber_pre_key->id);
    kyber->set_public_key(to_string(bundle.kyber_pre_key->public_key));
    kyber->set_signature(to_string(bundle.kyber_pre_key->signature));
  }
}

Bytes Api::pre_keys_low_frame(PreKeyCounts left) {
  pb::ServerFrame frame;
  auto* low = frame.mutable_pre_keys_low();
  low->set_count(static_cast<std::uint32_t>(std::min<std::size_t>(left.ec, UINT32_MAX)));
  low->set_kyber_count(static_cast<std::uint32_t>(std::min<std::size_t>(left.kyber, UINT32_MAX)));
  return to_bytes(as_bytes(frame.SerializeAsString()));
}

Bytes Api::queue_empty_frame() {
  pb::ServerFrame frame;
  frame.mutable_queue_empty();
  return to_bytes(as_bytes(frame.SerializeAsString()));
}

void handle_fetch_bundles(HandlerContext& ctx, const pb::FetchBundlesRequest& request, pb::Response& response) {
  auto account = resolve_target(ctx, request);
  if (!account) return set_error(response, account.code());
  std::optional<DeviceId> device;
  if (request.has_device_id()) device = DeviceId{request.device_id()};
  auto bundles = ctx.services.keys.fetch_bundles_for(ctx.caller, *account, device);
  if (!bundles) return set_error(response, bundles.code());
  set_ok(response);
  auto* body = response.mutable_bundles();
  body->set_account_id(to_string(account->bytes));
  if (!bundles->empty()) body->set_identity_key(to_string(bundles->front().identity_key.serialize()));
  for (const auto& b : *bundles) fill_bundle(b, *body->add_bundles());
}

}  // namespace hush::server::api
