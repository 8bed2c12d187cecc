// LineEditor: the byte rules of line_editor.hpp. Backspace removes UTF-8
// continuation bytes together with their lead byte.
#include "line_editor.hpp"

namespace hush::cli {

namespace {
constexpr char kCtrlC = 0x03;
constexpr char kCtrlD = 0x04;
constexpr char kBackspace = 0x08;
constexpr char kCtrlU = 0x15;
constexpr char kCtrlW = 0x17;
constexpr char kEscape = 0x1B;
constexpr char kDelete = 0x7F;

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
}  // namespace

std::string LineEditor::take() {
  std::string out;
  out.swap(line_);
  return out;
}

LineEditor::Event LineEditor::feed(char c) {
  if (escape_ == Escape::started) {
    escape_ = (c == '[' || c == 'O') ? Escape::sequence : Escape::none;
    return Event::none;
  }
  if (escape_ == Escape::sequence) {
    // CSI parameters and intermediates are 0x20..0x3F; the final byte ends it.
    if (static_cast<unsigned char>(c) >= 0x40 && static_cast<unsigned char>(c) <= 0x7E) escape_ = Escape::none;
    return Event::none;
  }
  switch (c) {
    case kCtrlC: return Event::quit;
    case kCtrlD: return line_.empty() ? Event::quit : Event::none;
    case '\r':
    case '\n': return Event::submit;
    case kEscape: escape_ = Escape::started; return Event::none;
    case kBackspace:
    case kDelete: {
      if (line_.empty()) return Event::none;
      while (!line_.empty() && continuation(line_.back())) line_.pop_back();
      if (!line_.empty()) line_.pop_back();
      return Event::changed;
    }
    case kCtrlU:
      if (line_.empty()) return Event::none;
      line_.clear();
      return Event::changed;
    case kCtrlW: {
      if (line_.empty()) return Event::none;
      while (!line_.empty() && line_.back() == ' ') line_.pop_back();
      while (!line_.empty() && line_.back() != ' ') line_.pop_back();
      return Event::changed;
    }
    default: break;
  }
  if (c == '\t') c = ' ';
  if (static_cast<unsigned char>(c) < 0x20) return Event::none;
  if (line_.size() >= kMaxLine) return Event::none;
  line_ += c;
  return Event::changed;
}

}  // namespace hush::cli
