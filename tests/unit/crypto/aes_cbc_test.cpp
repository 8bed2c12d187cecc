// NIST SP 800-38A F.2.5/F.2.6 (CBC-AES256) and PKCS#7 padding behaviour.
#include <hush/crypto/aes_cbc.hpp>
#include <hush/testing/hex.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {
using testing::hex;

const Bytes kKey = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
const Bytes kIv = hex("000102030405060708090a0b0c0d0e0f");
const Bytes kPlain = hex(
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710");
const Bytes kCipher = hex(
    "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
    "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b");

AesKeyView key() { return AesKeyView(kKey.data(), 32); }
AesIvView iv() { return AesIvView(kIv.data(), 16); }

TEST(AesCbc, Sp80038aF25Encrypt) {
  auto ct = aes256_cbc_encrypt_nopad(key(), iv(), kPlain);
  ASSERT_TRUE(ct);
  EXPECT_EQ(*ct, kCipher);
}

TEST(AesCbc, Sp80038aF26Decrypt) {
  auto pt = aes256_cbc_decrypt_nopad(key(), iv(), kCipher);
  ASSERT_TRUE(pt);
  EXPECT_EQ(*pt, kPlain);
}

TEST(AesCbc, Pkcs7PadsAWholeBlockAfterAlignedInput) {
  auto ct = aes256_cbc_encrypt(key(), iv(), kPlain);
  ASSERT_EQ(ct.size(), kPlain.size() + 16);
  EXPECT_TRUE(std::equal(kCipher.begin(), kCipher.end(), ct.begin()));
  auto pt = aes256_cbc_decrypt(key(), iv(), ct);
  ASSERT_TRUE(pt);
  EXPECT_EQ(to_bytes(pt->expose()), kPlain);
}

TEST(AesCbc, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 70; ++n) {
    Bytes msg(n, static_cast<std::uint8_t>(n));
    auto ct = aes256_cbc_encrypt(key(), iv(), msg);
    EXPECT_EQ(ct.size(), (n / 16 + 1) * 16);
    auto pt = aes256_cbc_decrypt(key(), iv(), ct);
    ASSERT_TRUE(pt);
    EXPECT_EQ(to_bytes(pt->expose()), msg);
  }
}

TEST(AesCbc, RefusesBadLengthsAndPadding) {
  EXPECT_EQ(aes256_cbc_decrypt(key(), iv(), {}).code(), Errc::bad_length);
  EXPECT_EQ(aes256_cbc_decrypt(key(), iv(), ByteView(kCipher).first(15)).code(), Errc::bad_length);
  // The NIST ciphertext decrypts to data whose last byte is not valid padding.
  EXPECT_EQ(aes256_cbc_decrypt(key(), iv(), kCipher).code(), Errc::decode_error);
}

}  // namespace
}  // namespace hush::crypto
