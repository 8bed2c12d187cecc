// Big-endian integers and 32-bit length prefixes; nothing else.
#include "record_codec.hpp"

#include <cstring>

namespace hush::client::store {

namespace {
constexpr const char* kTruncated = "stored record truncated";
}

RecordWriter& RecordWriter::u8(std::uint8_t v) {
  auto& s = scratch_.emplace_back();
  s[0] = v;
  raw(ByteView(s.data(), 1));
  return *this;
}

RecordWriter& RecordWriter::u32(std::uint32_t v) {
  auto& s = scratch_.emplace_back();
  for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  raw(ByteView(s.data(), 4));
  return *this;
}

RecordWriter& RecordWriter::u64(std::uint64_t v) {
  auto& s = scratch_.emplace_back();
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  raw(ByteView(s.data(), 8));
  return *this;
}

RecordWriter& RecordWriter::bytes(ByteView v) {
  HUSH_CHECK(v.size() <= 0xFFFFFFFFu);
  u32(static_cast<std::uint32_t>(v.size()));
  raw(v);
  return *this;
}

SecretBuffer RecordWriter::finish() const {
  std::size_t total = 0;
  for (auto p : parts_) total += p.size();
  SecretBuffer out(total);
  std::size_t at = 0;
  for (auto p : parts_) {
    if (!p.empty()) std::memcpy(out.expose_mut().data() + at, p.data(), p.size());
    at += p.size();
  }
  return out;
}

Bytes RecordWriter::finish_public() const {
  SecretBuffer s = finish();
  return to_bytes(s.expose());
}

Result<ByteView> RecordReader::take(std::size_t n) {
  if (in_.size() < n) return make_error(Errc::decode_error, kTruncated);
  ByteView out = in_.first(n);
  in_ = in_.subspan(n);
  return out;
}

Result<std::uint8_t> RecordReader::u8() {
  HUSH_TRY_ASSIGN(auto b, take(1));
  return b[0];
}

Result<std::uint32_t> RecordReader::u32() {
  HUSH_TRY_ASSIGN(auto b, take(4));
  std::uint32_t v = 0;
  for (auto x : b) v = (v << 8) | x;
  return v;
}

Result<std::uint64_t> RecordReader::u64() {
  HUSH_TRY_ASSIGN(auto b, take(8));
  std::uint64_t v = 0;
  for (auto x : b) v = (v << 8) | x;
  return v;
}

Result<ByteView> RecordReader::bytes(std::size_t max_size) {
  HUSH_TRY_ASSIGN(auto n, u32());
  if (n > max_size) return make_error(Errc::decode_error, "stored field too long");
  return take(n);
}

Result<std::string> RecordReader::string(std::size_t max_size) {
  HUSH_TRY_ASSIGN(auto b, bytes(max_size));
  return to_string(b);
}

Status RecordReader::done() const {
  if (!in_.empty()) return make_error(Errc::decode_error, "stored record has trailing bytes");
  return ok();
}

}  // namespace hush::client::store
