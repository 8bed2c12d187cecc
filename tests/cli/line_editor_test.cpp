// The chat's line editor, byte by byte: typing, UTF-8 backspace, Ctrl-U,
// Ctrl-W, Enter, Ctrl-C, Ctrl-D, escape sequences and the length cap.
#include "line_editor.hpp"

#include <gtest/gtest.h>

namespace hush::cli {
namespace {

using Event = LineEditor::Event;

void type(LineEditor& e, std::string_view s) {
  for (char c : s) (void)e.feed(c);
}

TEST(LineEditor, TypesAndSubmits) {
  LineEditor e;
  EXPECT_EQ(e.feed('h'), Event::changed);
  type(e, "i there");
  EXPECT_EQ(e.line(), "hi there");
  EXPECT_EQ(e.feed('\r'), Event::submit);
  EXPECT_EQ(e.take(), "hi there");
  EXPECT_EQ(e.line(), "");
  EXPECT_EQ(e.feed('\n'), Event::submit);
}

TEST(LineEditor, BackspaceRemovesOneUtf8Character) {
  LineEditor e;
  type(e, "caf\xC3\xA9 \xF0\x9F\x98\x80");  // "café 😀"
  EXPECT_EQ(e.feed(0x7F), Event::changed);
  EXPECT_EQ(e.line(), "caf\xC3\xA9 ");
  (void)e.feed(0x7F);
  (void)e.feed(0x08);
  EXPECT_EQ(e.line(), "caf");
  type(e, "\x7F\x7F\x7F");
  EXPECT_EQ(e.feed(0x7F), Event::none);  // empty
}

TEST(LineEditor, KillLineAndWord) {
  LineEditor e;
  type(e, "one two  ");
  EXPECT_EQ(e.feed(0x17), Event::changed);
  EXPECT_EQ(e.line(), "one ");
  EXPECT_EQ(e.feed(0x15), Event::changed);
  EXPECT_EQ(e.line(), "");
}

TEST(LineEditor, QuitKeys) {
  LineEditor e;
  EXPECT_EQ(e.feed(0x04), Event::quit);  // Ctrl-D on an empty line
  type(e, "x");
  EXPECT_EQ(e.feed(0x04), Event::none);  // not on a non-empty one
  EXPECT_EQ(e.feed(0x03), Event::quit);  // Ctrl-C always
}

TEST(LineEditor, IgnoresEscapeSequencesAndControls) {
  LineEditor e;
  type(e, "a\x1b[A\x1b[1;5Cb\x1bOPc\x01\x02");
  EXPECT_EQ(e.line(), "abc");
  type(e, "\t");
  EXPECT_EQ(e.line(), "abc ");
}

TEST(LineEditor, CapsTheLength) {
  LineEditor e;
  for (std::size_t i = 0; i < LineEditor::kMaxLine + 10; ++i) (void)e.feed('x');
  EXPECT_EQ(e.line().size(), LineEditor::kMaxLine);
}

}  // namespace
}  // namespace hush::cli
