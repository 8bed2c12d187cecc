// Connection and http_post on Boost.Beast. One read is kept pending on the
// WebSocket; each call runs the io_context until its own operation finished
// or its deadline passed, queueing the frames that arrive meanwhile. Frames
// that do not parse are dropped (counted), never trusted.
#include "connection.hpp"

#include "beast_stream.hpp"
#include "provisioning_connection.hpp"

#include <deque>
#include <string_view>
#include <utility>
#include <variant>

namespace hush::client::net {

using namespace detail;  // NOLINT(google-build-using-namespace): this file's vocabulary

namespace {

using Clock = SteadyClock;

/// Largest frame accepted from the server: its own limit (256 KiB) plus room
/// for the envelope's fields.
constexpr std::size_t kMaxFrameSize = 320 * 1024;
/// Largest HTTP answer body read (registration answers are tiny).
constexpr std::size_t kMaxHttpBody = 64 * 1024;

template <class Stream>
Result<HttpAnswer> do_post(asio::io_context& ioc, Stream& stream, const ServerUrl& url, const std::string& target,
                           const std::string& body, Clock::time_point deadline) {
  HUSH_TRY(open_stream(ioc, stream, url, deadline));
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, url.host);
  req.set(http::field::content_type, "application/x-protobuf");
  req.body() = body;
  req.prepare_payload();
  bool done = false;
  beast::error_code ec;
  http::async_write(stream, req, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_until(ioc, [&] { return done; }, deadline)) return make_error(Errc::timeout, "HTTP write");
  if (ec) return make_error(Errc::network_failure, "HTTP write");
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxHttpBody);
  beast::flat_buffer buf;
  done = false;
  http::async_read(stream, buf, parser, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_until(ioc, [&] { return done; }, deadline)) return make_error(Errc::timeout, "HTTP read");
  if (ec) return make_error(Errc::network_failure, "HTTP read");
  return HttpAnswer{parser.get().result_int(), parser.get().body()};
}

}  // namespace

Errc errc_from_status(std::uint32_t status, const std::string& message) noexcept {
  struct Name {
    std::string_view name;
    Errc code;
  };
  static constexpr Name kNames[] = {
      {"invalid_argument", Errc::invalid_argument}, {"bad_length", Errc::bad_length},
      {"decode_error", Errc::decode_error},         {"unsupported_version", Errc::unsupported_version},
      {"invalid_message", Errc::invalid_message},   {"unknown_request", Errc::unsupported_version},
      {"unauthorized", Errc::unauthorized},         {"forbidden", Errc::forbidden},
      {"not_found", Errc::not_found},               {"conflict", Errc::conflict},
      {"stale_devices", Errc::stale_devices},       {"bad_signature", Errc::bad_signature},
      {"bad_key", Errc::bad_key},                   {"rate_limited", Errc::rate_limited},
      {"quota_exceeded", Errc::quota_exceeded},     {"unavailable", Errc::unavailable},
      {"timeout", Errc::timeout},                   {"network_failure", Errc::network_failure},
  };
  if (status == 200) return Errc::ok;
  for (const auto& n : kNames) {
    if (n.name == message) return n.code;
  }
  switch (status) {
    case 400: return Errc::invalid_argument;
    case 401: return Errc::unauthorized;
    case 403: return Errc::forbidden;
    case 404: return Errc::not_found;
    case 409: return Errc::conflict;
    case 410: return Errc::stale_devices;
    case 429: return Errc::rate_limited;
    case 503: return Errc::unavailable;
    case 504: return Errc::timeout;
    case 507: return Errc::quota_exceeded;
    default: return Errc::unavailable;
  }
}

std::string_view request_kind(const pb::ClientFrame& frame) noexcept {
  using F = pb::ClientFrame;
  switch (frame.request_case()) {
    case F::kUploadKeys: return "upload_keys";
    case F::kPreKeyCount: return "pre_key_count";
    case F::kFetchBundles: return "fetch_bundles";
    case F::kSendMessage: return "send_message";
    case F::kAck: return "ack";
    case F::kListDevices: return "list_devices";
    case F::kCreateLinkToken: return "create_link_token";
    case F::kRemoveDevice: return "remove_device";
    case F::kLookupUsername: return "lookup_username";
    case F::kProvisionDevice: return "provision_device";
    case F::kSendMulti: return "send_multi";
    case F::kDrain: return "drain";
    case F::REQUEST_NOT_SET: break;
  }
  return "unknown";
}

Result<HttpAnswer> http_post(const ServerUrl& url, const std::filesystem::path& ca_file, const std::string& target,
                             const std::string& body, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  const auto deadline = Clock::now() + timeout;
  if (!url.tls) {
    beast::tcp_stream stream(ioc);
    return do_post(ioc, stream, url, target, body, deadline);
  }
  asio::ssl::context tls{asio::ssl::context::tls_client};
  HUSH_TRY(make_tls_context(tls, ca_file));
  TlsStream stream(ioc, tls);
  return do_post(ioc, stream, url, target, body, deadline);
}

struct Connection::Impl {
  ServerUrl url;
  std::filesystem::path ca_file;
  std::string authorization;
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::variant<std::monostate, std::unique_ptr<TlsWs>, std::unique_ptr<PlainWs>> ws;
  beast::flat_buffer buffer;
  std::deque<pb::Response> responses;
  std::deque<pb::Envelope> envelopes;
  bool open = false;
  std::uint64_t next_id = 0;
  std::uint64_t bad_frames = 0;
  bool pre_keys_low = false;
  bool drained = false;  ///< QueueEmpty arrived (after the drain's envelopes)
  Clock::time_point connect_started{};

  ~Impl() {
    // Cut the socket and let the pending read finish (with an error) while
    // everything it refers to still exists.
    beast::error_code ec;
    if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&ws)) beast::get_lowest_layer(**t).socket().close(ec);
    if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&ws)) beast::get_lowest_layer(**p).socket().close(ec);
    ioc.restart();
    ioc.poll();
  }

  void on_frame(std::string_view bytes) {
    pb::ServerFrame frame;
    if (!frame.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      ++bad_frames;
      return;
    }
    if (frame.has_envelope()) {
      envelopes.push_back(std::move(*frame.mutable_envelope()));
    } else if (frame.has_response()) {
      responses.push_back(std::move(*frame.mutable_response()));
    } else if (frame.has_pre_keys_low()) {
      pre_keys_low = true;  // the SDK tops up at its next housekeeping
    } else if (frame.has_queue_empty()) {
      drained = true;
    } else {
      ++bad_frames;  // a newer server's frame kind: ignored
    }
  }

  template <class Ws>
  void start_read(Ws& w) {
    w.async_read(buffer, [this, &w](beast::error_code ec, std::size_t n) {
      if (ec) {
        open = false;
        return;
      }
      auto data = buffer.data();
      on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
      buffer.consume(n);
      start_read(w);
    });
  }

  template <class Ws>
  Status ws_connect(Ws& w, Clock::time_point deadline) {
    HUSH_TRY(open_stream(ioc, w.next_layer(), url, deadline));
    websocket::response_type res;
    w.set_option(websocket::stream_base::decorator([auth = authorization](websocket::request_type& req) {
      req.set(http::field::authorization, auth);
    }));
    w.read_message_max(kMaxFrameSize);
    w.binary(true);
    bool done = false;
    beast::error_code ec;
    w.async_handshake(res, url.host, "/v1/ws", [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (!run_until(ioc, [&] { return done; }, deadline)) {
      abandon(ioc, w, [&] { return done; });
      return make_error(Errc::timeout, "WebSocket handshake");
    }
    if (res.result_int() == 401) return make_error(Errc::unauthorized, "credential refused");
    if (ec) return make_error(Errc::network_failure, "WebSocket handshake");
    open = true;
    start_read(w);
    return ok();
  }

  template <class Ws>
  Status ws_write(Ws& w, const std::string& bytes, Clock::time_point deadline) {
    bool done = false;
    beast::error_code ec;
    w.async_write(asio::buffer(bytes), [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!run_until(ioc, [&] { return done || !open; }, deadline)) {
      abandon(ioc, w, [&] { return done; });
      open = false;
      return make_error(Errc::timeout, "WebSocket write");
    }
    const bool written = done;
    if (!written) abandon(ioc, w, [&] { return done; });  // the read failed first: the handler refers to our locals
    if (!written || ec) {
      open = false;
      return make_error(Errc::network_failure, "WebSocket write");
    }
    return ok();
  }

  Status write(const std::string& bytes, Clock::time_point deadline) {
    if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&ws)) return ws_write(**t, bytes, deadline);
    if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&ws)) return ws_write(**p, bytes, deadline);
    return make_error(Errc::network_failure, "not connected");
  }
};

Connection::Connection(ServerUrl url, std::filesystem::path ca_file, std::string authorization)
    : impl_(std::make_unique<Impl>()) {
  impl_->url = std::move(url);
  impl_->ca_file = std::move(ca_file);
  impl_->authorization = std::move(authorization);
}

Connection::~Connection() = default;

Status Connection::connect(std::chrono::milliseconds timeout) {
  auto& m = *impl_;
  if (!std::holds_alternative<std::monostate>(m.ws)) return make_error(Errc::invalid_argument, "connect twice");
  m.connect_started = Clock::now();
  const auto deadline = m.connect_started + timeout;
  if (!m.url.tls) {
    auto& w = m.ws.emplace<std::unique_ptr<PlainWs>>(std::make_unique<PlainWs>(m.ioc));
    return m.ws_connect(*w, deadline);
  }
  m.tls = asio::ssl::context{asio::ssl::context::tls_client};
  HUSH_TRY(make_tls_context(m.tls, m.ca_file));
  auto& w = m.ws.emplace<std::unique_ptr<TlsWs>>(std::make_unique<TlsWs>(m.ioc, m.tls));
  return m.ws_connect(*w, deadline);
}

bool Connection::is_open() const noexcept { return impl_->open; }

bool Connection::still_open() {
  auto& m = *impl_;
  if (!m.open) return false;
  if (m.ioc.stopped()) m.ioc.restart();
  m.ioc.poll();
  return m.open;
}

Result<pb::Response> Connection::call(pb::ClientFrame frame, std::chrono::milliseconds timeout) {
  auto& m = *impl_;
  if (!m.open) return make_error(Errc::network_failure, "not connected");
  const auto deadline = Clock::now() + timeout;
  const std::uint64_t id = ++m.next_id;
  frame.set_id(id);
  HUSH_TRY(m.write(frame.SerializeAsString(), deadline));
  for (;;) {
    for (auto it = m.responses.begin(); it != m.responses.end(); ++it) {
      if (it->id() == id) {
        pb::Response r = std::move(*it);
        m.responses.erase(it);
        return r;
      }
    }
    m.responses.clear();  // answers to requests we stopped waiting for
    if (!m.open) return make_error(Errc::network_failure, "connection closed");
    if (!run_until(m.ioc, [&] { return !m.responses.empty() || !m.open; }, deadline)) {
      return make_error(Errc::timeout, "no response");
    }
  }
}

bool Connection::take_pre_keys_low() noexcept { return std::exchange(impl_->pre_keys_low, false); }

bool Connection::drained() const noexcept { return impl_->drained; }

std::chrono::steady_clock::time_point Connection::connect_started() const noexcept { return impl_->connect_started; }

Result<std::optional<pb::Envelope>> Connection::next_envelope(std::chrono::milliseconds timeout, Wait wait) {
  auto& m = *impl_;
  const auto deadline = Clock::now() + timeout;
  const bool stop_when_drained = wait == Wait::until_drained;
  if (m.envelopes.empty() && m.open && stop_when_drained && m.drained) {
    if (m.ioc.stopped()) m.ioc.restart();
    m.ioc.poll();  // frames that arrived since: a live push may be waiting
  }
  if (m.envelopes.empty() && m.open) {
    // Let already-arrived frames in, then wait.
    run_until(m.ioc, [&] { return !m.envelopes.empty() || !m.open || (stop_when_drained && m.drained); },
              deadline);
  }
  if (!m.envelopes.empty()) {
    pb::Envelope e = std::move(m.envelopes.front());
    m.envelopes.pop_front();
    return std::optional<pb::Envelope>(std::move(e));
  }
  if (!m.open) return make_error(Errc::network_failure, "connection closed");
  return std::optional<pb::Envelope>();
}

void Connection::close() {
  auto& m = *impl_;
  if (m.open) {
    auto do_close = [&](auto& w) {
      w.async_close(websocket::close_code::normal, [](beast::error_code) {});
      run_until(m.ioc, [&] { return !m.open; }, Clock::now() + std::chrono::seconds(2));
    };
    if (auto* t = std::get_if<std::unique_ptr<TlsWs>>(&m.ws)) do_close(**t);
    if (auto* p = std::get_if<std::unique_ptr<PlainWs>>(&m.ws)) do_close(**p);
  }
  m.open = false;
  m.envelopes.clear();
}

namespace {

class NetworkTransport final : public TransportFactory {
 public:
  std::unique_ptr<Transport> open(const ServerUrl& url, const std::filesystem::path& ca_file,
                                  std::string authorization) override {
    return std::make_unique<Connection>(url, ca_file, std::move(authorization));
  }
  std::unique_ptr<ProvisioningSocket> open_provisioning(const ServerUrl& url,
                                                        const std::filesystem::path& ca_file) override {
    return std::make_unique<ProvisioningConnection>(url, ca_file);
  }
  Result<HttpAnswer> post(const ServerUrl& url, const std::filesystem::path& ca_file, const std::string& target,
                          const std::string& body, std::chrono::milliseconds timeout) override {
    return http_post(url, ca_file, target, body, timeout);
  }
};

}  // namespace

std::shared_ptr<TransportFactory> network_transport() { return std::make_shared<NetworkTransport>(); }

}  // namespace hush::client::net
