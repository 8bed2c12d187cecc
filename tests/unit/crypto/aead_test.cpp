// RFC 8439 §2.8.2 (ChaCha20-Poly1305 IETF), and tamper rejection for every AEAD.
#include <hush/crypto/aead.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/hex.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {
using testing::hex;

TEST(ChaCha20Poly1305, Rfc8439Section282) {
  Bytes key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  Bytes nonce = hex("070000004041424344454647");
  Bytes aad = hex("50515253c0c1c2c3c4c5c6c7");
  Bytes plain = to_bytes(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would "
      "be it.");
  Bytes expected = hex(
      "d31a8d34648e60db7b86afbc53ef7ec2 a4aded51296e08fea9e2b5a736ee62d6 3dbea45e8ca9671282fafb69da92728b"
      "1a71de0a9e060b2905d6a5b67ecd3b36 92ddbd7f2d778b8c9803aee328091b58 fab324e4fad675945585808b4831d7bc"
      "3ff4def08e4b7a9de576d26586cec64b 6116"
      "1ae10b594f09e26a7e902ecbd0600691");
  AeadKeyView k(key.data(), 32);
  auto sealed = chacha20poly1305_ietf_encrypt(k, nonce, plain, aad);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(to_hex(*sealed), to_hex(expected));
  auto opened = chacha20poly1305_ietf_decrypt(k, nonce, expected, aad);
  ASSERT_TRUE(opened);
  EXPECT_EQ(to_bytes(opened->expose()), plain);
}

template <class Enc, class Dec>
void expect_tamper_refused(Enc enc, Dec dec, std::size_t nonce_size) {
  testing::DeterministicRng rng(20);
  AeadKey key;
  rng.fill(key.expose_mut());
  Bytes nonce(nonce_size);
  rng.fill(nonce);
  Bytes ad = to_bytes("header");
  auto sealed = enc(key.expose(), nonce, to_bytes("attack at dawn"), ad);
  ASSERT_TRUE(sealed);
  ASSERT_TRUE(dec(key.expose(), nonce, *sealed, ad));
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    Bytes t = *sealed;
    t[i] ^= 0x01;
    EXPECT_EQ(dec(key.expose(), nonce, t, ad).code(), Errc::bad_mac) << "byte " << i;
  }
  EXPECT_EQ(dec(key.expose(), nonce, *sealed, to_bytes("other")).code(), Errc::bad_mac);
  EXPECT_EQ(dec(key.expose(), nonce, ByteView(*sealed).first(15), ad).code(), Errc::bad_length);
  EXPECT_EQ(dec(key.expose(), ByteView(nonce).first(nonce_size - 1), *sealed, ad).code(), Errc::bad_length);
}

TEST(XChaCha20Poly1305, RefusesTampering) {
  expect_tamper_refused(xchacha20poly1305_encrypt, xchacha20poly1305_decrypt, kXChaChaNonceSize);
}

TEST(ChaCha20Poly1305, RefusesTampering) {
  expect_tamper_refused(chacha20poly1305_ietf_encrypt, chacha20poly1305_ietf_decrypt, kChaChaIetfNonceSize);
}

TEST(Aes256Gcm, RefusesTamperingWhereAvailable) {
  if (!aes256gcm_available()) {
    EXPECT_EQ(aes256gcm_encrypt(AeadKeyView(Bytes(32).data(), 32), Bytes(12), {}, {}).code(), Errc::unavailable);
    GTEST_SKIP() << "no AES-NI on this CPU";
  }
  expect_tamper_refused(aes256gcm_encrypt, aes256gcm_decrypt, kAesGcmNonceSize);
}

TEST(SealXChaCha, RoundTripsWithFreshNonces) {
  testing::DeterministicRng rng(21);
  AeadKey key;
  rng.fill(key.expose_mut());
  auto a = seal_xchacha(key.expose(), to_bytes("same"), {}, rng);
  auto b = seal_xchacha(key.expose(), to_bytes("same"), {}, rng);
  EXPECT_NE(a, b);
  auto opened = open_xchacha(key.expose(), a, {});
  ASSERT_TRUE(opened);
  EXPECT_EQ(to_string(opened->expose()), "same");
  EXPECT_EQ(open_xchacha(key.expose(), ByteView(a).first(10), {}).code(), Errc::bad_length);
}

}  // namespace
}  // namespace hush::crypto
