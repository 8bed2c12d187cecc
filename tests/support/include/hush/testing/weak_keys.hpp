// Malicious public keys for tests: a genuine key shifted by a point of small
// order (the result has the same X25519 output for clamped scalars, which
// is why Hush refuses such keys outright).
#pragma once

#include <hush/crypto/x25519.hpp>

#include <array>
#include <cstdint>

namespace hush::testing {

/// The u-coordinate of P + T, where P is the public key of `key` and T a point of order 8.
std::array<std::uint8_t, 32> torsion_shifted_public_key(const crypto::PrivateKey& key);

/// Montgomery u = (1 + y) / (1 - y) mod p for an Edwards point (RFC 7748 §4.1),
/// with OpenSSL bignums: test scaffolding, not a primitive of ours.
std::array<std::uint8_t, 32> edwards_to_montgomery(const unsigned char* edwards);

}  // namespace hush::testing
