// What a newly linked device receives from the device that approves it
// (docs/protocol.md §7.4, "What a linked device receives"): the contacts'
// accepted identity keys with their verified marks, the directory entries
// that name them, and every group's current signed state. It travels inside
// the sealed provisioning message, the one channel hushd can neither read
// nor forge, so trust is only ever copied from the account's own device.
// Export and parse are pure over the stores; import runs inside the new
// device's registration transaction. Private to the SDK.
#pragma once

#include <hush/client/store/directory.hpp>
#include <hush/client/store/group_store.hpp>
#include <hush/client/store/identity_store.hpp>
#include <hush/signal/identity.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hush::client_sdk {
class Provisioning;
}

namespace hush::client::sdk {

/// Most bytes the account state may add to a provisioning message: hushd
/// relays at most 64 KiB of ciphertext (docs/server/api.md) and the rest of
/// the message (identity, token, names, AEAD overhead) stays under 1 KiB.
inline constexpr std::size_t kMaxAccountSyncBytes = 63 * 1024;
/// Longest username accepted in a synced contact or group (as group changes, §8.2).
inline constexpr std::size_t kMaxSyncedUsername = 64;

/// What export_account_state put in, and what did not fit.
struct AccountSyncSummary {
  std::size_t contacts = 0;
  std::size_t groups = 0;
  std::size_t omitted = 0;  ///< contacts and groups left out for lack of room
};

/// One contact as the new device stores it.
struct SyncedContact {
  std::string username;
  Bytes account_id;  ///< 16 bytes, or empty (then looked up when needed)
  signal::IdentityKey key;
  bool verified = false;
};

/// The account state of a provisioning message, validated in full.
struct AccountState {
  std::vector<SyncedContact> contacts;
  std::vector<store::GroupRecord> groups;
};

/// Adds the account's contacts (but `own_username`) and groups to `p`, within
/// kMaxAccountSyncBytes: groups first (a device without one cannot take part
/// in it), then verified contacts, then the others; what does not fit is
/// counted in `omitted` (the new device meets those contacts on first use).
/// Errors: storage errors and damaged records.
Result<AccountSyncSummary> export_account_state(store::SqliteIdentityKeyStore& identities, store::Directory& directory,
                                                store::GroupStore& groups, std::string_view own_username,
                                                hush::client_sdk::Provisioning& p);

/// Parses and checks every contact and group of `p` (names normalized and
/// bounded, account ids of 16 bytes, identity keys fully validated, group ids
/// of 32 bytes, admins among the members, signed changes that parse and name
/// their group). decode_error, bad_length, bad_key, invalid_message; nothing
/// is stored.
Result<AccountState> parse_account_state(const hush::client_sdk::Provisioning& p);

/// Stores `state` on a new device (inside the caller's transaction): each
/// contact's key accepted as the approving device accepted it, verified if it
/// was, its account id in the directory; each group put. Storage errors.
[[nodiscard]] Status import_account_state(store::LocalStore& store, const AccountState& state,
                                          store::SqliteIdentityKeyStore& identities,
                                          store::Directory& directory, store::GroupStore& groups);

}  // namespace hush::client::sdk
