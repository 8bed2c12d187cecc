// Records written by earlier libhush versions must load and keep working
// (data in tests/compat/data/v<N>/, written by make_compat_records; N is the
// session record format: v1 protobuf records, v3 fixed-layout records).
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

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

INSTANTIATE_TEST_SUITE_P(RecordFormats, Compat, ::testing::Values("v1", "v3"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) { return std::string(param_info.param); });

}  // namespace
}  // namespace hush::signal
