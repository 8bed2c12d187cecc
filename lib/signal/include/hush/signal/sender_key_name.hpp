// The name a sender key is stored under: the group and the member device that
// sends with it. Binding both is what keeps a key distributed for one group
// (or by one member) from ever decrypting another group's (or member's)
// messages: every record is looked up by the full name.
#pragma once

#include <hush/signal/ids.hpp>

#include <compare>
#include <string>

namespace hush::signal {

struct SenderKeyName {
  /// The application's group identifier (opaque bytes; never taken from a
  /// SenderKeyDistributionMessage, which carries none).
  std::string group_id;
  /// The sending member device. For a received key this must be the address
  /// the pairwise session authenticated (see GroupSessionBuilder).
  ProtocolAddress sender;

  friend auto operator<=>(const SenderKeyName&, const SenderKeyName&) = default;
};

}  // namespace hush::signal
