// The frame dispatcher: parses a ClientFrame, hands its one request to its
// handler, serializes the Response. Also the authenticator of WebSocket
// upgrades. Malformed frames and unknown requests get status 400 and change
// nothing.
#include "api/api.hpp"

#include "api/auth.hpp"
#include "api/handlers.hpp"

namespace hush::server::api {

void set_error(pb::Response& response, Errc code) {
  response.set_status(status_for(code));
  response.set_message(std::string(status_message(code)));
}

void set_ok(pb::Response& response) {
  response.set_status(kStatusOk);
  response.clear_message();
}

std::optional<DeviceAddress> Api::authenticate(std::string_view authorization) {
  auto parsed = parse_basic_authorization(authorization);
  if (!parsed) return std::nullopt;
  if (!s_.accounts.authenticate(parsed->device, parsed->credential.expose())) return std::nullopt;
  return parsed->device;
}

namespace {

/// Runs the handler of `request`; returns the request type's name.
std::string_view dispatch(HandlerContext& ctx, const pb::ClientFrame& request, pb::Response& response) {
  using F = pb::ClientFrame;
  switch (request.request_case()) {
    case F::kUploadKeys:
      handle_upload_keys(ctx, request.upload_keys(), response);
      return "upload_keys";
    case F::kPreKeyCount:
      handle_pre_key_count(ctx, request.pre_key_count(), response);
      return "pre_key_count";
    case F::kFetchBundles:
      handle_fetch_bundles(ctx, request.fetch_bundles(), response);
      return "fetch_bundles";
    case F::kSendMessage:
      handle_send_message(ctx, request.send_message(), response);
      return "send_message";
    case F::kSendMulti:
      handle_send_multi(ctx, request.send_multi(), response);
      return "send_multi";
    case F::kAck:
      handle_ack(ctx, request.ack(), response);
      return "ack";
    case F::kListDevices:
      handle_list_devices(ctx, request.list_devices(), response);
      return "list_devices";
    case F::kCreateLinkToken:
      handle_create_link_token(ctx, request.create_link_token(), response);
      return "create_link_token";
    case F::kRemoveDevice:
      handle_remove_device(ctx, request.remove_device(), response);
      return "remove_device";
    case F::kLookupUsername:
      handle_lookup_username(ctx, request.lookup_username(), response);
      return "lookup_username";
    case F::kProvisionDevice:
      handle_provision_device(ctx, request.provision_device(), response);
      return "provision_device";
    case F::kDrain:
      set_ok(response);  // the session holds the answer back (FrameResult::after_mailbox_read)
      return "drain";
    case F::REQUEST_NOT_SET:
      break;
  }
  // A request type this server does not know (a newer client) or none at all.
  response.set_status(kStatusBadRequest);
  response.set_message("unknown_request");
  return "unknown";
}

}  // namespace

FrameResult Api::handle_frame(const DeviceAddress& caller, ByteView frame) {
  pb::ClientFrame request;
  pb::ServerFrame out;
  auto& response = *out.mutable_response();
  std::string_view kind = "malformed";
  bool drain = false;
  if (!request.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    set_error(response, Errc::decode_error);
  } else {
    response.set_id(request.id());
    HandlerContext ctx{s_, caller};
    kind = dispatch(ctx, request, response);
    drain = request.request_case() == pb::ClientFrame::kDrain;
  }
  Bytes bytes(out.ByteSizeLong());
  out.SerializeWithCachedSizesToArray(bytes.data());
  return FrameResult{std::move(bytes), response.status(), kind, {}, drain};
}

}  // namespace hush::server::api
