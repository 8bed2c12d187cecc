// Internal to client/src/net: what Connection and ProvisioningConnection
// share on Boost.Beast: the stream types, running a single-threaded
// io_context until an operation finished or a deadline passed, the TLS trust
// settings (a pinned CA file or the system store), and TCP connect + TLS
// handshake with host name checks.
#pragma once

#include "server_url.hpp"

#include <hush/util/result.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <type_traits>

namespace hush::client::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using TlsWs = websocket::stream<TlsStream>;
using PlainWs = websocket::stream<beast::tcp_stream>;

/// Runs `ioc` until `done()` or the deadline; true if done.
template <class Pred>
bool run_until(asio::io_context& ioc, Pred done, SteadyClock::time_point deadline) {
  while (!done()) {
    const auto now = SteadyClock::now();
    if (now >= deadline) return false;
    if (ioc.stopped()) ioc.restart();
    if (ioc.run_one_for(deadline - now) == 0 && ioc.stopped() && !done()) return false;
  }
  return true;
}

/// After giving up on an operation still pending on `stream` (its deadline
/// passed): cuts the socket and runs `ioc` until the handler ran (with
/// operation_aborted), so it never touches the caller's locals after they
/// are gone.
template <class Stream, class Pred>
void abandon(asio::io_context& ioc, Stream& stream, Pred done) {
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().close(ec);
  run_until(ioc, done, SteadyClock::now() + std::chrono::seconds(2));
}

inline Status make_tls_context(asio::ssl::context& tls, const std::filesystem::path& ca_file) {
  beast::error_code ec;
  tls.set_verify_mode(asio::ssl::verify_peer, ec);
  if (ca_file.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    // Only certificates chaining to this file are accepted: with hushd's
    // self-signed certificate that pins exactly that certificate.
    tls.load_verify_file(ca_file.string(), ec);
  }
  if (ec) return make_error(Errc::network_failure, "TLS trust (CA file unreadable)");
  return ok();
}

/// TCP connect, then the TLS handshake with certificate and host name checks.
template <class Stream>
Status open_stream(asio::io_context& ioc, Stream& stream, const ServerUrl& url, SteadyClock::time_point deadline) {
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return make_error(Errc::network_failure, "resolve");
  bool done = false;
  beast::get_lowest_layer(stream).async_connect(results, [&](beast::error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!run_until(ioc, [&] { return done; }, deadline)) {
    abandon(ioc, stream, [&] { return done; });
    return make_error(Errc::timeout, "connect");
  }
  if (ec) return make_error(Errc::network_failure, "connect");
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
      return make_error(Errc::network_failure, "TLS SNI");
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    done = false;
    stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (!run_until(ioc, [&] { return done; }, deadline)) {
      abandon(ioc, stream, [&] { return done; });
      return make_error(Errc::timeout, "TLS handshake");
    }
    if (ec) return make_error(Errc::network_failure, "TLS handshake (certificate not trusted?)");
  }
  return ok();
}

}  // namespace hush::client::net::detail
