// The spread of the mailbox poll (net::Limits::mailbox_poll_interval and
// mailbox_poll_with_bus): each wait is drawn anew within ±kPollJitter of the
// interval, so sessions that connected together (a node's restart, a
// client fleet reconnecting) do not read their mailboxes in lockstep, and
// the database sees the polls of 100,000 sessions as an even stream.
#pragma once

#include <chrono>

namespace hush::server::net {

/// ±20 %: wide enough that sessions started in the same second are spread
/// over a fifth of the interval after one wait, narrow enough that the
/// interval an operator sets is still the one the latency bound reads.
inline constexpr double kPollJitter = 0.2;

/// `interval` scaled by a factor in [1 - kPollJitter, 1 + kPollJitter]
/// chosen by `unit` in [0, 1] (0: the shortest, 1: the longest); at least
/// 1 ms when `interval` is positive. Pure, for tests.
std::chrono::milliseconds jittered(std::chrono::milliseconds interval, double unit);

/// jittered() with a unit drawn from this thread's generator (not a secret:
/// a poll's timing protects nothing).
std::chrono::milliseconds jittered(std::chrono::milliseconds interval);

}  // namespace hush::server::net
