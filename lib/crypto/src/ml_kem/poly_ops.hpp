// The hot polynomial arithmetic (NTT, inverse NTT, base-case multiplication),
// compiled twice from poly_ops.inc: a portable build for any x86-64 and one
// with AVX2 enabled that g++ vectorises. poly_ops() picks one at run time
// (__builtin_cpu_supports); tests force the portable one to run every vector
// through both.
#pragma once

#include "field.hpp"

namespace hush::crypto::detail::kem {

struct PolyOps {
  /// In place, FIPS 203 Alg. 9; input |c| < q, output centred (Barrett-reduced).
  void (*ntt)(Poly& p) noexcept;
  /// In place, Alg. 10, also multiplying by R (so an input scaled by R^-1,
  /// as base-case products are, comes out in the normal domain); output in (-q, q).
  void (*inv_ntt)(Poly& p) noexcept;
  /// The ζ·b₁ values that base_mul_acc needs for b (|c| < q).
  void (*mul_cache)(MulCache& cache, const Poly& b) noexcept;
  /// r = R^-1 · Σ_{j<k} a[j] ∘ b[j] (Alg. 11 summed), output in (-q, q);
  /// inputs |a| < q, |b| < q.
  void (*base_mul_acc)(Poly& r, const Poly* a, const Poly* b, const MulCache* b_cache, std::size_t k) noexcept;
  const char* name;
};

/// The arithmetic to use: AVX2 when the CPU has it, unless forced portable.
const PolyOps& poly_ops() noexcept;

/// Tests only: makes poly_ops() return the portable code (true) or the best
/// available (false). Not thread-safe against concurrent KEM operations.
void force_portable_poly_ops(bool portable) noexcept;

namespace portable {
extern const PolyOps kOps;
}
namespace avx2 {
extern const PolyOps kOps;
}

}  // namespace hush::crypto::detail::kem
