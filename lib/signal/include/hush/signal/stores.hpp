// The storage interfaces an application implements for the 1:1 protocol.
// libhush never touches a disk: it loads and saves through these, and only
// after an operation has fully succeeded (so a failed decrypt changes nothing).
// An application that needs the writes of one operation to be atomic wraps
// the stores in a transaction of its own (the client SDK does).
#pragma once

#include <hush/signal/identity.hpp>
#include <hush/signal/ids.hpp>
#include <hush/signal/pre_key.hpp>
#include <hush/signal/sender_key_name.hpp>
#include <hush/util/result.hpp>

#include <optional>

namespace hush::signal {

class SessionRecord;
class SenderKeyRecord;

/// Whether a key is being checked because we are about to send to it or because we received from it.
enum class Direction { sending, receiving };

class IdentityKeyStore {
 public:
  virtual ~IdentityKeyStore() = default;
  /// Our own identity key pair.
  virtual Result<IdentityKeyPair> identity_key_pair() = 0;
  /// Our registration id.
  virtual Result<RegistrationId> local_registration_id() = 0;
  /// Records `key` as the identity of `address`. Returns true if it replaced a different key.
  virtual Result<bool> save_identity(const ProtocolAddress& address, const IdentityKey& key) = 0;
  /// The trust decision. Hush's rule (and the in-memory store's): a first key is
  /// trusted, the recorded key is trusted, a different key is not until the
  /// application accepts it by calling save_identity.
  virtual Result<bool> is_trusted_identity(const ProtocolAddress& address, const IdentityKey& key,
                                           Direction direction) = 0;
  /// The recorded identity of `address`, if any.
  virtual Result<std::optional<IdentityKey>> identity(const ProtocolAddress& address) = 0;
};

class PreKeyStore {
 public:
  virtual ~PreKeyStore() = default;
  /// Fails with not_found when there is no such pre-key.
  virtual Result<PreKeyRecord> load_pre_key(PreKeyId id) = 0;
  virtual Status store_pre_key(const PreKeyRecord& record) = 0;
  /// Called once a pre-key message using it has been decrypted; one-time means one time.
  virtual Status remove_pre_key(PreKeyId id) = 0;
};

class SignedPreKeyStore {
 public:
  virtual ~SignedPreKeyStore() = default;
  /// Fails with not_found when there is no such signed pre-key.
  virtual Result<SignedPreKeyRecord> load_signed_pre_key(SignedPreKeyId id) = 0;
  virtual Status store_signed_pre_key(const SignedPreKeyRecord& record) = 0;
  virtual Status remove_signed_pre_key(SignedPreKeyId id) = 0;
};

/// Kyber pre-keys (PQXDH, issue #15), beside the EC ones as in libsignal.
class KyberPreKeyStore {
 public:
  virtual ~KyberPreKeyStore() = default;
  /// Fails with not_found when there is no such Kyber pre-key.
  virtual Result<KyberPreKeyRecord> load_kyber_pre_key(KyberPreKeyId id) = 0;
  virtual Status store_kyber_pre_key(const KyberPreKeyRecord& record) = 0;
  /// Called once a pre-key message using it has been decrypted (libsignal's
  /// mark_kyber_pre_key_used): a one-time key is removed; a last-resort key is
  /// kept, and the store remembers {id, signed pre-key id, base key} so that
  /// the same combination seen again fails with duplicate_message.
  virtual Status mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                         const crypto::PublicKey& base_key) = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  /// The record for `address`, or nullopt if there is none.
  virtual Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& address) = 0;
  virtual Status store_session(const ProtocolAddress& address, const SessionRecord& record) = 0;
  /// store_session for a caller done with `record` (SessionCipher, after
  /// each message): a store that keeps parsed records takes it instead of
  /// copying it. By default, store_session.
  virtual Status store_session_owned(const ProtocolAddress& address, SessionRecord&& record);
};

/// The stores one device needs, by reference.
struct ProtocolStores {
  IdentityKeyStore& identities;
  PreKeyStore& pre_keys;
  SignedPreKeyStore& signed_pre_keys;
  SessionStore& sessions;
  /// Needed to answer PQXDH (version 4) pre-key messages; without it they
  /// fail with unknown_pre_key. TODO(#15): the client SDK passes its store.
  KyberPreKeyStore* kyber_pre_keys = nullptr;
};

/// Sender Keys (issue #4): one record per {group, member device}. Kept apart
/// from ProtocolStores because only group members need it.
class SenderKeyStore {
 public:
  virtual ~SenderKeyStore() = default;
  /// The record for `name`, or nullopt if there is none.
  virtual Result<std::optional<SenderKeyRecord>> load_sender_key(const SenderKeyName& name) = 0;
  /// Replaces the record for `name`; called only after an operation fully succeeded.
  virtual Status store_sender_key(const SenderKeyName& name, const SenderKeyRecord& record) = 0;
};

}  // namespace hush::signal
