// Frame encoding. The serialized content is a secret (it holds the text), so
// the frame's bytes are built into SecretBuffers and the generated message's
// strings are wiped before it is destroyed.
#include "frame.hpp"

#include <hush/client/content/padding.hpp>

#include "sdk_frame.pb.h"

namespace hush::client::sdk {

namespace {

struct Wiper {
  hush::client_sdk::Frame& m;
  ~Wiper() {
    std::string* s = m.mutable_content();
    secure_wipe(s->data(), s->size());
  }
};

}  // namespace

Result<SecretBuffer> encode_frame(const Frame& frame) {
  if (frame.sender_username.size() > kMaxFrameUsername || frame.sent_to.size() > kMaxFrameUsername) {
    return make_error(Errc::invalid_argument, "frame username too long");
  }
  HUSH_TRY_ASSIGN(auto content, content::serialize(frame.content));
  hush::client_sdk::Frame m;
  Wiper wiper{m};
  m.set_version(kFrameVersion);
  m.set_sender_username(frame.sender_username);
  m.set_sent_to(frame.sent_to);
  auto c = content.expose();
  m.mutable_content()->assign(reinterpret_cast<const char*>(c.data()), c.size());
  const std::size_t size = m.ByteSizeLong();
  if (size >= content::kMaxPaddedSize || content::padded_size(size) > content::kMaxPaddedSize) {
    return make_error(Errc::invalid_argument, "frame too long to pad");
  }
  SecretBuffer out(content::padded_size(size));
  auto o = out.expose_mut();
  if (!m.SerializeToArray(o.data(), static_cast<int>(size))) return make_error(Errc::invalid_argument, "frame");
  o[size] = content::kPaddingMarker;
  return out;
}

Result<Frame> decode_frame(ByteView padded) {
  HUSH_TRY_ASSIGN(auto bytes, content::unpad(padded));
  hush::client_sdk::Frame m;
  Wiper wiper{m};
  auto v = bytes.expose();
  if (!m.ParseFromArray(v.data(), static_cast<int>(v.size()))) return make_error(Errc::decode_error, "frame protobuf");
  if (m.version() != kFrameVersion) return make_error(Errc::unsupported_version, "frame version");
  if (m.sender_username().size() > kMaxFrameUsername || m.sent_to().size() > kMaxFrameUsername) {
    return make_error(Errc::invalid_message, "frame username too long");
  }
  HUSH_TRY_ASSIGN(auto content, content::parse(as_bytes(m.content())));
  return Frame{m.sender_username(), m.sent_to(), std::move(content)};
}

}  // namespace hush::client::sdk
