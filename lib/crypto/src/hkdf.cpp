// HKDF-SHA256 (RFC 5869). Extract and Expand are computed with OpenSSL's
// HMAC-SHA256 on a re-keyed per-thread context: OpenSSL 3.0's EVP_KDF "HKDF"
// fetches a fresh HMAC for every call and costs ~8x more for the short
// outputs the ratchet derives on every message (docs/adr/0002-hkdf.md). The
// test suite checks this against EVP_KDF on random inputs.
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/hmac.hpp>

#include "openssl_handles.hpp"

#include <algorithm>
#include <array>

namespace hush::crypto {

namespace {
constexpr std::size_t kHashLen = 32;
}  // namespace

Status hkdf_sha256_into(ByteView ikm, ByteView salt, ByteView info, MutableByteView out) {
  if (out.empty() || out.size() > kHkdfSha256MaxOutput) return make_error(Errc::invalid_argument, "hkdf output length");
  // Extract: PRK = HMAC(salt, IKM); an absent salt is HashLen zero bytes (§2.2).
  static const std::array<std::uint8_t, kHashLen> kZeroSalt{};
  HmacSha256Output prk = hmac_sha256(salt.empty() ? ByteView(kZeroSalt) : salt, ikm);
  // Expand: T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i).
  HmacSha256Output t;
  HmacSha256Keyed expand(prk.expose());
  std::size_t done = 0;
  for (std::uint8_t i = 1; done < out.size(); ++i) {
    t = expand.mac({i > 1 ? ByteView(t.expose()) : ByteView{}, info, ByteView(&i, 1)});
    const std::size_t n = std::min(kHashLen, out.size() - done);
    std::copy_n(t.expose().begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
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
