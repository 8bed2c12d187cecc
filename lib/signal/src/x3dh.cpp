// X3DH: SK = HKDF(0xFF*32 ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4], salt 0, "WhisperText") → (RK, CK).
#include "x3dh.hpp"

#include <hush/crypto/hkdf.hpp>
#include <hush/signal/constants.hpp>

#include <cstring>

namespace hush::signal::detail {

namespace {

// The "discontinuity bytes" (X3DH §2.2: F, 32 bytes of 0xFF for X25519).
constexpr std::size_t kDiscontinuitySize = 32;

class MasterSecret {
 public:
  explicit MasterSecret(std::size_t dh_count) : buf_(kDiscontinuitySize + 32 * dh_count) {
    std::memset(buf_.expose_mut().data(), 0xFF, kDiscontinuitySize);
  }
  Status add(const crypto::PrivateKey& ours, const crypto::PublicKey& theirs) {
    HUSH_TRY_ASSIGN(auto shared, crypto::x25519(ours, theirs));
    std::memcpy(buf_.expose_mut().data() + offset_, shared.expose().data(), 32);
    offset_ += 32;
    return ok();
  }
  /// (RK, CK) from the concatenation.
  Result<std::pair<RootKey, ChainKey>> derive() const {
    HUSH_CHECK(offset_ == buf_.size());
    SecretBytes<64> derived;
    HUSH_TRY(crypto::hkdf_sha256_into(buf_.expose(), {}, as_bytes(kInfoX3dh), derived.expose_mut()));
    auto d = derived.expose();
    return std::pair<RootKey, ChainKey>(RootKey(SecretBytes<32>::from(d.subspan(0, 32))),
                                        ChainKey(SecretBytes<32>::from(d.subspan(32, 32)), 0));
  }

 private:
  SecretBuffer buf_;
  std::size_t offset_ = kDiscontinuitySize;
};

}  // namespace

Result<SessionState> initialize_alice_session(const AliceParameters& p, crypto::Rng& rng) {
  // Bundles may be built by the application from keys parsed any way: check them all.
  if (!p.their_identity_checked) HUSH_TRY(p.their_identity.check_prime_order());
  HUSH_TRY(p.their_signed_pre_key.check_prime_order());
  if (p.their_one_time_pre_key) HUSH_TRY(p.their_one_time_pre_key->check_prime_order());
  MasterSecret secret(p.their_one_time_pre_key ? 4 : 3);
  HUSH_TRY(secret.add(p.our_identity.private_key, p.their_signed_pre_key));  // DH1 = DH(IK_A, SPK_B)
  HUSH_TRY(secret.add(p.our_base_key.private_key, p.their_identity));        // DH2 = DH(EK_A, IK_B)
  HUSH_TRY(secret.add(p.our_base_key.private_key, p.their_signed_pre_key));  // DH3 = DH(EK_A, SPK_B)
  if (p.their_one_time_pre_key) {
    HUSH_TRY(secret.add(p.our_base_key.private_key, *p.their_one_time_pre_key));  // DH4 = DH(EK_A, OPK_B)
  }
  HUSH_TRY_ASSIGN(auto derived, secret.derive());
  auto sending_ratchet = crypto::KeyPair::generate(rng);
  HUSH_TRY_ASSIGN(auto sending, derived.first.create_chain(p.their_signed_pre_key, sending_ratchet.private_key));
  SessionState s{kCiphertextVersion,
                 p.our_identity.public_key,
                 p.their_identity,
                 std::move(sending.first),
                 0,
                 std::move(sending_ratchet),
                 std::move(sending.second),
                 {},
                 std::nullopt,
                 RegistrationId{},
                 RegistrationId{},
                 p.our_base_key.public_key};
  s.add_receiver_chain(p.their_signed_pre_key, std::move(derived.second));
  return s;
}

Result<SessionState> initialize_bob_session(const BobParameters& p) {
  // The initiator's keys arrived in a pre-key message, parsed with cheap
  // checks; the caller checked the identity key (or knew it already).
  HUSH_TRY(p.their_base_key.check_prime_order());
  MasterSecret secret(p.our_one_time_pre_key ? 4 : 3);
  HUSH_TRY(secret.add(p.our_signed_pre_key.private_key, p.their_identity));                                 // DH1
  HUSH_TRY(secret.add(p.our_identity.private_key, p.their_base_key));                                       // DH2
  HUSH_TRY(secret.add(p.our_signed_pre_key.private_key, p.their_base_key));                                 // DH3
  if (p.our_one_time_pre_key) HUSH_TRY(secret.add(p.our_one_time_pre_key->private_key, p.their_base_key));  // DH4
  HUSH_TRY_ASSIGN(auto derived, secret.derive());
  return SessionState{kCiphertextVersion,
                      p.our_identity.public_key,
                      p.their_identity,
                      std::move(derived.first),
                      0,
                      p.our_signed_pre_key.clone(),
                      std::move(derived.second),
                      {},
                      std::nullopt,
                      RegistrationId{},
                      RegistrationId{},
                      p.their_base_key};
}

}  // namespace hush::signal::detail
