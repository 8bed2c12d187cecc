// HKDF-SHA256 (RFC 5869) through OpenSSL's EVP_KDF "HKDF".
#include <hush/crypto/hkdf.hpp>

#include "openssl_handles.hpp"

#include <openssl/core_names.h>

namespace hush::crypto {

Status hkdf_sha256_into(ByteView ikm, ByteView salt, ByteView info, MutableByteView out) {
  if (out.empty() || out.size() > kHkdfSha256MaxOutput) return make_error(Errc::invalid_argument, "hkdf output length");
  thread_local detail::KdfCtx ctx(EVP_KDF_CTX_new(detail::hkdf_algorithm()));
  HUSH_CHECK(ctx != nullptr);
  EVP_KDF_CTX_reset(ctx.get());
  char digest[] = "SHA256";
  static const std::uint8_t kZero = 0;
  OSSL_PARAM params[5];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.empty() ? &kZero : ikm.data()), ikm.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return make_error(Errc::crypto_failure, "hkdf derive");
  }
  return ok();
}

Result<SecretBuffer> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  if (length == 0 || length > kHkdfSha256MaxOutput) return make_error(Errc::invalid_argument, "hkdf output length");
  SecretBuffer out(length);
  HUSH_TRY(hkdf_sha256_into(ikm, salt, info, out.expose_mut()));
  return out;
}

}  // namespace hush::crypto
