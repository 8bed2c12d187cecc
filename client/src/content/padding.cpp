// Signal-style padding: content ‖ 0x80 ‖ zeros, to a bucket size.
#include <hush/client/content/padding.hpp>

#include <cstring>

namespace hush::client::content {

namespace {
constexpr const char* kBadPadding = "content padding";
}

std::size_t padded_size(std::size_t content_size) noexcept {
  std::size_t needed = content_size + 1;  // the marker
  if (needed <= kPaddingHeadroom + kPaddingBucket) return kPaddingHeadroom + kPaddingBucket;
  std::size_t buckets = (needed - kPaddingHeadroom + kPaddingBucket - 1) / kPaddingBucket;
  return kPaddingHeadroom + buckets * kPaddingBucket;
}

Result<SecretBuffer> pad(ByteView content) {
  if (content.size() >= kMaxPaddedSize || padded_size(content.size()) > kMaxPaddedSize) {
    return make_error(Errc::invalid_argument, "content too long to pad");
  }
  SecretBuffer out(padded_size(content.size()));  // zero-filled
  auto o = out.expose_mut();
  if (!content.empty()) std::memcpy(o.data(), content.data(), content.size());
  o[content.size()] = kPaddingMarker;
  return out;
}

Result<SecretBuffer> unpad(ByteView padded) {
  if (padded.size() < kPaddingHeadroom + kPaddingBucket || padded.size() > kMaxPaddedSize ||
      (padded.size() - kPaddingHeadroom) % kPaddingBucket != 0) {
    return make_error(Errc::decode_error, kBadPadding);
  }
  std::size_t end = padded.size();
  while (end > 0 && padded[end - 1] == 0) --end;
  if (end == 0 || padded[end - 1] != kPaddingMarker) return make_error(Errc::decode_error, kBadPadding);
  std::size_t content_size = end - 1;
  // Exactly the padding pad() adds: no spare buckets.
  if (padded_size(content_size) != padded.size()) return make_error(Errc::decode_error, kBadPadding);
  return SecretBuffer(padded.first(content_size));
}

}  // namespace hush::client::content
