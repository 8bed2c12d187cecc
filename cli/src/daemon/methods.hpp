// The daemon's JSON-RPC methods (docs/cli.md, "hush daemon"): one entry per
// thing the CLI does, each a thin call of one Client method with its params
// checked first and its result encoded by sdk_json. Runs on the SDK thread
// only (the daemon's listen loop), so the Client is never used concurrently.
#pragma once

#include "daemon/json_rpc.hpp"

#include <hush/client/client.hpp>

#include <cstddef>
#include <deque>
#include <functional>

namespace hush::cli::daemon {

/// Received messages kept for `receive` (and `hush receive` talking to the
/// daemon) until fetched: the oldest go first past this many.
inline constexpr std::size_t kMaxBufferedMessages = 1000;

class Methods {
 public:
  /// `on_received` is told of messages a method itself received (those a
  /// group send drained first), so they are notified like the rest.
  Methods(client::Client& client, std::function<void(const client::ReceivedMessage&)> on_received);

  /// Runs `method`; unknown names are -32601, bad params -32602, SDK errors
  /// application errors (json_rpc.hpp).
  [[nodiscard]] rpc::MethodResult call(const std::string& method, const rpc::Json& params);

  /// Keeps `m` for the next `receive` call.
  void buffer(const client::ReceivedMessage& m);

 private:
  client::Client& client_;
  std::function<void(const client::ReceivedMessage&)> on_received_;
  std::deque<rpc::Json> buffered_;
  std::size_t dropped_ = 0;  ///< buffered messages pushed out since the last receive
};

}  // namespace hush::cli::daemon
