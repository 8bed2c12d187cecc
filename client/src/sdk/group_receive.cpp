// The receiving side of groups (docs/protocol.md §8.3-8.5), run inside the
// envelope's store transaction: a group change is checked against the state
// we hold (refused ones are recorded with their reason), a Sender Key is
// accepted only from a current member, and a group message is decrypted with
// the key its chain id names, then checked against that key's group.
#include "client_impl.hpp"
#include "group_agreement.hpp"
#include "group_rules.hpp"

#include <hush/signal/group_cipher.hpp>
#include <hush/signal/group_session_builder.hpp>
#include <hush/signal/sender_key_messages.hpp>

#include <algorithm>

namespace hush::client {

namespace {

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

/// A group message stamped further ahead of our version than this is
/// refused rather than held (§8.7): a member so far behind is re-added, and
/// a message cannot make us wait for changes nobody can send in notices.
constexpr std::uint32_t kMaxGroupVersionLead = 1000;

bool contains(const std::vector<std::string>& sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name, std::less<>());
}

}  // namespace

Status ClientImpl::receive_group_control(const std::string& sender, const std::string& address, signal::DeviceId device,
                                         content::Content& c) {
  auto log = [&](std::string line) {
    if (options_.on_log) options_.on_log(line + " sender_device=" + std::to_string(device.value));
  };
  if (auto* notice = std::get_if<content::GroupStateNotice>(&c.body)) return receive_group_notice(sender, *notice);
  if (auto* skd = std::get_if<content::SenderKeyDistribution>(&c.body)) {
    HUSH_TRY_ASSIGN(auto group, groups_.get(skd->group_id));
    // A key from anyone but a current member is never used (§8.4); from a
    // member of a newer version than ours it is kept, since the change that
    // adds it is on its way (messages wait for it, §8.7).
    const bool ahead = group && group->active && skd->stamp.version > group->version;
    if (!group || !group->active || (!contains(group->members, sender) && !ahead)) {
      log("event=sender_key_refused reason=not_member");
      return ok();
    }
    auto parsed = signal::SenderKeyDistributionMessage::deserialize(skd->distribution.expose());
    if (!parsed) {
      log(std::string("event=sender_key_refused error=") + std::string(errc_name(parsed.code())));
      return ok();
    }
    HUSH_TRY_ASSIGN(const store::Account* acc, account());
    const store::Account me = acc->clone();
    const std::uint32_t ahead_before = group->known_ahead;
    const std::size_t warnings_before = group->warnings.size();
    HUSH_TRY(answer_stamp(*group, me, sender, skd->stamp, "a Sender Key"));
    if (group->known_ahead != ahead_before || group->warnings.size() != warnings_before) HUSH_TRY(groups_.put(*group));
    signal::GroupSessionBuilder builder(sender_keys_);
    return builder.process(str(skd->group_id), signal::ProtocolAddress{address, device}, *parsed);
  }
  auto* change = std::get_if<content::GroupChange>(&c.body);
  if (change == nullptr) return ok();
  HUSH_TRY_ASSIGN(const store::Account* acc, account());
  const store::Account me = acc->clone();
  HUSH_TRY_ASSIGN(auto known, groups_.get(change->group_id));
  HUSH_TRY_ASSIGN(bool applied, take_group_change(known, *change, sender, me, false));
  if (applied && held_pending_) released_ = true;  // held messages may now open
  return ok();
}

Result<std::optional<ReceivedMessage>> ClientImpl::receive_group_message(const std::string& sender,
                                                                         const std::string& sender_address,
                                                                         signal::DeviceId device, ByteView body,
                                                                         std::uint64_t server_timestamp_ms) {
  HUSH_TRY_ASSIGN(auto message, signal::SenderKeyMessage::deserialize(body));
  const signal::ProtocolAddress address{sender_address, device};
  // The chain id names the sender's key, and the key its group: the server
  // is never told which group a body belongs to (§8.5).
  HUSH_TRY_ASSIGN(auto candidates, sender_keys_.groups_of(address));
  std::optional<Bytes> group_id;
  for (auto& candidate : candidates) {
    HUSH_TRY_ASSIGN(auto record, sender_keys_.load_sender_key({str(candidate), address}));
    if (record && record->state_for(message.chain_id()) != nullptr) {
      group_id = std::move(candidate);
      break;
    }
  }
  if (!group_id) return make_error(Errc::no_session, "no sender key with this chain id");
  const signal::SenderKeyName key_name{str(*group_id), address};
  // Kept to undo the decryption if the message must wait (§8.7).
  HUSH_TRY_ASSIGN(auto key_before, sender_keys_.load_sender_key(key_name));
  signal::GroupCipher cipher(sender_keys_, key_name);
  HUSH_TRY_ASSIGN(auto plain, cipher.decrypt(body));
  HUSH_TRY_ASSIGN(auto content, content::decode(plain.expose()));
  auto* text = std::get_if<content::TextBody>(&content.body);
  if (text == nullptr || !content.group_id || *content.group_id != *group_id) {
    return make_error(Errc::invalid_message, "group message names another group");
  }
  HUSH_TRY_ASSIGN(auto group, groups_.get(*group_id));
  HUSH_TRY_ASSIGN(const store::Account* me, account());
  const store::Account self = me->clone();
  if (group && group->active && content.group_stamp.version > group->version + kMaxGroupVersionLead) {
    return make_error(Errc::invalid_message, "group version far ahead of ours");
  }
  if (group && group->active && content.group_stamp.version > group->version) {
    // The sender holds changes we lack: the message waits (not acked, the
    // server pushes it again) until they arrive; we ask the sender for them.
    if (key_before) HUSH_TRY(sender_keys_.store_sender_key(key_name, *key_before));
    HUSH_TRY(note_ahead(*group, self, sender, content.group_stamp.version, "a group message"));
    HUSH_TRY(groups_.put(*group));
    held_ = true;
    held_pending_ = true;
    if (options_.on_log) options_.on_log("event=group_message_held version=" + std::to_string(content.group_stamp.version));
    return std::optional<ReceivedMessage>();
  }
  if (!group || !group->active || !contains(group->members, sender)) {
    return make_error(Errc::forbidden, "group message from a non-member");
  }
  const std::size_t warnings_before = group->warnings.size();
  HUSH_TRY(answer_stamp(*group, self, sender, content.group_stamp, "a group message"));
  std::vector<std::string> warnings;
  for (std::size_t i = warnings_before; i < group->warnings.size(); ++i) warnings.push_back(group->warnings[i].text);
  if (!warnings.empty()) {
    HUSH_TRY(groups_.put(*group));
    group_notices_.clear();  // said on the message itself
  }
  const bool from_me = sender == me->username;
  store::HistoryEntry entry{content.id, from_me ? store::MessageDirection::outgoing : store::MessageDirection::incoming,
                            sender_address, *group_id, content.timestamp_ms, text->text.clone()};
  auto inserted = history_.insert(entry);
  if (!inserted) {
    if (inserted.code() == Errc::conflict) return std::optional<ReceivedMessage>();
    return inserted.error();
  }
  ReceivedMessage m;
  m.sender = sender;
  m.sender_device = device.value;
  m.conversation = group->name;
  m.sent_by_me = from_me;
  m.id = content.id;
  m.timestamp_ms = content.timestamp_ms;
  m.server_timestamp_ms = server_timestamp_ms;
  m.text = std::move(text->text);
  m.group_id = *group_id;
  m.group_name = group->name;
  m.warnings = std::move(warnings);
  return std::optional<ReceivedMessage>(std::move(m));
}

Result<ReceivedMessage> ClientImpl::open_group_body(std::string_view sender, std::uint32_t device, ByteView body) {
  std::optional<Result<std::optional<ReceivedMessage>>> got;
  const std::string name = normalize_username(sender);
  HUSH_TRY_ASSIGN(const std::string address, address_of(name));  // the directory's: no lookup
  // Always rolled back: the body is only looked at.
  (void)store_->transaction([&]() -> Status {
    got.emplace(receive_group_message(name, address, signal::DeviceId{device}, body, 0));
    return make_error(Errc::conflict, "look only");
  });
  group_notices_.clear();
  held_ = false;
  if (!got) return make_error(Errc::storage_failure, "transaction");
  if (!*got) return got->error();
  if (!**got) return make_error(Errc::duplicate_message, "already in the history");
  return std::move(***got);
}

}  // namespace hush::client
