// Encrypting to and decrypting from one remote device with the Double
// Ratchet. Every operation is a transaction: the record is loaded, worked on
// as a copy, and saved only if the whole operation succeeds; a message that
// fails to decrypt leaves every store exactly as it was.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/stores.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <optional>
#include <string>

namespace hush::signal {

/// Which message a failed decrypt was about: the sending chain (the sender's
/// ratchet key) and the counter in it, when the message parsed that far.
struct DecryptFailure {
  Errc code = Errc::ok;
  std::optional<crypto::PublicKey> chain;
  std::optional<std::uint32_t> counter;

  /// "duplicate_message (chain 05ab…, counter 5)": public data only.
  [[nodiscard]] std::string describe() const;
};

class SessionCipher {
 public:
  SessionCipher(ProtocolStores stores, ProtocolAddress remote) : stores_(stores), remote_(std::move(remote)) {}
  /// Also knowing our own address: when both addresses are Service IDs, our
  /// pre-key messages bind both (libsignal's field 6, bound_addresses.hpp),
  /// and a received message that carries the field must name exactly
  /// {remote, local}, else it is refused as bad_mac (libsignal: "MAC
  /// verification failed"). Without our address the field is neither written
  /// nor checked (libsignal's behaviour without a local address).
  SessionCipher(ProtocolStores stores, ProtocolAddress remote, ProtocolAddress local)
      : stores_(stores), remote_(std::move(remote)), local_(std::move(local)) {}

  /// Encrypts for the remote device: a PreKeySignalMessage until the peer has
  /// answered, a SignalMessage afterwards. A version-4 session also takes an
  /// SPQR step, which draws from `rng` (a new ML-KEM key pair or
  /// encapsulation now and then). Errors: no_session, untrusted_identity (the
  /// recorded identity changed), storage errors, SPQR's errors on a damaged
  /// record.
  [[nodiscard]] Result<CiphertextMessage> encrypt(ByteView plaintext, crypto::Rng& rng);

  /// As above, for version-3 sessions: a version-4 session with SPQR running
  /// fails with invalid_argument (it needs randomness).
  [[nodiscard]] Result<CiphertextMessage> encrypt(ByteView plaintext);

  /// Decrypts a SignalMessage. Errors: decode_error, unsupported_version,
  /// no_session, duplicate_message, too_far_ahead, bad_mac, invalid_message,
  /// untrusted_identity.
  [[nodiscard]] Result<SecretBuffer> decrypt_signal_message(ByteView serialized, crypto::Rng& rng);

  /// Decrypts a PreKeySignalMessage, setting up the session it carries.
  /// Additional errors: unknown_pre_key (a one-time or signed pre-key we do not hold).
  [[nodiscard]] Result<SecretBuffer> decrypt_pre_key_message(ByteView serialized, crypto::Rng& rng);

  /// Dispatches on the wire type (2 or 3).
  [[nodiscard]] Result<SecretBuffer> decrypt(MessageType type, ByteView serialized, crypto::Rng& rng);

  [[nodiscard]] const ProtocolAddress& remote() const noexcept { return remote_; }
  /// Details of the last failed decrypt on this cipher.
  [[nodiscard]] const DecryptFailure& last_failure() const noexcept { return last_failure_; }

 private:
  Result<CiphertextMessage> encrypt_impl(ByteView plaintext, crypto::Rng* rng);
  Result<SecretBuffer> decrypt_signal_message_impl(const SignalMessage& message, crypto::Rng& rng);
  Result<SecretBuffer> decrypt_pre_key_message_impl(const PreKeySignalMessage& message, crypto::Rng& rng);
  Result<SecretBuffer> note_failure(Result<SecretBuffer> result, const SignalMessage* message);
  [[nodiscard]] Status check_addresses(const SignalMessage& message) const;

  ProtocolStores stores_;
  ProtocolAddress remote_;
  std::optional<ProtocolAddress> local_;
  DecryptFailure last_failure_;
};

}  // namespace hush::signal
