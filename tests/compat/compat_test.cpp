// Records written by earlier libhush versions must load and keep working
// (data in tests/compat/data/v<N>/, written by make_compat_records).
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace hush::signal {
namespace {

Bytes read(const std::string& name) {
  std::ifstream in(std::string(HUSH_COMPAT_DATA) + "/v1/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(CompatV1, SessionRecordLoadsAndDecryptsLateAndNextMessages) {
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

TEST(CompatV1, PreKeyRecordLoads) {
  auto rec = PreKeyRecord::deserialize(read("pre_key_77.bin"));
  ASSERT_TRUE(rec) << errc_name(rec.code());
  EXPECT_EQ(rec->id.value, 77u);
}

}  // namespace
}  // namespace hush::signal
