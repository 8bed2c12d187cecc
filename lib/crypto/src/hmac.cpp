// HMAC-SHA256 over OpenSSL EVP_MAC, with a per-thread re-keyed context for
// the one-shot form.
#include <hush/crypto/hmac.hpp>

#include "openssl_handles.hpp"

namespace hush::crypto {

namespace {
// OpenSSL requires a non-null key pointer even for an empty key.
const std::uint8_t* key_ptr(ByteView key) noexcept {
  static const std::uint8_t kEmpty = 0;
  return key.empty() ? &kEmpty : key.data();
}
}  // namespace

HmacSha256Output hmac_sha256(ByteView key, ByteView data) {
  return hmac_sha256(key, {data});
}

HmacSha256Output hmac_sha256(ByteView key, std::initializer_list<ByteView> parts) {
  thread_local detail::MacCtx ctx = detail::new_hmac_sha256_ctx();
  HUSH_CHECK(EVP_MAC_init(ctx.get(), key_ptr(key), key.size(), nullptr) == 1);
  for (ByteView part : parts) HUSH_CHECK(EVP_MAC_update(ctx.get(), part.data(), part.size()) == 1);
  HmacSha256Output out;
  std::size_t len = 0;
  HUSH_CHECK(EVP_MAC_final(ctx.get(), out.expose_mut().data(), &len, out.size()) == 1 && len == out.size());
  return out;
}

namespace {
struct KeyedContext {
  detail::MacCtx ctx = detail::new_hmac_sha256_ctx();
  bool in_use = false;
};
KeyedContext& keyed_context() {
  thread_local KeyedContext k;
  return k;
}
}  // namespace

HmacSha256Keyed::HmacSha256Keyed(ByteView key) {
  KeyedContext& k = keyed_context();
  HUSH_CHECK(!k.in_use);
  k.in_use = true;
  HUSH_CHECK(EVP_MAC_init(k.ctx.get(), key_ptr(key), key.size(), nullptr) == 1);
}

HmacSha256Keyed::~HmacSha256Keyed() {
  keyed_context().in_use = false;
}

HmacSha256Output HmacSha256Keyed::mac(std::initializer_list<ByteView> parts) {
  EVP_MAC_CTX* ctx = keyed_context().ctx.get();
  // After the first MAC, a null key restarts from the stored key pads.
  if (!first_) HUSH_CHECK(EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1);
  first_ = false;
  for (ByteView part : parts) HUSH_CHECK(EVP_MAC_update(ctx, part.data(), part.size()) == 1);
  HmacSha256Output out;
  std::size_t len = 0;
  HUSH_CHECK(EVP_MAC_final(ctx, out.expose_mut().data(), &len, out.size()) == 1 && len == out.size());
  return out;
}

struct HmacSha256::Impl {
  detail::MacCtx ctx;
};

HmacSha256::HmacSha256(ByteView key) : impl_(new Impl{detail::new_hmac_sha256_ctx()}) {
  HUSH_CHECK(EVP_MAC_init(impl_->ctx.get(), key_ptr(key), key.size(), nullptr) == 1);
}

HmacSha256::~HmacSha256() {
  delete impl_;
}

HmacSha256& HmacSha256::update(ByteView data) {
  HUSH_CHECK(EVP_MAC_update(impl_->ctx.get(), data.data(), data.size()) == 1);
  return *this;
}

HmacSha256Output HmacSha256::finish() {
  HmacSha256Output out;
  std::size_t len = 0;
  HUSH_CHECK(EVP_MAC_final(impl_->ctx.get(), out.expose_mut().data(), &len, out.size()) == 1 && len == out.size());
  return out;
}

}  // namespace hush::crypto
