// Fetches OpenSSL algorithms once; fetching per call costs more than the
// operation itself for short inputs.
#include "openssl_handles.hpp"

#include <openssl/core_names.h>

namespace hush::crypto::detail {

EVP_MAC* hmac_algorithm() {
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    HUSH_CHECK(m != nullptr);
    return m;
  }();
  return mac;
}

EVP_KDF* hkdf_algorithm() {
  static EVP_KDF* kdf = [] {
    EVP_KDF* k = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    HUSH_CHECK(k != nullptr);
    return k;
  }();
  return kdf;
}

const EVP_MD* sha256_md() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    HUSH_CHECK(m != nullptr);
    return m;
  }();
  return md;
}

const EVP_MD* sha512_md() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    HUSH_CHECK(m != nullptr);
    return m;
  }();
  return md;
}

const EVP_CIPHER* aes256_cbc_cipher() {
  static EVP_CIPHER* c = [] {
    EVP_CIPHER* x = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
    HUSH_CHECK(x != nullptr);
    return x;
  }();
  return c;
}

MacCtx new_hmac_sha256_ctx() {
  MacCtx ctx(EVP_MAC_CTX_new(hmac_algorithm()));
  HUSH_CHECK(ctx != nullptr);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  HUSH_CHECK(EVP_MAC_CTX_set_params(ctx.get(), params) == 1);
  return ctx;
}

}  // namespace hush::crypto::detail
