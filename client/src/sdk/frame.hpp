// The SDK frame around client content inside the ratchet (docs/protocol.md
// §7.1): who claims to send it, for a copy between our own devices whom it
// was sent to, and the content; padded whole with §6.2's scheme.
#pragma once

#include <hush/client/content/content.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <string>

namespace hush::client::sdk {

/// The frame version this build writes and the only one it reads.
inline constexpr std::uint32_t kFrameVersion = 1;
/// Longest username carried (hushd's limit is 32).
inline constexpr std::size_t kMaxFrameUsername = 64;

struct Frame {
  std::string sender_username;
  std::string sent_to;  ///< empty unless a copy for our own devices
  content::Content content;
};

/// Serializes and pads. invalid_argument for over-long names or text.
[[nodiscard]] Result<SecretBuffer> encode_frame(const Frame& frame);
/// Unpads, parses and validates. decode_error, unsupported_version,
/// invalid_message, bad_length, as content::decode.
[[nodiscard]] Result<Frame> decode_frame(ByteView padded);

}  // namespace hush::client::sdk
