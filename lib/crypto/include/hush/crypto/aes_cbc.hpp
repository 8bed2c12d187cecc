// AES-256 in CBC mode with PKCS#7 padding (NIST SP 800-38A), through
// OpenSSL's EVP. This is the cipher of Signal message version 3 and of
// Sender Keys; authenticity comes from the MAC around it, never from CBC.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <span>

namespace hush::crypto {

inline constexpr std::size_t kAesKeySize = 32;
inline constexpr std::size_t kAesBlockSize = 16;
using AesKeyView = std::span<const std::uint8_t, kAesKeySize>;
using AesIvView = std::span<const std::uint8_t, kAesBlockSize>;

/// Encrypts with PKCS#7 padding; the output is a whole number of blocks.
[[nodiscard]] Bytes aes256_cbc_encrypt(AesKeyView key, AesIvView iv, ByteView plaintext);

/// Decrypts and removes PKCS#7 padding. Fails with bad_length (not whole
/// blocks, or empty) or decode_error (bad padding).
[[nodiscard]] Result<SecretBuffer> aes256_cbc_decrypt(AesKeyView key, AesIvView iv, ByteView ciphertext);

/// Raw CBC without padding (for known-answer tests of the block mode itself);
/// the input must be whole blocks.
[[nodiscard]] Result<Bytes> aes256_cbc_encrypt_nopad(AesKeyView key, AesIvView iv, ByteView plaintext);
[[nodiscard]] Result<Bytes> aes256_cbc_decrypt_nopad(AesKeyView key, AesIvView iv, ByteView ciphertext);

}  // namespace hush::crypto
