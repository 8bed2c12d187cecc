// The sent-message store kept for resends and the decryption-error budget
// (issue #13, docs/protocol.md §7.6): frames sealed and found by envelope id,
// resends bounded per message, rows pruned by age and count, the budget
// counting per peer and kind within its window.
#include "store_fixture.hpp"

#include <hush/client/store/sent_messages.hpp>
#include <hush/crypto/random.hpp>

#include <gtest/gtest.h>

namespace hush::client::store {
namespace {

using fixture::TempHome;
using fixture::test_passphrase;

Bytes id_of(std::uint8_t n) { return Bytes(16, n); }

struct ClockedStore {
  TempHome t;
  std::uint64_t now = 1'000'000;
  std::unique_ptr<LocalStore> store;
  ClockedStore() {
    auto made = LocalStore::create(t.home(), test_passphrase("pw"), crypto::system_rng(), [this] { return now; });
    HUSH_CHECK(made.has_value());
    store = std::move(*made);
    HUSH_CHECK(ensure_sent_message_tables(*store).has_value());
  }
};

TEST(SentMessages, KeepsSealedFramesAndBoundsResends) {
  ClockedStore s;
  SentMessages sent(*s.store);
  const Bytes account(16, 0xaa);
  const Bytes frame = to_bytes(std::string_view("a padded frame"));
  ASSERT_TRUE(sent.keep(id_of(1), account, "bob", frame));
  auto found = sent.find(id_of(1));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->recipient_name, "bob");
  EXPECT_EQ((*found)->recipient_account, account);
  EXPECT_EQ(to_bytes((*found)->frame.expose()), frame);
  EXPECT_FALSE((*found)->resend_pending);
  auto none = sent.find(id_of(2));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  for (std::uint32_t i = 0; i < kMaxResendsPerMessage; ++i) {
    auto asked = sent.request_resend(id_of(1));
    ASSERT_TRUE(asked);
    EXPECT_TRUE(*asked);
    auto pending = sent.pending_resends();
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 1u);
    ASSERT_TRUE(sent.resent(id_of(1)));
    EXPECT_TRUE(sent.pending_resends()->empty());
  }
  auto refused = sent.request_resend(id_of(1));  // resent enough: it cannot help any more
  ASSERT_TRUE(refused);
  EXPECT_FALSE(*refused);
  EXPECT_FALSE(*sent.request_resend(id_of(9)));  // never sent
}

TEST(SentMessages, FramesAreSealedNotStoredInTheClear) {
  ClockedStore s;
  SentMessages sent(*s.store);
  ASSERT_TRUE(sent.keep(id_of(1), Bytes(16, 1), "bob", to_bytes(std::string_view("canary-plaintext-4711"))));
  s.store.reset();
  std::string files;
  for (const auto& path : {s.t.db(), s.t.wal()}) {
    const Bytes b = fixture::read_file(path);
    files.append(b.begin(), b.end());
  }
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files.find("canary-plaintext-4711"), std::string::npos);
}

TEST(SentMessages, PrunedByAgeAndCount) {
  ClockedStore s;
  SentMessages sent(*s.store);
  ASSERT_TRUE(sent.keep(id_of(1), Bytes(16, 1), "bob", Bytes(4, 1)));
  s.now += kSentMessageRetentionMs + 1;
  ASSERT_TRUE(sent.keep(id_of(2), Bytes(16, 1), "bob", Bytes(4, 2)));
  EXPECT_FALSE(*sent.find(id_of(1)));  // older than the retention
  EXPECT_TRUE(*sent.find(id_of(2)));
  for (std::size_t i = 0; i < kMaxSentMessages; ++i) {
    ++s.now;
    Bytes id(16, 0);
    id[0] = static_cast<std::uint8_t>(i);
    id[1] = static_cast<std::uint8_t>(i >> 8);
    id[2] = 0x77;
    ASSERT_TRUE(sent.keep(id, Bytes(16, 1), "bob", Bytes(4, 3)));
  }
  EXPECT_FALSE(*sent.find(id_of(2)));  // the oldest beyond kMaxSentMessages
}

TEST(DecryptionErrorBudget, CountsPerPeerAndKindWithinItsWindow) {
  ClockedStore s;
  DecryptionErrorBudget budget(*s.store);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(*budget.take("aa.1", "report", 3, 1000));
  EXPECT_FALSE(*budget.take("aa.1", "report", 3, 1000));
  EXPECT_TRUE(*budget.take("aa.2", "report", 3, 1000));  // another device
  EXPECT_TRUE(*budget.take("aa.1", "resend", 3, 1000));  // another kind
  s.now += 1000;
  EXPECT_TRUE(*budget.take("aa.1", "report", 3, 1000));  // a new window
}

}  // namespace
}  // namespace hush::client::store
