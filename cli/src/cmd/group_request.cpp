// Parsing of `hush group` arguments (see group_request.hpp).
#include "cmd/group_request.hpp"

#include <map>

namespace hush::cli {

namespace {

constexpr std::uint64_t kMaxLimit = 1000000;

struct VerbSpec {
  GroupRequest::Verb verb;
  std::size_t positionals;  ///< including the subcommand
  const char* usage;
};

const std::map<std::string, VerbSpec, std::less<>>& verbs() {
  using V = GroupRequest::Verb;
  static const std::map<std::string, VerbSpec, std::less<>> table = {
      {"create", {V::create, 2, "group create NAME --members USER[,USER...]"}},
      {"send", {V::send, 3, "group send GROUP TEXT"}},
      {"add", {V::add, 3, "group add GROUP USER"}},
      {"remove", {V::remove, 3, "group remove GROUP USER"}},
      {"leave", {V::leave, 2, "group leave GROUP"}},
      {"rename", {V::rename, 3, "group rename GROUP NEW_NAME"}},
      {"info", {V::info, 2, "group info GROUP"}},
      {"list", {V::list, 1, "group list"}},
      {"history", {V::history, 2, "group history GROUP [--limit N]"}},
  };
  return table;
}

std::vector<std::string> split_members(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

std::optional<GroupRequest> parse_group_request(const ParsedArgs& args, std::string& error) {
  const auto& p = args.positionals;
  GroupRequest r;
  if (p.empty()) return r;  // `hush group`: the list
  auto it = verbs().find(p[0]);
  if (it == verbs().end()) {
    error = "group: unknown subcommand '" + p[0] + "' (create, send, add, remove, leave, rename, info, list, history)";
    return std::nullopt;
  }
  const VerbSpec& spec = it->second;
  if (p.size() != spec.positionals) {
    error = std::string("usage: hush ") + spec.usage;
    return std::nullopt;
  }
  r.verb = spec.verb;
  if (args.value("--members") && r.verb != GroupRequest::Verb::create) {
    error = "group: --members goes with create";
    return std::nullopt;
  }
  if (args.value("--limit") && r.verb != GroupRequest::Verb::history) {
    error = "group: --limit goes with history";
    return std::nullopt;
  }
  switch (r.verb) {
    case GroupRequest::Verb::create: {
      r.name = p[1];
      auto members = args.value("--members");
      if (!members) {
        error = std::string("group create: --members is required (usage: hush ") + spec.usage + ")";
        return std::nullopt;
      }
      r.members = split_members(*members);
      if (r.members.empty()) {
        error = "group create: --members names nobody";
        return std::nullopt;
      }
      if (r.name.empty()) {
        error = "group create: the name is empty";
        return std::nullopt;
      }
      break;
    }
    case GroupRequest::Verb::rename:
      r.group = p[1];
      r.name = p[2];
      if (r.name.empty()) {
        error = "group rename: the new name is empty";
        return std::nullopt;
      }
      break;
    case GroupRequest::Verb::history:
      r.group = p[1];
      if (auto l = args.value("--limit")) {
        auto v = parse_count(*l, kMaxLimit);
        if (!v || *v == 0) {
          error = "group history: --limit takes a number from 1 to 1000000";
          return std::nullopt;
        }
        r.limit = *v;
      }
      break;
    case GroupRequest::Verb::list: break;
    default:
      r.group = p[1];
      if (p.size() > 2) r.argument = p[2];
      break;
  }
  return r;
}

}  // namespace hush::cli
