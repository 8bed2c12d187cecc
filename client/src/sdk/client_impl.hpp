// The state behind Client: the store and its tables, the options, the
// connection to hushd (opened on demand, replaced after a failure) and the
// helpers the pipelines share. Private to the SDK.
#pragma once

#include "../net/connection.hpp"
#include "../net/transport.hpp"
#include "inbox.hpp"
#include "../net/server_list.hpp"

#include <hush/client/client.hpp>
#include <hush/client/store/account_address.hpp>
#include <hush/client/store/account_table.hpp>
#include <hush/client/store/directory.hpp>
#include <hush/client/store/group_store.hpp>
#include <hush/client/store/message_history.hpp>
#include <hush/client/store/outbox.hpp>
#include <hush/client/store/received_ids.hpp>
#include <hush/client/store/sent_messages.hpp>
#include <hush/client/store/session_store.hpp>
#include <hush/client/store/unresolved_peers.hpp>
#include <hush/crypto/x25519.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace hush::client {

namespace pb = ::hush::service::v1;

/// Lower-case username (hushd compares names case-insensitively).
[[nodiscard]] std::string normalize_username(std::string_view name);

class ClientImpl {
 public:
  ClientImpl(std::unique_ptr<crypto::Rng> own_rng, std::unique_ptr<store::LocalStore> store, ClientOptions options);

  // ---- shared helpers (client.cpp)
  /// The account, cached. not_found before registration.
  Result<const store::Account*> account();
  [[nodiscard]] Status save_account(const store::Account& account);
  /// The connection, opened if needed. unauthorized, network_failure, timeout.
  Result<net::Transport*> connection();
  /// One request; the Response whatever its status. A transport failure
  /// drops the connection (the next call reconnects).
  Result<pb::Response> request(pb::ClientFrame frame);
  /// One request that must answer 200; otherwise the status's Errc.
  Result<pb::Response> request_ok(pb::ClientFrame frame);
  /// Username -> account id, from the directory or the server (and then
  /// recorded: a name that moved to another account carries its contact
  /// over, note_username_moved; rows kept under the name by the v1 -> v2
  /// migration move to the account, store::rename_peer).
  Result<Bytes> account_of(std::string_view username, bool refresh = false);
  /// Our own protocol address: our account's address and our device id.
  Result<signal::ProtocolAddress> local_address();
  /// The address history, sessions and identities of `username` are kept
  /// under: its account's, as the directory knows it (no lookup: reading
  /// history or trust state needs no network), else the username itself
  /// (what a migrated row waiting for its account is kept under,
  /// store/unresolved_peers.hpp).
  Result<std::string> address_of(std::string_view username);
  /// The username to show for an address: the directory's, else the address.
  Result<std::string> name_of_address(const std::string& address);
  void drop_connection();
  [[nodiscard]] crypto::Rng& rng() noexcept { return rng_; }
  [[nodiscard]] std::uint64_t now_ms() const { return options_.clock(); }
  [[nodiscard]] std::filesystem::path ca_file() const;

  // ---- registration and keys (registration.cpp)
  /// A new account, or with `recovery_code` the recovery of an existing one.
  Result<Identity> register_account(std::string_view server_url, std::string_view username,
                                    const std::filesystem::path& ca_file, std::string_view recovery_code = {});
  Result<Identity> whoami();
  Result<HousekeepingReport> housekeeping();
  /// housekeeping() when hushd pushed PreKeysLow (`pushed_low`) or
  /// options.housekeeping_interval_ms has passed since the last one;
  /// otherwise nothing (no request). Errors as housekeeping().
  Status maybe_housekeeping(bool pushed_low);
  /// Makes the keys of a new device (identity given or fresh) and the RegisterRequest that publishes them.
  Result<pb::RegisterRequest> prepare_device(const signal::IdentityKeyPair& identity);
  /// After a registration: uploads the one-time Kyber pre-keys prepare_device
  /// made but left out of the RegisterRequest (hushd's HTTP body limit).
  Status upload_rest_of_kyber_batch();
  /// POSTs /v1/register to `url` and saves the account with `servers` (the
  /// whole list, canonical) as its server. Errors as register_account.
  Result<Identity> finish_registration(const net::ServerUrl& url, const std::string& servers,
                                       const std::filesystem::path& ca_file, const pb::RegisterRequest& request,
                                       std::string username);

  // ---- messaging (outgoing.cpp: sending; receive_loop.cpp: receive and listen)
  Result<SentMessage> send_text(std::string_view username, std::string_view text);
  /// send_text under a given id and timestamp (a queued text's, text_outbox.cpp).
  Result<SentMessage> send_text_as(std::string_view username, std::string_view text, const MessageId& id,
                                   std::uint64_t timestamp_ms);
  Result<QueuedText> queue_text(std::string_view username, std::string_view text);
  Result<std::vector<QueuedText>> queued_texts();
  Result<std::vector<QueuedTextOutcome>> send_queued();
  [[nodiscard]] bool connected() const { return conn_ && conn_->is_open(); }
  Result<std::vector<ReceivedMessage>> receive(std::chrono::milliseconds wait);
  Status listen(const std::function<void(const ReceivedMessage&)>& on_message, std::stop_token stop,
                const std::function<void()>& on_tick);

  // ---- contacts and safety (contacts.cpp)
  Result<std::vector<HistoryMessage>> history(std::string_view username, std::size_t limit);
  Result<std::vector<Contact>> contacts();
  Result<SafetyNumber> safety_number(std::string_view username);
  Result<std::vector<SessionInfo>> sessions(std::string_view username);
  Status verify(std::string_view username);
  /// `expected_key_hex`: accept only that pending key (conflict otherwise).
  Status trust(std::string_view username, std::optional<std::string> expected_key_hex);
  Result<std::vector<DeviceInfo>> devices();
  Status remove_device(std::uint32_t device_id);

  // ---- linking (linking.cpp)
  Result<LinkOffer> link_begin(std::string_view server_url, const std::filesystem::path& ca_file);
  Result<Identity> link_complete(std::chrono::milliseconds wait, std::stop_token stop);
  Status approve_device(std::string_view code);

  // ---- groups (groups.cpp: changes and info; group_send.cpp: Sender Key
  // distribution and the fan-out; group_receive.cpp: the receiving side)
  Result<GroupInfo> group_create(std::string_view name, const std::vector<std::string>& members);
  Result<SentMessage> group_send(std::string_view group, std::string_view text);
  /// group_send's work; `sent.received` holds what its drain showed, even on failure.
  Status group_send_into(std::string_view group, std::string_view text, SentMessage& sent);
  /// Messages a call committed but could not return (it failed after, as a
  /// group send whose drain read them): the next receive() or listen()
  /// returns them first. Memory only: the history holds them in any case.
  std::vector<ReceivedMessage> unshown_;
  Result<GroupInfo> group_change(std::string_view group, content::GroupAction action, std::string_view argument);
  Result<GroupInfo> group_info(std::string_view group);
  Result<std::vector<GroupInfo>> groups();
  Result<std::vector<HistoryMessage>> group_history(std::string_view group, std::size_t limit);
  Result<ReceivedMessage> open_group_body(std::string_view sender, std::uint32_t device, ByteView body);
  /// Inside process_envelope's transaction: a group message (a SenderKeyMessage
  /// body) from `sender`'s `device`. The message to show, or nullopt; errors
  /// are the decryption's (permanent ones make the envelope dropped).
  Result<std::optional<ReceivedMessage>> receive_group_message(const std::string& sender, const std::string& address,
                                                               signal::DeviceId device, ByteView body,
                                                               std::uint64_t server_timestamp_ms);
  /// Inside process_envelope's transaction: a group change or Sender Key
  /// from `sender`'s `device` over the pairwise session. Refusals are
  /// recorded and logged; only storage errors come back.
  [[nodiscard]] Status receive_group_control(const std::string& sender, const std::string& address,
                                             signal::DeviceId device, content::Content& content);

  store::LocalStore& store() noexcept { return *store_; }
  store::SqliteProtocolStore& protocol() noexcept { return protocol_; }
  store::Directory& directory() noexcept { return directory_; }
  store::SdkState& state() noexcept { return state_; }
  const ClientOptions& options() const noexcept { return options_; }

 private:
  // inbox.cpp: one envelope's stages (inbox.hpp)
  struct EnvelopeRun;
  /// Classifies, names, then in one transaction de-duplicates, decrypts,
  /// authenticates, applies and records `e`. What to show goes to `out`
  /// (with the group notices it raised); the outcome says whether to ack.
  /// Errors: a local or network failure that ends the batch (the envelope
  /// stays on the server).
  Result<sdk::InboxOutcome> process_envelope(const pb::Envelope& e, std::vector<ReceivedMessage>& out);
  /// Outside any transaction: the trial decryption of an unknown sender's
  /// envelope (always rolled back) and hushd's answer for the name it claims.
  void name_unknown_sender(EnvelopeRun& r);
  /// Inside the envelope's transaction: a group message, a pairwise one.
  Status open_group_envelope(EnvelopeRun& r);
  Status open_pairwise_envelope(EnvelopeRun& r);
  /// Inside the transaction: the envelope can never be read; records its id
  /// and shows it as undecryptable (from `shown_as`, empty when unknown).
  Status drop_envelope(EnvelopeRun& r, const char* why, Errc code, const std::string& shown_as, bool group = false);
  ReceivedMessage undecryptable(const EnvelopeRun& r, const std::string& sender, Errc code, bool group);
  void inbox_log(const EnvelopeRun& r, const char* what, Errc code = Errc::ok);
  // receive_loop.cpp
  /// One AckRequest for every seq in `seqs` (cleared, whatever happens).
  /// Errors: the request's; a lost ack only brings a redelivery.
  Status ack_batch(std::vector<std::uint64_t>& seqs);
  /// Encrypts `plain` for each of `who`'s devices with a current session, into `out`.
  Status encrypt_for_devices(const std::string& who, const std::vector<signal::DeviceId>& devices, ByteView plain,
                             google::protobuf::RepeatedPtrField<pb::OutgoingMessage>& out);
  /// The devices of the account at `address` a message is encrypted for:
  /// those we hold sessions with (set up from its bundles when none; not
  /// found when it has no device), each with a current session (an archived
  /// one replaced from a fresh bundle). `own`: our account, our own device
  /// left out, and none is no error.
  Result<std::vector<signal::DeviceId>> devices_to_encrypt_for(const store::Account& me, ByteView account_id,
                                                               const std::string& address, bool own);
  /// Encrypts `padded` for every device of the account (each encryption and
  /// the kept copy for a resend in one store transaction, the network after
  /// it), repairs a stale device list and retries. `keep`: keep the plaintext
  /// in the sent-message store for a resend (docs/protocol.md §7.6). `partial`:
  /// devices without room on the server are listed in sent.refused and the
  /// others get it (else one full mailbox fails the send: quota_exceeded).
  Status send_to_account(const store::Account& me, ByteView account_id, const std::string& name,
                         ByteView padded, ByteView server_message_id, SentMessage& sent, bool keep = true,
                         bool partial = false);
  /// Fetches bundles (network), then in one transaction sets up a session
  /// per device; a device that has a current session already (another
  /// process made one meanwhile) keeps it unless `replace`, which archives it.
  Status fetch_and_process_bundles(ByteView account_id, std::optional<std::uint32_t> device, bool replace = false);
  /// fetch_and_process_bundles without the fetch: bundles already received
  /// (a stale-devices answer carries them, issue #16).
  Status process_bundles(const pb::FetchBundlesResponse& bundles, const std::string& address, bool replace = false);
  /// The account `name` is bound to: the cached binding while it is younger
  /// than options.directory_recheck_ms (and not `force`), else looked up;
  /// a binding that changed is shown like an identity change (account_of).
  Result<Bytes> recipient_of(const std::string& name, bool force);
  /// One account's part of a stale-devices answer applied to the sessions
  /// with `account_id`: extra and stale ones dropped, the bundles it carries
  /// processed, any device still without a session fetched.
  Status repair_from_stale(const pb::AccountStaleDevices& entry, ByteView account_id);
  /// A 1:1 send in one request (issue #16): `padded` for every device of
  /// `recipient` and `copy` (the sync copy) for our own other devices, kept
  /// for a resend; a stale answer repaired from the bundles it carries and
  /// retried. Our own devices failing to repair never stop the send.
  Status send_with_sync(const store::Account& me, ByteView recipient, const std::string& name, ByteView padded,
                        ByteView copy, const MessageId& id, SentMessage& sent);

  // decryption_errors.cpp: telling a sender we could not decrypt, and resending on request.
  /// A 1:1 envelope that could not be decrypted, waiting (after its ack) for
  /// its decryption error to go out.
  struct FailedEnvelope {
    std::size_t shown_index = 0;  ///< its entry in the output vector
    std::string name;             ///< the sender's username
    Bytes account_id;
    signal::DeviceId device;
    Bytes message_id;             ///< the envelope's
    Bytes ratchet_key;            ///< the failed message's sender ratchet key, or empty
    std::uint64_t server_timestamp_ms = 0;
  };
  /// Sends the sender's device a decryption error (over a new session at most
  /// once per kRebuildWindow). false when rate-limited.
  Result<bool> report_decryption_failure(const FailedEnvelope& failed);
  /// Inside process_envelope's transaction: a peer's decryption error. Marks
  /// the named message for a resend (when we hold it, it went to that account
  /// and the budget allows) and archives the session that produced it.
  [[nodiscard]] Status receive_decryption_error(ByteView account_id, signal::DeviceId device,
                                                const content::DecryptionError& error);
  /// The username `username` moved from account `from` to `to`: unless `to`
  /// is a contact already, it becomes one with `from`'s accepted key, so
  /// `to`'s own key is refused (untrusted_identity, pending) until the user
  /// trusts it, exactly as an identity-key change (issue #16 item 1).
  [[nodiscard]] Status note_username_moved(ByteView from, ByteView to);
  /// Looks up the usernames the v1 -> v2 migration could not map to an
  /// account and moves their rows (network first, then one transaction per
  /// name). Once per process; errors leave them for the next time.
  void resolve_unresolved_peers();
  bool peers_resolved_ = false;
  /// Resends what decryption errors asked for (network; outside transactions).
  Status send_requested_resends();
  /// After an envelope's transaction and ack: its decryption errors, then the resends.
  void after_envelope(std::vector<ReceivedMessage>& out);
  // linking.cpp internals
  /// A new device's link in progress: memory only, it dies with the socket.
  struct PendingLink {
    PendingLink(crypto::KeyPair k, const net::ServerUrl& u, std::string list, const std::filesystem::path& ca,
                std::unique_ptr<net::ProvisioningSocket> s)
        : key(std::move(k)), url(u), servers(std::move(list)), ca_file(ca), socket(std::move(s)) {}
    crypto::KeyPair key;  ///< (p, P): p never leaves memory
    net::ServerUrl url;   ///< the node holding the provisioning socket
    std::string servers;  ///< every node the user named (ServerList::str)
    std::filesystem::path ca_file;
    std::unique_ptr<net::ProvisioningSocket> socket;  ///< from the transport factory
  };
  Result<Identity> register_linked(PendingLink& link, ByteView sealed);

  std::unique_ptr<crypto::Rng> own_rng_;
  crypto::Rng& rng_;
  std::unique_ptr<store::LocalStore> store_;
  ClientOptions options_;
  store::SqliteProtocolStore protocol_;
  store::AccountTable accounts_;
  store::MessageHistory history_;
  store::ReceivedIds received_;
  store::Directory directory_;
  store::SdkState state_;
  std::optional<store::Account> account_;
  /// Every call to hushd goes through it: options_.transport or the
  /// network, behind the no-network-in-a-transaction guard (transport_guard.hpp).
  std::shared_ptr<net::TransportFactory> transport_;
  std::unique_ptr<net::Transport> conn_;
  /// The server of the account's list tried first: the last that answered.
  std::size_t server_index_ = 0;
  // groups (groups.cpp, group_send.cpp, group_receive.cpp)
  store::GroupStore groups_{*store_};
  store::SqliteSenderKeyStore sender_keys_{*store_};
  Result<store::GroupRecord> resolve_group(std::string_view ref);
  /// Test hooks only (a change not applied here): sends `change` at once, not queued.
  Status send_group_change(const store::Account& me, const content::GroupChange& change,
                           const std::vector<std::string>& recipients, const std::vector<std::string>& joining);
  // group_outbox.cpp: the durable outbox of our group changes.
  store::Outbox outbox_{*store_};
  std::chrono::steady_clock::time_point last_outbox_pass_{};  ///< listen() paces its passes by it
  /// Inside the transaction that applies `change` here: queues one copy per
  /// recipient account (members first, then `joining` with the history).
  Status enqueue_group_change(const store::Account& me, const content::GroupChange& change,
                              const std::vector<std::string>& recipients, const std::vector<std::string>& joining);
  /// Sends queued copies in queue order, removing each once the server
  /// accepted it; a recipient with a copy still queued gets nothing newer,
  /// and newcomers wait for every member copy of their change. The first
  /// failure (network errors end the pass), or ok. Not registered: ok.
  Status deliver_group_outbox();
  /// deliver_group_outbox() before other work (send, group send, group
  /// changes, receive, listen): a failure is logged and returned for
  /// information only (everything stays queued for the next pass).
  Status retry_group_outbox();
  /// Fills GroupInfo's pending_changes and awaiting_delivery for `group_id`.
  Status add_delivery_state(GroupInfo& info, ByteView group_id);
  /// Our Sender Key to every member device that lacks it. A device whose
  /// mailbox had no room is added to `refused` and stays without it (it
  /// gets it with our next group message).
  Status distribute_sender_key(const store::Account& me, store::GroupRecord& group,
                               std::vector<RefusedCopy>& refused);
  Status apply_group_change(const store::GroupRecord* known, const content::GroupChange& change,
                            const store::Account& me);
  /// Applies our own change and queues its copies in one transaction, then
  /// sends what it can (older queued changes first). Only storage and
  /// encoding errors come back; undelivered copies stay queued and the
  /// reason is the Errc returned (ok: all went out).
  Result<Errc> apply_and_queue(const store::GroupRecord* known, const content::GroupChange& change,
                               const store::Account& me, const std::vector<std::string>& recipients,
                               const std::vector<std::string>& joining);
  /// to_info plus the delivery state of our queued changes.
  Result<GroupInfo> info_with_delivery(const store::GroupRecord& g);
  /// Sessions with every other device of our own account (ListDevices, then
  /// bundles for the ones we lack), so group traffic reaches them.
  Status sync_own_devices(const store::Account& me);
  // group_agreement.cpp: membership agreement (docs/protocol.md §8.7).
  /// How long the drain before a group send waits for one more envelope
  /// while hushd's QueueEmpty has not come yet.
  static constexpr std::chrono::milliseconds kGroupDrainQuiet{300};
  /// A DrainRequest on the current connection: true once hushd answered it,
  /// i.e. every envelope stored before it is queued on the connection.
  /// False from a hushd without it (400) or on a failure (the connection is
  /// then gone: take connection() again).
  bool drain_connection();
  /// Signs `change` with our identity key (its canonical bytes).
  Status sign_group_change(content::GroupChange& change);
  /// Whether the change's signature verifies under its author's accepted
  /// identity key (false without a signature or a known key).
  Result<bool> group_change_signed_by_author(const content::GroupChange& change);
  /// Adds a warning to `g` (not stored: the caller puts `g`) and to the
  /// notices the current receive() returns.
  void warn_group(store::GroupRecord& g, std::string text);
  /// With ClientOptions::report_group_changes: adds the change `c`, just
  /// applied (`g` is the group after it), to the notices the current
  /// receive() returns (issue #16).
  void report_group_change(const content::GroupChange& c, const std::optional<store::GroupRecord>& g);
  /// Queues a GroupStateNotice for `recipient`: our stamp, our signed changes
  /// after `after` (and at `after` if `include_last`), and `request`.
  Status enqueue_group_notice(const store::Account& me, const std::string& recipient, const store::GroupRecord& g,
                              std::uint32_t after, bool include_last, bool request);
  /// A member showed `version` > ours: remember it, warn, ask it (once per version).
  Status note_ahead(store::GroupRecord& g, const store::Account& me, const std::string& sender,
                    std::uint32_t version, std::string_view what);
  /// Compares a received stamp with `g` and tells the sender or asks it.
  Status answer_stamp(store::GroupRecord& g, const store::Account& me, const std::string& sender,
                      const content::GroupStamp& stamp, std::string_view what);
  /// Checks and applies one change (direct from `sender`, or `forwarded` in
  /// a notice: then its signature is required), with the tie-break of
  /// concurrent changes; records refusals. `known` is reloaded. Whether applied.
  Result<bool> take_group_change(std::optional<store::GroupRecord>& known, const content::GroupChange& change,
                                 const std::string& sender, const store::Account& me, bool forwarded);
  Status receive_group_notice(const std::string& sender, const content::GroupStateNotice& notice);
  /// Before a group send: our queued changes out, then every pairwise
  /// envelope waiting for us processed (group texts left for receive()).
  Status drain_before_group_send(std::vector<ReceivedMessage>& out);
  /// Warnings raised while processing the current envelope, returned as notices.
  std::vector<ReceivedMessage> group_notices_;
  /// (group, member, version) we already sent a notice for, in this process.
  std::set<std::string> notified_;
  bool held_ = false;          ///< the current group message is held (not acked: redelivered later)
  bool held_pending_ = false;  ///< a message was held on this connection
  bool released_ = false;      ///< a change arrived since: reconnect so held messages come again

  std::unique_ptr<PendingLink> link_;  ///< linking.cpp
  // decryption_errors.cpp (after store_: they hold a reference to it)
  std::vector<FailedEnvelope> failed_;  ///< filled by process_envelope, drained by after_envelope
  store::SentMessages sent_{*store_};
  store::DrainedPreKeys drained_{*store_};  ///< registration.cpp: one-time pre-keys handed out, pruned later
  store::DrainedPreKeys drained_kyber_{*store_, store::OneTimeKind::kyber};  ///< the same for one-time Kyber pre-keys
  /// registration.cpp: one-time Kyber pre-keys made at registration that go up after it.
  std::vector<signal::KyberPreKeyId> kyber_after_registration_;
  store::DecryptionErrorBudget budget_{*store_};
};

}  // namespace hush::client
