// Plaintexts a store kept before content version 2 (issue #16): a padded
// SDK frame around version-1 content is rewritten as the same content of
// today's version (the sender and the sent copy's recipient carried over);
// today's padded content passes unchanged; anything else is refused.
#include "legacy_frame.hpp"

#include <hush/client/content/content.hpp>
#include <hush/client/content/padding.hpp>

#include "client_content.pb.h"
#include "sdk_frame.pb.h"

#include <gtest/gtest.h>

namespace hush::client::sdk {
namespace {

/// A frame as the SDK wrote it before version 2: Frame{1, sender, sent_to,
/// serialized version-1 Content}, padded whole.
Bytes old_frame(const std::string& sender, const std::string& sent_to, std::uint32_t frame_version = 1) {
  hush::client_content::Content c;
  c.set_version(1);
  c.set_message_id(std::string(16, 'm'));
  c.set_timestamp_ms(77);
  c.mutable_text()->set_text("kept for a resend");
  hush::client_sdk::Frame f;
  f.set_version(frame_version);
  f.set_sender_username(sender);
  f.set_sent_to(sent_to);
  f.set_content(c.SerializeAsString());
  const std::string bytes = f.SerializeAsString();
  auto padded = content::pad(as_bytes(bytes));
  EXPECT_TRUE(padded);
  return to_bytes(padded->expose());
}

TEST(LegacyFrame, AVersionOneFrameBecomesTodaysContentWithItsFields) {
  auto now = current_plaintext(old_frame("alice", "bob"));
  ASSERT_TRUE(now);
  auto c = content::decode(now->expose());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sender_username, "alice");
  EXPECT_EQ(c->sent_to, "bob");
  EXPECT_EQ(c->timestamp_ms, 77u);
  const auto* text = std::get_if<content::TextBody>(&c->body);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(text->text.expose().data()), text->text.size()),
            "kept for a resend");
}

TEST(LegacyFrame, TodaysContentPassesUnchanged) {
  content::Content c{MessageId{}, 5, content::TextBody{SecretBuffer(as_bytes("x"))}};
  c.sender_username = "carol";
  auto padded = content::encode(c);
  ASSERT_TRUE(padded);
  auto now = current_plaintext(padded->expose());
  ASSERT_TRUE(now);
  EXPECT_TRUE(std::equal(now->expose().begin(), now->expose().end(), padded->expose().begin(),
                         padded->expose().end()));
}

TEST(LegacyFrame, AnythingElseIsRefused) {
  EXPECT_EQ(current_plaintext(old_frame("alice", "", 2)).code(), Errc::unsupported_version);
  const Bytes garbage(224, 0x41);
  EXPECT_FALSE(current_plaintext(garbage));
  EXPECT_FALSE(current_plaintext(Bytes{}));
}

}  // namespace
}  // namespace hush::client::sdk
