// GF(2^16)'s logarithm tables (gf16.hpp): the powers of x, each a shift and a
// conditional reduction of the one before.
#include "gf16.hpp"

#include <hush/util/check.hpp>

#include <memory>

namespace hush::signal::spqr::detail {
namespace {

std::unique_ptr<const Gf16Logs> build() {
  auto t = std::make_unique<Gf16Logs>();
  std::uint32_t v = 1;
  for (std::uint32_t i = 0; i < Gf16Logs::kOrder; ++i) {
    // x generates the group: the powers before x^kOrder never come back to 1.
    HUSH_CHECK(i == 0 || v != 1);
    t->exp[i] = static_cast<std::uint16_t>(v);
    t->exp[i + Gf16Logs::kOrder] = static_cast<std::uint16_t>(v);
    t->log[v] = static_cast<std::uint16_t>(i);
    v <<= 1;
    if (v & 0x10000U) v ^= kGf16Poly;
  }
  HUSH_CHECK(v == 1);
  return t;
}

}  // namespace

const Gf16Logs& gf16_logs() {
  // On the heap, not in static storage: most programs linking libhush never
  // run SPQR's erasure code past its first chunks.
  static const std::unique_ptr<const Gf16Logs> tables = build();
  return *tables;
}

}  // namespace hush::signal::spqr::detail
