// The abort path of HUSH_CHECK. It prints the failed expression (code, never
// data) and aborts, so a broken invariant cannot go on to corrupt state.
#include <hush/util/check.hpp>

#include <cstdio>
#include <cstdlib>

namespace hush::detail {

void check_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "hush: check failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace hush::detail
