// Encoding and decoding of the SDK's values for the daemon (sdk_json.hpp).
// Plaintext is copied into the JSON being sent and, on decoding, straight
// into a SecretBuffer.
#include "daemon/sdk_json.hpp"

#include "format.hpp"

#include <hush/util/bytes.hpp>

namespace hush::cli::rpc {

namespace {

std::string text_of(const SecretBuffer& b) {
  return {reinterpret_cast<const char*>(b.expose().data()), b.size()};
}

SecretBuffer secret_of(const std::string& s) {
  return SecretBuffer(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

std::optional<client::MessageId> id_of(const Json& j) {
  if (!j.is_string()) return std::nullopt;
  auto bytes = from_hex(j.get<std::string>());
  if (!bytes) return std::nullopt;
  auto id = client::MessageId::from(*bytes);
  if (!id) return std::nullopt;
  return *id;
}

std::optional<Bytes> bytes_of(const Json& j) {
  if (!j.is_string()) return std::nullopt;
  auto bytes = from_hex(j.get<std::string>());
  if (!bytes) return std::nullopt;
  return *bytes;
}

// Small typed readers over a decoded object; each throws nlohmann's
// type_error on a mismatch, which the decoders turn into nullopt.
template <typename T>
T get(const Json& j, const char* key) {
  return j.at(key).get<T>();
}

template <typename T>
T get_or(const Json& j, const char* key, T fallback) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? fallback : it->get<T>();
}

}  // namespace

Json to_json(const client::ReceivedMessage& m) {
  Json j = {{"sender", m.sender},
            {"senderDevice", m.sender_device},
            {"conversation", m.conversation},
            {"sentByMe", m.sent_by_me},
            {"id", format_id(m.id)},
            {"timestampMs", m.timestamp_ms},
            {"serverTimestampMs", m.server_timestamp_ms}};
  if (!m.failure && !m.notice && !m.group_change) j["text"] = text_of(m.text);
  if (m.group_id) {
    j["groupId"] = to_hex(*m.group_id);
    j["groupName"] = m.group_name;
  }
  if (m.failure) {
    j["failure"] = {{"error", m.failure->error},
                    {"senderAccount", m.failure->sender_account},
                    {"resendRequested", m.failure->resend_requested},
                    {"group", m.failure->group}};
  }
  if (!m.warnings.empty()) j["warnings"] = m.warnings;
  if (m.notice) j["notice"] = true;
  if (const auto& c = m.group_change) {
    j["groupChange"] = {{"version", c->version}, {"author", c->author},   {"action", c->action},
                        {"subjects", c->subjects}, {"name", c->name}, {"timestampMs", c->timestamp_ms}};
  }
  return j;
}

Json to_json(const client::SentMessage& m) {
  Json refused = Json::array();
  for (const auto& r : m.refused) refused.push_back({{"recipient", r.recipient}, {"device", r.device}, {"reason", r.reason}});
  Json j = {{"id", format_id(m.id)},
            {"serverTimestampMs", m.server_timestamp_ms},
            {"duplicate", m.duplicate},
            {"refused", std::move(refused)}};
  if (!m.warnings.empty()) j["warnings"] = m.warnings;
  if (!m.received.empty()) {
    Json received = Json::array();
    for (const auto& r : m.received) received.push_back(to_json(r));
    j["received"] = std::move(received);
  }
  return j;
}

Json to_json(const client::HistoryMessage& m) {
  Json j = {{"id", format_id(m.id)},
            {"outgoing", m.outgoing},
            {"peer", m.peer},
            {"timestampMs", m.timestamp_ms},
            {"text", text_of(m.text)}};
  if (m.group_id) {
    j["groupId"] = to_hex(*m.group_id);
    j["groupName"] = m.group_name;
  }
  return j;
}

Json to_json(const client::Contact& c) {
  return {{"username", c.username},
          // Never true while a key change is pending (as `hush contacts --json`).
          {"verified", c.verified && !c.identity_changed},
          {"identityChanged", c.identity_changed},
          {"firstSeenMs", c.first_seen_ms},
          {"keyChanges", c.key_changes}};
}

Json to_json(const client::SafetyNumber& s) {
  Json j = {{"digits", s.digits},
            {"scannableHex", to_hex(s.scannable)},
            {"verified", s.verified},
            {"identityChanged", s.identity_changed}};
  if (s.identity_changed) {
    j["pendingDigits"] = s.pending_digits;
    j["pendingScannableHex"] = to_hex(s.pending_scannable);
    j["pendingKey"] = s.pending_key_hex;
  }
  return j;
}

Json to_json(const client::GroupInfo& g) {
  Json history = Json::array();
  for (const auto& h : g.history) {
    history.push_back({{"version", h.version},
                       {"author", h.author},
                       {"action", h.action},
                       {"subjects", h.subjects},
                       {"name", h.name},
                       {"timestampMs", h.timestamp_ms}});
  }
  Json refused = Json::array();
  for (const auto& r : g.refused) {
    refused.push_back({{"version", r.version},
                       {"author", r.author},
                       {"action", r.action},
                       {"reason", r.reason},
                       {"receivedMs", r.received_ms}});
  }
  Json j = {{"id", g.id},
            {"name", g.name},
            {"members", g.members},
            {"admins", g.admins},
            {"version", g.version},
            {"active", g.active},
            {"history", std::move(history)},
            {"refused", std::move(refused)},
            {"pendingChanges", g.pending_changes},
            {"awaitingDelivery", g.awaiting_delivery},
            {"warnings", g.warnings},
            {"behindUntil", g.behind_until}};
  if (g.delivery_error != Errc::ok) j["deliveryError"] = errc_name(g.delivery_error);
  return j;
}

Json to_json(const client::Identity& i) {
  return {{"username", i.username},
          {"accountId", i.account_id_hex},
          {"deviceId", i.device_id},
          {"server", i.server_url},
          {"identityKey", i.identity_key_hex}};
}

Json to_json(const client::DeviceInfo& d) {
  return {{"id", d.id}, {"registrationId", d.registration_id}, {"createdMs", d.created_ms}, {"thisDevice", d.this_device}};
}

std::optional<client::ReceivedMessage> received_from_json(const Json& j) try {
  client::ReceivedMessage m;
  m.sender = get<std::string>(j, "sender");
  m.sender_device = get<std::uint32_t>(j, "senderDevice");
  m.conversation = get<std::string>(j, "conversation");
  m.sent_by_me = get<bool>(j, "sentByMe");
  auto id = id_of(j.at("id"));
  if (!id) return std::nullopt;
  m.id = *id;
  m.timestamp_ms = get<std::uint64_t>(j, "timestampMs");
  m.server_timestamp_ms = get<std::uint64_t>(j, "serverTimestampMs");
  m.text = secret_of(get_or<std::string>(j, "text", ""));
  if (j.contains("groupId")) {
    m.group_id = bytes_of(j.at("groupId"));
    if (!m.group_id) return std::nullopt;
    m.group_name = get<std::string>(j, "groupName");
  }
  if (auto f = j.find("failure"); f != j.end()) {
    client::DecryptionFailure failure;
    failure.error = get<std::string>(*f, "error");
    failure.sender_account = get<std::string>(*f, "senderAccount");
    failure.resend_requested = get<bool>(*f, "resendRequested");
    failure.group = get<bool>(*f, "group");
    m.failure = std::move(failure);
  }
  m.warnings = get_or<std::vector<std::string>>(j, "warnings", {});
  m.notice = get_or<bool>(j, "notice", false);
  if (auto c = j.find("groupChange"); c != j.end()) {
    m.group_change = client::GroupChangeInfo{get<std::uint32_t>(*c, "version"),
                                             get<std::string>(*c, "author"),
                                             get<std::string>(*c, "action"),
                                             get<std::vector<std::string>>(*c, "subjects"),
                                             get<std::string>(*c, "name"),
                                             get<std::uint64_t>(*c, "timestampMs")};
  }
  return m;
} catch (const Json::exception&) {
  return std::nullopt;
}

std::optional<client::SentMessage> sent_from_json(const Json& j) try {
  client::SentMessage m;
  auto id = id_of(j.at("id"));
  if (!id) return std::nullopt;
  m.id = *id;
  m.server_timestamp_ms = get<std::uint64_t>(j, "serverTimestampMs");
  m.duplicate = get<bool>(j, "duplicate");
  for (const auto& r : j.at("refused")) {
    m.refused.push_back({get<std::string>(r, "recipient"), get<std::uint32_t>(r, "device"), get<std::string>(r, "reason")});
  }
  m.warnings = get_or<std::vector<std::string>>(j, "warnings", {});
  if (auto received = j.find("received"); received != j.end()) {
    for (const auto& r : *received) {
      auto one = received_from_json(r);
      if (!one) return std::nullopt;
      m.received.push_back(std::move(*one));
    }
  }
  return m;
} catch (const Json::exception&) {
  return std::nullopt;
}

std::optional<client::HistoryMessage> history_from_json(const Json& j) try {
  client::HistoryMessage m;
  auto id = id_of(j.at("id"));
  if (!id) return std::nullopt;
  m.id = *id;
  m.outgoing = get<bool>(j, "outgoing");
  m.peer = get<std::string>(j, "peer");
  m.timestamp_ms = get<std::uint64_t>(j, "timestampMs");
  m.text = secret_of(get<std::string>(j, "text"));
  if (j.contains("groupId")) {
    m.group_id = bytes_of(j.at("groupId"));
    if (!m.group_id) return std::nullopt;
    m.group_name = get<std::string>(j, "groupName");
  }
  return m;
} catch (const Json::exception&) {
  return std::nullopt;
}

std::optional<client::Contact> contact_from_json(const Json& j) try {
  client::Contact c;
  c.username = get<std::string>(j, "username");
  c.verified = get<bool>(j, "verified");
  c.identity_changed = get<bool>(j, "identityChanged");
  c.first_seen_ms = get<std::uint64_t>(j, "firstSeenMs");
  c.key_changes = get<std::size_t>(j, "keyChanges");
  return c;
} catch (const Json::exception&) {
  return std::nullopt;
}

std::optional<client::SafetyNumber> safety_number_from_json(const Json& j) try {
  client::SafetyNumber s;
  s.digits = get<std::string>(j, "digits");
  auto scannable = bytes_of(j.at("scannableHex"));
  if (!scannable) return std::nullopt;
  s.scannable = std::move(*scannable);
  s.verified = get<bool>(j, "verified");
  s.identity_changed = get<bool>(j, "identityChanged");
  if (s.identity_changed) {
    s.pending_digits = get<std::string>(j, "pendingDigits");
    auto pending = bytes_of(j.at("pendingScannableHex"));
    if (!pending) return std::nullopt;
    s.pending_scannable = std::move(*pending);
    s.pending_key_hex = get<std::string>(j, "pendingKey");
  }
  return s;
} catch (const Json::exception&) {
  return std::nullopt;
}

}  // namespace hush::cli::rpc
