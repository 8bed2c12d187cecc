// The ML-KEM braid, V1 with ML-KEM-768 (spec "The ML-KEM Braid Protocol";
// spqr: src/v1/chunked/states.rs over src/v1/unchunked/). Each epoch one
// side sends a fresh key (header ‖ MAC, then the vector t̂) in chunks, the
// other answers with an encapsulation (c1, then c2 ‖ MAC) in chunks; both
// derive the epoch secret, then the roles swap for the next epoch.
//
//   send_ek side (A in epoch 1)          send_ct side (B in epoch 1)
//   keys_unsampled                        no_header_received
//     └ send: keygen → keys_sampled         └ hdr complete, MAC ok → header_received
//   keys_sampled (sends hdr)              header_received
//     └ first ct1 chunk → header_sent       └ send: encaps1 → ct1_sampled (epoch secret)
//   header_sent (sends ek)                ct1_sampled (sends ct1, collects ek)
//     └ ct1 complete → ct1_received         ├ ek complete → ek_received_ct1_sampled
//   ct1_received (sends ek + ack)           ├ ack → ct1_acknowledged
//     └ first ct2 chunk → ek_sent_ct1_rcvd  └ ek complete with ack → ct2_sampled
//   ek_sent_ct1_received (sends ack)      ek_received_ct1_sampled / ct1_acknowledged
//     └ ct2 complete, MAC ok → epoch secret,  └ → ct2_sampled (encaps2, MAC)
//       no_header_received of epoch+1     ct2_sampled (sends ct2)
//                                           └ peer's epoch+1 seen → keys_unsampled of epoch+1
//
// Hush's Braid is one struct with the union of the crate's per-state fields;
// which fields a state holds is listed at each kind and checked by the
// record codec.
#pragma once

#include "authenticator.hpp"
#include "braid_message.hpp"
#include "erasure_code.hpp"

#include <hush/crypto/ml_kem_incremental.hpp>
#include <hush/crypto/random.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <memory>
#include <optional>

namespace hush::signal::spqr::detail {

using Inc = crypto::MlKem768Incremental;

/// Byte lengths of what the braid chunks.
inline constexpr std::size_t kHeaderPayloadSize = Inc::kHeaderSize + kMacSize;    // 96
inline constexpr std::size_t kEkPayloadSize = Inc::kVectorSize;                   // 1152
inline constexpr std::size_t kCt1PayloadSize = Inc::kCiphertext1Size;             // 960
inline constexpr std::size_t kCt2PayloadSize = Inc::kCiphertext2Size + kMacSize;  // 160

/// The braid's states; values are the crate's V1State field numbers, for
/// traceability (our record stores them).
enum class BraidKind : std::uint8_t {
  keys_unsampled = 1,           ///< (nothing)
  keys_sampled = 2,             ///< dk, ek_vector, sending = hdr ‖ MAC
  header_sent = 3,              ///< dk, sending = t̂, receiving = c1
  ct1_received = 4,             ///< dk, ct1, sending = t̂
  ek_sent_ct1_received = 5,     ///< dk, ct1, receiving = c2 ‖ MAC
  no_header_received = 6,       ///< receiving = hdr ‖ MAC
  header_received = 7,          ///< header, receiving = t̂
  ct1_sampled = 8,              ///< enc_state, ct1, sending = c1, receiving = t̂
  ek_received_ct1_sampled = 9,  ///< enc_state, ek_vector, ct1, sending = c1
  ct1_acknowledged = 10,        ///< enc_state, ct1, receiving = t̂
  ct2_sampled = 11,             ///< sending = c2 ‖ MAC
};

/// A secret of one epoch, for the chain.
struct EpochSecret {
  std::uint64_t epoch = 0;
  SecretBytes<32> secret;
};

/// One side's braid. The large parts it holds (dk, t̂, c1, the payload being
/// sent) never change once made: they are FrozenBytes, shared between copies
/// of a state (each operation works on one, to commit only on success),
/// never copied per message.
struct Braid {
  BraidKind kind = BraidKind::keys_unsampled;
  std::uint64_t epoch = 1;
  Authenticator auth;
  /// The encoded ML-KEM-768 decapsulation key (kSecretKeySize bytes). Kept
  /// encoded: the record is loaded with every message but the key is used
  /// once per epoch, so its FIPS 203 §7.3 checks (a SHA3-256 of ek and the
  /// modulus check) run at that use, MlKem768::SecretKey::parse before
  /// decapsulating, not at every load. Wiped when the last copy goes.
  FrozenBytes dk;
  /// The key vector t̂ (Inc::kVectorSize bytes).
  FrozenBytes ek_vector;
  std::optional<Inc::Header> header;
  /// The first ciphertext part c1 (Inc::kCiphertext1Size bytes).
  FrozenBytes ct1;
  std::optional<Inc::EncapsulationState> enc_state;
  std::optional<ChunkEncoder> sending;
  std::optional<ChunkDecoder> receiving;

  /// Side A's start: keys_unsampled of epoch 1 (spqr: States::init_a).
  static Braid init_a(ByteView auth_key);
  /// Side B's start: no_header_received of epoch 1 (spqr: States::init_b).
  static Braid init_b(ByteView auth_key);

  [[nodiscard]] Braid clone() const;
};

struct BraidSend {
  BraidMessage message;
  std::optional<EpochSecret> secret;
};

/// The next message of `braid` (never fails; may draw a key pair or an
/// encapsulation from `rng`).
BraidSend braid_send(Braid& braid, crypto::Rng& rng);

/// Applies a peer's message. Fails (and may leave `braid` half-changed: the
/// caller works on a clone) with too_far_ahead for an epoch beyond the
/// state's, bad_mac for a header or ciphertext whose MAC fails,
/// invalid_message for a key vector that does not match its header, and
/// bad_key when the stored decapsulation key fails its checks (a damaged record).
Result<std::optional<EpochSecret>> braid_recv(Braid& braid, const BraidMessage& msg);

}  // namespace hush::signal::spqr::detail
