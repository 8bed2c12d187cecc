// `hush send USERNAME TEXT`: encrypts TEXT for every device of USERNAME (and
// our own other devices) and returns once the server stored it. TEXT `-`
// reads the message from stdin.
#include "command.hpp"
#include "daemon/daemon_client.hpp"
#include "format.hpp"
#include "session.hpp"

#include <fmt/format.h>

#include <iterator>

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs& args) {
  const std::string& to = args.positionals[0];
  std::string text = args.positionals[1];
  if (text == "-") {
    text.assign(std::istreambuf_iterator<char>(ctx.io.in), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  }
  if (text.empty()) return ctx.out.usage("send: the message is empty", "send");
  // A running `hush daemon` holds this home's connection: it sends.
  Result<client::SentMessage> sent = make_error(Errc::unavailable);
  if (auto daemon = daemon::DaemonClient::connect(ctx.global.home)) {
    sent = daemon->send_text(to, text);
  } else {
    auto client = open_client(ctx);
    if (!client) return report(ctx, client.error());
    sent = (*client)->send_text(to, text);
  }
  if (!sent) {
    if (sent.code() == Errc::untrusted_identity) {
      ctx.out.warning(fmt::format("{}'s identity key has changed; the message was NOT sent.", terminal_safe(to)));
      return report(ctx, sent.error(),
                    fmt::format("compare safety numbers with `hush safety-number {0}`, then accept the new key with "
                                "`hush trust {0}`",
                                terminal_safe(to)));
    }
    if (sent.code() == Errc::not_found) return report(ctx, sent.error(), "no such user on the server, or not registered here");
    return report(ctx, sent.error());
  }
  if (ctx.out.json()) {
    JsonObject o("sent");
    o.add("to", to).add("id", format_id(sent->id)).add("server_timestamp_ms", sent->server_timestamp_ms);
    o.add("duplicate", sent->duplicate);
    if (!sent->refused.empty()) o.add("refused", refused_json(sent->refused));
    ctx.out.object(o);
  } else {
    ctx.out.text(fmt::format("sent to {} at {} (id {})", terminal_safe(to), format_time(sent->server_timestamp_ms),
                             format_id(sent->id)));
  }
  // A device whose mailbox had no room did not get it: said, and exit 7.
  return report_refused(ctx.out, sent->refused);
}

}  // namespace

const CommandSpec& send_command() {
  static const CommandSpec spec{
      "send",
      "USERNAME TEXT",
      "send a message (returns once the server stored it)",
      "Encrypts TEXT for every device of USERNAME and for your own other devices and\n"
      "returns once the server accepted it. TEXT `-` reads the message from stdin.\n"
      "Refused (exit 3) while USERNAME's changed identity key is not trusted.\n"
      "A device of USERNAME whose mailbox on the server is full does not get it:\n"
      "each is named on stderr and the command exits 7.",
      {},
      {"USERNAME", "TEXT"},
      2,
      &run};
  return spec;
}

}  // namespace hush::cli
