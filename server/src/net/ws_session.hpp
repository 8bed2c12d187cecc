// Internal to net/: the WebSocket session entry point. Defined in
// ws_session.cpp and instantiated there for the two stream types hushd
// serves (TLS through TlsSocketStream, and plain TCP on loopback), so only
// one file compiles it.
#pragma once

#include "net/session_context.hpp"
#include "net/tls_socket_stream.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace hush::server::net {

namespace beast = boost::beast;

using PlainStream = beast::tcp_stream;
using TlsStream = TlsSocketStream;
using HttpRequest = beast::http::request<beast::http::string_body>;

/// Accepts the upgrade `request` (already authenticated as `peer`) on
/// `stream` and runs the session until it closes.
template <class Stream>
asio::awaitable<void> run_websocket(Stream stream, HttpRequest request, Peer peer, std::string remote,
                                    SessionContext& ctx);

extern template asio::awaitable<void> run_websocket<PlainStream>(PlainStream, HttpRequest, Peer, std::string,
                                                                 SessionContext&);
extern template asio::awaitable<void> run_websocket<TlsStream>(TlsStream, HttpRequest, Peer, std::string,
                                                               SessionContext&);

}  // namespace hush::server::net
