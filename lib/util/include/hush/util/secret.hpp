// Containers for secrets. They wipe themselves (libsodium's sodium_memzero)
// when destroyed or moved from, cannot be copied by accident (clone() is
// explicit), cannot be printed (no operator<<, no iterators for fmt to find)
// and cannot be compared except in constant time (ct_equal). Access goes
// through expose(), which is easy to grep for in review.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/check.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace hush {

/// Wipes memory so the compiler cannot elide it (sodium_memzero).
void secure_wipe(void* p, std::size_t n) noexcept;

/// Constant-time equality of two equally long byte strings (sodium_memcmp);
/// different lengths compare unequal (lengths are not secret).
[[nodiscard]] bool ct_equal(ByteView a, ByteView b) noexcept;

/// A fixed-size secret, stored inline.
template <std::size_t N>
class SecretBytes {
 public:
  static constexpr std::size_t kSize = N;

  SecretBytes() noexcept { data_.fill(0); }
  explicit SecretBytes(std::span<const std::uint8_t, N> src) noexcept : live_(true) {
    std::memcpy(data_.data(), src.data(), N);
  }

  /// From a view of runtime length; aborts if the length is not N (a programmer error:
  /// parsers check lengths before building secrets).
  static SecretBytes from(ByteView src) {
    HUSH_CHECK(src.size() == N);
    SecretBytes s;
    std::memcpy(s.data_.data(), src.data(), N);
    s.live_ = true;
    return s;
  }

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : live_(other.live_) {
    std::memcpy(data_.data(), other.data_.data(), N);
    if (other.live_) other.wipe();  // else it is known to be zero already
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      std::memcpy(data_.data(), other.data_.data(), N);
      live_ = other.live_;
      if (other.live_) other.wipe();
    }
    return *this;
  }
  ~SecretBytes() {
    if (live_) wipe();
  }

  /// An explicit copy.
  [[nodiscard]] SecretBytes clone() const noexcept { return SecretBytes(expose()); }

  [[nodiscard]] std::span<const std::uint8_t, N> expose() const noexcept {
    return std::span<const std::uint8_t, N>(data_);
  }
  [[nodiscard]] std::span<std::uint8_t, N> expose_mut() noexcept {
    live_ = true;  // may now hold a secret
    return std::span<std::uint8_t, N>(data_);
  }
  [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }

  void wipe() noexcept {
    secure_wipe(data_.data(), N);
    live_ = false;
  }

  friend bool ct_equal(const SecretBytes& a, const SecretBytes& b) noexcept { return ct_equal(a.expose(), b.expose()); }

 private:
  std::array<std::uint8_t, N> data_;
  // False while the bytes are known to be zero (fresh, moved from, wiped), so
  // the destructor of a moved-from secret does not wipe it a second time.
  bool live_ = false;
};

/// A variable-length secret. Its storage is allocated once and never grows by
/// reallocation, so no unwiped copy is ever left behind on the heap.
class SecretBuffer {
 public:
  SecretBuffer() noexcept = default;
  explicit SecretBuffer(std::size_t size) : data_(size ? new std::uint8_t[size]() : nullptr), size_(size) {}
  explicit SecretBuffer(ByteView src) : SecretBuffer(for_overwrite(src.size())) {
    if (size_) std::memcpy(data_.get(), src.data(), size_);
  }
  /// A buffer of `size` bytes left uninitialised, for a caller that writes
  /// every byte before reading any (a codec checking it wrote exactly `size`,
  /// a copy): zeroing kilobytes only to overwrite them costs a pass over the
  /// memory on every session record and SPQR record a message rewrites.
  [[nodiscard]] static SecretBuffer for_overwrite(std::size_t size) {
    SecretBuffer b;
    if (size) b.data_.reset(new std::uint8_t[size]);
    b.size_ = size;
    return b;
  }

  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  SecretBuffer(SecretBuffer&& other) noexcept : data_(std::move(other.data_)), size_(other.size_) { other.size_ = 0; }
  SecretBuffer& operator=(SecretBuffer&& other) noexcept {
    if (this != &other) {
      wipe();
      data_ = std::move(other.data_);
      size_ = other.size_;
      other.size_ = 0;
    }
    return *this;
  }
  ~SecretBuffer() { wipe(); }

  [[nodiscard]] SecretBuffer clone() const { return SecretBuffer(expose()); }

  [[nodiscard]] ByteView expose() const noexcept { return {data_.get(), size_}; }
  [[nodiscard]] MutableByteView expose_mut() noexcept { return {data_.get(), size_}; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

  /// Shortens the buffer in place; the cut tail is wiped. Growing is not offered.
  void truncate(std::size_t new_size) noexcept {
    HUSH_CHECK(new_size <= size_);
    if (data_) secure_wipe(data_.get() + new_size, size_ - new_size);
    size_ = new_size;
  }

  friend bool ct_equal(const SecretBuffer& a, const SecretBuffer& b) noexcept {
    return ct_equal(a.expose(), b.expose());
  }

 private:
  void wipe() noexcept {
    if (data_) secure_wipe(data_.get(), size_);
  }
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

}  // namespace hush
