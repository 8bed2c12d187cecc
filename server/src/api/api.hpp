// The api layer's face: turns request bytes (a WebSocket frame, the
// registration body, an Authorization header) into one service call each and
// the result into response bytes. Knows the wire schema (proto/service.proto)
// and the services; knows nothing of sockets. Generated code stays inside.
#pragma once

#include "service/account_service.hpp"
#include "service/key_service.hpp"
#include "service/message_service.hpp"

#include <hush/util/bytes.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hush::server::api {

/// The services the handlers call; all must outlive the Api.
struct Services {
  AccountService& accounts;
  KeyService& keys;
  MessageService& messages;
};

/// A serialized ServerFrame with the facts the caller may log (never the body).
struct FrameResult {
  Bytes frame;
  std::uint32_t status = 0;
  std::string_view kind = "";  ///< request type name, static storage
};

/// An HTTP answer: status and a serialized RegisterResponse or HttpError.
struct HttpResult {
  unsigned status = 500;
  std::string content_type = "application/x-protobuf";
  std::string body;
};

/// A pushed envelope, serialized as a ServerFrame.
struct EnvelopeFrame {
  std::uint64_t seq = 0;
  Bytes frame;
};

class Api {
 public:
  explicit Api(Services services) noexcept : s_(services) {}

  /// Checks `Authorization: Basic base64(account_hex.device_id:credential_base64)`.
  /// The device on success; nullopt when malformed or wrong (not told apart).
  std::optional<DeviceAddress> authenticate(std::string_view authorization);

  /// Parses a ClientFrame, runs its one handler, returns the Response frame.
  /// A frame that does not parse, or names no known request, gets status 400.
  FrameResult handle_frame(const DeviceAddress& caller, ByteView frame);

  /// `POST /v1/register`: a new account (username) or a linked device (token).
  HttpResult register_device(ByteView body, std::string_view client_address);

  /// Up to `max` envelopes for `device` with seq > `after`, in seq order.
  Result<std::vector<EnvelopeFrame>> pending(const DeviceAddress& device, std::uint64_t after, std::size_t max);

 private:
  Services s_;
};

/// "account_hex.device_id": the routing and log id of a device (not secret).
std::string peer_id(const DeviceAddress& device);
/// The inverse of peer_id. decode_error when malformed.
Result<DeviceAddress> parse_peer_id(std::string_view id);

}  // namespace hush::server::api
