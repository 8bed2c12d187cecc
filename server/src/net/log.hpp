// Structured logging for hushd: one line per event on stderr,
// `ts=... level=... event=... key=value ...`. Callers pass ids, counters and
// error names only; bodies, keys and credentials never reach this file.
#pragma once

#include <fmt/format.h>

#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>

namespace hush::server::net {

enum class LogLevel { debug, info, warn, error };

/// One key=value pair of a log line.
struct LogField {
  std::string_view key;
  std::string value;
};

/// A field from anything fmt can format.
template <class T>
LogField kv(std::string_view key, const T& value) {
  return LogField{key, fmt::to_string(value)};
}

/// Writes one line atomically (a single write(2)); values with spaces,
/// quotes or '=' are quoted.
void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

/// Logs an exception that escaped a connection's coroutine (event
/// `session_exception`, with what() when it is a std::exception); does
/// nothing when `e` is null. For co_spawn completion handlers.
void log_session_exception(const std::exception_ptr& e);

/// Lines below this level are dropped (default: info).
void set_log_level(LogLevel level);

/// Parses "debug" / "info" / "warn" / "error"; false if unknown.
bool parse_log_level(std::string_view name, LogLevel& out);

}  // namespace hush::server::net
