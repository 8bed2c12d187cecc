// The primitive floor for version 4 (BM_FloorV4_*, issue #15): the version-3
// floor (session_floor.hpp) plus the work PQXDH and SPQR add, still built from
// nothing but hush::crypto calls. Rows pair with BM_HushV4_* by suffix. What
// each row counts:
// - every message: SPQR's chain step on each side (one HKDF each, its key
//   salting the message keys) and the MAC over SPQR's part of the message (a
//   stand-in of the mean size SPQR really sends in that pattern);
// - every `kem_every` messages (counter): one SPQR epoch's KEM work, i.e.
//   ML-KEM-768 key generation, encapsulation (the whole one, our fastest
//   path; SPQR must use the incremental one, see spqr_bench) and
//   decapsulation, the header and ciphertext MACs made and checked, and each side's three epoch HKDFs
//   (shared secret, authenticator, chain). `kem_every` is the mean number of
//   messages per epoch that real SpqrStates take in the row's pattern,
//   measured before the timed loop; one-way traffic never finishes an epoch,
//   so BM_FloorV4_OneWay pays no KEM operation;
// - not counted: SPQR's erasure code (chunking the 1152 B key and 1088 B
//   ciphertext over messages) and every encoding, record and store.
#include "session_floor.hpp"

#include <hush/crypto/ml_kem.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/signal/spqr.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <benchmark/benchmark.h>

#include <cmath>

namespace {
using namespace hush;
using namespace hush::crypto;
using namespace hush::bench_floor;

// What real SPQR does in a pattern: messages per epoch (0: never an epoch)
// and the mean bytes of its part of each message.
struct SpqrPattern {
  std::uint64_t kem_every = 0;
  std::size_t bytes_per_message = 0;
};

SpqrPattern measure_spqr(bool alternate) {
  namespace spqr = hush::signal::spqr;
  testing::DeterministicRng rng(7);
  const Bytes key(32, 1);
  spqr::SpqrParams p;
  p.auth_key = key;
  p.direction = spqr::Direction::a2b;
  auto a = std::move(spqr::SpqrState::initial(p).value());
  p.direction = spqr::Direction::b2a;
  auto b = std::move(spqr::SpqrState::initial(p).value());
  constexpr int kMessages = 2000;
  std::size_t bytes = 0;
  bool a_turn = true;
  for (int i = 0; i < kMessages; ++i) {
    spqr::SpqrState& from = a_turn ? a : b;
    spqr::SpqrState& to = a_turn ? b : a;
    auto sent = from.send(rng);
    HUSH_CHECK(sent.has_value() && to.recv(sent->message).has_value());
    bytes += sent->message.size();
    if (alternate) a_turn = !a_turn;
  }
  const std::uint64_t epochs = std::max(a.epoch(), b.epoch()) - 1;  // both start in epoch 1
  SpqrPattern out;
  out.kem_every = epochs ? static_cast<std::uint64_t>(std::llround(double(kMessages) / double(epochs))) : 0;
  out.bytes_per_message = bytes / kMessages;
  return out;
}

// SPQR's per-message chain step on both sides: the sender's and receiver's
// HKDF from the chain key; returns the message key (the salt of the message keys).
ChainKey spqr_chain_step(ChainKey& send_chain, ChainKey& recv_chain) {
  std::array<std::uint8_t, 64> out{};
  HUSH_CHECK(hkdf_sha256_into(send_chain.expose(), {}, as_bytes("Signal PQ Ratchet V1 Chain Next"), out).has_value());
  send_chain = ChainKey(std::span<const std::uint8_t, 32>(out.data(), 32));
  HUSH_CHECK(hkdf_sha256_into(recv_chain.expose(), {}, as_bytes("Signal PQ Ratchet V1 Chain Next"), out).has_value());
  recv_chain = ChainKey(std::span<const std::uint8_t, 32>(out.data(), 32));
  ChainKey key(std::span<const std::uint8_t, 32>(out.data() + 32, 32));
  secure_wipe(out.data(), out.size());
  return key;
}

// One SPQR epoch's KEM work, both sides.
void spqr_epoch(Rng& rng, const ChainKey& auth) {
  auto pair = MlKem768::generate(rng);
  HmacSha256Output ek_mac = hmac_sha256(auth.expose(), pair.public_key.bytes());
  HUSH_CHECK(ct_equal(hmac_sha256(auth.expose(), pair.public_key.bytes()).expose(), ek_mac.expose()));
  auto enc = MlKem768::encapsulate(pair.public_key, rng);
  HmacSha256Output ct_mac = hmac_sha256(auth.expose(), enc.ciphertext.bytes());
  auto secret = MlKem768::decapsulate(pair.secret_key, enc.ciphertext);
  HUSH_CHECK(ct_equal(hmac_sha256(auth.expose(), enc.ciphertext.bytes()).expose(), ct_mac.expose()));
  HUSH_CHECK(ct_equal(secret.expose(), enc.shared_secret.expose()));
  std::array<std::uint8_t, 64> out{};
  for (int side = 0; side < 2; ++side) {
    for (const char* label : {"epoch secret", "authenticator update", "chain add epoch"}) {
      HUSH_CHECK(hkdf_sha256_into(secret.expose(), auth.expose(), as_bytes(label), out).has_value());
    }
  }
  secure_wipe(out.data(), out.size());
}

// The SPQR part of each v4 row: the chains, the epoch cadence, the stand-in bytes.
struct SpqrFloor {
  SpqrPattern pattern;
  ChainKey send_chain = ChainKey::from(Bytes(32, 3)), recv_chain = ChainKey::from(Bytes(32, 3));
  ChainKey auth = ChainKey::from(Bytes(32, 4));
  Bytes part;
  std::uint64_t messages = 0;

  explicit SpqrFloor(bool alternate) : pattern(measure_spqr(alternate)), part(pattern.bytes_per_message, 0x44) {}

  // Per message: the epoch's KEM work when due, then the chain step.
  ChainKey step(Rng& rng) {
    if (pattern.kem_every && ++messages % pattern.kem_every == 0) spqr_epoch(rng, auth);
    return spqr_chain_step(send_chain, recv_chain);
  }
  void report(benchmark::State& state) const {
    state.counters["kem_every"] = static_cast<double>(pattern.kem_every);
    state.counters["spqr_bytes_per_message"] = static_cast<double>(pattern.bytes_per_message);
  }
};

void BM_FloorV4_OneWay(benchmark::State& state) {
  testing::DeterministicRng rng(11);
  Bytes ik_a = KeyPair::generate(rng).public_key.serialize(), ik_b = KeyPair::generate(rng).public_key.serialize();
  ChainKey ck_a = ChainKey::from(Bytes(32, 7)), ck_b = ChainKey::from(Bytes(32, 7));
  SpqrFloor spqr(false);
  const Bytes msg(static_cast<std::size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    ChainKey pq_key = spqr.step(rng);
    Bytes sealed = seal(ck_a, ik_a, ik_b, msg, pq_key.expose(), spqr.part);
    benchmark::DoNotOptimize(open(ck_b, ik_a, ik_b, sealed, pq_key.expose(), spqr.part));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  spqr.report(state);
}
BENCHMARK(BM_FloorV4_OneWay)->Arg(256)->Arg(4096);

void BM_FloorV4_PingPong(benchmark::State& state) {
  testing::DeterministicRng rng(12);
  ChainKey rk = ChainKey::from(Bytes(32, 9));
  KeyPair a0 = KeyPair::generate(rng), b0 = KeyPair::generate(rng);
  const PublicKey a0_pub = a0.public_key, b0_pub = b0.public_key;
  Party alice = make_party(KeyPair::generate(rng).public_key.serialize(), rk, std::move(a0), b0_pub);
  Party bob = make_party(KeyPair::generate(rng).public_key.serialize(), rk, std::move(b0), a0_pub);
  root_step(alice.root, alice.send, alice.ratchet, alice.their);
  SpqrFloor spqr(true);
  const Bytes msg(static_cast<std::size_t>(state.range(0)), 0x5a);
  bool alice_sends = true;
  for (auto _ : state) {
    Party& from = alice_sends ? alice : bob;
    Party& to = alice_sends ? bob : alice;
    ChainKey pq_key = spqr.step(rng);
    Bytes sealed = seal(from.send, from.identity, to.identity, msg, pq_key.expose(), spqr.part);
    to.receive_ratchet(from.ratchet.public_key, rng);
    benchmark::DoNotOptimize(open(to.recv, from.identity, to.identity, sealed, pq_key.expose(), spqr.part));
    alice_sends = !alice_sends;
  }
  spqr.report(state);
}
BENCHMARK(BM_FloorV4_PingPong)->Arg(256);

// PQXDH + the first message (256 B): BM_Floor_Setup's work, plus Alice
// verifying the Kyber pre-key's signature and encapsulating to it (Kyber1024),
// Bob decapsulating, the KEM secret in the root HKDF, SPQR's chains started
// on both sides (one HKDF each), Alice's first SPQR key pair (ML-KEM-768
// key generation) and one chain step salting the first message's keys.
void BM_FloorV4_Setup(benchmark::State& state) {
  testing::DeterministicRng rng(13);
  KeyPair ik_a = KeyPair::generate(rng), ik_b = KeyPair::generate(rng);
  KeyPair spk_b = KeyPair::generate(rng), opk_b = KeyPair::generate(rng);
  auto kyber_b = Kyber1024::generate(rng);
  const Bytes ik_a_bytes = ik_a.public_key.serialize(), ik_b_bytes = ik_b.public_key.serialize();
  const Bytes spk_b_bytes = spk_b.public_key.serialize();
  const Bytes kyber_b_bytes = concat({Bytes(1, 0x08), kyber_b.public_key.bytes()});
  const Signature spk_sig = XeddsaSigner(ik_b.private_key).sign(spk_b_bytes, rng);
  const Signature kyber_sig = XeddsaSigner(ik_b.private_key).sign(kyber_b_bytes, rng);
  const Bytes msg(256, 0x5a);
  const Bytes first_part(96, 0x44);  // stand-in: SPQR's first part (a header chunk and more)

  auto pqxdh = [](const std::array<const SharedSecret*, 4>& dhs, ByteView kem) {
    Bytes ikm(32, 0xff);
    for (const SharedSecret* dh : dhs) ikm.insert(ikm.end(), dh->expose().begin(), dh->expose().end());
    ikm.insert(ikm.end(), kem.begin(), kem.end());
    std::array<std::uint8_t, 96> out{};  // RK, CK, SPQR's auth key
    HUSH_CHECK(hkdf_sha256_into(ikm, {}, as_bytes("WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024"), out).has_value());
    secure_wipe(ikm.data(), ikm.size());
    ChainKey rk(std::span<const std::uint8_t, 32>(out.data(), 32));
    ChainKey auth(std::span<const std::uint8_t, 32>(out.data() + 64, 32));
    secure_wipe(out.data(), out.size());
    return std::pair{std::move(rk), std::move(auth)};
  };
  auto dh = [](const PrivateKey& ours, const PublicKey& theirs) { return std::move(x25519(ours, theirs)).value(); };
  auto chain_start = [](const ChainKey& auth) {
    std::array<std::uint8_t, 64> out{};
    HUSH_CHECK(hkdf_sha256_into(auth.expose(), {}, as_bytes("Signal PQ Ratchet V1 Chain  Start"), out).has_value());
    ChainKey chain(std::span<const std::uint8_t, 32>(out.data(), 32));
    secure_wipe(out.data(), out.size());
    return chain;
  };

  for (auto _ : state) {
    // Alice, from Bob's bundle.
    HUSH_CHECK(xeddsa_verify(ik_b.public_key, spk_b_bytes, spk_sig));
    HUSH_CHECK(xeddsa_verify(ik_b.public_key, kyber_b_bytes, kyber_sig));
    KeyPair ek_a = KeyPair::generate(rng);
    auto kem = Kyber1024::encapsulate(kyber_b.public_key, rng);
    SharedSecret a1 = dh(ik_a.private_key, spk_b.public_key), a2 = dh(ek_a.private_key, ik_b.public_key);
    SharedSecret a3 = dh(ek_a.private_key, spk_b.public_key), a4 = dh(ek_a.private_key, opk_b.public_key);
    auto [rk_a, auth_a] = pqxdh({&a1, &a2, &a3, &a4}, kem.shared_secret.expose());
    Party alice{ik_a_bytes, std::move(rk_a), {}, {}, KeyPair::generate(rng), spk_b.public_key};
    root_step(alice.root, alice.send, alice.ratchet, alice.their);
    ChainKey send_chain = chain_start(auth_a);
    benchmark::DoNotOptimize(MlKem768::generate(rng));  // Alice's first SPQR key pair

    // Bob, from the PreKeySignalMessage.
    auto kem_b = Kyber1024::decapsulate(kyber_b.secret_key, kem.ciphertext);
    SharedSecret b1 = dh(spk_b.private_key, ik_a.public_key), b2 = dh(ik_b.private_key, ek_a.public_key);
    SharedSecret b3 = dh(spk_b.private_key, ek_a.public_key), b4 = dh(opk_b.private_key, ek_a.public_key);
    auto [rk_b, auth_b] = pqxdh({&b1, &b2, &b3, &b4}, kem_b.expose());
    ChainKey recv_chain = chain_start(auth_b);
    ChainKey pq_key = spqr_chain_step(send_chain, recv_chain);
    Bytes sealed = seal(alice.send, ik_a_bytes, ik_b_bytes, msg, pq_key.expose(), first_part);
    Party bob{ik_b_bytes, std::move(rk_b), {}, {}, spk_b.clone(), ek_a.public_key};
    bob.receive_ratchet(alice.ratchet.public_key, rng);
    benchmark::DoNotOptimize(open(bob.recv, ik_a_bytes, ik_b_bytes, sealed, pq_key.expose(), first_part));
  }
}
BENCHMARK(BM_FloorV4_Setup);

}  // namespace
