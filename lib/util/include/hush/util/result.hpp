// Result<T>: the value of an operation that can fail in an expected way.
// Shaped like std::expected (which g++ 12 lacks in C++20; see
// docs/adr/0001-result-type.md). The error is an Errc plus a static context
// string: never user data, so an error can be logged without leaking.
#pragma once

#include <hush/util/check.hpp>
#include <hush/util/errc.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace hush {

/// An expected failure: a code and a static, literal context ("signal message MAC").
struct Error {
  Errc code = Errc::ok;
  const char* context = "";

  friend bool operator==(const Error& a, const Error& b) noexcept { return a.code == b.code; }
};

/// Makes an Error; `context` must be a string literal (it is stored by pointer).
constexpr Error make_error(Errc code, const char* context = "") noexcept {
  return Error{code, context};
}

template <class T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> is ambiguous");

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, error) {          // NOLINT
    HUSH_CHECK(error.code != Errc::ok);
  }

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  [[nodiscard]] explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    HUSH_CHECK(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    HUSH_CHECK(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    HUSH_CHECK(has_value());
    return std::get<0>(std::move(v_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const Error& error() const {
    HUSH_CHECK(!has_value());
    return std::get<1>(v_);
  }
  [[nodiscard]] Errc code() const noexcept { return has_value() ? Errc::ok : std::get<1>(v_).code; }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(error) { HUSH_CHECK(error.code != Errc::ok); }  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return error_.code == Errc::ok; }
  [[nodiscard]] explicit operator bool() const noexcept { return has_value(); }
  void value() const { HUSH_CHECK(has_value()); }
  [[nodiscard]] const Error& error() const {
    HUSH_CHECK(!has_value());
    return error_;
  }
  [[nodiscard]] Errc code() const noexcept { return error_.code; }

 private:
  Error error_{};
};

using Status = Result<void>;

/// The success value of Result<void>.
inline Status ok() noexcept {
  return {};
}

}  // namespace hush

/// Evaluates `expr` (a Result); on failure returns its Error from the enclosing function.
#define HUSH_TRY(expr)                                      \
  do {                                                      \
    auto&& hush_try_result_ = (expr);                       \
    if (!hush_try_result_) return hush_try_result_.error(); \
  } while (0)

#define HUSH_CONCAT_INNER_(a, b) a##b
#define HUSH_CONCAT_(a, b) HUSH_CONCAT_INNER_(a, b)

/// `HUSH_TRY_ASSIGN(auto x, f());` declares x from the value of f() or returns its Error.
#define HUSH_TRY_ASSIGN(decl, expr) HUSH_TRY_ASSIGN_IMPL_(HUSH_CONCAT_(hush_r_, __LINE__), decl, expr)
#define HUSH_TRY_ASSIGN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                           \
  if (!tmp) return tmp.error();                \
  decl = std::move(tmp).value()
