// The registry of live connections: every connection (for graceful
// shutdown) and, once authenticated, the peer it serves (so a delivery
// notification wakes the right sessions to drain their mailbox, and a
// removed device's sessions can be closed). Thread-safe; wake() and
// shutdown() are called outside the lock.
#pragma once

#include <hush/util/bytes.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace hush::server::net {

/// What the registry can ask of a connection; both calls are thread-safe and
/// return at once (the work is posted to the connection's strand).
class Connection {
 public:
  virtual ~Connection() = default;
  /// New mail for this peer: fetch it from the mailbox and push it.
  virtual void wake() = 0;
  /// New mail for this peer, already serialized: push `frame` directly when
  /// `seq` is the next one this connection expects and there is room, else
  /// behave as wake(). The default is wake().
  virtual void push_frame(std::uint64_t /*seq*/, Bytes /*frame*/) { wake(); }
  /// A frame outside the mailbox (a notice such as "pre-keys low"): queued
  /// like an answer, dropped when the connection is closing. Default: dropped.
  virtual void send_notice(Bytes /*frame*/) {}
  /// Stop reading, finish queued writes (and the answer to a request being
  /// handled), close.
  virtual void shutdown() = 0;
};

class Registry {
 public:
  using Token = std::uint64_t;

  /// Adds a connection; the token removes it.
  Token add(std::weak_ptr<Connection> connection);
  /// Records that the connection serves `peer` (after authentication). A
  /// peer disconnected in the last kRevokedMemory is shut down at once: it
  /// authenticated just before its device was removed.
  void bind(Token token, const std::string& peer);
  void remove(Token token);

  /// Told when a peer gains a bound connection (true) and when one of its
  /// connections ends (false), once per connection; called under the
  /// registry's lock, so it must only hand the news on (e.g. post it).
  using BindObserver = std::function<void(const std::string& peer, bool bound)>;
  void set_bind_observer(BindObserver observer);

  /// Wakes every connection bound to `peer`; returns how many.
  std::size_t notify(const std::string& peer);
  /// Wakes every connection (each reads its mailbox once); returns how many.
  std::size_t notify_all();
  /// Hands `frame` (row `seq` of `peer`'s mailbox) to every connection bound
  /// to `peer` (Connection::push_frame); returns how many. None: the mailbox
  /// keeps it for the next connection.
  std::size_t push_frame(const std::string& peer, std::uint64_t seq, Bytes frame);
  /// Hands `frame` to every connection bound to `peer` as a notice
  /// (Connection::send_notice); returns how many.
  std::size_t send_notice(const std::string& peer, const Bytes& frame);
  /// Shuts down every connection bound to `peer` (its device was removed)
  /// and refuses it in bind() for a while; returns how many were open.
  std::size_t disconnect(const std::string& peer);
  /// Asks every connection to shut down; new ones are shut down as they come.
  void shutdown_all();

  [[nodiscard]] std::size_t size() const;

  /// Longer than any authentication can take before its session binds (the
  /// handshake timeout); a removed device's id never authenticates again.
  static constexpr std::chrono::minutes kRevokedMemory{2};

 private:
  struct Entry {
    std::weak_ptr<Connection> connection;
    std::string peer;
  };
  /// The live connections bound to `peer` (taken under the lock, called outside it).
  std::vector<std::shared_ptr<Connection>> bound_to(const std::string& peer) const;
  mutable std::mutex mutex_;
  BindObserver observer_;
  Token next_ = 1;
  bool shutting_down_ = false;
  std::unordered_map<Token, Entry> entries_;
  std::unordered_multimap<std::string, Token> by_peer_;
  /// Peers disconnected recently, oldest first.
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> revoked_;
};

}  // namespace hush::server::net
