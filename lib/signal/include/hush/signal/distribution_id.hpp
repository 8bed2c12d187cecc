// A distribution id: the UUID (16 bytes) by which today's libsignal names one
// member's sender key in a group, in both Sender Keys wire messages and as
// the key of its sender-key store, (sender address, distribution id). The
// older libsignal-protocol-c format has no such id: the application's group
// id names the key there (SenderKeyName).
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/signal/sender_key_name.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace hush::signal {

class DistributionId {
 public:
  static constexpr std::size_t kSize = 16;

  /// The nil UUID; only useful as a placeholder.
  DistributionId() = default;
  explicit DistributionId(const std::array<std::uint8_t, kSize>& bytes) noexcept : bytes_(bytes) {}

  /// A random version-4 UUID (RFC 9562 §5.4), as libsignal's clients make them.
  static DistributionId generate(crypto::Rng& rng);
  /// Exactly 16 bytes, any UUID version (libsignal checks only the length).
  /// Fails with bad_length.
  static Result<DistributionId> from_bytes(ByteView bytes);
  /// The canonical text form, 8-4-4-4-12 hexadecimal digits in either case.
  /// Fails with decode_error.
  static Result<DistributionId> parse(std::string_view text);

  [[nodiscard]] const std::array<std::uint8_t, kSize>& bytes() const noexcept { return bytes_; }
  /// Lower-case canonical text ("5f3a...-....-....-....-............").
  [[nodiscard]] std::string to_string() const;

  friend auto operator<=>(const DistributionId&, const DistributionId&) = default;

 private:
  std::array<std::uint8_t, kSize> bytes_{};
};

/// The store name of the sender key that `sender` distributes under `id`:
/// {id.to_string(), sender}. SenderKeyStore implementations need no change:
/// the record is keyed by (sender, distribution id) as libsignal keys it. An
/// application must not use a UUID's canonical text as one of its own group
/// ids for the older format (Hush's client uses hexadecimal ids).
[[nodiscard]] SenderKeyName sender_key_name(const DistributionId& id, ProtocolAddress sender);

}  // namespace hush::signal
