// In-memory implementations of the stores, for tests, benchmarks and small
// tools. Records are kept serialized, as a persistent store would keep them,
// so a round trip through the record format happens on every load and save.
#pragma once

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
  /// The serialized record as stored (for tests that inspect or restore it).
  [[nodiscard]] const SecretBuffer* raw(const ProtocolAddress& address) const;
  void put_raw(const ProtocolAddress& address, SecretBuffer bytes) { records_[address] = std::move(bytes); }

 private:
  std::map<ProtocolAddress, SecretBuffer> records_;
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
