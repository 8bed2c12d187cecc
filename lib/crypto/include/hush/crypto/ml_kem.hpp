// Key encapsulation: ML-KEM (FIPS 203, August 2024) and the pre-standard
// Kyber round 3 (version 3.02) that libsignal's PQXDH pre-keys still use.
// The one primitive Hush writes itself (docs/adr/0005-ml-kem-written-here.md);
// Keccak comes from OpenSSL. Keys, ciphertexts and secrets are typed per
// parameter set, so an ML-KEM-768 key cannot reach a Kyber1024 operation.
//
//   auto pair = MlKem768::generate(rng);                       // receiver
//   auto sent = MlKem768::encapsulate(pair.public_key, rng);   // sender
//   auto secret = MlKem768::decapsulate(pair.secret_key, sent.ciphertext);
//   // ct_equal(secret, sent.shared_secret)
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace hush::crypto {

namespace detail::kem {
struct Poly;
}

/// The parameter sets and variants implemented.
enum class KemAlgorithm : std::uint8_t {
  ml_kem_512,    ///< FIPS 203 ML-KEM-512 (tested against the vectors; not used by Hush)
  ml_kem_768,    ///< FIPS 203 ML-KEM-768 (Signal's SPQR)
  ml_kem_1024,   ///< FIPS 203 ML-KEM-1024 (libsignal key type 0x0A)
  kyber1024_r3,  ///< Kyber1024 round 3 (libsignal key type 0x08, PQXDH)
};

/// Sizes of one parameter set (FIPS 203 §8, Table 3).
template <KemAlgorithm A>
struct KemParams {
  static constexpr std::size_t k = A == KemAlgorithm::ml_kem_512 ? 2 : A == KemAlgorithm::ml_kem_768 ? 3 : 4;
  static constexpr std::size_t du = k == 4 ? 11 : 10;
  static constexpr std::size_t dv = k == 4 ? 5 : 4;
  static constexpr std::size_t kPublicKeySize = 384 * k + 32;
  static constexpr std::size_t kSecretKeySize = 768 * k + 96;
  static constexpr std::size_t kCiphertextSize = 32 * (du * k + dv);
};

/// A key-encapsulation mechanism of one parameter set. Every operation is
/// constant time in its secrets (checked under valgrind, tests/ct/).
template <KemAlgorithm A>
class Kem {
 public:
  static constexpr KemAlgorithm kAlgorithm = A;
  static constexpr std::size_t kPublicKeySize = KemParams<A>::kPublicKeySize;
  static constexpr std::size_t kSecretKeySize = KemParams<A>::kSecretKeySize;
  static constexpr std::size_t kCiphertextSize = KemParams<A>::kCiphertextSize;
  static constexpr std::size_t kSharedSecretSize = 32;
  /// Size of each of the seeds d, z (key generation) and m (encapsulation).
  static constexpr std::size_t kSeedSize = 32;

  using Seed = SecretBytes<kSeedSize>;
  /// The 32-byte secret both sides end with.
  using SharedSecret = SecretBytes<kSharedSecretSize>;

  /// An encapsulation key: public data, freely copied and compared. It keeps
  /// what encapsulation would otherwise recompute from ek every time, both
  /// computed once when the key is parsed or generated: H(ek) and the matrix
  /// Âᵀ sampled from ρ (k² polynomials, shared between copies).
  class PublicKey {
   public:
    /// Parses an encoded key: fails with bad_length on a wrong size and with
    /// bad_key when a coefficient is not reduced mod q (the FIPS 203 §7.2
    /// modulus check, applied to Kyber round 3 keys too).
    static Result<PublicKey> parse(ByteView bytes);
    [[nodiscard]] const std::array<std::uint8_t, kPublicKeySize>& bytes() const noexcept { return bytes_; }
    /// Compares the encodings (the cached values derive from them).
    friend bool operator==(const PublicKey& a, const PublicKey& b) noexcept { return a.bytes_ == b.bytes_; }

   private:
    friend class Kem;
    PublicKey() = default;
    std::array<std::uint8_t, kPublicKeySize> bytes_{};
    std::array<std::uint8_t, 32> hash_{};  ///< H(ek) = SHA3-256(bytes_)
    /// Âᵀ in the NTT domain, k×k row-major (row i = column i of Â); immutable.
    std::shared_ptr<const detail::kem::Poly[]> matrix_;
  };

  /// A decapsulation key (dk_PKE ‖ ek ‖ H(ek) ‖ z). Wiped on destruction.
  /// Also keeps the public matrix Âᵀ of its ek (computed at parse or key
  /// generation) for decapsulation's re-encryption.
  class SecretKey {
   public:
    /// Parses an encoded key: fails with bad_length on a wrong size and with
    /// bad_key when the embedded H(ek) does not match ek (FIPS 203 §7.3
    /// hash check) or ek fails the modulus check.
    static Result<SecretKey> parse(ByteView bytes);
    /// The encoded key, for storage.
    [[nodiscard]] const SecretBytes<kSecretKeySize>& secret() const noexcept { return bytes_; }
    /// The encapsulation key embedded in this key.
    [[nodiscard]] PublicKey public_key() const;
    /// A copy; the cached matrix (public and immutable) is shared with it.
    [[nodiscard]] SecretKey clone() const noexcept { return SecretKey(bytes_.clone(), matrix_); }

   private:
    friend class Kem;
    SecretKey(SecretBytes<kSecretKeySize> bytes, std::shared_ptr<const detail::kem::Poly[]> matrix) noexcept
        : bytes_(std::move(bytes)), matrix_(std::move(matrix)) {}
    /// matrix_, or the matrix sampled now when this key was parsed (not kept).
    [[nodiscard]] std::shared_ptr<const detail::kem::Poly[]> matrix_or_sample() const;
    SecretBytes<kSecretKeySize> bytes_;
    /// Âᵀ of the embedded ek, as in PublicKey (public data: not wiped); set
    /// by generation, null after parse (sampled at use instead).
    std::shared_ptr<const detail::kem::Poly[]> matrix_;
  };

  /// A ciphertext: public data.
  class Ciphertext {
   public:
    /// Fails with bad_length on a wrong size (the §7.3 ciphertext type check);
    /// every ciphertext of the right size is valid input to decapsulate.
    static Result<Ciphertext> parse(ByteView bytes);
    [[nodiscard]] const std::array<std::uint8_t, kCiphertextSize>& bytes() const noexcept { return bytes_; }
    friend bool operator==(const Ciphertext&, const Ciphertext&) = default;

   private:
    friend class Kem;
    Ciphertext() = default;
    std::array<std::uint8_t, kCiphertextSize> bytes_{};
  };

  struct KeyPair {
    PublicKey public_key;
    SecretKey secret_key;
  };

  struct Encapsulation {
    Ciphertext ciphertext;
    SharedSecret shared_secret;
  };

  /// A fresh key pair: d and z drawn from `rng`.
  static KeyPair generate(Rng& rng);
  /// The key pair of seeds d and z (ML-KEM.KeyGen_internal, FIPS 203 Alg. 16;
  /// for Kyber round 3, d is the seed its reference code draws first). For
  /// tests and for derivations that must be reproducible.
  static KeyPair generate_from_seeds(const Seed& d, const Seed& z);

  /// A shared secret and the ciphertext that carries it to `key`'s owner.
  static Encapsulation encapsulate(const PublicKey& key, Rng& rng);
  /// Encapsulation with the message m given (ML-KEM.Encaps_internal, Alg. 17;
  /// for Kyber round 3, m is the raw randomness, hashed before use).
  static Encapsulation encapsulate_from_seed(const PublicKey& key, const Seed& m);

  /// The shared secret in `ciphertext`. Never fails: a ciphertext that does
  /// not re-encrypt to itself yields the implicit-rejection secret derived
  /// from z, indistinguishable from a real one to whoever sent it.
  static SharedSecret decapsulate(const SecretKey& key, const Ciphertext& ciphertext);
};

using MlKem512 = Kem<KemAlgorithm::ml_kem_512>;
using MlKem768 = Kem<KemAlgorithm::ml_kem_768>;
using MlKem1024 = Kem<KemAlgorithm::ml_kem_1024>;
using Kyber1024 = Kem<KemAlgorithm::kyber1024_r3>;

extern template class Kem<KemAlgorithm::ml_kem_512>;
extern template class Kem<KemAlgorithm::ml_kem_768>;
extern template class Kem<KemAlgorithm::ml_kem_1024>;
extern template class Kem<KemAlgorithm::kyber1024_r3>;

}  // namespace hush::crypto
