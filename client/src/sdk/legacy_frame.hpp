// Frames kept by a store made before content version 2 (issue #16). Until
// then the SDK wrapped 1:1 content in a frame of its own (sdk_frame.proto's
// `Frame`: version 1, the sender's username, the recipient of a sent copy,
// the serialized version-1 content), padded whole. Version 2 put those two
// fields into the content: one message, one version, one padding site
// (docs/protocol.md §7.1). Nothing sends or accepts a frame any more, but
// the sent-message store keeps padded plaintexts for a resend
// (docs/protocol.md §7.6), and those may predate the change.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

namespace hush::client::sdk {

/// A kept plaintext as it must go out now: padded content of the current
/// version as it is, a version-1 frame rewritten as the same content of the
/// current version. Errors: decode_error or unsupported_version for bytes
/// that are neither (they cannot be resent).
[[nodiscard]] Result<SecretBuffer> current_plaintext(ByteView kept);

}  // namespace hush::client::sdk
