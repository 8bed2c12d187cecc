// The pre-key directory: identity key and signed pre-key upload (XEdDSA
// signature verified, keys validated), signed pre-key rotation, batches of
// one-time pre-keys, bundle fetch (each one-time pre-key handed out once)
// and the count a device has left. Only public keys ever reach the server.
#pragma once

#include "service/clock.hpp"
#include "storage/store.hpp"

#include <hush/util/bytes.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace hush::server {

/// One upload call carries at most 100 one-time pre-keys (libsignal clients
/// generate them 100 at a time); bounds one request's work.
inline constexpr std::size_t kMaxOneTimePreKeysPerUpload = 100;
/// A device holds at most 1000: a few weeks of new contacts, bounded storage.
inline constexpr std::size_t kMaxOneTimePreKeysHeld = 1000;

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

class KeyService {
 public:
  explicit KeyService(storage::Store& store) noexcept : store_(store) {}

  /// The keys a registering device brings, fully checked without the Store:
  /// the identity key and every pre-key parse, the signed pre-key's
  /// signature verifies, at most kMaxOneTimePreKeysPerUpload one-time
  /// pre-keys (possibly none) with distinct ids in range. bad_length,
  /// bad_key, invalid_argument, bad_signature.
  static Result<DeviceKeys> validate_device_keys(ByteView identity_key, const SignedPreKeyUpload& signed_pre_key,
                                                 std::span<const OneTimePreKeyUpload> one_time_pre_keys);

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

  /// How many one-time pre-keys the device has left. not_found, storage_failure.
  Result<std::size_t> one_time_pre_key_count(const DeviceAddress& device);

  /// Bundles for every device of `account` that has keys (or only `device`),
  /// each with at most one one-time pre-key, handed out exactly once.
  /// not_found: no such account, or the named device has no keys.
  /// storage_failure.
  Result<std::vector<PreKeyBundle>> fetch_bundles(const AccountId& account, std::optional<DeviceId> device = {});

 private:
  storage::Store& store_;
};

}  // namespace hush::server
