// In-memory stores. Records are kept serialized so every load and save goes
// through the record format, as it would with a database.
#include <hush/signal/in_memory_stores.hpp>
#include <hush/signal/sender_key_record.hpp>
#include <hush/signal/session_record.hpp>

namespace hush::signal {

Result<bool> InMemoryIdentityKeyStore::save_identity(const ProtocolAddress& address, const IdentityKey& key) {
  auto it = known_.find(address);
  if (it == known_.end()) {
    known_.emplace(address, key);
    return false;
  }
  bool replaced = it->second != key;
  it->second = key;
  return replaced;
}

Result<bool> InMemoryIdentityKeyStore::is_trusted_identity(const ProtocolAddress& address, const IdentityKey& key,
                                                           Direction) {
  auto it = known_.find(address);
  return it == known_.end() || it->second == key;
}

Result<std::optional<IdentityKey>> InMemoryIdentityKeyStore::identity(const ProtocolAddress& address) {
  auto it = known_.find(address);
  if (it == known_.end()) return std::optional<IdentityKey>{};
  return std::optional<IdentityKey>{it->second};
}

Result<PreKeyRecord> InMemoryPreKeyStore::load_pre_key(PreKeyId id) {
  auto it = records_.find(id);
  if (it == records_.end()) return make_error(Errc::not_found, "pre-key");
  return PreKeyRecord::deserialize(it->second.expose());
}

Status InMemoryPreKeyStore::store_pre_key(const PreKeyRecord& record) {
  records_[record.id] = record.serialize();
  return ok();
}

Status InMemoryPreKeyStore::remove_pre_key(PreKeyId id) {
  records_.erase(id);
  return ok();
}

Result<SignedPreKeyRecord> InMemorySignedPreKeyStore::load_signed_pre_key(SignedPreKeyId id) {
  auto it = records_.find(id);
  if (it == records_.end()) return make_error(Errc::not_found, "signed pre-key");
  return SignedPreKeyRecord::deserialize(it->second.expose());
}

Status InMemorySignedPreKeyStore::store_signed_pre_key(const SignedPreKeyRecord& record) {
  records_[record.id] = record.serialize();
  return ok();
}

Status InMemorySignedPreKeyStore::remove_signed_pre_key(SignedPreKeyId id) {
  records_.erase(id);
  return ok();
}

Result<KyberPreKeyRecord> InMemoryKyberPreKeyStore::load_kyber_pre_key(KyberPreKeyId id) {
  auto it = records_.find(id);
  if (it == records_.end()) return make_error(Errc::not_found, "kyber pre-key");
  return KyberPreKeyRecord::deserialize(it->second.expose());
}

Status InMemoryKyberPreKeyStore::store_kyber_pre_key(const KyberPreKeyRecord& record) {
  records_[record.id] = record.serialize();
  return ok();
}

Status InMemoryKyberPreKeyStore::mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                                         const crypto::PublicKey& base_key) {
  HUSH_TRY_ASSIGN(auto record, load_kyber_pre_key(id));
  if (!record.last_resort) {
    records_.erase(id);
    return ok();
  }
  if (!used_last_resort_.emplace(id, signed_pre_key_id, base_key).second) {
    return make_error(Errc::duplicate_message, "last-resort kyber pre-key reused with the same base key");
  }
  return ok();
}

Result<std::optional<SessionRecord>> InMemorySessionStore::load_session(const ProtocolAddress& address) {
  auto it = records_.find(address);
  if (it == records_.end()) return std::optional<SessionRecord>{};
  if (auto kept = parsed_.extract(address)) return std::optional<SessionRecord>{std::move(kept.mapped())};
  HUSH_TRY_ASSIGN(auto record, SessionRecord::deserialize(it->second.expose()));
  return std::optional<SessionRecord>{std::move(record)};
}

Status InMemorySessionStore::store_session(const ProtocolAddress& address, const SessionRecord& record) {
  if (keep_parsed_) return store_session_owned(address, record.clone());
  records_[address] = record.serialize();
  parsed_.erase(address);
  return ok();
}

Status InMemorySessionStore::store_session_owned(const ProtocolAddress& address, SessionRecord&& record) {
  records_[address] = record.serialize();
  if (keep_parsed_) {
    parsed_.insert_or_assign(address, std::move(record));
  } else {
    parsed_.erase(address);
  }
  return ok();
}

void InMemorySessionStore::put_raw(const ProtocolAddress& address, SecretBuffer bytes) {
  parsed_.erase(address);  // parsed again from these bytes on the next load
  records_[address] = std::move(bytes);
}

void InMemorySessionStore::keep_parsed(bool on) {
  keep_parsed_ = on;
  if (!on) parsed_.clear();
}

const SecretBuffer* InMemorySessionStore::raw(const ProtocolAddress& address) const {
  auto it = records_.find(address);
  return it == records_.end() ? nullptr : &it->second;
}

Result<std::optional<SenderKeyRecord>> InMemorySenderKeyStore::load_sender_key(const SenderKeyName& name) {
  auto it = records_.find(name);
  if (it == records_.end()) return std::optional<SenderKeyRecord>{};
  HUSH_TRY_ASSIGN(auto record, SenderKeyRecord::deserialize(it->second.expose()));
  return std::optional<SenderKeyRecord>{std::move(record)};
}

Status InMemorySenderKeyStore::store_sender_key(const SenderKeyName& name, const SenderKeyRecord& record) {
  records_[name] = record.serialize();
  return ok();
}

const SecretBuffer* InMemorySenderKeyStore::raw(const SenderKeyName& name) const {
  auto it = records_.find(name);
  return it == records_.end() ? nullptr : &it->second;
}

}  // namespace hush::signal
