// Registry bookkeeping (see registry.hpp): a token per connection, an index
// from peer id to tokens. Callbacks run outside the mutex so a connection may
// call back into the registry.
#include "net/registry.hpp"

#include <vector>

namespace hush::server::net {

Registry::Token Registry::add(std::weak_ptr<Connection> connection) {
  std::shared_ptr<Connection> late;
  Token token = 0;
  {
    std::lock_guard lock(mutex_);
    token = next_++;
    if (shutting_down_) late = connection.lock();
    entries_.emplace(token, Entry{std::move(connection), {}});
  }
  if (late) late->shutdown();
  return token;
}

void Registry::bind(Token token, const std::string& peer) {
  std::shared_ptr<Connection> revoked;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(token);
    if (it == entries_.end()) return;
    it->second.peer = peer;
    by_peer_.emplace(peer, token);
    if (observer_) observer_(peer, true);
    for (const auto& r : revoked_) {
      if (r.second == peer) revoked = it->second.connection.lock();
    }
  }
  if (revoked) revoked->shutdown();
}

std::size_t Registry::disconnect(const std::string& peer) {
  std::vector<std::shared_ptr<Connection>> targets;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    while (!revoked_.empty() && now - revoked_.front().first > kRevokedMemory) revoked_.pop_front();
    revoked_.emplace_back(now, peer);
    auto [lo, hi] = by_peer_.equal_range(peer);
    for (auto p = lo; p != hi; ++p) {
      auto e = entries_.find(p->second);
      if (e == entries_.end()) continue;
      if (auto c = e->second.connection.lock()) targets.push_back(std::move(c));
    }
  }
  for (auto& c : targets) c->shutdown();
  return targets.size();
}

void Registry::set_bind_observer(BindObserver observer) {
  std::lock_guard lock(mutex_);
  observer_ = std::move(observer);
}

void Registry::remove(Token token) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(token);
  if (it == entries_.end()) return;
  if (!it->second.peer.empty()) {
    if (observer_) observer_(it->second.peer, false);
    auto [lo, hi] = by_peer_.equal_range(it->second.peer);
    for (auto p = lo; p != hi; ++p) {
      if (p->second == token) {
        by_peer_.erase(p);
        break;
      }
    }
  }
  entries_.erase(it);
}

std::vector<std::shared_ptr<Connection>> Registry::bound_to(const std::string& peer) const {
  std::vector<std::shared_ptr<Connection>> targets;
  std::lock_guard lock(mutex_);
  auto [lo, hi] = by_peer_.equal_range(peer);
  for (auto p = lo; p != hi; ++p) {
    auto e = entries_.find(p->second);
    if (e == entries_.end()) continue;
    if (auto c = e->second.connection.lock()) targets.push_back(std::move(c));
  }
  return targets;
}

std::size_t Registry::notify(const std::string& peer) {
  auto targets = bound_to(peer);
  for (auto& c : targets) c->wake();
  return targets.size();
}

std::size_t Registry::notify_all() {
  std::vector<std::shared_ptr<Connection>> targets;
  {
    std::lock_guard lock(mutex_);
    targets.reserve(entries_.size());
    for (auto& [token, e] : entries_) {
      if (auto c = e.connection.lock()) targets.push_back(std::move(c));
    }
  }
  for (auto& c : targets) c->wake();
  return targets.size();
}

std::size_t Registry::push_frame(const std::string& peer, std::uint64_t seq, Bytes frame) {
  auto targets = bound_to(peer);
  // Usually one session per device; each extra one gets a copy.
  for (std::size_t i = 0; i < targets.size(); ++i) {
    targets[i]->push_frame(seq, i + 1 == targets.size() ? std::move(frame) : frame);
  }
  return targets.size();
}

std::size_t Registry::send_notice(const std::string& peer, const Bytes& frame) {
  auto targets = bound_to(peer);
  for (auto& t : targets) t->send_notice(frame);
  return targets.size();
}

void Registry::shutdown_all() {
  std::vector<std::shared_ptr<Connection>> targets;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    for (auto& [token, e] : entries_) {
      if (auto c = e.connection.lock()) targets.push_back(std::move(c));
    }
  }
  for (auto& c : targets) c->shutdown();
}

std::size_t Registry::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace hush::server::net
