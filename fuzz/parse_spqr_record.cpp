// Fuzzes the SPQR record codec (SpqrState::parse). It must never crash;
// whatever it accepts serializes to a record that parses to the same bytes,
// and the state it gives can send and receive without crashing.
#include <hush/signal/spqr.hpp>
#include <hush/testing/deterministic_rng.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hush::signal::spqr::SpqrState;
  auto state = SpqrState::parse(hush::ByteView(data, size));
  if (!state) return 0;
  const auto bytes = state->serialize();
  auto again = SpqrState::parse(bytes.expose());
  HUSH_CHECK(again.has_value());
  const auto bytes2 = again->serialize();
  HUSH_CHECK(ct_equal(bytes, bytes2));
  hush::testing::DeterministicRng rng(size);
  auto sent = state->send(rng);
  if (sent) (void)again->recv(sent->message);
  return 0;
}
