// ApiApplication, PushNotifier and LiveConnections (see wiring.hpp).
#include "app/wiring.hpp"

#include <fmt/format.h>

#include <future>
#include <memory>
#include <stdexcept>

namespace hush::server::app {

std::optional<net::Peer> ApiApplication::authenticate(std::string_view authorization) {
  auto device = api_.authenticate(authorization);
  if (!device) return std::nullopt;
  return net::Peer{api::peer_id(*device)};
}

net::FrameReply ApiApplication::handle_frame(const net::Peer& peer, ByteView frame) {
  auto device = api::parse_peer_id(peer.id);
  HUSH_CHECK(device.has_value());  // we made this id in authenticate()
  auto result = api_.handle_frame(*device, frame);
  return net::FrameReply{std::move(result.frame), result.status, result.kind, {}, result.after_mailbox_read};
}

// Sends, fan-outs and acks skip the service pool: they are answered from the
// group-commit writer (api/async_handlers.cpp), with the envelopes a 1:1 send
// created for the recipients' sessions; everything else declines here.
bool ApiApplication::handle_frame_async(const net::Peer& peer, ByteView frame, const net::FrameDone& done) {
  auto device = api::parse_peer_id(peer.id);
  HUSH_CHECK(device.has_value());  // we made this id in authenticate()
  return api_.handle_frame_async(*device, frame, [done](api::FrameResult result, std::vector<api::DirectPush> pushes) {
    std::vector<net::PeerPush> out;
    out.reserve(pushes.size());
    for (auto& p : pushes) out.push_back(net::PeerPush{std::move(p.peer), p.seq, std::move(p.frame)});
    net::FrameReply reply{std::move(result.frame), result.status, result.kind, {}, false};
    if (result.finish_blocking) {
      reply.finish_blocking = [rest = std::move(result.finish_blocking)] {
        api::FrameResult r = rest();
        return net::FrameReply{std::move(r.frame), r.status, r.kind, {}, false};
      };
    }
    done(std::move(reply), std::move(out));
  });
}

std::vector<net::PendingFrame> ApiApplication::fetch_pending(const net::Peer& peer, std::uint64_t after_seq,
                                                             std::size_t max) {
  auto device = api::parse_peer_id(peer.id);
  HUSH_CHECK(device.has_value());
  auto pending = api_.pending(*device, after_seq, max);
  // The session closes; the client reconnects and the mailbox still has it all.
  if (!pending) throw std::runtime_error("mailbox read failed");
  std::vector<net::PendingFrame> out;
  out.reserve(pending->size());
  for (auto& p : *pending) out.push_back(net::PendingFrame{p.seq, std::move(p.frame)});
  return out;
}

net::HttpReply ApiApplication::register_device(ByteView body, std::string_view remote) {
  auto r = api_.register_device(body, remote);
  return net::HttpReply{r.status, std::move(r.content_type), std::move(r.body)};
}

net::HttpReply ApiApplication::register_challenge() {
  auto r = api_.register_challenge();
  return net::HttpReply{r.status, std::move(r.content_type), std::move(r.body)};
}

Bytes ApiApplication::queue_empty_frame() {
  return api::Api::queue_empty_frame();
}

Bytes ApiApplication::provisioning_address_frame(std::string_view address, std::int64_t expires_at_ms) {
  return api::Api::provisioning_address_frame(address, expires_at_ms);
}

void ApiApplication::mail_not_held(const net::Peer& peer) noexcept {
  if (wake_ups_ == nullptr) return;
  if (auto device = api::parse_peer_id(peer.id)) wake_ups_->notify(*device);
}

void ClusterWakeUps::notify(const DeviceAddress& device) noexcept {
  count_.fetch_add(1, std::memory_order_relaxed);
  if (auto* bus = bus_.load()) {
    try {
      bus->wake(api::peer_id(device));
    } catch (...) {
      // Allocation only: the holding node's poll finds the mail.
    }
  }
}

std::string ClusterWakeUps::render_bus() const {
  auto* bus = bus_.load();
  if (bus == nullptr) return {};
  const auto c = bus->counters();
  return fmt::format(
      "# HELP hushd_redis_up Whether this node reaches Redis (wake-ups between nodes; polling while 0).\n"
      "# TYPE hushd_redis_up gauge\nhushd_redis_up {}\n"
      "# HELP hushd_wakeups_sent_total Wake-ups and disconnects this node published to other nodes.\n"
      "# TYPE hushd_wakeups_sent_total counter\nhushd_wakeups_sent_total {}\n"
      "# HELP hushd_wakeups_dropped_total Wake-ups not published (Redis unreachable or slow).\n"
      "# TYPE hushd_wakeups_dropped_total counter\nhushd_wakeups_dropped_total {}\n"
      "# HELP hushd_wakeups_received_total Wake-ups and disconnects other nodes sent to this one.\n"
      "# TYPE hushd_wakeups_received_total counter\nhushd_wakeups_received_total {}\n"
      "# HELP hushd_redis_connects_total Connections to Redis made (two per outage).\n"
      "# TYPE hushd_redis_connects_total counter\nhushd_redis_connects_total {}\n"
      "# HELP hushd_redis_subscribed_devices Devices this node listens for.\n"
      "# TYPE hushd_redis_subscribed_devices gauge\nhushd_redis_subscribed_devices {}\n"
      "# HELP hushd_redis_provisioning_addresses New devices waiting here that other nodes can reach "
      "(subscriptions Redis confirmed).\n"
      "# TYPE hushd_redis_provisioning_addresses gauge\nhushd_redis_provisioning_addresses {}\n"
      "# HELP hushd_provisioning_relayed_total Provisioning messages this node relayed to a new device on "
      "another node.\n"
      "# TYPE hushd_provisioning_relayed_total counter\nhushd_provisioning_relayed_total {}\n"
      "# HELP hushd_provisioning_relay_received_total Provisioning messages other nodes relayed to a new "
      "device waiting here.\n"
      "# TYPE hushd_provisioning_relay_received_total counter\nhushd_provisioning_relay_received_total {}\n",
      c.healthy ? 1 : 0, c.published, c.publish_dropped, c.received, c.reconnects, c.held, c.provisioning_held,
      c.provisioning_relayed, c.provisioning_received);
}

std::string ApiApplication::extra_metrics() {
  std::string wake_ups;
  if (wake_ups_ != nullptr) {
    wake_ups = fmt::format(
                   "# HELP hushd_mail_not_held_total Committed mail for devices with no session on this node.\n"
                   "# TYPE hushd_mail_not_held_total counter\nhushd_mail_not_held_total {}\n",
                   wake_ups_->count()) +
               wake_ups_->render_bus();
  }
  return wake_ups + (abuse_ != nullptr ? abuse_->render() : std::string()) +
         fmt::format(
             "# HELP hushd_store_info The storage backend in use.\n# TYPE hushd_store_info gauge\n"
             "hushd_store_info{{backend=\"{}\"}} 1\n",
             backend_);
}

void PushNotifier::on_new_mail(const DeviceAddress& device, Seq /*seq*/) noexcept {
  if (auto* server = server_.load()) {
    try {
      if (server->notify(api::peer_id(device)) == 0 && wake_ups_ != nullptr) wake_ups_->notify(device);
    } catch (...) {
      // Only allocation can fail here; the mailbox keeps the message for the next drain.
    }
  }
}

void PreKeyNotifier::on_pre_keys_low(const DeviceAddress& device, PreKeyCounts left) noexcept {
  auto* server = server_.load();
  if (server == nullptr) return;
  try {
    server->send_notice(api::peer_id(device), api::Api::pre_keys_low_frame(left));
  } catch (...) {
    // Allocation only; the client still tops up on its own schedule.
  }
}

void LiveConnections::disconnect(const DeviceAddress& device) noexcept {
  if (auto* bus = bus_.load()) {
    try {
      bus->disconnect(api::peer_id(device));
    } catch (...) {
      // Allocation only: the other nodes' sessions end at their next request.
    }
  }
  if (auto* server = server_.load()) {
    try {
      server->disconnect(api::peer_id(device));
    } catch (...) {
      // Only allocation can fail; the device's credential is gone regardless.
    }
  }
}

api::ProvisioningOutcome LiveConnections::forward_provisioning(const std::string& address, Bytes frame) noexcept {
  using api::ProvisioningOutcome;
  auto* server = server_.load();
  if (server == nullptr) return ProvisioningOutcome::not_found;
  try {
    auto* bus = bus_.load();
    // Kept for the relay: deliver() consumes the frame.
    std::string copy = bus != nullptr ? std::string(frame.begin(), frame.end()) : std::string();
    if (server->forward_provisioning(address, std::move(frame))) return ProvisioningOutcome::delivered;
    if (bus == nullptr) return ProvisioningOutcome::not_found;
    if (!bus->counters().healthy) return ProvisioningOutcome::relay_unavailable;
    // The bus answers on its own thread; the promise outlives a timed-out wait.
    auto answer = std::make_shared<std::promise<cluster::RelayOutcome>>();
    auto result = answer->get_future();
    bus->relay_provisioning(address, std::move(copy),
                            [answer](cluster::RelayOutcome outcome) { answer->set_value(outcome); });
    if (result.wait_for(kProvisioningRelayTimeout) != std::future_status::ready) {
      return ProvisioningOutcome::relay_unavailable;
    }
    switch (result.get()) {
      case cluster::RelayOutcome::delivered:
        return ProvisioningOutcome::delivered;
      case cluster::RelayOutcome::not_held:
        return ProvisioningOutcome::not_found;
      case cluster::RelayOutcome::unavailable:
        return ProvisioningOutcome::relay_unavailable;
    }
    return ProvisioningOutcome::relay_unavailable;
  } catch (...) {
    return ProvisioningOutcome::relay_unavailable;  // allocation only
  }
}

}  // namespace hush::server::app
