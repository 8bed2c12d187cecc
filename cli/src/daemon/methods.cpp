// The method table (methods.hpp). Parameter names follow signal-cli's
// JSON-RPC mode where it has the same thing (recipient, message, group,
// member); results are sdk_json's encodings.
#include "daemon/methods.hpp"

#include "daemon/sdk_json.hpp"

#include <map>

namespace hush::cli::daemon {

namespace {

using rpc::Json;
using rpc::MethodResult;

/// Thrown by the param readers; call() turns it into -32602.
struct BadParams {
  std::string message;
};

/// The params object (null counts as empty); positional params are refused.
const Json& object_params(const Json& params) {
  static const Json kEmpty = Json::object();
  if (params.is_null()) return kEmpty;
  if (!params.is_object()) throw BadParams{"params must be an object (named parameters)"};
  return params;
}

std::string string_param(const Json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw BadParams{std::string("\"") + key + "\" must be a non-empty string"};
  }
  return it->get<std::string>();
}

std::optional<std::string> optional_string(const Json& p, const char* key) {
  if (!p.contains(key)) return std::nullopt;
  return string_param(p, key);
}

std::size_t limit_param(const Json& p) {
  auto it = p.find("limit");
  if (it == p.end()) return 50;
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0 || it->get<std::uint64_t>() > 1000000) {
    throw BadParams{"\"limit\" must be a whole number from 1 to 1000000"};
  }
  return static_cast<std::size_t>(it->get<std::uint64_t>());
}

std::vector<std::string> members_param(const Json& p) {
  auto it = p.find("members");
  if (it == p.end()) return {};
  if (!it->is_array()) throw BadParams{"\"members\" must be an array of usernames"};
  std::vector<std::string> out;
  for (const auto& m : *it) {
    if (!m.is_string() || m.get_ref<const std::string&>().empty()) throw BadParams{"\"members\" must be an array of usernames"};
    out.push_back(m.get<std::string>());
  }
  return out;
}

template <typename T>
MethodResult encode(const Result<T>& r) {
  if (!r) return rpc::application_error(r.error());
  return rpc::to_json(*r);
}

template <typename T>
MethodResult encode_list(const Result<std::vector<T>>& r) {
  if (!r) return rpc::application_error(r.error());
  Json out = Json::array();
  for (const auto& v : *r) out.push_back(rpc::to_json(v));
  return out;
}

MethodResult encode(const Status& s) {
  if (!s) return rpc::application_error(s.error());
  return Json::object();
}

}  // namespace

Methods::Methods(client::Client& client, std::function<void(const client::ReceivedMessage&)> on_received)
    : client_(client), on_received_(std::move(on_received)) {}

void Methods::buffer(const client::ReceivedMessage& m) {
  buffered_.push_back(rpc::to_json(m));
  if (buffered_.size() > kMaxBufferedMessages) {
    buffered_.pop_front();
    ++dropped_;
  }
}

MethodResult Methods::call(const std::string& method, const Json& raw) try {
  using Handler = std::function<MethodResult(const Json&)>;
  client::Client& c = client_;
  const std::map<std::string, Handler, std::less<>> table = {
      {"send", [&](const Json& p) { return encode(c.send_text(string_param(p, "recipient"), string_param(p, "message"))); }},
      {"receive",
       [&](const Json&) -> MethodResult {
         Json out = {{"messages", Json(std::vector<Json>(buffered_.begin(), buffered_.end()))}, {"dropped", dropped_}};
         buffered_.clear();
         dropped_ = 0;
         return out;
       }},
      {"history",
       [&](const Json& p) -> MethodResult {
         if (p.contains("group")) return encode_list(c.group_history(string_param(p, "group"), limit_param(p)));
         return encode_list(c.history(string_param(p, "recipient"), limit_param(p)));
       }},
      {"listContacts", [&](const Json&) { return encode_list(c.contacts()); }},
      {"safetyNumber", [&](const Json& p) { return encode(c.safety_number(string_param(p, "recipient"))); }},
      {"verify", [&](const Json& p) { return encode(c.verify(string_param(p, "recipient"))); }},
      {"trust",
       [&](const Json& p) {
         const std::string who = string_param(p, "recipient");
         if (auto key = optional_string(p, "expectedKey")) return encode(c.trust(who, *key));
         return encode(c.trust(who));
       }},
      {"whoami", [&](const Json&) { return encode(c.whoami()); }},
      {"listDevices", [&](const Json&) { return encode_list(c.devices()); }},
      {"listGroups", [&](const Json&) { return encode_list(c.groups()); }},
      {"groupInfo", [&](const Json& p) { return encode(c.group_info(string_param(p, "group"))); }},
      {"groupCreate",
       [&](const Json& p) { return encode(c.group_create(string_param(p, "name"), members_param(p))); }},
      {"groupAdd",
       [&](const Json& p) { return encode(c.group_add(string_param(p, "group"), string_param(p, "member"))); }},
      {"groupRemove",
       [&](const Json& p) { return encode(c.group_remove(string_param(p, "group"), string_param(p, "member"))); }},
      {"groupLeave", [&](const Json& p) { return encode(c.group_leave(string_param(p, "group"))); }},
      {"groupRename",
       [&](const Json& p) { return encode(c.group_rename(string_param(p, "group"), string_param(p, "name"))); }},
      {"groupSend",
       [&](const Json& p) -> MethodResult {
         auto sent = c.group_send(string_param(p, "group"), string_param(p, "message"));
         if (sent) {
           for (const auto& m : sent->received) on_received_(m);
         }
         return encode(sent);
       }},
  };
  auto it = table.find(method);
  if (it == table.end()) return rpc::RpcError{rpc::kMethodNotFound, "Method not found", Json{{"method", method}}};
  return it->second(object_params(raw));
} catch (const BadParams& e) {
  return rpc::invalid_params(e.message);
}

}  // namespace hush::cli::daemon
