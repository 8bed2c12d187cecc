// libhush's 1:1 rows of session_bench (BM_Hush_*), with the same payloads and
// accounting as the peers' rows in session_bench.cpp: sessions persisted
// through the store interface on every message (the in-memory stores keep
// records serialized), times per message (encrypt + decrypt) or per setup.
#include <hush/testing/signal_party.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace {
using namespace hush;
using namespace hush::testing;

void must(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "session_bench: %s failed\n", what);
    std::abort();
  }
}

void hush_send(SignalParty& from, SignalParty& to, ByteView msg) {
  signal::SessionCipher sender(from.store().stores(), to.address());
  auto m = sender.encrypt(msg);
  must(m.has_value(), "hush encrypt");
  signal::SessionCipher receiver(to.store().stores(), from.address());
  auto p = receiver.decrypt(m->type, m->serialized, to.rng());
  must(p.has_value(), "hush decrypt");
  benchmark::DoNotOptimize(p->expose().data());
}

struct HushPair {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  HushPair() {
    must(alice.start_session(bob.address(), bob.make_bundle()).has_value(), "start_session");
    const Bytes hi(16, 1);
    hush_send(alice, bob, hi);
    hush_send(bob, alice, hi);
  }
};

void BM_Hush_Setup(benchmark::State& state) {
  SignalParty alice{"alice", 1};
  SignalParty bob{"bob", 2};
  const Bytes msg(256, 0x5a);
  for (auto _ : state) {
    state.PauseTiming();  // the bundle is made ahead of time and fetched from a server
    auto bundle = bob.make_bundle();
    state.ResumeTiming();
    must(alice.start_session(bob.address(), bundle).has_value(), "start_session");
    hush_send(alice, bob, msg);
    state.PauseTiming();  // start each round without session records, like the peers' rows
    alice.store().sessions.put_raw(bob.address(), SecretBuffer(signal::SessionRecord().serialize().expose()));
    bob.store().sessions.put_raw(alice.address(), SecretBuffer(signal::SessionRecord().serialize().expose()));
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Hush_Setup)->Unit(benchmark::kMicrosecond);

// Setup with a stranger: both identity keys are new to the other side, so
// each gets the full prime-order check (BM_Hush_Setup re-keys between parties
// that already know each other, like the peers' setup rows, and checks each
// identity only against the recorded one). Not a goal row; reported beside it.
void BM_Hush_SetupFirstContact(benchmark::State& state) {
  SignalParty bob{"bob", 2};
  const Bytes msg(256, 0x5a);
  std::uint64_t seed = 1000;
  std::optional<SignalParty> alice;
  for (auto _ : state) {
    state.PauseTiming();
    alice.emplace("alice" + std::to_string(seed), seed);
    ++seed;
    auto bundle = bob.make_bundle();
    state.ResumeTiming();
    must(alice->start_session(bob.address(), bundle).has_value(), "start_session");
    hush_send(*alice, bob, msg);
  }
}
BENCHMARK(BM_Hush_SetupFirstContact)->Unit(benchmark::kMicrosecond);

void BM_Hush_OneWay(benchmark::State& state) {
  HushPair p;
  Bytes msg(static_cast<std::size_t>(state.range(0)), 0x5a);
  for (auto _ : state) hush_send(p.alice, p.bob, msg);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Hush_OneWay)->Arg(16)->Arg(256)->Arg(4096);

void BM_Hush_PingPong(benchmark::State& state) {
  HushPair p;
  Bytes msg(static_cast<std::size_t>(state.range(0)), 0x5a);
  bool alice_sends = true;
  for (auto _ : state) {
    if (alice_sends) {
      hush_send(p.alice, p.bob, msg);
    } else {
      hush_send(p.bob, p.alice, msg);
    }
    alice_sends = !alice_sends;
  }
}
BENCHMARK(BM_Hush_PingPong)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace
