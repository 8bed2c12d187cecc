// Handlers of the account requests on the WebSocket (list devices, link
// token, remove device, username lookup) and of `POST /v1/register`, which
// creates an account or links a device and stores its first keys. Every key
// is parsed and the signed pre-key verified before anything is created.
#include "api/handlers.hpp"

#include <hush/crypto/xeddsa.hpp>

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
  const Status removed = ctx.services.accounts.remove_device(ctx.caller, DeviceId{request.device_id()});
  if (!removed) return set_error(response, removed.code());
  set_ok(response);
}

void handle_lookup_username(HandlerContext& ctx, const pb::LookupUsernameRequest& request, pb::Response& response) {
  auto account = ctx.services.accounts.find_by_username(request.username());
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

/// The keys of a RegisterRequest, parsed and the signed pre-key verified.
struct RegisterKeys {
  SignedPreKeyUpload signed_pre_key;
  std::vector<OneTimePreKeyUpload> one_time;
};

/// Everything in a RegisterRequest that can be checked without the store.
Result<RegisterKeys> parse_keys(const pb::RegisterRequest& request) {
  HUSH_TRY_ASSIGN(auto identity, crypto::PublicKey::deserialize(hush::as_bytes(request.identity_key())));
  if (!request.has_signed_pre_key()) return make_error(Errc::invalid_argument, "signed pre-key missing");
  HUSH_TRY_ASSIGN(auto spk, parse_signed_pre_key(request.signed_pre_key()));
  if (!crypto::xeddsa_verify(identity, spk.public_key, spk.signature)) {
    return make_error(Errc::bad_signature, "signed pre-key signature");
  }
  HUSH_TRY_ASSIGN(auto one_time, parse_one_time_pre_keys(request.one_time_pre_keys()));
  return RegisterKeys{std::move(spk), std::move(one_time)};
}

Result<DeviceEnrollment> enroll(Services& s, const pb::RegisterRequest& request, std::string_view client_address) {
  const RegistrationId registration_id{request.registration_id()};
  if (request.link_token().empty()) {
    return s.accounts.register_account(request.username(), registration_id, client_address);
  }
  if (!request.username().empty()) return make_error(Errc::invalid_argument, "username with link token");
  HUSH_TRY_ASSIGN(auto token, from_hex(request.link_token()));
  return s.accounts.link_device(token, registration_id);
}

}  // namespace

HttpResult Api::register_device(ByteView body, std::string_view client_address) {
  pb::RegisterRequest request;
  if (!request.ParseFromArray(body.data(), static_cast<int>(body.size()))) return http_error(Errc::decode_error);
  auto keys = parse_keys(request);
  if (!keys) return http_error(keys.code());

  auto enrollment = enroll(s_, request, client_address);
  if (!enrollment) return http_error(enrollment.code());
  // The keys were checked above, so these fail only if storage does (or a
  // linked device brings an identity key other than its account's).
  const auto& device = enrollment->address;
  if (const Status set = s_.keys.set_keys(device, hush::as_bytes(request.identity_key()), keys->signed_pre_key); !set) {
    return http_error(set.code());
  }
  if (!keys->one_time.empty()) {
    if (const Status added = s_.keys.add_one_time_pre_keys(device, keys->one_time); !added) {
      return http_error(added.code());
    }
  }
  pb::RegisterResponse response;
  response.set_account_id(to_string(enrollment->address.account.bytes));
  response.set_device_id(raw(enrollment->address.device));
  response.set_credential(to_string(enrollment->credential.expose()));
  HttpResult result{200, "application/x-protobuf", response.SerializeAsString()};
  // The serialized copy in `result` is the one that leaves; wipe the message's.
  secure_wipe(response.mutable_credential()->data(), response.credential().size());
  return result;
}

}  // namespace hush::server::api
