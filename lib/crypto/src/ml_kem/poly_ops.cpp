// Chooses the polynomial arithmetic once per process (poly_ops.hpp).
#include "poly_ops.hpp"

#include <atomic>

namespace hush::crypto::detail::kem {
namespace {

const PolyOps* best() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_cpu_supports("avx2")) return &avx2::kOps;
#endif
  return &portable::kOps;
}

std::atomic<const PolyOps*> g_forced{nullptr};

}  // namespace

const PolyOps& poly_ops() noexcept {
  static const PolyOps* const chosen = best();
  const PolyOps* forced = g_forced.load(std::memory_order_relaxed);
  return forced != nullptr ? *forced : *chosen;
}

void force_portable_poly_ops(bool portable) noexcept {
  g_forced.store(portable ? &portable::kOps : nullptr, std::memory_order_relaxed);
}

}  // namespace hush::crypto::detail::kem
