// The hook for cross-node wake-ups (issue #17): after a mailbox commit, a
// device that has new mail but no live session on this node is handed here,
// so a bus can wake the node that holds it. Today nothing implements it but
// a counter: with several hushd nodes on one PostgreSQL, that node's idle
// session finds the mail by its mailbox poll (net::Limits::
// mailbox_poll_interval) or at reconnect. A Redis implementation (item 2)
// publishes instead. Never the source of truth: a lost wake-up costs
// latency, never a message (the mailbox keeps it).
#pragma once

#include "storage/types.hpp"

namespace hush::server::api {

class WakeUps {
 public:
  virtual ~WakeUps() = default;
  /// `device` has committed mail that no session of this node took. Called
  /// on the committing thread (the group-commit writer or a service thread):
  /// must not block or throw.
  virtual void notify(const DeviceAddress& device) noexcept = 0;
};

}  // namespace hush::server::api
