// FakeHushd (see fake_hushd.hpp): hushd's answers, in memory. Where it
// decides something (which devices are stale, what a fetch hands out, when
// a send is a duplicate) it follows server/src/storage/mailbox_writer.hpp
// and docs/server/api.md, so the SDK meets the rules it meets in production.
#include "fake_hushd.hpp"

#include "net/connection.hpp"  // request_kind: the names hushd logs

#include <hush/util/bytes.hpp>

#include <algorithm>
#include <cctype>

namespace hush::client::testing {

namespace {

/// hushd's stable error names with their status (docs/server/api.md).
void refuse(pb::Response& out, std::uint32_t status, const char* name) {
  out.set_status(status);
  out.set_message(name);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Bytes from a counter: account ids, credentials and codes of the fake
/// need to be distinct, not secret.
std::string counter_bytes(std::uint64_t n, std::size_t size, char tag) {
  std::string out(size, tag);
  for (std::size_t i = 0; i < 8 && i < size; ++i) out[size - 1 - i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out;
}

/// Standard base64 (the Authorization header); nullopt when malformed.
std::optional<std::string> base64_decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    std::uint32_t v = 0;
    int pad = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = in[i + j];
      if (c == '=' && i + 4 == in.size() && j >= 2) {
        ++pad;
        v <<= 6;
        continue;
      }
      const int x = value(c);
      if (x < 0 || pad > 0) return std::nullopt;
      v = (v << 6) | static_cast<std::uint32_t>(x);
    }
    out += static_cast<char>((v >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return out;
}

net::HttpAnswer http_error(unsigned status, const char* name) {
  pb::HttpError e;
  e.set_status(status);
  e.set_message(name);
  return {status, e.SerializeAsString()};
}

}  // namespace

// ---------------------------------------------------------------- factory

std::unique_ptr<net::Transport> FakeHushd::open(const net::ServerUrl&, const std::filesystem::path&,
                                                std::string authorization) {
  return std::make_unique<FakeTransport>(shared_from_this(), std::move(authorization));
}

Result<net::HttpAnswer> FakeHushd::post(const net::ServerUrl&, const std::filesystem::path&, const std::string& target,
                                        const std::string& body, std::chrono::milliseconds) {
  const std::string kind = target == "/v1/register/challenge" ? "register_challenge" : "register";
  log(kind, {});
  if (failing(kind)) return make_error(Errc::network_failure, "fake: failed on purpose");
  if (target == "/v1/register/challenge") {
    pb::RegisterChallenge c;
    c.set_challenge(counter_bytes(next_challenge_++, 32, 'c'));
    c.set_expires_at_ms(static_cast<std::uint64_t>(clock_ms_ + 300'000));
    return net::HttpAnswer{200, c.SerializeAsString()};
  }
  if (target != "/v1/register") return net::HttpAnswer{404, {}};
  pb::RegisterRequest r;
  if (!r.ParseFromString(body)) return http_error(400, "decode_error");
  return register_device(r);
}

net::HttpAnswer FakeHushd::register_device(const pb::RegisterRequest& r) {
  // The proof of possession is not checked (the fake trusts its tests), but
  // must be there, as the SDK always sends one.
  if (r.challenge().empty() || r.proof().size() != 64) return http_error(400, "invalid_argument");
  if (!r.link_token().empty()) return http_error(400, "invalid_argument");  // linking: not in the fake
  if (r.identity_key().size() != 33) return http_error(400, "bad_length");
  if (r.registration_id() == 0 || r.registration_id() > 16380) return http_error(400, "invalid_argument");
  const std::string name = lower(r.username());
  if (name.empty()) return http_error(400, "invalid_argument");
  Account* a = nullptr;
  if (!r.recovery_code().empty()) {
    // Recovery: every device replaced by this one, whose identity key
    // becomes the account's (docs/server/api.md, "Recovery").
    a = find(account_of(name));
    if (a == nullptr || a->recovery_code != r.recovery_code()) return http_error(401, "unauthorized");
    for (auto* t : std::vector<FakeTransport*>(live_.begin(), live_.end())) {
      if (t->account_ == a->id) t->close();  // the old devices' sessions end with them
    }
    a->devices.clear();
  } else {
    if (!account_of(name).empty()) return http_error(409, "conflict");
    const std::string id = counter_bytes(next_account_++, 16, 'a');
    a = &accounts_[id];
    a->id = id;
    a->username = name;
  }
  a->identity_key = r.identity_key();
  a->recovery_code = counter_bytes(next_challenge_++, 16, 'r');
  const std::uint32_t device_id = a->next_device++;
  Device& d = a->devices[device_id];
  d.registration_id = r.registration_id();
  d.credential = counter_bytes(next_challenge_++, 32, 'k');
  d.created_ms = tick();
  d.signed_pre_key = r.signed_pre_key();
  for (const auto& k : r.one_time_pre_keys()) d.one_time[k.id()] = k;
  for (const auto& k : r.kyber_pre_keys()) d.kyber[k.id()] = k;
  if (r.has_last_resort_kyber_pre_key()) d.last_resort = r.last_resort_kyber_pre_key();
  pb::RegisterResponse res;
  res.set_account_id(a->id);
  res.set_device_id(device_id);
  res.set_credential(d.credential);
  res.set_recovery_code(a->recovery_code);
  return {200, res.SerializeAsString()};
}

// ---------------------------------------------------------------- requests

pb::Response FakeHushd::handle(const std::string& account, std::uint32_t device, const pb::ClientFrame& f) {
  pb::Response out;
  out.set_id(f.id());
  out.set_status(200);
  Account* a = find(account);
  Device* d = find(account, device);
  if (a == nullptr || d == nullptr) {  // removed while the session was open
    refuse(out, 401, "unauthorized");
    return out;
  }
  using F = pb::ClientFrame;
  switch (f.request_case()) {
    case F::kLookupUsername: {
      const std::string id = account_of(lower(f.lookup_username().username()));
      if (id.empty()) {
        refuse(out, 404, "not_found");
      } else {
        out.mutable_lookup_username()->set_account_id(id);
      }
      break;
    }
    case F::kFetchBundles: fetch_bundles(account, f.fetch_bundles(), out); break;
    case F::kSendMessage: send_message(account, device, f.send_message(), out); break;
    case F::kSendMulti: send_multi(account, device, f.send_multi(), out); break;
    case F::kAck: ack(*d, f.ack(), out); break;
    case F::kDrain: break;  // every stored envelope was pushed when it came: nothing to wait for
    case F::kPreKeyCount: {
      auto* c = out.mutable_pre_key_count();
      c->set_count(static_cast<std::uint32_t>(d->one_time.size()));
      for (const auto& [id, k] : d->one_time) c->add_held_ids(id);
      c->set_kyber_count(static_cast<std::uint32_t>(d->kyber.size()));
      for (const auto& [id, k] : d->kyber) c->add_kyber_held_ids(id);
      break;
    }
    case F::kUploadKeys: upload_keys(*a, *d, f.upload_keys(), out); break;
    case F::kListDevices:
      for (const auto& [id, dev] : a->devices) {
        auto* info = out.mutable_devices()->add_devices();
        info->set_device_id(id);
        info->set_registration_id(dev.registration_id);
        info->set_created_at_ms(dev.created_ms);
      }
      break;
    case F::kRemoveDevice: {
      const std::uint32_t gone = f.remove_device().device_id();
      if (a->devices.count(gone) == 0) {
        refuse(out, 404, "not_found");
      } else if (a->devices.size() == 1) {
        refuse(out, 400, "invalid_argument");
      } else {
        a->devices.erase(gone);
      }
      break;
    }
    default: refuse(out, 400, "unknown_request");  // linking and provisioning: not in the fake
  }
  return out;
}

void FakeHushd::upload_keys(Account& a, Device& d, const pb::UploadKeysRequest& r, pb::Response& out) {
  if (!r.identity_key().empty() && r.identity_key() != a.identity_key) return refuse(out, 409, "conflict");
  if (!r.has_signed_pre_key() && r.one_time_pre_keys_size() == 0 && !r.has_last_resort_kyber_pre_key() &&
      r.kyber_pre_keys_size() == 0) {
    return refuse(out, 400, "invalid_argument");
  }
  if (r.has_signed_pre_key()) d.signed_pre_key = r.signed_pre_key();
  for (const auto& k : r.one_time_pre_keys()) d.one_time[k.id()] = k;
  if (r.has_last_resort_kyber_pre_key()) d.last_resort = r.last_resort_kyber_pre_key();
  for (const auto& k : r.kyber_pre_keys()) d.kyber[k.id()] = k;
}

pb::FetchBundlesResponse FakeHushd::bundles_of(Account& a, const std::vector<std::uint32_t>& ids) {
  pb::FetchBundlesResponse b;
  b.set_account_id(a.id);
  b.set_identity_key(a.identity_key);
  for (auto id : ids) {
    auto it = a.devices.find(id);
    if (it == a.devices.end()) continue;
    Device& d = it->second;
    auto* out = b.add_bundles();
    out->set_device_id(id);
    out->set_registration_id(d.registration_id);
    *out->mutable_signed_pre_key() = d.signed_pre_key;
    // Each one-time key is handed out once; the Kyber one falls back to the
    // last-resort key (never handed out as one-time).
    if (!d.one_time.empty()) {
      *out->mutable_one_time_pre_key() = d.one_time.begin()->second;
      d.one_time.erase(d.one_time.begin());
    }
    if (!d.kyber.empty()) {
      *out->mutable_kyber_pre_key() = d.kyber.begin()->second;
      d.kyber.erase(d.kyber.begin());
    } else if (d.last_resort) {
      *out->mutable_kyber_pre_key() = *d.last_resort;
    }
    if (low_water_ > 0 && d.one_time.size() < low_water_) {
      for (auto* t : live_) {
        if (t->account_ == a.id && t->device_ == id) t->pre_keys_low_ = true;
      }
    }
  }
  return b;
}

void FakeHushd::fetch_bundles(const std::string&, const pb::FetchBundlesRequest& r, pb::Response& out) {
  std::string id;
  if (r.has_username()) {
    id = account_of(lower(r.username()));
  } else if (r.has_account_id()) {
    id = r.account_id();
  } else {
    return refuse(out, 400, "invalid_argument");
  }
  Account* a = find(id);
  if (a == nullptr) return refuse(out, 404, "not_found");
  std::vector<std::uint32_t> ids;
  if (r.has_device_id()) {
    if (a->devices.count(r.device_id()) == 0) return refuse(out, 404, "not_found");
    ids.push_back(r.device_id());
  } else {
    for (const auto& [device, d] : a->devices) ids.push_back(device);
  }
  *out.mutable_bundles() = bundles_of(*a, ids);
}

pb::StaleDevices FakeHushd::compare(const Account& a, const std::map<std::uint32_t, std::uint32_t>& named,
                                    const std::string& sender, std::uint32_t sender_device) const {
  pb::StaleDevices s;
  for (const auto& [id, d] : a.devices) {
    if (a.id == sender && id == sender_device) continue;
    auto it = named.find(id);
    if (it == named.end()) {
      s.add_missing(id);
    } else if (it->second != d.registration_id) {
      s.add_stale(id);
    }
  }
  for (const auto& [id, registration] : named) {
    const bool exists = a.devices.count(id) != 0 && !(a.id == sender && id == sender_device);
    if (!exists) s.add_extra(id);
  }
  return s;
}

void FakeHushd::send_message(const std::string& account, std::uint32_t device, const pb::SendMessageRequest& r,
                             pb::Response& out) {
  // Checks in hushd's order (message_service.cpp, then mailbox_writer.hpp).
  if (r.messages_size() == 0) return refuse(out, 400, "invalid_argument");
  if (r.message_id().size() != 16) return refuse(out, 400, "bad_length");
  const bool with_sync = !r.sync_message_id().empty();
  if (!with_sync && r.sync_messages_size() > 0) return refuse(out, 400, "invalid_argument");
  if (with_sync && r.destination() == account) return refuse(out, 400, "invalid_argument");
  std::map<std::uint32_t, std::uint32_t> to_them;
  std::map<std::uint32_t, std::uint32_t> to_us;
  for (const auto& m : r.messages()) {
    if (m.type() == 0) return refuse(out, 400, "invalid_argument");
    if (m.ciphertext().empty()) return refuse(out, 400, "bad_length");
    if (!to_them.emplace(m.device_id(), m.registration_id()).second) return refuse(out, 400, "invalid_argument");
  }
  for (const auto& m : r.sync_messages()) {
    if (m.type() == 0) return refuse(out, 400, "invalid_argument");
    if (m.ciphertext().empty()) return refuse(out, 400, "bad_length");
    if (!to_us.emplace(m.device_id(), m.registration_id()).second) return refuse(out, 400, "invalid_argument");
  }
  const SentKey key{account, device, r.message_id()};
  if (auto it = sent_.find(key); it != sent_.end()) {
    out.mutable_send_message()->set_duplicate(true);
    out.mutable_send_message()->set_server_timestamp_ms(it->second);
    return;
  }
  Account* them = find(r.destination());
  if (!r.destination_username().empty() && (them == nullptr || them->username != r.destination_username())) {
    return refuse(out, 404, "not_found");  // the client's cached binding is out of date
  }
  if (them == nullptr) return refuse(out, 404, "not_found");
  Account* us = find(account);
  // Every account that differs, ascending by id (the recipient and, with a
  // sync copy, our own).
  std::map<std::string, pb::StaleDevices> stale;
  auto check = [&](const Account& a, const std::map<std::uint32_t, std::uint32_t>& named) {
    auto s = compare(a, named, account, device);
    if (s.missing_size() + s.extra_size() + s.stale_size() > 0) stale[a.id] = std::move(s);
  };
  check(*them, to_them);
  if (with_sync) check(*us, to_us);
  if (!stale.empty()) {
    refuse(out, 410, "stale_devices");
    if (!with_sync && !r.bundles_on_stale()) {
      *out.mutable_stale_devices() = stale.begin()->second;
      return;
    }
    for (auto& [id, s] : stale) {
      auto* entry = out.mutable_multi_stale_devices()->add_accounts();
      entry->set_account(id);
      *entry->mutable_devices() = s;
      if (r.bundles_on_stale()) {
        std::vector<std::uint32_t> wanted(s.missing().begin(), s.missing().end());
        wanted.insert(wanted.end(), s.stale().begin(), s.stale().end());
        if (!wanted.empty()) *entry->mutable_bundles() = bundles_of(*find(id), wanted);
      }
    }
    return;
  }
  const std::int64_t now = tick();
  auto store = [&](const std::string& to, const pb::OutgoingMessage& m, const std::string& id) {
    pb::Envelope e;
    e.set_sender_account(account);
    e.set_sender_device(device);
    e.set_server_timestamp_ms(now);
    e.set_type(m.type());
    e.set_content(m.ciphertext());
    e.set_message_id(id);
    deliver(to, m.device_id(), std::move(e));
  };
  for (const auto& m : r.messages()) store(r.destination(), m, r.message_id());
  for (const auto& m : r.sync_messages()) store(account, m, r.sync_message_id());
  sent_.emplace(key, now);
  if (with_sync) sent_.emplace(SentKey{account, device, r.sync_message_id()}, now);
  out.mutable_send_message()->set_server_timestamp_ms(now);
}

void FakeHushd::send_multi(const std::string& account, std::uint32_t device, const pb::SendMultiRequest& r,
                           pb::Response& out) {
  if (r.message_id().size() != 16) return refuse(out, 400, "bad_length");
  if (r.recipients_size() == 0 || r.type() == 0) return refuse(out, 400, "invalid_argument");
  if (r.body().empty()) return refuse(out, 400, "bad_length");
  const SentKey key{account, device, r.message_id()};
  if (auto it = sent_.find(key); it != sent_.end()) {
    out.mutable_send_message()->set_duplicate(true);
    out.mutable_send_message()->set_server_timestamp_ms(it->second);
    return;
  }
  std::map<std::string, pb::StaleDevices> stale;
  std::set<std::string> named_accounts;
  for (const auto& to : r.recipients()) {
    if (!named_accounts.insert(to.account()).second) return refuse(out, 400, "invalid_argument");
    const Account* a = find(to.account());
    if (a == nullptr) return refuse(out, 404, "not_found");
    std::map<std::uint32_t, std::uint32_t> named;
    for (const auto& d : to.devices()) {
      if (!named.emplace(d.device_id(), d.registration_id()).second) return refuse(out, 400, "invalid_argument");
    }
    auto s = compare(*a, named, account, device);
    if (s.missing_size() + s.extra_size() + s.stale_size() > 0) stale[a->id] = std::move(s);
  }
  if (!stale.empty()) {
    refuse(out, 409, "stale_devices");
    for (auto& [id, s] : stale) {
      auto* entry = out.mutable_multi_stale_devices()->add_accounts();
      entry->set_account(id);
      *entry->mutable_devices() = s;
    }
    return;
  }
  const std::int64_t now = tick();
  for (const auto& to : r.recipients()) {
    for (const auto& d : to.devices()) {
      pb::Envelope e;
      e.set_sender_account(account);
      e.set_sender_device(device);
      e.set_server_timestamp_ms(now);
      e.set_type(r.type());
      e.set_content(r.body());
      e.set_message_id(r.message_id());
      deliver(to.account(), d.device_id(), std::move(e));
    }
  }
  sent_.emplace(key, now);
  out.mutable_send_message()->set_server_timestamp_ms(now);
}

void FakeHushd::ack(Device& d, const pb::AckRequest& r, pb::Response& out) {
  if (r.seqs_size() > 1000) return refuse(out, 400, "invalid_argument");
  auto remove = [&](std::uint64_t seq) {
    if (d.mailbox.erase(seq) == 0) return false;
    d.acked.insert(seq);
    return true;
  };
  if (r.seqs_size() == 0) {  // an older client: one envelope, which must be there
    if (!remove(r.seq())) refuse(out, 404, "not_found");
    return;
  }
  remove(r.seq());
  for (auto seq : r.seqs()) remove(seq);  // in a batch a row already gone is not an error
}

// ---------------------------------------------------------------- controls

std::string FakeHushd::account_of(const std::string& username) const {
  if (username.empty()) return {};
  for (const auto& [id, a] : accounts_) {
    if (a.username == username) return id;
  }
  return {};
}

void FakeHushd::set_username(const std::string& account, const std::string& username) {
  const std::string name = lower(username);
  for (auto& [id, a] : accounts_) {
    if (!name.empty() && a.username == name) a.username.clear();
  }
  if (Account* a = find(account)) a->username = name;
}

std::uint64_t FakeHushd::deliver(const std::string& account, std::uint32_t device, pb::Envelope e) {
  Device* d = find(account, device);
  if (d == nullptr) return 0;
  e.set_seq(next_seq_++);
  if (e.server_timestamp_ms() == 0) e.set_server_timestamp_ms(tick());
  d->mailbox[e.seq()] = e;
  if (!d->withheld) push(account, device, e);
  return e.seq();
}

bool FakeHushd::push_again(const std::string& account, std::uint32_t device, std::uint64_t seq) {
  const Device* d = find(account, device);
  if (d == nullptr) return false;
  auto it = d->mailbox.find(seq);
  if (it == d->mailbox.end()) return false;
  push(account, device, it->second);
  return true;
}

void FakeHushd::withhold(const std::string& account, std::uint32_t device, bool withheld) {
  Device* d = find(account, device);
  if (d == nullptr || d->withheld == withheld) return;
  d->withheld = withheld;
  if (!withheld) {
    for (const auto& [seq, e] : d->mailbox) push(account, device, e);
  }
}

bool FakeHushd::drop(const std::string& account, std::uint32_t device, std::uint64_t seq) {
  Device* d = find(account, device);
  return d != nullptr && d->mailbox.erase(seq) > 0;
}

std::vector<pb::Envelope> FakeHushd::mailbox(const std::string& account, std::uint32_t device) const {
  std::vector<pb::Envelope> out;
  if (const Device* d = find(account, device)) {
    for (const auto& [seq, e] : d->mailbox) out.push_back(e);
  }
  return out;
}

bool FakeHushd::acked(const std::string& account, std::uint32_t device, std::uint64_t seq) const {
  const Device* d = find(account, device);
  return d != nullptr && d->acked.count(seq) > 0;
}

void FakeHushd::set_registration_id(const std::string& account, std::uint32_t device, std::uint32_t registration_id) {
  if (Device* d = find(account, device)) d->registration_id = registration_id;
}

std::pair<std::size_t, std::size_t> FakeHushd::pre_keys(const std::string& account, std::uint32_t device) const {
  const Device* d = find(account, device);
  return d == nullptr ? std::pair<std::size_t, std::size_t>{} : std::pair{d->one_time.size(), d->kyber.size()};
}

std::vector<std::uint32_t> FakeHushd::devices(const std::string& account) const {
  std::vector<std::uint32_t> out;
  if (const Account* a = find(account)) {
    for (const auto& [id, d] : a->devices) out.push_back(id);
  }
  return out;
}

void FakeHushd::fail_next(std::size_t n, std::string kind) {
  fail_count_ = n;
  fail_kind_ = std::move(kind);
}

bool FakeHushd::failing(const std::string& kind) {
  if (fail_count_ == 0 || (!fail_kind_.empty() && fail_kind_ != kind)) return false;
  --fail_count_;
  return true;
}

std::size_t FakeHushd::requests(const std::string& kind, const std::string& account) const {
  return static_cast<std::size_t>(std::count_if(log_.begin(), log_.end(), [&](const Logged& l) {
    return l.kind == kind && (account.empty() || l.account == account);
  }));
}

std::vector<std::string> FakeHushd::request_log() const {
  std::vector<std::string> out;
  for (const auto& l : log_) out.push_back(l.kind);
  return out;
}

void FakeHushd::reset_requests() { log_.clear(); }

void FakeHushd::log(const std::string& kind, const std::string& account) { log_.push_back({kind, account}); }

FakeHushd::Account* FakeHushd::find(const std::string& account) {
  auto it = accounts_.find(account);
  return it == accounts_.end() ? nullptr : &it->second;
}

const FakeHushd::Account* FakeHushd::find(const std::string& account) const {
  auto it = accounts_.find(account);
  return it == accounts_.end() ? nullptr : &it->second;
}

FakeHushd::Device* FakeHushd::find(const std::string& account, std::uint32_t device) {
  Account* a = find(account);
  if (a == nullptr) return nullptr;
  auto it = a->devices.find(device);
  return it == a->devices.end() ? nullptr : &it->second;
}

const FakeHushd::Device* FakeHushd::find(const std::string& account, std::uint32_t device) const {
  const Account* a = find(account);
  if (a == nullptr) return nullptr;
  auto it = a->devices.find(device);
  return it == a->devices.end() ? nullptr : &it->second;
}

void FakeHushd::push(const std::string& account, std::uint32_t device, const pb::Envelope& e) {
  for (auto* t : live_) {
    if (t->account_ == account && t->device_ == device) t->pushed_.push_back(e);
  }
}

// ---------------------------------------------------------------- session

FakeTransport::FakeTransport(std::shared_ptr<FakeHushd> server, std::string authorization)
    : server_(std::move(server)), authorization_(std::move(authorization)) {}

FakeTransport::~FakeTransport() { server_->live_.erase(this); }

Status FakeTransport::connect(std::chrono::milliseconds) {
  if (open_ || !account_.empty()) return make_error(Errc::invalid_argument, "fake: connect twice");
  server_->log("connect", {});
  if (server_->failing("connect")) return make_error(Errc::network_failure, "fake: failed on purpose");
  // "Basic base64(<account hex>.<device>:<base64(credential)>)", as ClientImpl builds it.
  constexpr std::string_view kBasic = "Basic ";
  if (authorization_.rfind(kBasic, 0) != 0) return make_error(Errc::unauthorized, "fake: no Basic");
  auto inner = base64_decode(authorization_.substr(kBasic.size()));
  if (!inner) return make_error(Errc::unauthorized, "fake: header");
  const auto dot = inner->find('.');
  const auto colon = inner->find(':');
  if (dot == std::string::npos || colon == std::string::npos || colon < dot) {
    return make_error(Errc::unauthorized, "fake: header");
  }
  auto account = from_hex(inner->substr(0, dot));
  auto credential = base64_decode(inner->substr(colon + 1));
  std::uint32_t device = 0;
  try {
    device = static_cast<std::uint32_t>(std::stoul(inner->substr(dot + 1, colon - dot - 1)));
  } catch (...) {
    return make_error(Errc::unauthorized, "fake: device");
  }
  if (!account || !credential) return make_error(Errc::unauthorized, "fake: header");
  const std::string id(reinterpret_cast<const char*>(account->data()), account->size());
  const FakeHushd::Device* d = server_->find(id, device);
  if (d == nullptr || d->credential != *credential) return make_error(Errc::unauthorized, "fake: credential");
  account_ = id;
  device_ = device;
  open_ = true;
  connect_started_ = std::chrono::steady_clock::now();
  server_->live_.insert(this);
  // The mailbox as it is now, then QueueEmpty: the first drain is over.
  if (!d->withheld) {
    for (const auto& [seq, e] : d->mailbox) pushed_.push_back(e);
  }
  drained_ = true;
  return ok();
}

Result<pb::Response> FakeTransport::call(pb::ClientFrame frame, std::chrono::milliseconds) {
  if (!open_) return make_error(Errc::network_failure, "fake: closed");
  const std::string kind(net::request_kind(frame));
  server_->log(kind, account_);
  if (server_->failing(kind)) {
    close();  // as a connection lost with the request in flight
    return make_error(Errc::network_failure, "fake: failed on purpose");
  }
  return server_->handle(account_, device_, frame);
}

Result<std::optional<pb::Envelope>> FakeTransport::next_envelope(std::chrono::milliseconds, Wait) {
  // Nothing can arrive while we wait (no thread delivers): either a pushed
  // envelope is queued or none comes within any timeout.
  if (!pushed_.empty()) {
    pb::Envelope e = std::move(pushed_.front());
    pushed_.pop_front();
    return std::optional<pb::Envelope>{std::move(e)};
  }
  if (!open_) return make_error(Errc::network_failure, "fake: closed");
  return std::optional<pb::Envelope>{};
}

void FakeTransport::close() {
  open_ = false;
  pushed_.clear();
  server_->live_.erase(this);
}

namespace {

/// The fake has no provisioning relay: linking is tested against a real hushd.
class NoProvisioning final : public net::ProvisioningSocket {
 public:
  Result<net::ProvisioningAddress> open(std::chrono::milliseconds /*timeout*/) override {
    return make_error(Errc::unavailable, "the fake hushd does not link devices");
  }
  Result<std::optional<Bytes>> wait_message(std::chrono::milliseconds /*timeout*/) override {
    return make_error(Errc::network_failure, "not open");
  }
  void close() override {}
};

}  // namespace

std::unique_ptr<net::ProvisioningSocket> FakeHushd::open_provisioning(const net::ServerUrl& /*url*/,
                                                                      const std::filesystem::path& /*ca_file*/) {
  return std::make_unique<NoProvisioning>();
}

}  // namespace hush::client::testing
