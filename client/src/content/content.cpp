// Content to and from client_content.proto. Plaintext passes through the
// generated message's std::string fields; they are wiped before the message
// is destroyed (best effort: protobuf may copy while parsing).
#include <hush/client/content/content.hpp>
#include <hush/client/content/padding.hpp>

#include "client_content.pb.h"

#include <algorithm>
#include <cstring>

namespace hush::client::content {

namespace pb = hush::client_content;

namespace {

/// Wipes the text of a parsed or built message before it is destroyed.
struct TextWiper {
  pb::Content& message;
  ~TextWiper() {
    if (message.has_text()) {
      std::string* s = message.mutable_text()->mutable_text();
      secure_wipe(s->data(), s->size());
    }
  }
};

Result<Receipt> receipt_from(const pb::Receipt& r) {
  Receipt out;
  switch (r.kind()) {
    case pb::Receipt::DELIVERED: out.kind = Receipt::Kind::delivered; break;
    case pb::Receipt::READ: out.kind = Receipt::Kind::read; break;
    default: return make_error(Errc::invalid_message, "receipt kind");
  }
  if (r.message_ids_size() == 0 || static_cast<std::size_t>(r.message_ids_size()) > kMaxReceiptIds) {
    return make_error(Errc::invalid_message, "receipt id count");
  }
  out.message_ids.reserve(static_cast<std::size_t>(r.message_ids_size()));
  for (const std::string& id : r.message_ids()) {
    HUSH_TRY_ASSIGN(auto parsed, MessageId::from(as_bytes(id)));
    out.message_ids.push_back(parsed);
  }
  return out;
}

/// Wipes the distribution's chain key from a parsed or built message.
struct DistributionWiper {
  pb::Content& message;
  ~DistributionWiper() {
    if (message.has_control() && message.control().has_sender_key()) {
      std::string* s = message.mutable_control()->mutable_sender_key()->mutable_distribution();
      secure_wipe(s->data(), s->size());
    }
  }
};

bool valid_action(int a) { return a >= pb::GroupChange::CREATE && a <= pb::GroupChange::RENAME; }

/// Usernames: non-empty, at most kMaxGroupUsername bytes.
template <class List>
bool valid_names(const List& names, std::size_t max_count) {
  if (static_cast<std::size_t>(names.size()) > max_count) return false;
  return std::all_of(names.begin(), names.end(),
                     [](const std::string& n) { return !n.empty() && n.size() <= kMaxGroupUsername; });
}

/// Members and admins are sorted and distinct (one canonical form per state).
template <class List>
bool sorted_distinct(const List& names) {
  return std::adjacent_find(names.begin(), names.end(), [](const auto& a, const auto& b) { return !(a < b); }) ==
         names.end();
}

Status check_group_change(const GroupChange& c) {
  if (c.group_id.size() != kGroupIdSize) return make_error(Errc::bad_length, "group id length");
  if (c.version == 0 || c.author.empty() || c.author.size() > kMaxGroupUsername) {
    return make_error(Errc::invalid_message, "group change version or author");
  }
  if (!valid_names(c.subjects, kMaxGroupMembers) || !valid_names(c.members, kMaxGroupMembers) ||
      !valid_names(c.admins, kMaxGroupMembers) || !sorted_distinct(c.members) || !sorted_distinct(c.admins) ||
      !std::includes(c.members.begin(), c.members.end(), c.admins.begin(), c.admins.end())) {
    return make_error(Errc::invalid_message, "group change member lists");
  }
  if (c.name.size() > kMaxGroupNameSize || c.history.size() > kMaxGroupHistory) {
    return make_error(Errc::invalid_message, "group change name or history");
  }
  if (!c.signature.empty() && c.signature.size() != 64) return make_error(Errc::bad_length, "group change signature");
  for (const auto& h : c.history) {
    if (h.name.size() > kMaxGroupNameSize || !valid_names(h.subjects, kMaxGroupMembers) || h.author.empty() ||
        h.author.size() > kMaxGroupUsername) {
      return make_error(Errc::invalid_message, "group change history entry");
    }
  }
  return ok();
}

Result<GroupChange> group_change_from(const pb::GroupChange& m) {
  if (m.group_id().size() != kGroupIdSize) return make_error(Errc::bad_length, "group id length");
  GroupChange c;
  c.group_id = to_bytes(m.group_id());
  c.version = m.version();
  c.author = m.author();
  if (!valid_action(m.action())) return make_error(Errc::invalid_message, "group action");
  c.action = static_cast<GroupAction>(m.action());
  c.subjects.assign(m.subjects().begin(), m.subjects().end());
  c.members.assign(m.members().begin(), m.members().end());
  c.admins.assign(m.admins().begin(), m.admins().end());
  c.name = m.name();
  c.timestamp_ms = m.timestamp_ms();
  c.signature = to_bytes(m.signature());
  if (static_cast<std::size_t>(m.history_size()) > kMaxGroupHistory) {
    return make_error(Errc::invalid_message, "group change history length");
  }
  for (const auto& h : m.history()) {
    if (!valid_action(h.action())) return make_error(Errc::invalid_message, "group history action");
    c.history.push_back(GroupChangeSummary{h.version(), h.author(), static_cast<GroupAction>(h.action()),
                                           std::vector<std::string>(h.subjects().begin(), h.subjects().end()),
                                           h.name(), h.timestamp_ms()});
  }
  HUSH_TRY(check_group_change(c));
  return c;
}

void group_change_to(const GroupChange& c, pb::GroupChange& m) {
  m.set_group_id(c.group_id.data(), c.group_id.size());
  m.set_version(c.version);
  m.set_author(c.author);
  m.set_action(static_cast<pb::GroupChange::Action>(c.action));
  for (const auto& s : c.subjects) m.add_subjects(s);
  for (const auto& s : c.members) m.add_members(s);
  for (const auto& s : c.admins) m.add_admins(s);
  m.set_name(c.name);
  m.set_timestamp_ms(c.timestamp_ms);
  if (!c.signature.empty()) m.set_signature(c.signature.data(), c.signature.size());
  for (const auto& h : c.history) {
    auto* e = m.add_history();
    e->set_version(h.version);
    e->set_author(h.author);
    e->set_action(static_cast<pb::GroupChange::Action>(h.action));
    for (const auto& s : h.subjects) e->add_subjects(s);
    e->set_name(h.name);
    e->set_timestamp_ms(h.timestamp_ms);
  }
}

Status check_stamp(const GroupStamp& s) {
  if (s.version == 0 ? !s.members_hash.empty() : s.members_hash.size() != kMembersHashSize) {
    return make_error(Errc::bad_length, "group members hash");
  }
  return ok();
}

Result<GroupStamp> stamp_from(std::uint32_t version, const std::string& hash) {
  GroupStamp s{version, to_bytes(hash)};
  HUSH_TRY(check_stamp(s));
  return s;
}

}  // namespace

namespace {

Status build(const Content& content, pb::Content& message) {
  message.set_version(kContentVersion);
  if (content.sender_username.size() > kMaxContentUsername || content.sent_to.size() > kMaxContentUsername) {
    return make_error(Errc::invalid_argument, "content username too long");
  }
  message.set_sender_username(content.sender_username);
  message.set_sent_to(content.sent_to);
  message.set_message_id(content.id.bytes.data(), content.id.bytes.size());
  message.set_timestamp_ms(content.timestamp_ms);
  if (content.group_id) {
    if (content.group_id->size() != kGroupIdSize || !std::holds_alternative<TextBody>(content.body)) {
      return make_error(Errc::invalid_argument, "group id");
    }
    message.set_group_id(content.group_id->data(), content.group_id->size());
    if (!check_stamp(content.group_stamp)) return make_error(Errc::invalid_argument, "group stamp");
    message.set_group_version(content.group_stamp.version);
    const auto& h = content.group_stamp.members_hash;
    if (!h.empty()) message.set_group_members_hash(h.data(), h.size());
  } else if (content.group_stamp.version != 0) {
    return make_error(Errc::invalid_argument, "group stamp without a group");
  }
  if (const auto* text = std::get_if<TextBody>(&content.body)) {
    if (text->text.size() > kMaxTextSize) return make_error(Errc::invalid_argument, "text too long");
    auto view = text->text.expose();
    message.mutable_text()->mutable_text()->assign(reinterpret_cast<const char*>(view.data()), view.size());
  } else if (const auto* change = std::get_if<GroupChange>(&content.body)) {
    if (!check_group_change(*change)) return make_error(Errc::invalid_argument, "group change");
    group_change_to(*change, *message.mutable_control()->mutable_group_change());
  } else if (const auto* skd = std::get_if<SenderKeyDistribution>(&content.body)) {
    if (skd->group_id.size() != kGroupIdSize || skd->distribution.size() == 0) {
      return make_error(Errc::invalid_argument, "sender key distribution");
    }
    auto* m = message.mutable_control()->mutable_sender_key();
    m->set_group_id(skd->group_id.data(), skd->group_id.size());
    auto d = skd->distribution.expose();
    m->mutable_distribution()->assign(reinterpret_cast<const char*>(d.data()), d.size());
    if (!check_stamp(skd->stamp)) return make_error(Errc::invalid_argument, "group stamp");
    m->set_group_version(skd->stamp.version);
    if (!skd->stamp.members_hash.empty()) m->set_group_members_hash(skd->stamp.members_hash.data(), skd->stamp.members_hash.size());
  } else if (const auto* notice = std::get_if<GroupStateNotice>(&content.body)) {
    if (notice->group_id.size() != kGroupIdSize || notice->stamp.version == 0 || !check_stamp(notice->stamp) ||
        notice->changes.size() > kMaxNoticeChanges) {
      return make_error(Errc::invalid_argument, "group state notice");
    }
    auto* m = message.mutable_control()->mutable_group_state();
    m->set_group_id(notice->group_id.data(), notice->group_id.size());
    m->set_version(notice->stamp.version);
    m->set_members_hash(notice->stamp.members_hash.data(), notice->stamp.members_hash.size());
    m->set_request(notice->request);
    for (const auto& c : notice->changes) {
      if (c.group_id != notice->group_id || !check_group_change(c)) return make_error(Errc::invalid_argument, "group change");
      group_change_to(c, *m->add_changes());
    }
  } else if (const auto* de = std::get_if<DecryptionError>(&content.body)) {
    if (de->message_id.empty() || de->message_id.size() > kMaxDecryptionErrorIdSize ||
        (!de->ratchet_key.empty() && de->ratchet_key.size() != 33)) {
      return make_error(Errc::invalid_argument, "decryption error");
    }
    auto* m = message.mutable_control()->mutable_decryption_error();
    m->set_message_id(de->message_id.data(), de->message_id.size());
    if (!de->ratchet_key.empty()) m->set_ratchet_key(de->ratchet_key.data(), de->ratchet_key.size());
    m->set_server_timestamp_ms(de->server_timestamp_ms);
  } else {
    const auto& receipt = std::get<Receipt>(content.body);
    if (receipt.message_ids.empty() || receipt.message_ids.size() > kMaxReceiptIds) {
      return make_error(Errc::invalid_argument, "receipt id count");
    }
    auto* r = message.mutable_receipt();
    r->set_kind(receipt.kind == Receipt::Kind::read ? pb::Receipt::READ : pb::Receipt::DELIVERED);
    for (const auto& id : receipt.message_ids) r->add_message_ids(id.bytes.data(), id.bytes.size());
  }
  return ok();
}

}  // namespace

Result<SecretBuffer> encode(const Content& content) {
  pb::Content message;
  TextWiper wiper{message};
  DistributionWiper dwiper{message};
  HUSH_TRY(build(content, message));
  // Serialize straight into the padded buffer: no unwiped intermediate copy.
  std::size_t size = message.ByteSizeLong();
  if (size >= kMaxPaddedSize || padded_size(size) > kMaxPaddedSize) {
    return make_error(Errc::invalid_argument, "content too long to pad");
  }
  SecretBuffer out(padded_size(size));  // zero-filled
  auto o = out.expose_mut();
  if (!message.SerializeToArray(o.data(), static_cast<int>(size))) {
    return make_error(Errc::invalid_argument, "content serialization");
  }
  o[size] = kPaddingMarker;
  return out;
}

Result<Content> decode(ByteView padded) {
  HUSH_TRY_ASSIGN(auto bytes, unpad(padded));
  return parse(bytes.expose());
}

namespace {

Result<Content> parse_as(ByteView view, std::uint32_t version) {
  pb::Content message;
  TextWiper wiper{message};
  DistributionWiper dwiper{message};
  if (!message.ParseFromArray(view.data(), static_cast<int>(view.size()))) {
    return make_error(Errc::decode_error, "content protobuf");
  }
  if (message.version() != version) return make_error(Errc::unsupported_version, "content version");
  if (message.sender_username().size() > kMaxContentUsername || message.sent_to().size() > kMaxContentUsername) {
    return make_error(Errc::invalid_message, "content username too long");
  }
  HUSH_TRY_ASSIGN(auto id, MessageId::from(as_bytes(message.message_id())));
  Content out{id, message.timestamp_ms(), TextBody{}};
  switch (message.body_case()) {
    case pb::Content::kText: {
      const std::string& text = message.text().text();
      if (text.size() > kMaxTextSize) return make_error(Errc::invalid_message, "text too long");
      out.body = TextBody{SecretBuffer(as_bytes(text))};
      break;
    }
    case pb::Content::kReceipt: {
      HUSH_TRY_ASSIGN(auto receipt, receipt_from(message.receipt()));
      out.body = std::move(receipt);
      break;
    }
    case pb::Content::kControl: {
      const auto& control = message.control();
      if (control.has_group_change()) {
        HUSH_TRY_ASSIGN(auto change, group_change_from(control.group_change()));
        out.body = std::move(change);
      } else if (control.has_sender_key()) {
        const auto& skd = control.sender_key();
        if (skd.group_id().size() != kGroupIdSize) return make_error(Errc::bad_length, "group id length");
        if (skd.distribution().empty()) return make_error(Errc::invalid_message, "empty sender key distribution");
        HUSH_TRY_ASSIGN(auto stamp, stamp_from(skd.group_version(), skd.group_members_hash()));
        out.body = SenderKeyDistribution{to_bytes(skd.group_id()), SecretBuffer(as_bytes(skd.distribution())),
                                         std::move(stamp)};
      } else if (control.has_decryption_error()) {
        const auto& de = control.decryption_error();
        if (de.message_id().empty() || de.message_id().size() > kMaxDecryptionErrorIdSize) {
          return make_error(Errc::bad_length, "decryption error message id");
        }
        if (!de.ratchet_key().empty() && de.ratchet_key().size() != 33) {
          return make_error(Errc::bad_length, "decryption error ratchet key");
        }
        out.body = DecryptionError{to_bytes(de.message_id()), to_bytes(de.ratchet_key()), de.server_timestamp_ms()};
      } else if (control.has_group_state()) {
        const auto& n = control.group_state();
        if (n.group_id().size() != kGroupIdSize) return make_error(Errc::bad_length, "group id length");
        if (n.version() == 0) return make_error(Errc::invalid_message, "group state notice version");
        if (static_cast<std::size_t>(n.changes_size()) > kMaxNoticeChanges) {
          return make_error(Errc::invalid_message, "group state notice changes");
        }
        GroupStateNotice notice;
        notice.group_id = to_bytes(n.group_id());
        HUSH_TRY_ASSIGN(notice.stamp, stamp_from(n.version(), n.members_hash()));
        notice.request = n.request();
        for (const auto& pc : n.changes()) {
          HUSH_TRY_ASSIGN(auto change, group_change_from(pc));
          if (change.group_id != notice.group_id) return make_error(Errc::invalid_message, "notice names two groups");
          notice.changes.push_back(std::move(change));
        }
        out.body = std::move(notice);
      } else {
        return make_error(Errc::unsupported_version, "control message not supported");
      }
      break;
    }
    case pb::Content::BODY_NOT_SET:
      return make_error(Errc::invalid_message, "content without a body");
  }
  if (!message.group_id().empty()) {
    if (message.group_id().size() != kGroupIdSize) return make_error(Errc::bad_length, "group id length");
    if (message.body_case() != pb::Content::kText) return make_error(Errc::invalid_message, "group id on a non-text");
    out.group_id = to_bytes(message.group_id());
    HUSH_TRY_ASSIGN(out.group_stamp, stamp_from(message.group_version(), message.group_members_hash()));
  } else if (message.group_version() != 0 || !message.group_members_hash().empty()) {
    return make_error(Errc::invalid_message, "group stamp without a group");
  }
  out.sender_username = message.sender_username();
  out.sent_to = message.sent_to();
  return out;
}

}  // namespace

Result<Content> parse(ByteView view) { return parse_as(view, kContentVersion); }

Result<Content> parse_version1(ByteView view) { return parse_as(view, 1); }

Result<Bytes> serialize_group_change(const GroupChange& change) {
  if (!check_group_change(change)) return make_error(Errc::invalid_argument, "group change");
  pb::GroupChange m;
  group_change_to(change, m);
  std::string out;
  if (!m.SerializeToString(&out)) return make_error(Errc::invalid_argument, "group change serialization");
  return to_bytes(out);
}

Result<GroupChange> parse_group_change(ByteView bytes) {
  pb::GroupChange m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return make_error(Errc::decode_error, "group change protobuf");
  return group_change_from(m);
}

}  // namespace hush::client::content
