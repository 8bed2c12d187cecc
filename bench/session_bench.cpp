// Whole-session costs of the peers, beside the primitive floor
// (session_floor_bench.cpp) in the same binary: libsignal-protocol-c 2.3.3
// and libolm 3.2.13. Rows are BM_<Impl>_<Operation>[/<bytes>] so a script can
// pair BM_Hush_X with BM_Libsignal_X, BM_Olm_X and BM_Floor_X. Times are per
// message (encrypt + decrypt) or per setup (bundle → first message decrypted).
#include <hush/signal/group_cipher.hpp>          // BM_Hush_Group (issue #4)
#include <hush/signal/group_session_builder.hpp>  // BM_Hush_Group (issue #4)
#include <hush/signal/in_memory_stores.hpp>      // BM_Hush_Group (issue #4)
#include <hush/testing/deterministic_rng.hpp>    // BM_Hush_Group (issue #4)
#include <hush/testing/libsignal_peer.hpp>
#include <hush/testing/olm_peer.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

namespace {
using namespace hush;
using namespace hush::testing;

Bytes payload(benchmark::State& state) { return Bytes(static_cast<std::size_t>(state.range(0)), 0x5a); }

// A benchmark must never time a failure: stop the whole run instead.
void must(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "session_bench: %s failed\n", what);
    std::abort();
  }
}

// ---- libsignal-protocol-c ----------------------------------------------------

void libsignal_send(LibsignalPeer& from, const char* from_name, LibsignalPeer& to, const char* to_name,
                    ByteView msg) {
  PeerCiphertext m = from.encrypt(to_name, 1, msg);
  must(m.rc == sg::kSuccess, "libsignal encrypt");
  PeerPlaintext p = to.decrypt(from_name, 1, m.type, m.serialized);
  must(p.rc == sg::kSuccess, "libsignal decrypt");
  benchmark::DoNotOptimize(p.plaintext.data());
}

// Alice and Bob with a session both have acknowledged (so messages are SignalMessages).
struct LibsignalPair {
  LibsignalPeer alice{1, 1111};
  LibsignalPeer bob{2, 2222};
  LibsignalPair() {
    must(alice.process_bundle("bob", 1, bob.make_bundle(1, 1, true)) == sg::kSuccess, "process_bundle");
    const Bytes hi(16, 1);
    libsignal_send(alice, "alice", bob, "bob", hi);
    libsignal_send(bob, "bob", alice, "alice", hi);
  }
};

void BM_Libsignal_Setup(benchmark::State& state) {
  LibsignalPeer alice(1, 1111), bob(2, 2222);
  const Bytes msg(256, 0x5a);
  std::uint32_t pre_key_id = 1;
  for (auto _ : state) {
    state.PauseTiming();  // the bundle is made ahead of time and fetched from a server
    PeerBundle bundle = bob.make_bundle(pre_key_id++, 1, true);
    state.ResumeTiming();
    must(alice.process_bundle("bob", 1, bundle) == sg::kSuccess, "process_bundle");
    libsignal_send(alice, "alice", bob, "bob", msg);
    state.PauseTiming();
    alice.delete_session("bob", 1);
    bob.delete_session("alice", 1);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Libsignal_Setup)->Unit(benchmark::kMicrosecond);

void BM_Libsignal_OneWay(benchmark::State& state) {
  LibsignalPair p;
  Bytes msg = payload(state);
  for (auto _ : state) libsignal_send(p.alice, "alice", p.bob, "bob", msg);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Libsignal_OneWay)->Arg(16)->Arg(256)->Arg(4096);

void BM_Libsignal_PingPong(benchmark::State& state) {
  LibsignalPair p;
  Bytes msg = payload(state);
  bool alice_sends = true;
  for (auto _ : state) {
    if (alice_sends) {
      libsignal_send(p.alice, "alice", p.bob, "bob", msg);
    } else {
      libsignal_send(p.bob, "bob", p.alice, "alice", msg);
    }
    alice_sends = !alice_sends;
  }
}
BENCHMARK(BM_Libsignal_PingPong)->Arg(256)->Unit(benchmark::kMicrosecond);

void BM_Libsignal_Group(benchmark::State& state) {
  LibsignalPeer alice(1, 1111), bob(2, 2222);
  PeerCiphertext skdm = alice.create_sender_key_distribution("group", "alice", 1);
  must(skdm.rc == sg::kSuccess, "create_sender_key_distribution");
  must(bob.process_sender_key_distribution("group", "alice", 1, skdm.serialized) == sg::kSuccess,
       "process_sender_key_distribution");
  Bytes msg = payload(state);
  for (auto _ : state) {
    PeerCiphertext m = alice.group_encrypt("group", "alice", 1, msg);
    must(m.rc == sg::kSuccess, "group_encrypt");
    PeerPlaintext got = bob.group_decrypt("group", "alice", 1, m.serialized);
    must(got.rc == sg::kSuccess, "group_decrypt");
    benchmark::DoNotOptimize(got.plaintext.data());
  }
}
BENCHMARK(BM_Libsignal_Group)->Arg(256)->Arg(4096)->Unit(benchmark::kMicrosecond);

// ---- libolm -------------------------------------------------------------------
// Template argument Persist: sessions pickled after each message and
// unpickled before the next (what an application does; the BM_Olm_* rows)
// or kept live (BM_OlmLive_*, libolm's in-memory speed).

void olm_send(OlmPeer& from, const char* from_name, OlmPeer& to, const char* to_name, ByteView msg) {
  OlmCiphertext m = from.encrypt(to_name, msg);
  must(m.ok, "olm encrypt");
  OlmPlaintext p = to.decrypt(from_name, m.type, m.body);
  must(p.ok, "olm decrypt");
  benchmark::DoNotOptimize(p.plaintext.data());
}

struct OlmPair {
  OlmPeer alice, bob;
  explicit OlmPair(bool persist) : alice(1, {persist}), bob(2, {persist}) {
    must(alice.create_outbound_session("bob", bob.identity_key(), bob.new_one_time_key()), "outbound session");
    const Bytes hi(16, 1);
    olm_send(alice, "alice", bob, "bob", hi);
    olm_send(bob, "bob", alice, "alice", hi);
  }
};

template <bool Persist>
void BM_Olm_Setup(benchmark::State& state) {
  OlmPeer alice(1, {Persist}), bob(2, {Persist});
  const Bytes msg(256, 0x5a);
  const std::string bob_identity = bob.identity_key();
  for (auto _ : state) {
    state.PauseTiming();  // the one-time key is published ahead of time
    std::string otk = bob.new_one_time_key();
    state.ResumeTiming();
    must(alice.create_outbound_session("bob", bob_identity, otk), "outbound session");
    olm_send(alice, "alice", bob, "bob", msg);
    state.PauseTiming();
    alice.delete_session("bob");
    bob.delete_session("alice");
    state.ResumeTiming();
  }
}

template <bool Persist>
void BM_Olm_OneWay(benchmark::State& state) {
  OlmPair p(Persist);
  Bytes msg = payload(state);
  for (auto _ : state) olm_send(p.alice, "alice", p.bob, "bob", msg);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

template <bool Persist>
void BM_Olm_PingPong(benchmark::State& state) {
  OlmPair p(Persist);
  Bytes msg = payload(state);
  bool alice_sends = true;
  for (auto _ : state) {
    if (alice_sends) {
      olm_send(p.alice, "alice", p.bob, "bob", msg);
    } else {
      olm_send(p.bob, "bob", p.alice, "alice", msg);
    }
    alice_sends = !alice_sends;
  }
}

template <bool Persist>
void BM_Olm_Group(benchmark::State& state) {
  OlmPeer alice(1, {Persist}), bob(2, {Persist});
  must(bob.add_inbound_group_session("room", "alice", alice.create_group_session("room")), "megolm session");
  Bytes msg = payload(state);
  for (auto _ : state) {
    OlmCiphertext m = alice.group_encrypt("room", msg);
    must(m.ok, "megolm encrypt");
    OlmPlaintext got = bob.group_decrypt("room", "alice", m.body);
    must(got.ok, "megolm decrypt");
    benchmark::DoNotOptimize(got.plaintext.data());
  }
}

BENCHMARK(BM_Olm_Setup<true>)->Name("BM_Olm_Setup")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Olm_OneWay<true>)->Name("BM_Olm_OneWay")->Arg(16)->Arg(256)->Arg(4096);
BENCHMARK(BM_Olm_PingPong<true>)->Name("BM_Olm_PingPong")->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Olm_Group<true>)->Name("BM_Olm_Group")->Arg(256)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Olm_OneWay<false>)->Name("BM_OlmLive_OneWay")->Arg(16)->Arg(256)->Arg(4096);
BENCHMARK(BM_Olm_PingPong<false>)->Name("BM_OlmLive_PingPong")->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Olm_Group<false>)->Name("BM_OlmLive_Group")->Arg(256)->Arg(4096)->Unit(benchmark::kMicrosecond);

// ---- libhush -------------------------------------------------------------------
// BM_Hush_* rows go here (lead, with lib/signal): BM_Hush_Setup,
// BM_Hush_OneWay/{16,256,4096}, BM_Hush_PingPong/256, BM_Hush_Group/{256,4096},
// with the same payloads and the same per-message accounting as above.

// ---- libhush: Sender Keys (issue #4, groups engineer) --------------------------
// Encrypt + one decrypt per iteration, both records persisted through the
// in-memory sender key stores (serialized) on every message, like the peers.
void BM_Hush_Group(benchmark::State& state) {
  hush::testing::DeterministicRng alice_rng(1);
  signal::InMemorySenderKeyStore alice_store, bob_store;
  const signal::SenderKeyName alice_name{"group", {"alice", signal::DeviceId{1}}};
  signal::GroupSessionBuilder alice_builder(alice_store), bob_builder(bob_store);
  auto skdm = alice_builder.create_distribution(alice_name, alice_rng);
  must(skdm.has_value(), "hush create_distribution");
  must(bob_builder.process("group", alice_name.sender, *skdm).has_value(), "hush process distribution");
  signal::GroupCipher sender(alice_store, alice_name), receiver(bob_store, alice_name);
  Bytes msg = payload(state);
  for (auto _ : state) {
    auto m = sender.encrypt(msg, alice_rng);
    must(m.has_value(), "hush group encrypt");
    auto got = receiver.decrypt(m->serialized);
    must(got.has_value(), "hush group decrypt");
    benchmark::DoNotOptimize(got->expose().data());
  }
}
BENCHMARK(BM_Hush_Group)->Arg(256)->Arg(4096)->Unit(benchmark::kMicrosecond);

}  // namespace
