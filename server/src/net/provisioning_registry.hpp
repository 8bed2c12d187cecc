// The new devices waiting on /v1/provisioning: each socket's random address
// (the only way to reach it) and how many sockets each client address holds.
// An address is used once: deliver() takes it out before handing the frame
// over. Nothing here is stored on disk. Thread-safe. An observer hears of
// every address that starts or stops waiting here (the cross-node relay
// subscribes to it, issue #17).
#pragma once

#include <hush/util/bytes.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hush::server::net {

/// A provisioning socket as the registry sees it.
class ProvisioningSink {
 public:
  virtual ~ProvisioningSink() = default;
  /// Sends `frame` and closes. Thread-safe; returns at once (posted to the
  /// socket's strand).
  virtual void deliver(Bytes frame) = 0;
};

class ProvisioningRegistry {
 public:
  explicit ProvisioningRegistry(std::size_t max_per_remote) noexcept : max_per_remote_(max_per_remote) {}

  /// Counts one more socket for `remote`; false (nothing counted) when it
  /// already holds max_per_remote.
  bool reserve(const std::string& remote);
  /// Undoes one reserve().
  void release(const std::string& remote);

  /// Makes the socket reachable at `address` (random, never reused).
  void add(const std::string& address, std::weak_ptr<ProvisioningSink> sink);
  /// Makes it unreachable (its socket is closing); no-op once delivered.
  void remove(const std::string& address);
  /// Takes the socket at `address` out and hands it `frame`. False when no
  /// socket waits there (unknown, expired, closed or already used).
  bool deliver(const std::string& address, Bytes frame);

  /// Called with (address, true) when a socket becomes reachable and
  /// (address, false) when it stops being, under the registry's lock (so in
  /// order): it must return at once and not call back into the registry.
  using Observer = std::function<void(const std::string& address, bool waiting)>;
  void set_observer(Observer observer);

 private:
  std::mutex mutex_;
  std::size_t max_per_remote_;
  std::unordered_map<std::string, std::size_t> per_remote_;
  std::unordered_map<std::string, std::weak_ptr<ProvisioningSink>> sinks_;
  Observer observer_;
};

}  // namespace hush::server::net
