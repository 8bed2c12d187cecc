// Incremental ML-KEM-768: encapsulation in two steps, for SPQR (the ML-KEM
// braid), which sends an encapsulation key in two parts and its ciphertext in
// two parts so that each travels in message-sized chunks.
//
// The split follows libcrux's incremental API, which Signal's spqr crate uses
// (spqr: src/incremental_mlkem768.rs): the key is a 64-byte header ρ ‖ H(ek)
// and the 1152-byte vector part t̂ (ek = t̂ ‖ ρ); the ciphertext is c1 = the
// compressed u (960 bytes) and c2 = the compressed v (128 bytes), c = c1 ‖ c2.
// Every byte is plain FIPS 203: encapsulate1 + encapsulate2 with the seed m
// give exactly MlKem768::encapsulate_from_seed's ciphertext and secret, and
// decapsulate is MlKem768::decapsulate of c1 ‖ c2.
//
//   auto pair = MlKem768::generate(rng);                                 // receiver
//   auto hdr = MlKem768Incremental::header_of(pair.public_key);          // sent first
//   auto one = MlKem768Incremental::encapsulate1(hdr, rng);              // sender: c1, secret
//   auto ek = MlKem768Incremental::assemble(hdr, vector_of(pair.public_key));  // when t̂ arrived
//   auto two = MlKem768Incremental::encapsulate2(one.state, *ek);        // c2
//   auto secret = MlKem768Incremental::decapsulate(pair.secret_key, one.ciphertext1, *two);
#pragma once

#include <hush/crypto/ml_kem.hpp>

namespace hush::crypto {

/// ML-KEM-768 with the encapsulation split in two (see the file comment).
class MlKem768Incremental {
 public:
  static constexpr std::size_t kHeaderSize = 64;        ///< ρ ‖ H(ek)
  static constexpr std::size_t kVectorSize = 384 * 3;   ///< t̂, ByteEncode₁₂
  static constexpr std::size_t kCiphertext1Size = 960;  ///< Compress_du(u), du = 10
  static constexpr std::size_t kCiphertext2Size = 128;  ///< Compress_dv(v), dv = 4
  static_assert(kHeaderSize - 32 + kVectorSize == MlKem768::kPublicKeySize);
  static_assert(kCiphertext1Size + kCiphertext2Size == MlKem768::kCiphertextSize);

  /// The first part of an encapsulation key: ρ ‖ H(ek). Public.
  class Header {
   public:
    /// Fails with bad_length on a wrong size; any 64 bytes are a header.
    static Result<Header> parse(ByteView bytes);
    [[nodiscard]] const std::array<std::uint8_t, kHeaderSize>& bytes() const noexcept { return bytes_; }
    friend bool operator==(const Header&, const Header&) = default;

   private:
    friend class MlKem768Incremental;
    Header() = default;
    std::array<std::uint8_t, kHeaderSize> bytes_{};
  };

  /// The second part of an encapsulation key: t̂. Public.
  class Vector {
   public:
    /// Fails with bad_length on a wrong size (the modulus check is done by
    /// assemble, with the header).
    static Result<Vector> parse(ByteView bytes);
    [[nodiscard]] const std::array<std::uint8_t, kVectorSize>& bytes() const noexcept { return bytes_; }
    friend bool operator==(const Vector&, const Vector&) = default;

   private:
    friend class MlKem768Incremental;
    Vector() = default;
    std::array<std::uint8_t, kVectorSize> bytes_{};
  };

  /// c1, the first part of a ciphertext. Public.
  class Ciphertext1 {
   public:
    static Result<Ciphertext1> parse(ByteView bytes);
    [[nodiscard]] const std::array<std::uint8_t, kCiphertext1Size>& bytes() const noexcept { return bytes_; }
    friend bool operator==(const Ciphertext1&, const Ciphertext1&) = default;

   private:
    friend class MlKem768Incremental;
    Ciphertext1() = default;
    std::array<std::uint8_t, kCiphertext1Size> bytes_{};
  };

  /// c2, the second part of a ciphertext. Public.
  class Ciphertext2 {
   public:
    static Result<Ciphertext2> parse(ByteView bytes);
    [[nodiscard]] const std::array<std::uint8_t, kCiphertext2Size>& bytes() const noexcept { return bytes_; }
    friend bool operator==(const Ciphertext2&, const Ciphertext2&) = default;

   private:
    friend class MlKem768Incremental;
    Ciphertext2() = default;
    std::array<std::uint8_t, kCiphertext2Size> bytes_{};
  };

  /// What encapsulate2 needs from encapsulate1: the seed m and the header.
  /// Secret (m determines the shared secret); wiped on destruction.
  ///
  /// Hush keeps m rather than libcrux's 2080-byte state (r̂, e₂, m): c2 is
  /// recomputed from m, which costs a second K-PKE encryption but keeps the
  /// stored secret at 32 bytes and the state format our own. Serialized as
  /// m ‖ header (kSerializedSize bytes).
  class EncapsulationState {
   public:
    static constexpr std::size_t kSerializedSize = 32 + kHeaderSize;
    /// Fails with bad_length on a wrong size.
    static Result<EncapsulationState> parse(ByteView bytes);
    [[nodiscard]] SecretBytes<kSerializedSize> serialize() const;
    [[nodiscard]] const Header& header() const noexcept { return header_; }
    [[nodiscard]] EncapsulationState clone() const { return EncapsulationState(m_.clone(), header_); }

   private:
    friend class MlKem768Incremental;
    EncapsulationState(SecretBytes<32> m, Header header) noexcept : m_(std::move(m)), header_(header) {}
    SecretBytes<32> m_;
    Header header_;
  };

  struct Encapsulation1 {
    Ciphertext1 ciphertext1;
    EncapsulationState state;
    MlKem768::SharedSecret shared_secret;
  };

  /// The header of a key: ρ ‖ H(ek).
  static Header header_of(const MlKem768::PublicKey& key);
  /// The vector part of a key: t̂.
  static Vector vector_of(const MlKem768::PublicKey& key);
  /// The key t̂ ‖ ρ, once its two parts are here. Fails with bad_key when
  /// H(t̂ ‖ ρ) is not the header's hash or t̂ fails the FIPS 203 §7.2 modulus
  /// check (as libcrux's validate_pk).
  static Result<MlKem768::PublicKey> assemble(const Header& header, const Vector& vector);

  /// c1 and the shared secret from the header alone, m drawn from `rng`.
  static Encapsulation1 encapsulate1(const Header& header, Rng& rng);
  /// As above with m given (ML-KEM.Encaps_internal's m; for tests).
  static Encapsulation1 encapsulate1_from_seed(const Header& header, const MlKem768::Seed& m);
  /// c2, once the whole key is here. Fails with bad_key when `key` is not the
  /// key the state's header names.
  static Result<Ciphertext2> encapsulate2(const EncapsulationState& state, const MlKem768::PublicKey& key);

  /// The shared secret in c1 ‖ c2 (MlKem768::decapsulate; never fails).
  static MlKem768::SharedSecret decapsulate(const MlKem768::SecretKey& key, const Ciphertext1& c1,
                                            const Ciphertext2& c2);
};

}  // namespace hush::crypto
