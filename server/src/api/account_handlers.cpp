// Handlers of the account requests on the WebSocket (list devices, link
// token, remove device, username lookup) and of `POST /v1/register`, which
// creates an account or links a device together with its first keys in one
// transaction. Every key is parsed and the signed pre-key verified first.
#include "api/handlers.hpp"

#include <hush/service/registration_proof.hpp>

namespace hush::server::api {

void handle_list_devices(HandlerContext& ctx, const pb::ListDevicesRequest& /*request*/, pb::Response& response) {
  auto devices = ctx.services.accounts.devices(ctx.caller.account);
  if (!devices) return set_error(response, devices.code());
  set_ok(response);
  auto* body = response.mutable_devices();
  for (const auto& d : *devices) {
    auto* info = body->add_devices();
    info->set_device_id(raw(d.id));
    info->set_registration_id(raw(d.registration_id));
    info->set_created_at_ms(to_millis(d.created_at));
  }
}

void handle_create_link_token(HandlerContext& ctx, const pb::CreateLinkTokenRequest& /*request*/,
                              pb::Response& response) {
  auto grant = ctx.services.accounts.create_link_token(ctx.caller);
  if (!grant) return set_error(response, grant.code());
  set_ok(response);
  auto* body = response.mutable_link_token();
  body->set_token(to_hex(grant->token.expose()));
  body->set_expires_at_ms(to_millis(grant->expires_at));
}

void handle_remove_device(HandlerContext& ctx, const pb::RemoveDeviceRequest& request, pb::Response& response) {
  const DeviceAddress target{ctx.caller.account, DeviceId{request.device_id()}};
  const Status removed = ctx.services.accounts.remove_device(ctx.caller, target.device);
  if (!removed) return set_error(response, removed.code());
  // Its credential is gone; its open sessions must not outlive it.
  if (ctx.services.connections != nullptr) ctx.services.connections->disconnect(target);
  set_ok(response);
}

void handle_lookup_username(HandlerContext& ctx, const pb::LookupUsernameRequest& request, pb::Response& response) {
  auto account = ctx.services.accounts.lookup_username(ctx.caller, request.username());
  if (!account) return set_error(response, account.code());
  set_ok(response);
  response.mutable_lookup_username()->set_account_id(to_string(account->id.bytes));
}

namespace {

HttpResult http_error(Errc code) {
  pb::HttpError error;
  error.set_status(status_for(code));
  error.set_message(std::string(status_message(code)));
  return HttpResult{status_for(code), "application/x-protobuf", error.SerializeAsString()};
}

/// Everything in a RegisterRequest that can be checked without the store:
/// every key parses and the signed pre-key's and Kyber pre-keys' signatures
/// verify (the Kyber ones are optional: see service.proto).
Result<DeviceKeys> parse_keys(const pb::RegisterRequest& request) {
  if (!request.has_signed_pre_key()) return make_error(Errc::invalid_argument, "signed pre-key missing");
  HUSH_TRY_ASSIGN(auto spk, parse_signed_pre_key(request.signed_pre_key()));
  HUSH_TRY_ASSIGN(auto one_time, parse_one_time_pre_keys(request.one_time_pre_keys()));
  std::optional<KyberPreKeyUpload> last_resort;
  if (request.has_last_resort_kyber_pre_key()) last_resort = to_kyber_upload(request.last_resort_kyber_pre_key());
  HUSH_TRY_ASSIGN(auto kyber, parse_kyber_pre_keys(request.kyber_pre_keys()));
  return KeyService::validate_device_keys(hush::as_bytes(request.identity_key()), spk, one_time, last_resort, kyber);
}

/// The proof of possession the request carries, with the exact message its
/// signature must cover (docs/server/api.md, "Proof of possession").
RegistrationProof proof_of(const pb::RegisterRequest& request) {
  const bool link = !request.link_token().empty();
  const auto kind = link                                ? service::RegistrationKind::link
                    : !request.recovery_code().empty() ? service::RegistrationKind::recovery
                                                       : service::RegistrationKind::new_account;
  RegistrationProof proof;
  proof.challenge.assign(request.challenge().begin(), request.challenge().end());
  proof.signature.assign(request.proof().begin(), request.proof().end());
  proof.message = service::registration_proof_message(
      kind, proof.challenge, link ? request.link_token() : request.username(), request.registration_id(),
      hush::as_bytes(request.identity_key()), request.signed_pre_key().id(),
      hush::as_bytes(request.signed_pre_key().public_key()));
  return proof;
}

/// Creates the account or linked device together with its keys, atomically.
Result<DeviceEnrollment> enroll(Services& s, const pb::RegisterRequest& request, DeviceKeys keys,
                                std::string_view client_address) {
  const RegistrationId registration_id{request.registration_id()};
  const RegistrationProof proof = proof_of(request);
  if (request.link_token().empty() && !request.recovery_code().empty()) {
    return s.accounts.recover_account(request.username(), hush::as_bytes(request.recovery_code()), registration_id,
                                      client_address, std::move(keys), &proof);
  }
  if (request.link_token().empty()) {
    return s.accounts.register_account(request.username(), registration_id, client_address, std::move(keys), &proof);
  }
  if (!request.recovery_code().empty()) return make_error(Errc::invalid_argument, "recovery code with link token");
  if (!request.username().empty()) return make_error(Errc::invalid_argument, "username with link token");
  HUSH_TRY_ASSIGN(auto token, from_hex(request.link_token()));
  return s.accounts.link_device(token, registration_id, client_address, std::move(keys), &proof);
}

}  // namespace

HttpResult Api::register_challenge() {
  const IssuedChallenge issued = s_.accounts.issue_challenge();
  pb::RegisterChallenge answer;
  answer.set_challenge(to_string(issued.challenge));
  answer.set_expires_at_ms(static_cast<std::uint64_t>(to_millis(issued.expires_at)));
  return HttpResult{200, "application/x-protobuf", answer.SerializeAsString()};
}

HttpResult Api::register_device(ByteView body, std::string_view client_address) {
  pb::RegisterRequest request;
  if (!request.ParseFromArray(body.data(), static_cast<int>(body.size()))) return http_error(Errc::decode_error);
  auto keys = parse_keys(request);
  if (!keys) return http_error(keys.code());
  auto enrollment = enroll(s_, request, std::move(*keys), client_address);
  if (!enrollment) return http_error(enrollment.code());

  // A recovery's removed devices lose their credentials now; their open
  // sessions, on whichever node, must not outlive them.
  if (s_.connections != nullptr) {
    for (DeviceId gone : enrollment->removed) s_.connections->disconnect(DeviceAddress{enrollment->address.account, gone});
  }

  pb::RegisterResponse response;
  response.set_account_id(to_string(enrollment->address.account.bytes));
  response.set_device_id(raw(enrollment->address.device));
  response.set_credential(to_string(enrollment->credential.expose()));
  if (enrollment->recovery_code) response.set_recovery_code(to_string(enrollment->recovery_code->expose()));
  HttpResult result{200, "application/x-protobuf", response.SerializeAsString()};
  // The serialized copy in `result` is the one that leaves; wipe the message's.
  secure_wipe(response.mutable_credential()->data(), response.credential().size());
  secure_wipe(response.mutable_recovery_code()->data(), response.recovery_code().size());
  return result;
}

}  // namespace hush::server::api
