// Writes the seed corpora of the SPQR fuzz targets (fuzz/spqr.cmake): one
// wire message of each payload type, records of each braid state, and for
// the stateful target, the message the sender would send next after k
// exchanges (the same conversation the target replays). Deterministic.
// With a second folder, also writes the record-compatibility pair of
// tests/spqr (two records mid-conversation, format 1).
//   build/<dir>/fuzz/make_spqr_corpus fuzz/corpus [tests/spqr/data/format1]
#include "braid_message.hpp"
#include "spqr_state_impl.hpp"

#include <hush/signal/spqr.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace hush::signal::spqr;

void write(const fs::path& dir, const std::string& name, hush::ByteView body) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size()));
}

struct Pair {
  SpqrState a;
  SpqrState b;
};

Pair start() {
  const hush::Bytes key(32, 0x29);
  SpqrParams p;
  p.auth_key = key;
  p.direction = Direction::a2b;
  auto a = std::move(SpqrState::initial(p).value());
  p.direction = Direction::b2a;
  auto b = std::move(SpqrState::initial(p).value());
  return Pair{std::move(a), std::move(b)};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: make_spqr_corpus <fuzz/corpus> [<tests/spqr/data/format1>]\n");
    return 2;
  }
  const fs::path root = argv[1];
  {
    hush::testing::DeterministicRng rng(1);
    auto p = start();
    std::set<int> types;
    std::set<int> kinds;
    for (int i = 0; i < 120; ++i) {
      for (int side = 0; side < 2; ++side) {
        SpqrState& from = side == 0 ? p.a : p.b;
        SpqrState& to = side == 0 ? p.b : p.a;
        const int kind = static_cast<int>(SpqrStateAccess::impl(from).braid->kind);
        if (kinds.insert(kind).second) {
          write(root / "parse_spqr_record", "state_" + std::to_string(kind), from.serialize().expose());
        }
        auto sent = from.send(rng);
        const auto parsed = detail::parse_message(sent->message);
        const int type = static_cast<int>(parsed->braid.type);
        if (types.insert(type).second) {
          write(root / "parse_spqr_message", "type_" + std::to_string(type), sent->message);
        }
        (void)to.recv(sent->message);
      }
    }
  }
  for (int k : {0, 1, 2, 3, 20, 40, 45}) {
    hush::testing::DeterministicRng rng(7);  // as recv_spqr_message.cpp
    auto p = start();
    for (int i = 0; i < k; ++i) {
      (void)p.b.recv(p.a.send(rng)->message);
      (void)p.a.recv(p.b.send(rng)->message);
    }
    hush::Bytes seed{static_cast<std::uint8_t>(k)};
    const auto next = p.a.send(rng)->message;
    seed.insert(seed.end(), next.begin(), next.end());
    write(root / "recv_spqr_message", "after_" + std::to_string(k), seed);
  }
  if (argc == 3) {
    // 25 exchanges: both mid-epoch 1 or 2, with chunks held on each side.
    hush::testing::DeterministicRng rng(3);
    auto p = start();
    for (int i = 0; i < 25; ++i) {
      (void)p.b.recv(p.a.send(rng)->message);
      (void)p.a.recv(p.b.send(rng)->message);
    }
    write(argv[2], "a.bin", p.a.serialize().expose());
    write(argv[2], "b.bin", p.b.serialize().expose());
  }
  return 0;
}
