// render_qr: libqrencode's module matrix, two rows per line: upper half
// block, lower half block, full block or space.
#include "qr.hpp"

#include <qrencode.h>

#include <memory>

namespace hush::cli {

namespace {
constexpr int kQuietZone = 2;
struct QrFree {
  void operator()(QRcode* q) const noexcept { QRcode_free(q); }
};
}  // namespace

Result<std::string> render_qr(ByteView data) {
  if (data.empty() || data.size() > 2000) return make_error(Errc::invalid_argument, "QR code data length");
  std::unique_ptr<QRcode, QrFree> qr(
      QRcode_encodeData(static_cast<int>(data.size()), data.data(), 0, QR_ECLEVEL_M));
  if (!qr) return make_error(Errc::invalid_argument, "QR code encoding");
  const int width = qr->width;
  const int total = width + 2 * kQuietZone;
  // Light (true) outside the code and for light modules.
  auto light = [&](int x, int y) {
    x -= kQuietZone;
    y -= kQuietZone;
    if (x < 0 || y < 0 || x >= width || y >= width) return true;
    return (qr->data[y * width + x] & 1) == 0;
  };
  std::string out;
  for (int y = 0; y < total; y += 2) {
    for (int x = 0; x < total; ++x) {
      const bool top = light(x, y);
      const bool bottom = y + 1 < total ? light(x, y + 1) : false;
      if (top && bottom) out += "\u2588";
      else if (top) out += "\u2580";
      else if (bottom) out += "\u2584";
      else out += ' ';
    }
    out += '\n';
  }
  return out;
}

}  // namespace hush::cli
