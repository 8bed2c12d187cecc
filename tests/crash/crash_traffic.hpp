// The traffic of the crash test: sender loops that retry each message (same
// id) until hushd acknowledges it, receiver loops that de-duplicate by
// (sender, message id) and acknowledge, and the ledger both write to. Each
// loop owns its TestClient, follows hushd across restarts through
// ServerEndpoint, and stops by itself (a stop flag, bounded counts and waits).
#pragma once

#include "test_account.hpp"
#include "test_client.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hush::testing {

/// Where the hushd nodes listen now: one slot per node, port 0 while that
/// node is down. Written by the test's main thread at each kill and restart;
/// read by the traffic loops, which go to their home node when it is up and
/// otherwise to the next node that is (as a client walks its server list).
class ServerEndpoint {
 public:
  struct Address {
    std::string host;
    std::uint16_t port = 0;
    std::string cert_file;
  };
  explicit ServerEndpoint(std::size_t nodes = 1) : addresses_(nodes) {}
  /// Node `node` is up at `address` / down (its clients must move).
  void up(std::size_t node, Address address);
  void down(std::size_t node);
  /// The one-node forms (node 0).
  void up(Address address) { up(0, std::move(address)); }
  void down() { down(0); }
  /// The address of node `home` when it is up, else of the next node that
  /// is, waiting up to `timeout` for any node to be up.
  std::optional<Address> wait_up(std::chrono::milliseconds timeout, std::size_t home = 0);
  /// How many connections went to another node than their home node.
  [[nodiscard]] std::uint64_t moved() const { return moved_.load(); }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Address> addresses_;
  std::atomic<std::uint64_t> moved_{0};
};

/// What the crash test counts (docs in crash_test.cpp's report).
struct CrashCounts {
  std::uint64_t acknowledged = 0;        ///< sends answered 200 (first time per id)
  std::uint64_t delivered = 0;           ///< distinct messages handed to the application
  std::uint64_t lost = 0;                ///< acknowledged, never delivered
  std::uint64_t delivered_unacknowledged = 0;  ///< stored, but the answer was lost in a crash
  std::uint64_t wire_duplicates = 0;     ///< envelopes for a message already seen
  std::uint64_t redelivered = 0;         ///< ...with the same seq (an ack lost in a crash)
  std::uint64_t stored_twice = 0;        ///< ...with another seq: a retry stored again
  std::uint64_t after_dedup = 0;         ///< messages handed to the application twice
  std::uint64_t corrupt = 0;             ///< content differs from what was sent
  std::uint64_t order_violations = 0;    ///< a sender's messages first delivered out of order
  std::uint64_t send_retries = 0;        ///< sends repeated after a failure
  std::uint64_t retries_already_stored = 0;  ///< retries answered "duplicate": stored before the kill
  std::uint64_t quota_waits = 0;         ///< sends refused 507 (recipient queue full), retried later
  std::uint64_t unexpected_status = 0;   ///< a send refused for another reason than the crash
  std::uint32_t last_unexpected = 0;     ///< the last such status
};

/// The shared record of what was acknowledged and delivered. Thread-safe.
class Ledger {
 public:
  /// A send answered 200; `duplicate` as the response said.
  void acknowledged(const std::string& key, bool duplicate);
  void retried();
  void unexpected_status(std::uint32_t status);
  void quota_wait();
  /// A pushed envelope from `stream` (a sender thread) with index `index`;
  /// false when it was already delivered (the application does not see it again).
  bool delivered(const std::string& key, std::uint64_t seq, std::uint32_t stream, std::uint64_t index,
                 bool content_ok);
  [[nodiscard]] bool all_acknowledged_delivered() const;
  [[nodiscard]] CrashCounts counts() const;

 private:
  mutable std::mutex mutex_;
  std::set<std::string> acknowledged_;
  std::map<std::string, std::uint64_t> first_seq_;
  std::map<std::uint32_t, std::uint64_t> last_index_;
  std::vector<std::string> handed_to_application_;
  CrashCounts counts_;
};

/// The counts as one "crash-test backend=LABEL cycles=N ..." line (no newline).
std::string crash_report(const std::string& label, int cycles, const CrashCounts& c);

/// The message id and body of message `index` of sender stream `stream`.
std::string crash_message_id(std::uint32_t stream, std::uint64_t index);
std::string crash_message_body(std::uint32_t stream, std::uint64_t index);

/// Sends messages 0, 1, ... from `from` to `to` until `stop` (or
/// `max_messages`), each retried with its id until acknowledged; connects
/// to node `home` while it is up (ServerEndpoint::wait_up).
void run_sender(ServerEndpoint& endpoint, Ledger& ledger, const TestDevice& from, const TestDevice& to,
                std::uint32_t stream, std::uint64_t max_messages, const std::atomic<bool>& stop,
                std::size_t home = 0);

/// Receives and acknowledges `device`'s envelopes until `stop`, on node
/// `home` while it is up.
void run_receiver(ServerEndpoint& endpoint, Ledger& ledger, const TestDevice& device, const std::atomic<bool>& stop,
                  std::size_t home = 0);

}  // namespace hush::testing
