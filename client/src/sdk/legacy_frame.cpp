// Reading the frames of before content version 2 (legacy_frame.hpp). The
// frame's content is a secret (it holds the text): the generated message's
// string is wiped before it is destroyed.
#include "legacy_frame.hpp"

#include <hush/client/content/content.hpp>
#include <hush/client/content/padding.hpp>

#include "sdk_frame.pb.h"

namespace hush::client::sdk {

namespace {

/// The only frame version there was.
constexpr std::uint32_t kLegacyFrameVersion = 1;

struct Wiper {
  hush::client_sdk::Frame& m;
  ~Wiper() {
    std::string* s = m.mutable_content();
    secure_wipe(s->data(), s->size());
  }
};

}  // namespace

Result<SecretBuffer> current_plaintext(ByteView kept) {
  if (content::decode(kept)) return SecretBuffer(kept);
  HUSH_TRY_ASSIGN(auto bytes, content::unpad(kept));
  hush::client_sdk::Frame m;
  Wiper wiper{m};
  auto v = bytes.expose();
  if (!m.ParseFromArray(v.data(), static_cast<int>(v.size()))) return make_error(Errc::decode_error, "kept frame");
  if (m.version() != kLegacyFrameVersion) return make_error(Errc::unsupported_version, "kept frame version");
  HUSH_TRY_ASSIGN(auto c, content::parse_version1(as_bytes(m.content())));
  c.sender_username = m.sender_username();
  c.sent_to = m.sent_to();
  return content::encode(c);
}

}  // namespace hush::client::sdk
