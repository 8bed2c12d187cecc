// In-memory implementations of the stores, for tests, benchmarks and small
// tools. Records are kept serialized, as a persistent store would keep them,
// so a round trip through the record format happens on every load and save
// (the session store can also keep parsed records: keep_parsed).
#pragma once

#include <hush/signal/session_record.hpp>
#include <hush/signal/stores.hpp>
#include <hush/util/secret.hpp>

#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace hush::signal {

class InMemoryIdentityKeyStore final : public IdentityKeyStore {
 public:
  InMemoryIdentityKeyStore(IdentityKeyPair identity, RegistrationId registration_id)
      : identity_(std::move(identity)), registration_id_(registration_id) {}

  Result<IdentityKeyPair> identity_key_pair() override { return identity_.clone(); }
  Result<RegistrationId> local_registration_id() override { return registration_id_; }
  Result<bool> save_identity(const ProtocolAddress& address, const IdentityKey& key) override;
  Result<bool> is_trusted_identity(const ProtocolAddress& address, const IdentityKey& key, Direction) override;
  Result<std::optional<IdentityKey>> identity(const ProtocolAddress& address) override;

 private:
  IdentityKeyPair identity_;
  RegistrationId registration_id_;
  std::map<ProtocolAddress, IdentityKey> known_;
};

class InMemoryPreKeyStore final : public PreKeyStore {
 public:
  Result<PreKeyRecord> load_pre_key(PreKeyId id) override;
  Status store_pre_key(const PreKeyRecord& record) override;
  Status remove_pre_key(PreKeyId id) override;
  [[nodiscard]] std::size_t size() const noexcept { return records_.size(); }

 private:
  std::map<PreKeyId, SecretBuffer> records_;
};

class InMemorySignedPreKeyStore final : public SignedPreKeyStore {
 public:
  Result<SignedPreKeyRecord> load_signed_pre_key(SignedPreKeyId id) override;
  Status store_signed_pre_key(const SignedPreKeyRecord& record) override;
  Status remove_signed_pre_key(SignedPreKeyId id) override;

 private:
  std::map<SignedPreKeyId, SecretBuffer> records_;
};

class InMemoryKyberPreKeyStore final : public KyberPreKeyStore {
 public:
  Result<KyberPreKeyRecord> load_kyber_pre_key(KyberPreKeyId id) override;
  Status store_kyber_pre_key(const KyberPreKeyRecord& record) override;
  Status mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                 const crypto::PublicKey& base_key) override;
  [[nodiscard]] std::size_t size() const noexcept { return records_.size(); }

 private:
  std::map<KyberPreKeyId, SecretBuffer> records_;
  /// Last-resort uses seen: {kyber id, signed pre-key id, base key}.
  std::set<std::tuple<KyberPreKeyId, SignedPreKeyId, crypto::PublicKey>> used_last_resort_;
};

class InMemorySessionStore final : public SessionStore {
 public:
  Result<std::optional<SessionRecord>> load_session(const ProtocolAddress& address) override;
  Status store_session(const ProtocolAddress& address, const SessionRecord& record) override;
  Status store_session_owned(const ProtocolAddress& address, SessionRecord&& record) override;
  /// The serialized record as stored (for tests that inspect or restore it).
  [[nodiscard]] const SecretBuffer* raw(const ProtocolAddress& address) const;
  void put_raw(const ProtocolAddress& address, SecretBuffer bytes);

  /// Keep the last record stored for each address parsed, beside its bytes,
  /// and hand it out on the next load rather than parsing the bytes again:
  /// what an application's session cache does in front of its database (and
  /// libsignal's in-memory store, which keeps only parsed records). Every
  /// store still serializes, and the bytes stay the truth: a load takes the
  /// parsed record out (no copy), the store after a successful operation
  /// puts the new one back, and a load with none kept (after a failed
  /// operation, or two loads in a row) parses the bytes. Off by default, so
  /// that tests go through the record format on every load.
  void keep_parsed(bool on);

 private:
  std::map<ProtocolAddress, SecretBuffer> records_;
  std::map<ProtocolAddress, SessionRecord> parsed_;  ///< with keep_parsed: records stored and not loaded since
  bool keep_parsed_ = false;
};

/// All in-memory stores for one device, with its identity.
struct InMemoryProtocolStore {
  InMemoryIdentityKeyStore identities;
  InMemoryPreKeyStore pre_keys;
  InMemorySignedPreKeyStore signed_pre_keys;
  InMemorySessionStore sessions;
  InMemoryKyberPreKeyStore kyber_pre_keys;

  InMemoryProtocolStore(IdentityKeyPair identity, RegistrationId registration_id)
      : identities(std::move(identity), registration_id) {}
  ProtocolStores stores() { return {identities, pre_keys, signed_pre_keys, sessions, &kyber_pre_keys}; }
};

/// Sender key records, kept serialized like the session records.
class InMemorySenderKeyStore final : public SenderKeyStore {
 public:
  Result<std::optional<SenderKeyRecord>> load_sender_key(const SenderKeyName& name) override;
  Status store_sender_key(const SenderKeyName& name, const SenderKeyRecord& record) override;
  /// The serialized record as stored (for tests that inspect or restore it).
  [[nodiscard]] const SecretBuffer* raw(const SenderKeyName& name) const;
  void put_raw(const SenderKeyName& name, SecretBuffer bytes) { records_[name] = std::move(bytes); }

 private:
  std::map<SenderKeyName, SecretBuffer> records_;
};

}  // namespace hush::signal
