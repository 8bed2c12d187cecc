// `hush receive [--wait SECONDS]`: fetches, decrypts, stores and
// acknowledges everything pending and prints it; with nothing pending, waits
// up to SECONDS for the first message.
#include "command.hpp"
#include "daemon/daemon_client.hpp"
#include "format.hpp"
#include "session.hpp"

#include <fmt/format.h>

#include <thread>

namespace hush::cli {

namespace {

/// Longest --wait: a day (a longer wait is a job for `listen`).
constexpr std::uint64_t kMaxWaitSeconds = 24 * 3600;
/// With a daemon: how often to ask it again while --wait runs.
constexpr std::chrono::milliseconds kDaemonPoll{200};

/// A running daemon is this home's one listener: it received the messages,
/// so what it kept since the last fetch is what there is to show.
Result<std::vector<client::ReceivedMessage>> receive_from(daemon::DaemonClient& d, std::chrono::seconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto messages = d.receive();
    if (!messages || !messages->empty() || std::chrono::steady_clock::now() >= deadline) return messages;
    std::this_thread::sleep_for(kDaemonPoll);
  }
}

int run(Context& ctx, const ParsedArgs& args) {
  std::uint64_t wait = 0;
  if (auto w = args.value("--wait")) {
    auto v = parse_count(*w, kMaxWaitSeconds);
    if (!v) return ctx.out.usage("receive: --wait takes whole seconds from 0 to 86400", "receive");
    wait = *v;
  }
  Result<std::vector<client::ReceivedMessage>> messages = make_error(Errc::unavailable);
  std::string receiver;  // who received them, for the note when there is nothing
  if (auto daemon = daemon::DaemonClient::connect(ctx.global.home)) {
    messages = receive_from(*daemon, std::chrono::seconds(wait));
    receiver = fmt::format(" (hush daemon, pid {}, is receiving for this home: these are the messages it kept)",
                           daemon->info().pid);
  } else {
    auto client = open_client(ctx);
    if (!client) return report(ctx, client.error());
    messages = (*client)->receive(std::chrono::seconds(wait));
  }
  if (!messages) return report(ctx, messages.error());
  std::size_t failed = 0;
  for (const auto& m : *messages) {
    print_message(ctx.out, m);
    if (m.failure) ++failed;
  }
  if (messages->empty() && !ctx.out.json()) ctx.out.note("no new messages" + receiver);
  // A message that could not be decrypted is never passed over with exit 0
  // (docs/cli.md): everything else was printed and acknowledged first.
  if (failed > 0) {
    return report(ctx, make_error(Errc::invalid_message, "a message could not be decrypted"),
                  fmt::format("{} message(s) could not be decrypted; the senders were asked to resend where possible "
                              "(run `hush receive` again)",
                              failed));
  }
  return 0;
}

}  // namespace

const CommandSpec& receive_command() {
  static const CommandSpec spec{
      "receive",
      "[--wait SECONDS]",
      "fetch, decrypt and print pending messages",
      "Fetches everything pending, decrypts it, stores it in the history,\n"
      "acknowledges it and prints it (each message once, ever). When nothing is\n"
      "pending, waits up to SECONDS for the first message (default 0).",
      {{"--wait", "SECONDS", "wait this long for a first message when none is pending"}},
      {},
      0,
      &run};
  return spec;
}

}  // namespace hush::cli
