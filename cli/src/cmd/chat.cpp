// `hush chat USERNAME`: an interactive conversation. The SDK's listen() runs
// on the main thread (incoming messages, and sending from its tick); an input
// thread reads the raw terminal into a LineEditor. Both draw through
// ChatScreen, which keeps the prompt line (and what is half typed) intact:
// clear the line, print the message, redraw the prompt and the partial input.
#include "command.hpp"
#include "daemon/daemon_lock.hpp"
#include "exit_codes.hpp"
#include "format.hpp"
#include "line_editor.hpp"
#include "session.hpp"
#include "signals.hpp"
#include "terminal.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace hush::cli {

namespace {

/// History lines shown when the chat opens.
constexpr std::size_t kBacklog = 10;
/// How long the input thread waits for a key before checking for quit.
constexpr int kInputPollMs = 100;

/// The screen: messages scroll above a prompt line that is redrawn after each.
class ChatScreen {
 public:
  ChatScreen(Output& out, std::string prompt, bool interactive)
      : out_(out), prompt_(std::move(prompt)), interactive_(interactive) {}

  /// Prints a line above the prompt (human mode) or a JSON object (--json).
  void show(const std::string& human, const JsonObject* json = nullptr) {
    std::lock_guard lock(mu_);
    std::ostream& o = out_.out();
    if (out_.json()) {
      if (json != nullptr) o << json->str() << '\n';
    } else if (interactive_) {
      o << "\r\x1b[2K" << human << "\r\n" << prompt_ << typed_;
    } else {
      o << human << '\n';
    }
    o.flush();
  }
  /// The line being typed changed.
  void edited(const std::string& typed) {
    std::lock_guard lock(mu_);
    typed_ = terminal_safe(typed);
    if (!interactive_) return;
    out_.out() << "\r\x1b[2K" << prompt_ << typed_;
    out_.out().flush();
  }
  /// Leaves the prompt line for good.
  void finish() {
    std::lock_guard lock(mu_);
    if (interactive_) out_.out() << "\r\x1b[2K";
    out_.out().flush();
  }

 private:
  std::mutex mu_;
  Output& out_;
  std::string prompt_;
  bool interactive_;
  std::string typed_;
};

/// Lines typed on the input thread, sent on the listen thread.
struct Typed {
  std::mutex mu;
  std::vector<std::string> lines;
  std::atomic<bool> quit{false};       ///< Ctrl-C / Ctrl-D / end of input
};

void read_input(int fd, ChatScreen& screen, Typed& typed) {
  LineEditor editor;
  while (!typed.quit.load()) {
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, kInputPollMs);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of input
    for (ssize_t i = 0; i < n; ++i) {
      switch (editor.feed(buf[i])) {
        case LineEditor::Event::none: break;
        case LineEditor::Event::changed: screen.edited(editor.line()); break;
        case LineEditor::Event::submit: {
          std::string line = editor.take();
          screen.edited("");
          if (line.find_first_not_of(' ') == std::string::npos) break;
          std::lock_guard lock(typed.mu);
          typed.lines.push_back(std::move(line));
          break;
        }
        case LineEditor::Event::quit: typed.quit = true; return;
      }
    }
  }
  typed.quit = true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Sends one typed line; shows it, or why it was not sent.
void send_line(client::Client& c, const std::string& peer, const std::string& line, ChatScreen& screen) {
  auto sent = c.send_text(peer, line);
  if (!sent) {
    const ErrorInfo info = error_info(sent.code());
    std::string why = fmt::format("! not sent: {}", info.text);
    if (sent.code() == Errc::untrusted_identity) {
      why += fmt::format(" -- compare `hush safety-number {0}`, then `hush trust {0}`", terminal_safe(peer));
    }
    JsonObject o("error");
    o.add("error", errc_name(sent.code())).add("exit_code", static_cast<int>(info.exit)).add("message", info.text);
    screen.show(why, &o);
    return;
  }
  JsonObject o("sent");
  o.add("to", peer).add("id", format_id(sent->id)).add("server_timestamp_ms", sent->server_timestamp_ms);
  o.add("text", line);
  if (!sent->refused.empty()) o.add("refused", refused_json(sent->refused));
  screen.show(fmt::format("[{}] me: {}", format_time(sent->server_timestamp_ms), terminal_safe(line)), &o);
  for (const auto& r : sent->refused) screen.show("! " + refused_text(r), nullptr);
}

int run(Context& ctx, const ParsedArgs& args) {
  const std::string peer = lower(args.positionals[0]);
  const std::string name = terminal_safe(peer);
  // One listener per home: while a daemon holds the connection, chat (which
  // listens itself) would fight it for the messages.
  if (auto daemon = daemon::running_daemon(ctx.global.home)) {
    return report(ctx, make_error(Errc::conflict, "a hush daemon is receiving for this home"),
                  fmt::format("stop it first (kill {}), or use `hush send` and `hush listen`, which go through it",
                              daemon->pid));
  }
  auto opened = open_client(ctx);
  if (!opened) return report(ctx, opened.error());
  client::Client& c = **opened;
  auto me = c.whoami();
  if (!me) return report(ctx, me.error());
  if (peer == lower(me->username)) return ctx.out.usage("chat: pick someone else to talk to", "chat");

  const bool interactive = is_terminal(ctx.io.in_fd) && !ctx.out.json();
  if (!ctx.out.json()) {
    ctx.out.note(fmt::format("chat with {} as {}: type and press Enter; /quit, Ctrl-D or Ctrl-C to leave", name,
                             terminal_safe(me->username)));
  }
  if (auto contacts = c.contacts()) {
    for (const auto& contact : *contacts) {
      if (contact.username == peer && contact.identity_changed) {
        ctx.out.warning(fmt::format("{0}'s identity key has CHANGED; messages to {0} are refused until you accept "
                                    "it (`hush trust {0}`)",
                                    name));
      }
    }
  }
  ChatScreen screen(ctx.out, "to " + name + "> ", interactive);
  if (auto backlog = c.history(peer, kBacklog)) {
    for (const auto& m : *backlog) {
      JsonObject o = history_json(m);
      screen.show(history_line(m), &o);
    }
  }

  StopSignals signals;
  TerminalMode raw(ctx.io.in_fd, TerminalMode::Kind::raw);
  screen.edited("");
  Typed typed;
  std::thread input([&] { read_input(ctx.io.in_fd, screen, typed); });
  std::stop_source stop;
  const Status done = c.listen(
      [&](const client::ReceivedMessage& m) {
        JsonObject o = message_json(m);
        screen.show(message_line(m), &o);
        if (m.notice) return;  // its line is the warning
        for (const auto& w : m.warnings) {  // group warnings (docs/protocol.md §8.7)
          screen.show(fmt::format("WARNING: #{}: {}", terminal_safe(m.group_name), terminal_safe(w)));
        }
      },
      stop.get_token(),
      [&] {
        // Read quit before taking the lines: lines typed before it are sent.
        const bool quitting = typed.quit.load() || StopSignals::received() != 0;
        bool slash_quit = false;
        std::vector<std::string> lines;
        {
          std::lock_guard lock(typed.mu);
          lines.swap(typed.lines);
        }
        for (const auto& line : lines) {
          if (line == "/quit" || line == "/exit") {
            typed.quit = true;
            slash_quit = true;
            break;
          }
          if (line[0] == '/') {
            screen.show("commands: /quit");
            continue;
          }
          send_line(c, peer, line, screen);
        }
        if (quitting || slash_quit) stop.request_stop();
      });
  typed.quit = true;
  input.join();
  screen.finish();
  StopSignals::reset();
  if (!done) return report(ctx, done.error());
  return 0;
}

}  // namespace

const CommandSpec& chat_command() {
  static const CommandSpec spec{
      "chat",
      "USERNAME",
      "talk with USERNAME interactively (messages appear while you type)",
      "An interactive conversation on the terminal: the last messages, then each\n"
      "incoming message appears above the prompt while what you are typing stays\n"
      "intact. Enter sends; Backspace, Ctrl-U and Ctrl-W edit; /quit, Ctrl-D on an\n"
      "empty line or Ctrl-C leave. Without a terminal it reads lines from stdin.",
      {},
      {"USERNAME"},
      1,
      &run};
  return spec;
}

}  // namespace hush::cli
