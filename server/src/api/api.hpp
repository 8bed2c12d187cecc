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
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hush::server::api {

/// What became of a provisioning message handed to forward_provisioning.
enum class ProvisioningOutcome {
  delivered,          ///< a socket waiting at the address (here or on another node) took it
  not_found,          ///< no socket waits there (unknown, expired, closed or already used)
  relay_unavailable,  ///< not waiting here, and the relay to other nodes (Redis) is down
};

/// What the handlers ask of the live connections (app/ implements it over
/// net::Server). Both calls are thread-safe.
class Connections {
 public:
  virtual ~Connections() = default;
  /// Closes every live session of `device` (it was just removed).
  virtual void disconnect(const DeviceAddress& device) noexcept = 0;
  /// Hands `frame` to the provisioning socket waiting at `address`, which
  /// sends it and closes; on a cluster the socket may wait on another node
  /// (relayed through Redis: this call may wait a bounded time for the
  /// answer, so it is made from the service pool, never an I/O thread).
  virtual ProvisioningOutcome forward_provisioning(const std::string& address, Bytes frame) noexcept = 0;
};

/// The services the handlers call; all must outlive the Api.
struct Services {
  AccountService& accounts;
  KeyService& keys;
  MessageService& messages;
  /// Null: no live connections (tests); provisioning is then unavailable.
  Connections* connections = nullptr;
};

/// A provisioning message is small (keys, a link token, account data);
/// 64 KiB leaves room and bounds what one socket can be handed.
inline constexpr std::size_t kMaxProvisioningCiphertext = 64 * 1024;

/// An envelope for another device, made when the send holding it committed:
/// the caller hands it to that device's live sessions instead of having them
/// read it back from the mailbox (which still holds it until it is acked).
struct DirectPush {
  std::string peer;  ///< peer_id of the recipient device
  std::uint64_t seq = 0;
  Bytes frame;  ///< a serialized ServerFrame with the Envelope
};

/// A serialized ServerFrame with the facts the caller may log (never the body).
struct FrameResult {
  Bytes frame;
  std::uint32_t status = 0;
  std::string_view kind = "";  ///< request type name, static storage
  /// Set by a completion whose answer needs blocking work (a stale send's
  /// pre-key bundles, issue #16): the caller runs it off the I/O and writer
  /// threads and sends what it returns instead (`frame` is then empty).
  std::function<FrameResult()> finish_blocking{};
  /// A DrainRequest's answer: to be sent only after a mailbox read begun
  /// after the request reached the end of the caller's mailbox.
  bool after_mailbox_read = false;
};

/// Completion of Api::handle_frame_async: the response and, for a 1:1 send,
/// the envelopes of the rows it created. Runs once, on the Store's writer
/// thread or on the calling thread; must not block.
using FrameDone = std::function<void(FrameResult result, std::vector<DirectPush> pushes)>;

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

  /// The mailbox writes (send_message, send_multi, ack) without blocking the
  /// calling thread: parses the frame here, and `done` gets the response
  /// once the write committed. A 1:1 send's completion gets the envelopes of
  /// the rows it created (`pushes`); the DeliveryListener is not told about
  /// them, so the caller must hand them on. Returns false, without calling
  /// `done`, for every other frame (including one that does not parse):
  /// the caller then uses handle_frame, off the I/O threads.
  bool handle_frame_async(const DeviceAddress& caller, ByteView frame, FrameDone done);

  /// `POST /v1/register`: a new account (username) or a linked device (token).
  HttpResult register_device(ByteView body, std::string_view client_address);
  /// `POST /v1/register/challenge`: a RegisterChallenge for the proof of possession.
  HttpResult register_challenge();

  /// The first frame of a provisioning socket (a ProvisioningFrame with the
  /// socket's address). Pure serialization.
  static Bytes provisioning_address_frame(std::string_view address, std::int64_t expires_at_ms);

  /// A ServerFrame telling a device how many one-time pre-keys (EC and
  /// Kyber) it has left. Pure serialization.
  static Bytes pre_keys_low_frame(PreKeyCounts left);

  /// A ServerFrame saying the mailbox drain reached its end. Pure serialization.
  static Bytes queue_empty_frame();

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
