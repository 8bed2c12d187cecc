// KeyService: validates uploaded public keys and the signatures of signed
// and Kyber pre-keys before anything reaches the Store; bundle fetches go
// straight through, and a fetch that leaves a device low tells it.
#include "service/key_service.hpp"

#include <hush/crypto/ml_kem.hpp>
#include <hush/crypto/xeddsa.hpp>

#include <algorithm>
#include <set>

namespace hush::server {
namespace {

Result<SignedPreKeyRecord> parse_signed_pre_key(const SignedPreKeyUpload& up, const crypto::PublicKey& identity) {
  if (up.id > kMaxPreKeyId) return make_error(Errc::invalid_argument, "signed pre-key id");
  HUSH_TRY_ASSIGN(auto key, crypto::PublicKey::deserialize(up.public_key));
  if (up.signature.size() != crypto::kSignatureSize) return make_error(Errc::bad_length, "signed pre-key signature");
  // The signature covers the 33-byte serialized key, as X3DH specifies.
  if (!crypto::xeddsa_verify(identity, up.public_key, up.signature))
    return make_error(Errc::bad_signature, "signed pre-key signature");
  SignedPreKeyRecord rec;
  rec.id = up.id;
  rec.public_key = key;
  std::copy(up.signature.begin(), up.signature.end(), rec.signature.begin());
  return rec;
}

Result<std::vector<OneTimePreKeyRecord>> parse_one_time_pre_keys(std::span<const OneTimePreKeyUpload> keys) {
  if (keys.size() > kMaxOneTimePreKeysPerUpload) {
    return make_error(Errc::invalid_argument, "one-time pre-key batch size");
  }
  std::vector<OneTimePreKeyRecord> records;
  records.reserve(keys.size());
  std::set<std::uint32_t> ids;
  for (const OneTimePreKeyUpload& k : keys) {
    if (k.id > kMaxPreKeyId || !ids.insert(k.id).second)
      return make_error(Errc::invalid_argument, "one-time pre-key id");
    HUSH_TRY_ASSIGN(auto key, crypto::PublicKey::deserialize(k.public_key));
    records.push_back(OneTimePreKeyRecord{k.id, key});
  }
  return records;
}

// The server links lib/crypto, not lib/signal, so the Kyber pre-key's wire
// form is checked here with the primitives directly: libsignal's type byte,
// the Kyber1024 encoding (FIPS 203 §7.2 modulus check, through parse) and
// the XEdDSA signature over all 1569 bytes (type byte included), as PQXDH
// §3.2 and libsignal sign it.
Result<KyberPreKeyRecord> parse_kyber_pre_key(const KyberPreKeyUpload& up, const crypto::PublicKey& identity) {
  if (up.public_key.size() != kKyberPublicKeySize) return make_error(Errc::bad_length, "kyber pre-key size");
  if (up.public_key[0] != kKyberKeyType) return make_error(Errc::bad_key, "kyber pre-key type");
  HUSH_TRY(crypto::Kyber1024::PublicKey::parse(ByteView(up.public_key).subspan(1)));
  if (up.signature.size() != crypto::kSignatureSize) return make_error(Errc::bad_length, "kyber pre-key signature");
  if (!crypto::xeddsa_verify(identity, up.public_key, up.signature))
    return make_error(Errc::bad_signature, "kyber pre-key signature");
  KyberPreKeyRecord rec;
  rec.id = up.id;
  rec.public_key = up.public_key;
  std::copy(up.signature.begin(), up.signature.end(), rec.signature.begin());
  return rec;
}

}  // namespace

Result<std::vector<KyberPreKeyRecord>> KeyService::validate_kyber_pre_keys(
    const crypto::PublicKey& identity, const std::optional<KyberPreKeyUpload>& last_resort,
    std::span<const KyberPreKeyUpload> one_time, std::optional<KyberPreKeyRecord>& last_resort_out) {
  if (one_time.size() > kMaxKyberPreKeysPerUpload) {
    return make_error(Errc::invalid_argument, "kyber pre-key batch size");
  }
  std::set<std::uint32_t> ids;
  for (const KyberPreKeyUpload& k : one_time) {
    if (!ids.insert(k.id).second) return make_error(Errc::invalid_argument, "kyber pre-key id");
  }
  std::vector<KyberPreKeyRecord> records;
  records.reserve(one_time.size());
  for (const KyberPreKeyUpload& k : one_time) {
    HUSH_TRY_ASSIGN(auto rec, parse_kyber_pre_key(k, identity));
    records.push_back(std::move(rec));
  }
  last_resort_out.reset();
  if (last_resort) {
    HUSH_TRY_ASSIGN(last_resort_out, parse_kyber_pre_key(*last_resort, identity));
  }
  return records;
}

Result<DeviceKeys> KeyService::validate_device_keys(ByteView identity_key, const SignedPreKeyUpload& signed_pre_key,
                                                    std::span<const OneTimePreKeyUpload> one_time_pre_keys,
                                                    const std::optional<KyberPreKeyUpload>& last_resort_kyber,
                                                    std::span<const KyberPreKeyUpload> kyber_pre_keys) {
  DeviceKeys keys;
  HUSH_TRY_ASSIGN(keys.identity_key, crypto::PublicKey::deserialize(identity_key));
  HUSH_TRY_ASSIGN(keys.signed_pre_key, parse_signed_pre_key(signed_pre_key, keys.identity_key));
  HUSH_TRY_ASSIGN(keys.one_time_pre_keys, parse_one_time_pre_keys(one_time_pre_keys));
  HUSH_TRY_ASSIGN(keys.kyber_pre_keys, validate_kyber_pre_keys(keys.identity_key, last_resort_kyber, kyber_pre_keys,
                                                               keys.last_resort_kyber_pre_key));
  return keys;
}

Status KeyService::upload_keys(const DeviceAddress& device, const KeyUpload& up) {
  const bool kyber = up.last_resort_kyber_pre_key.has_value() || !up.kyber_pre_keys.empty();
  if (!up.signed_pre_key && up.one_time_pre_keys.empty() && !kyber)
    return make_error(Errc::invalid_argument, "nothing to upload");
  // The identity every signature must verify against: the one a first
  // upload brings with its signed pre-key (the Store refuses it if the
  // account has another), else the account's.
  const bool first_upload = up.signed_pre_key && !up.identity_key.empty();
  std::optional<crypto::PublicKey> identity;
  if (first_upload) {
    HUSH_TRY_ASSIGN(identity, crypto::PublicKey::deserialize(up.identity_key));
  } else if (up.signed_pre_key || kyber) {
    HUSH_TRY_ASSIGN(auto account, store_.get_account(device.account));
    if (!account.identity_key) return make_error(Errc::not_found, "identity key");
    identity = *account.identity_key;
  }
  // Everything is checked before anything is stored; then one transaction.
  KeyBatch batch;
  if (first_upload) batch.identity_key = identity;
  if (up.signed_pre_key) {
    HUSH_TRY_ASSIGN(batch.signed_pre_key, parse_signed_pre_key(*up.signed_pre_key, *identity));
  }
  HUSH_TRY_ASSIGN(batch.one_time_pre_keys, parse_one_time_pre_keys(up.one_time_pre_keys));
  if (kyber) {
    HUSH_TRY_ASSIGN(batch.kyber_pre_keys, validate_kyber_pre_keys(*identity, up.last_resort_kyber_pre_key,
                                                                  up.kyber_pre_keys, batch.last_resort_kyber_pre_key));
  }
  return store_.upload_keys(device, batch, kMaxOneTimePreKeysHeld, kMaxKyberPreKeysHeld);
}

Status KeyService::add_kyber_pre_keys(const DeviceAddress& device, const std::optional<KyberPreKeyUpload>& last_resort,
                                      std::span<const KyberPreKeyUpload> one_time) {
  KeyUpload up;
  up.last_resort_kyber_pre_key = last_resort;
  up.kyber_pre_keys.assign(one_time.begin(), one_time.end());
  return upload_keys(device, up);
}

Result<std::vector<std::uint32_t>> KeyService::held_kyber_pre_key_ids(const DeviceAddress& device) {
  return store_.kyber_pre_key_ids(device);
}

Status KeyService::set_keys(const DeviceAddress& device, ByteView identity_key, const SignedPreKeyUpload& spk) {
  HUSH_TRY_ASSIGN(auto identity, crypto::PublicKey::deserialize(identity_key));
  HUSH_TRY_ASSIGN(auto record, parse_signed_pre_key(spk, identity));
  return store_.set_device_keys(device, identity, record);
}

Status KeyService::rotate_signed_pre_key(const DeviceAddress& device, const SignedPreKeyUpload& spk) {
  HUSH_TRY_ASSIGN(auto account, store_.get_account(device.account));
  if (!account.identity_key) return make_error(Errc::not_found, "identity key");
  HUSH_TRY_ASSIGN(auto record, parse_signed_pre_key(spk, *account.identity_key));
  return store_.set_signed_pre_key(device, record);
}

Status KeyService::add_one_time_pre_keys(const DeviceAddress& device, std::span<const OneTimePreKeyUpload> keys) {
  if (keys.empty()) return make_error(Errc::invalid_argument, "one-time pre-key batch size");
  HUSH_TRY_ASSIGN(auto records, parse_one_time_pre_keys(keys));
  return store_.add_one_time_pre_keys(device, records, kMaxOneTimePreKeysHeld);
}

Result<std::size_t> KeyService::one_time_pre_key_count(const DeviceAddress& device) {
  return store_.count_one_time_pre_keys(device);
}

Result<std::vector<std::uint32_t>> KeyService::held_one_time_pre_key_ids(const DeviceAddress& device) {
  return store_.one_time_pre_key_ids(device);
}

KeyService::KeyService(storage::Store& store, const Clock* clock, KeyServiceConfig config, PreKeyListener* listener,
                       AbuseMetrics* metrics)
    : store_(store), clock_(clock), config_(config), listener_(listener), metrics_(metrics) {
  if (clock_ != nullptr) {
    per_requester_.emplace(*clock_, config_.fetch_per_requester);
    per_target_.emplace(*clock_, config_.one_time_per_target);
  }
}

Result<std::vector<PreKeyBundle>> KeyService::fetch_bundles(const AccountId& account, std::optional<DeviceId> device) {
  return store_.take_bundles(account, device);
}

std::vector<DeviceId> KeyService::withheld_devices(const std::string& requester, const AccountId& account,
                                                   std::optional<DeviceId> only) {
  std::vector<DeviceId> withheld;
  auto devices = store_.list_devices(account);
  if (!devices) return withheld;  // the fetch itself reports the error
  const std::int64_t now_ms = to_millis(clock_->now());
  const std::string account_hex = to_hex(account.bytes);
  std::lock_guard lock(served_mu_);
  for (const DeviceRecord& d : *devices) {
    if (only && *only != d.id) continue;
    const std::string key = requester + "|" + account_hex + "|" + std::to_string(raw(d.id));
    auto it = served_.find(key);
    const bool repeat = it != served_.end() && it->second > now_ms;
    bool remembered = true;
    if (!repeat && it == served_.end() && served_.size() >= config_.max_remembered) {
      std::erase_if(served_, [now_ms](const auto& e) { return e.second <= now_ms; });
      remembered = served_.size() < config_.max_remembered;
    }
    const bool over_target = !repeat && remembered &&
                             per_target_->try_acquire(account_hex + "." + std::to_string(raw(d.id))) !=
                                 Admission::granted;
    if (repeat || !remembered || over_target) {
      withheld.push_back(d.id);
      if (metrics_ != nullptr) metrics_->one_time_pre_keys_withheld.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    served_[key] = now_ms + config_.repeat_window.count();
  }
  return withheld;
}

Result<std::vector<PreKeyBundle>> KeyService::fetch_bundles_for(const DeviceAddress& requester,
                                                                const AccountId& account,
                                                                std::optional<DeviceId> device) {
  if (clock_ == nullptr) return fetch_bundles(account, device);
  const std::string requester_hex = to_hex(requester.account.bytes);
  if (!per_requester_->acquire(requester_hex)) {
    if (metrics_ != nullptr) metrics_->bundle_fetches_limited.fetch_add(1, std::memory_order_relaxed);
    return make_error(Errc::rate_limited, "bundle fetches");
  }
  // Fetching one's own account's bundles (another device of the same
  // account) is not limited by the one-time rules: it is the same person.
  std::vector<DeviceId> withheld;
  if (requester.account != account) withheld = withheld_devices(requester_hex, account, device);
  HUSH_TRY_ASSIGN(auto bundles, store_.take_bundles(account, device, withheld));
  notify_low(account, bundles);
  return bundles;
}

// A kind counts only when this fetch took one of it: a device that never
// uploaded Kyber pre-keys (raw clients) is not told about them at every fetch.
void KeyService::notify_low(const AccountId& account, const std::vector<PreKeyBundle>& bundles) {
  if (listener_ == nullptr) return;
  for (const PreKeyBundle& b : bundles) {
    if (!b.one_time_left || !b.kyber_left) continue;  // nothing one-time taken
    const bool ec_low = b.one_time_pre_key && *b.one_time_left < config_.low_water;
    const bool kyber_low = b.kyber_pre_key && !b.kyber_last_resort && *b.kyber_left < config_.low_water;
    if (!ec_low && !kyber_low) continue;
    listener_->on_pre_keys_low(DeviceAddress{account, b.device}, PreKeyCounts{*b.one_time_left, *b.kyber_left});
    if (metrics_ != nullptr) metrics_->pre_keys_low_notices.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace hush::server
