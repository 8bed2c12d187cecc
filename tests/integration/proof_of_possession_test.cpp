// Proof of possession at registration (issue #13, item 4): hushd refuses a
// registration or a link that does not carry the identity key's signature
// over a fresh server challenge and what it registers; a replayed one is
// refused too. Before, a link token plus the account's public identity key
// was enough to add a device that could remove the real ones.
#include "hushd_process.hpp"
#include "test_account.hpp"
#include "test_client.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

namespace hush::testing {
namespace {

class ProofOfPossession : public ::testing::Test {
 protected:
  ProofOfPossession() : hushd_(options()) {}
  static HushdOptions options() {
    HushdOptions o;
    o.config_toml = "registration_burst = 20\n";  // every attempt here comes from 127.0.0.1
    return o;
  }
  void SetUp() override { ASSERT_TRUE(hushd_.start()) << hushd_.log(); }
  TestClient client() { return TestClient(hushd_.host(), hushd_.port(), hushd_.cert_file()); }
  HushdProcess hushd_;
};

TEST_F(ProofOfPossession, ARegistrationWithoutAValidProofIsRefused) {
  DeterministicRng rng(31);
  const auto identity = crypto::KeyPair::generate(rng);
  const auto intruder = crypto::KeyPair::generate(rng);
  TestClient c = client();

  auto request = make_register_request("alice", identity, 51, rng);
  auto res = c.http("POST", "/v1/register", request.SerializeAsString());  // no challenge, no proof
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(http_error_message(res.body), "invalid_argument");

  auto wrong = request;
  sign_registration(wrong, fetch_challenge(c), intruder.private_key);  // someone else's key
  res = c.http("POST", "/v1/register", wrong.SerializeAsString());
  EXPECT_EQ(res.status, 422u);
  EXPECT_EQ(http_error_message(res.body), "bad_signature");

  auto other_name = request;
  sign_registration(other_name, fetch_challenge(c), identity.private_key);
  other_name.set_username("mallory");  // signed for "alice"
  res = c.http("POST", "/v1/register", other_name.SerializeAsString());
  EXPECT_EQ(res.status, 422u) << "the proof binds the username";

  auto forged_challenge = request;
  std::string challenge = fetch_challenge(c);
  ASSERT_FALSE(challenge.empty());
  challenge[3] = static_cast<char>(challenge[3] ^ 1);
  sign_registration(forged_challenge, challenge, identity.private_key);
  res = c.http("POST", "/v1/register", forged_challenge.SerializeAsString());
  EXPECT_EQ(res.status, 401u) << "a challenge hushd did not make";

  auto good = request;
  sign_registration(good, fetch_challenge(c), identity.private_key);
  res = c.http("POST", "/v1/register", good.SerializeAsString());
  EXPECT_EQ(res.status, 200u) << http_error_message(res.body);

  // The same bytes again: the challenge is spent (refused before the
  // username's conflict is even looked at).
  res = c.http("POST", "/v1/register", good.SerializeAsString());
  EXPECT_EQ(res.status, 401u);
  EXPECT_NE(hushd_.metrics().find("hushd_registration_proofs_refused_total 5"), std::string::npos)
      << hushd_.metrics();
}

TEST_F(ProofOfPossession, ALinkTokenAndTheAccountsPublicKeyAreNotEnoughToAddADevice) {
  DeterministicRng rng(41);
  const auto identity = crypto::KeyPair::generate(rng);
  TestClient c = client();
  auto owner = register_device(c, make_register_request("owner", identity, 61, rng));
  ASSERT_TRUE(owner);
  TestClient ws = client();
  ASSERT_TRUE(ws.connect(owner->authorization()));
  pb::ClientFrame f;
  f.mutable_create_link_token();
  auto token = ws.call(f);
  ASSERT_TRUE(token && token->status() == 200u);

  // The attacker has the token and the public identity key, not the private one.
  const auto attacker = crypto::KeyPair::generate(rng);
  auto link = make_register_request("", identity, 62, rng);
  link.set_link_token(token->link_token().token());
  auto forged = link;
  sign_registration(forged, fetch_challenge(c), attacker.private_key);
  auto res = c.http("POST", "/v1/register", forged.SerializeAsString());
  EXPECT_EQ(res.status, 422u);
  auto unsigned_link = link;
  res = c.http("POST", "/v1/register", unsigned_link.SerializeAsString());
  EXPECT_EQ(res.status, 400u);

  // The real device, with the private key, links with the same token.
  auto real = link;
  sign_registration(real, fetch_challenge(c), identity.private_key);
  res = c.http("POST", "/v1/register", real.SerializeAsString());
  EXPECT_EQ(res.status, 200u) << http_error_message(res.body);
  pb::ClientFrame list;
  list.mutable_list_devices();
  auto devices = ws.call(list);
  ASSERT_TRUE(devices);
  EXPECT_EQ(devices->devices().devices_size(), 2);
}

}  // namespace
}  // namespace hush::testing
