// `hush chat USERNAME`: an interactive conversation. The SDK's listen() runs
// on the main thread (incoming messages, and sending from its tick); an input
// thread reads the raw terminal into a LineEditor. Both draw through
// ChatScreen, which keeps the prompt line (and what is half typed) intact:
// clear the line, print the message, redraw the prompt and the partial input.
// Typed lines go through the store's outbox (ChatOutbox): a line typed while
// the server cannot be reached is shown as pending and sent when the
// connection returns (issue #16).
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
#include <set>
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

/// Why a line was not sent, with what to do about it.
void show_not_sent(ChatScreen& screen, Errc code, const std::string& to) {
  const ErrorInfo info = error_info(code);
  std::string why = fmt::format("! not sent to {}: {}", terminal_safe(to), info.text);
  if (code == Errc::untrusted_identity) {
    why += fmt::format(" -- compare `hush safety-number {0}`, then `hush trust {0}`, and type it again", terminal_safe(to));
  } else if (code == Errc::not_found) {
    why += " -- no such user on the server";
  }
  JsonObject o("error");
  o.add("error", errc_name(code)).add("exit_code", static_cast<int>(info.exit)).add("message", info.text);
  o.add("to", to);
  screen.show(why, &o);
}

/// Lines typed go through the store's outbox (Client::queue_text): sent at
/// once when the server answers; else shown as pending and sent, in order,
/// when the connection returns (issue #16). The outbox outlives the chat:
/// what is still pending at /quit goes out with the next chat.
class ChatOutbox {
 public:
  ChatOutbox(client::Client& c, ChatScreen& screen, std::string peer)
      : c_(c), screen_(screen), peer_(std::move(peer)) {}

  /// Shows what an earlier chat left queued, as pending.
  void show_left_over() {
    if (auto queued = c_.queued_texts()) {
      for (const auto& q : *queued) show_pending(q);
    }
  }
  /// Queues a line typed to the peer, then tries to send everything queued.
  void type(const std::string& line) {
    auto queued = c_.queue_text(peer_, line);
    if (!queued) {
      show_not_sent(screen_, queued.code(), peer_);
      return;
    }
    flush();
    if (settled_.contains(format_id(queued->id))) return;  // sent or refused: flush() showed it
    if (auto still = c_.queued_texts()) {
      for (const auto& q : *still) {
        if (q.id == queued->id) show_pending(q);
      }
    }
  }
  /// Sends what is queued while the connection is up (listen's tick).
  void on_tick() {
    if (!shown_pending_.empty() && c_.connected()) flush();
  }
  /// How many lines shown as pending are still unsent.
  [[nodiscard]] std::size_t pending() const { return shown_pending_.size(); }

 private:
  void show_pending(const client::QueuedText& q) {
    const std::string id = format_id(q.id);
    if (!shown_pending_.insert(id).second) return;
    JsonObject o("pending");
    o.add("to", q.recipient).add("id", id).add("queued_ms", q.queued_ms).add("text", q.text_view());
    screen_.show(fmt::format("[{}] me -> {} (pending: not sent yet, the server cannot be reached): {}",
                             format_time(q.queued_ms), terminal_safe(q.recipient), terminal_safe(q.text_view())),
                 &o);
  }
  void flush() {
    settled_.clear();
    auto done = c_.send_queued();
    if (!done) {
      screen_.show(fmt::format("! the outbox could not be read: {}", error_info(done.code()).text));
      return;
    }
    for (const auto& o : *done) {
      const std::string id = format_id(o.text.id);
      const bool was_pending = shown_pending_.erase(id) > 0;
      settled_.insert(id);
      if (!o.sent) {
        show_not_sent(screen_, o.error, o.text.recipient);
        continue;
      }
      JsonObject j("sent");
      j.add("to", o.text.recipient).add("id", id).add("server_timestamp_ms", o.sent->server_timestamp_ms);
      j.add("text", o.text.text_view()).add("was_pending", was_pending);
      if (!o.sent->refused.empty()) j.add("refused", refused_json(o.sent->refused));
      screen_.show(fmt::format("[{}] me{}: {}{}", format_time(o.sent->server_timestamp_ms),
                               recipient_suffix(o.text.recipient), terminal_safe(o.text.text_view()),
                               was_pending ? "  (sent now, was pending)" : ""),
                   &j);
      for (const auto& r : o.sent->refused) screen_.show("! " + refused_text(r), nullptr);
    }
  }
  /// " -> carol" for a line queued in another chat; "" for this one's peer.
  std::string recipient_suffix(const std::string& to) const {
    return to == peer_ ? std::string() : " -> " + terminal_safe(to);
  }

  client::Client& c_;
  ChatScreen& screen_;
  std::string peer_;
  std::set<std::string> shown_pending_;  ///< ids shown as pending and not yet sent
  std::set<std::string> settled_;        ///< ids the last flush() sent or dropped
};

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

  ChatOutbox outbox(c, screen, peer);
  outbox.show_left_over();

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
          outbox.type(line);
        }
        outbox.on_tick();
        if (quitting || slash_quit) stop.request_stop();
      });
  typed.quit = true;
  input.join();
  screen.finish();
  StopSignals::reset();
  if (outbox.pending() > 0) {
    ctx.out.note(fmt::format("{} line(s) not sent yet: they stay in this home's outbox and go out with the next "
                             "`hush chat` once the server can be reached",
                             outbox.pending()));
  }
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
      "empty line or Ctrl-C leave. Without a terminal it reads lines from stdin.\n"
      "A line typed while the server cannot be reached is kept and shown as pending;\n"
      "it is sent when the connection returns (or by the next chat).",
      {},
      {"USERNAME"},
      1,
      &run};
  return spec;
}

}  // namespace hush::cli
