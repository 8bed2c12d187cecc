// Stateful SPQR fuzzer: two states talk for a number of messages chosen by
// the first input byte (so the receiver sits in different braid states),
// then the receiver gets the rest of the input as a message. It must never
// crash, and a refused message must leave the state exactly as it was.
#include <hush/signal/spqr.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hush::signal::spqr;
  if (size == 0) return 0;
  hush::testing::DeterministicRng rng(7);
  const hush::Bytes key(32, 0x29);
  SpqrParams p;
  p.auth_key = key;
  p.direction = Direction::a2b;
  auto a = std::move(SpqrState::initial(p).value());
  p.direction = Direction::b2a;
  auto b = std::move(SpqrState::initial(p).value());
  for (int i = 0; i < data[0]; ++i) {
    auto sa = a.send(rng);
    HUSH_CHECK(sa.has_value() && b.recv(sa->message).has_value());
    auto sb = b.send(rng);
    HUSH_CHECK(sb.has_value() && a.recv(sb->message).has_value());
  }
  const auto before = b.serialize();
  auto got = b.recv(hush::ByteView(data + 1, size - 1));
  if (!got) HUSH_CHECK(ct_equal(before, b.serialize()));
  return 0;
}
