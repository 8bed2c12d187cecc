// The scenario behind tests/compat/data: records written by one version of
// libhush that every later version must still load and use. The generator
// (make_compat_records) and the test share it.
#pragma once

#include <hush/testing/signal_party.hpp>

#include <string>

namespace hush::testing::compat {

/// A fixed conversation: after it, `bob` holds a session with `alice`, one
/// message from alice is still undelivered (its key sits in bob's skipped keys)
/// and one more is sent after it.
struct Scenario {
  SignalParty alice{"alice", 1001};
  SignalParty bob{"bob", 1002};
  signal::CiphertextMessage late;  ///< skipped over, delivered after the records are restored
  signal::CiphertextMessage next;  ///< sent after `late`
  static constexpr const char* kLateText = "a late message from an older record";
  static constexpr const char* kNextText = "and the one after it";

  /// With `post_quantum`, the session is set up with PQXDH (version 4).
  explicit Scenario(bool post_quantum = false);
};

}  // namespace hush::testing::compat
