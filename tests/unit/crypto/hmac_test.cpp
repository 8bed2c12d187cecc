// RFC 4231 §4, test cases 1-7 (HMAC-SHA-256).
#include <hush/crypto/hmac.hpp>
#include <hush/testing/hex.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {
using testing::hex;

Bytes repeat(std::uint8_t b, std::size_t n) { return Bytes(n, b); }

TEST(HmacSha256, Rfc4231Cases) {
  struct Case {
    Bytes key;
    Bytes data;
    const char* mac;
  };
  const Case cases[] = {
      {repeat(0x0b, 20), to_bytes("Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {to_bytes("Jefe"), to_bytes("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {repeat(0xaa, 20), repeat(0xdd, 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {repeat(0xaa, 131), to_bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {repeat(0xaa, 131),
       to_bytes("This is a test using a larger than block-size key and a larger than block-size data. The key needs "
                "to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_hex(hmac_sha256(c.key, c.data).expose()), c.mac);
    HmacSha256 streaming(c.key);
    streaming.update(ByteView(c.data).first(c.data.size() / 2)).update(ByteView(c.data).subspan(c.data.size() / 2));
    EXPECT_EQ(to_hex(streaming.finish().expose()), c.mac);
  }
}

TEST(HmacSha256, Rfc4231Case5Truncated) {
  auto mac = hmac_sha256(repeat(0x0c, 20), to_bytes("Test With Truncation"));
  EXPECT_EQ(to_hex(mac.expose().first(16)), "a3b6167473100ee06e0c796c2955552b");
}

TEST(HmacSha256, EmptyKeyAndData) {
  // HMAC-SHA256("", "") is a well-known value.
  EXPECT_EQ(to_hex(hmac_sha256({}, {}).expose()), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace hush::crypto
