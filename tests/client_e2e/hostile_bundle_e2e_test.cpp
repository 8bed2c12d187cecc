// A hostile hushd and the Kyber pre-keys it hands out (issue #15; the
// guide's non-negotiable 6: the server must not be able to add a reader).
// hushd checks each Kyber pre-key's signature when it is uploaded, so a server
// that lies has to rewrite its own rows: the tests do exactly that in hushd's
// SQLite database, then let alice start a session with the victim. Whatever
// the server substitutes (a flipped signature byte, a valid Kyber key of
// another identity, a truncated key, no Kyber key at all to force X3DH),
// alice's send fails with a typed error, no session is made, nothing is
// queued for the victim, and alice's other conversations go on.
#include "sdk_fixture.hpp"

#include <hush/client/client.hpp>

#include <gtest/gtest.h>

#include <string>

namespace hush::client {
namespace {

using namespace std::chrono_literals;

class HostileBundles : public testing::SdkFixture {
 protected:
  // Six registrations: hushd allows five per source address at once, so
  // they alternate between 127.0.0.1 and ::1.
  HostileBundles() : SdkFixture("hush-hostile-bundle") { dual_stack_ = true; }

  /// Runs `sql` (?1: `victim`'s account id) on both Kyber tables: every
  /// one-time key and the last-resort key get the same treatment.
  void rewrite_kyber_keys(const std::string& victim, const std::string& set_clause) {
    for (const char* table : {"kyber_pre_keys", "kyber_last_resort_keys"}) {
      const std::string sql = std::string("UPDATE ") + table + " SET " + set_clause + " WHERE account_id = ?1";
      ASSERT_GT(rewrite_server_rows(sql, victim), 0) << table;
    }
  }

  /// alice's send to `victim` fails with `expected`, and left nothing behind.
  void expect_refused(Client& alice, const std::string& victim, Errc expected) {
    auto sent = alice.send_text(victim, "must not be readable by the server");
    ASSERT_FALSE(sent) << victim;
    EXPECT_EQ(sent.code(), expected) << victim << ": " << errc_name(sent.code());
    auto sessions = alice.sessions(victim);
    ASSERT_TRUE(sessions) << errc_name(sessions.code());
    EXPECT_TRUE(sessions->empty()) << victim << ": a session was made from a substituted bundle";
    EXPECT_TRUE(queued_for(victim).empty()) << victim << ": something was sent";
  }
};

TEST_F(HostileBundles, SubstitutedOrWithheldKyberPreKeysAreRefusedAndLeaveNoSession) {
  Client& alice = registered("alice");
  Client& carol = registered("carol");
  registered("bob1");
  registered("bob2");
  registered("bob3");
  registered("bob4");

  // A flipped byte in the identity key's signature over each Kyber key.
  rewrite_kyber_keys("bob1",
                     "signature = substr(signature, 1, 5) || "
                     "CASE WHEN substr(signature, 6, 1) = X'00' THEN X'01' ELSE X'00' END || substr(signature, 7)");
  expect_refused(alice, "bob1", Errc::bad_signature);

  // A well-formed Kyber key with a valid signature, but of carol's identity:
  // the server would hold that key's secret if it were carol's accomplice.
  rewrite_kyber_keys("bob2",
                     "public_key = (SELECT k.public_key FROM kyber_last_resort_keys k JOIN accounts a "
                     "ON a.id = k.account_id WHERE a.username = 'carol'), "
                     "signature = (SELECT k.signature FROM kyber_last_resort_keys k JOIN accounts a "
                     "ON a.id = k.account_id WHERE a.username = 'carol')");
  expect_refused(alice, "bob2", Errc::bad_signature);

  // A truncated key (a corrupt row rather than a lie): hushd checks what it
  // reads and hands out no bundle at all (the client's own parser refuses
  // such bytes too: fuzz/ and the Kyber pre-key unit tests).
  rewrite_kyber_keys("bob3", "public_key = substr(public_key, 1, 1000)");
  expect_refused(alice, "bob3", Errc::unavailable);

  // No Kyber key at all, to push alice back to X3DH: no new session without PQXDH.
  ASSERT_GT(rewrite_server_rows("DELETE FROM kyber_pre_keys WHERE account_id = ?1", "bob4"), 0);
  ASSERT_GT(rewrite_server_rows("DELETE FROM kyber_last_resort_keys WHERE account_id = ?1", "bob4"), 0);
  expect_refused(alice, "bob4", Errc::unsupported_version);

  // Refusals touched nothing else: alice and carol talk, post-quantum.
  ASSERT_TRUE(alice.send_text("carol", "still here"));
  auto got = receive_n(carol, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0]), "still here");
  auto sessions = alice.sessions("carol");
  ASSERT_TRUE(sessions);
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_EQ((*sessions)[0].version, 4u);
  EXPECT_TRUE((*sessions)[0].post_quantum_ratchet);
}

}  // namespace
}  // namespace hush::client
