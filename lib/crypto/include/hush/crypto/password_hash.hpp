// Argon2id (RFC 9106) through libsodium's crypto_pwhash, for turning a
// passphrase into a key-encryption key. Costs are explicit values so a caller
// can store them beside the salt and derive the same key later; nothing here
// picks a weaker cost on its own.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstddef>
#include <cstdint>

namespace hush::crypto {

/// Salt length of crypto_pwhash (16 bytes).
inline constexpr std::size_t kArgon2idSaltSize = 16;
/// Length of the derived key: one AEAD key.
inline constexpr std::size_t kArgon2idKeySize = 32;

/// Argon2id's cost: passes over memory and memory in bytes.
struct Argon2idCost {
  std::uint64_t ops_limit = 0;
  std::size_t mem_limit = 0;

  /// libsodium's MODERATE (3 passes, 256 MiB): the default for stores.
  static Argon2idCost moderate() noexcept;
  /// libsodium's INTERACTIVE (2 passes, 64 MiB).
  static Argon2idCost interactive() noexcept;
  /// The smallest costs libsodium accepts (1 pass, 8 KiB). For tests only:
  /// it gives a passphrase almost no protection.
  static Argon2idCost test_minimum() noexcept;

  /// Whether libsodium accepts these costs and they stay under kArgon2idMaxMemory.
  [[nodiscard]] bool valid() const noexcept;

  friend bool operator==(const Argon2idCost&, const Argon2idCost&) = default;
};

/// Upper bound on memory a stored header may ask for (4 GiB), so that a
/// tampered header cannot make opening a store exhaust memory.
inline constexpr std::size_t kArgon2idMaxMemory = std::size_t{4} << 30;
/// Upper bound on passes a stored header may ask for, for the same reason.
inline constexpr std::uint64_t kArgon2idMaxOps = 64;

using Argon2idKey = SecretBytes<kArgon2idKeySize>;

/// Argon2id v1.3 of `password` with `salt` (kArgon2idSaltSize bytes) at `cost`.
/// Errors: bad_length (salt), invalid_argument (cost out of range),
/// crypto_failure (libsodium could not allocate the memory).
[[nodiscard]] Result<Argon2idKey> argon2id(ByteView password, ByteView salt, Argon2idCost cost);

}  // namespace hush::crypto
