// `hush listen`: stays connected and prints messages as they arrive until
// SIGINT or SIGTERM (reconnecting with backoff when the connection drops).
#include "command.hpp"
#include "format.hpp"
#include "session.hpp"
#include "signals.hpp"

#include <fmt/format.h>

#include <stop_token>

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs&) {
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  auto me = (*client)->whoami();
  if (!me) return report(ctx, me.error());
  if (!ctx.out.json()) ctx.out.note(fmt::format("listening as {}; Ctrl-C to stop", terminal_safe(me->username)));
  StopSignals signals;
  std::stop_source stop;
  const Status done = (*client)->listen(
      [&](const client::ReceivedMessage& m) {
        print_message(ctx.out, m);
        if (m.failure && ctx.out.json()) ctx.out.warning(failure_text(m));  // also said on stderr
      },
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
