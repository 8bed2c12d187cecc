// The braid's authenticator (ML-KEM Braid spec §"Authenticator"; spqr:
// src/authenticator.rs): a root key and a MAC key, ratcheted with every
// epoch's shared secret, that MAC the encapsulation-key header and the
// ciphertext so that only the holder of the session's auth key can inject
// them.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>

namespace hush::signal::spqr::detail {

/// Size of a MAC (HMAC-SHA256, untruncated).
inline constexpr std::size_t kMacSize = 32;
using Mac = std::array<std::uint8_t, kMacSize>;

class Authenticator {
 public:
  /// All-zero keys (a placeholder until assigned).
  Authenticator() = default;
  /// Starts from all-zero keys and updates with `root_key` at `epoch`
  /// (spqr: Authenticator::new).
  Authenticator(ByteView root_key, std::uint64_t epoch);
  /// From stored keys.
  Authenticator(SecretBytes<32> root_key, SecretBytes<32> mac_key) noexcept
      : root_key_(std::move(root_key)), mac_key_(std::move(mac_key)) {}

  /// (root, mac) = HKDF(salt 0³², root ‖ key, "Signal_PQCKA_V1_MLKEM768:Authenticator Update" ‖ be64(epoch)).
  void update(std::uint64_t epoch, ByteView key);

  /// HMAC(mac, "Signal_PQCKA_V1_MLKEM768:ekheader" ‖ be64(epoch) ‖ header).
  [[nodiscard]] Mac mac_header(std::uint64_t epoch, ByteView header) const;
  /// HMAC(mac, "Signal_PQCKA_V1_MLKEM768:ciphertext" ‖ be64(epoch) ‖ ct1 ‖ ct2).
  [[nodiscard]] Mac mac_ciphertext(std::uint64_t epoch, ByteView ciphertext) const;
  /// Constant-time checks; fail with bad_mac.
  [[nodiscard]] Status verify_header(std::uint64_t epoch, ByteView header, ByteView mac) const;
  [[nodiscard]] Status verify_ciphertext(std::uint64_t epoch, ByteView ciphertext, ByteView mac) const;

  [[nodiscard]] const SecretBytes<32>& root_key() const noexcept { return root_key_; }
  [[nodiscard]] const SecretBytes<32>& mac_key() const noexcept { return mac_key_; }
  [[nodiscard]] Authenticator clone() const { return Authenticator(root_key_.clone(), mac_key_.clone()); }

 private:
  SecretBytes<32> root_key_;
  SecretBytes<32> mac_key_;
};

/// Big-endian bytes of a 64-bit value (the crate's to_be_bytes()).
std::array<std::uint8_t, 8> be64(std::uint64_t v) noexcept;

/// The zero salt the crate passes to every HKDF (HashLen zero bytes).
ByteView zero_salt() noexcept;

}  // namespace hush::signal::spqr::detail
