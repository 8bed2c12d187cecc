// A small, strict byte encoding for the values the store seals and for the
// associated data that binds each sealed value to its place. Every field is
// length-prefixed, so two different field lists never encode alike. Secrets
// are written straight into one SecretBuffer of the final size (no
// reallocation leaves an unwiped copy behind). Private to the store.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace hush::client::store {

/// Collects views of fields, then writes them once. The viewed bytes must
/// outlive finish().
class RecordWriter {
 public:
  RecordWriter& u8(std::uint8_t v);
  RecordWriter& u32(std::uint32_t v);
  RecordWriter& u64(std::uint64_t v);
  /// A 32-bit length, then the bytes.
  RecordWriter& bytes(ByteView v);
  RecordWriter& string(std::string_view v) { return bytes(as_bytes(v)); }

  /// The encoding, in a buffer that wipes itself.
  [[nodiscard]] SecretBuffer finish() const;
  /// The encoding, for public data (associated data, row keys).
  [[nodiscard]] Bytes finish_public() const;

 private:
  void raw(ByteView v) { parts_.push_back(v); }
  std::deque<std::array<std::uint8_t, 8>> scratch_;  // deque: elements never move
  std::vector<ByteView> parts_;
};

/// Reads what RecordWriter wrote; every read fails with decode_error on
/// truncation, and done() fails unless every byte was consumed.
class RecordReader {
 public:
  explicit RecordReader(ByteView in) noexcept : in_(in) {}
  Result<std::uint8_t> u8();
  Result<std::uint32_t> u32();
  Result<std::uint64_t> u64();
  /// A view into the input (valid while the input is).
  Result<ByteView> bytes(std::size_t max_size);
  Result<std::string> string(std::size_t max_size);
  [[nodiscard]] Status done() const;

 private:
  Result<ByteView> take(std::size_t n);
  ByteView in_;
};

}  // namespace hush::client::store
