// Flag and TOML parsing for hushd (see options.hpp). The config file is read
// first, then flags override it, so `--config F --listen X` means F but X.
#include "app/options.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <type_traits>

namespace hush::server::app {
namespace {

constexpr const char* kUsage =
    "usage: hushd [--data DIR] [--listen ADDR:PORT] [--store URL]\n"
    "             [--tls-cert FILE --tls-key FILE] [--config FILE] [--plain-tcp]\n"
    "             [--log-level debug|info|warn|error] [--metrics-listen ADDR:PORT|off]\n"
    "             [--cert-host NAME]... [--redis HOST:PORT] [--version]\n"
    "  --data DIR         data directory (default ./hushd-data): hush.db, tls/\n"
    "  --listen ADDR:PORT address to serve (default 127.0.0.1:8443; port 0 = any)\n"
    "  --store URL        sqlite:PATH or postgresql://... (default sqlite:DIR/hush.db)\n"
    "  --tls-cert, --tls-key  PEM files; without them a self-signed pair is made in DIR/tls\n"
    "  --config FILE      TOML file with the same keys (flags win)\n"
    "  --cert-host NAME   a DNS name or IP address the self-signed certificate must carry\n"
    "                     (repeatable; localhost, 127.0.0.1 and ::1 always are)\n"
    "  --plain-tcp        no TLS; allowed only on a loopback address\n"
    "  --redis HOST:PORT  Redis for wake-ups between hushd nodes on one PostgreSQL\n"
    "  --metrics-listen ADDR:PORT  plain-HTTP /metrics listener (default 127.0.0.1:0; off: none)\n"
    "  --version          print hushd's version and exit\n";

template <class T>
bool parse_uint(const std::string& s, T& out) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return false;
  out = v;
  return true;
}

/// The config file's top-level table, remembering which keys the reader
/// asked for and whether each had the type asked: a key nobody reads (a typo,
/// a setting from another version) or a value of the wrong type is an error
/// that names it, never a silently ignored line.
class TrackedTable {
 public:
  explicit TrackedTable(toml::table& table) : table_(table) {}

  /// One key's value; `value<T>()` is empty when absent and records a type
  /// error when present with another type.
  class Entry {
   public:
    Entry(TrackedTable& owner, std::string_view key) : owner_(owner), key_(key) {}
    template <class T>
    std::optional<T> value() {
      toml::node* node = owner_.table_.get(key_);
      if (node == nullptr) return std::nullopt;
      // Exact: 1.5 is not an integer, "1" is not a number; a rate (double)
      // may be written as an integer too.
      std::optional<T> v;
      if constexpr (std::is_same_v<T, double>) {
        if (node->is_number()) v = node->value<double>();
      } else {
        v = node->value_exact<T>();
      }
      if (!v && owner_.error_.empty()) owner_.error_ = fmt::format("config: {} must be {}", key_, type_name<T>());
      return v;
    }
    /// Present as an array of strings (any other element is a type error).
    std::optional<std::vector<std::string>> strings() {
      toml::node* node = owner_.table_.get(key_);
      if (node == nullptr) return std::nullopt;
      std::vector<std::string> out;
      const toml::array* array = node->as_array();
      for (std::size_t i = 0; array != nullptr && i < array->size(); ++i) {
        auto s = array->get(i)->value_exact<std::string>();
        if (!s) array = nullptr;
        else out.push_back(*s);
      }
      if (array == nullptr) {
        if (owner_.error_.empty()) owner_.error_ = fmt::format("config: {} must be an array of strings", key_);
        return std::nullopt;
      }
      return out;
    }

   private:
    template <class T>
    static const char* type_name() {
      if constexpr (std::is_same_v<T, bool>) return "true or false";
      else if constexpr (std::is_same_v<T, std::string>) return "a string";
      else if constexpr (std::is_same_v<T, double>) return "a number";
      else return "an integer";
    }
    TrackedTable& owner_;
    std::string key_;
  };

  Entry operator[](std::string_view key) {
    read_.emplace_back(key);
    return Entry(*this, key);
  }

  /// The first type error, else the first key no reader asked for, else empty.
  std::string error() const {
    if (!error_.empty()) return error_;
    for (const auto& [key, node] : table_) {
      (void)node;
      if (std::find(read_.begin(), read_.end(), key.str()) == read_.end()) {
        return fmt::format("config: unknown key {} (line {})", key.str(), key.source().begin.line);
      }
    }
    return {};
  }

 private:
  toml::table& table_;
  std::vector<std::string> read_;
  std::string error_;
};
bool parse_metrics_listen(const std::string& text, Options& o) {
  if (text == "off") {
    o.metrics_host.clear();
    return true;
  }
  return parse_listen(text, o.metrics_host, o.metrics_port);
}

ParseOutcome fail(std::string text) { return ParseOutcome{false, 2, std::move(text) + "\n" + kUsage}; }

/// Applies the TOML file; returns an error text or empty.
std::string apply_config(const std::string& path, Options& o) {
  toml::table parsed;
  try {
    parsed = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return fmt::format("config {}: {} (line {})", path, e.description(), e.source().begin.line);
  }
  TrackedTable t(parsed);
  if (auto v = t["data"].value<std::string>()) o.data_dir = *v;
  if (auto v = t["listen"].value<std::string>()) {
    if (!parse_listen(*v, o.host, o.port)) return "config: listen must be ADDR:PORT";
  }
  if (auto v = t["store"].value<std::string>()) o.store_url = *v;
  if (auto v = t["tls_cert"].value<std::string>()) o.tls_cert = *v;
  if (auto v = t["tls_key"].value<std::string>()) o.tls_key = *v;
  if (auto v = t["plain_tcp"].value<bool>()) o.plain_tcp = *v;
  if (auto v = t["log_level"].value<std::string>()) {
    if (!net::parse_log_level(*v, o.log_level)) return "config: unknown log_level";
  }
  if (auto v = t["retention_seconds"].value<std::int64_t>()) {
    if (*v <= 0) return "config: retention_seconds must be positive";
    o.retention = std::chrono::seconds(*v);
  }
  if (auto v = t["sweep_interval_seconds"].value<std::int64_t>()) {
    if (*v <= 0) return "config: sweep_interval_seconds must be positive";
    o.sweep_interval = std::chrono::seconds(*v);
  }
  if (auto v = t["queue_cap"].value<std::int64_t>()) {
    if (*v <= 0) return "config: queue_cap must be positive";
    o.queue_cap = static_cast<std::size_t>(*v);
  }
  if (auto v = t["sender_share"].value<std::int64_t>()) {
    if (*v < 0) return "config: sender_share must not be negative";
    o.sender_share = static_cast<std::size_t>(*v);
  }
  if (auto v = t["io_threads"].value<std::int64_t>()) o.io_threads = static_cast<unsigned>(std::max<std::int64_t>(0, *v));
  if (auto v = t["service_threads"].value<std::int64_t>()) {
    o.service_threads = static_cast<unsigned>(std::max<std::int64_t>(0, *v));
  }
  struct Rate {
    const char* key;
    double* field;
  };
  for (const Rate& r : {Rate{"registration_burst", &o.registration_burst},
                        Rate{"registration_per_minute", &o.registration_per_minute},
                        Rate{"registration_global_burst", &o.registration_global_burst},
                        Rate{"registration_global_per_second", &o.registration_global_per_second},
                        Rate{"lookup_burst", &o.lookup_burst}, Rate{"lookup_per_minute", &o.lookup_per_minute},
                        Rate{"bundle_fetch_burst", &o.bundle_fetch_burst},
                        Rate{"bundle_fetch_per_second", &o.bundle_fetch_per_second},
                        Rate{"one_time_per_target_burst", &o.one_time_per_target_burst},
                        Rate{"one_time_per_target_per_minute", &o.one_time_per_target_per_minute}}) {
    if (auto v = t[r.key].value<double>()) {
      if (*v <= 0) return fmt::format("config: {} must be positive", r.key);
      *r.field = *v;
    }
  }
  if (auto v = t["one_time_repeat_window_seconds"].value<std::int64_t>()) {
    if (*v < 0) return "config: one_time_repeat_window_seconds must be 0 or more";
    o.one_time_repeat_window = std::chrono::seconds(*v);
  }
  if (auto v = t["pre_key_low_water"].value<std::int64_t>()) {
    if (*v < 0) return "config: pre_key_low_water must be 0 or more";
    o.pre_key_low_water = static_cast<std::size_t>(*v);
  }
  if (auto v = t["max_connections_per_address"].value<std::int64_t>()) {
    if (*v < 0) return "config: max_connections_per_address must be 0 (no cap) or more";
    o.max_connections_per_address = static_cast<std::size_t>(*v);
  }
  if (auto v = t["max_connections_per_account"].value<std::int64_t>()) {
    if (*v < 0) return "config: max_connections_per_account must be 0 (no cap) or more";
    o.max_connections_per_account = static_cast<std::size_t>(*v);
  }
  if (auto v = t["frame_read_timeout_seconds"].value<std::int64_t>()) {
    if (*v <= 0) return "config: frame_read_timeout_seconds must be positive";
    o.frame_read_timeout = std::chrono::seconds(*v);
  }
  if (auto v = t["ws_idle_timeout_seconds"].value<std::int64_t>()) {
    if (*v < 2) return "config: ws_idle_timeout_seconds must be 2 or more";
    o.ws_idle_timeout = std::chrono::seconds(*v);
  }
  if (auto v = t["registration_prefix_v4"].value<std::int64_t>()) {
    if (*v < 1 || *v > 32) return "config: registration_prefix_v4 must be 1..32";
    o.registration_prefix_v4 = static_cast<unsigned>(*v);
  }
  if (auto v = t["registration_prefix_v6"].value<std::int64_t>()) {
    if (*v < 1 || *v > 128) return "config: registration_prefix_v6 must be 1..128";
    o.registration_prefix_v6 = static_cast<unsigned>(*v);
  }
  if (auto v = t["metrics_listen"].value<std::string>()) {
    if (!parse_metrics_listen(*v, o)) return "config: metrics_listen must be ADDR:PORT or off";
  }
  if (auto v = t["handshake_timeout_seconds"].value<std::int64_t>()) {
    if (*v <= 0) return "config: handshake_timeout_seconds must be positive";
    o.handshake_timeout = std::chrono::seconds(*v);
  }
  if (auto v = t["max_connections"].value<std::int64_t>()) {
    if (*v <= 0) return "config: max_connections must be positive";
    o.max_connections = static_cast<std::size_t>(*v);
  }
  if (auto v = t["mailbox_poll_interval_ms"].value<std::int64_t>()) {
    if (*v < 0) return "config: mailbox_poll_interval_ms must be 0 (never) or more";
    o.mailbox_poll_interval = std::chrono::milliseconds(*v);
  }
  if (auto v = t["mailbox_poll_with_redis_ms"].value<std::int64_t>()) {
    if (*v <= 0) return "config: mailbox_poll_with_redis_ms must be positive";
    o.mailbox_poll_with_redis = std::chrono::milliseconds(*v);
  }
  if (auto v = t["cert_hosts"].strings()) o.cert_hosts = *v;
  if (auto v = t["redis"].value<std::string>()) o.redis = *v;
  return t.error();
}

}  // namespace

const char* version() { return HUSH_VERSION; }

bool parse_listen(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::uint16_t p = 0;
  if (!parse_uint(text.substr(colon + 1), p)) return false;
  host = std::move(h);
  port = p;
  return true;
}

ParseOutcome parse_options(const std::vector<std::string>& args, Options& out) {
  // The config file first, wherever --config appears, so flags override it.
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") {
      out.config_file = args[i + 1];
      if (auto err = apply_config(out.config_file, out); !err.empty()) return ParseOutcome{false, 2, err + "\n"};
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") return ParseOutcome{false, 0, kUsage};
    if (a == "--version") return ParseOutcome{false, 0, fmt::format("hushd {}\n", version())};
    if (a == "--plain-tcp") {
      out.plain_tcp = true;
      continue;
    }
    if (i + 1 >= args.size()) return fail(fmt::format("unknown option or missing value: {}", a));
    const std::string& v = args[++i];
    if (a == "--data") {
      out.data_dir = v;
    } else if (a == "--listen") {
      if (!parse_listen(v, out.host, out.port)) return fail("--listen must be ADDR:PORT");
    } else if (a == "--store") {
      out.store_url = v;
    } else if (a == "--tls-cert") {
      out.tls_cert = v;
    } else if (a == "--tls-key") {
      out.tls_key = v;
    } else if (a == "--cert-host") {
      out.cert_hosts.push_back(v);
    } else if (a == "--redis") {
      out.redis = v;
    } else if (a == "--metrics-listen") {
      if (!parse_metrics_listen(v, out)) return fail("--metrics-listen must be ADDR:PORT or off");
    } else if (a == "--config") {
      // applied above
    } else if (a == "--log-level") {
      if (!net::parse_log_level(v, out.log_level)) return fail("--log-level: debug, info, warn or error");
    } else {
      return fail(fmt::format("unknown option: {}", a));
    }
  }
  if (out.tls_cert.empty() != out.tls_key.empty()) return fail("--tls-cert and --tls-key go together");
  if (out.store_url.empty()) out.store_url = "sqlite:" + out.data_dir + "/hush.db";
  return ParseOutcome{true, 0, {}};
}

}  // namespace hush::server::app
