// The primitive floor of session_bench: what one Signal v3 operation costs
// when built from nothing but hush::crypto calls, with no encoding, records or
// stores. Rows pair with BM_Libsignal_*, BM_Olm_* and BM_Hush_* by suffix.
// The computations are real (each party derives the other's keys and every
// message is checked), so a floor cannot silently skip work.
#include "session_floor.hpp"

#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/util/check.hpp>

#include <benchmark/benchmark.h>

#include <array>

namespace {
using namespace hush;
using namespace hush::crypto;
using namespace hush::bench_floor;

Bytes payload(benchmark::State& state) { return Bytes(static_cast<std::size_t>(state.range(0)), 0x5a); }

void BM_Floor_OneWay(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  Bytes ik_a = KeyPair::generate(rng).public_key.serialize(), ik_b = KeyPair::generate(rng).public_key.serialize();
  ChainKey ck_a = ChainKey::from(Bytes(32, 7)), ck_b = ChainKey::from(Bytes(32, 7));
  Bytes msg = payload(state);
  for (auto _ : state) {
    Bytes sealed = seal(ck_a, ik_a, ik_b, msg);
    benchmark::DoNotOptimize(open(ck_b, ik_a, ik_b, sealed));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Floor_OneWay)->Arg(16)->Arg(256)->Arg(4096);

void BM_Floor_PingPong(benchmark::State& state) {
  testing::DeterministicRng rng(2);
  ChainKey rk = ChainKey::from(Bytes(32, 9));
  KeyPair a0 = KeyPair::generate(rng), b0 = KeyPair::generate(rng);
  const PublicKey a0_pub = a0.public_key, b0_pub = b0.public_key;
  Party alice = make_party(KeyPair::generate(rng).public_key.serialize(), rk, std::move(a0), b0_pub);
  Party bob = make_party(KeyPair::generate(rng).public_key.serialize(), rk, std::move(b0), a0_pub);
  root_step(alice.root, alice.send, alice.ratchet, alice.their);  // Alice's first sending chain
  Bytes msg = payload(state);
  bool alice_sends = true;
  for (auto _ : state) {
    Party& from = alice_sends ? alice : bob;
    Party& to = alice_sends ? bob : alice;
    Bytes sealed = seal(from.send, from.identity, to.identity, msg);
    to.receive_ratchet(from.ratchet.public_key, rng);  // every message carries a new ratchet key
    benchmark::DoNotOptimize(open(to.recv, from.identity, to.identity, sealed));
    alice_sends = !alice_sends;
  }
}
BENCHMARK(BM_Floor_PingPong)->Arg(256);

// X3DH + the first message (256 B): Alice verifies the signed pre-key, makes
// a base key, 4 DH, the root HKDF, a ratchet key and her sending chain; Bob
// does the 4 DH and HKDF, then a ratchet step (2 DH, a key pair) and decrypts.
void BM_Floor_Setup(benchmark::State& state) {
  testing::DeterministicRng rng(3);
  KeyPair ik_a = KeyPair::generate(rng), ik_b = KeyPair::generate(rng);
  KeyPair spk_b = KeyPair::generate(rng), opk_b = KeyPair::generate(rng);
  const Bytes ik_a_bytes = ik_a.public_key.serialize(), ik_b_bytes = ik_b.public_key.serialize();
  const Bytes spk_b_bytes = spk_b.public_key.serialize();
  const Signature spk_sig = XeddsaSigner(ik_b.private_key).sign(spk_b_bytes, rng);
  const Bytes msg(256, 0x5a);

  auto x3dh = [](const std::array<const SharedSecret*, 4>& dhs) {
    Bytes ikm(32, 0xff);  // v3's discontinuity bytes
    for (const SharedSecret* dh : dhs) ikm.insert(ikm.end(), dh->expose().begin(), dh->expose().end());
    std::array<std::uint8_t, 64> out{};
    HUSH_CHECK(hkdf_sha256_into(ikm, {}, as_bytes("WhisperText"), out).has_value());
    secure_wipe(ikm.data(), ikm.size());
    return ChainKey(std::span<const std::uint8_t, 32>(out.data(), 32));  // RK; the first CK goes unused
  };
  auto dh = [](const PrivateKey& ours, const PublicKey& theirs) { return std::move(x25519(ours, theirs)).value(); };

  for (auto _ : state) {
    // Alice, from Bob's bundle.
    HUSH_CHECK(xeddsa_verify(ik_b.public_key, spk_b_bytes, spk_sig));
    KeyPair ek_a = KeyPair::generate(rng);
    SharedSecret a1 = dh(ik_a.private_key, spk_b.public_key), a2 = dh(ek_a.private_key, ik_b.public_key);
    SharedSecret a3 = dh(ek_a.private_key, spk_b.public_key), a4 = dh(ek_a.private_key, opk_b.public_key);
    Party alice{ik_a_bytes, x3dh({&a1, &a2, &a3, &a4}), {}, {}, KeyPair::generate(rng), spk_b.public_key};
    root_step(alice.root, alice.send, alice.ratchet, alice.their);
    Bytes sealed = seal(alice.send, ik_a_bytes, ik_b_bytes, msg);

    // Bob, from the PreKeySignalMessage.
    SharedSecret b1 = dh(spk_b.private_key, ik_a.public_key), b2 = dh(ik_b.private_key, ek_a.public_key);
    SharedSecret b3 = dh(spk_b.private_key, ek_a.public_key), b4 = dh(opk_b.private_key, ek_a.public_key);
    Party bob{ik_b_bytes, x3dh({&b1, &b2, &b3, &b4}), {}, {}, spk_b.clone(), ek_a.public_key};
    bob.receive_ratchet(alice.ratchet.public_key, rng);
    benchmark::DoNotOptimize(open(bob.recv, ik_a_bytes, ik_b_bytes, sealed));
  }
}
BENCHMARK(BM_Floor_Setup);

// A Sender Key message: chain step, HKDF to IV ‖ key (48 B), AES-CBC, and an
// XEdDSA signature over the message; the receiver verifies, steps, decrypts.
void BM_Floor_Group(benchmark::State& state) {
  testing::DeterministicRng rng(4);
  KeyPair signing = KeyPair::generate(rng);
  XeddsaSigner signer(signing.private_key);
  ChainKey ck_send = ChainKey::from(Bytes(32, 5)), ck_recv = ChainKey::from(Bytes(32, 5));
  Bytes msg = payload(state);
  for (auto _ : state) {
    SecretBuffer keys = next_message_keys(ck_send, "WhisperGroup", 48);
    ByteView k = keys.expose();
    Bytes body = concat({ByteView(kHeader).first(10),
                         aes256_cbc_encrypt(AesKeyView(k.data() + 16, 32), AesIvView(k.data(), 16), msg)});
    Signature sig = signer.sign(body, rng);

    HUSH_CHECK(xeddsa_verify(signing.public_key, body, sig));
    SecretBuffer rkeys = next_message_keys(ck_recv, "WhisperGroup", 48);
    ByteView rk = rkeys.expose();
    benchmark::DoNotOptimize(
        aes256_cbc_decrypt(AesKeyView(rk.data() + 16, 32), AesIvView(rk.data(), 16), ByteView(body).subspan(10)));
  }
}
BENCHMARK(BM_Floor_Group)->Arg(256)->Arg(4096);

}  // namespace
