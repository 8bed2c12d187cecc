// `hush whoami`: the account, device and server of this home folder.
#include "command.hpp"
#include "format.hpp"
#include "session.hpp"

namespace hush::cli {

namespace {

int run(Context& ctx, const ParsedArgs&) {
  auto client = open_client(ctx);
  if (!client) return report(ctx, client.error());
  auto id = (*client)->whoami();
  if (!id) return report(ctx, id.error());
  print_identity(ctx.out, *id, "you are");
  return 0;
}

}  // namespace

const CommandSpec& whoami_command() {
  static const CommandSpec spec{"whoami", "", "show this device's account, device id and server",
                                "Shows the account registered in the home folder: username, account id,\n"
                                "device id, server and public identity key.",
                                {}, {}, 0, &run};
  return spec;
}

}  // namespace hush::cli
