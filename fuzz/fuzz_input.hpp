// Reads a fuzz input as a program: bytes, little-endian words and byte
// strings, each taken from the front; past the end every read gives zeros or
// nothing, so a harness never needs to check the length first.
#pragma once

#include <hush/util/bytes.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace hush::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  [[nodiscard]] bool done() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint16_t word() {
    const std::uint8_t lo = byte();  // two statements: operands of | are unsequenced
    return static_cast<std::uint16_t>(lo | (byte() << 8));
  }
  Bytes take(std::size_t n) {
    n = std::min(n, size_ - std::min(pos_, size_));
    Bytes out(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace hush::fuzz
