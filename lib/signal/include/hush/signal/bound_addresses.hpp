// libsignal's binding of a pre-key message to its two devices: when both
// addresses are Service IDs (an ACI, a hyphenated UUID, or "PNI:" and one),
// the SignalMessage inside a PreKeySignalMessage carries field 6, `addresses`
// = sender service id (17 bytes: kind 0 ACI / 1 PNI ‖ UUID) ‖ sender device
// (1 byte) ‖ recipient service id (17) ‖ recipient device (1), under the MAC.
// docs/protocol.md 2a.6.
#pragma once

#include <hush/signal/ids.hpp>

#include <array>
#include <cstdint>
#include <optional>

namespace hush::signal {

inline constexpr std::size_t kBoundAddressesSize = 36;
using BoundAddresses = std::array<std::uint8_t, kBoundAddressesSize>;

/// The field's bytes for a message from `sender` to `recipient`, or nullopt
/// when either name is not a Service ID or a device id does not fit a byte
/// (libsignal then writes no field, and refuses a message that has one).
[[nodiscard]] std::optional<BoundAddresses> bound_addresses(const ProtocolAddress& sender,
                                                            const ProtocolAddress& recipient);

}  // namespace hush::signal
