// OpenSSL EVP behind libsignal-protocol-c's crypto callbacks. Each callback
// returns SG_SUCCESS or a negative SG_ERR_*, and allocates the signal_buffer
// it hands back (the library frees it).
#include "openssl_provider.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <cstdlib>

namespace hush::testing::libsignal {
namespace {

// Pooled HMAC contexts kept beyond this are freed: a message needs only a few
// at a time, so a larger pool would just hold memory.
constexpr std::size_t kMaxPooledMacs = 16;
constexpr std::size_t kHmacSha256Size = 32;
constexpr std::size_t kSha512Size = 64;
constexpr std::size_t kAesBlock = 16;

OpensslProvider& self(void* user_data) { return *static_cast<OpensslProvider*>(user_data); }

int random_cb(std::uint8_t* data, std::size_t len, void* ud) { return self(ud).random(data, len); }
int hmac_init_cb(void** c, const std::uint8_t* k, std::size_t n, void* ud) { return self(ud).hmac_init(c, k, n); }
int hmac_update_cb(void* c, const std::uint8_t* d, std::size_t n, void* ud) { return self(ud).hmac_update(c, d, n); }
int hmac_final_cb(void* c, signal_buffer** out, void* ud) { return self(ud).hmac_final(c, out); }
void hmac_cleanup_cb(void* c, void* ud) { self(ud).hmac_cleanup(c); }
int sha512_init_cb(void** c, void* ud) { return self(ud).sha512_init(c); }
int sha512_update_cb(void* c, const std::uint8_t* d, std::size_t n, void* ud) { return self(ud).sha512_update(c, d, n); }
int sha512_final_cb(void* c, signal_buffer** out, void* ud) { return self(ud).sha512_final(c, out); }
void sha512_cleanup_cb(void* c, void* ud) { self(ud).sha512_cleanup(c); }
int encrypt_cb(signal_buffer** out, int mode, const std::uint8_t* key, std::size_t key_len, const std::uint8_t* iv,
               std::size_t iv_len, const std::uint8_t* in, std::size_t in_len, void* ud) {
  return self(ud).cipher(true, out, mode, key, key_len, iv, iv_len, in, in_len);
}
int decrypt_cb(signal_buffer** out, int mode, const std::uint8_t* key, std::size_t key_len, const std::uint8_t* iv,
               std::size_t iv_len, const std::uint8_t* in, std::size_t in_len, void* ud) {
  return self(ud).cipher(false, out, mode, key, key_len, iv, iv_len, in, in_len);
}

}  // namespace

OpensslProvider::OpensslProvider(crypto::Rng& rng) : rng_(rng) {
  hmac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  sha512_ = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  const char* names[6] = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC", "AES-128-CTR", "AES-192-CTR", "AES-256-CTR"};
  for (int i = 0; i < 6; ++i) ciphers_[i] = EVP_CIPHER_fetch(nullptr, names[i], nullptr);
  cipher_ctx_ = EVP_CIPHER_CTX_new();
  // A test peer without its primitives is useless: fail loudly and early.
  if (!hmac_ || !sha512_ || !cipher_ctx_ || !ciphers_[2] || !ciphers_[5]) std::abort();
}

OpensslProvider::~OpensslProvider() {
  for (EVP_MAC_CTX* c : free_macs_) EVP_MAC_CTX_free(c);
  EVP_CIPHER_CTX_free(cipher_ctx_);
  for (EVP_CIPHER* c : ciphers_) EVP_CIPHER_free(c);
  EVP_MD_free(sha512_);
  EVP_MAC_free(hmac_);
  OPENSSL_cleanse(scratch_.data(), scratch_.size());
}

signal_crypto_provider OpensslProvider::table() noexcept {
  signal_crypto_provider p{};
  p.random_func = random_cb;
  p.hmac_sha256_init_func = hmac_init_cb;
  p.hmac_sha256_update_func = hmac_update_cb;
  p.hmac_sha256_final_func = hmac_final_cb;
  p.hmac_sha256_cleanup_func = hmac_cleanup_cb;
  p.sha512_digest_init_func = sha512_init_cb;
  p.sha512_digest_update_func = sha512_update_cb;
  p.sha512_digest_final_func = sha512_final_cb;
  p.sha512_digest_cleanup_func = sha512_cleanup_cb;
  p.encrypt_func = encrypt_cb;
  p.decrypt_func = decrypt_cb;
  p.user_data = this;
  return p;
}

int OpensslProvider::random(std::uint8_t* data, std::size_t len) noexcept {
  rng_.fill(MutableByteView(data, len));
  return SG_SUCCESS;
}

int OpensslProvider::hmac_init(void** context, const std::uint8_t* key, std::size_t key_len) noexcept {
  EVP_MAC_CTX* ctx = nullptr;
  if (!free_macs_.empty()) {
    ctx = free_macs_.back();
    free_macs_.pop_back();
  } else {
    ctx = EVP_MAC_CTX_new(hmac_);
    if (!ctx) return SG_ERR_NOMEM;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return SG_ERR_UNKNOWN;
    }
  }
  // A NULL key would make OpenSSL keep the previous key of a pooled context;
  // an empty HMAC key must be passed as a non-NULL pointer of length 0.
  static const std::uint8_t kEmpty = 0;
  if (EVP_MAC_init(ctx, key ? key : &kEmpty, key_len, nullptr) != 1) {
    EVP_MAC_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *context = ctx;
  return SG_SUCCESS;
}

int OpensslProvider::hmac_update(void* context, const std::uint8_t* data, std::size_t len) noexcept {
  return EVP_MAC_update(static_cast<EVP_MAC_CTX*>(context), data, len) == 1 ? SG_SUCCESS : SG_ERR_UNKNOWN;
}

int OpensslProvider::hmac_final(void* context, signal_buffer** output) noexcept {
  signal_buffer* out = signal_buffer_alloc(kHmacSha256Size);
  if (!out) return SG_ERR_NOMEM;
  std::size_t written = 0;
  if (EVP_MAC_final(static_cast<EVP_MAC_CTX*>(context), signal_buffer_data(out), &written, kHmacSha256Size) != 1 ||
      written != kHmacSha256Size) {
    signal_buffer_free(out);
    return SG_ERR_UNKNOWN;
  }
  *output = out;
  return SG_SUCCESS;
}

void OpensslProvider::hmac_cleanup(void* context) noexcept {
  auto* ctx = static_cast<EVP_MAC_CTX*>(context);
  if (!ctx) return;
  // The key stays inside a pooled context until the next init re-keys it;
  // acceptable for a test peer, whose keys are test keys.
  if (free_macs_.size() < kMaxPooledMacs) {
    free_macs_.push_back(ctx);
  } else {
    EVP_MAC_CTX_free(ctx);
  }
}

int OpensslProvider::sha512_init(void** context) noexcept {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return SG_ERR_NOMEM;
  if (EVP_DigestInit_ex(ctx, sha512_, nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *context = ctx;
  return SG_SUCCESS;
}

int OpensslProvider::sha512_update(void* context, const std::uint8_t* data, std::size_t len) noexcept {
  return EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context), data, len) == 1 ? SG_SUCCESS : SG_ERR_UNKNOWN;
}

int OpensslProvider::sha512_final(void* context, signal_buffer** output) noexcept {
  auto* ctx = static_cast<EVP_MD_CTX*>(context);
  signal_buffer* out = signal_buffer_alloc(kSha512Size);
  if (!out) return SG_ERR_NOMEM;
  unsigned int written = 0;
  // The fingerprint generator finalises and then hashes again with the same
  // context, so it must come back ready for a new message.
  if (EVP_DigestFinal_ex(ctx, signal_buffer_data(out), &written) != 1 || written != kSha512Size ||
      EVP_DigestInit_ex(ctx, sha512_, nullptr) != 1) {
    signal_buffer_free(out);
    return SG_ERR_UNKNOWN;
  }
  *output = out;
  return SG_SUCCESS;
}

void OpensslProvider::sha512_cleanup(void* context) noexcept { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context)); }

const EVP_CIPHER* OpensslProvider::pick_cipher(int mode, std::size_t key_len) const noexcept {
  int size_index = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
  if (size_index < 0) return nullptr;
  if (mode == SG_CIPHER_AES_CBC_PKCS5) return ciphers_[size_index];
  if (mode == SG_CIPHER_AES_CTR_NOPADDING) return ciphers_[3 + size_index];
  return nullptr;
}

int OpensslProvider::cipher(bool encrypt, signal_buffer** output, int mode, const std::uint8_t* key,
                            std::size_t key_len, const std::uint8_t* iv, std::size_t iv_len,
                            const std::uint8_t* input, std::size_t input_len) noexcept {
  const EVP_CIPHER* cipher = pick_cipher(mode, key_len);
  if (!cipher || iv_len != kAesBlock || input_len > static_cast<std::size_t>(INT32_MAX) - kAesBlock) {
    return SG_ERR_INVAL;
  }
  scratch_.resize(input_len + kAesBlock);
  int out1 = 0;
  int out2 = 0;
  bool ok = EVP_CipherInit_ex(cipher_ctx_, cipher, nullptr, key, iv, encrypt ? 1 : 0) == 1 &&
            EVP_CIPHER_CTX_set_padding(cipher_ctx_, mode == SG_CIPHER_AES_CBC_PKCS5 ? 1 : 0) == 1 &&
            EVP_CipherUpdate(cipher_ctx_, scratch_.data(), &out1, input, static_cast<int>(input_len)) == 1 &&
            EVP_CipherFinal_ex(cipher_ctx_, scratch_.data() + out1, &out2) == 1;
  signal_buffer* out = nullptr;
  if (ok) {
    out = signal_buffer_create(scratch_.data(), static_cast<std::size_t>(out1 + out2));
  }
  // Plaintext passes through scratch_ on both paths: wipe it every time.
  OPENSSL_cleanse(scratch_.data(), scratch_.size());
  if (!ok) return SG_ERR_UNKNOWN;
  if (!out) return SG_ERR_NOMEM;
  *output = out;
  return SG_SUCCESS;
}

}  // namespace hush::testing::libsignal
