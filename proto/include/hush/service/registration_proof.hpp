// The message a registering device signs with the account identity private
// key (proof of possession, docs/server/api.md "Registration" and
// docs/protocol.md §7.7): hushd refuses a registration or link without a
// valid XEdDSA signature over it. Shared by hushd, the client SDK, the test
// clients and hush-load so that all build the same bytes.
#pragma once

#include <hush/crypto/sha.hpp>
#include <hush/util/bytes.hpp>

#include <cstdint>
#include <string_view>

namespace hush::service {

/// Domain separation: these signatures can never be mistaken for a signed
/// pre-key's (which cover a 33-byte key) or for any other signed message.
inline constexpr std::string_view kRegistrationProofLabel = "hush device registration v1";

/// What the registration creates: the binding says which account.
enum class RegistrationKind : std::uint8_t {
  new_account = 1,  ///< binding = SHA-256(username as sent)
  link = 2,         ///< binding = SHA-256(link token as sent, the hex text)
  recovery = 3,     ///< binding = SHA-256(username as sent): the account it replaces the devices of
};

/// label ‖ 0x00 ‖ kind ‖ u16be(len(challenge)) ‖ challenge ‖ SHA-256(binding)
/// ‖ u32be(registration_id) ‖ identity_key (33) ‖ u32be(signed_pre_key_id)
/// ‖ signed_pre_key (33). Fields are taken as sent; fixed order, no encoding
/// ambiguity (every variable part is length-prefixed or hashed).
inline Bytes registration_proof_message(RegistrationKind kind, ByteView challenge, std::string_view binding,
                                        std::uint32_t registration_id, ByteView identity_key,
                                        std::uint32_t signed_pre_key_id, ByteView signed_pre_key) {
  const auto digest =
      crypto::sha256(ByteView(reinterpret_cast<const std::uint8_t*>(binding.data()), binding.size()));
  const std::size_t challenge_size = challenge.size() & 0xFFFF;
  // Sized once and filled in place (g++ 12 misreads a chain of inserts as
  // an overflow).
  Bytes m(kRegistrationProofLabel.size() + 1 + 1 + 2 + challenge_size + digest.size() + 4 + identity_key.size() + 4 +
          signed_pre_key.size());
  std::size_t at = 0;
  const auto put = [&m, &at](const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) m[at++] = p[i];
  };
  const auto put_u32 = [&m, &at](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) m[at++] = static_cast<std::uint8_t>(v >> shift);
  };
  put(reinterpret_cast<const std::uint8_t*>(kRegistrationProofLabel.data()), kRegistrationProofLabel.size());
  m[at++] = 0x00;
  m[at++] = static_cast<std::uint8_t>(kind);
  m[at++] = static_cast<std::uint8_t>(challenge_size >> 8);
  m[at++] = static_cast<std::uint8_t>(challenge_size);
  put(challenge.data(), challenge_size);
  put(digest.data(), digest.size());
  put_u32(registration_id);
  put(identity_key.data(), identity_key.size());
  put_u32(signed_pre_key_id);
  put(signed_pre_key.data(), signed_pre_key.size());
  return m;
}

}  // namespace hush::service
