// How the key service tells a device that its one-time pre-keys (EC or Kyber) run low
// (the app wires it to a frame pushed on the device's live sessions). The
// service never waits on it.
#pragma once

#include "storage/types.hpp"

#include <cstddef>

namespace hush::server {

/// One-time pre-keys a device has left, of each kind.
struct PreKeyCounts {
  std::size_t ec = 0;
  std::size_t kyber = 0;  ///< one-time Kyber pre-keys (the last-resort one not counted)
};

class PreKeyListener {
 public:
  virtual ~PreKeyListener() = default;
  /// `device` has `left` one-time pre-keys after a bundle fetch took one and
  /// left fewer than the low-water mark of one kind (or both).
  /// Called on a service thread; must not block or throw.
  virtual void on_pre_keys_low(const DeviceAddress& device, PreKeyCounts left) noexcept = 0;
};

}  // namespace hush::server
