// Groups in the local store (docs/protocol.md §8.6): each group's state as one
// sealed record (table groups, keyed by the random group id), and libhush's
// SenderKeyStore over table sender_keys (one sealed SenderKeyRecord per group
// and sending member device). Both tables are created at open if missing.
#pragma once

#include <hush/client/content/content.hpp>
#include <hush/client/store/local_store.hpp>
#include <hush/signal/ids.hpp>
#include <hush/signal/sender_key_record.hpp>
#include <hush/signal/stores.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hush::client::store {

/// Creates the group tables if they are missing. Errors: storage errors.
[[nodiscard]] Status ensure_group_tables(LocalStore& store);

/// Most refused changes kept per group (the oldest are dropped).
inline constexpr std::size_t kMaxRefusedChanges = 100;
/// Most changes kept in a group's history (the oldest are dropped).
inline constexpr std::size_t kMaxStoredGroupHistory = 1000;

/// One applied change, as `group info` shows it.
struct GroupHistoryEntry {
  std::uint32_t version = 0;
  std::string author;
  content::GroupAction action = content::GroupAction::create;
  std::vector<std::string> subjects;
  std::string name;                ///< the name after the change
  std::uint64_t timestamp_ms = 0;  ///< the author's clock
};

/// A change that arrived and was not applied, and why.
struct RefusedGroupChange {
  std::uint32_t version = 0;
  std::string author;              ///< the authenticated sender
  content::GroupAction action = content::GroupAction::create;
  std::string reason;              ///< "not_admin", "stale_version", ...
  std::uint64_t received_ms = 0;   ///< our clock
};

/// Most signed changes a group record keeps to forward to members behind (§8.7).
inline constexpr std::size_t kMaxKeptChanges = 64;
/// Most warnings kept per group (the oldest are dropped).
inline constexpr std::size_t kMaxGroupWarnings = 20;

/// Something the user must be told about a group (§8.7): we were behind,
/// a member sent with an old member list, a concurrent change lost...
struct GroupWarning {
  std::uint64_t at_ms = 0;  ///< our clock
  std::string text;
};

/// What we know of one group.
struct GroupRecord {
  Bytes id;                              ///< content::kGroupIdSize bytes
  std::string name;
  std::vector<std::string> members;      ///< sorted usernames
  std::vector<std::string> admins;       ///< sorted, a subset of members
  std::uint32_t version = 0;
  bool active = true;                    ///< false once we left or were removed
  std::vector<GroupHistoryEntry> history;
  std::vector<RefusedGroupChange> refused;
  /// Member devices that hold our current sending key (cleared when it rotates).
  std::vector<signal::ProtocolAddress> key_holders;
  // Format 2 (membership agreement, §8.7):
  /// The signed changes we applied (serialized content::GroupChange without
  /// history), oldest first, at most kMaxKeptChanges: forwarded to members behind.
  std::vector<Bytes> recent_changes;
  /// The state before the last applied change, for the tie-break of a
  /// concurrent change at the same version.
  bool has_previous = false;
  std::vector<std::string> previous_members;
  std::vector<std::string> previous_admins;
  std::string previous_name;
  std::vector<GroupWarning> warnings;  ///< oldest first, at most kMaxGroupWarnings
  /// The highest version a member's stamp showed above ours (0: none), and
  /// who showed it: we are behind until we reach it.
  std::uint32_t known_ahead = 0;
  std::string ahead_member;
};

class GroupStore {
 public:
  explicit GroupStore(LocalStore& store) noexcept : store_(store) {}
  /// Inserts or replaces a group. invalid_argument for an id of the wrong size.
  [[nodiscard]] Status put(const GroupRecord& group);
  /// nullopt if unknown. bad_mac or decode_error for a damaged record.
  Result<std::optional<GroupRecord>> get(ByteView group_id);
  /// Every group, by name then id.
  Result<std::vector<GroupRecord>> all();

 private:
  LocalStore& store_;
};

/// libhush's SenderKeyStore over table sender_keys.
class SqliteSenderKeyStore final : public signal::SenderKeyStore {
 public:
  explicit SqliteSenderKeyStore(LocalStore& store) noexcept : store_(store) {}
  Result<std::optional<signal::SenderKeyRecord>> load_sender_key(const signal::SenderKeyName& name) override;
  Status store_sender_key(const signal::SenderKeyName& name, const signal::SenderKeyRecord& record) override;
  /// Forgets one record.
  [[nodiscard]] Status erase(const signal::SenderKeyName& name);
  /// Forgets every record of `group_id` whose sender is `username` (any device),
  /// or every record of the group when `username` is empty.
  [[nodiscard]] Status erase_group(ByteView group_id, std::string_view username = {});
  /// The groups in which `sender` has given us a key (and, for ourselves, our
  /// own keys): the group ids, for finding which one a message belongs to.
  Result<std::vector<Bytes>> groups_of(const signal::ProtocolAddress& sender);

 private:
  LocalStore& store_;
};

}  // namespace hush::client::store
