// The pre-key directory: identity key and signed pre-key upload (XEdDSA
// signature verified, keys validated), signed pre-key rotation, batches of
// one-time pre-keys, Kyber pre-keys for PQXDH (one-time and last-resort,
// each signed by the identity key), bundle fetch (each one-time pre-key
// handed out once) and the counts a device has left. Only public keys ever
// reach the server.
#pragma once

#include "service/abuse_metrics.hpp"
#include "service/clock.hpp"
#include "service/pre_key_listener.hpp"
#include "service/rate_limiter.hpp"
#include "storage/store.hpp"

#include <hush/util/bytes.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <span>
#include <vector>

namespace hush::server {

/// One upload call carries at most 100 one-time pre-keys (libsignal clients
/// generate them 100 at a time); bounds one request's work.
inline constexpr std::size_t kMaxOneTimePreKeysPerUpload = 100;
/// A device holds at most 1000: a few weeks of new contacts, bounded storage.
inline constexpr std::size_t kMaxOneTimePreKeysHeld = 1000;
/// The same bounds for one-time Kyber pre-keys (each 1569 bytes + signature):
/// the client replenishes both kinds together.
inline constexpr std::size_t kMaxKyberPreKeysPerUpload = kMaxOneTimePreKeysPerUpload;
inline constexpr std::size_t kMaxKyberPreKeysHeld = kMaxOneTimePreKeysHeld;

/// The limits on bundle fetches (issue #13): anyone could drain anyone's
/// one-time pre-keys (101 fetches in 0.1 s), leaving every new session
/// without one.
struct KeyServiceConfig {
  /// Fetches per requesting account: 200 at once (a large group's members),
  /// then one a second. Beyond it: rate_limited.
  RateLimit fetch_per_requester{200, 1.0, 100'000};
  /// One-time pre-keys handed out per target device: 50 at once, then one a
  /// minute. Beyond it bundles are still served, without a one-time key,
  /// so nobody is kept from starting a session with the target.
  RateLimit one_time_per_target{50, 1.0 / 60, 100'000};
  /// A requester gets at most one one-time key of a given device within
  /// this window; a repeat fetch is served without one.
  std::chrono::milliseconds repeat_window{std::chrono::hours(24)};
  /// (requester, device) pairs remembered for the window; when full (after
  /// forgetting expired ones), bundles go out without one-time keys.
  std::size_t max_remembered = 1'000'000;
  /// Below this many one-time pre-keys (EC or Kyber) left, the device is
  /// told (and its client uploads more); a fifth of the client's batch of 100.
  std::size_t low_water = 20;
};

/// A signed pre-key as it arrives from a client, not yet validated.
struct SignedPreKeyUpload {
  std::uint32_t id = 0;
  Bytes public_key;  ///< 33 bytes, 0x05 ‖ X25519
  Bytes signature;   ///< 64 bytes, XEdDSA over public_key by the identity key
};

/// A one-time pre-key as it arrives from a client, not yet validated.
struct OneTimePreKeyUpload {
  std::uint32_t id = 0;
  Bytes public_key;  ///< 33 bytes
};

/// A Kyber pre-key (one-time or last-resort) as it arrives from a client,
/// not yet validated. Its id is libsignal's KyberPreKeyId: any 32-bit value.
struct KyberPreKeyUpload {
  std::uint32_t id = 0;
  Bytes public_key;  ///< 1569 bytes, 0x08 ‖ Kyber1024 key
  Bytes signature;   ///< 64 bytes, XEdDSA over public_key by the identity key
};

/// Everything one UploadKeysRequest may carry; each part optional, not all absent.
struct KeyUpload {
  Bytes identity_key;  ///< empty: the account's stored one
  std::optional<SignedPreKeyUpload> signed_pre_key;
  std::vector<OneTimePreKeyUpload> one_time_pre_keys;
  std::optional<KyberPreKeyUpload> last_resort_kyber_pre_key;
  std::vector<KyberPreKeyUpload> kyber_pre_keys;
};

class KeyService {
 public:
  explicit KeyService(storage::Store& store) noexcept : KeyService(store, nullptr, {}, nullptr, nullptr) {}
  /// `clock` may be null only when no limit is ever consulted (then
  /// fetch_bundles_for is unlimited). `listener` and `metrics` are optional.
  KeyService(storage::Store& store, const Clock* clock, KeyServiceConfig config, PreKeyListener* listener,
             AbuseMetrics* metrics);

  /// The keys a registering device brings, fully checked without the Store:
  /// the identity key and every pre-key parse, the signed pre-key's
  /// signature verifies, at most kMaxOneTimePreKeysPerUpload one-time
  /// pre-keys (possibly none) with distinct ids in range; the Kyber pre-keys
  /// (optional: a device may bring none) as validate_kyber_pre_keys checks
  /// them. bad_length, bad_key, invalid_argument, bad_signature.
  static Result<DeviceKeys> validate_device_keys(ByteView identity_key, const SignedPreKeyUpload& signed_pre_key,
                                                 std::span<const OneTimePreKeyUpload> one_time_pre_keys,
                                                 const std::optional<KyberPreKeyUpload>& last_resort_kyber = {},
                                                 std::span<const KyberPreKeyUpload> kyber_pre_keys = {});

  /// Checks Kyber pre-keys against `identity`: each public key is exactly
  /// 1569 bytes (bad_length) starting with the type byte 0x08 and a valid
  /// Kyber1024 encoding (bad_key), each signature 64 bytes (bad_length) and
  /// identity's XEdDSA signature over the 1569 bytes (bad_signature); at most
  /// kMaxKyberPreKeysPerUpload one-time ones with distinct ids
  /// (invalid_argument). Returns the one-time ones; `last_resort` is checked
  /// and converted into `last_resort_out`.
  static Result<std::vector<KyberPreKeyRecord>> validate_kyber_pre_keys(
      const crypto::PublicKey& identity, const std::optional<KyberPreKeyUpload>& last_resort,
      std::span<const KyberPreKeyUpload> one_time, std::optional<KyberPreKeyRecord>& last_resort_out);

  /// One key upload: every part is checked first (the Kyber pre-keys against
  /// the account's identity key, or `identity_key` on the first upload), so
  /// a bad key anywhere stores nothing; then the signed pre-key is set
  /// (as set_keys / rotate_signed_pre_key do), the one-time pre-keys added,
  /// the last-resort Kyber pre-key replaced and the one-time Kyber ones
  /// added, all in one transaction (Store::upload_keys). invalid_argument: nothing
  /// to upload, or a part's rule. not_found: Kyber pre-keys and no identity
  /// key yet, or no such device. Else as set_keys, rotate_signed_pre_key,
  /// add_one_time_pre_keys and add_kyber_pre_keys.
  Status upload_keys(const DeviceAddress& device, const KeyUpload& upload);

  /// Sets the account identity key (first device to upload fixes it) and this
  /// device's signed pre-key. bad_length/bad_key: malformed key.
  /// invalid_argument: pre-key id out of range. bad_signature: the signature
  /// does not verify. conflict: the account has a different identity key.
  /// not_found: no such device. storage_failure. Nothing changes on failure.
  Status set_keys(const DeviceAddress& device, ByteView identity_key, const SignedPreKeyUpload& signed_pre_key);

  /// Replaces the device's signed pre-key, verified against the stored
  /// identity key. not_found: no identity key yet, or no such device.
  /// bad_length, bad_key, invalid_argument, bad_signature, storage_failure.
  Status rotate_signed_pre_key(const DeviceAddress& device, const SignedPreKeyUpload& signed_pre_key);

  /// Adds a batch of one-time pre-keys (an id already held is replaced).
  /// invalid_argument: empty, more than kMaxOneTimePreKeysPerUpload, an id
  /// out of range or repeated within the batch. bad_length/bad_key: a
  /// malformed key (nothing stored). quota_exceeded: the device would hold
  /// more than kMaxOneTimePreKeysHeld. not_found, storage_failure.
  Status add_one_time_pre_keys(const DeviceAddress& device, std::span<const OneTimePreKeyUpload> keys);

  /// Adds one-time Kyber pre-keys and/or replaces the last-resort one,
  /// verified against the account's stored identity key. invalid_argument:
  /// nothing given, more than kMaxKyberPreKeysPerUpload, a repeated id.
  /// bad_length, bad_key, bad_signature (nothing stored). not_found: no
  /// identity key yet, or no such device. quota_exceeded: the device would
  /// hold more than kMaxKyberPreKeysHeld one-time ones. storage_failure.
  Status add_kyber_pre_keys(const DeviceAddress& device, const std::optional<KyberPreKeyUpload>& last_resort,
                            std::span<const KyberPreKeyUpload> one_time);

  /// How many one-time Kyber pre-keys the device has left, and their ids
  /// ascending (the last-resort one is not among them). not_found, storage_failure.
  Result<std::vector<std::uint32_t>> held_kyber_pre_key_ids(const DeviceAddress& device);

  /// How many one-time pre-keys the device has left. not_found, storage_failure.
  Result<std::size_t> one_time_pre_key_count(const DeviceAddress& device);
  /// The ids of the one-time pre-keys the device has left, ascending (at
  /// most kMaxOneTimePreKeysHeld): the device forgets the private keys of
  /// the others once no message can still need them. not_found, storage_failure.
  Result<std::vector<std::uint32_t>> held_one_time_pre_key_ids(const DeviceAddress& device);

  /// Bundles for every device of `account` that has keys (or only `device`),
  /// each with at most one one-time pre-key, handed out exactly once.
  /// not_found: no such account, or the named device has no keys.
  /// storage_failure.
  Result<std::vector<PreKeyBundle>> fetch_bundles(const AccountId& account, std::optional<DeviceId> device = {});

  /// fetch_bundles on behalf of `requester`, with the limits of
  /// KeyServiceConfig: rate_limited beyond the requester's rate; a device
  /// whose one-time keys this requester already got one of within the
  /// window, or that hands out too many, is served without one (of either
  /// kind). A device whose fetch took a one-time EC or Kyber pre-key and
  /// left fewer than low_water of that kind is told, with both counts
  /// (PreKeyListener).
  Result<std::vector<PreKeyBundle>> fetch_bundles_for(const DeviceAddress& requester, const AccountId& account,
                                                      std::optional<DeviceId> device = {});

 private:
  /// The devices of `account` (all, or `only`) that must not get a one-time
  /// key taken for `requester` now; records the others as served.
  std::vector<DeviceId> withheld_devices(const std::string& requester, const AccountId& account,
                                         std::optional<DeviceId> only);
  /// Tells the listener about the bundles whose take left a kind below low_water.
  void notify_low(const AccountId& account, const std::vector<PreKeyBundle>& bundles);

  storage::Store& store_;
  const Clock* clock_;
  KeyServiceConfig config_;
  PreKeyListener* listener_;
  AbuseMetrics* metrics_;
  std::optional<RateLimiter> per_requester_;
  std::optional<RateLimiter> per_target_;
  std::mutex served_mu_;
  /// "requester|account|device" → until when (ms) the requester gets no
  /// other one-time key of that device.
  std::unordered_map<std::string, std::int64_t> served_;
};

}  // namespace hush::server
