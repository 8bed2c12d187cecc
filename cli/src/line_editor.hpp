// The chat's input line, fed one byte at a time from a raw terminal:
// printable text (UTF-8) is appended, Backspace removes one character,
// Ctrl-U clears, Ctrl-W removes a word, Enter submits, Ctrl-C quits and
// Ctrl-D quits on an empty line; escape sequences (arrow keys) are ignored.
// Pure: no I/O, so it is tested byte by byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hush::cli {

class LineEditor {
 public:
  /// Longest line accepted (bytes); longer input is ignored.
  static constexpr std::size_t kMaxLine = 4096;

  enum class Event {
    none,     ///< nothing visible changed
    changed,  ///< the line changed: redraw it
    submit,   ///< Enter: take() the line
    quit,     ///< Ctrl-C, or Ctrl-D on an empty line
  };

  Event feed(char byte);
  /// The line being typed.
  [[nodiscard]] const std::string& line() const noexcept { return line_; }
  /// Returns the line and clears it.
  std::string take();

 private:
  enum class Escape { none, started, sequence };
  std::string line_;
  Escape escape_ = Escape::none;
};

}  // namespace hush::cli
