// The glue between layers that must not know each other: net::Application
// implemented over api::Api (peer ids are api::peer_id strings), the
// DeliveryListener that turns "new mail for a device" into a push wake-up,
// and api::Connections (disconnect a removed device, provisioning relay).
#pragma once

#include "api/api.hpp"
#include "api/wake_ups.hpp"
#include "cluster/redis_bus.hpp"
#include "net/application.hpp"
#include "net/server.hpp"
#include "service/abuse_metrics.hpp"
#include "service/delivery_listener.hpp"
#include "service/pre_key_listener.hpp"

#include <atomic>
#include <chrono>
#include <string>

namespace hush::server::app {

/// The cross-node wake-up hook: counts the mail committed for devices with
/// no session here (shown at /metrics) and, with a Redis bus attached
/// (`redis` in the configuration, ADR 0007), publishes a wake-up to the node
/// that holds the device. Without a bus, or while it is down, sessions on
/// other nodes find the mail by their mailbox poll.
class ClusterWakeUps final : public api::WakeUps {
 public:
  void attach(cluster::RedisBus* bus) noexcept { bus_.store(bus); }
  void notify(const DeviceAddress& device) noexcept override;
  [[nodiscard]] std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  /// The bus's counters as /metrics lines ("" without a bus).
  [[nodiscard]] std::string render_bus() const;

 private:
  std::atomic<std::uint64_t> count_{0};
  std::atomic<cluster::RedisBus*> bus_{nullptr};
};

class ApiApplication final : public net::Application {
 public:
  /// `abuse` (optional): the service limits' counters, shown at /metrics.
  /// `wake_ups` (optional): told of mail no session of this node took.
  ApiApplication(api::Api& api, std::string backend, const AbuseMetrics* abuse = nullptr,
                 ClusterWakeUps* wake_ups = nullptr)
      : api_(api), backend_(std::move(backend)), abuse_(abuse), wake_ups_(wake_ups) {}

  std::optional<net::Peer> authenticate(std::string_view authorization) override;
  net::FrameReply handle_frame(const net::Peer& peer, ByteView frame) override;
  bool handle_frame_async(const net::Peer& peer, ByteView frame, const net::FrameDone& done) override;
  std::vector<net::PendingFrame> fetch_pending(const net::Peer& peer, std::uint64_t after_seq,
                                               std::size_t max) override;
  net::HttpReply register_device(ByteView body, std::string_view remote) override;
  net::HttpReply register_challenge() override;
  Bytes provisioning_address_frame(std::string_view address, std::int64_t expires_at_ms) override;
  Bytes queue_empty_frame() override;
  std::string extra_metrics() override;
  void mail_not_held(const net::Peer& peer) noexcept override;

 private:
  api::Api& api_;
  std::string backend_;
  const AbuseMetrics* abuse_;
  ClusterWakeUps* wake_ups_;
};

/// Pushes a PreKeysLow frame to the live sessions of a device whose
/// one-time pre-keys (EC or Kyber) run low, so its client uploads more. The server is
/// attached after construction.
class PreKeyNotifier final : public PreKeyListener {
 public:
  void attach(net::Server* server) noexcept { server_.store(server); }
  void on_pre_keys_low(const DeviceAddress& device, PreKeyCounts left) noexcept override;

 private:
  std::atomic<net::Server*> server_{nullptr};
};

/// Wakes the connected sessions of a device when MessageService stored mail
/// for it. The server is attached after construction (it needs the services).
/// A device with no session here goes to the cross-node hook (`wake_ups`).
class PushNotifier final : public DeliveryListener {
 public:
  explicit PushNotifier(api::WakeUps* wake_ups = nullptr) noexcept : wake_ups_(wake_ups) {}
  void attach(net::Server* server) noexcept { server_.store(server); }
  void on_new_mail(const DeviceAddress& device, Seq seq) noexcept override;

 private:
  std::atomic<net::Server*> server_{nullptr};
  api::WakeUps* wake_ups_;
};

/// The api's view of the live connections, over net::Server. The server is
/// attached after construction (it needs the api); before that, and after
/// detaching, there are no connections to act on.
/// How long a provisioning relay waits for Redis to say whether a node took
/// the message: a round trip is a millisecond; past this Redis is as good as
/// down, and the sender hears 503 and retries.
inline constexpr std::chrono::milliseconds kProvisioningRelayTimeout{2000};

class LiveConnections final : public api::Connections {
 public:
  void attach(net::Server* server) noexcept { server_.store(server); }
  /// With a bus, a removed device's sessions on every other node close too,
  /// and a provisioning message for a new device waiting on another node is
  /// relayed there.
  void attach_bus(cluster::RedisBus* bus) noexcept { bus_.store(bus); }
  void disconnect(const DeviceAddress& device) noexcept override;
  /// Here first; else, with a bus, through Redis, waiting up to
  /// kProvisioningRelayTimeout for the answer (called on the service pool).
  api::ProvisioningOutcome forward_provisioning(const std::string& address, Bytes frame) noexcept override;

 private:
  std::atomic<net::Server*> server_{nullptr};
  std::atomic<cluster::RedisBus*> bus_{nullptr};
};

}  // namespace hush::server::app
