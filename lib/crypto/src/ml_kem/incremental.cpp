// Incremental ML-KEM-768 (hush/crypto/ml_kem_incremental.hpp) over the
// whole-key algorithms: c1 depends only on ρ and the coins r, and c2 is the
// tail of the ordinary encryption once t̂ is known, so both parts come from
// K-PKE.Encrypt (FIPS 203 Alg. 14) with nothing new in the arithmetic.
#include <hush/crypto/ml_kem_incremental.hpp>

#include "hashes.hpp"
#include "k_pke.hpp"
#include "ml_kem_internal.hpp"
#include "params.hpp"

#include <cstring>

namespace hush::crypto {

namespace {

constexpr detail::kem::Params kParams = detail::kem::params_of(KemAlgorithm::ml_kem_768);
using Inc = MlKem768Incremental;
static_assert(kParams.u_size() == Inc::kCiphertext1Size);
static_assert(kParams.pke_secret_size() == Inc::kVectorSize);

}  // namespace

auto Inc::Header::parse(ByteView bytes) -> Result<Header> {
  if (bytes.size() != kHeaderSize) return make_error(Errc::bad_length, "ml-kem header length");
  Header h;
  std::memcpy(h.bytes_.data(), bytes.data(), kHeaderSize);
  return h;
}

auto Inc::Vector::parse(ByteView bytes) -> Result<Vector> {
  if (bytes.size() != kVectorSize) return make_error(Errc::bad_length, "ml-kem key vector length");
  Vector v;
  std::memcpy(v.bytes_.data(), bytes.data(), kVectorSize);
  return v;
}

auto Inc::Ciphertext1::parse(ByteView bytes) -> Result<Ciphertext1> {
  if (bytes.size() != kCiphertext1Size) return make_error(Errc::bad_length, "ml-kem ciphertext1 length");
  Ciphertext1 c;
  std::memcpy(c.bytes_.data(), bytes.data(), kCiphertext1Size);
  return c;
}

auto Inc::Ciphertext2::parse(ByteView bytes) -> Result<Ciphertext2> {
  if (bytes.size() != kCiphertext2Size) return make_error(Errc::bad_length, "ml-kem ciphertext2 length");
  Ciphertext2 c;
  std::memcpy(c.bytes_.data(), bytes.data(), kCiphertext2Size);
  return c;
}

auto Inc::EncapsulationState::parse(ByteView bytes) -> Result<EncapsulationState> {
  if (bytes.size() != kSerializedSize) return make_error(Errc::bad_length, "ml-kem encapsulation state length");
  auto header = Header::parse(bytes.subspan(32));
  if (!header) return header.error();
  return EncapsulationState(SecretBytes<32>::from(bytes.first(32)), *header);
}

SecretBytes<Inc::EncapsulationState::kSerializedSize> Inc::EncapsulationState::serialize() const {
  SecretBytes<kSerializedSize> out;
  std::memcpy(out.expose_mut().data(), m_.expose().data(), 32);
  std::memcpy(out.expose_mut().data() + 32, header_.bytes().data(), kHeaderSize);
  return out;
}

auto Inc::header_of(const MlKem768::PublicKey& key) -> Header {
  // spqr: libcrux pk1 = seed for A (ρ) ‖ public key hash H(ek).
  Header h;
  const auto& ek = key.bytes();
  std::memcpy(h.bytes_.data(), ek.data() + kVectorSize, 32);
  detail::kem::sha3_256({ByteView(ek.data(), ek.size())}, h.bytes_.data() + 32);
  return h;
}

auto Inc::vector_of(const MlKem768::PublicKey& key) -> Vector {
  Vector v;
  std::memcpy(v.bytes_.data(), key.bytes().data(), kVectorSize);
  return v;
}

Result<MlKem768::PublicKey> Inc::assemble(const Header& header, const Vector& vector) {
  std::array<std::uint8_t, MlKem768::kPublicKeySize> ek{};
  std::memcpy(ek.data(), vector.bytes_.data(), kVectorSize);
  std::memcpy(ek.data() + kVectorSize, header.bytes_.data(), 32);
  std::uint8_t h[32];
  detail::kem::sha3_256({ByteView(ek.data(), ek.size())}, h);
  // Public values: an ordinary comparison is fine.
  if (std::memcmp(h, header.bytes_.data() + 32, 32) != 0) {
    return make_error(Errc::bad_key, "ml-kem key does not match its header");
  }
  auto key = MlKem768::PublicKey::parse(ek);
  if (!key) return key.error();
  return std::move(key).value();
}

auto Inc::encapsulate1(const Header& header, Rng& rng) -> Encapsulation1 {
  MlKem768::Seed m;
  rng.fill(m.expose_mut());
  return encapsulate1_from_seed(header, m);
}

auto Inc::encapsulate1_from_seed(const Header& header, const MlKem768::Seed& m) -> Encapsulation1 {
  // (K, r) = G(m ‖ H(ek)) (Alg. 17 step 1): H(ek) is in the header.
  SecretBytes<64> kr;
  detail::kem::sha3_512({m.expose(), ByteView(header.bytes_.data() + 32, 32)}, kr.expose_mut().data());
  // u = NTT⁻¹(Âᵀ ∘ ŷ) + e₁ needs only ρ and r: encrypt under t̂ = 0 ‖ ρ and
  // keep the u part. The v part of that encryption reveals μ (t̂ = 0), so
  // the whole buffer is a secret and wiped.
  std::array<std::uint8_t, MlKem768::kPublicKeySize> fake_ek{};
  std::memcpy(fake_ek.data() + kVectorSize, header.bytes_.data(), 32);
  SecretBytes<MlKem768::kCiphertextSize> c;
  detail::kem::k_pke_encrypt(kParams, fake_ek.data(), nullptr, m.expose().data(), kr.expose().data() + 32,
                             c.expose_mut().data());
  Ciphertext1 c1;
  std::memcpy(c1.bytes_.data(), c.expose().data(), kCiphertext1Size);
  return Encapsulation1{c1, EncapsulationState(m.clone(), header), MlKem768::SharedSecret::from(kr.expose().first(32))};
}

auto Inc::encapsulate2(const EncapsulationState& state, const MlKem768::PublicKey& key) -> Result<Ciphertext2> {
  if (!(header_of(key) == state.header_)) return make_error(Errc::bad_key, "ml-kem key is not the header's");
  // The whole encryption with the same m: its c1 part equals encapsulate1's,
  // its tail is c2 = Compress_dv(v).
  auto whole = MlKem768::encapsulate_from_seed(key, state.m_);
  Ciphertext2 c2;
  std::memcpy(c2.bytes_.data(), whole.ciphertext.bytes().data() + kCiphertext1Size, kCiphertext2Size);
  return c2;
}

MlKem768::SharedSecret Inc::decapsulate(const MlKem768::SecretKey& key, const Ciphertext1& c1, const Ciphertext2& c2) {
  std::array<std::uint8_t, MlKem768::kCiphertextSize> c{};
  std::memcpy(c.data(), c1.bytes_.data(), kCiphertext1Size);
  std::memcpy(c.data() + kCiphertext1Size, c2.bytes_.data(), kCiphertext2Size);
  return MlKem768::decapsulate(key, *MlKem768::Ciphertext::parse(c));
}

}  // namespace hush::crypto
