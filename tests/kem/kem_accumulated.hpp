// The accumulated pq-crystals test of tests/vectors/ml-kem/README.md: inputs
// from one SHAKE-128 stream, outputs absorbed into another, compared with the
// published hash. The input stream is squeezed incrementally through
// libgcrypt (OpenSSL 3.0 squeezes once per context), an independent Keccak.
#pragma once

#include <cstddef>
#include <string>

namespace hush::testing {

/// The hex SHAKE-128 hash of `tests` accumulated tests of the parameter set
/// (512, 768 or 1024); also counts decapsulations that disagreed with
/// encapsulation in *mismatches.
std::string accumulated_kem_hash(int parameter_set, std::size_t tests, std::size_t* mismatches);

}  // namespace hush::testing
