// libhush's version-4 rows of session_bench (BM_HushV4_*, issue #15): PQXDH
// (a bundle with a Kyber pre-key) and the SPQR triple ratchet, with the same
// payloads and accounting as BM_Hush_* (sessions persisted through the store
// interface on every message; times per message, encrypt + decrypt, or per
// setup). The stores keep parsed records (InMemorySessionStore::keep_parsed):
// every message still serializes its session record into the store, but a
// load hands back the record last stored instead of parsing it, as an
// application's session cache does, and as libsignal-client's stores (which
// hold SessionRecord objects) do in the same run. Counters beside each time:
// - bytes_per_message: the mean serialized message, as it goes on the wire;
// - spqr_bytes_per_message: the mean SPQR part of it (SignalMessage field 5),
//   i.e. what version 4 adds over version 3's message. Measured after the timed
//   loop on further messages of the same pattern, so parsing is never timed.
#include <hush/signal/messages.hpp>
#include <hush/testing/signal_party.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

namespace {
using namespace hush;
using namespace hush::testing;

void must(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "session_bench: %s failed\n", what);
    std::abort();
  }
}

// One message from `from` to `to`, decrypted; returns the serialized message
// so callers can count its bytes (and, untimed, parse its SPQR part).
signal::CiphertextMessage v4_send(SignalParty& from, SignalParty& to, ByteView msg) {
  signal::SessionCipher sender(from.store().stores(), to.address());
  auto m = sender.encrypt(msg, from.rng());  // version 4: SPQR draws from the rng
  must(m.has_value(), "hush v4 encrypt");
  signal::SessionCipher receiver(to.store().stores(), from.address());
  auto p = receiver.decrypt(m->type, m->serialized, to.rng());
  must(p.has_value(), "hush v4 decrypt");
  benchmark::DoNotOptimize(p->expose().data());
  return std::move(m).value();
}

std::size_t spqr_bytes(const signal::CiphertextMessage& m) {
  auto parsed = signal::SignalMessage::deserialize(m.serialized);
  must(parsed.has_value(), "parse SignalMessage");
  return parsed->pq_ratchet().size();
}

// A version-4 session both sides have acknowledged (SignalMessages from here on).
void keep_parsed(SignalParty& a, SignalParty& b) {
  a.store().sessions.keep_parsed(true);
  b.store().sessions.keep_parsed(true);
}

struct HushV4Pair {
  SignalParty alice{"alice", 41};
  SignalParty bob{"bob", 42};
  HushV4Pair() {
    keep_parsed(alice, bob);
    must(alice.start_session(bob.address(), bob.make_pq_bundle()).has_value(), "start_session v4");
    const Bytes hi(16, 1);
    v4_send(alice, bob, hi);
    v4_send(bob, alice, hi);
  }
};

// Sends `count` more messages in the row's pattern and sets the SPQR counter.
template <typename Next>
void report_spqr_bytes(benchmark::State& state, Next&& next_message) {
  constexpr int kSample = 256;
  std::size_t total = 0;
  for (int i = 0; i < kSample; ++i) total += spqr_bytes(next_message());
  state.counters["spqr_bytes_per_message"] = static_cast<double>(total) / kSample;
}

void set_bytes_per_message(benchmark::State& state, std::uint64_t bytes) {
  const auto n = static_cast<double>(state.iterations() ? state.iterations() : 1);
  state.counters["bytes_per_message"] = static_cast<double>(bytes) / n;
}

// Bundle (with a Kyber pre-key) -> session -> first message (256 B) decrypted:
// Alice checks both pre-key signatures, does X3DH's DH and a Kyber1024
// encapsulation; Bob decapsulates; both start SPQR. The PreKeySignalMessage
// carries the Kyber ciphertext (1568 B) and SPQR's first part.
void BM_HushV4_Setup(benchmark::State& state) {
  SignalParty alice{"alice", 43};
  SignalParty bob{"bob", 44};
  keep_parsed(alice, bob);
  const Bytes msg(256, 0x5a);
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();  // the bundle is made ahead of time and fetched from a server
    auto bundle = bob.make_pq_bundle();
    state.ResumeTiming();
    must(alice.start_session(bob.address(), bundle).has_value(), "start_session v4");
    bytes += v4_send(alice, bob, msg).serialized.size();
    state.PauseTiming();  // start each round without session records, like the other setup rows
    alice.store().sessions.put_raw(bob.address(), SecretBuffer(signal::SessionRecord().serialize().expose()));
    bob.store().sessions.put_raw(alice.address(), SecretBuffer(signal::SessionRecord().serialize().expose()));
    state.ResumeTiming();
  }
  set_bytes_per_message(state, bytes);
}
BENCHMARK(BM_HushV4_Setup)->Unit(benchmark::kMicrosecond);

// Alice sends, Bob only reads: no DH step, and SPQR cannot finish an epoch
// without answers, so each message carries a chunk of Alice's pending part.
void BM_HushV4_OneWay(benchmark::State& state) {
  HushV4Pair p;
  const Bytes msg(static_cast<std::size_t>(state.range(0)), 0x5a);
  std::uint64_t bytes = 0;
  for (auto _ : state) bytes += v4_send(p.alice, p.bob, msg).serialized.size();
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  set_bytes_per_message(state, bytes);
  report_spqr_bytes(state, [&] { return v4_send(p.alice, p.bob, msg); });
}
BENCHMARK(BM_HushV4_OneWay)->Arg(256)->Arg(4096);

// Strict alternation: every message is a DH step (2 X25519 + a key pair on
// the receiver) and SPQR runs its epochs (ML-KEM-768 key generation,
// encapsulation and decapsulation spread over the messages).
void BM_HushV4_PingPong(benchmark::State& state) {
  HushV4Pair p;
  const Bytes msg(static_cast<std::size_t>(state.range(0)), 0x5a);
  std::uint64_t bytes = 0;
  bool alice_sends = true;
  auto next = [&] {
    auto m = alice_sends ? v4_send(p.alice, p.bob, msg) : v4_send(p.bob, p.alice, msg);
    alice_sends = !alice_sends;
    return m;
  };
  for (auto _ : state) bytes += next().serialized.size();
  set_bytes_per_message(state, bytes);
  report_spqr_bytes(state, next);
}
BENCHMARK(BM_HushV4_PingPong)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace
