// A QR code drawn in the terminal with libqrencode and Unicode half blocks
// (two module rows per text line). Light modules are drawn as blocks, so on
// the usual dark terminal background the code reads dark-on-light.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <string>

namespace hush::cli {

/// The QR code of `data` (byte mode, error correction M) as lines of text
/// ending in '\n', with a two-module quiet zone. Errors: invalid_argument
/// (too long for a QR code).
[[nodiscard]] Result<std::string> render_qr(ByteView data);

}  // namespace hush::cli
