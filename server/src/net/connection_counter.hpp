// Counts live connections per key (a client address, an account) so that
// no single one can take every connection slot. A slot is held by a shared
// handle that gives it back when the last copy goes, wherever the
// connection ends (HTTP, WebSocket or provisioning session). Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hush::server::net {

class ConnectionCounter : public std::enable_shared_from_this<ConnectionCounter> {
 public:
  /// A held slot; empty when refused (see try_acquire).
  using Slot = std::shared_ptr<void>;

  /// Takes a slot for `key` unless it already holds `cap` (0: no cap; the
  /// slot is then not counted at all). Refused: an empty Slot.
  [[nodiscard]] Slot try_acquire(const std::string& key, std::size_t cap) {
    if (cap == 0) return std::make_shared<int>(0);
    {
      std::lock_guard lock(mu_);
      std::size_t& n = counts_[key];
      if (n >= cap) {
        if (n == 0) counts_.erase(key);
        return {};
      }
      ++n;
    }
    std::weak_ptr<ConnectionCounter> owner = weak_from_this();
    return Slot(new int(0), [owner, key](int* p) {
      delete p;
      if (auto counter = owner.lock()) counter->release(key);
    });
  }

  /// Slots held for `key` (for tests and metrics).
  [[nodiscard]] std::size_t held(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = counts_.find(key);
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  void release(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = counts_.find(key);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
  }

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::size_t> counts_;
};

}  // namespace hush::server::net
