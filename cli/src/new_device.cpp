// prepare_new_device and discard_new_device (see new_device.hpp).
#include "new_device.hpp"

#include "session.hpp"

#include <hush/client/store/local_store.hpp>

#include <unistd.h>

namespace hush::cli {

namespace {

bool present(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::symlink_status(p, ec));
}

}  // namespace

std::optional<int> prepare_new_device(Context& ctx, const ParsedArgs& args, NewDevice& device) {
  if (auto c = args.value("--ca")) {
    std::error_code ec;
    device.ca = std::filesystem::absolute(*c, ec);
    if (ec || !std::filesystem::is_regular_file(device.ca, ec)) {
      return ctx.out.fail(make_error(Errc::not_found, "CA certificate file"),
                          "--ca must name the server's PEM certificate file (hushd prints its path when it starts)");
    }
  }
  device.made_home = !present(ctx.global.home);
  device.made_store = !present(ctx.global.home / client::store::kStoreFileName);
  auto client = open_or_create_client(ctx);
  if (!client) {
    // Nothing to close; a store that failed half-way was removed by the SDK.
    discard_new_device(ctx, device);
    return report(ctx, client.error());
  }
  device.client = std::move(*client);
  return std::nullopt;
}

void discard_new_device(Context& ctx, NewDevice& device) noexcept {
  device.client.reset();  // closes the store before its files go
  if (device.made_store) client::store::remove_new_store(ctx.global.home);
  if (device.made_home) ::rmdir(ctx.global.home.c_str());  // only if empty: nothing of the user's goes
}

}  // namespace hush::cli
