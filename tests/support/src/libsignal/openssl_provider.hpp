// The crypto provider libsignal-protocol-c calls back into, built on OpenSSL
// EVP: HMAC-SHA256 (pooled, re-keyed contexts), SHA-512, AES-CBC/CTR, and
// randomness from a caller's Rng so a seeded peer is reproducible. Internal to
// the libsignal peer; GPL headers stay out of every public header.
#pragma once

#include <hush/crypto/random.hpp>

#include <openssl/evp.h>
#include <signal_protocol.h>

#include <cstdint>
#include <vector>

namespace hush::testing::libsignal {

class OpensslProvider {
 public:
  explicit OpensslProvider(crypto::Rng& rng);
  OpensslProvider(const OpensslProvider&) = delete;
  OpensslProvider& operator=(const OpensslProvider&) = delete;
  ~OpensslProvider();

  /// The callback table, with user_data pointing at this object (which must
  /// outlive the signal_context it is given to).
  [[nodiscard]] signal_crypto_provider table() noexcept;

  // Callback bodies; public only so the C trampolines can reach them.
  int random(std::uint8_t* data, std::size_t len) noexcept;
  int hmac_init(void** context, const std::uint8_t* key, std::size_t key_len) noexcept;
  int hmac_update(void* context, const std::uint8_t* data, std::size_t len) noexcept;
  int hmac_final(void* context, signal_buffer** output) noexcept;
  void hmac_cleanup(void* context) noexcept;
  int sha512_init(void** context) noexcept;
  int sha512_update(void* context, const std::uint8_t* data, std::size_t len) noexcept;
  int sha512_final(void* context, signal_buffer** output) noexcept;
  void sha512_cleanup(void* context) noexcept;
  int cipher(bool encrypt, signal_buffer** output, int mode, const std::uint8_t* key, std::size_t key_len,
             const std::uint8_t* iv, std::size_t iv_len, const std::uint8_t* input, std::size_t input_len) noexcept;

 private:
  [[nodiscard]] const EVP_CIPHER* pick_cipher(int mode, std::size_t key_len) const noexcept;

  crypto::Rng& rng_;
  EVP_MAC* hmac_ = nullptr;
  EVP_MD* sha512_ = nullptr;
  // [0..2] AES-128/192/256-CBC, [3..5] AES-128/192/256-CTR, fetched once.
  EVP_CIPHER* ciphers_[6] = {};
  EVP_CIPHER_CTX* cipher_ctx_ = nullptr;
  // HMAC contexts handed back by cleanup and re-keyed by the next init:
  // libsignal runs ~14 HMACs per message and a fresh context costs 2x more.
  std::vector<EVP_MAC_CTX*> free_macs_;
  // Output staging: a signal_buffer cannot shrink, so ciphertext and
  // plaintext go through here first and are copied out at their exact size.
  std::vector<std::uint8_t> scratch_;
};

}  // namespace hush::testing::libsignal
