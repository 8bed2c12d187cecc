// Fuzzes the SPQR wire message parser (lib/signal/src/spqr/braid_message).
// It must never crash; whatever it accepts re-serializes to bytes that parse
// to the same message.
#include "braid_message.hpp"

#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hush::signal::spqr::detail;
  auto m = parse_message(hush::ByteView(data, size));
  if (!m) return 0;
  auto again = parse_message(serialize_message(m->braid, m->index));
  HUSH_CHECK(again.has_value());
  HUSH_CHECK(again->index == m->index && again->braid.epoch == m->braid.epoch && again->braid.type == m->braid.type);
  HUSH_CHECK(!carries_chunk(m->braid.type) || again->braid.chunk == m->braid.chunk);
  return 0;
}
