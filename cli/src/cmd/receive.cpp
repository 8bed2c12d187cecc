// `hush receive [--wait SECONDS]`: fetches, decrypts, stores and
// acknowledges everything pending and prints it; with nothing pending, waits
// up to SECONDS for the first message.
#include "command.hpp"
#include "format.hpp"
#include "session.hpp"

#include <fmt/format.h>

namespace hush::cli {

namespace {

/// Longest --wait: a day (a longer wait is a job for `listen`).
constexpr std::uint64_t kMaxWaitSeconds = 24 * 3600;

int run(Context& ctx, const ParsedArgs& args) {
  std::uint64_t wait = 0;
  if (auto w = args.value("--wait")) {
    auto v = parse_count(*w, kMaxWaitSeconds);
    if (!v) return ctx.out.usage("receive: --wait takes whole seconds from 0 to 86400", "receive");
    wait = *v;
  }
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  auto messages = (*client)->receive(std::chrono::seconds(wait));
  if (!messages) return report(ctx, messages.error());
  std::size_t failed = 0;
  for (const auto& m : *messages) {
    print_message(ctx.out, m);
    if (m.failure) ++failed;
  }
  if (messages->empty() && !ctx.out.json()) ctx.out.note("no new messages");
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
