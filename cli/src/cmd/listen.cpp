// `hush listen`: stays connected and prints messages as they arrive until
// SIGINT or SIGTERM (reconnecting with backoff when the connection drops).
#include "command.hpp"
#include "daemon/daemon_client.hpp"
#include "daemon/sdk_json.hpp"
#include "format.hpp"
#include "session.hpp"
#include "signals.hpp"

#include <fmt/format.h>

#include <stop_token>

namespace hush::cli {

namespace {

/// How often the daemon variant looks at the stop signals while it waits.
constexpr std::chrono::milliseconds kSignalPoll{100};

void show(Context& ctx, const client::ReceivedMessage& m) {
  print_message(ctx.out, m);
  if (m.failure && ctx.out.json()) ctx.out.warning(failure_text(m));  // also said on stderr
}

/// With a daemon holding this home's connection (there is one listener per
/// home), its notifications are the messages.
int listen_through(Context& ctx, daemon::DaemonClient& d) {
  if (!ctx.out.json()) {
    ctx.out.note(fmt::format("listening through the hush daemon (pid {}); Ctrl-C to stop", d.info().pid));
  }
  StopSignals signals;
  while (StopSignals::received() == 0) {
    auto n = d.next_notification(kSignalPoll);
    if (!n) {
      StopSignals::reset();
      return report(ctx, n.error(), "the hush daemon stopped; run `hush listen` again");
    }
    if (!*n) continue;
    const std::string method = (**n).value("method", "");
    if (method != "message" && method != "decryptionFailure" && method != "groupWarning") continue;
    if (auto m = rpc::received_from_json((**n)["params"])) show(ctx, *m);
  }
  StopSignals::reset();
  return 0;
}

int run(Context& ctx, const ParsedArgs&) {
  if (auto daemon = daemon::DaemonClient::connect(ctx.global.home)) return listen_through(ctx, *daemon);
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  auto me = (*client)->whoami();
  if (!me) return report(ctx, me.error());
  if (!ctx.out.json()) ctx.out.note(fmt::format("listening as {}; Ctrl-C to stop", terminal_safe(me->username)));
  StopSignals signals;
  std::stop_source stop;
  const Status done = (*client)->listen(
      [&](const client::ReceivedMessage& m) { show(ctx, m); },
                                        stop.get_token(), [&] {
                                          if (StopSignals::received() != 0) stop.request_stop();
                                        });
  StopSignals::reset();
  if (!done) return report(ctx, done.error());
  return 0;
}

}  // namespace

const CommandSpec& listen_command() {
  static const CommandSpec spec{"listen", "", "stay connected and print messages as they arrive",
                                "Stays connected to the server and prints each new message as it arrives\n"
                                "(reconnecting with backoff) until SIGINT (Ctrl-C) or SIGTERM; exits 0 then.",
                                {}, {}, 0, &run};
  return spec;
}

}  // namespace hush::cli
