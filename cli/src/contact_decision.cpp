// The shared steps of `hush verify` and `hush trust` (see contact_decision.hpp).
#include "contact_decision.hpp"

#include "session.hpp"

namespace hush::cli {

CommandSpec contact_decision_spec(std::string_view name, std::string_view summary, std::string_view description,
                                  int (*run)(Context& ctx, const ParsedArgs& args)) {
  return CommandSpec{name, "USERNAME [--yes]", summary, description, {{"--yes", "", "do not ask for confirmation"}},
                     {"USERNAME"}, 1, run};
}

std::optional<int> open_contact_decision(Context& ctx, const ParsedArgs& args, ContactDecision& decision) {
  decision.who = args.positionals[0];
  decision.name = terminal_safe(decision.who);
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  decision.client = std::move(*client);
  return std::nullopt;
}

std::optional<int> confirm_decision(Context& ctx, const ParsedArgs& args, std::string_view command,
                                    std::string_view question, std::string_view refused) {
  return require_confirmation(ctx, command, question, args.flag("--yes"), refused);
}

int print_decision(Context& ctx, std::string_view type, const ContactDecision& decision, const std::string* digits,
                   const std::vector<std::string>& lines) {
  if (ctx.out.json()) {
    JsonObject o(type);
    o.add("username", decision.who);
    if (digits != nullptr) o.add("digits", *digits);
    ctx.out.object(o);
  } else {
    for (const auto& line : lines) ctx.out.text(line);
  }
  return 0;
}

}  // namespace hush::cli
