// The primitives every Signal message is made of: the floor that protocol
// benchmarks are measured against.
#include <hush/crypto/aes_cbc.hpp>
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/hmac.hpp>
#include <hush/crypto/ml_kem.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <benchmark/benchmark.h>

#include "poly_ops.hpp"  // lib/crypto/src/ml_kem: the portable rows

namespace {
using namespace hush;
using namespace hush::crypto;

void BM_X25519KeyPair(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(KeyPair::generate(rng));
}
BENCHMARK(BM_X25519KeyPair);

void BM_X25519Agree(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  auto a = KeyPair::generate(rng);
  auto b = KeyPair::generate(rng);
  for (auto _ : state) benchmark::DoNotOptimize(x25519(a.private_key, b.public_key));
}
BENCHMARK(BM_X25519Agree);

void BM_PublicKeyValidate(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  auto a = KeyPair::generate(rng);
  Bytes s = a.public_key.serialize();
  for (auto _ : state) benchmark::DoNotOptimize(PublicKey::deserialize(s));
}
BENCHMARK(BM_PublicKeyValidate);

void BM_XeddsaSign(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  auto a = KeyPair::generate(rng);
  XeddsaSigner signer(a.private_key);
  Bytes msg(static_cast<std::size_t>(state.range(0)), 0x42);
  for (auto _ : state) benchmark::DoNotOptimize(signer.sign(msg, rng));
}
BENCHMARK(BM_XeddsaSign)->Arg(33)->Arg(256);

void BM_XeddsaVerify(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  auto a = KeyPair::generate(rng);
  Bytes msg(static_cast<std::size_t>(state.range(0)), 0x42);
  auto sig = xeddsa_sign(a.private_key, msg, rng);
  for (auto _ : state) benchmark::DoNotOptimize(xeddsa_verify(a.public_key, msg, sig));
}
BENCHMARK(BM_XeddsaVerify)->Arg(33)->Arg(256);

void BM_HmacSha256(benchmark::State& state) {
  Bytes key(32, 1);
  Bytes msg(static_cast<std::size_t>(state.range(0)), 2);
  for (auto _ : state) benchmark::DoNotOptimize(hmac_sha256(key, msg));
}
BENCHMARK(BM_HmacSha256)->Arg(1)->Arg(256)->Arg(4096);

void BM_HkdfSha256(benchmark::State& state) {
  Bytes ikm(32, 1);
  for (auto _ : state) benchmark::DoNotOptimize(hkdf_sha256(ikm, {}, as_bytes("WhisperMessageKeys"), 80));
}
BENCHMARK(BM_HkdfSha256);

void BM_AesCbcEncryptDecrypt(benchmark::State& state) {
  Bytes key(32, 1);
  Bytes iv(16, 2);
  Bytes msg(static_cast<std::size_t>(state.range(0)), 3);
  AesKeyView k(key.data(), 32);
  AesIvView v(iv.data(), 16);
  for (auto _ : state) {
    auto ct = aes256_cbc_encrypt(k, v, msg);
    benchmark::DoNotOptimize(aes256_cbc_decrypt(k, v, ct));
  }
}
BENCHMARK(BM_AesCbcEncryptDecrypt)->Arg(16)->Arg(256)->Arg(4096);

// ML-KEM / Kyber (docs/performance.md, KEM table). Argument 0: the
// arithmetic the CPU gets (AVX2 where present); 1: forced portable.
struct KemArithmetic {
  explicit KemArithmetic(const benchmark::State& state) {
    crypto::detail::kem::force_portable_poly_ops(state.range(0) == 1);
  }
  ~KemArithmetic() { crypto::detail::kem::force_portable_poly_ops(false); }
  KemArithmetic(const KemArithmetic&) = delete;
  KemArithmetic& operator=(const KemArithmetic&) = delete;
};

template <class K>
void BM_KemKeyGen(benchmark::State& state) {
  KemArithmetic arithmetic(state);
  testing::DeterministicRng rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(K::generate(rng));
}

template <class K>
void BM_KemEncaps(benchmark::State& state) {
  KemArithmetic arithmetic(state);
  testing::DeterministicRng rng(1);
  auto pair = K::generate(rng);
  for (auto _ : state) benchmark::DoNotOptimize(K::encapsulate(pair.public_key, rng));
}

template <class K>
void BM_KemDecaps(benchmark::State& state) {
  KemArithmetic arithmetic(state);
  testing::DeterministicRng rng(1);
  auto pair = K::generate(rng);
  auto sent = K::encapsulate(pair.public_key, rng);
  for (auto _ : state) benchmark::DoNotOptimize(K::decapsulate(pair.secret_key, sent.ciphertext));
}

// Parsing a received encapsulation key (the §7.2 modulus check).
template <class K>
void BM_KemParsePublicKey(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  auto pair = K::generate(rng);
  for (auto _ : state) benchmark::DoNotOptimize(K::PublicKey::parse(pair.public_key.bytes()));
}

// Parsing a stored decapsulation key (the §7.3 hash check, the modulus check
// and, since the key objects cache it, sampling Âᵀ).
template <class K>
void BM_KemParseSecretKey(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  auto pair = K::generate(rng);
  for (auto _ : state) benchmark::DoNotOptimize(K::SecretKey::parse(pair.secret_key.secret().expose()));
}

BENCHMARK_TEMPLATE(BM_KemKeyGen, MlKem768)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemEncaps, MlKem768)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemDecaps, MlKem768)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemKeyGen, MlKem1024)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemEncaps, MlKem1024)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemDecaps, MlKem1024)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemKeyGen, Kyber1024)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemEncaps, Kyber1024)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemDecaps, Kyber1024)->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(BM_KemParsePublicKey, MlKem768);
BENCHMARK_TEMPLATE(BM_KemParsePublicKey, MlKem1024);
BENCHMARK_TEMPLATE(BM_KemParseSecretKey, MlKem768);
BENCHMARK_TEMPLATE(BM_KemParseSecretKey, MlKem1024);

}  // namespace
