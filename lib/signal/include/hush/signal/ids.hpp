// Small id types, so a pre-key id can't be passed where a device id is
// expected, and the address of a remote party's device.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace hush::signal {

template <class Tag>
struct StrongId {
  std::uint32_t value = 0;
  friend auto operator<=>(const StrongId&, const StrongId&) = default;
};

using PreKeyId = StrongId<struct PreKeyIdTag>;
using SignedPreKeyId = StrongId<struct SignedPreKeyIdTag>;
/// Kyber pre-keys (PQXDH) have their own id space, as in libsignal.
using KyberPreKeyId = StrongId<struct KyberPreKeyIdTag>;
using DeviceId = StrongId<struct DeviceIdTag>;
using RegistrationId = StrongId<struct RegistrationIdTag>;

/// A remote device: the account's name (as the application identifies it) and its device id.
struct ProtocolAddress {
  std::string name;
  DeviceId device;
  friend auto operator<=>(const ProtocolAddress&, const ProtocolAddress&) = default;
};

}  // namespace hush::signal
