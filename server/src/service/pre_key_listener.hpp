// How the key service tells a device that its one-time pre-keys run low
// (the app wires it to a frame pushed on the device's live sessions). The
// service never waits on it.
#pragma once

#include "storage/types.hpp"

#include <cstddef>

namespace hush::server {

class PreKeyListener {
 public:
  virtual ~PreKeyListener() = default;
  /// `device` has `left` one-time pre-keys after a bundle fetch took one.
  /// Called on a service thread; must not block or throw.
  virtual void on_pre_keys_low(const DeviceAddress& device, std::size_t left) noexcept = 0;
};

}  // namespace hush::server
