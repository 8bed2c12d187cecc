// Algorithm handles fetched once from OpenSSL's default provider, and RAII
// owners for OpenSSL contexts. Private to the crypto layer.
#pragma once

#include <hush/util/check.hpp>

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

namespace hush::crypto::detail {

/// HMAC, fetched once per process (EVP_MAC objects are immutable and shareable).
EVP_MAC* hmac_algorithm();
/// HKDF, fetched once per process.
EVP_KDF* hkdf_algorithm();
const EVP_MD* sha256_md();
const EVP_MD* sha512_md();
const EVP_CIPHER* aes256_cbc_cipher();

struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* c) const noexcept { EVP_KDF_CTX_free(c); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter>;

/// A new HMAC-SHA256 context, not yet keyed.
MacCtx new_hmac_sha256_ctx();

}  // namespace hush::crypto::detail
