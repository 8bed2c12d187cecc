// One-time initialisation of the crypto libraries (libsodium, libxeddsa,
// OpenSSL algorithm fetches). Every wrapper calls it; it is idempotent,
// thread-safe and cheap after the first call.
#pragma once

namespace hush::crypto {

/// Initialises libsodium and libxeddsa. Aborts if libsodium cannot start
/// (no entropy source): nothing in Hush is safe without it.
void ensure_initialized() noexcept;

}  // namespace hush::crypto
