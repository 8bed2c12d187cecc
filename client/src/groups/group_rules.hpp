// The rules of group membership (docs/protocol.md §8.3), as pure functions:
// the state a change leads to, and whether a received change may be applied
// to the state we hold. No I/O; the SDK and the tests share them.
#pragma once

#include <hush/client/content/content.hpp>
#include <hush/client/store/group_store.hpp>
#include <hush/util/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hush::client::groups {

/// Members, admins and name: what a change replaces.
struct GroupState {
  std::vector<std::string> members;  ///< sorted, distinct
  std::vector<std::string> admins;   ///< sorted, distinct, a subset of members
  std::string name;
};

/// The state after `author` applies `action` (add, remove, leave, rename)
/// with `subjects` (add, remove) or `new_name` (rename) to `before`.
/// Errors: forbidden (author not an admin, or not a member for a leave),
/// invalid_argument (no subjects, a subject twice, adding a member, removing
/// oneself, a name empty or too long, a group past kMaxGroupMembers),
/// not_found (removing someone who is not a member).
[[nodiscard]] Result<GroupState> next_state(const GroupState& before, content::GroupAction action,
                                            std::string_view author, const std::vector<std::string>& subjects,
                                            std::string_view new_name);

/// Why a received change is not applied.
enum class Refusal {
  none,              ///< apply it
  author_mismatch,   ///< `author` is not the member whose session carried it
  stale_version,     ///< version at or below ours: a replay, or the loser of concurrent changes
  version_gap,       ///< version more than one ahead of ours: a change we never got
  not_admin,         ///< made by a non-admin (other than a member leaving)
  not_member,        ///< the author is not a member
  state_mismatch,    ///< the member list, admins or name are not what the change leads to
  not_for_us,        ///< a group we do not know, and the change does not make us a member
};

/// The refusal's stable name ("not_admin", ...).
[[nodiscard]] std::string_view refusal_name(Refusal r) noexcept;
/// "create", "add", "remove", "leave", "rename".
[[nodiscard]] std::string_view action_name(content::GroupAction a) noexcept;

/// Whether `change`, carried by the pairwise session of `sender`, may be
/// applied to `group` (nullptr: a group we do not know, or no longer belong
/// to) by `me`. A group we do not know is joined by a CREATE of version 1 or
/// an ADD that names us; we then take the state the change carries.
[[nodiscard]] Refusal check_change(const store::GroupRecord* group, const content::GroupChange& change,
                                   std::string_view sender, std::string_view me);

/// Sorts and removes duplicates.
void canonical(std::vector<std::string>& names);

}  // namespace hush::client::groups
