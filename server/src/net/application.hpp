// What the network layer asks of the rest of hushd. net/ moves bytes and
// knows nothing of SQL or of the protocol: it hands request bodies and frames
// to an Application (implemented by api/, wired by app/) and pushes what it
// returns. Every method may block; net calls them on the service thread pool,
// except handle_frame_async, which must not block and is called on an I/O
// thread.
#pragma once

#include <hush/util/bytes.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hush::server::net {

/// An HTTP answer produced by the application.
struct HttpReply {
  unsigned status = 500;
  std::string content_type = "application/x-protobuf";
  std::string body;
};

/// A frame for another peer's live sessions, produced by a request (the
/// envelope a committed send created). `seq` orders it among that peer's
/// pushes; the application's mailbox still holds it (fetch_pending finds it).
struct PeerPush {
  std::string peer;
  std::uint64_t seq = 0;
  Bytes frame;
};

/// The answer to one WebSocket frame: the serialized frame to send back, and
/// what net needs for logs and metrics (never the body).
struct FrameReply {
  Bytes frame;
  std::uint32_t status = 0;    ///< the status code carried in the frame
  std::string_view kind = "";  ///< the request type ("send_message"); static storage
  /// Set only by handle_frame_async's completion when the rest of the answer
  /// blocks: net runs it on the service pool and sends its reply instead.
  std::function<FrameReply()> finish_blocking{};
  /// Held back by the session until a mailbox read begun after the request
  /// reached the end of the mailbox (a DrainRequest: every envelope stored
  /// before it goes out ahead of this answer).
  bool after_mailbox_read = false;
};

/// Completion of Application::handle_frame_async, called once, from any
/// thread: the reply, and frames net hands to other peers' sessions (in place
/// of a wake-up that would make them read the mailbox).
using FrameDone = std::function<void(FrameReply reply, std::vector<PeerPush> pushes)>;

/// One message waiting in a device's mailbox, already serialized as a frame.
struct PendingFrame {
  std::uint64_t seq = 0;
  Bytes frame;
};

/// The opaque identity of an authenticated device. `id` routes pushes
/// (Server::notify and Server::disconnect take the same string) and is safe
/// to log.
struct Peer {
  std::string id;
};

class Application {
 public:
  virtual ~Application() = default;

  /// Checks an `Authorization` header value; the peer on success, nullopt
  /// for missing, malformed or wrong credentials.
  virtual std::optional<Peer> authenticate(std::string_view authorization) = 0;

  /// Handles one binary frame from `peer`; always returns a frame to send back
  /// (an error response when the frame does not parse).
  virtual FrameReply handle_frame(const Peer& peer, ByteView frame) = 0;

  /// Handles `frame` without blocking any thread: returns true and calls
  /// `done` (now or later, from any thread) with the reply; or returns false
  /// without calling it, and net runs handle_frame on the service pool.
  /// Called on an I/O thread: may parse, must not block. The default handles
  /// nothing asynchronously.
  virtual bool handle_frame_async(const Peer& /*peer*/, ByteView /*frame*/, const FrameDone& /*done*/) {
    return false;
  }

  /// Up to `max` messages for `peer` with seq > `after_seq`, in seq order.
  virtual std::vector<PendingFrame> fetch_pending(const Peer& peer, std::uint64_t after_seq, std::size_t max) = 0;

  /// `POST /v1/register`: `body` as received, `remote` the client address
  /// (for rate limiting).
  virtual HttpReply register_device(ByteView body, std::string_view remote) = 0;

  /// `POST /v1/register/challenge`: a one-time challenge for the proof of
  /// possession. Cheap (no storage): called on an I/O thread.
  virtual HttpReply register_challenge() = 0;

  /// The first frame of a provisioning socket: tells the new device its
  /// `address` and when the socket closes. Pure serialization: called on an
  /// I/O thread, must not block.
  virtual Bytes provisioning_address_frame(std::string_view address, std::int64_t expires_at_ms) = 0;

  /// The frame that follows a connection's first mailbox drain (everything
  /// stored when it began has been queued before it). Pure serialization:
  /// called on an I/O thread.
  virtual Bytes queue_empty_frame() = 0;

  /// Extra Prometheus text appended to /metrics (e.g. storage figures).
  virtual std::string extra_metrics() { return {}; }

  /// Committed mail for `peer` reached no session of this server (the
  /// device may be connected to another node sharing the database). Any
  /// thread; must not block or throw. The default does nothing.
  virtual void mail_not_held(const Peer& /*peer*/) noexcept {}
};

}  // namespace hush::server::net
