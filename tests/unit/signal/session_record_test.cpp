// Session records: round trips, bounds, and refusal of corrupt records.
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>

#include <gtest/gtest.h>

namespace hush::signal {
namespace {
using testing::SignalParty;

TEST(SessionRecord, RoundTripsByteForByte) {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "x")));
  auto skipped = *alice.encrypt(bob.address(), "skipped");
  ASSERT_TRUE(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "after")));
  (void)skipped;
  Bytes bytes = bob.session_bytes(alice.address());
  auto record = SessionRecord::deserialize(bytes);
  ASSERT_TRUE(record);
  EXPECT_EQ(to_bytes(record->serialize().expose()), bytes);
  ASSERT_EQ(record->current_state()->receiver_chains.size(), 1u);
  EXPECT_EQ(record->current_state()->receiver_chains[0].skipped.size(), 1u);
}

TEST(SessionRecord, ArchiveKeepsAtMost40PreviousStates) {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  for (int i = 0; i < 45; ++i) ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  auto record = *SessionRecord::deserialize(alice.session_bytes(bob.address()));
  EXPECT_TRUE(record.has_current_state());
  EXPECT_EQ(record.previous_states().size(), kMaxArchivedStates);
}

TEST(SessionRecord, RefusesCorruptRecordsWithTypedErrors) {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  ASSERT_TRUE(alice.start_session(bob.address(), bob.make_bundle()));
  Bytes good = alice.session_bytes(bob.address());
  EXPECT_EQ(SessionRecord::deserialize(Bytes{0xff, 0xff, 0xff}).code(), Errc::decode_error);
  // Every truncation either fails cleanly or yields a record (protobuf is
  // prefix-tolerant); none crashes.
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    auto r = SessionRecord::deserialize(ByteView(good).first(cut));
    if (r) (void)r->serialize();
  }
  // An unknown format version is refused.
  Bytes v2 = good;
  ASSERT_EQ(v2[0], 0x08);  // field 1, varint
  v2[1] = 2;
  EXPECT_EQ(SessionRecord::deserialize(v2).code(), Errc::unsupported_version);
}

TEST(SessionRecord, EmptyRecordRoundTrips) {
  SessionRecord r;
  auto back = SessionRecord::deserialize(r.serialize().expose());
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->has_current_state());
}

}  // namespace
}  // namespace hush::signal
