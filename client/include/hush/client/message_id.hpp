// The id of one message: 16 random bytes chosen by its sender, carried inside
// the encrypted content, used for receipts, history and de-duplication.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>

namespace hush::client {

/// A message id. Public data: it travels inside the ciphertext but is kept
/// in plaintext in the local store for de-duplication.
struct MessageId {
  static constexpr std::size_t kSize = 16;
  std::array<std::uint8_t, kSize> bytes{};

  /// A fresh random id.
  static MessageId generate(crypto::Rng& rng) noexcept {
    MessageId id;
    rng.fill(id.bytes);
    return id;
  }
  /// From 16 bytes read from outside. Fails with bad_length.
  static Result<MessageId> from(ByteView b) {
    if (b.size() != kSize) return make_error(Errc::bad_length, "message id length");
    MessageId id;
    for (std::size_t i = 0; i < kSize; ++i) id.bytes[i] = b[i];
    return id;
  }
  /// The 16 bytes.
  [[nodiscard]] ByteView view() const noexcept { return bytes; }

  friend auto operator<=>(const MessageId&, const MessageId&) = default;
};

}  // namespace hush::client
