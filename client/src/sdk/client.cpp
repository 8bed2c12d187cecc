// Client: opening and creating, the forwarding facade, and the helpers the
// pipelines share (account cache, connection on demand, requests mapped to
// Errc, the username directory).
#include "client_impl.hpp"
#include "transport_guard.hpp"

#include <hush/util/bytes.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace hush::client {

namespace {

constexpr const char* kCaFileState = "server.ca_file";

/// `Basic base64(account_hex.device:base64(credential))` (docs/server/api.md).
std::string base64(ByteView b) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < b.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8) | b[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == b.size()) {
    const std::uint32_t v = std::uint32_t{b[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == b.size()) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

/// The Authorization header. It holds the credential; it lives only inside
/// the one Connection that uses it and is never logged.
std::string authorization(const store::Account& a) {
  SecretBuffer inner(as_bytes(a.account_id + "." + std::to_string(a.device_id.value) + ":" +
                              base64(a.server_credential.expose())));
  return "Basic " + base64(inner.expose());
}

template <class T>
Result<std::unique_ptr<Client>> finish_open(std::unique_ptr<crypto::Rng> own_rng,
                                            Result<std::unique_ptr<store::LocalStore>> store, ClientOptions options,
                                            T make) {
  if (!store) return store.error();
  HUSH_TRY(store::ensure_sdk_tables(**store));
  HUSH_TRY(store::ensure_group_tables(**store));
  HUSH_TRY(store::ensure_sent_message_tables(**store));
  HUSH_TRY(store::ensure_pre_key_tables(**store));
  HUSH_TRY(store::ensure_kyber_pre_key_tables(**store));
  return make(std::make_unique<ClientImpl>(std::move(own_rng), std::move(*store), std::move(options)));
}

}  // namespace

std::string normalize_username(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string SafetyNumber::grouped() const {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 5) {
    if (!out.empty()) out += ' ';
    out += digits.substr(i, 5);
  }
  return out;
}

ClientImpl::ClientImpl(std::unique_ptr<crypto::Rng> own_rng, std::unique_ptr<store::LocalStore> store,
                       ClientOptions options)
    : own_rng_(std::move(own_rng)),
      rng_(options.rng != nullptr ? *options.rng : *own_rng_),
      store_(std::move(store)),
      options_(std::move(options)),
      protocol_(*store_),
      accounts_(*store_),
      history_(*store_),
      received_(*store_),
      directory_(*store_),
      state_(*store_),
      transport_(guarded_transport(options_.transport ? options_.transport : net::network_transport(), *store_)) {}

Result<const store::Account*> ClientImpl::account() {
  if (!account_) {
    HUSH_TRY_ASSIGN(auto loaded, accounts_.load());
    if (!loaded) return make_error(Errc::not_found, "not registered");
    account_ = std::move(*loaded);
  }
  return &*account_;
}

Status ClientImpl::save_account(const store::Account& account) {
  HUSH_TRY(accounts_.save(account));
  account_ = account.clone();
  return ok();
}

std::filesystem::path ClientImpl::ca_file() const {
  auto v = const_cast<store::SdkState&>(state_).get(kCaFileState);
  if (!v || !*v) return {};
  auto b = (**v).expose();
  std::filesystem::path stored(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
  // A name is the copy in the home folder (issue #16); a store registered
  // before that holds the user's absolute path, which keeps working.
  if (!stored.empty() && stored.is_relative()) return store_->path().parent_path() / stored;
  return stored;
}

Result<net::Transport*> ClientImpl::connection() {
  // A connection kept since an earlier call may have been closed by hushd's
  // idle timeout meanwhile (the SDK runs no thread to answer its pings).
  if (conn_ && conn_->still_open()) return conn_.get();
  conn_.reset();
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  HUSH_TRY_ASSIGN(auto servers, net::ServerList::parse(a->server_url));
  // A node that is down is passed over for the next: every node serves us.
  return net::try_servers<net::Transport*>(
      servers, server_index_, [&](const net::ServerUrl& url) -> Result<net::Transport*> {
        auto c = transport_->open(url, ca_file(), authorization(*a));
        HUSH_TRY(c->connect(options_.request_timeout));
        conn_ = std::move(c);
        return conn_.get();
      });
}

void ClientImpl::drop_connection() {
  if (conn_) conn_->close();
  conn_.reset();
}

Result<pb::Response> ClientImpl::request(pb::ClientFrame frame) {
  HUSH_TRY_ASSIGN(net::Transport * c, connection());
  if (options_.on_request) options_.on_request(net::request_kind(frame));  // round trips, counted by tests
  auto r = c->call(std::move(frame), options_.request_timeout);
  if (!r) drop_connection();
  return r;
}

Result<pb::Response> ClientImpl::request_ok(pb::ClientFrame frame) {
  HUSH_TRY_ASSIGN(auto r, request(std::move(frame)));
  if (r.status() != 200) return make_error(net::errc_from_status(r.status(), r.message()), "server refused");
  return r;
}

Result<Bytes> ClientImpl::account_of(std::string_view username, bool refresh) {
  const std::string name = normalize_username(username);
  HUSH_TRY_ASSIGN(auto known, directory_.account_of(name));
  if (!refresh && known) return std::move(*known);
  pb::ClientFrame f;
  f.mutable_lookup_username()->set_username(name);
  HUSH_TRY_ASSIGN(auto r, request_ok(std::move(f)));  // the network, before any transaction
  const std::string& id = r.lookup_username().account_id();
  if (id.size() != store::kAccountIdBytes) return make_error(Errc::decode_error, "account id from server");
  Bytes account = to_bytes(id);
  if (known && *known != account) HUSH_TRY(note_username_moved(*known, account));
  HUSH_TRY(directory_.put(account, name));
  HUSH_TRY_ASSIGN(auto waiting, store::unresolved_peers(*store_));
  if (std::find(waiting.begin(), waiting.end(), name) != waiting.end()) {
    HUSH_TRY(store::rename_peer(*store_, name, store::account_address(account)));
  }
  return account;
}

Status ClientImpl::note_username_moved(ByteView from, ByteView to) {
  const std::string old_address = store::account_address(from);
  const std::string new_address = store::account_address(to);
  return store_->transaction([&]() -> Status {
    HUSH_TRY_ASSIGN(auto before, protocol_.identities.contact(old_address));
    HUSH_TRY_ASSIGN(auto after, protocol_.identities.contact(new_address));
    if (!before || after) return ok();
    // Device 0: identities are per account, the device plays no part. The
    // verified mark comes along, as it stays on a contact whose key changed
    // until the new key is accepted (the user sees which key was verified).
    HUSH_TRY(protocol_.identities.save_identity({new_address, signal::DeviceId{0}}, before->key));
    if (before->verified) HUSH_TRY(protocol_.identities.mark_verified(new_address, before->key));
    return ok();
  });
}

void ClientImpl::resolve_unresolved_peers() {
  if (peers_resolved_) return;
  peers_resolved_ = true;
  auto waiting = store::unresolved_peers(*store_);
  if (!waiting) return;
  for (const auto& name : *waiting) (void)account_of(name, true);  // moves the rows when found
}

Result<signal::ProtocolAddress> ClientImpl::local_address() {
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  auto id = from_hex(a->account_id);
  if (!id || id->size() != store::kAccountIdBytes) return make_error(Errc::decode_error, "own account id");
  return signal::ProtocolAddress{store::account_address(*id), a->device_id};
}

Result<std::string> ClientImpl::address_of(std::string_view username) {
  const std::string name = normalize_username(username);
  HUSH_TRY_ASSIGN(auto account, directory_.account_of(name));
  if (account) return store::account_address(*account);
  // Not in the directory: nothing of it is kept under an address, only
  // (if at all) a migrated row under the name itself.
  return name;
}

Result<std::string> ClientImpl::name_of_address(const std::string& address) {
  auto account = store::account_of_address(address);
  if (!account) return address;  // a username kept by the migration
  HUSH_TRY_ASSIGN(auto name, directory_.username_of(*account));
  return name ? std::move(*name) : address;
}

// ---------------------------------------------------------------- facade

Client::Client(std::unique_ptr<ClientImpl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::create(const std::filesystem::path& home, const KeySource& key,
                                               ClientOptions options) {
  std::unique_ptr<crypto::Rng> own = options.rng ? nullptr : std::make_unique<crypto::SystemRng>();
  crypto::Rng& rng = options.rng ? *options.rng : *own;
  auto store = store::LocalStore::create(home, key, rng, options.clock);
  return finish_open(std::move(own), std::move(store), std::move(options),
                     [](std::unique_ptr<ClientImpl> i) { return std::unique_ptr<Client>(new Client(std::move(i))); });
}

Result<std::unique_ptr<Client>> Client::open(const std::filesystem::path& home, const KeySource& key,
                                             ClientOptions options) {
  std::unique_ptr<crypto::Rng> own = options.rng ? nullptr : std::make_unique<crypto::SystemRng>();
  crypto::Rng& rng = options.rng ? *options.rng : *own;
  auto store = store::LocalStore::open(home, key, rng, options.clock);
  return finish_open(std::move(own), std::move(store), std::move(options),
                     [](std::unique_ptr<ClientImpl> i) { return std::unique_ptr<Client>(new Client(std::move(i))); });
}

Result<Identity> Client::register_account(std::string_view server_url, std::string_view username,
                                          const std::filesystem::path& ca_file) {
  return impl_->register_account(server_url, username, ca_file);
}
Result<Identity> Client::recover_account(std::string_view server_url, std::string_view username,
                                         std::string_view recovery_code, const std::filesystem::path& ca_file) {
  if (recovery_code.empty()) return make_error(Errc::invalid_argument, "recovery code");
  return impl_->register_account(server_url, username, ca_file, recovery_code);
}
Result<Identity> Client::whoami() { return impl_->whoami(); }
Result<SentMessage> Client::send_text(std::string_view username, std::string_view text) {
  return impl_->send_text(username, text);
}
Result<QueuedText> Client::queue_text(std::string_view username, std::string_view text) {
  return impl_->queue_text(username, text);
}
Result<std::vector<QueuedText>> Client::queued_texts() { return impl_->queued_texts(); }
Result<std::vector<QueuedTextOutcome>> Client::send_queued() { return impl_->send_queued(); }
bool Client::connected() const { return impl_->connected(); }
Result<std::vector<ReceivedMessage>> Client::receive(std::chrono::seconds wait) { return impl_->receive(wait); }
Status Client::listen(const std::function<void(const ReceivedMessage&)>& on_message, std::stop_token stop,
                      const std::function<void()>& on_tick) {
  return impl_->listen(on_message, std::move(stop), on_tick);
}
Result<std::vector<HistoryMessage>> Client::history(std::string_view username, std::size_t limit) {
  return impl_->history(username, limit);
}
Result<std::vector<Contact>> Client::contacts() { return impl_->contacts(); }
Result<SafetyNumber> Client::safety_number(std::string_view username) { return impl_->safety_number(username); }
Result<std::vector<SessionInfo>> Client::sessions(std::string_view username) { return impl_->sessions(username); }
Status Client::verify(std::string_view username) { return impl_->verify(username); }
Status Client::trust(std::string_view username) { return impl_->trust(username, std::nullopt); }
Status Client::trust(std::string_view username, std::string_view expected_key_hex) {
  return impl_->trust(username, std::string(expected_key_hex));
}
Result<LinkOffer> Client::link_begin(std::string_view server_url, const std::filesystem::path& ca_file) {
  return impl_->link_begin(server_url, ca_file);
}
Result<Identity> Client::link_complete(std::chrono::seconds wait, std::stop_token stop) {
  return impl_->link_complete(wait, std::move(stop));
}
Status Client::approve_device(std::string_view code) { return impl_->approve_device(code); }
Result<std::vector<DeviceInfo>> Client::devices() { return impl_->devices(); }
Status Client::remove_device(std::uint32_t device_id) { return impl_->remove_device(device_id); }
Result<HousekeepingReport> Client::housekeeping() { return impl_->housekeeping(); }
Result<GroupInfo> Client::group_create(std::string_view name, const std::vector<std::string>& members) {
  return impl_->group_create(name, members);
}
Result<SentMessage> Client::group_send(std::string_view group, std::string_view text) {
  return impl_->group_send(group, text);
}
Result<GroupInfo> Client::group_add(std::string_view group, std::string_view username) {
  return impl_->group_change(group, content::GroupAction::add, username);
}
Result<GroupInfo> Client::group_remove(std::string_view group, std::string_view username) {
  return impl_->group_change(group, content::GroupAction::remove, username);
}
Result<GroupInfo> Client::group_leave(std::string_view group) {
  return impl_->group_change(group, content::GroupAction::leave, {});
}
Result<GroupInfo> Client::group_rename(std::string_view group, std::string_view new_name) {
  return impl_->group_change(group, content::GroupAction::rename, new_name);
}
Result<GroupInfo> Client::group_info(std::string_view group) { return impl_->group_info(group); }
Result<ReceivedMessage> Client::open_group_body(std::string_view sender, std::uint32_t device, ByteView body) {
  return impl_->open_group_body(sender, device, body);
}
Result<std::vector<GroupInfo>> Client::groups() { return impl_->groups(); }
Result<std::vector<HistoryMessage>> Client::group_history(std::string_view group, std::size_t limit) {
  return impl_->group_history(group, limit);
}
void Client::disconnect() { impl_->drop_connection(); }

}  // namespace hush::client
