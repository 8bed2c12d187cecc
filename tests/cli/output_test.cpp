// Output: JSON objects are one line with "type" first and escaped strings;
// invalid UTF-8 and control characters cannot reach the terminal; the human
// error line and the JSON error object.
#include "format.hpp"
#include "output.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace hush::cli {
namespace {

TEST(Json, ObjectShapeAndTypes) {
  JsonObject o("message");
  o.add("from", "alice").add("n", std::uint64_t{18446744073709551615ULL}).add("me", false).add("code", 3);
  EXPECT_EQ(o.str(), R"({"type":"message","from":"alice","n":18446744073709551615,"me":false,"code":3})");
}

TEST(Json, EscapesAndKeepsUtf8) {
  EXPECT_EQ(json_string("a\"b\\c\n\t\x01\x7f"), R"("a\"b\\c\n\t\u0001\u007f")");
  EXPECT_EQ(json_string("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
}

TEST(Json, InvalidUtf8BecomesReplacement) {
  EXPECT_EQ(json_string("a\xFF" "b"), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(json_string("\xC3"), "\"\xEF\xBF\xBD\"");                // truncated
  EXPECT_EQ(json_string("\xC0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong
  EXPECT_EQ(json_string("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(TerminalSafe, NeutralizesEscapes) {
  EXPECT_EQ(terminal_safe("hi\x1b[2J\x07 there\ttab"), "hi\xEF\xBF\xBD[2J\xEF\xBF\xBD there\ttab");
  EXPECT_EQ(terminal_safe("\xC2\x9B" "31m"), "\xEF\xBF\xBD" "31m");  // C1 CSI
  EXPECT_EQ(terminal_safe("line\nbreak\r"), "line\xEF\xBF\xBD" "break\xEF\xBF\xBD");
  EXPECT_EQ(terminal_safe("caf\xC3\xA9"), "caf\xC3\xA9");
}

// Issue #13: copies the server refused for lack of room are named, and the
// command exits 7 (refused), never 0 silently.
TEST(MessageFormat, RefusedCopiesAreNamedAndExitSeven) {
  std::ostringstream out, err;
  Output human(out, err, false);
  const std::vector<client::RefusedCopy> refused{{"bob", 2, "queue_full"}, {"carol", 1, "share_full"}};
  EXPECT_EQ(report_refused(human, refused), 7);
  EXPECT_NE(err.str().find("NOT delivered to bob's device 2: its mailbox on the server is full"), std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find("NOT delivered to carol's device 1: it holds as many of your messages"), std::string::npos)
      << err.str();
  EXPECT_EQ(refused_json(refused), (std::vector<std::string>{"bob:2:queue_full", "carol:1:share_full"}));
  std::ostringstream out2, err2;
  Output quiet(out2, err2, false);
  EXPECT_EQ(report_refused(quiet, {}), 0);
  EXPECT_TRUE(err2.str().empty());
}

// Issue #16: a group change is a line of its own, and a group_change object.
TEST(MessageFormat, GroupChangesAreLinesOfTheirOwn) {
  client::ReceivedMessage m;
  m.sender = "alice";
  m.group_id = Bytes(32, 0xab);
  m.group_name = "friends";
  m.timestamp_ms = 1000;
  m.group_change = client::GroupChangeInfo{2, "alice", "add", {"dave", "erin"}, "friends", 1000};
  EXPECT_NE(message_line(m).find("] #friends: alice added dave, erin"), std::string::npos) << message_line(m);
  const std::string json = message_json(m).str();
  EXPECT_EQ(json.rfind(R"({"type":"group_change","group":"friends","group_id":")", 0), 0u) << json;
  EXPECT_NE(json.find(R"("version":2,"author":"alice","action":"add","subjects":["dave","erin"],"name":"friends")"),
            std::string::npos)
      << json;
  EXPECT_EQ(group_change_text({3, "bob", "leave", {"bob"}, "friends", 0}), "bob left the group");
  EXPECT_EQ(group_change_text({4, "alice", "rename", {}, "pals", 0}), "alice renamed the group to #pals");
  EXPECT_EQ(group_change_text({5, "alice", "remove", {"bob"}, "pals", 0}), "alice removed bob");
}

TEST(OutputModes, TextAndObjectGoToTheirMode) {
  std::ostringstream out, err;
  Output human(out, err, false);
  human.text("hello");
  human.object(JsonObject("x"));
  EXPECT_EQ(out.str(), "hello\n");
  std::ostringstream jout, jerr;
  Output json(jout, jerr, true);
  json.text("hello");
  json.object(JsonObject("x"));
  EXPECT_EQ(jout.str(), "{\"type\":\"x\"}\n");
}

TEST(OutputModes, ErrorLines) {
  std::ostringstream out, err;
  Output human(out, err, false);
  EXPECT_EQ(human.fail(make_error(Errc::untrusted_identity, "identity changed"), "hush trust bob"), 3);
  EXPECT_EQ(err.str(),
            "hush: the contact's identity key changed and is not trusted yet (identity changed)\nhint: hush trust bob\n");
  EXPECT_TRUE(out.str().empty());
  std::ostringstream jout, jerr;
  Output json(jout, jerr, true);
  EXPECT_EQ(json.fail(make_error(Errc::network_failure, "connect")), 5);
  EXPECT_EQ(jerr.str(),
            "{\"type\":\"error\",\"error\":\"network_failure\",\"exit_code\":5,\"message\":\"cannot reach the "
            "server\",\"context\":\"connect\"}\n");
}

// Issue #13: a group message that could not be decrypted is shown as a
// 1:1 failure is, and says so.
TEST(MessageFormat, AnUndecryptableGroupMessageIsShownAsSuch) {
  client::ReceivedMessage m;
  m.sender = "carol";
  m.sender_device = 2;
  m.failure = client::DecryptionFailure{"no_session", "00112233445566778899aabbccddeeff", false, true};
  EXPECT_EQ(failure_text(m),
            "a group message from carol could not be decrypted (no_session); it is lost unless they send it again");
  const std::string json = message_json(m).str();
  EXPECT_EQ(json.rfind(R"({"type":"undecryptable","from":"carol")", 0), 0u) << json;
  EXPECT_NE(json.find(R"("resend_requested":false,"group":true})"), std::string::npos) << json;
}

}  // namespace
}  // namespace hush::cli
