// A libolm 3.2.13 peer for benchmarks: one Olm account with its Olm sessions
// (by remote name) and its Megolm group sessions (by group id). libolm is a
// performance peer, not a wire peer: Olm is not the Signal protocol. Sessions
// can be persisted as an application would: pickled after each message,
// unpickled before the next.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hush::testing {

/// Olm's message types.
inline constexpr std::size_t kOlmPreKeyMessage = 0;
inline constexpr std::size_t kOlmMessage = 1;

struct OlmPeerOptions {
  /// Pickle every session after each operation and unpickle it before the
  /// next (what an application that survives restarts does). Off: sessions
  /// stay live in memory.
  bool persist_sessions = true;
};

/// An encrypted message: base64 body and Olm message type (Megolm: type 0, unused).
struct OlmCiphertext {
  bool ok = false;
  std::size_t type = 0;
  std::string body;
  std::string error;  ///< libolm's last_error when !ok
};

struct OlmPlaintext {
  bool ok = false;
  Bytes plaintext;
  std::string error;  ///< libolm's last_error when !ok ("BAD_MESSAGE_MAC", ...)
};

/// One libolm device. Not copyable; one thread at a time.
class OlmPeer {
 public:
  /// Randomness from a DeterministicRng seeded with `seed`.
  explicit OlmPeer(std::uint64_t seed, OlmPeerOptions options = {});
  /// Randomness from `rng`, which must outlive the peer.
  explicit OlmPeer(crypto::Rng& rng, OlmPeerOptions options = {});
  OlmPeer(const OlmPeer&) = delete;
  OlmPeer& operator=(const OlmPeer&) = delete;
  ~OlmPeer();

  /// The account's Curve25519 identity key, unpadded base64.
  [[nodiscard]] std::string identity_key() const;
  /// The account's Ed25519 signing key, unpadded base64.
  [[nodiscard]] std::string signing_key() const;
  /// Generates one one-time key, marks it published and returns it (base64).
  [[nodiscard]] std::string new_one_time_key();

  /// Outbound Olm session to `name` from its identity key and one of its
  /// one-time keys; replaces any session with `name`. Returns false (with
  /// last_error()) if libolm refuses.
  [[nodiscard]] bool create_outbound_session(std::string_view name, std::string_view their_identity_key,
                                             std::string_view their_one_time_key);
  /// Encrypts to `name`: a pre-key message (type 0) until a reply arrives.
  [[nodiscard]] OlmCiphertext encrypt(std::string_view name, ByteView plaintext);
  /// Decrypts from `name`. A pre-key message with no session for `name`
  /// creates the inbound session and removes the one-time key it used.
  [[nodiscard]] OlmPlaintext decrypt(std::string_view name, std::size_t type, std::string_view body);
  [[nodiscard]] bool has_session(std::string_view name) const;
  void delete_session(std::string_view name);

  /// Creates a Megolm outbound session for `group_id` (replacing any) and
  /// returns its session key (base64) to share with the other members.
  [[nodiscard]] std::string create_group_session(std::string_view group_id);
  /// Accepts `sender`'s session key for `group_id`.
  [[nodiscard]] bool add_inbound_group_session(std::string_view group_id, std::string_view sender,
                                               std::string_view session_key);
  [[nodiscard]] OlmCiphertext group_encrypt(std::string_view group_id, ByteView plaintext);
  [[nodiscard]] OlmPlaintext group_decrypt(std::string_view group_id, std::string_view sender, std::string_view body);

  [[nodiscard]] std::string last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hush::testing
