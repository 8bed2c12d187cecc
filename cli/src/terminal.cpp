// termios modes and the passphrase prompt. A passphrase is read byte by byte
// straight into a SecretBuffer (no std::string copy) and the newline is
// echoed by hand since echo is off.
#include "terminal.hpp"

#include "exit_codes.hpp"
#include "signals.hpp"

#include <cerrno>
#include <cstdlib>
#include <unistd.h>

namespace hush::cli {

bool is_terminal(int fd) noexcept { return fd >= 0 && ::isatty(fd) == 1; }

TerminalMode::TerminalMode(int fd, Kind kind) : fd_(fd) {
  if (!is_terminal(fd) || ::tcgetattr(fd, &saved_) != 0) return;
  termios t = saved_;
  if (kind == Kind::no_echo) {
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
  } else {
    t.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
    t.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
  }
  active_ = ::tcsetattr(fd, TCSAFLUSH, &t) == 0;
}

TerminalMode::~TerminalMode() {
  if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
}

Result<SecretBuffer> read_secret_line(int fd, std::ostream& out, std::string_view prompt) {
  StopSignals signals;
  SecretBuffer buf(kMaxPassphrase + 1);
  std::size_t n = 0;
  bool eof = false;
  bool interrupted = false;
  {
    TerminalMode mode(fd, TerminalMode::Kind::no_echo);
    out << prompt;
    out.flush();
    while (true) {
      std::uint8_t c = 0;
      const ssize_t r = ::read(fd, &c, 1);
      if (r < 0 && errno == EINTR) {
        if (StopSignals::received() != 0) {
          interrupted = true;
          break;
        }
        continue;
      }
      if (r <= 0) {
        eof = true;
        break;
      }
      if (c == '\n' || c == '\r') break;
      if (n == buf.size()) return make_error(Errc::invalid_argument, "passphrase too long");
      buf.expose_mut()[n++] = c;
    }
  }  // echo is back on here
  out << '\n';
  out.flush();
  if (interrupted) {
    buf.truncate(0);  // wipes what was typed
    std::exit(static_cast<int>(ExitCode::interrupted));  // Ctrl-C at a prompt: leave like the shell expects
  }
  if (eof && n == 0) return make_error(Errc::not_found, "no passphrase typed");
  if (n > kMaxPassphrase) return make_error(Errc::invalid_argument, "passphrase too long");
  buf.truncate(n);
  return buf;
}

}  // namespace hush::cli
