// HUSH_CHECK: invariants that must hold whatever the input. A failure is a
// bug in Hush or in its caller, never something a peer can cause, so it
// aborts in every build type instead of carrying on with broken state.
#pragma once

namespace hush::detail {
[[noreturn]] void check_failed(const char* expr, const char* file, int line) noexcept;
}  // namespace hush::detail

#define HUSH_CHECK(expr) ((expr) ? static_cast<void>(0) : ::hush::detail::check_failed(#expr, __FILE__, __LINE__))
