// Padding of serialized content before it enters the ratchet, so that the
// ciphertext's length says little about the text's: Signal's scheme (the
// content, one 0x80 byte, then zeros) with buckets of 160 bytes of text
// after a fixed allowance for the content's other fields
// (docs/protocol.md, "Client content").
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstddef>

namespace hush::client::content {

/// Bucket width: Signal's 160 bytes.
inline constexpr std::size_t kPaddingBucket = 160;
/// Room for the content's fields other than the text (version, id, timestamp,
/// field tags and lengths: at most 39 bytes), so texts of 0..159 bytes share
/// the first bucket.
inline constexpr std::size_t kPaddingHeadroom = 64;
/// The padding terminator.
inline constexpr std::uint8_t kPaddingMarker = 0x80;
/// Largest padded content accepted (256 KiB): far above any text we send, and
/// small enough that a hostile peer cannot make us allocate much.
inline constexpr std::size_t kMaxPaddedSize = 256 * 1024;

/// The padded length of `content_size` bytes: the smallest
/// kPaddingHeadroom + k·kPaddingBucket (k ≥ 1) that holds them and the marker.
[[nodiscard]] std::size_t padded_size(std::size_t content_size) noexcept;

/// content ‖ 0x80 ‖ 0x00… up to padded_size(content.size()).
/// invalid_argument if the result would exceed kMaxPaddedSize.
[[nodiscard]] Result<SecretBuffer> pad(ByteView content);

/// Strips the padding, refusing anything pad() would not have produced: a
/// length that is not a bucket size, no 0x80 marker after the trailing zeros,
/// or more padding than the bucket needs. Errors: decode_error.
[[nodiscard]] Result<SecretBuffer> unpad(ByteView padded);

}  // namespace hush::client::content
