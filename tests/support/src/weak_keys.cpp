#include <hush/testing/weak_keys.hpp>
#include <hush/util/check.hpp>

#include <openssl/bn.h>
#include <sodium.h>

#include <algorithm>

namespace hush::testing {

std::array<std::uint8_t, 32> edwards_to_montgomery(const unsigned char* edwards) {
  unsigned char y_le[32];
  std::copy(edwards, edwards + 32, y_le);
  y_le[31] &= 0x7f;
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM* p = BN_new();
  BN_set_bit(p, 255);
  BN_sub_word(p, 19);
  BIGNUM* y = BN_lebin2bn(y_le, 32, nullptr);
  BIGNUM* one = BN_new();
  BN_one(one);
  BIGNUM* num = BN_new();
  BIGNUM* den = BN_new();
  BN_mod_add(num, one, y, p, ctx);
  BN_mod_sub(den, one, y, p, ctx);
  BN_mod_inverse(den, den, p, ctx);
  BIGNUM* u = BN_new();
  BN_mod_mul(u, num, den, p, ctx);
  std::array<std::uint8_t, 32> out{};
  BN_bn2lebinpad(u, out.data(), 32);
  for (BIGNUM* b : {p, y, one, num, den, u}) BN_free(b);
  BN_CTX_free(ctx);
  return out;
}

std::array<std::uint8_t, 32> torsion_shifted_public_key(const crypto::PrivateKey& key) {
  unsigned char ed_p[32];
  HUSH_CHECK(crypto_scalarmult_ed25519_base_noclamp(ed_p, key.secret().expose().data()) == 0);
  // An Edwards point of order 8 (from libsodium's small-order blocklist).
  static const unsigned char kOrder8[32] = {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
                                            0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
                                            0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a};
  unsigned char shifted[32];
  HUSH_CHECK(crypto_core_ed25519_add(shifted, ed_p, kOrder8) == 0);
  return edwards_to_montgomery(shifted);
}

}  // namespace hush::testing
