// SPQR, the Sparse Post-Quantum Ratchet: the ML-KEM braid plus a symmetric
// chain, which together give each Signal message a post-quantum key to mix
// into its message keys (the "triple ratchet"). Byte for byte as Signal's
// spqr crate, protocol version V1 with ML-KEM-768 (docs/protocol.md, "SPQR").
//
// One SpqrState lives in each session state. The session asks it for a
// message to carry and a key before encrypting, and hands it the carried
// bytes before decrypting:
//
//   auto alice = SpqrState::initial({Version::v1, Version::v1, Direction::a2b, auth_key});
//   auto bob = SpqrState::initial({Version::v1, Version::v1, Direction::b2a, auth_key});
//   auto sent = alice->send(rng);                 // sent->message goes in the SignalMessage
//   auto key = bob->recv(sent->message);          // *key == sent->key (both may be empty)
//
// Every operation commits on success only: a failed send or recv leaves the
// state exactly as it was. A session that commits a decrypt only when the
// whole message verified (as Hush's does) works on a copy of its state anyway
// and keeps it on success: it calls send_in_place and recv_in_place, which
// skip the copy send and recv make.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <memory>
#include <optional>

namespace hush::signal::spqr {

/// SPQR protocol versions (spqr: Version). V0 means "no SPQR": empty
/// messages, no keys.
enum class Version : std::uint8_t {
  v0 = 0,
  v1 = 1,  ///< the ML-KEM-768 braid
};

/// Which side of the session this is (spqr: Direction). The session's
/// initiator (Alice, who sent the pre-key message) is A→B.
enum class Direction : std::uint8_t {
  a2b = 0,
  b2a = 1,
};

/// Limits of the chain (spqr: ChainParams; these defaults are the crate's).
struct ChainParams {
  /// Largest forward jump of a receiving counter within an epoch.
  std::uint32_t max_jump = 25'000;
  /// Skipped keys kept for late messages (trimmed in batches past 110 %).
  std::uint32_t max_ooo_keys = 2'000;
};

/// How a state is started (spqr: Params).
struct SpqrParams {
  Version version = Version::v1;
  /// The lowest version accepted from the peer: a peer that answers with a
  /// lower one fails recv with unsupported_version.
  Version min_version = Version::v1;
  Direction direction = Direction::a2b;
  /// The session's SPQR key from the key agreement (libsignal: 32 bytes).
  ByteView auth_key;
  ChainParams chain_params;
};

/// A 32-byte post-quantum message key.
using MessageKey = SecretBytes<32>;

/// What send produces.
struct SpqrSend {
  /// The bytes to carry in the message (empty for V0).
  Bytes message;
  /// The key to mix into this message's keys; empty while no chain runs yet
  /// (V0, or V1 still negotiating with min_version V0).
  std::optional<MessageKey> key;
};

/// One SPQR instance.
class SpqrState {
 public:
  /// The V0 state: SPQR off (an empty record).
  SpqrState();
  ~SpqrState();
  SpqrState(SpqrState&&) noexcept;
  SpqrState& operator=(SpqrState&&) noexcept;
  SpqrState(const SpqrState&) = delete;
  SpqrState& operator=(const SpqrState&) = delete;

  /// A fresh state (spqr: initial_state). Fails with invalid_argument when
  /// min_version is above version or the auth key is empty for V1.
  static Result<SpqrState> initial(const SpqrParams& params);

  /// The next message and its key (spqr: send). Fails with stale_state
  /// only on a damaged record.
  [[nodiscard]] Result<SpqrSend> send(crypto::Rng& rng);

  /// Applies a peer's message and returns its key (spqr: recv). Empty
  /// message bytes are V0; a version byte above V1 is ignored (no key, state
  /// unchanged), as the crate does. Fails with
  /// - decode_error: malformed V1 bytes;
  /// - unsupported_version: a lower version than negotiated or than min_version;
  /// - too_far_ahead: an epoch or counter beyond what the state allows;
  /// - bad_mac: a reassembled header or ciphertext whose MAC fails;
  /// - invalid_message: a reassembled key that does not match its header;
  /// - duplicate_message / stale_state: a key already used or trimmed;
  /// - bad_key: the stored decapsulation key fails its FIPS 203 checks when
  ///   the epoch's ciphertext arrives (a damaged record; parse checks only
  ///   its length).
  /// On failure the state is unchanged.
  [[nodiscard]] Result<std::optional<MessageKey>> recv(ByteView message);

  /// The protocol version now in force (V1 while negotiating from V1).
  [[nodiscard]] Version version() const noexcept;
  /// Whether the peer's version is still unknown (no V1 message received).
  [[nodiscard]] bool negotiating() const noexcept;
  /// The current braid epoch (0 for V0).
  [[nodiscard]] std::uint64_t epoch() const noexcept;

  /// The record bytes (SpqrRecordProto; empty for V0).
  [[nodiscard]] SecretBuffer serialize() const;
  /// Parses record bytes; empty bytes are V0. Fails with decode_error,
  /// unsupported_version (an unknown record format) or bad_length.
  static Result<SpqrState> parse(ByteView bytes);

  /// The record's size in bytes (0 for V0), and the record written into
  /// `out` of exactly that size: for a caller that keeps the record inside
  /// its own (a session record does), with no buffer in between.
  [[nodiscard]] std::size_t serialized_size() const;
  void serialize_into(MutableByteView out) const;

  /// send and recv without the copy they make to stay unchanged on failure,
  /// for a caller that works on a copy of its own and drops it on failure (a
  /// session encrypting or decrypting on a loaded record does). On failure
  /// the state may be half-changed and must be dropped. Fail as send and recv do.
  [[nodiscard]] Result<SpqrSend> send_in_place(crypto::Rng& rng);
  [[nodiscard]] Result<std::optional<MessageKey>> recv_in_place(ByteView message);

  /// An explicit deep copy.
  [[nodiscard]] SpqrState clone() const;

  /// The inside, defined in lib/signal/src/spqr (not part of the API).
  struct Impl;

 private:
  explicit SpqrState(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
  friend struct SpqrStateAccess;
};

}  // namespace hush::signal::spqr
