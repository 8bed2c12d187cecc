// Relay runs (see relay.hpp): warm-up, the measured window, then a bounded
// drain for outstanding responses, pushes and acks. CPU is read at the
// window's edges: hushd (--server-pid), each --cpu component, hush-load.
// Latency counts from each message's *intended* send time (no coordinated
// omission); a send finding
// its connection with --window outstanding is shed and counted. Message ids
// carry a run tag, the worker and an index, so pushes match their sends
// without any state shared between threads.
#include "relay.hpp"

#include "fleet.hpp"
#include "pairing.hpp"
#include "proc_stats.hpp"
#include "service.pb.h"

#include <hush/crypto/random.hpp>
#include <hush/util/bytes.hpp>

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>

namespace hush::load {
namespace {

namespace pb = ::hush::service::v1;
using Clock = std::chrono::steady_clock;
using Ns = std::chrono::nanoseconds;

/// Open-loop sends are issued from a 1 ms tick: fine enough for 25 ms goals.
constexpr std::chrono::milliseconds kRateTick{1};
/// Closed-loop runs only need the tick to notice phase changes.
constexpr std::chrono::milliseconds kPhaseTick{20};
constexpr std::size_t kTagSize = 6;
/// Random bytes the bodies are cut from.
constexpr std::size_t kBodyPoolSlack = 4096;
constexpr std::uint32_t kSignalType = 3;  ///< opaque to hushd

struct Stats {
  std::uint64_t offered = 0, shed = 0, sent = 0, stored = 0, duplicates_reported = 0, send_errors = 0;
  std::uint64_t delivered = 0, delivered_in_window = 0, wire_duplicates = 0, stale = 0;
  std::uint64_t acked = 0, ack_errors = 0, closed = 0, undelivered = 0;
  std::map<std::uint32_t, std::uint64_t> error_status;
  std::vector<std::uint32_t> relay_us, stored_us;

  void merge(const Stats& o) {
    offered += o.offered, shed += o.shed, sent += o.sent, stored += o.stored;
    duplicates_reported += o.duplicates_reported, send_errors += o.send_errors;
    delivered += o.delivered, delivered_in_window += o.delivered_in_window;
    wire_duplicates += o.wire_duplicates, stale += o.stale, acked += o.acked, ack_errors += o.ack_errors;
    closed += o.closed, undelivered += o.undelivered;
    for (auto [k, v] : o.error_status) error_status[k] += v;
    relay_us.insert(relay_us.end(), o.relay_us.begin(), o.relay_us.end());
    stored_us.insert(stored_us.end(), o.stored_us.begin(), o.stored_us.end());
  }
};

struct Phases {
  Clock::time_point epoch, warm_end, measure_end, drain_end;
};

/// One worker's share of the run; lives on the worker's thread only.
class RelayWorker final : public ConnectionListener {
 public:
  /// `destinations[j]`: the local connection the j-th one sends to (pairing.hpp).
  RelayWorker(const Options& o, Worker& w, const std::vector<Account>& accounts, std::size_t accounts_used,
              std::string tag, std::string body_pool, std::vector<std::size_t> destinations)
      : o_(o), w_(w), accounts_(accounts), accounts_used_(accounts_used), tag_(std::move(tag)),
        body_pool_(std::move(body_pool)), destinations_(std::move(destinations)), tick_(w.ioc) {
    budget_ = std::max<std::uint64_t>(1, o.max_messages / o.threads);
    const double window = o.warmup_seconds + o.duration_seconds;
    const auto expected = static_cast<std::size_t>(
        std::min<double>(static_cast<double>(budget_), o.mode == Mode::rate ? o.rate / o.threads * window : 2e6));
    send_ns_.reserve(expected);
    stats_.relay_us.reserve(expected);
    stats_.stored_us.reserve(expected);
  }

  /// Called on the worker's thread once every connection is open.
  void start(Phases p) {
    p_ = p;
    conns_.resize(w_.connections.size());
    for (std::size_t j = 0; j < conns_.size(); ++j) {
      const std::size_t dest_j = destinations_[j];
      const Account& dest = accounts_[w_.connections[dest_j]->index() % accounts_used_];
      conns_[j].destination = dest.account_id;
      conns_[j].registration_id = dest.registration_id;
      conns_[j].open = w_.connections[j]->is_open();
    }
    with_room_ = conns_.size();
    if (o_.mode == Mode::max) {
      for (std::size_t j = 0; j < conns_.size(); ++j) {
        for (std::size_t k = 0; k < o_.window; ++k) send_on(j, Clock::now());
      }
    }
    on_tick();
  }

  void on_frame(WsConnection& c, const std::uint8_t* data, std::size_t size) override {
    if (!frame_.ParseFromArray(data, static_cast<int>(size))) return;
    const auto now = Clock::now();
    const std::size_t j = c.index() / o_.threads;
    if (frame_.has_envelope()) {
      on_envelope(c, frame_.envelope(), now);
    } else if (frame_.has_response()) {
      on_response(j, frame_.response(), now);
    }
  }

  void on_closed(WsConnection& c) override {
    const std::size_t j = c.index() / o_.threads;
    if (j < conns_.size() && conns_[j].open) {
      conns_[j].open = false;
      ++stats_.closed;
    }
  }

  [[nodiscard]] bool finished() const noexcept { return finished_; }
  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }

 private:
  struct Conn {
    std::string destination;
    std::uint32_t registration_id = 0;
    std::uint32_t outstanding = 0;
    bool open = false;
  };

  bool in_window(std::int64_t ns_since_epoch) const {
    const auto t = p_.epoch + Ns(ns_since_epoch);
    return t >= p_.warm_end && t < p_.measure_end;
  }

  /// Sends the next message on connection j, intended at `intended`.
  /// False (nothing sent) when the budget is spent or j cannot take it.
  bool send_on(std::size_t j, Clock::time_point intended) {
    Conn& c = conns_[j];
    if (send_ns_.size() >= budget_ || !c.open || c.outstanding >= o_.window) return false;
    const std::uint64_t idx = send_ns_.size();
    send_ns_.push_back((intended - p_.epoch).count());
    delivered_.push_back(0);
    char id[16];
    std::memcpy(id, tag_.data(), kTagSize);
    const auto worker = static_cast<std::uint16_t>(w_.index);
    std::memcpy(id + kTagSize, &worker, 2);
    std::memcpy(id + 8, &idx, 8);
    auto* s = out_.mutable_send_message();
    s->set_destination(c.destination);
    s->set_message_id(id, sizeof id);
    if (s->messages_size() == 0) s->add_messages();
    auto* m = s->mutable_messages(0);
    m->set_device_id(1);
    m->set_registration_id(c.registration_id);
    m->set_type(kSignalType);
    m->set_ciphertext(body_pool_.data() + idx % kBodyPoolSlack, o_.message_size);
    out_.set_id((idx + 1) * 2);  // even: a send; the index comes back in the response
    ++c.outstanding;
    if (c.outstanding == o_.window) --with_room_;
    ++stats_.sent;
    w_.connections[j]->send(out_.SerializeAsString());
    return true;
  }

  void on_response(std::size_t j, const pb::Response& r, Clock::time_point now) {
    if (r.id() % 2 == 1) {  // an ack
      --acks_outstanding_;
      if (r.status() == 200) {
        ++stats_.acked;
      } else {
        ++stats_.ack_errors;
      }
      return;
    }
    const std::uint64_t idx = r.id() / 2 - 1;
    if (r.id() == 0 || idx >= send_ns_.size()) return;
    Conn& c = conns_[j];
    if (c.outstanding == o_.window) ++with_room_;
    --c.outstanding;
    ++responses_;
    if (r.status() == 200) {
      ++stats_.stored;
      if (r.send_message().duplicate()) ++stats_.duplicates_reported;
      if (in_window(send_ns_[idx])) {
        stats_.stored_us.push_back(static_cast<std::uint32_t>((now - p_.epoch - Ns(send_ns_[idx])).count() / 1000));
      }
    } else {
      ++stats_.send_errors;
      ++stats_.error_status[r.status()];
      delivered_[idx] = 2;  // will never come
    }
    if (o_.mode == Mode::max && now < p_.measure_end) send_on(j, now);
  }

  void on_envelope(WsConnection& c, const pb::Envelope& e, Clock::time_point now) {
    pb::ClientFrame ack;
    ack.mutable_ack()->set_seq(e.seq());
    ack.set_id(next_ack_id_ += 2);
    ++acks_outstanding_;
    c.send(ack.SerializeAsString());
    const std::string& id = e.message_id();
    std::uint16_t worker = 0;
    std::uint64_t idx = 0;
    if (id.size() == 16) {
      std::memcpy(&worker, id.data() + kTagSize, 2);
      std::memcpy(&idx, id.data() + 8, 8);
    }
    if (id.size() != 16 || id.compare(0, kTagSize, tag_) != 0 || worker != w_.index || idx >= send_ns_.size()) {
      ++stats_.stale;  // left in a mailbox by an earlier run
      return;
    }
    if (delivered_[idx] == 1) {
      ++stats_.wire_duplicates;
      return;
    }
    delivered_[idx] = 1;
    ++stats_.delivered;
    if (now >= p_.warm_end && now < p_.measure_end) ++stats_.delivered_in_window;
    if (in_window(send_ns_[idx])) {
      stats_.relay_us.push_back(static_cast<std::uint32_t>((now - p_.epoch - Ns(send_ns_[idx])).count() / 1000));
    }
  }

  void offer_due(Clock::time_point now) {
    const double period_ns = 1e9 * o_.threads / o_.rate;
    for (;;) {
      const auto intended = p_.epoch + Ns(static_cast<std::int64_t>(static_cast<double>(offered_) * period_ns));
      if (intended > now || intended >= p_.measure_end || offered_ >= budget_) return;
      ++offered_;
      ++stats_.offered;
      bool sent = false;
      for (std::size_t tries = 0; with_room_ > 0 && tries < conns_.size() && !sent; ++tries) {
        rr_ = (rr_ + 1) % conns_.size();
        sent = send_on(rr_, intended);
      }
      if (!sent) ++stats_.shed;
    }
  }

  [[nodiscard]] bool drained() const {
    if (responses_ < stats_.sent || acks_outstanding_ > 0) return false;
    return stats_.delivered + stats_.send_errors >= stats_.sent;
  }

  void on_tick() {
    const auto now = Clock::now();
    if (o_.mode == Mode::rate) offer_due(now);
    if (now >= p_.drain_end || (now >= p_.measure_end && drained())) {
      for (auto d : delivered_) stats_.undelivered += d == 0 ? 1 : 0;
      finished_ = true;
      return;
    }
    tick_.expires_after(o_.mode == Mode::rate ? kRateTick : kPhaseTick);
    tick_.async_wait([this](boost::system::error_code ec) {
      if (!ec) on_tick();
    });
  }

  const Options& o_;
  Worker& w_;
  const std::vector<Account>& accounts_;
  std::size_t accounts_used_;
  std::string tag_;
  std::string body_pool_;
  std::vector<std::size_t> destinations_;
  asio::steady_timer tick_;
  Phases p_{};
  std::vector<Conn> conns_;
  std::size_t with_room_ = 0;
  std::size_t rr_ = 0;
  std::uint64_t budget_ = 0;
  std::uint64_t offered_ = 0;
  std::uint64_t responses_ = 0;
  std::uint64_t acks_outstanding_ = 0;
  std::uint64_t next_ack_id_ = 1;
  std::vector<std::int64_t> send_ns_;  ///< intended send time of message idx, ns after the epoch
  std::vector<std::uint8_t> delivered_;  ///< 0 not yet, 1 pushed, 2 refused
  pb::ServerFrame frame_;
  pb::ClientFrame out_;
  Stats stats_;
  bool finished_ = false;
};

double percentile_ms(const std::vector<std::uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto i = std::min(sorted.size() - 1, static_cast<std::size_t>(q * static_cast<double>(sorted.size())));
  return sorted[i] / 1000.0;
}

}  // namespace

int run_relay(const Options& o, const std::vector<Account>& accounts, asio::ssl::context& tls,
              const std::vector<ConnectTarget>& targets) {
  const std::size_t connections = o.connections ? o.connections : accounts.size();
  if (connections > accounts.size()) {
    std::fprintf(stderr, "hush-load: --connections %zu needs as many accounts (one connection per device)\n",
                 connections);
    return 2;
  }
  if (connections < 2 * o.threads) {
    std::fprintf(stderr, "hush-load: need at least two connections per thread\n");
    return 2;
  }
  std::string tag(kTagSize, '\0');
  crypto::system_rng().fill(MutableByteView(reinterpret_cast<std::uint8_t*>(tag.data()), tag.size()));
  std::string pool(o.message_size + kBodyPoolSlack, '\0');
  crypto::system_rng().fill(MutableByteView(reinterpret_cast<std::uint8_t*>(pool.data()), pool.size()));
  std::uint64_t seed = 0;
  std::memcpy(&seed, tag.data(), kTagSize);

  // Each worker pairs its own connections (Fleet gives worker w the
  // connections w, w + threads, ...), so pushes arrive where they were sent.
  std::vector<std::vector<std::size_t>> destinations;
  for (unsigned w = 0; w < o.threads; ++w) {
    const std::size_t mine = connections / o.threads + (w < connections % o.threads ? 1 : 0);
    auto d = pair_connections(mine, targets.size(), o.pairing, seed + w);
    if (!d) {
      std::fprintf(stderr,
                   "hush-load: --pairing %s cannot pair %zu connections per thread over %zu nodes "
                   "(same-node needs two per node and thread: --connections >= %zu)\n",
                   pairing_name(o.pairing), mine, targets.size(), 2 * targets.size() * o.threads);
      return 2;
    }
    destinations.push_back(std::move(*d));
  }

  Fleet fleet(o, accounts, tls, targets);
  std::vector<std::unique_ptr<RelayWorker>> relays;
  for (auto& w : fleet.workers()) {
    relays.push_back(
        std::make_unique<RelayWorker>(o, *w, accounts, connections, tag, pool, std::move(destinations[w->index])));
  }
  const std::size_t opened = fleet.open(connections, [&](unsigned w) -> ConnectionListener& { return *relays[w]; });
  std::fprintf(stderr, "hush-load: %zu/%zu connections open over %zu nodes\n", opened, connections, targets.size());
  if (opened < connections) return 1;

  const std::string load_before = load_average();
  Phases p;
  p.epoch = Clock::now() + std::chrono::milliseconds(100);
  const auto secs = [](double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); };
  p.warm_end = p.epoch + secs(o.warmup_seconds);
  p.measure_end = p.warm_end + secs(o.duration_seconds);
  p.drain_end = p.measure_end + secs(o.drain_seconds);
  for (unsigned w = 0; w < relays.size(); ++w) fleet.post(w, [r = relays[w].get(), p] { r->start(p); });

  std::this_thread::sleep_until(p.warm_end);
  const auto cpu0 = component_cpu(o.cpu_watches);
  const auto server_cpu0 = o.server_pid ? cpu_seconds(o.server_pid) : std::nullopt;
  const auto self_cpu0 = cpu_seconds(0);
  std::this_thread::sleep_until(p.measure_end);
  const auto cpu1 = component_cpu(o.cpu_watches);
  const auto server_cpu1 = o.server_pid ? cpu_seconds(o.server_pid) : std::nullopt;
  const auto self_cpu1 = cpu_seconds(0);
  const std::string load_after = load_average();
  // Each worker decides on its own thread when it has drained; poll the flags there.
  for (bool all = false; !all && Clock::now() < p.drain_end + std::chrono::seconds(2);) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::atomic<unsigned> done{0};
    std::atomic<unsigned> answered{0};
    for (unsigned w = 0; w < relays.size(); ++w) {
      fleet.post(w, [&, r = relays[w].get()] {
        if (r->finished()) done.fetch_add(1);
        answered.fetch_add(1);
        answered.notify_all();
      });
    }
    for (unsigned a = answered.load(); a < relays.size(); a = answered.load()) answered.wait(a);
    all = done.load() == relays.size();
  }
  fleet.stop();

  Stats s;
  for (auto& r : relays) s.merge(r->stats());
  std::sort(s.relay_us.begin(), s.relay_us.end());
  std::sort(s.stored_us.begin(), s.stored_us.end());
  const double rate = static_cast<double>(s.delivered_in_window) / o.duration_seconds;
  const double server_cpu = server_cpu0 && server_cpu1 ? *server_cpu1 - *server_cpu0 : -1;
  const double self_cpu = self_cpu0 && self_cpu1 ? *self_cpu1 - *self_cpu0 : -1;
  const double per = s.delivered_in_window ? 1e6 / static_cast<double>(s.delivered_in_window) : 0;

  std::printf("hush-load relay: mode=%s%s nodes=%zu pairing=%s connections=%zu threads=%u window=%zu size=%zu "
              "warmup=%.0fs duration=%.0fs\n",
              o.mode == Mode::max ? "max" : "rate", o.mode == Mode::rate ? (" " + std::to_string(static_cast<long>(o.rate)) + "/s").c_str() : "",
              targets.size(), pairing_name(o.pairing), connections, o.threads, o.window, o.message_size,
              o.warmup_seconds, o.duration_seconds);
  std::printf("  load average before %s, at the end of the window %s\n", load_before.c_str(), load_after.c_str());
  std::printf("  offered %llu, shed %llu (connection had --window outstanding), sent %llu, stored %llu "
              "(%llu reported duplicate), refused %llu",
              static_cast<unsigned long long>(s.offered), static_cast<unsigned long long>(s.shed),
              static_cast<unsigned long long>(s.sent), static_cast<unsigned long long>(s.stored),
              static_cast<unsigned long long>(s.duplicates_reported), static_cast<unsigned long long>(s.send_errors));
  for (auto [status, n] : s.error_status) std::printf(" [%u: %llu]", status, static_cast<unsigned long long>(n));
  std::printf("\n  pushed %llu (unique), acked %llu (ack errors %llu), duplicates on the wire %llu, from earlier runs %llu, "
              "undelivered at the end %llu, connections lost %llu\n",
              static_cast<unsigned long long>(s.delivered), static_cast<unsigned long long>(s.acked),
              static_cast<unsigned long long>(s.ack_errors), static_cast<unsigned long long>(s.wire_duplicates),
              static_cast<unsigned long long>(s.stale), static_cast<unsigned long long>(s.undelivered),
              static_cast<unsigned long long>(s.closed));
  std::printf("  relayed in the window: %llu messages = %.0f messages/s\n",
              static_cast<unsigned long long>(s.delivered_in_window), rate);
  std::printf("  send -> push (ms, n=%zu): p50 %.2f  p90 %.2f  p99 %.2f  p999 %.2f  max %.2f\n", s.relay_us.size(),
              percentile_ms(s.relay_us, 0.5), percentile_ms(s.relay_us, 0.9), percentile_ms(s.relay_us, 0.99),
              percentile_ms(s.relay_us, 0.999), percentile_ms(s.relay_us, 1.0));
  std::printf("  send -> stored response (ms): p50 %.2f  p90 %.2f  p99 %.2f  p999 %.2f\n",
              percentile_ms(s.stored_us, 0.5), percentile_ms(s.stored_us, 0.9), percentile_ms(s.stored_us, 0.99),
              percentile_ms(s.stored_us, 0.999));
  if (o.server_pid != 0) {
    std::printf("  CPU in the window: hushd %.2f s = %.1f us/message; hush-load %.2f s = %.1f us/message\n", server_cpu,
                server_cpu * per, self_cpu, self_cpu * per);
  }
  // Per component (--cpu): ms per 1,000 messages is the same number as us
  // per message, in the unit the cluster table uses. hushd_cpu_us_per_msg
  // (--server-pid) stays for the scripts that read it; -1: not measured.
  std::string fields;
  if (!cpu1.empty()) {
    std::printf("  CPU in the window, ms per 1,000 messages (process trees):");
    for (std::size_t i = 0; i < cpu1.size() && i < cpu0.size(); ++i) {
      const double ms = (cpu1[i].seconds - cpu0[i].seconds) * per;
      std::printf(" %s %.1f (%zu process%s)", cpu1[i].component.c_str(), ms, cpu1[i].processes,
                  cpu1[i].processes == 1 ? "" : "es");
      char field[96];
      std::snprintf(field, sizeof field, " cpu_ms_per_1k_%s=%.1f", cpu1[i].component.c_str(), ms);
      fields += field;
    }
    std::printf(" hush-load %.1f\n", self_cpu * per);
  }
  std::printf("RESULT mode=%s offered_rate=%.0f msgs_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f "
              "shed=%llu refused=%llu hushd_cpu_us_per_msg=%.1f load_cpu_us_per_msg=%.1f nodes=%zu pairing=%s "
              "undelivered=%llu%s cpu_ms_per_1k_hush-load=%.1f loadavg=\"%s\"\n",
              o.mode == Mode::max ? "max" : "rate", o.mode == Mode::rate ? o.rate : 0.0, rate,
              percentile_ms(s.relay_us, 0.5), percentile_ms(s.relay_us, 0.9), percentile_ms(s.relay_us, 0.99),
              percentile_ms(s.relay_us, 0.999), static_cast<unsigned long long>(s.shed),
              static_cast<unsigned long long>(s.send_errors), o.server_pid ? server_cpu * per : -1.0, self_cpu * per,
              targets.size(),
              pairing_name(o.pairing), static_cast<unsigned long long>(s.undelivered), fields.c_str(), self_cpu * per,
              load_after.c_str());
  return s.closed == 0 ? 0 : 1;
}

}  // namespace hush::load
