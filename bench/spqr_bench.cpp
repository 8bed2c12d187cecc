// SPQR (lib/signal/src/spqr): the cost a message pays for the braid and the
// chain, beside the KEM operations it is made of. Rows:
// - BM_SpqrMessage: one send and its recv, both sides alternating, averaged
//   over whole epochs (key generation, both encapsulation halves and the
//   decapsulation amortised); counter bytes_per_message = SPQR's bytes;
// - BM_KemIncremental: encapsulate1 + assemble + encapsulate2 (what one
//   epoch's encapsulating side pays) beside BM_KemWhole (one encapsulate).
#include <hush/crypto/ml_kem_incremental.hpp>
#include <hush/signal/spqr.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <benchmark/benchmark.h>

namespace {

using namespace hush;
using namespace hush::signal::spqr;

void BM_SpqrMessage(benchmark::State& state) {
  testing::DeterministicRng rng(1);
  const Bytes key(32, 1);
  SpqrParams p;
  p.auth_key = key;
  p.direction = Direction::a2b;
  auto a = std::move(SpqrState::initial(p).value());
  p.direction = Direction::b2a;
  auto b = std::move(SpqrState::initial(p).value());
  std::uint64_t bytes = 0;
  std::uint64_t messages = 0;
  bool a_turn = true;
  for (auto _ : state) {
    SpqrState& from = a_turn ? a : b;
    SpqrState& to = a_turn ? b : a;
    auto sent = from.send(rng);
    auto got = to.recv(sent->message);
    benchmark::DoNotOptimize(got);
    bytes += sent->message.size();
    ++messages;
    a_turn = !a_turn;
  }
  state.counters["bytes_per_message"] = static_cast<double>(bytes) / static_cast<double>(messages ? messages : 1);
  state.counters["epochs"] = static_cast<double>(a.epoch());
}
BENCHMARK(BM_SpqrMessage)->MinTime(2.0);

void BM_KemIncremental(benchmark::State& state) {
  using Inc = crypto::MlKem768Incremental;
  testing::DeterministicRng rng(2);
  auto pair = crypto::MlKem768::generate(rng);
  const auto header = Inc::header_of(pair.public_key);
  const auto vector = Inc::vector_of(pair.public_key);
  for (auto _ : state) {
    auto one = Inc::encapsulate1(header, rng);
    auto ek = Inc::assemble(header, vector);
    benchmark::DoNotOptimize(Inc::encapsulate2(one.state, *ek));
  }
}
BENCHMARK(BM_KemIncremental);

void BM_KemWhole(benchmark::State& state) {
  testing::DeterministicRng rng(2);
  auto pair = crypto::MlKem768::generate(rng);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::MlKem768::encapsulate(pair.public_key, rng));
}
BENCHMARK(BM_KemWhole);

}  // namespace
