// The Hush client SDK's facade: one Client per home folder, doing what a
// person's app needs (register, send, receive, listen, history, contacts,
// safety numbers, linked devices, key housekeeping) over an encrypted local
// store and a TLS WebSocket to hushd. Everything returns hush::Result; the
// error codes of each call are listed beside it. Not thread-safe: use one
// Client from one thread (listen() calls back on that thread).
#pragma once

#include <hush/client/message_id.hpp>
#include <hush/client/store/key_source.hpp>
#include <hush/client/store/local_store.hpp>
#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hush::client {

using store::Clock;
using store::KdfCost;
using store::KeySource;

/// Why a message that arrived could not be shown (issue #13): it is reported,
/// never dropped silently (docs/protocol.md §7.6).
struct DecryptionFailure {
  std::string error;              ///< the Errc name: duplicate_message, bad_mac, no_session, ...
  std::string sender_account;     ///< the sending account (hex) as the server named it
  bool resend_requested = false;  ///< a decryption error went to the sending device, which resends it if it still holds it
  /// A group message (Sender Key): no resend is asked for; the sender must
  /// send it again (e.g. we lack its key, or it came from a non-member).
  bool group = false;
};

/// One applied change of a group (docs/protocol.md §8.3).
struct GroupChangeInfo {
  std::uint32_t version = 0;       ///< the group's version after it
  std::string author;              ///< who made it
  std::string action;              ///< "create", "add", "remove", "leave", "rename"
  std::vector<std::string> subjects;  ///< members added or removed (the author for a leave)
  std::string name;                ///< the group's name after it
  std::uint64_t timestamp_ms = 0;  ///< the author's clock
};

/// A message received (from a contact, or a copy of one sent from another
/// of our own devices), or one that arrived but could not be decrypted
/// (`failure` set, no text).
struct ReceivedMessage {
  std::string sender;                 ///< the sending account's username (ours for a sent copy)
  std::uint32_t sender_device = 0;    ///< the sending device
  std::string conversation;           ///< the other person: the sender, or for a sent copy its recipient; for a group message the group's name
  bool sent_by_me = false;            ///< a copy of a message one of our other devices sent
  MessageId id;                       ///< the sender's message id
  std::uint64_t timestamp_ms = 0;     ///< the sender's clock
  std::uint64_t server_timestamp_ms = 0;
  SecretBuffer text;                  ///< UTF-8 plaintext
  std::optional<Bytes> group_id;      ///< nullopt for a one-to-one message
  std::string group_name;             ///< the group's (local) name; empty for a one-to-one message
  /// Set when the message could not be decrypted or read: no text, `sender`
  /// empty when the sending account is unknown here.
  std::optional<DecryptionFailure> failure;
  /// Group only (docs/protocol.md §8.7): what the user must be told, e.g. the
  /// sender used an old member list, or we were behind and re-keyed.
  std::vector<std::string> warnings;
  /// A group notice, not a message: no text, only `warnings` (and the group).
  bool notice = false;
  /// A group change applied as it arrived (member added, removed or left,
  /// group created with us or renamed), reported only with
  /// ClientOptions::report_group_changes: no text; `sender` made it, the
  /// group is named after the change (issue #16).
  std::optional<GroupChangeInfo> group_change;

  /// The text as a view (valid while this message lives).
  [[nodiscard]] std::string_view text_view() const noexcept {
    return {reinterpret_cast<const char*>(text.expose().data()), text.size()};
  }
};

/// A copy of a sent message the server did not store because the
/// recipient device's mailbox had no room for it (issue #13): the others
/// were stored. Shown to the user; nothing retries it.
struct RefusedCopy {
  std::string recipient;    ///< the member's or contact's username
  std::uint32_t device = 0; ///< the device whose copy was refused
  /// "queue_full": that device's mailbox on the server is full;
  /// "share_full": we already hold our share of it (docs/server/api.md, "Limits").
  std::string reason;
};

/// What send_text returns once the server accepted the message.
struct SentMessage {
  MessageId id;
  std::uint64_t server_timestamp_ms = 0;
  bool duplicate = false;  ///< the server already held this message id (a retry)
  /// group_send only (§8.7): what the user must be told (we were behind and
  /// caught up before sending, the member list changed, ...).
  std::vector<std::string> warnings;
  /// group_send only: messages and notices received while draining our
  /// pending changes before the send; show them as receive() would.
  std::vector<ReceivedMessage> received;
  /// Copies the server refused for lack of room (the rest were stored); for
  /// group_send also members whose Sender Key could not be delivered. Not
  /// empty: the message did not reach everyone, tell the user.
  std::vector<RefusedCopy> refused;
};

/// A text waiting in the store's outbox to be sent (issue #16): typed while
/// the server could not be reached, sent by send_queued() when it can.
struct QueuedText {
  MessageId id;                   ///< the id it is sent under, fixed when queued
  std::string recipient;          ///< the contact's username
  std::uint64_t queued_ms = 0;    ///< when it was queued (the message's timestamp)
  SecretBuffer text;              ///< UTF-8 plaintext
  [[nodiscard]] std::string_view text_view() const noexcept {
    return {reinterpret_cast<const char*>(text.expose().data()), text.size()};
  }
};

/// What send_queued() did with one queued text: sent (`sent` set), or
/// refused for good (`error` set: it left the queue; e.g. untrusted_identity,
/// not_found). A text still waiting for the server is not listed.
struct QueuedTextOutcome {
  QueuedText text;
  std::optional<SentMessage> sent;
  Errc error = Errc::ok;
};

/// One entry of the conversation history.
struct HistoryMessage {
  MessageId id;
  bool outgoing = false;
  std::string peer;               ///< the other person
  std::uint64_t timestamp_ms = 0; ///< the sender's clock
  SecretBuffer text;
  std::optional<Bytes> group_id;
  std::string group_name;         ///< the group's name for a group message, else empty

  [[nodiscard]] std::string_view text_view() const noexcept {
    return {reinterpret_cast<const char*>(text.expose().data()), text.size()};
  }
};

/// A change that arrived and was refused.
struct RefusedGroupChangeInfo {
  std::uint32_t version = 0;
  std::string author;              ///< the member whose session carried it
  std::string action;
  std::string reason;              ///< "not_admin", "stale_version", "version_gap", "author_mismatch", "not_member", "state_mismatch", "bad_signature", "lost_tie_break" (§8.7)
  std::uint64_t received_ms = 0;   ///< our clock
};

/// A group as this device knows it.
struct GroupInfo {
  std::string id;                  ///< 64 hex digits (32 random bytes)
  std::string name;                ///< a label: not unique, chosen by an admin
  std::vector<std::string> members;
  std::vector<std::string> admins;
  std::uint32_t version = 0;
  bool active = true;              ///< false once we left or were removed
  std::vector<GroupChangeInfo> history;       ///< oldest first
  std::vector<RefusedGroupChangeInfo> refused;
  /// Our own changes to this group applied here but not yet accepted by the
  /// server for every recipient (docs/protocol.md §8.3, "Delivery"): they
  /// are queued and sent, in order, before any later operation that talks
  /// to the server. 0 when everything went out.
  std::uint32_t pending_changes = 0;
  /// The accounts (usernames, sorted) still waiting for one of those
  /// changes; our own name stands for our other devices.
  std::vector<std::string> awaiting_delivery;
  /// Warnings about this group (§8.7), oldest first: we were behind, a
  /// member sent with an old member list, a concurrent change lost.
  std::vector<std::string> warnings;
  /// Non-zero: a member showed this newer version and we do not hold it
  /// yet; group_send refuses (stale_state) until the change arrives.
  std::uint32_t behind_until = 0;
  /// From a group change only: why its queued copies did not all go out now
  /// (network_failure, timeout, untrusted_identity, ...); ok if they did.
  Errc delivery_error = Errc::ok;
};

/// What we know of a contact.
struct Contact {
  std::string username;
  bool verified = false;           ///< safety number confirmed since the last key change
  bool identity_changed = false;   ///< a new identity key was seen and awaits trust()
  std::uint64_t first_seen_ms = 0;
  std::size_t key_changes = 0;     ///< accepted key changes so far
};

/// Our session with one device of a contact, as the protocol runs it.
struct SessionInfo {
  std::uint32_t device_id = 0;
  std::uint32_t version = 0;          ///< 3: set up with X3DH; 4: with PQXDH (docs/protocol.md §7.9)
  bool post_quantum_ratchet = false;  ///< SPQR runs in it (version 4 sessions)
};

/// One device of our account.
struct DeviceInfo {
  std::uint32_t id = 0;
  std::uint32_t registration_id = 0;
  std::uint64_t created_ms = 0;
  bool this_device = false;
};

/// Who this client is.
struct Identity {
  std::string username;
  std::string account_id_hex;   ///< 32 hex digits
  std::uint32_t device_id = 0;
  std::string server_url;
  std::string identity_key_hex; ///< our public identity key (66 hex digits)
  /// Only in what register_account and recover_account return: the account's
  /// recovery code ("ABCD-EFGH-..."), for the user to write down. Never
  /// stored on the device (it is for when the device is lost); hushd keeps
  /// only its hash. Empty if the server gave none.
  std::string recovery_code;
};

/// A conversation's safety number.
struct SafetyNumber {
  std::string digits;           ///< 60 digits
  Bytes scannable;              ///< CombinedFingerprints bytes, for a QR code
  bool verified = false;
  bool identity_changed = false;///< a newer key is pending: this number is of the accepted key
  /// While identity_changed: the safety number with the pending new key
  /// (what to compare before trust()), its scannable form, and that key (66
  /// hex digits: the exact key trust() will accept). Empty otherwise.
  std::string pending_digits;
  Bytes pending_scannable;
  std::string pending_key_hex;

  /// "12345 67890 ..." (12 groups of five).
  [[nodiscard]] std::string grouped() const;
};

/// What link_begin shows on the new device (docs/protocol.md §7.4).
struct LinkOffer {
  /// One-time code to type on an existing device: base32 of the relay
  /// address, this device's provisioning public key and a checksum, in
  /// dash-separated groups of four.
  std::string code;
  std::string qr;                  ///< the same code as a URI for a QR code ("hush-link:CODE")
  std::uint64_t expires_at_ms = 0; ///< the server forgets the address then (10 minutes)
};

/// Result of a housekeeping run.
struct HousekeepingReport {
  std::uint32_t pre_keys_uploaded = 0;
  bool signed_pre_key_rotated = false;
  std::uint32_t old_signed_pre_keys_removed = 0;
  /// One-time pre-keys the server handed out whose private keys were
  /// forgotten now (their grace period passed, docs/protocol.md §7.8).
  std::uint32_t drained_pre_keys_pruned = 0;
  /// Handed-out one-time pre-keys still kept, within their grace period.
  std::uint32_t drained_pre_keys_waiting = 0;
  // The same for the Kyber pre-keys of PQXDH (docs/protocol.md §7.8, §7.9).
  std::uint32_t kyber_pre_keys_uploaded = 0;        ///< one-time Kyber pre-keys uploaded
  bool last_resort_kyber_pre_key_rotated = false;   ///< a new last-resort Kyber pre-key uploaded
  std::uint32_t old_last_resort_kyber_pre_keys_removed = 0;
  std::uint32_t drained_kyber_pre_keys_pruned = 0;
  std::uint32_t drained_kyber_pre_keys_waiting = 0;
};

/// Tuning and test hooks.
namespace net {
class TransportFactory;
}  // namespace net

struct ClientOptions {
  Clock clock = store::system_clock();     ///< ms since the epoch; tests inject their own
  crypto::Rng* rng = nullptr;              ///< nullptr: the system RNG (must outlive the Client)
  std::chrono::milliseconds request_timeout{10000};
  std::uint32_t pre_key_batch = 100;       ///< one-time pre-keys at registration and per top-up
  std::uint32_t pre_key_low_water = 20;    ///< top up when the server holds fewer
  std::uint64_t signed_pre_key_rotation_ms = 7ULL * 24 * 3600 * 1000;  ///< rotate after a week
  std::uint64_t signed_pre_key_grace_ms = 30ULL * 24 * 3600 * 1000;    ///< keep old ones this long
  /// Keep a one-time pre-key's private key this long after we first see
  /// that the server handed it out: a message built on it (the sender may
  /// send after fetching) waits in our mailbox for up to hushd's retention,
  /// 30 days (docs/protocol.md §7.8).
  std::uint64_t one_time_pre_key_grace_ms = 30ULL * 24 * 3600 * 1000;
  /// A send uses the username -> account binding it has cached (no lookup
  /// on the hot path) and looks the name up again once it is older than
  /// this, or at once when hushd refuses the send as not_found (the name is
  /// no longer that account's). A name that moved to another account is
  /// handled like an identity change. Default: a day.
  std::uint64_t directory_recheck_ms = 24ULL * 3600 * 1000;
  /// receive() asks hushd for its one-time pre-key count (top-up, pruning,
  /// signed pre-key rotation) only when hushd pushed PreKeysLow or this long
  /// after the last time. Default: a day.
  std::uint64_t housekeeping_interval_ms = 24ULL * 3600 * 1000;
  std::chrono::milliseconds reconnect_min{250};   ///< listen(): first backoff
  std::chrono::milliseconds reconnect_max{30000}; ///< listen(): backoff cap
  /// receive() and listen() also return each group change they apply, as a
  /// ReceivedMessage with `group_change` set, so a user interface can show
  /// it (the CLI does). Off by default: a program counting messages sees
  /// only messages and notices, as before.
  bool report_group_changes = false;
  /// One line per notable event (a refused envelope and why, a reconnect):
  /// ids, counts and error names only, never keys or text. Default: silent.
  std::function<void(std::string_view)> on_log;
  /// Test hook: called with the kind of every request sent to hushd
  /// ("send_message", "ack", "pre_key_count", ...): round trips, counted.
  std::function<void(std::string_view kind)> on_request;
  /// Test hook: called after a received message's transaction committed and
  /// before its ack is sent (a crash test `_exit`s here).
  std::function<void(const ReceivedMessage&)> after_commit;
  /// Test hooks of the group rules (never set in an application): play a
  /// misbehaving member or server to show that the others refuse it.
  struct GroupTestHooks {
    bool skip_local_checks = false;  ///< send group changes we are not allowed to make (not applied here)
    std::uint32_t force_version = 0; ///< non-zero: the version written into the changes we send
    /// Also address our group messages to these users' devices (without ever
    /// giving them our key), as a server delivering to a removed member would.
    std::vector<std::string> extra_recipients;
    /// Called with each group message body as uploaded (ciphertext, as the server sees it).
    std::function<void(ByteView body)> on_upload;
    /// Non-zero: a pass over the group change outbox stops after this many
    /// copies the server accepted, leaving the last one queued (as a crash
    /// between the server's answer and its removal would).
    std::size_t outbox_stop_after = 0;
    /// Forward changes in our group state notices altered (renamed to
    /// "forged", signature kept), as a member forging another's change would.
    bool tamper_notices = false;
  } group_test;
  /// Test hook (never set in an application): the decryption errors
  /// (envelope id, ratchet key) to send instead of the one this device would
  /// send for a message it could not decrypt, as a hostile or broken peer
  /// would: forged, repeated, naming messages never sent to it.
  std::function<std::vector<std::pair<Bytes, Bytes>>(ByteView message_id, ByteView ratchet_key)> decryption_error_test;
  /// What the client reaches hushd through; null: the network (TLS
  /// WebSocket and HTTPS). Unit tests pass an in-memory hushd here
  /// (tests/client/fake_hushd.hpp) to drive the pipeline without a server.
  /// The interface is the SDK's private client/src/net/transport.hpp.
  std::shared_ptr<net::TransportFactory> transport;
};

class ClientImpl;

class Client {
 public:
  /// Creates a new home folder and store (for register() or link_begin()).
  /// Errors: conflict (a store exists), forbidden, storage errors.
  static Result<std::unique_ptr<Client>> create(const std::filesystem::path& home, const KeySource& key,
                                                ClientOptions options = {});
  /// Opens an existing store. Errors: not_found (no store), unauthorized
  /// (wrong passphrase or key file), unsupported_version, decode_error, forbidden.
  static Result<std::unique_ptr<Client>> open(const std::filesystem::path& home, const KeySource& key,
                                              ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Registers a new account `username` on `server_url` ("https://host:port",
  /// or "http://127.0.0.1:port" for a loopback hushd with --plain-tcp),
  /// pinning the certificate in `ca_file` (empty: the system trust store).
  /// Makes and stores the identity, a signed pre-key and a batch of one-time
  /// pre-keys. Errors: conflict (already registered here, or username taken),
  /// invalid_argument (bad URL or username), rate_limited, network_failure,
  /// timeout, unavailable, storage errors.
  Result<Identity> register_account(std::string_view server_url, std::string_view username,
                                    const std::filesystem::path& ca_file = {});
  /// "I lost my only device": registers this new store as the only device of
  /// the existing account `username`, with the recovery code given at its
  /// registration (or its last recovery). Every other device of the account
  /// is removed on the server and this one gets a NEW identity key: contacts
  /// see an identity-key change and must accept it (`trust`) before messages
  /// flow again; nothing is trusted silently. Returns the renewed recovery
  /// code (the old one stops working). Errors: unauthorized (wrong code, or
  /// no such account), invalid_argument (a code that is not one), then as
  /// register_account.
  Result<Identity> recover_account(std::string_view server_url, std::string_view username,
                                   std::string_view recovery_code, const std::filesystem::path& ca_file = {});
  /// Errors: not_found (not registered).
  Result<Identity> whoami();

  /// Encrypts `text` for every device of `username` and our own other
  /// devices and returns once the server stored it. Errors: not_found (no
  /// such user, or we are not registered), untrusted_identity (the contact's
  /// key changed: see trust()), invalid_argument (text too long),
  /// network_failure, timeout, unauthorized, storage errors. A device whose
  /// mailbox on the server has no room is not an error: the other devices
  /// got it and SentMessage::refused names it (all refused: nobody did).
  Result<SentMessage> send_text(std::string_view username, std::string_view text);
  /// Queues `text` for `username` in the store's outbox without sending it
  /// (the outbox survives the process): send_queued() sends it. For a user
  /// interface that takes a line while the server is unreachable (issue #16).
  /// Errors: invalid_argument (text too long, empty username), not_found
  /// (not registered), storage errors.
  Result<QueuedText> queue_text(std::string_view username, std::string_view text);
  /// The texts queued and not yet sent, oldest first.
  Result<std::vector<QueuedText>> queued_texts();
  /// Sends the queued texts in the order they were queued, each under the id
  /// it was given (a retry after a lost answer is de-duplicated by the server
  /// and by the recipient: exactly once). The pass stops at the first failure
  /// to reach the server (network_failure, timeout, unavailable, rate_limited,
  /// quota_exceeded): that text and the rest wait for the next pass. A text
  /// refused for any other reason leaves the queue and is reported.
  /// Errors: storage errors only; a server that cannot be reached is not one.
  Result<std::vector<QueuedTextOutcome>> send_queued();
  /// Whether the connection to the server is open now (no network call).
  [[nodiscard]] bool connected() const;

  /// Fetches everything pending, decrypts, stores, de-duplicates and
  /// acknowledges it; if nothing was pending, waits up to `wait` for the
  /// first message. Returns the new messages (never one shown before) and those that could not be decrypted (`failure`).
  /// Errors: not_found (not registered), unauthorized, network_failure, timeout, storage errors.
  Result<std::vector<ReceivedMessage>> receive(std::chrono::seconds wait = std::chrono::seconds(0));

  /// Stays connected and calls `on_message` for each new message until
  /// `stop` is requested; reconnects with exponential backoff. `on_tick`
  /// (optional) is called about every 100 ms on the same thread: it may call
  /// send_text() and other methods, but not receive() or listen().
  /// Errors: not_found (not registered), unauthorized (credential refused:
  /// no reconnect), storage errors.
  Status listen(const std::function<void(const ReceivedMessage&)>& on_message, std::stop_token stop,
                const std::function<void()>& on_tick = {});

  /// The last `limit` messages with `username`, oldest first. Errors: storage errors.
  Result<std::vector<HistoryMessage>> history(std::string_view username, std::size_t limit = 50);
  /// Everyone we have exchanged keys with, by username. Errors: storage errors.
  Result<std::vector<Contact>> contacts();
  /// Our current sessions with `username`'s devices (our own name: our other
  /// devices), by device id; none before the first message. Storage errors.
  Result<std::vector<SessionInfo>> sessions(std::string_view username);

  /// The safety number of our conversation with `username` (fetching their
  /// key from the server if we have none). Errors: not_found, network errors.
  Result<SafetyNumber> safety_number(std::string_view username);
  /// Marks `username` verified (after comparing the safety number). A later
  /// key change clears it. Errors: not_found, conflict (a key change is pending: trust() first).
  Status verify(std::string_view username);
  /// Accepts `username`'s changed identity key; sessions with the old key
  /// are dropped. Errors: not_found (no change pending).
  Status trust(std::string_view username);
  /// As trust(), but only if the pending key is `expected_key_hex` (the
  /// SafetyNumber::pending_key_hex the user was shown): conflict when another
  /// change arrived meanwhile, and nothing is accepted.
  Status trust(std::string_view username, std::string_view expected_key_hex);

  /// On a new device (a store made with create(), not registered): opens
  /// hushd's provisioning socket (/v1/provisioning), makes a provisioning
  /// key pair (kept in memory only) and returns the code that carries the
  /// socket's address and the public key. Call link_complete() next, on this
  /// Client, while the code is shown. A second call replaces the first
  /// (its code stops working). Errors: conflict (already registered),
  /// invalid_argument (bad URL), rate_limited (too many waiting sockets from
  /// this address), network_failure, timeout.
  Result<LinkOffer> link_begin(std::string_view server_url, const std::filesystem::path& ca_file = {});
  /// On the new device: waits up to `wait` (or until `stop`) for the
  /// provisioning message an existing device sent with approve_device(),
  /// opens it with the provisioning key, and registers this device with the
  /// account's identity and the link token it carries. Errors: timeout
  /// (nothing came within `wait` or before `stop`: the socket stays open, call
  /// again), not_found (no link_begin on this Client, its link already ended,
  /// or, context "link code expired", the server's 10 minutes passed),
  /// network_failure (the relay closed the socket: server shutdown, connection
  /// lost), bad_mac (the message was not sealed for this code),
  /// bad_key / invalid_message / unsupported_version / decode_error (a bad
  /// message), unauthorized (the link token was used or expired), conflict.
  /// Any error but a plain timeout ends the link: run link_begin() again.
  Result<Identity> link_complete(std::chrono::seconds wait, std::stop_token stop = {});
  /// On an existing device: checks the code (length, checksum, key), asks the
  /// server for a link token, seals our identity and the token to the code's
  /// key and sends that through the server's relay to the new device waiting
  /// at the code's address (ProvisionDeviceRequest). Returns once the server
  /// handed it over. Errors: invalid_argument (malformed code or checksum:
  /// context "link code ..."), bad_key, not_found (not registered; or, context
  /// "nobody waits for this code", the code expired, was used already or its
  /// device stopped waiting), network errors.
  Status approve_device(std::string_view code);
  /// Our account's devices. Errors: not_found (not registered), network errors.
  Result<std::vector<DeviceInfo>> devices();
  /// Revokes one of our devices (the server forgets its credential and queue).
  /// Errors: not_found, invalid_argument (the last device), network errors.
  Status remove_device(std::uint32_t device_id);

  // ---- groups (docs/protocol.md §8). GROUP is a group's name, or its id in
  // hex (at least 8 leading digits); a name held by two groups is conflict.

  /// Creates a group named `name` with us and `members` (usernames); we are
  /// its admin. The change is applied here and queued for every member
  /// account in one transaction, then sent to every device of every member;
  /// copies the server did not take stay queued, are retried before later
  /// operations that reach the server, and show in the result's
  /// pending_changes / awaiting_delivery (docs/protocol.md §8.3, "Delivery"):
  /// that is success, not an error. Errors (nothing applied): invalid_argument
  /// (empty or long name, bad or too many members), not_found (a member does
  /// not exist, or we are not registered), network errors (a member's account
  /// is not known here and the server is unreachable), storage errors.
  Result<GroupInfo> group_create(std::string_view name, const std::vector<std::string>& members);
  /// First drains what is pending (our queued changes go out, changes and
  /// keys waiting for us are applied; texts received meanwhile come back in
  /// `received`), then encrypts `text` once with our Sender Key for the group
  /// and uploads it once for every device of every member (our key first
  /// goes, over the pairwise sessions, to member devices that lack it), with
  /// our group version and members hash (§8.7). Errors: not_found
  /// (no such group), conflict (ambiguous name), forbidden (we are no longer
  /// a member), stale_state (a member showed a newer version of the group
  /// that has not reached us: we asked for it; nothing sent), invalid_argument
  /// (text too long), stale_devices (device lists
  /// kept changing), untrusted_identity, network errors, storage errors.
  /// Member devices whose mailbox has no room are not an error: every other
  /// device got it and SentMessage::refused names them.
  Result<SentMessage> group_send(std::string_view group, std::string_view text);
  /// Adds `username` (admins only). Applied, queued and sent as
  /// group_create's change (the newcomer's copy goes after the members').
  /// Errors as group_create, and forbidden (not an admin, or no longer a member).
  Result<GroupInfo> group_add(std::string_view group, std::string_view username);
  /// Removes `username` (admins only); every remaining member then rotates
  /// its Sender Key. Errors as group_add.
  Result<GroupInfo> group_remove(std::string_view group, std::string_view username);
  /// Leaves the group (anyone). Errors as group_add.
  Result<GroupInfo> group_leave(std::string_view group);
  /// Renames the group (admins only). Errors as group_add.
  Result<GroupInfo> group_rename(std::string_view group, std::string_view new_name);
  /// The group's members, admins, version, history and refused changes, and
  /// our changes to it still waiting for delivery.
  /// Errors: not_found, conflict (ambiguous name), storage errors.
  Result<GroupInfo> group_info(std::string_view group);
  /// Every group we know (also those we left), by name.
  Result<std::vector<GroupInfo>> groups();
  /// The last `limit` messages of the group, oldest first. Errors as group_info.
  Result<std::vector<HistoryMessage>> group_history(std::string_view group, std::size_t limit = 50);

  /// Decrypts a group message body (as uploaded by `sender`'s device
  /// `device`) with the keys this device holds now, as if the server had
  /// delivered it, and changes nothing (no history, no chain progress): what
  /// this device can read of it. For tests and audits. Errors: no_session
  /// (no key for it: e.g. sent after we were removed, or before we joined),
  /// bad_signature, duplicate_message, invalid_message, forbidden (the sender
  /// is not a member), decode_error, storage errors.
  Result<ReceivedMessage> open_group_body(std::string_view sender, std::uint32_t device, ByteView body);

  /// Tops up one-time pre-keys when the server holds fewer than
  /// options.pre_key_low_water and rotates the signed pre-key when older than
  /// options.signed_pre_key_rotation_ms (removing ones past the grace
  /// period). Runs by itself after register and receive. Errors: network, storage.
  Result<HousekeepingReport> housekeeping();

  /// Closes the server connection (reopened on demand).
  void disconnect();

 private:
  explicit Client(std::unique_ptr<ClientImpl> impl);
  std::unique_ptr<ClientImpl> impl_;
};

}  // namespace hush::client
