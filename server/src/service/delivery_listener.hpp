// How MessageService tells the network layer that a device has new mail, so
// it can push to a connected device. Called only after the message is
// durably stored; the mailbox stays the source of truth, so a listener that
// drops a notification loses nothing.
#pragma once

#include "storage/types.hpp"

namespace hush::server {

class DeliveryListener {
 public:
  virtual ~DeliveryListener() = default;
  /// `device` has a new queue row `seq`. Called on the sending thread after
  /// the commit, once per recipient device; must not block or throw.
  virtual void on_new_mail(const DeviceAddress& device, Seq seq) noexcept = 0;
};

/// A listener that ignores everything (no live connections, tests).
class NullDeliveryListener final : public DeliveryListener {
 public:
  void on_new_mail(const DeviceAddress&, Seq) noexcept override {}
};

}  // namespace hush::server
