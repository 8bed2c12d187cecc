// Membership agreement, pure: hashes, canonical bytes and stamp comparison
// (docs/protocol.md §8.7). The SDK signs, verifies and sends around these.
#include "group_agreement.hpp"

#include "group_rules.hpp"

#include <hush/crypto/sha.hpp>

#include <algorithm>

namespace hush::client::groups {

namespace {

constexpr std::string_view kMembersLabel = "hush group members v1";
constexpr std::string_view kChangeLabel = "hush group change v1";

void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_u64(Bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

/// u8 length: usernames are at most kMaxGroupUsername (64) bytes, checked
/// when a change is parsed or built.
void put_name(Bytes& out, std::string_view s) {
  out.push_back(static_cast<std::uint8_t>(std::min<std::size_t>(s.size(), 255)));
  out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(s.size(), 255)));
}

void put_names(Bytes& out, const std::vector<std::string>& names) {
  put_u32(out, static_cast<std::uint32_t>(names.size()));
  for (const auto& n : names) put_name(out, n);
}

Bytes digest(const Bytes& in) {
  auto d = crypto::sha256(in);
  return Bytes(d.begin(), d.end());
}

}  // namespace

Bytes members_hash(ByteView group_id, const std::vector<std::string>& members) {
  Bytes in;
  in.reserve(kMembersLabel.size() + group_id.size() + 4 + members.size() * 16);
  for (char ch : kMembersLabel) in.push_back(static_cast<std::uint8_t>(ch));
  in.insert(in.end(), group_id.begin(), group_id.end());
  put_names(in, members);
  return digest(in);
}

content::GroupStamp stamp_of(const store::GroupRecord& group) {
  return content::GroupStamp{group.version, members_hash(group.id, group.members)};
}

Bytes change_signing_bytes(const content::GroupChange& c) {
  Bytes out;
  out.reserve(256);
  for (char ch : kChangeLabel) out.push_back(static_cast<std::uint8_t>(ch));
  out.insert(out.end(), c.group_id.begin(), c.group_id.end());
  put_u32(out, c.version);
  put_name(out, c.author);
  out.push_back(static_cast<std::uint8_t>(c.action));
  put_names(out, c.subjects);
  put_names(out, c.members);
  put_names(out, c.admins);
  const std::size_t n = std::min<std::size_t>(c.name.size(), 0xffff);
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.push_back(static_cast<std::uint8_t>(n));
  out.insert(out.end(), c.name.begin(), c.name.begin() + static_cast<std::ptrdiff_t>(n));
  put_u64(out, c.timestamp_ms);
  return out;
}

Bytes change_id(const content::GroupChange& change) { return digest(change_signing_bytes(change)); }

StampOrder compare_stamp(const store::GroupRecord& group, const content::GroupStamp& stamp) {
  if (stamp.version == 0) return StampOrder::unstamped;
  if (stamp.version < group.version) return StampOrder::behind;
  if (stamp.version > group.version) return StampOrder::ahead;
  return stamp.members_hash == members_hash(group.id, group.members) ? StampOrder::same : StampOrder::forked;
}

bool concurrent_with_last(const store::GroupRecord& group, const content::GroupChange& last,
                          const content::GroupChange& change, std::string_view me) {
  if (!group.has_previous || last.version != group.version || change.version != group.version ||
      change.group_id != group.id || change.action == content::GroupAction::create) {
    return false;
  }
  if (change_id(change) == change_id(last)) return false;  // the same change again
  // The state both were made from: ours before the last change.
  store::GroupRecord parent;
  parent.id = group.id;
  parent.members = group.previous_members;
  parent.admins = group.previous_admins;
  parent.name = group.previous_name;
  parent.version = group.version - 1;
  parent.active = true;  // rules are checked as a member would
  return check_change(&parent, change, change.author, me) == Refusal::none;
}

bool wins_over_last(const store::GroupRecord& group, const content::GroupChange& last,
                    const content::GroupChange& change, std::string_view me) {
  return concurrent_with_last(group, last, change, me) && change_id(change) < change_id(last);
}

}  // namespace hush::client::groups
