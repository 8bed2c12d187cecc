// Authenticated encryption with associated data, all from libsodium:
// XChaCha20-Poly1305 (the default for data at rest: 24-byte random nonces
// are safe), ChaCha20-Poly1305 IETF (RFC 8439) and AES-256-GCM (only where
// the CPU has AES-NI; libsodium refuses otherwise, and so do we).
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <span>

namespace hush::crypto {

inline constexpr std::size_t kAeadKeySize = 32;
inline constexpr std::size_t kAeadTagSize = 16;
inline constexpr std::size_t kXChaChaNonceSize = 24;
inline constexpr std::size_t kChaChaIetfNonceSize = 12;
inline constexpr std::size_t kAesGcmNonceSize = 12;

using AeadKey = SecretBytes<kAeadKeySize>;
using AeadKeyView = std::span<const std::uint8_t, kAeadKeySize>;

/// ciphertext ‖ tag.
[[nodiscard]] Result<Bytes> xchacha20poly1305_encrypt(AeadKeyView key, ByteView nonce, ByteView plaintext, ByteView ad);
/// Fails with bad_length or bad_mac; nothing is returned unless the tag verifies.
[[nodiscard]] Result<SecretBuffer> xchacha20poly1305_decrypt(AeadKeyView key, ByteView nonce, ByteView sealed,
                                                             ByteView ad);

[[nodiscard]] Result<Bytes> chacha20poly1305_ietf_encrypt(AeadKeyView key, ByteView nonce, ByteView plaintext,
                                                          ByteView ad);
[[nodiscard]] Result<SecretBuffer> chacha20poly1305_ietf_decrypt(AeadKeyView key, ByteView nonce, ByteView sealed,
                                                                 ByteView ad);

/// Whether AES-256-GCM is available on this CPU.
[[nodiscard]] bool aes256gcm_available() noexcept;
/// Fail with unavailable where the CPU lacks AES-NI.
[[nodiscard]] Result<Bytes> aes256gcm_encrypt(AeadKeyView key, ByteView nonce, ByteView plaintext, ByteView ad);
[[nodiscard]] Result<SecretBuffer> aes256gcm_decrypt(AeadKeyView key, ByteView nonce, ByteView sealed, ByteView ad);

/// Seals with a fresh random 24-byte nonce: nonce ‖ ciphertext ‖ tag.
[[nodiscard]] Bytes seal_xchacha(AeadKeyView key, ByteView plaintext, ByteView ad, Rng& rng);
/// Opens what seal_xchacha produced. Fails with bad_length or bad_mac.
[[nodiscard]] Result<SecretBuffer> open_xchacha(AeadKeyView key, ByteView sealed, ByteView ad);

}  // namespace hush::crypto
