// `hush daemon [--socket PATH] [--stdio]`: one long-running process per home
// folder for programs (bots, bridges, user interfaces): it holds the server
// connection (the SDK's listen loop) and serves JSON-RPC 2.0 on a Unix socket
// and, with --stdio, on stdin/stdout (docs/cli.md, "hush daemon"). Requests
// run on the listen loop's thread between envelopes (its on_tick hook), so
// the Client is only ever used from one thread.
#include "command.hpp"
#include "daemon/daemon_lock.hpp"
#include "daemon/events.hpp"
#include "daemon/methods.hpp"
#include "daemon/rpc_server.hpp"
#include "format.hpp"
#include "session.hpp"
#include "signals.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <csignal>
#include <stop_token>

namespace hush::cli {

namespace {

/// How often the daemon looks for state changes (identity keys, groups) that
/// came without a message. A message or a request makes it look at once.
constexpr std::chrono::seconds kStateLookInterval{1};

int refuse_second(Context& ctx, const Error& error, const std::optional<daemon::DaemonInfo>& holder) {
  const std::string hint =
      holder ? fmt::format("a hush daemon (pid {}) already serves this home folder on {}; talk to it, or stop it first "
                           "(kill {})",
                           holder->pid, holder->socket.string(), holder->pid)
             : std::string("a hush daemon already serves this home folder; stop it first");
  return report(ctx, error, hint);
}

int run(Context& ctx, const ParsedArgs& args) {
  const std::filesystem::path home = ctx.global.home;
  std::error_code ec;
  std::filesystem::path socket = args.value("--socket") ? std::filesystem::path(*args.value("--socket"))
                                                        : home / daemon::kSocketFileName;
  socket = std::filesystem::absolute(socket, ec);
  const bool stdio = args.flag("--stdio");

  // Refused before the passphrase is asked for, then for certain under the lock.
  if (auto holder = daemon::running_daemon(home)) {
    return refuse_second(ctx, make_error(Errc::conflict, "another hush daemon runs on this home folder"), holder);
  }
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  auto me = (*client)->whoami();
  if (!me) return report(ctx, me.error());
  std::optional<daemon::DaemonInfo> holder;
  auto lock = daemon::DaemonLock::acquire(home, socket, holder);
  if (!lock) {
    if (lock.code() == Errc::conflict) return refuse_second(ctx, lock.error(), holder);
    return report(ctx, lock.error());
  }
  // A client that goes away mid-answer must not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);
  auto server = daemon::RpcServer::start(socket, stdio);
  if (!server) {
    return report(ctx, server.error(),
                  server.code() == Errc::invalid_argument
                      ? "a Unix socket path has at most 107 bytes: choose a shorter one with --socket PATH"
                      : "choose another path with --socket PATH");
  }
  daemon::RpcServer& rpc_server = **server;
  ctx.out.note(fmt::format("hush daemon: serving {} on {} (pid {}); SIGINT or SIGTERM stops it",
                           terminal_safe(me->username), socket.string(), ::getpid()));

  client::Client& c = **client;
  auto notify = [&](const client::ReceivedMessage& m) { rpc_server.broadcast(daemon::message_notification(m)); };
  daemon::Methods methods(c, [&](const client::ReceivedMessage& m) {
    notify(m);
  });
  daemon::StateWatcher watcher(c);
  const rpc::MethodTable table = [&](const std::string& method, const rpc::Json& params) {
    return methods.call(method, params);
  };
  bool look = false;
  auto last_look = std::chrono::steady_clock::now();

  StopSignals signals;
  std::stop_source stop;
  const Status done = c.listen(
      [&](const client::ReceivedMessage& m) {
        methods.buffer(m);
        notify(m);
        look = true;
      },
      stop.get_token(),
      [&] {
        const bool input_ended = rpc_server.stdin_closed();  // before take(): its last lines are in this batch
        for (auto& in : rpc_server.take()) {
          rpc_server.answer(in.channel, rpc::handle_line(in.line, table));
          look = true;
        }
        const auto now = std::chrono::steady_clock::now();
        if (look || now - last_look >= kStateLookInterval) {
          for (const auto& line : watcher.changes()) rpc_server.broadcast(line);
          look = false;
          last_look = now;
        }
        if (StopSignals::received() != 0 || input_ended) stop.request_stop();
      });
  StopSignals::reset();
  server->reset();  // answers written, socket removed, then the lock goes
  if (!done) return report(ctx, done.error());
  ctx.out.note("hush daemon: stopped");
  return 0;
}

}  // namespace

const CommandSpec& daemon_command() {
  static const CommandSpec spec{
      "daemon",
      "[--socket PATH] [--stdio]",
      "serve JSON-RPC 2.0 to programs, holding the connection",
      "Runs until SIGINT or SIGTERM, holding the server connection for this home\n"
      "folder (one daemon per home), and serves JSON-RPC 2.0, one JSON text per line,\n"
      "on a Unix socket (default HOME/daemon.sock, owner-only) and with --stdio also on\n"
      "stdin/stdout (stopping at the end of stdin). Incoming messages, decryption\n"
      "failures, identity-key and group changes are sent to every client as\n"
      "notifications. While it runs, send, receive, contacts, history, safety-number\n"
      "and group send talk to it. Methods: docs/cli.md, \"hush daemon\".",
      {{"--socket", "PATH", "the socket's path (default HOME/daemon.sock)"},
       {"--stdio", "", "also serve stdin/stdout; stop at the end of stdin"}},
      {},
      0,
      &run};
  return spec;
}

}  // namespace hush::cli
