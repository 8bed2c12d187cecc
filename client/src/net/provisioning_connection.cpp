// ProvisioningConnection on Boost.Beast: the handshake at /v1/provisioning
// (no Authorization), the address frame, then one read kept pending across
// wait_message() calls so pings are answered while we wait. How the socket
// ended is told apart by hushd's close code: 1001 at the address's lifetime
// is "expired", anything else before a message is "the relay closed".
#include "provisioning_connection.hpp"

#include "beast_stream.hpp"
#include "service.pb.h"

#include <variant>

namespace hush::client::net {

using namespace detail;  // NOLINT(google-build-using-namespace): this file's vocabulary

namespace {

namespace pb = ::hush::service::v1;

/// Largest frame accepted: hushd's ciphertext limit (64 KiB) plus the frame's few bytes.
constexpr std::size_t kMaxProvisioningFrame = 64 * 1024 + 64;
/// Length of an address (hushd: 128 random bits as lower-case hex).
constexpr std::size_t kAddressLength = 32;
/// A going-away close this close to the announced expiry counts as the
/// expiry (clocks of client and server differ a little; shutdown is rarer).
constexpr std::chrono::seconds kExpirySlack{5};

bool valid_address(const std::string& a) {
  if (a.size() != kAddressLength) return false;
  for (char c : a) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct ProvisioningConnection::Impl {
  ServerUrl url;
  std::filesystem::path ca_file;
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::variant<std::monostate, std::unique_ptr<TlsWs>, std::unique_ptr<PlainWs>> ws;
  beast::flat_buffer buffer;
  bool opened = false;    ///< open() was called
  bool finished = false;  ///< a message, a close or an error ended it
  bool read_pending = false;
  bool read_done = false;
  bool close_done = false;
  bool was_cut = false;   ///< the socket was closed under Beast: nothing polite left to do
  beast::error_code read_ec;
  std::string frame;      ///< the last frame read
  /// Local steady time at which the address expires (from expires_at_ms).
  SteadyClock::time_point expires_local{};

  ~Impl() {
    // Cut the socket and let a pending read finish (with an error) while
    // everything it refers to still exists.
    cut();
    ioc.restart();
    ioc.poll();
  }

  void cut() {
    was_cut = true;
    beast::error_code ec;
    if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&ws)) beast::get_lowest_layer(**t).socket().close(ec);
    if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&ws)) beast::get_lowest_layer(**p).socket().close(ec);
  }

  template <class Ws>
  void start_read(Ws& w) {
    read_pending = true;
    read_done = false;
    w.async_read(buffer, [this](beast::error_code ec, std::size_t n) {
      read_ec = ec;
      if (!ec) {
        auto data = buffer.data();
        frame.assign(static_cast<const char*>(data.data()), data.size());
        buffer.consume(n);
      }
      read_done = true;
    });
  }

  void start_read() {
    if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&ws)) start_read(**t);
    if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&ws)) start_read(**p);
  }

  /// Runs until the pending read finished or the deadline; true if it did.
  bool finish_read(SteadyClock::time_point deadline) {
    if (!read_pending) start_read();
    if (!run_until(ioc, [&] { return read_done; }, deadline)) return false;
    read_pending = false;
    return true;
  }

  [[nodiscard]] std::uint16_t close_code() const {
    if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&ws)) return (*t)->reason().code;
    if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&ws)) return (*p)->reason().code;
    return 0;
  }

  template <class Ws>
  Status handshake(Ws& w, SteadyClock::time_point deadline) {
    HUSH_TRY(open_stream(ioc, w.next_layer(), url, deadline));
    w.read_message_max(kMaxProvisioningFrame);
    w.binary(true);
    websocket::response_type res;
    bool done = false;
    beast::error_code ec;
    w.async_handshake(res, url.host, "/v1/provisioning", [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (!run_until(ioc, [&] { return done; }, deadline)) {
      abandon(ioc, w, [&] { return done; });
      return make_error(Errc::timeout, "provisioning handshake");
    }
    if (res.result_int() == 429) return make_error(Errc::rate_limited, "too many provisioning sockets");
    if (ec) return make_error(Errc::network_failure, "provisioning handshake");
    return ok();
  }

  /// The error for a read that ended with `ec` before a message.
  Status ended(beast::error_code ec) {
    finished = true;
    if (ec == websocket::error::closed && close_code() == websocket::close_code::going_away &&
        SteadyClock::now() + kExpirySlack >= expires_local) {
      return make_error(Errc::not_found, "link code expired");
    }
    return make_error(Errc::network_failure, "provisioning socket closed");
  }
};

ProvisioningConnection::ProvisioningConnection(ServerUrl url, std::filesystem::path ca_file)
    : impl_(std::make_unique<Impl>()) {
  impl_->url = std::move(url);
  impl_->ca_file = std::move(ca_file);
}

// A polite close first, so hushd forgets the address before we return (an
// approval sent after that gets 404 at once rather than reaching nobody).
ProvisioningConnection::~ProvisioningConnection() { close(); }

Result<ProvisioningAddress> ProvisioningConnection::open(std::chrono::milliseconds timeout) {
  auto& m = *impl_;
  if (m.opened) return make_error(Errc::invalid_argument, "provisioning socket opened twice");
  m.opened = true;
  const auto deadline = SteadyClock::now() + timeout;
  if (!m.url.tls) {
    auto& w = m.ws.emplace<std::unique_ptr<PlainWs>>(std::make_unique<PlainWs>(m.ioc));
    if (auto st = m.handshake(*w, deadline); !st) {
      m.finished = true;
      return st.error();
    }
  } else {
    HUSH_TRY(make_tls_context(m.tls, m.ca_file));
    auto& w = m.ws.emplace<std::unique_ptr<TlsWs>>(std::make_unique<TlsWs>(m.ioc, m.tls));
    if (auto st = m.handshake(*w, deadline); !st) {
      m.finished = true;
      return st.error();
    }
  }
  if (!m.finish_read(deadline)) {
    m.finished = true;
    m.cut();  // the read's handler refers only to members: ~Impl lets it finish
    return make_error(Errc::timeout, "provisioning address");
  }
  if (m.read_ec) {
    m.finished = true;
    return make_error(Errc::network_failure, "provisioning socket closed");
  }
  pb::ProvisioningFrame frame;
  if (!frame.ParseFromString(m.frame) || !frame.has_address() || !valid_address(frame.address().address())) {
    m.finished = true;
    m.cut();
    return make_error(Errc::invalid_message, "provisioning address frame");
  }
  ProvisioningAddress out{frame.address().address(), frame.address().expires_at_ms()};
  const auto left = std::chrono::milliseconds(std::max<std::int64_t>(0, out.expires_at_ms - wall_ms()));
  m.expires_local = SteadyClock::now() + left;
  return out;
}

Result<std::optional<Bytes>> ProvisioningConnection::wait_message(std::chrono::milliseconds timeout) {
  auto& m = *impl_;
  if (!m.opened || m.finished) return make_error(Errc::network_failure, "provisioning socket not open");
  if (!m.finish_read(SteadyClock::now() + timeout)) return std::optional<Bytes>();
  if (m.read_ec) return m.ended(m.read_ec).error();
  m.finished = true;  // hushd sends one message and closes
  pb::ProvisioningFrame frame;
  if (!frame.ParseFromString(m.frame) || !frame.has_message() || frame.message().ciphertext().empty()) {
    m.cut();
    return make_error(Errc::invalid_message, "provisioning message frame");
  }
  const std::string& c = frame.message().ciphertext();
  return std::optional<Bytes>(Bytes(c.begin(), c.end()));
}

void ProvisioningConnection::close() {
  auto& m = *impl_;
  if (std::holds_alternative<std::monostate>(m.ws) || m.was_cut) return;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(2);
  auto do_close = [&](auto& w) {
    if (!w.is_open()) return;
    m.close_done = false;
    w.async_close(websocket::close_code::normal, [&m](beast::error_code) { m.close_done = true; });
    // The pending read (if any) sees the server's close answer and ends too.
    run_until(m.ioc, [&] { return m.close_done && (!m.read_pending || m.read_done); }, deadline);
  };
  if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&m.ws)) do_close(**t);
  if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&m.ws)) do_close(**p);
  m.finished = true;
  m.cut();
}

}  // namespace hush::client::net
