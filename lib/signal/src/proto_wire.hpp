// The protobuf wire format, as much of it as the SPQR record
// (proto/spqr_storage.proto) and the SignalMessage (proto/signal_wire.proto)
// need, read and written by hand: both go through every message, and this
// way their bytes go straight between the caller's buffer and our types, with
// no protobuf objects, no string (and allocation) per field and no secret
// copied into memory that then needs scrubbing. Private to lib/signal.
//
// Writing is canonical, byte for byte what protobuf-lite writes: fields in
// number order, proto3 defaults (0, empty bytes) left out, a present
// sub-message written even when empty. Reading accepts what protobuf-lite
// accepts: fields in any order, the last value of a repeated scalar or bytes
// field wins, sub-messages given twice merge (the reader parses each
// occurrence into the same object), unknown fields and fields of an unexpected
// wire type are skipped.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/check.hpp>
#include <hush/util/result.hpp>

#include <cstdint>
#include <cstring>

namespace hush::signal::detail::wire {

inline constexpr std::uint32_t kVarint = 0;
inline constexpr std::uint32_t kFixed64 = 1;
inline constexpr std::uint32_t kLengthDelimited = 2;
inline constexpr std::uint32_t kStartGroup = 3;
inline constexpr std::uint32_t kEndGroup = 4;
inline constexpr std::uint32_t kFixed32 = 5;

constexpr std::size_t varint_size(std::uint64_t v) noexcept {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

/// Bytes of a varint field (0 when v is 0: proto3 leaves it out). Every field
/// number here is below 16, so a tag is one byte.
constexpr std::size_t varint_field_size(std::uint64_t v) noexcept {
  return v == 0 ? 0 : 1 + varint_size(v);
}
/// Bytes of a bytes field (0 when empty).
constexpr std::size_t bytes_field_size(std::size_t len) noexcept {
  return len == 0 ? 0 : 1 + varint_size(len) + len;
}
/// Bytes of a present sub-message of `len` bytes (written even when empty).
constexpr std::size_t message_field_size(std::size_t len) noexcept {
  return 1 + varint_size(len) + len;
}

/// Writes into a buffer sized exactly beforehand (checked at every step).
class Writer {
 public:
  explicit Writer(MutableByteView out) noexcept : p_(out.data()), end_(out.data() + out.size()) {}
  [[nodiscard]] bool done() const noexcept { return p_ == end_; }

  void varint_field(std::uint32_t field, std::uint64_t v) noexcept {
    if (v == 0) return;
    tag(field, kVarint);
    varint(v);
  }
  void bytes_field(std::uint32_t field, ByteView b) noexcept {
    if (b.empty()) return;
    tag(field, kLengthDelimited);
    varint(b.size());
    raw(b);
  }
  /// Opens a sub-message of `len` bytes; its fields follow.
  void message_field(std::uint32_t field, std::size_t len) noexcept {
    tag(field, kLengthDelimited);
    varint(len);
  }

 private:
  void tag(std::uint32_t field, std::uint32_t wire_type) noexcept {
    HUSH_CHECK(field < 16);
    varint(field << 3 | wire_type);
  }
  void varint(std::uint64_t v) noexcept {
    HUSH_CHECK(static_cast<std::size_t>(end_ - p_) >= varint_size(v));
    for (; v >= 0x80; v >>= 7) *p_++ = static_cast<std::uint8_t>(v | 0x80);
    *p_++ = static_cast<std::uint8_t>(v);
  }
  void raw(ByteView b) noexcept {
    HUSH_CHECK(static_cast<std::size_t>(end_ - p_) >= b.size());
    std::memcpy(p_, b.data(), b.size());
    p_ += b.size();
  }
  std::uint8_t* p_;
  std::uint8_t* end_;
};

/// One field as read: its number, wire type, and value (varint, or the bytes
/// of a length-delimited field).
struct Field {
  std::uint32_t number = 0;
  std::uint32_t wire_type = 0;
  std::uint64_t varint = 0;
  ByteView bytes;
};

/// Reads the fields of one message in order; next() yields false at the end.
/// Fails with decode_error on anything protobuf-lite's parser refuses: a
/// varint over 10 bytes, a length past the end, field number 0, wire types 6
/// and 7, an end-group tag without its start.
class Reader {
 public:
  explicit Reader(ByteView in) noexcept : in_(in) {}

  [[nodiscard]] Result<bool> next(Field& f) {
    for (;;) {
      if (at_ == in_.size()) return false;
      HUSH_TRY_ASSIGN(std::uint64_t tag, varint());
      if (tag >> 32 != 0 || (tag >> 3) == 0) return bad("protobuf field tag");
      f.number = static_cast<std::uint32_t>(tag >> 3);
      f.wire_type = static_cast<std::uint32_t>(tag & 7);
      switch (f.wire_type) {
        case kVarint: {
          HUSH_TRY_ASSIGN(f.varint, varint());
          return true;
        }
        case kLengthDelimited: {
          HUSH_TRY_ASSIGN(std::uint64_t len, varint());
          if (len > in_.size() - at_) return bad("protobuf field length");
          f.bytes = in_.subspan(at_, static_cast<std::size_t>(len));
          at_ += static_cast<std::size_t>(len);
          return true;
        }
        case kFixed64:
          HUSH_TRY(skip(8));
          continue;  // no field of ours is fixed64: unknown
        case kFixed32:
          HUSH_TRY(skip(4));
          continue;
        case kStartGroup:
          HUSH_TRY(skip_group(f.number, 0));
          continue;
        default:
          return bad("protobuf wire type");
      }
    }
  }

 private:
  static Error bad(const char* what) { return make_error(Errc::decode_error, what); }

  Result<std::uint64_t> varint() {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 10; ++i) {
      if (at_ == in_.size()) return bad("protobuf varint truncated");
      const std::uint8_t byte = in_[at_++];
      v |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
      if ((byte & 0x80) == 0) return v;
    }
    return bad("protobuf varint too long");
  }

  Status skip(std::size_t n) {
    if (n > in_.size() - at_) return bad("protobuf field truncated");
    at_ += n;
    return ok();
  }

  // Skips an unknown group up to its end tag (groups nest; depth bounded as
  // protobuf bounds recursion).
  Status skip_group(std::uint32_t number, int depth) {
    if (depth > 100) return bad("protobuf groups too deep");
    for (;;) {
      if (at_ == in_.size()) return bad("protobuf group unterminated");
      HUSH_TRY_ASSIGN(std::uint64_t tag, varint());
      if (tag >> 32 != 0 || (tag >> 3) == 0) return bad("protobuf field tag");
      const auto field = static_cast<std::uint32_t>(tag >> 3);
      switch (tag & 7) {
        case kVarint:
          HUSH_TRY(varint());
          break;
        case kFixed64:
          HUSH_TRY(skip(8));
          break;
        case kLengthDelimited: {
          HUSH_TRY_ASSIGN(std::uint64_t len, varint());
          if (len > in_.size() - at_) return bad("protobuf field length");
          at_ += static_cast<std::size_t>(len);
          break;
        }
        case kStartGroup:
          HUSH_TRY(skip_group(field, depth + 1));
          break;
        case kEndGroup:
          if (field != number) return bad("protobuf group end");
          return ok();
        case kFixed32:
          HUSH_TRY(skip(4));
          break;
        default:
          return bad("protobuf wire type");
      }
    }
  }

  ByteView in_;
  std::size_t at_ = 0;
};

}  // namespace hush::signal::detail::wire
