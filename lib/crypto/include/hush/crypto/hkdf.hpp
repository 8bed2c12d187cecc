// HKDF-SHA256 (RFC 5869) through OpenSSL's EVP_KDF.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstddef>

namespace hush::crypto {

/// Largest output RFC 5869 allows for SHA-256 (255 × 32).
inline constexpr std::size_t kHkdfSha256MaxOutput = 255 * 32;

/// HKDF-Extract-then-Expand. An empty salt means "HashLen zero bytes" (RFC 5869 §2.2).
/// Fails with invalid_argument for a length of 0 or above kHkdfSha256MaxOutput.
[[nodiscard]] Result<SecretBuffer> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);

/// As above into a caller-sized secret (length = out.size()).
[[nodiscard]] Status hkdf_sha256_into(ByteView ikm, ByteView salt, ByteView info, MutableByteView out);

}  // namespace hush::crypto
