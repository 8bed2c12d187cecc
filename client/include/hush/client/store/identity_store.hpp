// libhush's IdentityKeyStore over the local store: our identity key pair and
// registration id (table local_identity) and each contact's identity state
// (table contacts): the accepted key, whether it was verified, a changed key
// waiting to be accepted, and the history of key changes. Trust is per
// account name: every device of an account shares its identity key.
#pragma once

#include <hush/client/store/local_store.hpp>
#include <hush/signal/stores.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hush::client::store {

/// The most key changes kept per contact; older entries are dropped first.
/// (A contact changing keys this often is itself the warning.)
inline constexpr std::size_t kMaxKeyHistory = 32;

/// One accepted change of a contact's identity key.
struct KeyChange {
  signal::IdentityKey old_key;
  signal::IdentityKey new_key;
  std::uint64_t accepted_ms = 0;
};

/// What we know about a contact's identity.
struct ContactIdentity {
  signal::IdentityKey key;                        ///< the accepted key: messages go to it
  bool verified = false;                          ///< compared out of band (safety number) since last change
  std::optional<signal::IdentityKey> pending_key; ///< a different key seen and refused, awaiting acceptance
  std::uint64_t pending_since_ms = 0;
  std::uint64_t first_seen_ms = 0;
  std::vector<KeyChange> history;                 ///< oldest first
};

class SqliteIdentityKeyStore final : public signal::IdentityKeyStore {
 public:
  explicit SqliteIdentityKeyStore(LocalStore& store) noexcept : store_(store) {}

  /// Sets our identity and registration id (at registration, or when linking).
  [[nodiscard]] Status set_local_identity(const signal::IdentityKeyPair& identity, signal::RegistrationId id);

  /// not_found until set_local_identity was called.
  Result<signal::IdentityKeyPair> identity_key_pair() override;
  Result<signal::RegistrationId> local_registration_id() override;
  /// Accepts `key` for `address.name`. A key different from the accepted one
  /// is recorded in the history and resets `verified`. Returns whether it
  /// replaced a different key.
  Result<bool> save_identity(const signal::ProtocolAddress& address, const signal::IdentityKey& key) override;
  /// Trusted: no key recorded yet (first use), or `key` is the accepted key.
  /// Any other key is refused, in both directions, until accepted.
  Result<bool> is_trusted_identity(const signal::ProtocolAddress& address, const signal::IdentityKey& key,
                                   signal::Direction direction) override;
  Result<std::optional<signal::IdentityKey>> identity(const signal::ProtocolAddress& address) override;

  /// The whole identity state of a contact, or nullopt if never seen.
  Result<std::optional<ContactIdentity>> contact(std::string_view username);
  /// Every contact's name, sorted.
  Result<std::vector<std::string>> contact_names();
  /// Records a refused key (after untrusted_identity) so the application can
  /// warn and offer to accept it. no-op if `key` is the accepted key.
  [[nodiscard]] Status record_untrusted(std::string_view username, const signal::IdentityKey& key);
  /// Accepts the pending key (save_identity with it). Returns false if none is pending.
  Result<bool> accept_pending(std::string_view username);
  /// Marks the contact verified, if `key` (the one the user compared) is the
  /// accepted key. Errors: not_found, conflict (the key differs).
  [[nodiscard]] Status mark_verified(std::string_view username, const signal::IdentityKey& key);

 private:
  Status put_contact(std::string_view username, const ContactIdentity& c);
  LocalStore& store_;
};

}  // namespace hush::client::store
