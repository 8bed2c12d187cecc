// AEADs from libsodium. Decryption writes nothing the caller can see unless
// the tag verifies.
#include <hush/crypto/aead.hpp>
#include <hush/crypto/init.hpp>

#include <sodium.h>

#include <cstring>

namespace hush::crypto {

namespace {

using EncryptFn = int (*)(unsigned char*, unsigned long long*, const unsigned char*, unsigned long long,
                          const unsigned char*, unsigned long long, const unsigned char*, const unsigned char*,
                          const unsigned char*);
using DecryptFn = int (*)(unsigned char*, unsigned long long*, unsigned char*, const unsigned char*, unsigned long long,
                          const unsigned char*, unsigned long long, const unsigned char*, const unsigned char*);

Result<Bytes> seal(EncryptFn fn, std::size_t nonce_size, AeadKeyView key, ByteView nonce, ByteView pt, ByteView ad) {
  ensure_initialized();
  if (nonce.size() != nonce_size) return make_error(Errc::bad_length, "aead nonce length");
  Bytes out(pt.size() + kAeadTagSize);
  unsigned long long len = 0;
  if (fn(out.data(), &len, pt.data(), pt.size(), ad.data(), ad.size(), nullptr, nonce.data(), key.data()) != 0) {
    return make_error(Errc::crypto_failure, "aead encrypt");
  }
  out.resize(len);
  return out;
}

Result<SecretBuffer> open(DecryptFn fn, std::size_t nonce_size, AeadKeyView key, ByteView nonce, ByteView sealed,
                          ByteView ad) {
  ensure_initialized();
  if (nonce.size() != nonce_size) return make_error(Errc::bad_length, "aead nonce length");
  if (sealed.size() < kAeadTagSize) return make_error(Errc::bad_length, "aead ciphertext too short");
  SecretBuffer out(sealed.size() - kAeadTagSize);
  unsigned long long len = 0;
  // libsodium needs a valid pointer even for an empty plaintext.
  unsigned char empty = 0;
  unsigned char* dst = out.empty() ? &empty : out.expose_mut().data();
  if (fn(dst, &len, nullptr, sealed.data(), sealed.size(), ad.data(), ad.size(), nonce.data(), key.data()) != 0) {
    return make_error(Errc::bad_mac, "aead tag");
  }
  return out;
}

}  // namespace

Result<Bytes> xchacha20poly1305_encrypt(AeadKeyView key, ByteView nonce, ByteView plaintext, ByteView ad) {
  return seal(crypto_aead_xchacha20poly1305_ietf_encrypt, kXChaChaNonceSize, key, nonce, plaintext, ad);
}
Result<SecretBuffer> xchacha20poly1305_decrypt(AeadKeyView key, ByteView nonce, ByteView sealed, ByteView ad) {
  return open(crypto_aead_xchacha20poly1305_ietf_decrypt, kXChaChaNonceSize, key, nonce, sealed, ad);
}

Result<Bytes> chacha20poly1305_ietf_encrypt(AeadKeyView key, ByteView nonce, ByteView plaintext, ByteView ad) {
  return seal(crypto_aead_chacha20poly1305_ietf_encrypt, kChaChaIetfNonceSize, key, nonce, plaintext, ad);
}
Result<SecretBuffer> chacha20poly1305_ietf_decrypt(AeadKeyView key, ByteView nonce, ByteView sealed, ByteView ad) {
  return open(crypto_aead_chacha20poly1305_ietf_decrypt, kChaChaIetfNonceSize, key, nonce, sealed, ad);
}

bool aes256gcm_available() noexcept {
  ensure_initialized();
  return crypto_aead_aes256gcm_is_available() == 1;
}

Result<Bytes> aes256gcm_encrypt(AeadKeyView key, ByteView nonce, ByteView plaintext, ByteView ad) {
  if (!aes256gcm_available()) return make_error(Errc::unavailable, "aes-256-gcm needs AES-NI");
  return seal(crypto_aead_aes256gcm_encrypt, kAesGcmNonceSize, key, nonce, plaintext, ad);
}
Result<SecretBuffer> aes256gcm_decrypt(AeadKeyView key, ByteView nonce, ByteView sealed, ByteView ad) {
  if (!aes256gcm_available()) return make_error(Errc::unavailable, "aes-256-gcm needs AES-NI");
  return open(crypto_aead_aes256gcm_decrypt, kAesGcmNonceSize, key, nonce, sealed, ad);
}

Bytes seal_xchacha(AeadKeyView key, ByteView plaintext, ByteView ad, Rng& rng) {
  std::array<std::uint8_t, kXChaChaNonceSize> nonce{};
  rng.fill(nonce);
  auto body = xchacha20poly1305_encrypt(key, nonce, plaintext, ad);
  HUSH_CHECK(body.has_value());
  // Built with one allocation and memcpy (g++ 12 misreports vector::insert here).
  Bytes out(nonce.size() + body->size());
  std::memcpy(out.data(), nonce.data(), nonce.size());
  std::memcpy(out.data() + nonce.size(), body->data(), body->size());
  return out;
}

Result<SecretBuffer> open_xchacha(AeadKeyView key, ByteView sealed, ByteView ad) {
  if (sealed.size() < kXChaChaNonceSize + kAeadTagSize) return make_error(Errc::bad_length, "sealed box too short");
  return xchacha20poly1305_decrypt(key, sealed.first(kXChaChaNonceSize), sealed.subspan(kXChaChaNonceSize), ad);
}

}  // namespace hush::crypto
