// FIPS 180-4 examples ("abc") for SHA-256 and SHA-512.
#include <hush/crypto/sha.hpp>

#include <gtest/gtest.h>

namespace hush::crypto {
namespace {

TEST(Sha, Fips1804Abc) {
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha512(as_bytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
            "454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Sha512, StreamingMatchesOneShotAndResets) {
  Sha512 h;
  h.update(as_bytes("a")).update(as_bytes("bc"));
  EXPECT_EQ(h.finish(), sha512(as_bytes("abc")));
  h.update(as_bytes("abc"));
  EXPECT_EQ(h.finish(), sha512(as_bytes("abc")));
}

}  // namespace
}  // namespace hush::crypto
