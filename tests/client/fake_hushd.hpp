// An in-memory hushd for the SDK's unit tests (issue #16 item 3): it
// implements the SDK's private net::TransportFactory, so Clients registered
// on it run their real send and receive pipelines with no process, socket or
// thread. It keeps what hushd keeps (accounts, devices, pre-keys, one
// mailbox per device with seqs, send idempotency) and answers as
// docs/server/api.md says, for the requests the SDK makes: registration and
// recovery, lookup, bundle fetches, 1:1 and fan-out sends with their
// stale-device answers, acks, drains, pre-key counts and uploads, device lists.
//
// What it leaves out on purpose: TLS, signatures and proofs (never checked:
// the real hushd's checks have their own tests), rate limits, mailbox caps,
// device linking. Single-threaded like the SDK: a pushed envelope is queued
// on the live sessions at once, and waiting never waits (nothing else can
// happen while a test's call runs).
//
// Test controls: deliver any envelope to a device, push one again, withhold
// or drop mail, rename accounts, fail the next calls, count requests.
#pragma once

#include "net/transport.hpp"  // client/src: the SDK's private interface

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace hush::client::testing {

namespace pb = ::hush::service::v1;

class FakeTransport;

class FakeHushd final : public net::TransportFactory, public std::enable_shared_from_this<FakeHushd> {
 public:
  /// A Client's server URL for this fake (any URL reaches it).
  static constexpr const char* kUrl = "https://hushd.test:8443";

  [[nodiscard]] static std::shared_ptr<FakeHushd> make() { return std::shared_ptr<FakeHushd>(new FakeHushd()); }

  // net::TransportFactory
  std::unique_ptr<net::Transport> open(const net::ServerUrl& url, const std::filesystem::path& ca_file,
                                       std::string authorization) override;
  Result<net::HttpAnswer> post(const net::ServerUrl& url, const std::filesystem::path& ca_file,
                               const std::string& target, const std::string& body,
                               std::chrono::milliseconds timeout) override;
  /// No linking here (the e2e tests link through a real hushd): a socket
  /// whose open() says `unavailable`.
  std::unique_ptr<net::ProvisioningSocket> open_provisioning(const net::ServerUrl& url,
                                                             const std::filesystem::path& ca_file) override;

  // ------------------------------------------------------------ test controls

  /// The account id (16 bytes) of `username`; empty when nobody holds it.
  [[nodiscard]] std::string account_of(const std::string& username) const;
  /// Gives `account` the name `username` (empty: no name). A name another
  /// account held leaves it: hushd maps a name to one account at a time.
  void set_username(const std::string& account, const std::string& username);
  /// Stores `e` in the mailbox of (`account`, `device`) under a fresh seq
  /// (e.seq is replaced) and pushes it to the device's live sessions unless
  /// withheld. A zero server timestamp gets the fake's clock. Returns the seq.
  std::uint64_t deliver(const std::string& account, std::uint32_t device, pb::Envelope e);
  /// Pushes the stored envelope `seq` again, same seq, to the device's live
  /// sessions (hushd redelivers what was not acked). False if it is not stored.
  bool push_again(const std::string& account, std::uint32_t device, std::uint64_t seq);
  /// While withheld, envelopes stored for the device are kept but not
  /// pushed; releasing pushes them to the live sessions.
  void withhold(const std::string& account, std::uint32_t device, bool withheld);
  /// Deletes `seq` from the device's mailbox unseen (a lost message).
  bool drop(const std::string& account, std::uint32_t device, std::uint64_t seq);
  /// What the device's mailbox holds (not yet acked), by seq.
  [[nodiscard]] std::vector<pb::Envelope> mailbox(const std::string& account, std::uint32_t device) const;
  /// Whether the device acked `seq`.
  [[nodiscard]] bool acked(const std::string& account, std::uint32_t device, std::uint64_t seq) const;
  /// Gives the device another registration id, as a reinstall would: a
  /// sender's session with it is stale (410 with its bundle).
  void set_registration_id(const std::string& account, std::uint32_t device, std::uint32_t registration_id);
  /// One-time pre-keys (EC, Kyber) the device still holds on the server.
  [[nodiscard]] std::pair<std::size_t, std::size_t> pre_keys(const std::string& account, std::uint32_t device) const;
  /// The device ids of an account, ascending.
  [[nodiscard]] std::vector<std::uint32_t> devices(const std::string& account) const;

  /// The next `n` calls fail with network_failure, as a lost connection:
  /// with `kind` ("ack", "send_message", "connect", "register", ...) only
  /// calls of that kind, else any call (connect and POSTs included).
  void fail_next(std::size_t n, std::string kind = {});
  /// Requests answered (or failed) so far of `kind` ("send_message", "ack",
  /// ..., "connect", "register_challenge", "register"); with `account` (16
  /// bytes) only those that account's devices made.
  [[nodiscard]] std::size_t requests(const std::string& kind, const std::string& account = {}) const;
  /// Every request so far, in order, as "kind".
  [[nodiscard]] std::vector<std::string> request_log() const;
  void reset_requests();
  /// One-time EC pre-keys below this after a fetch: the device's live
  /// sessions get PreKeysLow. 0 (the default): never.
  void set_pre_key_low_water(std::size_t n) { low_water_ = n; }

 private:
  friend class FakeTransport;

  FakeHushd() = default;

  struct Device {
    std::uint32_t registration_id = 0;
    std::string credential;
    std::int64_t created_ms = 0;
    pb::SignedPreKey signed_pre_key;
    std::map<std::uint32_t, pb::OneTimePreKey> one_time;
    std::map<std::uint32_t, pb::KyberPreKey> kyber;
    std::optional<pb::KyberPreKey> last_resort;
    std::map<std::uint64_t, pb::Envelope> mailbox;
    std::set<std::uint64_t> acked;
    bool withheld = false;
  };
  struct Account {
    std::string id;  // 16 bytes
    std::string username;
    std::string identity_key;
    std::string recovery_code;
    std::uint32_t next_device = 1;
    std::map<std::uint32_t, Device> devices;
  };
  struct Logged {
    std::string kind;
    std::string account;
  };
  /// The sender's device and the message id: hushd's idempotency key.
  using SentKey = std::tuple<std::string, std::uint32_t, std::string>;

  // One request on an authenticated session of (`account`, `device`).
  pb::Response handle(const std::string& account, std::uint32_t device, const pb::ClientFrame& f);
  void upload_keys(Account& a, Device& d, const pb::UploadKeysRequest& r, pb::Response& out);
  void fetch_bundles(const std::string& caller, const pb::FetchBundlesRequest& r, pb::Response& out);
  void send_message(const std::string& account, std::uint32_t device, const pb::SendMessageRequest& r,
                    pb::Response& out);
  void send_multi(const std::string& account, std::uint32_t device, const pb::SendMultiRequest& r,
                  pb::Response& out);
  void ack(Device& d, const pb::AckRequest& r, pb::Response& out);
  net::HttpAnswer register_device(const pb::RegisterRequest& r);

  /// Bundles of `a`'s `ids` (one-time keys handed out once, Kyber last-resort
  /// when none is left).
  pb::FetchBundlesResponse bundles_of(Account& a, const std::vector<std::uint32_t>& ids);
  /// Differences between a sender's view of `a` and its devices (the
  /// sending device itself is never expected).
  pb::StaleDevices compare(const Account& a, const std::map<std::uint32_t, std::uint32_t>& named,
                           const std::string& sender, std::uint32_t sender_device) const;
  /// Whether the next call of `kind` fails (and counts it down).
  bool failing(const std::string& kind);
  void log(const std::string& kind, const std::string& account);
  Account* find(const std::string& account);
  const Account* find(const std::string& account) const;
  Device* find(const std::string& account, std::uint32_t device);
  const Device* find(const std::string& account, std::uint32_t device) const;
  void push(const std::string& account, std::uint32_t device, const pb::Envelope& e);
  std::int64_t tick() { return ++clock_ms_; }

  std::map<std::string, Account> accounts_;           // by account id
  std::map<SentKey, std::int64_t> sent_;              // idempotency: when first stored
  std::set<FakeTransport*> live_;                     // open sessions
  std::vector<Logged> log_;
  std::size_t fail_count_ = 0;
  std::string fail_kind_;
  std::size_t low_water_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_account_ = 1;
  std::uint64_t next_challenge_ = 1;
  std::int64_t clock_ms_ = 1'700'000'000'000;
};

/// One session with the fake: authenticated by the Authorization header the
/// SDK builds, fed the device's mailbox on connect, then QueueEmpty.
class FakeTransport final : public net::Transport {
 public:
  FakeTransport(std::shared_ptr<FakeHushd> server, std::string authorization);
  ~FakeTransport() override;
  FakeTransport(const FakeTransport&) = delete;
  FakeTransport& operator=(const FakeTransport&) = delete;

  [[nodiscard]] Status connect(std::chrono::milliseconds timeout) override;
  [[nodiscard]] bool is_open() const noexcept override { return open_; }
  [[nodiscard]] bool still_open() override { return open_; }
  Result<pb::Response> call(pb::ClientFrame frame, std::chrono::milliseconds timeout) override;
  Result<std::optional<pb::Envelope>> next_envelope(std::chrono::milliseconds timeout, Wait wait) override;
  [[nodiscard]] bool drained() const noexcept override { return drained_; }
  [[nodiscard]] std::chrono::steady_clock::time_point connect_started() const noexcept override {
    return connect_started_;
  }
  [[nodiscard]] bool take_pre_keys_low() noexcept override { return std::exchange(pre_keys_low_, false); }
  void close() override;

 private:
  friend class FakeHushd;

  std::shared_ptr<FakeHushd> server_;
  std::string authorization_;
  std::string account_;  // 16 bytes, once connected
  std::uint32_t device_ = 0;
  bool open_ = false;
  bool drained_ = false;
  bool pre_keys_low_ = false;
  std::chrono::steady_clock::time_point connect_started_{};
  std::deque<pb::Envelope> pushed_;
};

}  // namespace hush::client::testing
