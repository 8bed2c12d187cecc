// prepare_new_device (see new_device.hpp).
#include "new_device.hpp"

#include "session.hpp"

namespace hush::cli {

std::optional<int> prepare_new_device(Context& ctx, const ParsedArgs& args, NewDevice& device) {
  if (auto c = args.value("--ca")) {
    std::error_code ec;
    device.ca = std::filesystem::absolute(*c, ec);
    if (ec || !std::filesystem::is_regular_file(device.ca, ec)) {
      return ctx.out.fail(make_error(Errc::not_found, "CA certificate file"), "--ca must name a PEM certificate file");
    }
  }
  auto client = open_or_create_client(ctx);
  if (!client) return report(ctx, client.error());
  device.client = std::move(*client);
  return std::nullopt;
}

}  // namespace hush::cli
