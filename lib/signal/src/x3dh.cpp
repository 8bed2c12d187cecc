// X3DH: SK = HKDF(0xFF*32 ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4], salt 0, "WhisperText") → (RK, CK).
// PQXDH (version 4, libsignal pqxdh.rs): the same DHs followed by the Kyber
// shared secret SS, HKDF info kInfoPqxdh, 96 bytes → (RK, CK, SPQR seed).
#include "x3dh.hpp"

#include <hush/crypto/hkdf.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/spqr.hpp>

#include <cstring>

namespace hush::signal::detail {

namespace {

// The "discontinuity bytes" (X3DH §2.2: F, 32 bytes of 0xFF for X25519).
constexpr std::size_t kDiscontinuitySize = 32;

struct DerivedKeys {
  RootKey root;
  ChainKey chain;
  std::optional<SecretBytes<32>> pq_ratchet_seed;
};

class MasterSecret {
 public:
  /// `secret_count` 32-byte secrets follow F: the DHs, then (PQXDH) SS.
  explicit MasterSecret(std::size_t secret_count) : buf_(kDiscontinuitySize + 32 * secret_count) {
    std::memset(buf_.expose_mut().data(), 0xFF, kDiscontinuitySize);
  }
  Status add(const crypto::PrivateKey& ours, const crypto::PublicKey& theirs) {
    HUSH_TRY_ASSIGN(auto shared, crypto::x25519(ours, theirs));
    append(shared.expose());
    return ok();
  }
  void append(ByteView secret) {
    HUSH_CHECK(secret.size() == 32 && offset_ + 32 <= buf_.size());
    std::memcpy(buf_.expose_mut().data() + offset_, secret.data(), 32);
    offset_ += 32;
  }
  /// X3DH: (RK, CK) with "WhisperText".
  Result<DerivedKeys> derive_x3dh() const {
    HUSH_CHECK(offset_ == buf_.size());
    SecretBytes<64> derived;
    HUSH_TRY(crypto::hkdf_sha256_into(buf_.expose(), {}, as_bytes(kInfoX3dh), derived.expose_mut()));
    auto d = derived.expose();
    return DerivedKeys{RootKey(SecretBytes<32>::from(d.subspan(0, 32))),
                       ChainKey(SecretBytes<32>::from(d.subspan(32, 32)), 0), std::nullopt};
  }
  /// PQXDH: (RK, CK, SPQR seed), salt absent (libsignal: Hkdf::new(None, ..)).
  Result<DerivedKeys> derive_pqxdh() const {
    HUSH_CHECK(offset_ == buf_.size());
    SecretBytes<96> derived;
    HUSH_TRY(crypto::hkdf_sha256_into(buf_.expose(), {}, as_bytes(kInfoPqxdh), derived.expose_mut()));
    auto d = derived.expose();
    return DerivedKeys{RootKey(SecretBytes<32>::from(d.subspan(0, 32))),
                       ChainKey(SecretBytes<32>::from(d.subspan(32, 32)), 0), SecretBytes<32>::from(d.subspan(64, 32))};
  }

 private:
  SecretBuffer buf_;
  std::size_t offset_ = kDiscontinuitySize;
};

// SPQR's first state, at V1 with minimum V1 as libsignal starts it
// (ratchet.rs: "Require that all clients speak SPQR"); the initiator is A→B.
// Chain limits are spqr's defaults, which equal kMaxForwardJumps and
// kMaxSkippedKeysPerChain (libsignal's spqr_chain_params for other devices).
Status start_spqr(SessionState& s, spqr::Direction direction) {
  if (!s.pq_ratchet_seed) return ok();
  HUSH_TRY_ASSIGN(auto state,
                  spqr::SpqrState::initial({spqr::Version::v1,
                                            spqr::Version::v1,
                                            direction,
                                            s.pq_ratchet_seed->expose(),
                                            {kMaxForwardJumps, static_cast<std::uint32_t>(kMaxSkippedKeysPerChain)}}));
  s.pq_ratchet = std::move(state);
  return ok();
}

}  // namespace

Result<AliceSession> initialize_alice_session(const AliceParameters& p, crypto::Rng& rng) {
  // Bundles may be built by the application from keys parsed any way: check them all.
  if (!p.their_identity_checked) HUSH_TRY(p.their_identity.check_prime_order());
  HUSH_TRY(p.their_signed_pre_key.check_prime_order());
  if (p.their_one_time_pre_key) HUSH_TRY(p.their_one_time_pre_key->check_prime_order());
  const bool pqxdh = p.their_kyber_pre_key != nullptr;
  MasterSecret secret((p.their_one_time_pre_key ? 4 : 3) + (pqxdh ? 1 : 0));
  HUSH_TRY(secret.add(p.our_identity.private_key, p.their_signed_pre_key));  // DH1 = DH(IK_A, SPK_B)
  HUSH_TRY(secret.add(p.our_base_key.private_key, p.their_identity));        // DH2 = DH(EK_A, IK_B)
  HUSH_TRY(secret.add(p.our_base_key.private_key, p.their_signed_pre_key));  // DH3 = DH(EK_A, SPK_B)
  if (p.their_one_time_pre_key) {
    HUSH_TRY(secret.add(p.our_base_key.private_key, *p.their_one_time_pre_key));  // DH4 = DH(EK_A, OPK_B)
  }
  std::optional<KyberCiphertext> kyber_ciphertext;
  if (pqxdh) {
    // (CT, SS) = PQKEM-ENC(PQPK_B) (PQXDH §3.3)
    auto encapsulation = crypto::Kyber1024::encapsulate(*p.their_kyber_pre_key, rng);
    secret.append(encapsulation.shared_secret.expose());
    kyber_ciphertext = encapsulation.ciphertext;
  }
  HUSH_TRY_ASSIGN(auto derived, pqxdh ? secret.derive_pqxdh() : secret.derive_x3dh());
  auto sending_ratchet = crypto::KeyPair::generate(rng);
  HUSH_TRY_ASSIGN(auto sending, derived.root.create_chain(p.their_signed_pre_key, sending_ratchet.private_key));
  SessionState s{pqxdh ? kPqxdhCiphertextVersion : kCiphertextVersion,
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
  s.pq_ratchet_seed = std::move(derived.pq_ratchet_seed);
  HUSH_TRY(start_spqr(s, spqr::Direction::a2b));
  s.add_receiver_chain(p.their_signed_pre_key, std::move(derived.chain));
  return AliceSession{std::move(s), kyber_ciphertext};
}

Result<SessionState> initialize_bob_session(const BobParameters& p) {
  // The initiator's keys arrived in a pre-key message, parsed with cheap
  // checks; the caller checked the identity key (or knew it already).
  HUSH_TRY(p.their_base_key.check_prime_order());
  const bool pqxdh = p.our_kyber_pre_key != nullptr;
  HUSH_CHECK(pqxdh == (p.their_kyber_ciphertext != nullptr));
  MasterSecret secret((p.our_one_time_pre_key ? 4 : 3) + (pqxdh ? 1 : 0));
  HUSH_TRY(secret.add(p.our_signed_pre_key.private_key, p.their_identity));                                 // DH1
  HUSH_TRY(secret.add(p.our_identity.private_key, p.their_base_key));                                       // DH2
  HUSH_TRY(secret.add(p.our_signed_pre_key.private_key, p.their_base_key));                                 // DH3
  if (p.our_one_time_pre_key) HUSH_TRY(secret.add(p.our_one_time_pre_key->private_key, p.their_base_key));  // DH4
  if (pqxdh) {
    // SS = PQKEM-DEC(PQPK_B, CT): never fails (implicit rejection); a bad CT
    // gives a secret the initiator does not have, so the MAC check fails.
    auto shared = crypto::Kyber1024::decapsulate(*p.our_kyber_pre_key, *p.their_kyber_ciphertext);
    secret.append(shared.expose());
  }
  HUSH_TRY_ASSIGN(auto derived, pqxdh ? secret.derive_pqxdh() : secret.derive_x3dh());
  SessionState s{pqxdh ? kPqxdhCiphertextVersion : kCiphertextVersion,
                 p.our_identity.public_key,
                 p.their_identity,
                 std::move(derived.root),
                 0,
                 p.our_signed_pre_key.clone(),
                 std::move(derived.chain),
                 {},
                 std::nullopt,
                 RegistrationId{},
                 RegistrationId{},
                 p.their_base_key};
  s.pq_ratchet_seed = std::move(derived.pq_ratchet_seed);
  HUSH_TRY(start_spqr(s, spqr::Direction::b2a));
  return s;
}

}  // namespace hush::signal::detail
