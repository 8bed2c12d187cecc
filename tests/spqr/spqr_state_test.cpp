// SpqrState end to end: two instances over a lossy, reordering channel for
// thousands of messages (keys agree, epochs advance both ways), version
// negotiation as the crate's lib.rs tests (ratchet, ratchet_v0_empty_states,
// empty_key_until_version_negotiation), and one test per failure kind
// showing the state is left exactly as it was.
#include "spqr_state_impl.hpp"

#include <hush/signal/spqr.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <deque>
#include <functional>

namespace hush::signal::spqr {
namespace {

using testing::DeterministicRng;

const Bytes kAuthKey(32, 41);  // the crate's tests use [41u8; 32]

SpqrState make(Direction d, Version min = Version::v1) {
  SpqrParams p;
  p.version = Version::v1;
  p.min_version = min;
  p.direction = d;
  p.auth_key = kAuthKey;
  auto s = SpqrState::initial(p);
  HUSH_CHECK(s.has_value());
  return std::move(s).value();
}

Bytes record(const SpqrState& s) {
  return to_bytes(s.serialize().expose());
}

struct InFlight {
  Bytes message;
  std::optional<MessageKey> key;
};

void expect_same_key(const std::optional<MessageKey>& sent, const std::optional<MessageKey>& got) {
  ASSERT_EQ(sent.has_value(), got.has_value());
  if (sent) {
    EXPECT_TRUE(ct_equal(*sent, *got));
  }
}

TEST(SpqrState, PingPongKeysAgreeAndEpochsAdvance) {
  DeterministicRng rng(1);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  for (int i = 0; i < 300; ++i) {
    auto sa = a.send(rng);
    ASSERT_TRUE(sa.has_value());
    ASSERT_TRUE(sa->key.has_value());
    auto rb = b.recv(sa->message);
    ASSERT_TRUE(rb.has_value()) << i;
    expect_same_key(sa->key, *rb);
    auto sb = b.send(rng);
    ASSERT_TRUE(sb.has_value());
    auto ra = a.recv(sb->message);
    ASSERT_TRUE(ra.has_value()) << i;
    expect_same_key(sb->key, *ra);
  }
  EXPECT_GE(a.epoch(), 5u);
  EXPECT_GE(b.epoch(), 5u);
  EXPECT_FALSE(a.negotiating());
}

// Sides send at random; each message is lost with probability 1/5 and the
// rest arrive in random order among the few oldest pending.
void lossy_conversation(std::uint64_t seed, int messages) {
  DeterministicRng rng(seed);
  SpqrState side[2] = {make(Direction::a2b), make(Direction::b2a)};
  std::deque<InFlight> to[2];  // to[i]: in flight towards side i
  std::uint64_t delivered = 0;
  for (int i = 0; i < messages; ++i) {
    const int from = static_cast<int>(rng.uniform(2));
    auto sent = side[from].send(rng);
    ASSERT_TRUE(sent.has_value());
    if (rng.uniform(5) != 0) to[1 - from].push_back(InFlight{sent->message, std::move(sent->key)});
    for (int r = 0; r < 2; ++r) {
      while (!to[r].empty() && rng.uniform(3) != 0) {
        const std::size_t pick = rng.uniform(static_cast<std::uint32_t>(std::min<std::size_t>(to[r].size(), 4)));
        InFlight m = std::move(to[r][pick]);
        to[r].erase(to[r].begin() + static_cast<std::ptrdiff_t>(pick));
        auto got = side[r].recv(m.message);
        ASSERT_TRUE(got.has_value()) << "message " << i << ": " << errc_name(got.code()) << " " << got.error().context;
        expect_same_key(m.key, *got);
        ++delivered;
      }
    }
  }
  EXPECT_GT(delivered, static_cast<std::uint64_t>(messages) / 2);
  // Roles swap every epoch, so both directions carried keys and ciphertexts.
  EXPECT_GE(side[0].epoch(), 10u);
  EXPECT_GE(side[1].epoch(), 10u);
}

TEST(SpqrState, KeysAgreeOverALossyReorderingChannel) {
  for (std::uint64_t seed : {11, 12, 13}) lossy_conversation(seed, 3000);
}

TEST(SpqrState, V0StatesCarryNothing) {
  DeterministicRng rng(2);
  SpqrState a;
  SpqrState b;
  for (int i = 0; i < 5; ++i) {
    auto s = a.send(rng);
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(s->message.empty());
    EXPECT_FALSE(s->key.has_value());
    auto r = b.recv(s->message);
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->has_value());
  }
  EXPECT_EQ(a.version(), Version::v0);
  EXPECT_TRUE(a.serialize().empty());
}

TEST(SpqrState, NoKeyUntilVersionNegotiatedWhenV0IsAllowed) {
  DeterministicRng rng(3);
  auto a = make(Direction::a2b, Version::v0);
  auto b = make(Direction::b2a, Version::v0);
  std::vector<SpqrSend> from_a;
  std::vector<SpqrSend> from_b;
  for (int i = 0; i < 3; ++i) {
    from_a.push_back(std::move(a.send(rng).value()));
    from_b.push_back(std::move(b.send(rng).value()));
    EXPECT_FALSE(from_a.back().key.has_value());
    EXPECT_FALSE(from_b.back().key.has_value());
  }
  EXPECT_TRUE(a.negotiating());
  for (auto& m : from_a) {
    auto r = b.recv(m.message);
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->has_value());
  }
  EXPECT_FALSE(b.negotiating());
  EXPECT_EQ(b.version(), Version::v1);
  // B now runs its chain: its messages carry keys A can derive.
  auto sb = b.send(rng);
  ASSERT_TRUE(sb->key.has_value());
  for (auto& m : from_b) ASSERT_TRUE(a.recv(m.message).has_value());
  auto ra = a.recv(sb->message);
  ASSERT_TRUE(ra.has_value());
  expect_same_key(sb->key, *ra);
}

TEST(SpqrState, NegotiatesDownToV0WhenAllowed) {
  DeterministicRng rng(4);
  auto a = make(Direction::a2b, Version::v0);
  SpqrState b;  // a peer without SPQR
  auto sb = b.send(rng);
  auto r = a.recv(sb->message);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(a.version(), Version::v0);
  EXPECT_TRUE(a.serialize().empty());
  auto sa = a.send(rng);
  EXPECT_TRUE(sa->message.empty());
}

TEST(SpqrState, RefusesV0BelowTheMinimumAndStaysAsItWas) {
  DeterministicRng rng(5);
  auto a = make(Direction::a2b, Version::v1);
  ASSERT_TRUE(a.send(rng).has_value());
  const Bytes before = record(a);
  EXPECT_EQ(a.recv({}).code(), Errc::unsupported_version);
  EXPECT_EQ(record(a), before);
}

TEST(SpqrState, RefusesV0AfterNegotiationCompleted) {
  DeterministicRng rng(6);
  auto a = make(Direction::a2b, Version::v0);
  auto b = make(Direction::b2a, Version::v0);
  ASSERT_TRUE(b.recv(a.send(rng)->message).has_value());  // B has seen V1
  const Bytes before = record(b);
  EXPECT_EQ(b.recv({}).code(), Errc::unsupported_version);
  EXPECT_EQ(record(b), before);
}

TEST(SpqrState, UnknownVersionByteIsIgnored) {
  auto b = make(Direction::b2a);
  const Bytes before = record(b);
  auto r = b.recv(Bytes{0x02, 0x01, 0x00, 0x00});
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(record(b), before);
}

// ---- failures leave the state unchanged ----

void expect_refused_unchanged(SpqrState& s, const Bytes& message, Errc expected) {
  const Bytes before = record(s);
  EXPECT_EQ(s.recv(message).code(), expected);
  EXPECT_EQ(record(s), before);
}

TEST(SpqrState, MalformedMessageChangesNothing) {
  DeterministicRng rng(7);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  Bytes m = a.send(rng)->message;
  m.pop_back();
  expect_refused_unchanged(b, m, Errc::decode_error);
}

TEST(SpqrState, ReplayedMessageChangesNothing) {
  DeterministicRng rng(8);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  const Bytes m = a.send(rng)->message;
  ASSERT_TRUE(b.recv(m).has_value());
  expect_refused_unchanged(b, m, Errc::duplicate_message);
}

TEST(SpqrState, TamperedHeaderChunkFailsTheMacAndChangesNothing) {
  DeterministicRng rng(9);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  Bytes m1 = a.send(rng)->message;
  const Bytes m2 = a.send(rng)->message;
  const Bytes m3 = a.send(rng)->message;
  m1.back() ^= 1;  // a byte of ρ in header chunk 0
  ASSERT_TRUE(b.recv(m1).has_value());
  ASSERT_TRUE(b.recv(m2).has_value());
  expect_refused_unchanged(b, m3, Errc::bad_mac);
}

// A lockstep conversation in which `tamper(from, message)` may change any
// message; stops at the first refused one, checks it left the receiver
// exactly as it was, and returns its error.
Errc first_refusal(const std::function<void(int, Bytes&)>& tamper) {
  DeterministicRng rng(20);
  SpqrState side[2] = {make(Direction::a2b), make(Direction::b2a)};
  for (int i = 0; i < 400; ++i) {
    for (int from = 0; from < 2; ++from) {
      auto sent = side[from].send(rng);
      EXPECT_TRUE(sent.has_value());
      tamper(from, sent->message);
      SpqrState& to = side[1 - from];
      const Bytes before = record(to);
      auto got = to.recv(sent->message);
      if (!got) {
        EXPECT_EQ(record(to), before);
        return got.code();
      }
    }
  }
  return Errc::ok;
}

detail::PayloadType type_of(const Bytes& m) {
  return detail::parse_message(m)->braid.type;
}

TEST(SpqrState, TamperedCiphertextChunkFailsTheMacAndChangesNothing) {
  bool done = false;
  EXPECT_EQ(first_refusal([&](int from, Bytes& m) {
              if (from == 1 && !done && type_of(m) == detail::PayloadType::ct2) {
                m.back() ^= 0x01;  // c2 ‖ MAC, chunk 0: a byte of c2
                done = true;
              }
            }),
            Errc::bad_mac);
}

TEST(SpqrState, KeyVectorNotMatchingItsHeaderChangesNothing) {
  EXPECT_EQ(first_refusal([](int from, Bytes& m) {
              const auto t = type_of(m);
              if (from == 0 && (t == detail::PayloadType::ek || t == detail::PayloadType::ek_ct1_ack)) m.back() ^= 0x01;
            }),
            Errc::invalid_message);
}

TEST(SpqrState, UntamperedConversationIsNeverRefused) {
  EXPECT_EQ(first_refusal([](int, Bytes&) {}), Errc::ok);
}

// The decapsulation key is checked (FIPS 203 §7.3) where it is used, at the
// end of its epoch, not at every load: a record whose key was damaged still
// loads, and the ciphertext that completes the epoch is refused with bad_key,
// leaving the state as it was.
TEST(SpqrState, DamagedDecapsulationKeyIsRefusedWhereItIsUsedAndChangesNothing) {
  DeterministicRng rng(22);
  SpqrState side[2] = {make(Direction::a2b), make(Direction::b2a)};
  bool damaged = false;
  for (int i = 0; i < 400; ++i) {
    for (int from = 0; from < 2; ++from) {
      auto sent = side[from].send(rng);
      ASSERT_TRUE(sent.has_value());
      auto& braid = *SpqrStateAccess::impl(side[0]).braid;
      if (!damaged && braid.dk) {
        SecretBuffer key(braid.dk.view());
        key.expose_mut()[1152 + 10] ^= 1;  // a byte of the ek inside dk: its hash no longer matches
        braid.dk = detail::FrozenBytes::owned(key.expose());
        damaged = true;
        auto reloaded = SpqrState::parse(side[0].serialize().expose());
        ASSERT_TRUE(reloaded.has_value()) << errc_name(reloaded.code());
        side[0] = std::move(reloaded).value();
      }
      SpqrState& to = side[1 - from];
      const Bytes before = record(to);
      auto got = to.recv(sent->message);
      if (!got) {
        EXPECT_TRUE(damaged);
        EXPECT_EQ(got.code(), Errc::bad_key);
        EXPECT_EQ(record(to), before);
        return;
      }
    }
  }
  FAIL() << "the damaged key was never used";
}

TEST(SpqrState, TrimmedKeyChangesNothing) {
  DeterministicRng rng(21);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  std::vector<Bytes> sent;
  for (int i = 0; i < 2100; ++i) sent.push_back(a.send(rng)->message);
  ASSERT_TRUE(b.recv(sent.back()).has_value());  // key 2100: 0 … 2099 skipped, the oldest beyond 2,000 dropped
  expect_refused_unchanged(b, sent.front(), Errc::stale_state);
  EXPECT_TRUE(b.recv(sent[200]).has_value());  // within the last 2,000: still there
}

TEST(SpqrState, EpochFarAheadChangesNothing) {
  auto b = make(Direction::b2a);
  // V1, epoch 5, index 1, type none.
  expect_refused_unchanged(b, Bytes{0x01, 0x05, 0x01, 0x00}, Errc::too_far_ahead);
}

TEST(SpqrState, KeyIndexJumpBeyondLimitChangesNothing) {
  auto b = make(Direction::b2a);
  // V1, epoch 1, index 30,000 (> max_jump 25,000), type none.
  expect_refused_unchanged(b, Bytes{0x01, 0x01, 0xB0, 0xEA, 0x01, 0x00}, Errc::too_far_ahead);
}

TEST(SpqrState, InitialRefusesBadParams) {
  SpqrParams p;
  p.version = Version::v0;
  p.min_version = Version::v1;
  EXPECT_EQ(SpqrState::initial(p).code(), Errc::invalid_argument);
  p.version = Version::v1;
  EXPECT_EQ(SpqrState::initial(p).code(), Errc::invalid_argument);  // empty auth key
}

// Two sides run twice: as states that never leave memory (send, recv) and
// as records, each step on a state parsed from the last record and changed
// in place (send_in_place, recv_in_place), as a session loading its record does.
struct TwoWays {
  DeterministicRng rng_state, rng_in_place;
  SpqrState side[2] = {make(Direction::a2b), make(Direction::b2a)};
  Bytes records[2] = {record(side[0]), record(side[1])};
  explicit TwoWays(std::uint64_t seed) : rng_state(seed), rng_in_place(seed) {}

  // One message from `from`, delivered unless `lost`; both ways must agree
  // on message, key and record, and on whether the receiver took it.
  void step(int from, bool lost) {
    auto sent = side[from].send(rng_state);
    auto sender = SpqrState::parse(records[from]);
    ASSERT_TRUE(sender.has_value());
    auto sent_i = sender->send_in_place(rng_in_place);
    ASSERT_TRUE(sent.has_value() && sent_i.has_value());
    EXPECT_EQ(to_hex(sent->message), to_hex(sent_i->message));
    expect_same_key(sent->key, sent_i->key);
    records[from] = record(*sender);
    ASSERT_EQ(to_hex(records[from]), to_hex(record(side[from])));
    if (lost) return;

    auto got = side[1 - from].recv(sent->message);
    auto receiver = SpqrState::parse(records[1 - from]);
    ASSERT_TRUE(receiver.has_value());
    auto got_i = receiver->recv_in_place(sent_i->message);
    ASSERT_EQ(got.has_value(), got_i.has_value());
    if (!got) return;
    expect_same_key(*got, *got_i);
    records[1 - from] = record(*receiver);
    ASSERT_EQ(to_hex(records[1 - from]), to_hex(record(side[1 - from])));
  }
};

// send_in_place and recv_in_place (what a session uses: it works on a copy
// of its state and drops it on failure) give exactly what send and recv
// give at every step of a conversation with epochs both ways.
TEST(SpqrState, InPlaceOperationsMatchTheCommittingOnes) {
  TwoWays t(30);
  for (int i = 0; i < 300; ++i) {
    ASSERT_NO_FATAL_FAILURE(t.step((i % 5 == 0) ? 1 : i % 2, false));  // irregular turns
  }
  EXPECT_GE(t.side[0].epoch(), 3u);
  // Refusals fail as recv does (the caller drops its copy).
  auto copy = SpqrState::parse(t.records[0]);
  EXPECT_EQ(copy->recv_in_place(Bytes{0x01, 0x50, 0x01, 0x00}).code(), Errc::too_far_ahead);
  copy = SpqrState::parse(t.records[0]);
  EXPECT_EQ(copy->recv_in_place(Bytes{0x01}).code(), Errc::decode_error);
  // V0 sends nothing and keeps no key, as the state does.
  SpqrState v0;
  auto nothing = v0.send_in_place(t.rng_in_place);
  ASSERT_TRUE(nothing.has_value());
  EXPECT_TRUE(nothing->message.empty() && !nothing->key && v0.serialized_size() == 0);
  // A later version's message is ignored: no key, the state as it was.
  copy = SpqrState::parse(t.records[0]);
  auto later = copy->recv_in_place(Bytes{0x02, 0x01});
  ASSERT_TRUE(later.has_value());
  EXPECT_FALSE(later->has_value());
  EXPECT_EQ(to_hex(record(*copy)), to_hex(t.records[0]));
}

// The same through long one-way stretches with lost messages: a sender
// keeps waiting with its key (dk, t̂) and sends chunks far past the message's
// own (evaluated ones), the receiver's decoder fills with gaps and skipped
// chain keys pile up; a state parsed from the record and changed in place
// must agree byte for byte with the one that never left memory.
TEST(SpqrState, InPlaceOperationsMatchTheCommittingOnesThroughOneWayStretchesAndLoss) {
  TwoWays t(31);
  DeterministicRng pattern(32);
  int from = 0;
  int left = 0;
  for (int i = 0; i < 600; ++i) {
    if (left == 0) {  // a new stretch: 1 to 80 messages from one side
      from = static_cast<int>(pattern.uniform(2));
      left = 1 + static_cast<int>(pattern.uniform(80));
    }
    --left;
    ASSERT_NO_FATAL_FAILURE(t.step(from, pattern.uniform(4) == 0));  // one in four lost on the way
  }
  EXPECT_GE(t.side[0].epoch(), 2u);
}

// serialize_into writes what serialize returns, into exactly serialized_size() bytes.
TEST(SpqrState, SerializeIntoWritesTheRecord) {
  DeterministicRng rng(33);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  for (int i = 0; i < 40; ++i) {
    auto sent = a.send(rng);
    ASSERT_TRUE(sent && b.recv(sent->message).has_value());
    for (const SpqrState* s : {&a, &b}) {
      Bytes into(s->serialized_size(), 0xEE);
      s->serialize_into(into);
      ASSERT_EQ(to_hex(into), to_hex(record(*s)));
    }
    if (i % 3 == 0) {
      ASSERT_TRUE(a.recv(b.send(rng)->message).has_value());
    }
  }
}

TEST(SpqrState, CloneIsIndependent) {
  DeterministicRng rng(10);
  auto a = make(Direction::a2b);
  auto copy = a.clone();
  ASSERT_TRUE(a.send(rng).has_value());
  EXPECT_NE(record(a), record(copy));
}

}  // namespace
}  // namespace hush::signal::spqr
