// Internal to net/: the unauthenticated WebSocket at /v1/provisioning, where
// a new device waits for the provisioning message an existing device sends
// it. Defined in provisioning_session.cpp for both stream types.
#pragma once

#include "net/ws_session.hpp"

#include <string>

namespace hush::server::net {

/// Accepts the upgrade `request` on `stream`, gives the socket a random
/// address (sent as the first frame), and waits until a message for it is
/// forwarded, the client leaves, the lifetime ends or the server stops. The
/// caller has reserved a slot for `remote`; this releases it at the end.
template <class Stream>
asio::awaitable<void> run_provisioning(Stream stream, HttpRequest request, std::string remote, SessionContext& ctx);

extern template asio::awaitable<void> run_provisioning<PlainStream>(PlainStream, HttpRequest, std::string,
                                                                    SessionContext&);
extern template asio::awaitable<void> run_provisioning<TlsStream>(TlsStream, HttpRequest, std::string, SessionContext&);

}  // namespace hush::server::net
