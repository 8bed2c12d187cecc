// AES-256-CBC through OpenSSL EVP, with a per-thread cipher context.
#include <hush/crypto/aes_cbc.hpp>

#include "openssl_handles.hpp"

#include <limits>

namespace hush::crypto {

namespace {

EVP_CIPHER_CTX* thread_cipher_ctx() {
  thread_local detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  HUSH_CHECK(ctx != nullptr);
  return ctx.get();
}

// Runs one whole CBC operation into `out` (sized by the caller to the
// largest possible result); returns the bytes written or an error.
Result<std::size_t> run_cbc(bool encrypt, bool padding, AesKeyView key, AesIvView iv, ByteView in, std::uint8_t* out) {
  if (in.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() - 32)) {
    return make_error(Errc::bad_length, "aes-cbc input too long");
  }
  EVP_CIPHER_CTX* ctx = thread_cipher_ctx();
  HUSH_CHECK(EVP_CipherInit_ex2(ctx, detail::aes256_cbc_cipher(), key.data(), iv.data(), encrypt ? 1 : 0, nullptr) ==
             1);
  EVP_CIPHER_CTX_set_padding(ctx, padding ? 1 : 0);
  int n1 = 0;
  int n2 = 0;
  if (EVP_CipherUpdate(ctx, out, &n1, in.data(), static_cast<int>(in.size())) != 1) {
    return make_error(Errc::crypto_failure, "aes-cbc update");
  }
  if (EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1) {
    return make_error(Errc::decode_error, "aes-cbc padding");
  }
  return static_cast<std::size_t>(n1 + n2);
}

}  // namespace

Bytes aes256_cbc_encrypt(AesKeyView key, AesIvView iv, ByteView plaintext) {
  Bytes out(plaintext.size() + kAesBlockSize);
  auto n = run_cbc(true, true, key, iv, plaintext, out.data());
  HUSH_CHECK(n.has_value());
  out.resize(*n);
  return out;
}

Result<SecretBuffer> aes256_cbc_decrypt(AesKeyView key, AesIvView iv, ByteView ciphertext) {
  if (ciphertext.empty() || ciphertext.size() % kAesBlockSize != 0) {
    return make_error(Errc::bad_length, "aes-cbc ciphertext length");
  }
  SecretBuffer out(ciphertext.size() + kAesBlockSize);
  HUSH_TRY_ASSIGN(std::size_t n, run_cbc(false, true, key, iv, ciphertext, out.expose_mut().data()));
  out.truncate(n);
  return out;
}

Result<Bytes> aes256_cbc_encrypt_nopad(AesKeyView key, AesIvView iv, ByteView plaintext) {
  if (plaintext.size() % kAesBlockSize != 0) return make_error(Errc::bad_length, "aes-cbc plaintext length");
  Bytes out(plaintext.size() + kAesBlockSize);
  HUSH_TRY_ASSIGN(std::size_t n, run_cbc(true, false, key, iv, plaintext, out.data()));
  out.resize(n);
  return out;
}

Result<Bytes> aes256_cbc_decrypt_nopad(AesKeyView key, AesIvView iv, ByteView ciphertext) {
  if (ciphertext.size() % kAesBlockSize != 0) return make_error(Errc::bad_length, "aes-cbc ciphertext length");
  Bytes out(ciphertext.size() + kAesBlockSize);
  HUSH_TRY_ASSIGN(std::size_t n, run_cbc(false, false, key, iv, ciphertext, out.data()));
  out.resize(n);
  return out;
}

}  // namespace hush::crypto
