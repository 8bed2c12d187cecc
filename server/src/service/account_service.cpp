// AccountService: username rules, registration with its rate limit,
// credential creation and constant-time checks, device linking and removal.
#include "service/account_service.hpp"

#include <hush/crypto/sha.hpp>

#include <algorithm>

namespace hush::server {
namespace {

SecretHash hash_secret(ByteView secret) { return crypto::sha256(secret); }

bool valid_registration_id(RegistrationId id) noexcept { return raw(id) >= 1 && raw(id) <= kMaxRegistrationId; }

}  // namespace

AccountService::AccountService(storage::Store& store, const Clock& clock, crypto::Rng& rng, AccountServiceConfig config,
                               AbuseMetrics* metrics)
    : store_(store),
      clock_(clock),
      rng_(rng),
      config_(config),
      metrics_(metrics),
      registration_limiter_(clock, config.registration_limit),
      registration_global_(clock, config.registration_global),
      lookup_limiter_(clock, config.lookup_limit),
      challenges_(clock, rng, rng_mu_, config.challenge_lifetime, config.challenge_key,
                  [&store](ByteView nonce, Timestamp expires_at) { return store.record_challenge_use(nonce, expires_at); }) {}

namespace {

void count(AbuseMetrics* m, std::atomic<std::uint64_t> AbuseMetrics::*field) {
  if (m != nullptr) (m->*field).fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

Status AccountService::admit_registration(std::string_view client_address) {
  const std::string prefix =
      address_prefix(client_address, config_.registration_prefix_v4, config_.registration_prefix_v6);
  switch (registration_limiter_.try_acquire(prefix)) {
    case Admission::granted:
      break;
    case Admission::limited:
      count(metrics_, &AbuseMetrics::registrations_prefix_limited);
      return make_error(Errc::rate_limited, "registration rate (address prefix)");
    case Admission::untracked:
      count(metrics_, &AbuseMetrics::registrations_untracked);
      break;
  }
  if (registration_global_.try_acquire("") != Admission::granted) {
    count(metrics_, &AbuseMetrics::registrations_global_limited);
    return make_error(Errc::rate_limited, "registration rate (global)");
  }
  return ok();
}

Status AccountService::check_proof(const std::optional<DeviceKeys>& keys, const RegistrationProof* proof) {
  if (!keys || proof == nullptr) return ok();  // service tests; the API always passes a proof
  if (proof->challenge.empty() || proof->signature.empty()) {
    count(metrics_, &AbuseMetrics::registration_proofs_refused);
    return make_error(Errc::invalid_argument, "proof of possession missing");
  }
  Status checked = challenges_.verify_and_consume(proof->challenge, keys->identity_key, proof->message,
                                                  proof->signature);
  if (!checked) count(metrics_, &AbuseMetrics::registration_proofs_refused);
  return checked;
}

Result<AccountRecord> AccountService::lookup_username(const DeviceAddress& requester, std::string_view username) {
  if (!lookup_limiter_.acquire(to_hex(requester.account.bytes))) {
    count(metrics_, &AbuseMetrics::lookups_limited);
    return make_error(Errc::rate_limited, "username lookups");
  }
  return find_by_username(username);
}

Result<std::string> AccountService::normalize_username(std::string_view username) {
  if (username.size() < kMinUsernameLength || username.size() > kMaxUsernameLength)
    return make_error(Errc::invalid_argument, "username length");
  std::string out;
  out.reserve(username.size());
  for (char c : username) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!allowed) return make_error(Errc::invalid_argument, "username character");
    out.push_back(c);
  }
  if (out[0] < 'a' || out[0] > 'z') return make_error(Errc::invalid_argument, "username must start with a letter");
  return out;
}

Result<std::string> AccountService::admit_named(std::string_view username, RegistrationId registration_id,
                                                std::string_view client_address) {
  HUSH_TRY(admit_registration(client_address));
  HUSH_TRY_ASSIGN(std::string name, normalize_username(username));
  if (!valid_registration_id(registration_id)) return make_error(Errc::invalid_argument, "registration id");
  return name;
}

Result<DeviceEnrollment> AccountService::register_account(std::string_view username, RegistrationId registration_id,
                                                          std::string_view client_address,
                                                          std::optional<DeviceKeys> keys,
                                                          const RegistrationProof* proof) {
  // Limit attempts, not successes: probing for free usernames costs tokens too.
  HUSH_TRY_ASSIGN(std::string name, admit_named(username, registration_id, client_address));
  HUSH_TRY(check_proof(keys, proof));

  NewAccount account;
  Credential credential;
  RecoveryCode recovery;
  {
    std::lock_guard lock(rng_mu_);
    rng_.fill(account.id.bytes);
    rng_.fill(credential.expose_mut());
    rng_.fill(recovery.expose_mut());
  }
  account.username = std::move(name);
  account.created_at = clock_.now();
  account.first_device =
      NewDevice{registration_id, hash_secret(credential.expose()), account.created_at, std::move(keys)};
  account.recovery_hash = hash_secret(recovery.expose());
  HUSH_TRY(store_.create_account(account));
  return DeviceEnrollment{DeviceAddress{account.id, DeviceId{1}}, std::move(credential), std::move(recovery), {}};
}

Result<DeviceEnrollment> AccountService::recover_account(std::string_view username, ByteView recovery_code,
                                                         RegistrationId registration_id,
                                                         std::string_view client_address,
                                                         std::optional<DeviceKeys> keys,
                                                         const RegistrationProof* proof) {
  // Limited like registrations: guessing codes costs the same tokens.
  HUSH_TRY_ASSIGN(std::string name, admit_named(username, registration_id, client_address));
  if (recovery_code.size() != kRecoveryCodeSize) return make_error(Errc::invalid_argument, "recovery code length");
  if (!keys || proof == nullptr) return make_error(Errc::invalid_argument, "recovery needs keys and a proof");
  HUSH_TRY(check_proof(keys, proof));

  Credential credential;
  RecoveryCode renewed;
  {
    std::lock_guard lock(rng_mu_);
    rng_.fill(credential.expose_mut());
    rng_.fill(renewed.expose_mut());
  }
  const Timestamp now = clock_.now();
  const NewDevice device{registration_id, hash_secret(credential.expose()), now, std::move(keys)};
  auto recovered = store_.recover_account(name, hash_secret(recovery_code), hash_secret(renewed.expose()), device);
  if (!recovered) {
    if (recovered.code() == Errc::not_found) return make_error(Errc::unauthorized, "recovery code");
    return recovered.error();
  }
  return DeviceEnrollment{recovered->added, std::move(credential), std::move(renewed), std::move(recovered->removed)};
}

Status AccountService::authenticate(const DeviceAddress& device, ByteView credential) {
  SecretHash presented = hash_secret(credential);
  auto stored = store_.get_credential(device);
  if (!stored) {
    if (stored.code() == Errc::not_found) return make_error(Errc::unauthorized, "credentials");
    return stored.error();
  }
  bool match = ct_equal(presented, stored->credential_hash);
  secure_wipe(presented.data(), presented.size());
  if (!match || credential.size() != kCredentialSize) return make_error(Errc::unauthorized, "credentials");
  return ok();
}

Result<AccountRecord> AccountService::find_by_username(std::string_view username) {
  HUSH_TRY_ASSIGN(std::string name, normalize_username(username));
  return store_.find_account(name);
}

Result<AccountRecord> AccountService::get_account(const AccountId& account) { return store_.get_account(account); }

Result<std::vector<DeviceRecord>> AccountService::devices(const AccountId& account) {
  return store_.list_devices(account);
}

Result<LinkTokenGrant> AccountService::create_link_token(const DeviceAddress& requester) {
  HUSH_TRY(store_.get_credential(requester));  // the requesting device must still exist
  LinkTokenGrant grant;
  {
    std::lock_guard lock(rng_mu_);
    rng_.fill(grant.token.expose_mut());
  }
  grant.expires_at = clock_.now() + config_.link_token_lifetime;
  HUSH_TRY(store_.create_link_token(requester.account, hash_secret(grant.token.expose()), grant.expires_at));
  return grant;
}

Result<DeviceEnrollment> AccountService::link_device(ByteView token, RegistrationId registration_id,
                                                     std::string_view client_address,
                                                     std::optional<DeviceKeys> keys, const RegistrationProof* proof) {
  HUSH_TRY(admit_registration(client_address));  // links are registrations too
  if (!valid_registration_id(registration_id)) return make_error(Errc::invalid_argument, "registration id");
  if (token.size() != kLinkTokenSize) return make_error(Errc::unauthorized, "link token");
  HUSH_TRY(check_proof(keys, proof));
  Credential credential;
  {
    std::lock_guard lock(rng_mu_);
    rng_.fill(credential.expose_mut());
  }
  Timestamp now = clock_.now();
  NewDevice device{registration_id, hash_secret(credential.expose()), now, std::move(keys)};
  auto added = store_.add_device_with_link_token(hash_secret(token), now, device, config_.max_devices);
  if (!added) {
    if (added.code() == Errc::not_found) return make_error(Errc::unauthorized, "link token");
    return added.error();
  }
  return DeviceEnrollment{*added, std::move(credential), std::nullopt, {}};
}

Status AccountService::remove_device(const DeviceAddress& requester, DeviceId target) {
  HUSH_TRY_ASSIGN(auto list, store_.list_devices(requester.account));
  bool found = std::any_of(list.begin(), list.end(), [&](const DeviceRecord& d) { return d.id == target; });
  if (!found) return make_error(Errc::not_found, "device");
  if (list.size() == 1) return make_error(Errc::invalid_argument, "cannot remove the last device");
  return store_.remove_device(DeviceAddress{requester.account, target});
}

}  // namespace hush::server
