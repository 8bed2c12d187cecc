// No network call inside a client store transaction (issue #16 item 3).
// A transaction holds the home's SQLite write lock: a round trip to hushd
// inside one would stall every other `hush` process on the same home for as
// long as the network takes, and a failure would roll back work the server
// already acted on. ClientImpl reaches hushd only through the factory made
// here, which checks before every call that can wait on the network.
//
// A call made inside a transaction is a bug in the SDK, never something a
// peer or the network can cause, so like every HUSH_CHECK it aborts in every
// build type (with the call's name): each test run that reaches hushd
// proves the rule, in release and sanitizer builds alike.
#pragma once

#include "../net/transport.hpp"

#include <hush/client/store/local_store.hpp>

#include <memory>

namespace hush::client {

/// `inner`, checked against `store` before every call that may wait on the
/// network (connect, call, next_envelope, post). `store` must outlive the
/// factory and its transports.
[[nodiscard]] std::shared_ptr<net::TransportFactory> guarded_transport(std::shared_ptr<net::TransportFactory> inner,
                                                                       const store::LocalStore& store);

}  // namespace hush::client
