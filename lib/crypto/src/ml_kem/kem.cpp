// The typed KEM API (hush/crypto/ml_kem.hpp): validation of keys and
// ciphertexts from outside (FIPS 203 §7), randomness from the caller's Rng,
// and dispatch to the ML-KEM or Kyber round 3 algorithms.
#include <hush/crypto/ml_kem.hpp>

#include "encoding.hpp"
#include "hashes.hpp"
#include "ml_kem_internal.hpp"
#include "params.hpp"
#include "sampling.hpp"

#include <cstring>

namespace hush::crypto {

namespace {

using detail::kem::Params;
using detail::kem::params_of;

// §7.2 modulus check: every coefficient of t̂ below q, so ek re-encodes to itself.
bool ek_coefficients_reduced(const Params& params, const std::uint8_t* ek) noexcept {
  bool ok = true;
  for (std::size_t i = 0; i < params.k; ++i) {
    detail::kem::Poly p;
    ok &= detail::kem::byte_decode12_checked(p, ek + 384 * i);
  }
  return ok;
}

// Âᵀ sampled from the ρ at the end of ek: the matrix every encryption under
// ek uses (the cost of SampleNTT, k² times, paid once per key).
std::shared_ptr<const detail::kem::Poly[]> sample_matrix_of(const Params& params, const std::uint8_t* ek) {
  std::shared_ptr<detail::kem::Poly[]> m(new detail::kem::Poly[params.k * params.k]);
  detail::kem::sample_matrix_flat(m.get(), ek + params.pke_secret_size(), params.k, true);
  return m;
}

}  // namespace

template <KemAlgorithm A>
auto Kem<A>::PublicKey::parse(ByteView bytes) -> Result<PublicKey> {
  constexpr Params params = params_of(A);
  if (bytes.size() != kPublicKeySize) return make_error(Errc::bad_length, "kem public key length");
  if (!ek_coefficients_reduced(params, bytes.data())) return make_error(Errc::bad_key, "kem public key not reduced");
  PublicKey key;
  std::memcpy(key.bytes_.data(), bytes.data(), kPublicKeySize);
  detail::kem::sha3_256({ByteView(key.bytes_.data(), kPublicKeySize)}, key.hash_.data());
  key.matrix_ = sample_matrix_of(params, key.bytes_.data());
  return key;
}

template <KemAlgorithm A>
auto Kem<A>::SecretKey::parse(ByteView bytes) -> Result<SecretKey> {
  constexpr Params params = params_of(A);
  if (bytes.size() != kSecretKeySize) return make_error(Errc::bad_length, "kem secret key length");
  // §7.3 hash check: the stored H(ek) must be the hash of the stored ek (both public).
  const std::uint8_t* ek = bytes.data() + params.pke_secret_size();
  std::uint8_t h[32];
  detail::kem::sha3_256({ByteView(ek, kPublicKeySize)}, h);
  if (std::memcmp(h, ek + kPublicKeySize, 32) != 0) return make_error(Errc::bad_key, "kem secret key hash check");
  if (!ek_coefficients_reduced(params, ek)) return make_error(Errc::bad_key, "kem public key not reduced");
  // No matrix yet: a stored key is parsed far more often than it is used
  // (SPQR loads its decapsulation key with every message, decapsulates once
  // per epoch), so Âᵀ is sampled when a use needs it (matrix_or_sample).
  return SecretKey(SecretBytes<kSecretKeySize>::from(bytes), nullptr);
}

template <KemAlgorithm A>
auto Kem<A>::SecretKey::matrix_or_sample() const -> std::shared_ptr<const detail::kem::Poly[]> {
  if (matrix_) return matrix_;
  return sample_matrix_of(params_of(A), bytes_.expose().data() + params_of(A).pke_secret_size());
}

template <KemAlgorithm A>
auto Kem<A>::SecretKey::public_key() const -> PublicKey {
  PublicKey key;
  const std::uint8_t* ek = bytes_.expose().data() + params_of(A).pke_secret_size();
  std::memcpy(key.bytes_.data(), ek, kPublicKeySize);
  std::memcpy(key.hash_.data(), ek + kPublicKeySize, 32);  // H(ek), checked at parse
  key.matrix_ = matrix_or_sample();
  return key;
}

template <KemAlgorithm A>
auto Kem<A>::Ciphertext::parse(ByteView bytes) -> Result<Ciphertext> {
  if (bytes.size() != kCiphertextSize) return make_error(Errc::bad_length, "kem ciphertext length");
  Ciphertext c;
  std::memcpy(c.bytes_.data(), bytes.data(), kCiphertextSize);
  return c;
}

template <KemAlgorithm A>
auto Kem<A>::generate(Rng& rng) -> KeyPair {
  Seed d;
  Seed z;
  rng.fill(d.expose_mut());
  rng.fill(z.expose_mut());
  return generate_from_seeds(d, z);
}

template <KemAlgorithm A>
auto Kem<A>::generate_from_seeds(const Seed& d, const Seed& z) -> KeyPair {
  constexpr Params params = params_of(A);
  PublicKey pk;
  SecretBytes<kSecretKeySize> dk;
  // Key generation samples Â anyway; it hands back Âᵀ for both keys to share.
  std::shared_ptr<detail::kem::Poly[]> matrix(new detail::kem::Poly[params.k * params.k]);
  detail::kem::keygen_internal(params, d.expose().data(), z.expose().data(), pk.bytes_.data(), dk.expose_mut().data(),
                               matrix.get());
  std::memcpy(pk.hash_.data(), dk.expose().data() + params.pke_secret_size() + kPublicKeySize, 32);
  pk.matrix_ = matrix;
  return KeyPair{pk, SecretKey(std::move(dk), std::move(matrix))};
}

template <KemAlgorithm A>
auto Kem<A>::encapsulate(const PublicKey& key, Rng& rng) -> Encapsulation {
  Seed m;
  rng.fill(m.expose_mut());
  return encapsulate_from_seed(key, m);
}

template <KemAlgorithm A>
auto Kem<A>::encapsulate_from_seed(const PublicKey& key, const Seed& m) -> Encapsulation {
  constexpr Params params = params_of(A);
  Encapsulation out{Ciphertext(), SharedSecret()};
  auto secret = out.shared_secret.expose_mut();
  if constexpr (params.round3) {
    detail::kem::kyber_r3_encaps(params, key.bytes_.data(), key.hash_.data(), key.matrix_.get(), m.expose().data(),
                                 out.ciphertext.bytes_.data(), secret.data());
  } else {
    detail::kem::ml_kem_encaps(params, key.bytes_.data(), key.hash_.data(), key.matrix_.get(), m.expose().data(),
                               out.ciphertext.bytes_.data(), secret.data());
  }
  return out;
}

template <KemAlgorithm A>
auto Kem<A>::decapsulate(const SecretKey& key, const Ciphertext& ciphertext) -> SharedSecret {
  constexpr Params params = params_of(A);
  SharedSecret out;
  auto secret = out.expose_mut();
  const auto matrix = key.matrix_or_sample();
  if constexpr (params.round3) {
    detail::kem::kyber_r3_decaps(params, key.bytes_.expose().data(), matrix.get(), ciphertext.bytes_.data(),
                                 secret.data());
  } else {
    detail::kem::ml_kem_decaps(params, key.bytes_.expose().data(), matrix.get(), ciphertext.bytes_.data(),
                               secret.data());
  }
  return out;
}

template class Kem<KemAlgorithm::ml_kem_512>;
template class Kem<KemAlgorithm::ml_kem_768>;
template class Kem<KemAlgorithm::ml_kem_1024>;
template class Kem<KemAlgorithm::kyber1024_r3>;

}  // namespace hush::crypto
