// Group membership rules: pure, shared by the author of a change (to build
// it) and by every receiver (to recompute it and refuse what does not match).
#include "group_rules.hpp"

#include <algorithm>

namespace hush::client::groups {

namespace {

bool contains(const std::vector<std::string>& sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name, std::less<>());
}

void erase_names(std::vector<std::string>& from, const std::vector<std::string>& names) {
  std::erase_if(from, [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); });
}

}  // namespace

void canonical(std::vector<std::string>& names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
}

Result<GroupState> next_state(const GroupState& before, content::GroupAction action, std::string_view author,
                              const std::vector<std::string>& subjects, std::string_view new_name) {
  using content::GroupAction;
  GroupState next{before.members, before.admins, before.name};
  const bool admin = contains(before.admins, author);
  switch (action) {
    case GroupAction::create:
      return make_error(Errc::invalid_argument, "create is not a change of an existing group");
    case GroupAction::add: {
      if (!admin) return make_error(Errc::forbidden, "only an admin adds members");
      if (subjects.empty()) return make_error(Errc::invalid_argument, "nobody to add");
      for (const auto& s : subjects) {
        if (s.empty() || s.size() > content::kMaxGroupUsername) return make_error(Errc::invalid_argument, "username");
        if (contains(before.members, s)) return make_error(Errc::invalid_argument, "already a member");
        next.members.push_back(s);
      }
      const std::size_t want = before.members.size() + subjects.size();
      canonical(next.members);
      if (next.members.size() != want) return make_error(Errc::invalid_argument, "a member named twice");
      if (next.members.size() > content::kMaxGroupMembers) return make_error(Errc::invalid_argument, "group too large");
      return next;
    }
    case GroupAction::remove: {
      if (!admin) return make_error(Errc::forbidden, "only an admin removes members");
      if (subjects.empty()) return make_error(Errc::invalid_argument, "nobody to remove");
      for (const auto& s : subjects) {
        if (s == author) return make_error(Errc::invalid_argument, "leave instead of removing yourself");
        if (!contains(before.members, s)) return make_error(Errc::not_found, "not a member");
      }
      std::vector<std::string> distinct = subjects;
      canonical(distinct);
      if (distinct.size() != subjects.size()) return make_error(Errc::invalid_argument, "a member named twice");
      erase_names(next.members, subjects);
      erase_names(next.admins, subjects);
      return next;
    }
    case GroupAction::leave: {
      if (!contains(before.members, author)) return make_error(Errc::forbidden, "not a member");
      if (subjects.size() != 1 || subjects[0] != author) return make_error(Errc::invalid_argument, "leave names the author");
      erase_names(next.members, subjects);
      erase_names(next.admins, subjects);
      // The last admin leaving hands the group to the first remaining member
      // (in sorted order), so a group never ends up without anyone to run it.
      if (next.admins.empty() && !next.members.empty()) next.admins.push_back(next.members.front());
      return next;
    }
    case GroupAction::rename: {
      if (!admin) return make_error(Errc::forbidden, "only an admin renames the group");
      if (new_name.empty() || new_name.size() > content::kMaxGroupNameSize) {
        return make_error(Errc::invalid_argument, "group name empty or too long");
      }
      next.name = std::string(new_name);
      return next;
    }
  }
  return make_error(Errc::invalid_argument, "group action");
}

std::string_view refusal_name(Refusal r) noexcept {
  switch (r) {
    case Refusal::none: return "none";
    case Refusal::author_mismatch: return "author_mismatch";
    case Refusal::stale_version: return "stale_version";
    case Refusal::version_gap: return "version_gap";
    case Refusal::not_admin: return "not_admin";
    case Refusal::not_member: return "not_member";
    case Refusal::state_mismatch: return "state_mismatch";
    case Refusal::not_for_us: return "not_for_us";
  }
  return "unknown";
}

std::string_view action_name(content::GroupAction a) noexcept {
  switch (a) {
    case content::GroupAction::create: return "create";
    case content::GroupAction::add: return "add";
    case content::GroupAction::remove: return "remove";
    case content::GroupAction::leave: return "leave";
    case content::GroupAction::rename: return "rename";
  }
  return "unknown";
}

Refusal check_change(const store::GroupRecord* group, const content::GroupChange& c, std::string_view sender,
                     std::string_view me) {
  using content::GroupAction;
  if (c.author != sender) return Refusal::author_mismatch;
  if (group == nullptr || !group->active) {
    // Joining: a new group that lists us, or an add that names us, made by
    // one of the admins the change itself lists. We cannot check the past of
    // a group we were not in; we take the state its admin sends (§8.3).
    const bool lists_us = std::binary_search(c.members.begin(), c.members.end(), me, std::less<>());
    const bool author_admin = std::binary_search(c.admins.begin(), c.admins.end(), c.author, std::less<>());
    if (group != nullptr && c.version <= group->version) return Refusal::stale_version;
    if (c.action == GroupAction::create && c.version == 1 && lists_us && author_admin) return Refusal::none;
    if (c.action == GroupAction::add && lists_us && author_admin &&
        std::find(c.subjects.begin(), c.subjects.end(), me) != c.subjects.end()) {
      return Refusal::none;
    }
    return Refusal::not_for_us;
  }
  if (c.version <= group->version) return Refusal::stale_version;
  if (c.version != group->version + 1) return Refusal::version_gap;
  if (!std::binary_search(group->members.begin(), group->members.end(), c.author, std::less<>())) {
    return Refusal::not_member;
  }
  if (c.action != GroupAction::leave &&
      !std::binary_search(group->admins.begin(), group->admins.end(), c.author, std::less<>())) {
    return Refusal::not_admin;
  }
  if (c.action == GroupAction::create) return Refusal::stale_version;
  auto next = next_state(GroupState{group->members, group->admins, group->name}, c.action, c.author, c.subjects, c.name);
  if (!next) return next.code() == Errc::forbidden ? Refusal::not_admin : Refusal::state_mismatch;
  if (next->members != c.members || next->admins != c.admins || next->name != c.name) return Refusal::state_mismatch;
  return Refusal::none;
}

}  // namespace hush::client::groups
