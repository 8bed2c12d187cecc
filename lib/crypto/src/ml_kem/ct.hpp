// Constant-time helpers for the KEM, and the hook that lets the valgrind
// test (tests/ct/) tell memcheck which derived values are public: a value
// computed from a secret but published (ρ, the ciphertext) is declassified
// so that branching on it is not reported.
#pragma once

#include <hush/util/secret.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(HUSH_KEM_CT_VALGRIND)
#include <valgrind/memcheck.h>
#endif

namespace hush::crypto::detail::kem {

/// Marks n bytes at p as public (for memcheck); free in normal builds.
inline void declassify([[maybe_unused]] const void* p, [[maybe_unused]] std::size_t n) noexcept {
#if defined(HUSH_KEM_CT_VALGRIND)
  (void)VALGRIND_MAKE_MEM_DEFINED(p, n);
#endif
}

/// The valgrind test's proof that it can see a leak (tests/kem/CMakeLists.txt
/// builds a variant with HUSH_KEM_CT_INJECT_LEAK): a branch on a secret byte.
/// Nothing in any other build.
#if defined(HUSH_KEM_CT_INJECT_LEAK)
#define HUSH_KEM_CT_INJECTED_LEAK(secret_byte) \
  do {                                         \
    static volatile int hush_kem_sink_;        \
    if ((secret_byte)&1) hush_kem_sink_ = 1;   \
  } while (0)
#else
#define HUSH_KEM_CT_INJECTED_LEAK(secret_byte) \
  do {                                         \
  } while (0)
#endif

/// 0xFF when a and b differ, else 0, without a data-dependent branch.
inline std::uint8_t ct_differ_mask(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
  std::uint8_t acc = 0;
  for (std::size_t i = 0; i < n; ++i) acc |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  // acc != 0 → 0xFF; the subtraction's borrow carries the answer.
  const std::uint32_t nonzero = (static_cast<std::uint32_t>(acc) + 0xFFu) >> 8;  // 1 iff acc != 0
  return static_cast<std::uint8_t>(-nonzero);
}

/// dst = mask ? src : dst, mask ∈ {0, 0xFF}, without a branch.
inline void ct_select(std::uint8_t* dst, const std::uint8_t* src, std::size_t n, std::uint8_t mask) noexcept {
  for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<std::uint8_t>(dst[i] ^ (mask & (dst[i] ^ src[i])));
}

/// A value wiped when it goes out of scope (polynomials holding secrets).
template <class T>
struct Wiped : T {
  Wiped() = default;
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
  ~Wiped() { secure_wipe(static_cast<T*>(this), sizeof(T)); }
};

}  // namespace hush::crypto::detail::kem
