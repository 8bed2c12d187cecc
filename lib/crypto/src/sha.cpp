// SHA-256 / SHA-512 through OpenSSL EVP digests.
#include <hush/crypto/sha.hpp>

#include "openssl_handles.hpp"

namespace hush::crypto {

Sha256Digest sha256(ByteView data) {
  Sha256Digest out{};
  unsigned int len = 0;
  HUSH_CHECK(EVP_Digest(data.data(), data.size(), out.data(), &len, detail::sha256_md(), nullptr) == 1);
  return out;
}

Sha512Digest sha512(ByteView data) {
  Sha512Digest out{};
  unsigned int len = 0;
  HUSH_CHECK(EVP_Digest(data.data(), data.size(), out.data(), &len, detail::sha512_md(), nullptr) == 1);
  return out;
}

struct Sha512::Impl {
  detail::MdCtx ctx;
};

Sha512::Sha512() : impl_(new Impl{detail::MdCtx(EVP_MD_CTX_new())}) {
  HUSH_CHECK(impl_->ctx && EVP_DigestInit_ex2(impl_->ctx.get(), detail::sha512_md(), nullptr) == 1);
}

Sha512::~Sha512() {
  delete impl_;
}

Sha512& Sha512::update(ByteView data) {
  HUSH_CHECK(EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) == 1);
  return *this;
}

Sha512Digest Sha512::finish() {
  Sha512Digest out{};
  unsigned int len = 0;
  HUSH_CHECK(EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len) == 1);
  HUSH_CHECK(EVP_DigestInit_ex2(impl_->ctx.get(), detail::sha512_md(), nullptr) == 1);
  return out;
}

}  // namespace hush::crypto
