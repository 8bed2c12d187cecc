// The provisioning relay's api side: ProvisionDeviceRequest (an
// authenticated device hands an opaque ciphertext to a new device's
// provisioning socket) and the address frame that socket starts with.
// Nothing is stored and the ciphertext is never logged.
#include "api/handlers.hpp"

namespace hush::server::api {
namespace {

/// Addresses are 32 lower-case hex characters (net/provisioning_session.cpp).
constexpr std::size_t kProvisioningAddressLength = 32;
/// The 503's message when the cross-node relay is down (docs/server/api.md).
constexpr std::string_view kRelayUnavailable = "provisioning_relay_unavailable";

bool valid_address(const std::string& address) {
  if (address.size() != kProvisioningAddressLength) return false;
  for (char c : address) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

void handle_provision_device(HandlerContext& ctx, const pb::ProvisionDeviceRequest& request, pb::Response& response) {
  if (!valid_address(request.address())) return set_error(response, Errc::invalid_argument);
  if (request.ciphertext().empty() || request.ciphertext().size() > kMaxProvisioningCiphertext) {
    return set_error(response, Errc::bad_length);
  }
  if (ctx.services.connections == nullptr) return set_error(response, Errc::unavailable);
  pb::ProvisioningFrame frame;
  frame.mutable_message()->set_ciphertext(request.ciphertext());
  Bytes bytes(frame.ByteSizeLong());
  frame.SerializeWithCachedSizesToArray(bytes.data());
  switch (ctx.services.connections->forward_provisioning(request.address(), std::move(bytes))) {
    case ProvisioningOutcome::delivered:
      return set_ok(response);
    case ProvisioningOutcome::not_found:
      return set_error(response, Errc::not_found);
    case ProvisioningOutcome::relay_unavailable:
      // Not "not found": the new device may well wait on another node, which
      // cannot be asked now; the sender should retry (docs/server/api.md).
      set_error(response, Errc::unavailable);
      return response.set_message(std::string(kRelayUnavailable));
  }
}

Bytes Api::provisioning_address_frame(std::string_view address, std::int64_t expires_at_ms) {
  pb::ProvisioningFrame frame;
  auto* body = frame.mutable_address();
  body->set_address(std::string(address));
  body->set_expires_at_ms(expires_at_ms);
  Bytes bytes(frame.ByteSizeLong());
  frame.SerializeWithCachedSizesToArray(bytes.data());
  return bytes;
}

}  // namespace hush::server::api
