// Formats and writes structured log lines (see log.hpp). A line is built in
// memory and written with one write(2) so lines from I/O threads never mix.
#include "net/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace hush::server::net {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::info)};

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
  }
  return false;
}

void append_value(std::string& line, std::string_view v) {
  if (!needs_quotes(v)) {
    line.append(v);
    return;
  }
  line.push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') line.push_back('\\');
    line.push_back(c == '\n' || c == '\t' ? ' ' : c);
  }
  line.push_back('"');
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

}  // namespace

void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line = fmt::format("ts={} level={} event={}", timestamp(), level_name(level), event);
  for (const auto& f : fields) {
    line.push_back(' ');
    line.append(f.key);
    line.push_back('=');
    append_value(line, f.value);
  }
  line.push_back('\n');
  std::size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) return;  // nowhere to report a failing stderr
    off += static_cast<std::size_t>(n);
  }
}

void log_session_exception(const std::exception_ptr& e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    log_event(LogLevel::error, "session_exception", {kv("what", x.what())});
  } catch (...) {
    log_event(LogLevel::error, "session_exception", {kv("what", "unknown")});
  }
}

void set_log_level(LogLevel level) { g_min_level.store(static_cast<int>(level), std::memory_order_relaxed); }

bool parse_log_level(std::string_view name, LogLevel& out) {
  for (auto l : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
    if (name == level_name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

}  // namespace hush::server::net
