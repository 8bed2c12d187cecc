// KeyService: validates uploaded public keys and signed pre-key signatures
// before anything reaches the Store; bundle fetches go straight through.
#include "service/key_service.hpp"

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

}  // namespace

Result<DeviceKeys> KeyService::validate_device_keys(ByteView identity_key, const SignedPreKeyUpload& signed_pre_key,
                                                    std::span<const OneTimePreKeyUpload> one_time_pre_keys) {
  DeviceKeys keys;
  HUSH_TRY_ASSIGN(keys.identity_key, crypto::PublicKey::deserialize(identity_key));
  HUSH_TRY_ASSIGN(keys.signed_pre_key, parse_signed_pre_key(signed_pre_key, keys.identity_key));
  HUSH_TRY_ASSIGN(keys.one_time_pre_keys, parse_one_time_pre_keys(one_time_pre_keys));
  return keys;
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
  for (const PreKeyBundle& b : bundles) {
    if (listener_ == nullptr || !b.one_time_left || *b.one_time_left >= config_.low_water) continue;
    listener_->on_pre_keys_low(DeviceAddress{account, b.device}, *b.one_time_left);
    if (metrics_ != nullptr) metrics_->pre_keys_low_notices.fetch_add(1, std::memory_order_relaxed);
  }
  return bundles;
}

}  // namespace hush::server
