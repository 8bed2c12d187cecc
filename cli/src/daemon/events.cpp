// Notifications (events.hpp).
#include "daemon/events.hpp"

#include "daemon/sdk_json.hpp"

namespace hush::cli::daemon {

std::string message_notification(const client::ReceivedMessage& m) {
  const char* method = m.failure         ? "decryptionFailure"
                       : m.notice        ? "groupWarning"
                       : m.group_change  ? "groupChange"
                                         : "message";
  return rpc::notification(method, rpc::to_json(m));
}

StateWatcher::StateWatcher(client::Client& client) : client_(client) { (void)changes(); }

std::vector<std::string> StateWatcher::changes() {
  std::vector<std::string> out;
  if (auto contacts = client_.contacts()) {
    for (const auto& c : *contacts) {
      auto [it, inserted] = identity_changed_.try_emplace(c.username, c.identity_changed);
      // A first sighting is reported only with a pending change; a falling
      // edge (trusted again) is the program's own doing.
      if (c.identity_changed && (inserted || !it->second)) {
        out.push_back(rpc::notification("identityChanged", rpc::Json{{"username", c.username}}));
      }
      it->second = c.identity_changed;
    }
  }
  if (auto groups = client_.groups()) {
    for (const auto& g : *groups) {
      auto [it, inserted] = group_versions_.try_emplace(g.id, g.version);
      if (inserted || it->second != g.version) out.push_back(rpc::notification("groupChanged", rpc::to_json(g)));
      it->second = g.version;
    }
  }
  return out;
}

}  // namespace hush::cli::daemon
