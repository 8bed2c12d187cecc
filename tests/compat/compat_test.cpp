// Records written by earlier libhush versions must load and keep working
// (data in tests/compat/data/<set>/, written by make_compat_records): v1 =
// session record format 1 (protobuf), v3 = session format 3 (fixed layout),
// both with pre-key record format 1 (key pair halves checked on load);
// v3-prekey-v2 = session format 3 with pre-key record format 2 (integrity
// digest). Signed pre-key records were added to the generator with v3.
// v4 = session format 4 holding a version-3 session; v4-pqxdh = session
// format 4 holding a version-4 (PQXDH) session, plus a Kyber pre-key record
// (format 1).
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

namespace hush::signal {
namespace {

class Compat : public ::testing::TestWithParam<const char*> {
 protected:
  Bytes read(const std::string& name) const { return read_file(std::string(GetParam()) + "/" + name); }

 private:
  static Bytes read_file(const std::string& relative);
};

Bytes Compat::read_file(const std::string& relative) {
  std::ifstream in(std::string(HUSH_COMPAT_DATA) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST_P(Compat, SessionRecordLoadsAndDecryptsLateAndNextMessages) {
  Bytes record = read("bob_session_with_alice.bin");
  auto parsed = SessionRecord::deserialize(record);
  ASSERT_TRUE(parsed) << errc_name(parsed.code());
  ASSERT_TRUE(parsed->has_current_state());

  // A fresh device store for bob with the old record restored into it.
  testing::SignalParty bob{"bob", 1002};
  ProtocolAddress alice{"alice", DeviceId{1}};
  bob.store().sessions.put_raw(alice, SecretBuffer(record));
  auto late = bob.decrypt(alice, CiphertextMessage{MessageType::whisper, read("late_message.bin")});
  ASSERT_TRUE(late) << errc_name(late.code());
  EXPECT_EQ(*late, "a late message from an older record");
  auto next = bob.decrypt(alice, CiphertextMessage{MessageType::whisper, read("next_message.bin")});
  ASSERT_TRUE(next) << errc_name(next.code());
  EXPECT_EQ(*next, "and the one after it");
}

TEST_P(Compat, PreKeyRecordLoads) {
  auto rec = PreKeyRecord::deserialize(read("pre_key_77.bin"));
  ASSERT_TRUE(rec) << errc_name(rec.code());
  EXPECT_EQ(rec->id.value, 77u);
}

TEST_P(Compat, PreKeyRecordWithMismatchedHalvesIsRefused) {
  // Damage the private key's last byte (format 1: the pair check; format 2:
  // the digest; both bad_key).
  Bytes bytes = read("pre_key_77.bin");
  auto rec = PreKeyRecord::deserialize(bytes);
  ASSERT_TRUE(rec);
  const auto secret = rec->key_pair.private_key.secret().expose();
  auto at = std::search(bytes.begin(), bytes.end(), secret.begin(), secret.end());
  ASSERT_NE(at, bytes.end());
  *(at + 10) ^= 0x01;
  EXPECT_EQ(PreKeyRecord::deserialize(bytes).code(), Errc::bad_key);
}

class SignedCompat : public Compat {};

TEST_P(SignedCompat, SignedPreKeyRecordLoadsAndVerifies) {
  auto rec = SignedPreKeyRecord::deserialize(read("signed_pre_key_9.bin"));
  ASSERT_TRUE(rec) << errc_name(rec.code());
  EXPECT_EQ(rec->id.value, 9u);
  EXPECT_EQ(rec->timestamp_ms, 1700000000000u);
  // Signed by bob of the fixed scenario.
  testing::SignalParty bob{"bob", 1002};
  EXPECT_TRUE(crypto::xeddsa_verify(bob.identity(), rec->key_pair.public_key.serialize(), rec->signature));
}

class KyberCompat : public Compat {};

TEST_P(KyberCompat, KyberPreKeyRecordLoadsAndVerifies) {
  auto rec = KyberPreKeyRecord::deserialize(read("kyber_pre_key_5.bin"));
  ASSERT_TRUE(rec) << errc_name(rec.code());
  EXPECT_EQ(rec->id.value, 5u);
  EXPECT_EQ(rec->timestamp_ms, 1700000000000u);
  EXPECT_TRUE(rec->last_resort);
  testing::SignalParty bob{"bob", 1002};
  EXPECT_TRUE(kyber_signature_valid(bob.identity(), rec->public_key(), rec->signature));
}

TEST_P(KyberCompat, SessionIsVersion4) {
  auto parsed = SessionRecord::deserialize(read("bob_session_with_alice.bin"));
  ASSERT_TRUE(parsed) << errc_name(parsed.code());
  EXPECT_EQ(parsed->current_state()->session_version, 4u);
  EXPECT_TRUE(parsed->current_state()->pq_ratchet_seed.has_value());
}

const auto kSetName = [](const ::testing::TestParamInfo<const char*>& param_info) {
  std::string name(param_info.param);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
};
INSTANTIATE_TEST_SUITE_P(RecordFormats, Compat, ::testing::Values("v1", "v3", "v3-prekey-v2", "v4", "v4-pqxdh"),
                         kSetName);
INSTANTIATE_TEST_SUITE_P(RecordFormats, SignedCompat, ::testing::Values("v3", "v3-prekey-v2", "v4", "v4-pqxdh"),
                         kSetName);
INSTANTIATE_TEST_SUITE_P(RecordFormats, KyberCompat, ::testing::Values("v4-pqxdh"), kSetName);

}  // namespace
}  // namespace hush::signal
