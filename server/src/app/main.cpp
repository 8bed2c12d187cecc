// hushd's entry point: settings, data directory, TLS files, store, services,
// the server; prints the start lines tests and scripts read
// ("hushd listening on HOST:PORT"), sweeps expired mail periodically, and on
// SIGTERM/SIGINT shuts down gracefully (queued writes finish first).
#include "app/options.hpp"
#include "app/tls_files.hpp"
#include "app/wiring.hpp"
#include "cluster/redis_bus.hpp"

#include "net/log.hpp"
#include "net/server.hpp"
#include "service/account_service.hpp"
#include "service/key_service.hpp"
#include "service/message_service.hpp"
#include "storage/store.hpp"

#include <hush/crypto/init.hpp>
#include <hush/crypto/random.hpp>

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

namespace hush::server::app {
namespace {

using net::kv;
using net::log_event;
using net::LogLevel;

/// Runs MessageService::sweep_expired every `interval` until stopped.
class Sweeper {
 public:
  Sweeper(MessageService& messages, std::chrono::seconds interval)
      : thread_([this, &messages, interval] { loop(messages, interval); }) {}
  ~Sweeper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

 private:
  void loop(MessageService& messages, std::chrono::seconds interval) {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval, [this] { return stop_; })) {
      lock.unlock();
      auto swept = messages.sweep_expired();
      if (swept) {
        if (*swept > 0) log_event(LogLevel::info, "retention_sweep", {kv("expired", *swept)});
      } else {
        log_event(LogLevel::warn, "retention_sweep_failed", {kv("error", errc_name(swept.code()))});
      }
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

/// The names a self-signed certificate must carry: the configured ones and
/// the listen address unless it is a wildcard or loopback (always carried).
std::vector<std::string> certificate_hosts(const Options& o) {
  std::vector<std::string> hosts = o.cert_hosts;
  const bool wildcard_or_loopback = o.host.empty() || o.host == "0.0.0.0" || o.host == "::" || o.host == "127.0.0.1" ||
                                    o.host == "::1" || o.host == "localhost";
  if (!wildcard_or_loopback && std::find(hosts.begin(), hosts.end(), o.host) == hosts.end()) hosts.push_back(o.host);
  return hosts;
}

int fail(std::string_view event, const Error& error) {
  log_event(LogLevel::error, event, {kv("error", errc_name(error.code)), kv("detail", error.context)});
  return 1;
}

/// Raises the soft limit on open descriptors to the hard limit: every
/// connection is a descriptor, and the usual soft default (1024) would cap
/// hushd far below max_connections while the hard limit allows more.
void raise_descriptor_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t before = lim.rlim_cur;
  if (lim.rlim_cur == lim.rlim_max) {
    log_event(LogLevel::info, "nofile_limit", {kv("soft", static_cast<std::uint64_t>(before))});
    return;
  }
  lim.rlim_cur = lim.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
    log_event(LogLevel::warn, "nofile_limit_unchanged", {kv("soft", static_cast<std::uint64_t>(before))});
    return;
  }
  log_event(LogLevel::info, "nofile_limit",
            {kv("soft", static_cast<std::uint64_t>(lim.rlim_cur)), kv("was", static_cast<std::uint64_t>(before))});
}

/// The data folder and everything in it readable by hushd's user only,
/// whatever the umask it was started with: the folder 0700, files 0600
/// (the database and its WAL, the TLS key). New files follow from umask 077;
/// what an earlier run left looser is tightened here.
void tighten_data_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ignored;
    const bool is_dir = it->is_directory(ignored);
    if (it->is_symlink(ignored)) continue;
    fs::permissions(it->path(), is_dir ? fs::perms::owner_all : (fs::perms::owner_read | fs::perms::owner_write),
                    fs::perm_options::replace, ignored);
  }
}

int run(const Options& o) {
  crypto::ensure_initialized();
  ::umask(077);  // before any file is created: the database, its WAL and the TLS key are ours alone
  raise_descriptor_limit();
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  if (ec) return fail("data_dir_failed", make_error(Errc::storage_failure, "cannot create the data directory"));
  tighten_data_dir(o.data_dir);

  net::ServerOptions so;
  so.host = o.host;
  so.port = o.port;
  so.plain_tcp = o.plain_tcp;
  so.io_threads = o.io_threads;
  so.service_threads = o.service_threads;
  so.limits.max_connections = o.max_connections;
  so.limits.handshake_timeout = o.handshake_timeout;
  so.limits.max_connections_per_address = o.max_connections_per_address;
  so.limits.max_connections_per_account = o.max_connections_per_account;
  so.limits.frame_read_timeout = o.frame_read_timeout;
  so.limits.ws_idle_timeout = o.ws_idle_timeout;
  so.metrics_host = o.metrics_host;
  so.metrics_port = o.metrics_port;
  std::string fingerprint;
  if (!o.plain_tcp) {
    if (o.tls_cert.empty()) {
      const auto hosts = certificate_hosts(o);
      auto files = ensure_self_signed(o.data_dir + "/tls", hosts);
      if (!files) return fail("tls_setup_failed", files.error());
      auto missing = certificate_missing_host(files->cert_file, hosts);
      if (!missing) return fail("tls_setup_failed", missing.error());
      if (!missing->empty()) {
        // Never replaced behind the operator's back: clients pinned this one.
        log_event(LogLevel::error, "tls_certificate_lacks_host",
                  {kv("host", *missing), kv("path", files->cert_file),
                   kv("fix", "move the tls folder away to make a new certificate; clients must then trust it")});
        return 1;
      }
      so.tls_cert_file = files->cert_file;
      so.tls_key_file = files->key_file;
      fingerprint = files->fingerprint;
      if (files->generated) log_event(LogLevel::info, "tls_certificate_generated", {kv("path", files->cert_file)});
    } else {
      auto fp = certificate_fingerprint(o.tls_cert);
      if (!fp) return fail("tls_setup_failed", fp.error());
      so.tls_cert_file = o.tls_cert;
      so.tls_key_file = o.tls_key;
      fingerprint = *fp;
    }
  }

  auto store = storage::open_store(o.store_url);
  if (!store) return fail("store_open_failed", store.error());
  const std::string backend((*store)->backend());
  log_event(LogLevel::info, "store_open", {kv("backend", backend)});  // never the URL: it may hold a password
  so.limits.mailbox_poll_interval = o.mailbox_poll_interval.count() >= 0 ? o.mailbox_poll_interval
                                    : backend == "postgresql"            ? kDefaultPostgresPoll
                                                                         : std::chrono::milliseconds(0);
  so.limits.mailbox_poll_with_bus = o.mailbox_poll_with_redis;

  SystemClock clock;
  ClusterWakeUps wake_ups;
  PushNotifier notifier(&wake_ups);
  AbuseMetrics abuse;
  AccountServiceConfig account_config;
  account_config.registration_limit = RateLimit{o.registration_burst, o.registration_per_minute / 60};
  account_config.registration_global = RateLimit{o.registration_global_burst, o.registration_global_per_second, 1};
  account_config.registration_prefix_v4 = o.registration_prefix_v4;
  account_config.registration_prefix_v6 = o.registration_prefix_v6;
  account_config.lookup_limit = RateLimit{o.lookup_burst, o.lookup_per_minute / 60};
  // Every node of one database verifies the challenges any node issued.
  SecretBytes<32> candidate;
  crypto::system_rng().fill(candidate.expose_mut());
  auto challenge_key = (*store)->shared_secret("registration_challenges", candidate);
  if (!challenge_key) return fail("store_open_failed", challenge_key.error());
  account_config.challenge_key = &*challenge_key;
  AccountService accounts(**store, clock, crypto::system_rng(), account_config, &abuse);
  PreKeyNotifier pre_key_notifier;
  KeyServiceConfig key_config;
  key_config.fetch_per_requester = RateLimit{o.bundle_fetch_burst, o.bundle_fetch_per_second};
  key_config.one_time_per_target = RateLimit{o.one_time_per_target_burst, o.one_time_per_target_per_minute / 60};
  key_config.repeat_window = std::chrono::duration_cast<std::chrono::milliseconds>(o.one_time_repeat_window);
  key_config.low_water = o.pre_key_low_water;
  KeyService keys(**store, &clock, key_config, &pre_key_notifier, &abuse);
  MessageService messages(**store, clock, notifier,
                          MessageServiceConfig{std::chrono::duration_cast<std::chrono::milliseconds>(o.retention),
                                               o.queue_cap, o.sender_share},
                          &abuse);
  LiveConnections connections;
  api::Api api(api::Services{accounts, keys, messages, &connections});
  ApiApplication application(api, backend, &abuse, &wake_ups);
  net::Server server(so, application);
  // Wake-ups between nodes (issue #17, ADR 0007): declared after the server,
  // so it is gone before the server it reports to.
  std::optional<cluster::RedisBus> bus;
  if (!o.redis.empty()) {
    auto endpoint = cluster::RedisEndpoint::parse(o.redis);
    if (!endpoint) return fail("redis_address_invalid", endpoint.error());
    cluster::BusEvents events;
    events.wake = [&server](const std::string& peer) { server.notify(peer); };
    events.disconnect = [&server](const std::string& peer) { server.disconnect(peer); };
    events.health = [&server](bool up) {
      server.set_wake_bus_up(up);
      // Down: sessions poll their mailboxes (mailbox_poll_interval_ms) until it is back.
      log_event(up ? LogLevel::info : LogLevel::warn, up ? "redis_up" : "redis_down_polling", {});
    };
    // A provisioning frame another node relayed: hand it to the socket here.
    events.provisioning = [&server](const std::string& address, std::string frame) {
      (void)server.forward_provisioning(address, Bytes(frame.begin(), frame.end()));
    };
    bus.emplace(*endpoint, std::move(events));
    server.set_bind_observer([b = &*bus](const std::string& peer, bool bound) {
      if (bound) {
        b->hold(peer);
      } else {
        b->release(peer);
      }
    });
    server.set_provisioning_observer([b = &*bus](const std::string& address, bool waiting) {
      if (waiting) {
        b->hold_provisioning(address);
      } else {
        b->release_provisioning(address);
      }
    });
    wake_ups.attach(&*bus);
    connections.attach_bus(&*bus);
    log_event(LogLevel::info, "redis_configured", {kv("host", endpoint->host), kv("port", endpoint->port)});
  }
  if (auto started = server.start(); !started) return fail("listen_failed", started.error());
  notifier.attach(&server);
  connections.attach(&server);
  pre_key_notifier.attach(&server);

  if (!o.plain_tcp) fmt::print("hushd tls certificate {} sha256 {}\n", so.tls_cert_file, fingerprint);
  if (!server.metrics_address().empty()) fmt::print("hushd metrics on {}\n", server.metrics_address());
  fmt::print("hushd listening on {} ({})\n", server.local_address(), o.plain_tcp ? "plain-tcp" : "tls");
  std::fflush(stdout);
  log_event(LogLevel::info, "listening",
            {kv("address", server.local_address()), kv("tls", !o.plain_tcp), kv("backend", backend)});

  int signal_number = 0;
  {
    Sweeper sweeper(messages, o.sweep_interval);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigwait(&set, &signal_number);
    log_event(LogLevel::info, "shutdown_requested", {kv("signal", signal_number)});
    server.stop();
    server.wait();
  }
  server.set_bind_observer({});
  server.set_provisioning_observer({});
  wake_ups.attach(nullptr);
  connections.attach_bus(nullptr);
  notifier.attach(nullptr);
  connections.attach(nullptr);
  pre_key_notifier.attach(nullptr);
  log_event(LogLevel::info, "stopped");
  return 0;
}

}  // namespace
}  // namespace hush::server::app

int main(int argc, char** argv) {
  // Block the shutdown signals before any thread starts, so every thread
  // inherits the mask and only sigwait() in run() receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  hush::server::app::Options options;
  const auto parsed = hush::server::app::parse_options(std::vector<std::string>(argv + 1, argv + argc), options);
  if (!parsed.run) {
    std::fputs(parsed.text.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  hush::server::net::set_log_level(options.log_level);
  return hush::server::app::run(options);
}
