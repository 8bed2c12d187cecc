// hushd's domain vocabulary, shared by storage, service and api: account and
// device identities, the records the Store persists and the shapes of a send.
// Plain values only; every rule about them lives in service/. Nothing here is
// a secret except where noted (credentials and link tokens are only ever held
// as SHA-256 hashes).
#pragma once

#include <hush/crypto/x25519.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <array>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hush::server {

/// Server time, milliseconds since the Unix epoch (what the Store persists).
using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

/// Milliseconds since the epoch of a Timestamp, and back.
constexpr std::int64_t to_millis(Timestamp t) noexcept { return t.time_since_epoch().count(); }
constexpr Timestamp from_millis(std::int64_t ms) noexcept { return Timestamp(std::chrono::milliseconds(ms)); }

/// 16 random bytes naming an account; shown as 32 lower-case hex characters.
struct AccountId {
  static constexpr std::size_t kSize = 16;
  std::array<std::uint8_t, kSize> bytes{};

  /// From exactly 16 bytes. Fails with bad_length.
  static Result<AccountId> from_bytes(ByteView b);
  /// From 32 hex characters (either case). Fails with decode_error.
  static Result<AccountId> from_hex(std::string_view hex);
  /// 32 lower-case hex characters.
  [[nodiscard]] std::string hex() const;

  friend bool operator==(const AccountId&, const AccountId&) = default;
  friend auto operator<=>(const AccountId&, const AccountId&) = default;
};

/// A device within its account: 1 is the first, at most kMaxDevicesPerAccount
/// exist at once; ids are never reused within an account.
enum class DeviceId : std::uint32_t {};
/// Signal's per-install registration id, 1..16380.
enum class RegistrationId : std::uint32_t {};
/// A position in one device's queue: strictly increasing per device, never reused.
enum class Seq : std::uint64_t {};

/// The integer inside an id enum (std::to_underlying is C++23).
template <class E>
constexpr std::underlying_type_t<E> raw(E e) noexcept {
  return static_cast<std::underlying_type_t<E>>(e);
}

/// One device of one account: who authenticated, who receives.
struct DeviceAddress {
  AccountId account;
  DeviceId device{};
  friend bool operator==(const DeviceAddress&, const DeviceAddress&) = default;
  friend auto operator<=>(const DeviceAddress&, const DeviceAddress&) = default;
};

/// A client-chosen id making a send idempotent (with sender account and device).
using MessageId = std::array<std::uint8_t, 16>;
/// SHA-256 of a device credential or of a link token: the only form the server keeps.
using SecretHash = std::array<std::uint8_t, 32>;

// ---- keys --------------------------------------------------------------------

/// Signal pre-key ids are 24-bit (libsignal's Medium.MAX_VALUE).
inline constexpr std::uint32_t kMaxPreKeyId = 0xFFFFFF;

struct SignedPreKeyRecord {
  std::uint32_t id = 0;
  crypto::PublicKey public_key = crypto::PublicKey::from_trusted({});
  crypto::Signature signature{};  ///< XEdDSA by the account identity key over public_key.serialize()
};

struct OneTimePreKeyRecord {
  std::uint32_t id = 0;
  crypto::PublicKey public_key = crypto::PublicKey::from_trusted({});
};

/// libsignal's KEM key type byte of Kyber1024 round 3, the first byte of a
/// serialized Kyber pre-key (PQXDH, issue #15).
inline constexpr std::uint8_t kKyberKeyType = 0x08;
/// 0x08 ‖ the 1568-byte Kyber1024 encapsulation key.
inline constexpr std::size_t kKyberPublicKeySize = 1569;

/// A Kyber pre-key (one-time or last-resort) as the server keeps it: the
/// serialized key exactly as uploaded, checked by the service first (length,
/// type byte, key encoding, signature). The server never uses the key itself.
struct KyberPreKeyRecord {
  std::uint32_t id = 0;
  Bytes public_key;               ///< kKyberPublicKeySize bytes: 0x08 ‖ key
  crypto::Signature signature{};  ///< XEdDSA by the account identity key over public_key
};

/// What a sender needs to start a session with one device. The one-time
/// pre-key, when present, has been removed from the Store (handed out once).
struct PreKeyBundle {
  DeviceId device{};
  RegistrationId registration_id{};
  crypto::PublicKey identity_key = crypto::PublicKey::from_trusted({});
  SignedPreKeyRecord signed_pre_key;
  std::optional<OneTimePreKeyRecord> one_time_pre_key;
  /// A one-time Kyber pre-key (removed from the Store in the transaction
  /// that took the EC one), else the device's last-resort one; absent for a
  /// device that never uploaded a Kyber pre-key.
  std::optional<KyberPreKeyRecord> kyber_pre_key;
  /// Whether kyber_pre_key is the last-resort one (kept, handed out again).
  bool kyber_last_resort = false;
  /// One-time EC and Kyber pre-keys the device has left after this take
  /// (both set only when a one-time key of either kind was taken; the
  /// service tells the device when either runs low).
  std::optional<std::size_t> one_time_left;
  std::optional<std::size_t> kyber_left;
};

/// A device's first public keys, stored together with the device in the
/// transaction that creates it (validated by the service first: every key
/// parses and the signed pre-key's and Kyber pre-keys' signatures verify).
struct DeviceKeys {
  crypto::PublicKey identity_key = crypto::PublicKey::from_trusted({});  ///< the account's
  SignedPreKeyRecord signed_pre_key;
  std::vector<OneTimePreKeyRecord> one_time_pre_keys;
  /// PQXDH (issue #15): absent/empty for clients that bring none (raw test
  /// clients, hush-load); such a device hands out no Kyber pre-key.
  std::optional<KyberPreKeyRecord> last_resort_kyber_pre_key;
  std::vector<KyberPreKeyRecord> kyber_pre_keys;
};

/// One key upload of a device, every key checked by the service first (each
/// part optional): stored by Store::upload_keys in one transaction.
struct KeyBatch {
  /// Set on a first upload (with signed_pre_key): fixes the account's
  /// identity key, or must equal it.
  std::optional<crypto::PublicKey> identity_key;
  std::optional<SignedPreKeyRecord> signed_pre_key;
  std::vector<OneTimePreKeyRecord> one_time_pre_keys;
  std::optional<KyberPreKeyRecord> last_resort_kyber_pre_key;
  std::vector<KyberPreKeyRecord> kyber_pre_keys;
};

// ---- accounts and devices -------------------------------------------------

struct AccountRecord {
  AccountId id;
  std::string username;  ///< lower-cased
  Timestamp created_at{};
  std::optional<crypto::PublicKey> identity_key;  ///< absent until the first key upload
};

struct DeviceRecord {
  DeviceId id{};
  RegistrationId registration_id{};
  Timestamp created_at{};
  bool has_signed_pre_key = false;  ///< false until the device uploads its keys
};

/// A device to create: at registration (always device 1) or when linking.
struct NewDevice {
  RegistrationId registration_id{};
  SecretHash credential_hash{};
  Timestamp created_at{};
  /// Stored in the same transaction when present (registration always
  /// brings them); absent only in storage tests that add keys later.
  std::optional<DeviceKeys> keys;
};

/// What the Store needs to create an account together with its first device.
struct NewAccount {
  AccountId id;
  std::string username;  ///< already validated and lower-cased by the service
  Timestamp created_at{};
  NewDevice first_device;
  /// SHA-256 of the account's recovery code (absent: it cannot recover).
  std::optional<SecretHash> recovery_hash;
};

/// What an account recovery did: the new device, and the devices it removed
/// (whose connections must close on every node).
struct RecoveredAccount {
  DeviceAddress added;
  std::vector<DeviceId> removed;
};

/// What authentication needs about one device.
struct DeviceCredential {
  SecretHash credential_hash{};
  RegistrationId registration_id{};
};

// ---- messages ------------------------------------------------------------------

/// One recipient device's copy of a send. `body_index` points into NewMessage::bodies
/// so identical ciphertexts (group fan-out) are stored once.
struct Delivery {
  DeviceAddress recipient;
  RegistrationId registration_id{};  ///< what the sender believes; checked against the device's
  std::uint32_t type = 0;            ///< Signal envelope type, opaque to the server
  std::uint32_t body_index = 0;
};

/// A send as the Store receives it: validated by the service, not yet checked
/// against the current device lists (the Store does that inside its transaction).
struct NewMessage {
  DeviceAddress sender;
  MessageId message_id{};
  Timestamp server_time{};
  std::vector<Bytes> bodies;          ///< ciphertexts, each distinct one once
  std::vector<Delivery> deliveries;   ///< exactly one per current device of each recipient account
  /// Recipient accounts the sender named with no device at all (in a
  /// fan-out, its own account when it believes it has no other device):
  /// checked for exactness like the others, though nothing is queued for them.
  std::vector<AccountId> exact_accounts;
  /// Most rows the sender's account may hold in one device's queue of
  /// another account (its share of that mailbox); 0: no share. A limit set
  /// by the service, checked in the Store's transaction against the rows
  /// actually queued (SQL), so it holds whatever else writes meanwhile.
  std::size_t sender_share = 0;
  /// Stores the copies for every device that has room and reports the
  /// refused ones in StoreReceipt::refused (clients that say they can show
  /// them). false: one full queue refuses the whole send (quota_exceeded),
  /// as older clients expect.
  bool partial = false;
  /// A 1:1 send that carries its copies for the sender's own other devices
  /// (issue #16): those deliveries (to the sender's account) are queued
  /// under this id instead of message_id, and (sender, this id) is recorded
  /// as sent too, in the same transaction, so both are stored or neither.
  std::optional<MessageId> sync_message_id{};
  /// The username the sender believes `account` has (its cached directory
  /// binding): any other refuses the send with not_found, in the transaction.
  struct ExpectedName {
    AccountId account;
    std::string username;  ///< lower-cased, as stored
  };
  std::optional<ExpectedName> expected_username{};
};

/// Why one device's copy of a send was not queued.
enum class RefusalReason : std::uint8_t {
  queue_full,  ///< the device's queue holds the cap
  share_full,  ///< the sender's account holds its share of that queue
};

/// A copy a partial send did not queue.
struct RefusedDelivery {
  DeviceAddress recipient;
  RefusalReason reason{};
};

/// The context of the quota_exceeded refusing a whole (non-partial) send
/// because of a sender's share, so the service can count it. One object
/// (inline): compared by address.
inline constexpr char kShareFullContext[] = "sender's share of a recipient queue is full";

/// Why a send was refused with stale_devices: the sender's view of one
/// recipient account differs from the server's (a fan-out gets one per
/// account that differs). Sorted ascending.
struct DeviceMismatch {
  AccountId account;
  std::vector<DeviceId> missing;  ///< devices the account has that the send left out
  std::vector<DeviceId> extra;    ///< devices the send named that the account does not have
  std::vector<DeviceId> stale;    ///< devices whose registration id differs from the send's
};

/// The outcome of a stored (or already stored) send.
struct StoreReceipt {
  Timestamp server_time{};  ///< of the first, stored copy (a retry returns the original's)
  bool duplicate = false;   ///< true when this was a retry and nothing new was stored
  std::vector<std::pair<DeviceAddress, Seq>> queued;  ///< rows created; empty for a duplicate
  /// A partial send's copies not queued, in the order of its deliveries. A send with
  /// every copy refused stores nothing, not even its idempotency record, so
  /// a retry with the same message id may store it once there is room.
  std::vector<RefusedDelivery> refused;
};

/// One row of a device's queue, as delivered.
struct QueuedMessage {
  Seq seq{};
  DeviceAddress sender;
  MessageId message_id{};
  std::uint32_t type = 0;
  Timestamp server_time{};
  Bytes body;
};

}  // namespace hush::server
