// A libsignal-protocol-c 2.3.3 peer for interop tests and benchmarks: one
// device with its own identity, all five stores in memory and an OpenSSL
// crypto provider. Plain bytes in and out, so it never depends on libhush's
// signal types. GPL code: link only into test and benchmark executables
// (target hush_test_peers), never into anything installed.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hush::testing {

/// libsignal-protocol-c's return codes (signal_protocol.h), for tests to compare against.
namespace sg {
inline constexpr int kSuccess = 0;
inline constexpr int kErrNoMem = -12;
inline constexpr int kErrInval = -22;
inline constexpr int kErrUnknown = -1000;
inline constexpr int kErrDuplicateMessage = -1001;
inline constexpr int kErrInvalidKey = -1002;
inline constexpr int kErrInvalidKeyId = -1003;
inline constexpr int kErrInvalidMac = -1004;
inline constexpr int kErrInvalidMessage = -1005;
inline constexpr int kErrInvalidVersion = -1006;
inline constexpr int kErrLegacyMessage = -1007;
inline constexpr int kErrNoSession = -1008;
inline constexpr int kErrStaleKeyExchange = -1009;
inline constexpr int kErrUntrustedIdentity = -1010;
inline constexpr int kErrVrfSigVerifFailed = -1011;
inline constexpr int kErrInvalidProtoBuf = -1100;
inline constexpr int kErrFpVersionMismatch = -1200;
inline constexpr int kErrFpIdentMismatch = -1201;

/// Wire message types (protocol.h).
inline constexpr int kSignalMessage = 2;
inline constexpr int kPreKeySignalMessage = 3;
inline constexpr int kSenderKeyMessage = 4;
inline constexpr int kSenderKeyDistributionMessage = 5;
}  // namespace sg

/// A pre-key bundle as a server would hand it out. Keys are 33 bytes (0x05 ‖ u).
struct PeerBundle {
  std::uint32_t registration_id = 0;
  std::int32_t device_id = 1;
  std::optional<std::uint32_t> pre_key_id;  ///< absent: no one-time pre-key
  Bytes pre_key_public;                     ///< empty when pre_key_id is absent
  std::uint32_t signed_pre_key_id = 0;
  Bytes signed_pre_key_public;
  Bytes signed_pre_key_signature;  ///< 64 bytes, XEdDSA by the identity key
  Bytes identity_key;
};

/// A serialized message and the library's return code; `type` is one of sg::k*Message.
struct PeerCiphertext {
  int rc = 0;
  int type = 0;
  Bytes serialized;
};

/// A decryption result; `plaintext` is empty unless rc == sg::kSuccess.
struct PeerPlaintext {
  int rc = 0;
  Bytes plaintext;
};

/// Both forms of a safety number.
struct PeerFingerprint {
  int rc = 0;
  std::string displayable;  ///< 60 digits
  Bytes scannable;          ///< the serialized CombinedFingerprints protobuf
};

/// One libsignal-protocol-c device. Not copyable or movable (the library keeps
/// pointers into it); one thread at a time.
class LibsignalPeer {
 public:
  /// A peer whose randomness (identity, keys, signatures, ratchet keys) comes
  /// from a DeterministicRng seeded with `seed`: the same seed, the same peer.
  LibsignalPeer(std::uint64_t seed, std::uint32_t registration_id, std::int32_t device_id = 1);
  /// A peer drawing randomness from `rng`, which must outlive it.
  LibsignalPeer(crypto::Rng& rng, std::uint32_t registration_id, std::int32_t device_id = 1);
  LibsignalPeer(const LibsignalPeer&) = delete;
  LibsignalPeer& operator=(const LibsignalPeer&) = delete;
  ~LibsignalPeer();

  [[nodiscard]] std::uint32_t registration_id() const noexcept;
  [[nodiscard]] std::int32_t device_id() const noexcept;
  /// 33 bytes, 0x05 ‖ u.
  [[nodiscard]] Bytes identity_public() const;
  /// The 32-byte X25519 identity scalar.
  [[nodiscard]] SecretBytes<32> identity_private() const;

  /// Generates and stores a signed pre-key (signed by the identity key) and,
  /// when asked, a one-time pre-key; returns the bundle to publish. Aborts on
  /// library failure (a broken harness, not a test outcome).
  [[nodiscard]] PeerBundle make_bundle(std::uint32_t pre_key_id, std::uint32_t signed_pre_key_id,
                                       bool with_one_time_pre_key);

  /// X3DH as initiator towards (name, device_id). Returns an sg code:
  /// kErrInvalidKey for a bad signature or key, kErrUntrustedIdentity.
  [[nodiscard]] int process_bundle(std::string_view name, std::int32_t device_id, const PeerBundle& bundle);

  /// Encrypts to the session with (name, device_id): a PreKeySignalMessage
  /// until the first reply arrives, then SignalMessages.
  [[nodiscard]] PeerCiphertext encrypt(std::string_view name, std::int32_t device_id, ByteView plaintext);
  /// Decrypts a message of `type` (sg::kSignalMessage or sg::kPreKeySignalMessage).
  [[nodiscard]] PeerPlaintext decrypt(std::string_view name, std::int32_t device_id, int type, ByteView serialized);

  [[nodiscard]] bool has_session(std::string_view name, std::int32_t device_id) const;
  /// Forgets the session (benchmarks start each setup afresh with it).
  void delete_session(std::string_view name, std::int32_t device_id);
  [[nodiscard]] bool has_pre_key(std::uint32_t pre_key_id) const;
  [[nodiscard]] bool has_signed_pre_key(std::uint32_t signed_pre_key_id) const;

  /// Records `key` (33 bytes) as the identity of `name`.
  void trust_identity(std::string_view name, ByteView key);
  /// The identity stored for `name`, if any.
  [[nodiscard]] std::optional<Bytes> stored_identity(std::string_view name) const;
  /// On: an identity key that differs from the stored one is untrusted
  /// (processing fails with kErrUntrustedIdentity). Off (the default): every key is trusted.
  void set_trust_on_first_use(bool on) noexcept;

  /// Creates (or reuses) our sending sender key for `group_id` as (sender_name,
  /// device_id) and returns its SenderKeyDistributionMessage (type 5).
  [[nodiscard]] PeerCiphertext create_sender_key_distribution(std::string_view group_id, std::string_view sender_name,
                                                              std::int32_t device_id);
  /// Accepts another member's distribution message. Returns an sg code.
  [[nodiscard]] int process_sender_key_distribution(std::string_view group_id, std::string_view sender_name,
                                                    std::int32_t device_id, ByteView serialized);
  /// Encrypts to the group with our sender key (name, device_id): a SenderKeyMessage (type 4).
  [[nodiscard]] PeerCiphertext group_encrypt(std::string_view group_id, std::string_view name, std::int32_t device_id,
                                             ByteView plaintext);
  [[nodiscard]] PeerPlaintext group_decrypt(std::string_view group_id, std::string_view sender_name,
                                            std::int32_t device_id, ByteView serialized);

  /// Safety number through fingerprint_generator. `version` is the scannable
  /// format (0 or 1). Keys are 33 bytes.
  [[nodiscard]] PeerFingerprint fingerprint(std::string_view local_stable_id, ByteView local_identity_key,
                                            std::string_view remote_stable_id, ByteView remote_identity_key,
                                            int iterations = 5200, int version = 1);
  /// scannable_fingerprint_compare of two serialized scannables: 1 match,
  /// 0 mismatch, kErrFpVersionMismatch / kErrFpIdentMismatch, other sg errors
  /// for bytes that do not parse.
  [[nodiscard]] int compare_scannable(ByteView ours, ByteView theirs);

  /// The library's last log line (warnings such as "invalid signature on device key!").
  [[nodiscard]] std::string last_log() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::testing
