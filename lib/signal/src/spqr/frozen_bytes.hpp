// FrozenBytes: bytes a braid state holds that never change once made (the
// epoch's decapsulation key, the payload being sent in chunks). Copies of a
// state share them: a session works on a copy of its state for every message
// (to commit only on success), and these are the kilobytes that copy would
// otherwise allocate for and copy.
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/secret.hpp>

#include <memory>

namespace hush::signal::spqr::detail {

class FrozenBytes {
 public:
  FrozenBytes() noexcept = default;

  /// A copy of `bytes`, owned (and shared by copies). Kept in a SecretBuffer
  /// whatever it holds: the decapsulation key needs the wipe, and the public
  /// payloads lose nothing by it (one copy per epoch).
  [[nodiscard]] static FrozenBytes owned(ByteView bytes) {
    FrozenBytes f;
    f.owned_ = std::make_shared<const SecretBuffer>(bytes);
    f.view_ = f.owned_->expose();
    return f;
  }

  [[nodiscard]] ByteView view() const noexcept { return view_; }
  [[nodiscard]] std::size_t size() const noexcept { return view_.size(); }
  /// Whether this holds bytes (empty bytes are never held: no braid field is).
  explicit operator bool() const noexcept { return !view_.empty(); }
  void reset() noexcept { *this = FrozenBytes(); }

 private:
  std::shared_ptr<const SecretBuffer> owned_;
  ByteView view_;
};

}  // namespace hush::signal::spqr::detail
