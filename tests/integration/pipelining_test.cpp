// Mailbox writes in flight together on one connection (issue #5): hushd
// reads a connection's sends and acks while earlier ones wait for group
// commit, answers each once, stores them in the order sent, and pushes the
// committed envelopes to the recipient in seq order, whether it hands them
// over directly or (queue full) lets the recipient read them from the
// mailbox. Any other request waits for the writes before it. Runs on both
// backends; hushd built without the non-blocking path must pass it too.
#include "harness.hpp"

#include <cstdio>
#include <map>
#include <set>

namespace hush::testing {
namespace {

/// The value of an unlabelled counter in /metrics text, or -1.
std::int64_t metric(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const auto at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

/// A 16-byte message id for message `i`.
std::string numbered_id(int i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "pipe%012d", i);
  return std::string(buf, 16);
}

/// Writes `frame` with request id `id`, without waiting for its answer.
bool send_with_id(TestClient& c, pb::ClientFrame frame, std::uint64_t id) {
  frame.set_id(id);
  return c.send_raw(frame.SerializeAsString());
}

/// Reads frames until `count` responses arrived; returns their status by id
/// (a repeated id fails the test). Envelopes read meanwhile go to `envelopes`.
std::map<std::uint64_t, unsigned> read_responses(TestClient& c, std::size_t count,
                                                 std::vector<pb::Envelope>* envelopes = nullptr) {
  std::map<std::uint64_t, unsigned> status;
  while (status.size() < count) {
    auto f = c.read_frame(20s);
    if (!f) {
      ADD_FAILURE() << "only " << status.size() << " of " << count << " answers";
      break;
    }
    if (f->has_envelope()) {
      if (envelopes != nullptr) envelopes->push_back(f->envelope());
      continue;
    }
    EXPECT_TRUE(status.emplace(f->response().id(), f->response().status()).second)
        << "answered twice: " << f->response().id();
  }
  return status;
}

/// Reads `count` distinct envelopes (by seq; a repeat on the wire is allowed
/// and skipped, as clients do) and checks seq and content order.
std::vector<pb::Envelope> read_in_order(TestClient& c, int count, const std::string& body_prefix) {
  std::vector<pb::Envelope> out;
  std::uint64_t last_seq = 0;
  while (static_cast<int>(out.size()) < count) {
    auto e = c.next_envelope(20s);
    if (!e) {
      ADD_FAILURE() << "only " << out.size() << " of " << count << " envelopes";
      break;
    }
    if (e->seq() <= last_seq) continue;  // a duplicate on the wire
    last_seq = e->seq();
    const int i = static_cast<int>(out.size());
    EXPECT_EQ(e->message_id(), numbered_id(i)) << "out of order at " << i;
    EXPECT_EQ(e->content().substr(0, body_prefix.size() + 6), body_prefix + std::to_string(100000 + i))
        << "out of order at " << i;
    out.push_back(*e);
  }
  return out;
}

TEST_P(HushdPipelining, AnswersPipelinedSendsOnceAndPushesThemInOrder) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 61);
  auto bob = h.register_user("bob", 62);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  auto b = h.online(*bob);
  ASSERT_TRUE(a && b);

  constexpr int kSends = 200;
  for (int i = 0; i < kSends; ++i) {
    ASSERT_TRUE(send_with_id(*a, send_frame(bob->device, numbered_id(i), "m" + std::to_string(100000 + i)),
                             static_cast<std::uint64_t>(i + 1)));
  }
  auto answers = read_responses(*a, kSends);
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kSends));
  for (const auto& [id, status] : answers) EXPECT_EQ(status, 200u) << "request " << id;

  auto got = read_in_order(*b, kSends, "m");
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kSends));
  // Acks pipelined as well; then the mailbox is empty.
  for (int i = 0; i < kSends; ++i) {
    ASSERT_TRUE(send_with_id(*b, ack_frame(got[static_cast<std::size_t>(i)].seq()), static_cast<std::uint64_t>(i + 1)));
  }
  auto acks = read_responses(*b, kSends);
  for (const auto& [id, status] : acks) EXPECT_EQ(status, 200u) << "ack " << id;
  EXPECT_EQ(h.database_scalar("SELECT COUNT(*) FROM queue"), 0);
  b->close();
  b = h.online(*bob);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->next_envelope(std::chrono::milliseconds(300)));
}

TEST_P(HushdPipelining, ARecipientThatStopsReadingGetsEverythingInOrderFromTheMailbox) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 71);
  auto bob = h.register_user("bob", 72);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  auto b = h.online(*bob);
  ASSERT_TRUE(a && b);

  // Bob reads nothing while 160 envelopes of 96 KiB (15 MiB) are sent:
  // far more than the sockets buffer, so hushd's outgoing queue (64 frames)
  // fills, live pushes pause, and the rest must come from the mailbox.
  constexpr int kSends = 160;
  const std::string padding(96 * 1024, 'p');
  for (int i = 0; i < kSends; ++i) {
    auto r = a->call(send_frame(bob->device, numbered_id(i), "b" + std::to_string(100000 + i) + padding));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
  }
  auto got = read_in_order(*b, kSends, "b");
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kSends));
  struct {
    std::string body;
  } metrics{h.hushd().metrics()};
  ASSERT_FALSE(metrics.body.empty());
  EXPECT_GT(metric(metrics.body, "hushd_push_pauses_total"), 0) << "the queue never filled: the test proves nothing";
  EXPECT_EQ(metric(metrics.body, "hushd_messages_out_total"), kSends) << "an envelope was pushed twice";
}

TEST_P(HushdPipelining, ARequestOffThePipelineIsAnsweredAfterTheWritesBeforeIt) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  auto alice = h.register_user("alice", 81);
  auto bob = h.register_user("bob", 82);
  ASSERT_TRUE(alice && bob);
  auto a = h.online(*alice);
  ASSERT_TRUE(a);

  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(send_with_id(*a, send_frame(bob->device, numbered_id(i), "m" + std::to_string(100000 + i)),
                             static_cast<std::uint64_t>(i + 1)));
  }
  ASSERT_TRUE(send_with_id(*a, pre_key_count_frame(), 1000));
  // A stale send in the middle fails alone.
  ASSERT_TRUE(send_with_id(*a, send_frame(bob->device, numbered_id(999), "stale", 1, 1), 1001));
  for (int i = 20; i < 40; ++i) {
    ASSERT_TRUE(send_with_id(*a, send_frame(bob->device, numbered_id(i), "m" + std::to_string(100000 + i)),
                             static_cast<std::uint64_t>(i + 1)));
  }
  auto answers = read_responses(*a, 42);
  ASSERT_EQ(answers.size(), 42u);
  for (const auto& [id, status] : answers) {
    if (id == 1001) {
      EXPECT_EQ(status, 410u);
    } else {
      EXPECT_EQ(status, 200u) << "request " << id;
    }
  }
  EXPECT_EQ(h.database_scalar("SELECT COUNT(*) FROM queue"), 40);
  auto b = h.online(*bob);
  ASSERT_TRUE(b);
  auto got = read_in_order(*b, 40, "m");
  EXPECT_EQ(got.size(), 40u);
}

}  // namespace
}  // namespace hush::testing
