// `hush daemon`'s JSON-RPC framing without a daemon: requests, notifications
// and batches per the JSON-RPC 2.0 specification, every standard error code
// for bad input (which never throws), application errors carrying hush's
// error name and exit-code family, and the SDK values' JSON surviving a round
// trip into the types the CLI prints.
#include "daemon/json_rpc.hpp"
#include "daemon/sdk_json.hpp"
#include "exit_codes.hpp"

#include <gtest/gtest.h>

namespace hush::cli::rpc {
namespace {

/// A table with "echo" (returns its params), "fail" (not_found) and "throw".
MethodResult test_methods(const std::string& method, const Json& params) {
  if (method == "echo") return params.is_null() ? Json("no params") : params;
  if (method == "fail") return application_error(make_error(Errc::not_found, "no such user"));
  if (method == "throw") throw std::runtime_error("bug");
  return RpcError{kMethodNotFound, "Method not found", nullptr};
}

Json answer(std::string_view line) {
  auto out = handle_line(line, test_methods);
  EXPECT_TRUE(out.has_value()) << line;
  if (!out) return nullptr;
  EXPECT_EQ(out->find('\n'), std::string::npos);  // one line
  return Json::parse(*out);
}

TEST(JsonRpc, RequestGetsResultWithItsId) {
  const Json a = answer(R"({"jsonrpc":"2.0","method":"echo","params":{"x":1},"id":7})");
  EXPECT_EQ(a, Json::parse(R"({"jsonrpc":"2.0","result":{"x":1},"id":7})"));
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","method":"echo","id":"abc"})")["id"], "abc");
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","method":"echo","id":"abc"})")["result"], "no params");
}

TEST(JsonRpc, NotificationGetsNoAnswer) {
  EXPECT_FALSE(handle_line(R"({"jsonrpc":"2.0","method":"echo","params":[1]})", test_methods).has_value());
  EXPECT_FALSE(handle_line(R"({"jsonrpc":"2.0","method":"nope"})", test_methods).has_value());
}

TEST(JsonRpc, ParseErrorHasNullId) {
  for (const char* bad : {"{", "not json", "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1", "\xff\xfe"}) {
    const Json a = answer(bad);
    EXPECT_EQ(a["error"]["code"], kParseError) << bad;
    EXPECT_TRUE(a["id"].is_null()) << bad;
  }
}

TEST(JsonRpc, InvalidRequests) {
  for (const char* bad : {R"(1)", R"("x")", R"({"method":"echo","id":1})", R"({"jsonrpc":"1.0","method":"echo","id":1})",
                          R"({"jsonrpc":"2.0","method":5,"id":1})", R"({"jsonrpc":"2.0","id":1})",
                          R"({"jsonrpc":"2.0","method":"echo","params":"s","id":1})",
                          R"({"jsonrpc":"2.0","method":"echo","id":{"a":1}})", R"([])"}) {
    EXPECT_EQ(answer(bad)["error"]["code"], kInvalidRequest) << bad;
  }
  // The id is echoed when it could be read.
  EXPECT_EQ(answer(R"({"jsonrpc":"1.0","method":"echo","id":9})")["id"], 9);
}

TEST(JsonRpc, MethodNotFoundAndInternalError) {
  EXPECT_EQ(answer(R"({"jsonrpc":"2.0","method":"nope","id":1})")["error"]["code"], kMethodNotFound);
  const Json a = answer(R"({"jsonrpc":"2.0","method":"throw","id":2})");
  EXPECT_EQ(a["error"]["code"], kInternalError);
  EXPECT_EQ(a["id"], 2);
}

TEST(JsonRpc, ApplicationErrorCarriesErrcAndExitCode) {
  const Json a = answer(R"({"jsonrpc":"2.0","method":"fail","id":3})");
  EXPECT_EQ(a["error"]["code"], kApplicationBase - static_cast<int>(ExitCode::not_found));
  EXPECT_EQ(a["error"]["data"]["error"], "not_found");
  EXPECT_EQ(a["error"]["data"]["exitCode"], 2);
  EXPECT_EQ(a["error"]["data"]["context"], "no such user");
  EXPECT_EQ(errc_from_name("not_found"), Errc::not_found);
  EXPECT_EQ(errc_from_name("untrusted_identity"), Errc::untrusted_identity);
  EXPECT_FALSE(errc_from_name("nonsense").has_value());
}

TEST(JsonRpc, BatchAnswersEachRequestAndSkipsNotifications) {
  const Json a = answer(
      R"([{"jsonrpc":"2.0","method":"echo","params":[1],"id":1},{"jsonrpc":"2.0","method":"echo","params":[2]},)"
      R"(1,{"jsonrpc":"2.0","method":"nope","id":"x"}])");
  ASSERT_TRUE(a.is_array());
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0]["result"], Json::parse("[1]"));
  EXPECT_EQ(a[1]["error"]["code"], kInvalidRequest);
  EXPECT_EQ(a[2]["error"]["code"], kMethodNotFound);
  EXPECT_FALSE(handle_line(R"([{"jsonrpc":"2.0","method":"echo"}])", test_methods).has_value());
}

TEST(JsonRpc, InvalidUtf8InResultIsReplacedNotThrown) {
  auto out = handle_line(R"({"jsonrpc":"2.0","method":"echo","params":{"t":"ok"},"id":1})",
                         [](const std::string&, const Json&) -> MethodResult { return Json(std::string("a\xff")); });
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("a\xEF\xBF\xBD"), std::string::npos);
}

TEST(JsonRpc, NotificationAndRequestLines) {
  EXPECT_EQ(Json::parse(notification("message", Json{{"a", 1}})),
            Json::parse(R"({"jsonrpc":"2.0","method":"message","params":{"a":1}})"));
  EXPECT_EQ(Json::parse(request("send", Json::object(), 4)),
            Json::parse(R"({"jsonrpc":"2.0","method":"send","params":{},"id":4})"));
}

client::MessageId some_id() {
  client::MessageId id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<std::uint8_t>(i * 7);
  return id;
}

TEST(SdkJson, ReceivedMessageRoundTrip) {
  client::ReceivedMessage m;
  m.sender = "alice";
  m.sender_device = 2;
  m.conversation = "alice";
  m.id = some_id();
  m.timestamp_ms = 123;
  m.server_timestamp_ms = 456;
  const std::string text = "hi \"there\" \xE2\x9C\x93";
  m.text = SecretBuffer(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  m.group_id = Bytes{1, 2, 3};
  m.group_name = "friends";
  m.warnings = {"w1"};
  const Json j = to_json(m);
  EXPECT_EQ(j["text"], text);
  auto back = received_from_json(j);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->sender, "alice");
  EXPECT_EQ(back->sender_device, 2u);
  EXPECT_EQ(back->id, m.id);
  EXPECT_EQ(back->text_view(), text);
  EXPECT_EQ(back->group_id, m.group_id);
  EXPECT_EQ(back->group_name, "friends");
  EXPECT_EQ(back->warnings, m.warnings);
  EXPECT_FALSE(back->failure.has_value());

  client::ReceivedMessage f;
  f.sender = "carol";
  f.failure = client::DecryptionFailure{"bad_mac", "00ff", true, false};
  const Json fj = to_json(f);
  EXPECT_FALSE(fj.contains("text"));
  auto fb = received_from_json(fj);
  ASSERT_TRUE(fb.has_value() && fb->failure.has_value());
  EXPECT_EQ(fb->failure->error, "bad_mac");
  EXPECT_TRUE(fb->failure->resend_requested);
}

// Issue #16: a group change that arrived travels as `groupChange`, no text.
TEST(SdkJson, GroupChangeRoundTrip) {
  client::ReceivedMessage m;
  m.sender = "alice";
  m.conversation = "pals";
  m.id = some_id();
  m.group_id = Bytes{7, 8};
  m.group_name = "pals";
  m.group_change = client::GroupChangeInfo{3, "alice", "rename", {}, "pals", 99};
  const Json j = to_json(m);
  EXPECT_FALSE(j.contains("text"));
  EXPECT_EQ(j["groupChange"]["action"], "rename");
  auto back = received_from_json(j);
  ASSERT_TRUE(back.has_value() && back->group_change.has_value());
  EXPECT_EQ(back->group_change->version, 3u);
  EXPECT_EQ(back->group_change->author, "alice");
  EXPECT_EQ(back->group_change->action, "rename");
  EXPECT_EQ(back->group_change->name, "pals");
  EXPECT_EQ(back->group_change->timestamp_ms, 99u);
}

TEST(SdkJson, DecodersRefuseBadShapesWithoutThrowing) {
  EXPECT_FALSE(received_from_json(Json::parse("{}")).has_value());
  EXPECT_FALSE(received_from_json(Json::parse("[1]")).has_value());
  EXPECT_FALSE(sent_from_json(Json::parse(R"({"id":"zz","serverTimestampMs":1,"duplicate":false,"refused":[]})")).has_value());
  EXPECT_FALSE(contact_from_json(Json::parse(R"({"username":5})")).has_value());
  EXPECT_FALSE(safety_number_from_json(Json::parse("null")).has_value());
  EXPECT_FALSE(history_from_json(Json::parse(R"({"id":"00"})")).has_value());
}

TEST(SdkJson, SentContactSafetyNumberRoundTrip) {
  client::SentMessage s;
  s.id = some_id();
  s.server_timestamp_ms = 99;
  s.refused = {{"bob", 3, "queue_full"}};
  auto sb = sent_from_json(to_json(s));
  ASSERT_TRUE(sb.has_value());
  EXPECT_EQ(sb->id, s.id);
  ASSERT_EQ(sb->refused.size(), 1u);
  EXPECT_EQ(sb->refused[0].device, 3u);

  client::Contact c{"bob", true, true, 5, 1};
  const Json cj = to_json(c);
  EXPECT_EQ(cj["verified"], false);  // never verified while a key change is pending
  auto cb = contact_from_json(cj);
  ASSERT_TRUE(cb.has_value());
  EXPECT_TRUE(cb->identity_changed);

  client::SafetyNumber n;
  n.digits = std::string(60, '1');
  n.scannable = Bytes{9, 9};
  n.identity_changed = true;
  n.pending_digits = std::string(60, '2');
  n.pending_scannable = Bytes{8};
  n.pending_key_hex = "05ab";
  auto nb = safety_number_from_json(to_json(n));
  ASSERT_TRUE(nb.has_value());
  EXPECT_EQ(nb->pending_digits, n.pending_digits);
  EXPECT_EQ(nb->pending_scannable, n.pending_scannable);
  EXPECT_EQ(nb->scannable, n.scannable);
}

}  // namespace
}  // namespace hush::cli::rpc
