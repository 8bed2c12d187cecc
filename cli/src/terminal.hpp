// The terminal through termios: is a descriptor a terminal, echo off for a
// passphrase, raw mode for chat (no line buffering, no echo, no signals from
// keys: Ctrl-C arrives as a byte). Both restore the previous mode when they end.
#pragma once

#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <termios.h>

#include <ostream>
#include <string_view>

namespace hush::cli {

[[nodiscard]] bool is_terminal(int fd) noexcept;

/// Sets a terminal mode for its lifetime (no-op when `fd` is not a terminal).
class TerminalMode {
 public:
  enum class Kind { no_echo, raw };
  TerminalMode(int fd, Kind kind);
  ~TerminalMode();
  TerminalMode(const TerminalMode&) = delete;
  TerminalMode& operator=(const TerminalMode&) = delete;
  [[nodiscard]] bool active() const noexcept { return active_; }

 private:
  int fd_;
  bool active_ = false;
  termios saved_{};
};

/// Longest passphrase accepted from a prompt.
inline constexpr std::size_t kMaxPassphrase = 1024;

/// Writes `prompt` to `out` and reads one line from the terminal `fd` with
/// echo off. Errors: invalid_argument (longer than kMaxPassphrase),
/// not_found (end of input). SIGINT/SIGTERM at the prompt restores the
/// terminal and exits with ExitCode::interrupted (130).
[[nodiscard]] Result<SecretBuffer> read_secret_line(int fd, std::ostream& out, std::string_view prompt);

}  // namespace hush::cli
