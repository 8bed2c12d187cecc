// `hush history USERNAME [--limit N]`: the last N messages with USERNAME
// from the local store, oldest first.
#include "command.hpp"
#include "daemon/daemon_client.hpp"
#include "format.hpp"
#include "session.hpp"

namespace hush::cli {

namespace {

constexpr std::uint64_t kDefaultLimit = 50;
constexpr std::uint64_t kMaxLimit = 1000000;

int run(Context& ctx, const ParsedArgs& args) {
  std::uint64_t limit = kDefaultLimit;
  if (auto l = args.value("--limit")) {
    auto v = parse_count(*l, kMaxLimit);
    if (!v || *v == 0) return ctx.out.usage("history: --limit takes a number from 1 to 1000000", "history");
    limit = *v;
  }
  Result<std::vector<client::HistoryMessage>> messages = make_error(Errc::unavailable);
  if (auto daemon = daemon::DaemonClient::connect(ctx.global.home)) {
    messages = daemon->history(args.positionals[0], static_cast<std::size_t>(limit));
  } else {
    auto client = open_client(ctx);
    if (!client) return report(ctx, client.error());
    messages = (*client)->history(args.positionals[0], static_cast<std::size_t>(limit));
  }
  if (!messages) return report(ctx, messages.error());
  for (const auto& m : *messages) {
    if (ctx.out.json()) {
      ctx.out.object(history_json(m));
    } else {
      ctx.out.text(history_line(m));
    }
  }
  if (messages->empty() && !ctx.out.json()) ctx.out.note("no messages with " + terminal_safe(args.positionals[0]));
  return 0;
}

}  // namespace

const CommandSpec& history_command() {
  static const CommandSpec spec{"history",
                                "USERNAME [--limit N]",
                                "show the conversation with USERNAME from the local store",
                                "Shows the last N messages (default 50) exchanged with USERNAME, oldest\n"
                                "first, from the encrypted local store (no network).",
                                {{"--limit", "N", "how many messages (default 50)"}},
                                {"USERNAME"},
                                1,
                                &run};
  return spec;
}

}  // namespace hush::cli
