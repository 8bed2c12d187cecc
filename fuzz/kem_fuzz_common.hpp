// Shared by the KEM fuzz targets: the first input byte chooses the variant
// (mod 4), the rest is the object to parse; one fixed key pair per variant.
#pragma once

#include <hush/crypto/ml_kem.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>

namespace hush::fuzz {

template <class K>
const typename K::KeyPair& fixed_kem_key_pair() {
  static const typename K::KeyPair pair = [] {
    typename K::Seed d, z;
    d.expose_mut()[0] = 1;
    z.expose_mut()[0] = 2;
    return K::generate_from_seeds(d, z);
  }();
  return pair;
}

/// Calls f.template operator()<K>(body) with the variant the first byte names.
template <class F>
void with_kem_variant(const std::uint8_t* data, std::size_t size, F&& f) {
  if (size == 0) return;
  const ByteView body(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      f.template operator()<crypto::MlKem512>(body);
      break;
    case 1:
      f.template operator()<crypto::MlKem768>(body);
      break;
    case 2:
      f.template operator()<crypto::MlKem1024>(body);
      break;
    default:
      f.template operator()<crypto::Kyber1024>(body);
      break;
  }
}

}  // namespace hush::fuzz
