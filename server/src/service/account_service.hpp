// Accounts and devices: registration (username rules, rate limit per client
// address), credentials (made here, stored only as SHA-256, compared in
// constant time), device lists, linking a new device with a one-time token,
// removing a device. Credentials and tokens are secrets: never logged.
#pragma once

#include "service/abuse_metrics.hpp"
#include "service/address_prefix.hpp"
#include "service/clock.hpp"
#include "service/rate_limiter.hpp"
#include "service/registration_challenges.hpp"
#include "storage/store.hpp"

#include <hush/crypto/random.hpp>
#include <hush/util/secret.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hush::server {

/// Six devices: a phone, a couple of desktops and a tablet, with slack; each
/// device multiplies every send's fan-out, so the cap also bounds send cost.
inline constexpr std::size_t kMaxDevicesPerAccount = 6;
/// Usernames: 3..32 characters of [a-z0-9_.-], starting with a letter.
inline constexpr std::size_t kMinUsernameLength = 3;
inline constexpr std::size_t kMaxUsernameLength = 32;
/// Signal registration ids are 14-bit, 1..16380 (libsignal KeyHelper).
inline constexpr std::uint32_t kMaxRegistrationId = 16380;
/// A device credential: 32 random bytes (256 bits, beyond any guessing).
inline constexpr std::size_t kCredentialSize = 32;
using Credential = SecretBytes<kCredentialSize>;
/// A link token: 32 random bytes, shown once to the linking user.
inline constexpr std::size_t kLinkTokenSize = 32;
using LinkToken = SecretBytes<kLinkTokenSize>;
/// An account recovery code: 16 random bytes (128 bits), shown once at
/// registration (and again, renewed, after each recovery) for the user to
/// write down; hushd keeps only its SHA-256.
inline constexpr std::size_t kRecoveryCodeSize = 16;
using RecoveryCode = SecretBytes<kRecoveryCodeSize>;
/// Ten minutes: long enough to scan a QR code on a second device, short
/// enough that a leaked token is soon worthless.
inline constexpr std::chrono::minutes kLinkTokenLifetime{10};

struct AccountServiceConfig {
  std::size_t max_devices = kMaxDevicesPerAccount;
  /// Registrations (new accounts and links) per client address prefix: 5 at
  /// once, then one a minute.
  RateLimit registration_limit{};
  /// Registrations of the whole server: 1000 at once, then 10 a second. A
  /// flood from many prefixes (or from more prefixes than the table tracks)
  /// is slowed here instead of refusing every new address.
  RateLimit registration_global{1000, 10, 1};
  /// The prefix an address is counted under (address_prefix.hpp).
  unsigned registration_prefix_v4 = kDefaultPrefixV4;
  unsigned registration_prefix_v6 = kDefaultPrefixV6;
  /// Username lookups per account: 100 at once (a group's worth of members),
  /// then one every 6 s; enough for people, slow for enumerating the directory.
  RateLimit lookup_limit{100, 1.0 / 6, 100'000};
  std::chrono::milliseconds link_token_lifetime = kLinkTokenLifetime;
  std::chrono::milliseconds challenge_lifetime = kChallengeLifetime;
  /// The registration challenges' HMAC key, the same on every hushd node of
  /// one database (Store::shared_secret); null: random per process. Must
  /// outlive the constructor (it is copied).
  const SecretBytes<32>* challenge_key = nullptr;
};

/// A registration's proof of possession of the identity private key: the
/// server challenge, the XEdDSA signature, and the message it must cover
/// (hush::service::registration_proof_message of the request).
struct RegistrationProof {
  Bytes challenge;
  Bytes signature;
  Bytes message;
};

/// A new device and its credential, returned once (never stored in the clear).
struct DeviceEnrollment {
  DeviceAddress address;
  Credential credential;
  /// A new account's recovery code, or the renewed one after a recovery;
  /// absent for a linked device.
  std::optional<RecoveryCode> recovery_code;
  /// After a recovery: the devices it removed (their connections must close).
  std::vector<DeviceId> removed;
};

/// A fresh link token and when it stops working.
struct LinkTokenGrant {
  LinkToken token;
  Timestamp expires_at{};
};

class AccountService {
 public:
  /// `rng` must outlive the service; it is used under a lock (shared across
  /// threads). `metrics` (optional) counts the limits that fire.
  AccountService(storage::Store& store, const Clock& clock, crypto::Rng& rng, AccountServiceConfig config = {},
                 AbuseMetrics* metrics = nullptr);

  /// A one-time challenge for a registration's proof of possession.
  IssuedChallenge issue_challenge() { return challenges_.issue(); }

  /// Lower-cases `username` and checks the rules. invalid_argument otherwise.
  static Result<std::string> normalize_username(std::string_view username);

  /// Creates an account with device 1 and, in the same transaction, its
  /// `keys` (validated by KeyService::validate_device_keys; absent only in
  /// tests), and returns its credential. With `keys`, `proof` is required:
  /// the identity key's signature over a fresh challenge (checked after the
  /// rate limits, before anything is stored). rate_limited: too many
  /// registrations from `client_address`'s prefix, or from everyone.
  /// invalid_argument: bad username or registration id, proof missing.
  /// unauthorized, bad_signature, bad_length: the proof (see
  /// RegistrationChallenges). conflict: the username is taken
  /// (case-insensitively). storage_failure, unavailable. Nothing is stored
  /// on any failure.
  Result<DeviceEnrollment> register_account(std::string_view username, RegistrationId registration_id,
                                            std::string_view client_address,
                                            std::optional<DeviceKeys> keys = std::nullopt,
                                            const RegistrationProof* proof = nullptr);

  /// Account recovery ("I lost my only device"): with the account's
  /// recovery code, replaces every device of the account named `username`
  /// by one new device whose `keys` bring a new identity key, and renews the
  /// code (returned in the enrollment, with the removed devices). Counted
  /// against the registration limits; `proof` as for register_account.
  /// rate_limited. invalid_argument: bad username, registration id or code
  /// length, keys or proof missing. unauthorized: unknown account, wrong
  /// code, or an account without one (indistinguishable). bad_signature,
  /// bad_length: the proof. storage_failure. Nothing changes on failure.
  Result<DeviceEnrollment> recover_account(std::string_view username, ByteView recovery_code,
                                           RegistrationId registration_id, std::string_view client_address,
                                           std::optional<DeviceKeys> keys, const RegistrationProof* proof);

  /// The username lookup of a device, limited per account (lookup_limit).
  /// rate_limited, then as find_by_username.
  Result<AccountRecord> lookup_username(const DeviceAddress& requester, std::string_view username);

  /// Checks a device's credential in constant time. unauthorized: unknown
  /// account or device, or wrong credential (indistinguishable to the caller).
  /// storage_failure.
  Status authenticate(const DeviceAddress& device, ByteView credential);

  /// The account with this (case-insensitive) username. invalid_argument:
  /// not a valid username. not_found. storage_failure.
  Result<AccountRecord> find_by_username(std::string_view username);
  /// not_found, storage_failure.
  Result<AccountRecord> get_account(const AccountId& account);
  /// The account's devices, ascending. not_found, storage_failure.
  Result<std::vector<DeviceRecord>> devices(const AccountId& account);

  /// A one-time token with which a new device can join `requester`'s account.
  /// not_found: the requester's device no longer exists. storage_failure.
  Result<LinkTokenGrant> create_link_token(const DeviceAddress& requester);
  /// Consumes a link token and creates the new device with its credential
  /// and, in the same transaction, its `keys` (with `proof`, required with
  /// `keys`, as for register_account). Counted against the same
  /// registration limits. rate_limited. invalid_argument: bad registration
  /// id. unauthorized: unknown, used or expired token, or a bad challenge.
  /// bad_signature, bad_length: the proof. quota_exceeded: the account has
  /// max_devices already. conflict: `keys` bring an identity key other than
  /// the account's. storage_failure. On quota_exceeded, conflict and
  /// storage failures the token stays usable.
  Result<DeviceEnrollment> link_device(ByteView token, RegistrationId registration_id,
                                       std::string_view client_address,
                                       std::optional<DeviceKeys> keys = std::nullopt,
                                       const RegistrationProof* proof = nullptr);

  /// Removes `target` (with its credential, keys and queue) from the
  /// requester's own account. not_found: no such device. invalid_argument:
  /// it is the account's last device. storage_failure.
  Status remove_device(const DeviceAddress& requester, DeviceId target);

 private:
  storage::Store& store_;
  const Clock& clock_;
  crypto::Rng& rng_;
  std::mutex rng_mu_;
  /// The registration limits: per prefix, then the global rate. A prefix the
  /// full table cannot track is let through to the global rate (fail open
  /// to rate-limited, never refusing every new address). rate_limited.
  Status admit_registration(std::string_view client_address);
  /// What a registration and a recovery check first, in this order: the
  /// limits above, the username (normalized, returned), the registration id.
  Result<std::string> admit_named(std::string_view username, RegistrationId registration_id,
                                  std::string_view client_address);
  /// The proof's challenge and signature by `keys`' identity key. Nothing is
  /// checked when `keys` or `proof` is absent: only service tests do that;
  /// the API always passes the request's proof, empty or not.
  Status check_proof(const std::optional<DeviceKeys>& keys, const RegistrationProof* proof);

  AccountServiceConfig config_;
  AbuseMetrics* metrics_;
  RateLimiter registration_limiter_;
  RateLimiter registration_global_;
  RateLimiter lookup_limiter_;
  RegistrationChallenges challenges_;
};

}  // namespace hush::server
