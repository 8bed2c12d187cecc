// HMAC-SHA256 (RFC 2104 / FIPS 198) through OpenSSL's EVP_MAC. The one-shot
// form re-keys a per-thread context, which is several times cheaper than a
// fresh context per call; the streaming form owns its own context.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/secret.hpp>

#include <cstddef>
#include <initializer_list>

namespace hush::crypto {

inline constexpr std::size_t kHmacSha256Size = 32;
using HmacSha256Output = SecretBytes<kHmacSha256Size>;

/// HMAC-SHA256(key, data).
[[nodiscard]] HmacSha256Output hmac_sha256(ByteView key, ByteView data);

/// HMAC-SHA256(key, parts[0] ‖ parts[1] ‖ …), without concatenating them.
[[nodiscard]] HmacSha256Output hmac_sha256(ByteView key, std::initializer_list<ByteView> parts);

/// Several HMAC-SHA256 values under one key, keyed once: re-keying costs two
/// SHA-256 blocks plus OpenSSL's bookkeeping, more than a short MAC itself
/// (HKDF-Expand and a chain-key step each MAC repeatedly under one key).
/// Uses a per-thread context: at most one instance per thread at a time.
class HmacSha256Keyed {
 public:
  explicit HmacSha256Keyed(ByteView key);
  HmacSha256Keyed(const HmacSha256Keyed&) = delete;
  HmacSha256Keyed& operator=(const HmacSha256Keyed&) = delete;
  ~HmacSha256Keyed();

  /// HMAC(key, parts[0] ‖ parts[1] ‖ …).
  [[nodiscard]] HmacSha256Output mac(std::initializer_list<ByteView> parts);

 private:
  bool first_ = true;
};

/// Streaming HMAC-SHA256 for data that arrives in parts.
class HmacSha256 {
 public:
  explicit HmacSha256(ByteView key);
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  ~HmacSha256();

  HmacSha256& update(ByteView data);
  /// Finishes; the object cannot be updated afterwards.
  [[nodiscard]] HmacSha256Output finish();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace hush::crypto
