// Encrypting to and decrypting from a group with Sender Keys (one member's
// chain per GroupCipher). Decryption is a transaction: the record is loaded,
// worked on as a copy and saved only once the signature has verified and the
// plaintext is recovered; a failed or duplicate message changes nothing.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/signal/distribution_id.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/sender_key_name.hpp>
#include <hush/signal/sender_key_state.hpp>
#include <hush/signal/stores.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <optional>

namespace hush::signal {

class GroupCipher {
 public:
  /// `name` is {group, sender}: our own address to encrypt, the sending
  /// member's (as the transport authenticated it) to decrypt.
  /// Speaks the key_id format (libsignal-protocol-c).
  GroupCipher(SenderKeyStore& store, SenderKeyName name) : store_(store), name_(std::move(name)) {}
  /// Speaks the distribution_id format (today's libsignal) for the key that
  /// `sender` distributes under `id`: our own address to encrypt, the sending
  /// member's to decrypt. Its record is sender_key_name(id, sender).
  GroupCipher(SenderKeyStore& store, const DistributionId& id, ProtocolAddress sender)
      : store_(store), name_(sender_key_name(id, std::move(sender))), distribution_id_(id) {}

  /// Encrypts with our sending key: a SenderKeyMessage (type 4), signed.
  /// Errors: no_session (no sending key: call GroupSessionBuilder first, or
  /// the record holds only another member's keys), storage errors.
  [[nodiscard]] Result<CiphertextMessage> encrypt(ByteView plaintext, crypto::Rng& rng);

  /// Decrypts a SenderKeyMessage from the member named at construction, in
  /// this cipher's format. Errors: bad_length, unsupported_version,
  /// decode_error (malformed), no_session (no key from this member, none with
  /// this chain id, or a message of another distribution id),
  /// bad_signature, duplicate_message, too_far_ahead, invalid_message (a
  /// signed message whose ciphertext does not decrypt), storage errors.
  [[nodiscard]] Result<SecretBuffer> decrypt(ByteView serialized);

  [[nodiscard]] const SenderKeyName& name() const noexcept { return name_; }
  /// Set exactly when this cipher speaks the distribution_id format.
  [[nodiscard]] const std::optional<DistributionId>& distribution_id() const noexcept { return distribution_id_; }

 private:
  SenderKeyStore& store_;
  SenderKeyName name_;
  std::optional<DistributionId> distribution_id_;
  /// The Edwards form of our signing key, converted once per sending key
  /// rather than once per message (it costs about as much as a signature).
  struct CachedSigner {
    SenderChainId chain_id;
    crypto::PublicKey public_key;
    crypto::XeddsaSigner signer;
  };
  std::optional<CachedSigner> signer_;
};

}  // namespace hush::signal
