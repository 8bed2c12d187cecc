// The five libsignal-protocol-c stores (session, pre-key, signed pre-key,
// identity, sender key) in memory, with the library's return conventions
// (PEERS.md). Records are kept as the serialized bytes the library hands
// over, exactly as an application's database would keep them.
#pragma once

#include <hush/util/bytes.hpp>

#include <signal_protocol.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace hush::testing::libsignal {

class MemoryStores {
 public:
  /// Record plus the opaque user record the library asks us to keep beside it.
  struct Record {
    Bytes record;
    Bytes user_record;
  };
  using AddressKey = std::pair<std::string, std::int32_t>;
  using SenderKeyKey = std::tuple<std::string, std::string, std::int32_t>;  // group, sender, device

  MemoryStores(std::uint32_t registration_id, Bytes identity_public, Bytes identity_private);

  /// Installs the five stores into `store` with user_data = this. Their
  /// destroy callbacks do nothing: the owner of this object frees it, after
  /// signal_protocol_store_context_destroy.
  void install(signal_protocol_store_context* store);

  std::uint32_t registration_id;
  Bytes identity_public;   ///< 33 bytes, 0x05 ‖ u
  Bytes identity_private;  ///< 32 bytes
  /// When set, is_trusted_identity refuses a key that differs from the one
  /// already stored for that name (trust on first use). Off: trust anything.
  bool trust_on_first_use = false;

  std::map<AddressKey, Record> sessions;
  std::map<std::uint32_t, Bytes> pre_keys;
  std::map<std::uint32_t, Bytes> signed_pre_keys;
  std::map<std::string, Bytes> identities;  ///< by name: one identity per user
  std::map<SenderKeyKey, Record> sender_keys;
};

[[nodiscard]] inline MemoryStores::AddressKey address_key(const signal_protocol_address& a) {
  return {std::string(a.name, a.name_len), a.device_id};
}

}  // namespace hush::testing::libsignal
