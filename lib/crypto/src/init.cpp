// One-time start-up of libsodium and libxeddsa.
#include <hush/crypto/init.hpp>
#include <hush/util/check.hpp>

#include <sodium.h>
#include <xeddsa.h>

namespace hush::crypto {

namespace {
bool initialize() noexcept {
  HUSH_CHECK(sodium_init() >= 0);
  HUSH_CHECK(xeddsa_init() >= 0);
  return true;
}
}  // namespace

void ensure_initialized() noexcept {
  static const bool done = initialize();  // thread-safe static initialisation
  (void)done;
}

}  // namespace hush::crypto
