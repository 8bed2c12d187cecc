// The bus between hushd nodes (issue #17): a node that stores a message for
// a device tells the node holding that device's connection to push it, and a
// node that removes a device tells every node to close its connections.
//
// Each device has a Redis channel ("hush:d:" + its peer id). A node
// subscribes to the channels of the devices it holds connections for
// (hold/release, counted per device) and publishes a one-byte message
// ("w" wake, "x" disconnect) to a device's channel. Redis forgets the
// subscriptions of a node that dies with it, so presence needs no expiry.
//
// Provisioning (linking a new device) crosses nodes the same way: a node
// subscribes to "hush:p:" + address while a new device waits on its
// /v1/provisioning socket at that address, and a node asked to forward a
// provisioning message it cannot deliver itself publishes the frame there;
// PUBLISH's answer (how many subscribers got it) says whether a node took it.
//
// Redis is an accelerator, never the source of truth: a publish that cannot
// be sent is dropped and counted; while Redis is unreachable the bus says so
// (health), and the nodes catch up from storage by polling; when it is back,
// every subscription is restored and health(true) tells the node to catch
// up once. ADR 0007 says why Redis and why this shape.
#pragma once

#include "cluster/redis_endpoint.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace hush::server::cluster {

/// Called on the bus's own thread; must not block.
struct BusEvents {
  /// A message was stored for `device`, which this node holds; also once
  /// when its subscription takes effect (a message stored just before was
  /// not announced to us), and after every reconnection to Redis.
  std::function<void(const std::string& device)> wake;
  /// `device` was removed: close its connections on this node.
  std::function<void(const std::string& device)> disconnect;
  /// Redis became reachable (true: every subscription is in place again;
  /// wake-ups may have been lost meanwhile, so catch up) or unreachable
  /// (also once at start when Redis cannot be reached).
  std::function<void(bool healthy)> health;
  /// A provisioning frame for `address`, which this node holds: hand it to
  /// the waiting socket.
  std::function<void(const std::string& address, std::string frame)> provisioning;
};

/// What became of a provisioning frame relayed through Redis.
enum class RelayOutcome {
  delivered,    ///< a node holding the address received it
  not_held,     ///< no node holds the address (unknown, expired or used)
  unavailable,  ///< Redis unreachable, the answer lost, or the queue full
};

struct BusCounters {
  std::uint64_t published = 0;        ///< wake-ups and disconnects handed to Redis
  std::uint64_t publish_dropped = 0;  ///< not sent: Redis unreachable or the queue full
  std::uint64_t received = 0;         ///< wake-ups and disconnects received
  std::uint64_t reconnects = 0;       ///< connections to Redis (re)established
  std::uint64_t held = 0;             ///< devices subscribed to now
  std::uint64_t provisioning_held = 0;      ///< provisioning addresses subscribed to now (confirmed)
  std::uint64_t provisioning_relayed = 0;   ///< provisioning frames published here that a node took
  std::uint64_t provisioning_received = 0;  ///< provisioning frames other nodes relayed here
  bool healthy = false;
};

class RedisBus {
 public:
  /// Starts connecting at once, on a thread of its own; reconnects with
  /// backoff for as long as it lives.
  RedisBus(RedisEndpoint endpoint, BusEvents events);
  ~RedisBus();
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  /// This node holds a connection of `device` (counted: one per session).
  void hold(const std::string& device);
  /// One connection of `device` ended here.
  void release(const std::string& device);
  /// A message was stored for `device`: wake the node(s) holding it.
  void wake(const std::string& device);
  /// `device` was removed: every node closes its connections.
  void disconnect(const std::string& device);

  /// A new device waits at provisioning `address` on this node: listen for
  /// frames other nodes relay to it. Not counted: an address is held once.
  void hold_provisioning(const std::string& address);
  /// The socket at `address` is gone (delivered, closed or expired).
  void release_provisioning(const std::string& address);
  /// Publishes `frame` for the node holding `address`; `done` runs once, on
  /// the bus thread (must not block), with the outcome.
  void relay_provisioning(const std::string& address, std::string frame, std::function<void(RelayOutcome)> done);

  [[nodiscard]] BusCounters counters() const;

  /// The channel of `device` (exposed for tests and operators).
  static std::string channel(const std::string& device);
  /// The channel of provisioning `address`.
  static std::string provisioning_channel(const std::string& address);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hush::server::cluster
