// Safety numbers: libsignal-protocol-c's published known answers
// (tests/test_fingerprint.c of 2.3.3: two identity keys, "+14152222222" and
// "+14153333333", 5200 iterations), symmetry, and every comparison outcome.
#include <hush/signal/fingerprint.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/hex.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {

const char* kAliceIdentity = "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868";
const char* kBobIdentity = "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b";
const char* kDisplayable = "300354477692869396892869876765458257569162576843440918079131";
const char* kAliceScannableV1 =
    "080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac"
    "306fea3aaf3885b84d12bca631e9d4fb3a4d";
const char* kBobScannableV1 =
    "080112220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d1a220a201e301a0353dce3dbe7684cb8336e"
    "85136cdc0ee96219494ada305d62a7bd61df";

IdentityKey key(const char* hex) { return *IdentityKey::deserialize(*from_hex(hex)); }

TEST(Fingerprint, MatchesLibsignalKnownAnswersVersion1) {
  auto alice = create_fingerprint("+14152222222", key(kAliceIdentity), "+14153333333", key(kBobIdentity));
  auto bob = create_fingerprint("+14153333333", key(kBobIdentity), "+14152222222", key(kAliceIdentity));
  ASSERT_TRUE(alice);
  ASSERT_TRUE(bob);
  EXPECT_EQ(alice->displayable.text(), kDisplayable);
  EXPECT_EQ(bob->displayable.text(), kDisplayable);
  EXPECT_EQ(to_hex(alice->scannable.serialize()), kAliceScannableV1);
  EXPECT_EQ(to_hex(bob->scannable.serialize()), kBobScannableV1);
  EXPECT_EQ(*alice->scannable.compare(bob->scannable.serialize()), FingerprintMatch::match);
  EXPECT_EQ(*bob->scannable.compare(alice->scannable.serialize()), FingerprintMatch::match);
}

TEST(Fingerprint, Version0CarriesKeysAndIdentifiers) {
  FingerprintOptions v0{kFingerprintIterations, 0};
  auto alice = create_fingerprint("+14152222222", key(kAliceIdentity), "+14153333333", key(kBobIdentity), v0);
  auto bob = create_fingerprint("+14153333333", key(kBobIdentity), "+14152222222", key(kAliceIdentity), v0);
  ASSERT_TRUE(alice && bob);
  EXPECT_EQ(alice->displayable.text(), kDisplayable);
  // 08 00 | 12 31 (0a 21 <alice key> 12 0c "+14152222222") | 1a 31 (...bob...)
  const std::string hex = to_hex(alice->scannable.serialize());
  EXPECT_EQ(hex.substr(0, 12), "080012310a21");
  EXPECT_NE(hex.find(kAliceIdentity), std::string::npos);
  EXPECT_NE(hex.find(to_hex(as_bytes("+14152222222"))), std::string::npos);
  EXPECT_EQ(alice->scannable.compare(bob->scannable), FingerprintMatch::match);
  auto carol = create_fingerprint("+14154444444", key(kBobIdentity), "+14152222222", key(kAliceIdentity), v0);
  EXPECT_EQ(alice->scannable.compare(carol->scannable), FingerprintMatch::identifier_mismatch);
}

TEST(Fingerprint, ComparisonOutcomesAreDistinct) {
  testing::DeterministicRng rng(5);
  auto a = IdentityKeyPair::generate(rng).public_key;
  auto b = IdentityKeyPair::generate(rng).public_key;
  auto mitm = IdentityKeyPair::generate(rng).public_key;
  auto ours = *create_fingerprint("a", a, "b", b);
  auto theirs = *create_fingerprint("b", b, "a", a);
  auto attacked = *create_fingerprint("b", b, "a", mitm);  // they see a key that is not ours
  auto old_format = *create_fingerprint("b", b, "a", a, {kFingerprintIterations, 0});
  EXPECT_EQ(ours.scannable.compare(theirs.scannable), FingerprintMatch::match);
  EXPECT_EQ(ours.scannable.compare(attacked.scannable), FingerprintMatch::mismatch);
  EXPECT_NE(ours.displayable.text(), attacked.displayable.text());
  EXPECT_EQ(ours.scannable.compare(old_format.scannable), FingerprintMatch::version_mismatch);
  EXPECT_EQ(ours.scannable.compare(ours.scannable), FingerprintMatch::mismatch);  // our own code, not theirs
  EXPECT_EQ(ours.scannable.compare(Bytes{0x08, 0x01}).value(), FingerprintMatch::version_mismatch);
  EXPECT_EQ(ours.scannable.compare(Bytes{0xff}).code(), Errc::decode_error);
}

TEST(Fingerprint, RefusesInvalidOptions) {
  testing::DeterministicRng rng(6);
  auto a = IdentityKeyPair::generate(rng).public_key;
  EXPECT_EQ(create_fingerprint("a", a, "b", a, {0, 1}).code(), Errc::invalid_argument);
  EXPECT_EQ(create_fingerprint("a", a, "b", a, {5200, 2}).code(), Errc::invalid_argument);
  EXPECT_EQ(create_fingerprint(std::string_view("a\0b", 3), a, "b", a).code(), Errc::invalid_argument);
}

}  // namespace
}  // namespace hush::signal
