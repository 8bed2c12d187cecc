// Membership agreement (docs/protocol.md §8.7), the pure part: the members
// hash every group text and Sender Key carries, the canonical bytes an
// author signs, the id that breaks ties between concurrent changes, and how
// a stamp compares with the state we hold. No I/O, no keys held.
#pragma once

#include <hush/client/content/content.hpp>
#include <hush/client/store/group_store.hpp>
#include <hush/util/bytes.hpp>

#include <string>
#include <vector>

namespace hush::client::groups {

/// SHA-256("hush group members v1" ‖ group_id ‖ u32be(n) ‖ for each member
/// in sorted order: u8(len) ‖ name). `members` must be sorted and distinct.
[[nodiscard]] Bytes members_hash(ByteView group_id, const std::vector<std::string>& members);

/// The stamp of `group` as we hold it (version and members hash).
[[nodiscard]] content::GroupStamp stamp_of(const store::GroupRecord& group);

/// What an author signs: "hush group change v1" ‖ group_id ‖ u32be(version)
/// ‖ u8(len) author ‖ u8(action) ‖ list(subjects) ‖ list(members) ‖
/// list(admins) ‖ u16be(len) name ‖ u64be(timestamp_ms), list = u32be(count)
/// ‖ u8(len) name each. History and signature are not covered.
[[nodiscard]] Bytes change_signing_bytes(const content::GroupChange& change);

/// SHA-256 of change_signing_bytes(): the change's identity. Of two
/// concurrent changes at one version, the lower id (bytewise) wins.
[[nodiscard]] Bytes change_id(const content::GroupChange& change);

/// How a received stamp relates to the group we hold.
enum class StampOrder {
  unstamped,  ///< no stamp (a build before §8.7): nothing to compare
  same,       ///< same version and members hash
  behind,     ///< the sender holds an older version: it lacks changes we hold
  ahead,      ///< the sender holds a newer version: we lack changes
  forked,     ///< same version, another members hash: concurrent changes
};
[[nodiscard]] StampOrder compare_stamp(const store::GroupRecord& group, const content::GroupStamp& stamp);

/// Whether `change` is a concurrent sibling of the last change we applied
/// (same version, valid on the state before it) that wins the tie-break
/// (its change_id is lower). `last` is that applied change. The caller
/// then reverts to `group.previous` and applies `change`.
[[nodiscard]] bool wins_over_last(const store::GroupRecord& group, const content::GroupChange& last,
                                  const content::GroupChange& change, std::string_view me);

/// Whether `change` is a valid concurrent sibling of `last` at all (same
/// version, valid on the state before it, a different change).
[[nodiscard]] bool concurrent_with_last(const store::GroupRecord& group, const content::GroupChange& last,
                                        const content::GroupChange& change, std::string_view me);

}  // namespace hush::client::groups
