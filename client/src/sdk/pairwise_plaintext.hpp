// The plaintext of every pairwise (Double Ratchet) message the SDK sends:
// the content, naming its sender and, on a copy for our own other devices,
// its recipient, padded (docs/protocol.md §6.2 and §7.1). One message, one
// version, one padding site: the content (issue #16).
#pragma once

#include <hush/client/content/content.hpp>

#include <string>

namespace hush::client::sdk {

/// `c` from `sender` (to `sent_to` on a sent copy), padded. Errors as content::encode.
[[nodiscard]] inline Result<SecretBuffer> pairwise_plaintext(std::string sender, std::string sent_to,
                                                             content::Content c) {
  c.sender_username = std::move(sender);
  c.sent_to = std::move(sent_to);
  return content::encode(c);
}

}  // namespace hush::client::sdk
