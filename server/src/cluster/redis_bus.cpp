#include "cluster/redis_bus.hpp"

#include "cluster/resp_connection.hpp"

#include <hiredis/hiredis.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace hush::server::cluster {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kChannelPrefix = "hush:d:";
constexpr std::string_view kProvisioningPrefix = "hush:p:";
constexpr std::string_view kWake = "w";
constexpr std::string_view kDisconnect = "x";
constexpr std::chrono::milliseconds kConnectTimeout{2000};
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
/// Channels per SUBSCRIBE when restoring (keeps each command small).
constexpr std::size_t kSubscribeBatch = 1000;

std::string_view as_view(const redisReply& r) {
  return {r.str, r.len};
}

}  // namespace

struct RedisBus::Impl {
  Impl(RedisEndpoint to, BusEvents ev)
      : endpoint(std::move(to)),
        events(std::move(ev)),
        work(asio::make_work_guard(io)),
        pub(
            io, {}, [this](const redisReply& r) { on_pub_reply(r); },
            [this] {
              fail_pending_relays();
              lost(pub, pub_timer, pub_backoff);
            }),
        sub(
            io, {}, [this](const redisReply& r) { on_sub_reply(r); },
            [this] {
              unconfirm_provisioning();
              lost(sub, sub_timer, sub_backoff);
            }),
        pub_timer(io),
        sub_timer(io) {}

  // Everything below runs on the bus thread.

  void start() {
    open(pub, pub_timer, pub_backoff);
    open(sub, sub_timer, sub_backoff);
  }

  void open(RespConnection& c, asio::steady_timer& timer, std::chrono::milliseconds& backoff) {
    c.connect(endpoint, kConnectTimeout, [this, &c, &timer, &backoff](bool ok) {
      if (!ok) {
        update_health(true);  // Redis absent at start is reported once, as down
        return retry(c, timer, backoff);
      }
      backoff = kFirstBackoff;
      reconnects.fetch_add(1, std::memory_order_relaxed);
      if (&c == &sub) resubscribe();
      update_health(false);
    });
  }

  void retry(RespConnection& c, asio::steady_timer& timer, std::chrono::milliseconds& backoff) {
    timer.expires_after(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
    timer.async_wait([this, &c, &timer, &backoff](boost::system::error_code ec) {
      if (!ec) open(c, timer, backoff);
    });
  }

  void lost(RespConnection& c, asio::steady_timer& timer, std::chrono::milliseconds& backoff) {
    update_health(true);
    retry(c, timer, backoff);
  }

  /// Reports up once both connections are open, and down when one is lost
  /// or (before anything was reported) a connection attempt failed; each
  /// state once until it changes.
  void update_health(bool failure) {
    const bool now = pub.is_open() && sub.is_open();
    if (reported && now == healthy.load(std::memory_order_relaxed)) return;
    if (!now && !failure) return;  // one connection up, the other still coming
    reported = true;
    healthy.store(now, std::memory_order_relaxed);
    if (events.health) events.health(now);
  }

  void resubscribe() {
    std::vector<std::string> channels;
    channels.reserve(held.size() + provisioning.size());
    for (const auto& [device, count] : held) channels.push_back(channel(device));
    unconfirm_provisioning();
    for (const auto& [address, confirmed] : provisioning) channels.push_back(provisioning_channel(address));
    for (std::size_t i = 0; i < channels.size(); i += kSubscribeBatch) {
      std::vector<std::string_view> args{"SUBSCRIBE"};
      for (std::size_t j = i; j < std::min(channels.size(), i + kSubscribeBatch); ++j) args.push_back(channels[j]);
      (void)sub.send(args);
    }
  }

  void hold(const std::string& device) {
    if (held[device]++ > 0) return;
    held_count.store(held.size(), std::memory_order_relaxed);
    const std::string ch = channel(device);
    (void)sub.send({"SUBSCRIBE", ch});  // while closed: resubscribe() sends it on connect
  }

  void release(const std::string& device) {
    auto it = held.find(device);
    if (it == held.end() || --it->second > 0) return;
    held.erase(it);
    held_count.store(held.size(), std::memory_order_relaxed);
    const std::string ch = channel(device);
    (void)sub.send({"UNSUBSCRIBE", ch});
  }

  void publish(const std::string& device, std::string_view what) {
    const std::string ch = channel(device);
    if (pub.send({"PUBLISH", ch, what})) {
      pending_relays.emplace_back();  // a wake-up: its answer is not awaited
      published.fetch_add(1, std::memory_order_relaxed);
    } else {
      publish_dropped.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void hold_provisioning(const std::string& address) {
    if (!provisioning.emplace(address, false).second) return;
    const std::string ch = provisioning_channel(address);
    (void)sub.send({"SUBSCRIBE", ch});  // while closed: resubscribe() sends it on connect
  }

  void release_provisioning(const std::string& address) {
    auto it = provisioning.find(address);
    if (it == provisioning.end()) return;
    if (it->second) provisioning_confirmed.fetch_sub(1, std::memory_order_relaxed);
    provisioning.erase(it);
    const std::string ch = provisioning_channel(address);
    (void)sub.send({"UNSUBSCRIBE", ch});
  }

  void relay_provisioning(const std::string& address, const std::string& frame,
                          std::function<void(RelayOutcome)> done) {
    const std::string ch = provisioning_channel(address);
    if (!pub.send({"PUBLISH", ch, frame})) return done(RelayOutcome::unavailable);
    pending_relays.push_back(std::move(done));
  }

  /// The pub connection is gone with the answers still due: nobody knows
  /// whether those frames arrived, so their senders hear "unavailable".
  void fail_pending_relays() {
    auto waiting = std::move(pending_relays);
    pending_relays.clear();
    for (auto& done : waiting) {
      if (done) done(RelayOutcome::unavailable);
    }
  }

  /// The sub connection is gone: no provisioning subscription is in effect
  /// until Redis confirms it again.
  void unconfirm_provisioning() {
    for (auto& [address, confirmed] : provisioning) confirmed = false;
    provisioning_confirmed.store(0, std::memory_order_relaxed);
  }

  void on_pub_reply(const redisReply& r) {
    // Replies come in command order: the front entry is this reply's. For a
    // wake-up it is empty (zero subscribers is normal: the device is offline
    // and its mail waits in storage); a provisioning relay learns whether a
    // node held the address.
    if (pending_relays.empty()) return;
    auto done = std::move(pending_relays.front());
    pending_relays.pop_front();
    if (!done) return;
    if (r.type != REDIS_REPLY_INTEGER) return done(RelayOutcome::unavailable);
    if (r.integer > 0) {
      provisioning_relayed.fetch_add(1, std::memory_order_relaxed);
      return done(RelayOutcome::delivered);
    }
    done(RelayOutcome::not_held);
  }

  void on_sub_reply(const redisReply& r) {
    // ["message", channel, payload] or ["subscribe", channel, count].
    if (r.type != REDIS_REPLY_ARRAY || r.elements != 3) return;
    const redisReply& kind = *r.element[0];
    const redisReply& ch = *r.element[1];
    if (kind.type != REDIS_REPLY_STRING || ch.type != REDIS_REPLY_STRING) return;
    std::string_view name = as_view(ch);
    if (name.substr(0, kProvisioningPrefix.size()) == kProvisioningPrefix) {
      return on_provisioning(as_view(kind), std::string(name.substr(kProvisioningPrefix.size())), *r.element[2]);
    }
    if (name.substr(0, kChannelPrefix.size()) != kChannelPrefix) return;
    const std::string device(name.substr(kChannelPrefix.size()));
    if (held.find(device) == held.end()) return;  // released since
    if (as_view(kind) == "subscribe") {
      // From now on every publish reaches us; one stored before did not:
      // the node reads the device's mailbox once to close that window.
      if (events.wake) events.wake(device);
      return;
    }
    const redisReply& payload = *r.element[2];
    if (as_view(kind) != "message" || payload.type != REDIS_REPLY_STRING) return;
    received.fetch_add(1, std::memory_order_relaxed);
    const std::string_view what = as_view(payload);
    if (what == kWake && events.wake) events.wake(device);
    if (what == kDisconnect && events.disconnect) events.disconnect(device);
  }

  void on_provisioning(std::string_view kind, const std::string& address, const redisReply& payload) {
    auto it = provisioning.find(address);
    if (it == provisioning.end()) return;  // released since
    if (kind == "subscribe") {
      if (!it->second) provisioning_confirmed.fetch_add(1, std::memory_order_relaxed);
      it->second = true;
      return;
    }
    if (kind != "message" || payload.type != REDIS_REPLY_STRING) return;
    provisioning_received.fetch_add(1, std::memory_order_relaxed);
    if (events.provisioning) events.provisioning(address, std::string(as_view(payload)));
  }

  RedisEndpoint endpoint;
  BusEvents events;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  RespConnection pub;  ///< PUBLISH (a subscribed connection can send nothing else)
  RespConnection sub;  ///< SUBSCRIBE / UNSUBSCRIBE and the messages
  asio::steady_timer pub_timer;
  asio::steady_timer sub_timer;
  std::chrono::milliseconds pub_backoff{kFirstBackoff};
  std::chrono::milliseconds sub_backoff{kFirstBackoff};
  std::unordered_map<std::string, std::uint32_t> held;  ///< device -> sessions here
  /// Provisioning address -> its subscription confirmed by Redis.
  std::unordered_map<std::string, bool> provisioning;
  /// One entry per PUBLISH awaiting its answer, in order (empty for wake-ups).
  std::deque<std::function<void(RelayOutcome)>> pending_relays;
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> publish_dropped{0};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::uint64_t> held_count{0};
  std::atomic<std::uint64_t> provisioning_confirmed{0};
  std::atomic<std::uint64_t> provisioning_relayed{0};
  std::atomic<std::uint64_t> provisioning_received{0};
  std::atomic<bool> healthy{false};
  bool reported = false;  ///< health reported at least once (bus thread)
  std::thread thread;
};

RedisBus::RedisBus(RedisEndpoint endpoint, BusEvents events)
    : impl_(std::make_shared<Impl>(std::move(endpoint), std::move(events))) {
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl] { impl->start(); });
  impl->thread = std::thread([impl] { impl->io.run(); });
}

RedisBus::~RedisBus() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void RedisBus::hold(const std::string& device) {
  asio::post(impl_->io, [impl = impl_.get(), device] { impl->hold(device); });
}

void RedisBus::release(const std::string& device) {
  asio::post(impl_->io, [impl = impl_.get(), device] { impl->release(device); });
}

void RedisBus::wake(const std::string& device) {
  asio::post(impl_->io, [impl = impl_.get(), device] { impl->publish(device, kWake); });
}

void RedisBus::disconnect(const std::string& device) {
  asio::post(impl_->io, [impl = impl_.get(), device] { impl->publish(device, kDisconnect); });
}

void RedisBus::hold_provisioning(const std::string& address) {
  asio::post(impl_->io, [impl = impl_.get(), address] { impl->hold_provisioning(address); });
}

void RedisBus::release_provisioning(const std::string& address) {
  asio::post(impl_->io, [impl = impl_.get(), address] { impl->release_provisioning(address); });
}

void RedisBus::relay_provisioning(const std::string& address, std::string frame,
                                  std::function<void(RelayOutcome)> done) {
  asio::post(impl_->io, [impl = impl_.get(), address, frame = std::move(frame), done = std::move(done)]() mutable {
    impl->relay_provisioning(address, frame, std::move(done));
  });
}

BusCounters RedisBus::counters() const {
  BusCounters c;
  c.published = impl_->published.load(std::memory_order_relaxed);
  c.publish_dropped = impl_->publish_dropped.load(std::memory_order_relaxed);
  c.received = impl_->received.load(std::memory_order_relaxed);
  c.reconnects = impl_->reconnects.load(std::memory_order_relaxed);
  c.held = impl_->held_count.load(std::memory_order_relaxed);
  c.provisioning_held = impl_->provisioning_confirmed.load(std::memory_order_relaxed);
  c.provisioning_relayed = impl_->provisioning_relayed.load(std::memory_order_relaxed);
  c.provisioning_received = impl_->provisioning_received.load(std::memory_order_relaxed);
  c.healthy = impl_->healthy.load(std::memory_order_relaxed);
  return c;
}

std::string RedisBus::channel(const std::string& device) {
  return std::string(kChannelPrefix) + device;
}

std::string RedisBus::provisioning_channel(const std::string& address) {
  return std::string(kProvisioningPrefix) + address;
}

}  // namespace hush::server::cluster
