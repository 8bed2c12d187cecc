// Kyber pre-keys through a real hushd (PQXDH, issue #15 item 4): a device
// registers with a last-resort and one-time Kyber pre-keys; bundle fetches
// hand out the one-time ones (each once, with the EC one) and then the
// last-resort one, every key arriving as uploaded and verifying under the
// identity key; the low-keys push carries both counts; counts and held ids;
// uploads of more, and bad ones refused with a stable error name and nothing
// stored. Raw clients without Kyber keys keep registering. Runs per backend.
#include "harness.hpp"

#include <hush/crypto/xeddsa.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <set>

namespace hush::testing {
namespace {

pb::ClientFrame fetch_frame(const std::string& username) {
  pb::ClientFrame f;
  f.mutable_fetch_bundles()->set_username(username);
  return f;
}

/// Whether `key` carries `identity`'s signature over its 1569 bytes, as a
/// client checks it before a PQXDH.
bool signature_verifies(const crypto::KeyPair& identity, const pb::KyberPreKey& key) {
  return crypto::xeddsa_verify(identity.public_key, as_bytes(key.public_key()), as_bytes(key.signature()));
}

TEST_P(HushdKyberKeys, RegistersHandsOutCountsAndTopsUpKyberPreKeys) {
  // The once-only rule of the store; the one-key-per-requester window
  // (abuse_limits_test.cpp) would hide it, so it is off here.
  Harness h(GetParam(), "one_time_repeat_window_seconds = 0\n");
  ASSERT_TRUE(h.start()) << h.hushd().log();

  DeterministicRng rng(31);
  const auto alice_identity = crypto::KeyPair::generate(rng);
  pb::RegisterRequest request = make_register_request("alice", alice_identity, 3001, rng, 2);
  add_kyber_pre_keys(request, alice_identity, rng, 2, 1, 900);
  auto c = h.client();
  auto alice = register_device(*c, request);
  ASSERT_TRUE(alice.has_value());
  auto bob = h.register_user("bob", 32);  // a raw client: no Kyber keys, still accepted
  ASSERT_TRUE(bob.has_value());
  auto a = h.online(*alice);
  auto b = h.online(*bob);
  ASSERT_TRUE(a && b);

  auto r = a->call(pre_key_count_frame());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pre_key_count().count(), 2u);
  EXPECT_EQ(r->pre_key_count().kyber_count(), 2u);
  EXPECT_EQ(std::vector<std::uint32_t>(r->pre_key_count().kyber_held_ids().begin(),
                                       r->pre_key_count().kyber_held_ids().end()),
            (std::vector<std::uint32_t>{1, 2}));

  // Two fetches take the one-time keys (with the EC ones), the third gets the last-resort key.
  std::set<std::uint32_t> kyber_ids;
  for (int i = 0; i < 3; ++i) {
    r = b->call(fetch_frame("alice"));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
    ASSERT_EQ(r->bundles().bundles_size(), 1);
    const auto& bundle = r->bundles().bundles(0);
    ASSERT_TRUE(bundle.has_kyber_pre_key());
    const auto& kyber = bundle.kyber_pre_key();
    EXPECT_EQ(kyber.public_key().size(), 1569u);
    EXPECT_EQ(kyber.public_key()[0], '\x08');
    EXPECT_TRUE(signature_verifies(alice_identity, kyber));
    if (i < 2) {
      EXPECT_TRUE(bundle.has_one_time_pre_key());
      const auto& uploaded = request.kyber_pre_keys(static_cast<int>(kyber.id()) - 1);
      EXPECT_EQ(kyber.public_key(), uploaded.public_key());
      EXPECT_EQ(kyber.signature(), uploaded.signature());
      EXPECT_TRUE(kyber_ids.insert(kyber.id()).second) << "handed out twice";
    } else {
      EXPECT_FALSE(bundle.has_one_time_pre_key());
      EXPECT_EQ(kyber.id(), 900u);
      EXPECT_EQ(kyber.public_key(), request.last_resort_kyber_pre_key().public_key());
    }
  }
  EXPECT_EQ(kyber_ids, (std::set<std::uint32_t>{1, 2}));

  // Each fetch that took keys left alice below the low-water mark (20): two
  // pushes with both counts; the last-resort fetch took nothing.
  for (std::uint32_t left : {1u, 0u}) {
    auto pushed = a->read_frame();
    ASSERT_TRUE(pushed.has_value());
    ASSERT_TRUE(pushed->has_pre_keys_low());
    EXPECT_EQ(pushed->pre_keys_low().count(), left);
    EXPECT_EQ(pushed->pre_keys_low().kyber_count(), left);
  }
  r = a->call(pre_key_count_frame());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pre_key_count().kyber_count(), 0u);
  EXPECT_EQ(r->pre_key_count().kyber_held_ids_size(), 0);

  // A raw device's bundle has no Kyber key.
  r = a->call(fetch_frame("bob"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status(), 200u) << r->message();
  EXPECT_FALSE(r->bundles().bundles(0).has_kyber_pre_key());

  // Top-up: more one-time keys and a new last-resort key.
  pb::ClientFrame upload;
  *upload.mutable_upload_keys()->add_kyber_pre_keys() = make_kyber_pre_key(alice_identity, 3, rng);
  *upload.mutable_upload_keys()->add_kyber_pre_keys() = make_kyber_pre_key(alice_identity, 4, rng);
  *upload.mutable_upload_keys()->mutable_last_resort_kyber_pre_key() = make_kyber_pre_key(alice_identity, 901, rng);
  r = a->call(upload);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 200u) << r->message();

  // Bad uploads: refused with a stable error name, nothing stored.
  auto refused = [&](pb::KyberPreKey bad, unsigned status, const std::string& name) {
    pb::ClientFrame f;
    auto* up = f.mutable_upload_keys();
    *up->add_kyber_pre_keys() = make_kyber_pre_key(alice_identity, 10, rng);  // a good one beside it
    bad.set_id(11);
    *up->add_kyber_pre_keys() = bad;
    auto answer = a->call(f);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status(), status) << name;
    EXPECT_EQ(answer->message(), name);
  };
  pb::KyberPreKey bad_signature = make_kyber_pre_key(alice_identity, 0, rng);
  bad_signature.mutable_signature()->at(3) ^= 0x10;
  refused(bad_signature, 422, "bad_signature");
  pb::KyberPreKey wrong_length = make_kyber_pre_key(alice_identity, 0, rng);
  wrong_length.mutable_public_key()->pop_back();
  refused(wrong_length, 400, "bad_length");
  pb::KyberPreKey wrong_type = make_kyber_pre_key(alice_identity, 0, rng);
  (*wrong_type.mutable_public_key())[0] = '\x0a';
  refused(wrong_type, 422, "bad_key");
  pb::ClientFrame too_many;
  const pb::KyberPreKey one = make_kyber_pre_key(alice_identity, 0, rng);
  for (std::uint32_t id = 100; id < 201; ++id) {
    auto* k = too_many.mutable_upload_keys()->add_kyber_pre_keys();
    *k = one;
    k->set_id(id);
  }
  r = a->call(too_many);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status(), 400u);
  EXPECT_EQ(r->message(), "invalid_argument");

  r = a->call(pre_key_count_frame());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pre_key_count().kyber_count(), 2u) << "only the good upload was stored";
  EXPECT_EQ(std::vector<std::uint32_t>(r->pre_key_count().kyber_held_ids().begin(),
                                       r->pre_key_count().kyber_held_ids().end()),
            (std::vector<std::uint32_t>{3, 4}));
  for (std::uint32_t id : {3u, 4u, 901u}) {
    r = b->call(fetch_frame("alice"));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status(), 200u) << r->message();
    EXPECT_EQ(r->bundles().bundles(0).kyber_pre_key().id(), id);
  }
}

TEST_P(HushdKyberKeys, RegistrationWithABadKyberPreKeyStoresNothing) {
  Harness h(GetParam());
  ASSERT_TRUE(h.start()) << h.hushd().log();
  DeterministicRng rng(41);
  const auto identity = crypto::KeyPair::generate(rng);
  pb::RegisterRequest request = make_register_request("carol", identity, 3002, rng, 1);
  add_kyber_pre_keys(request, identity, rng, 2);
  request.mutable_kyber_pre_keys(1)->mutable_signature()->at(0) ^= 0x01;
  auto c = h.client();
  unsigned status = 0;
  EXPECT_FALSE(register_device(*c, request, &status).has_value());
  EXPECT_EQ(status, 422u);
  request.mutable_last_resort_kyber_pre_key()->mutable_public_key()->resize(1568);
  *request.mutable_kyber_pre_keys(1) = make_kyber_pre_key(identity, 2, rng);
  EXPECT_FALSE(register_device(*c, request, &status).has_value());
  EXPECT_EQ(status, 400u);
  EXPECT_EQ(h.database_scalar("SELECT COUNT(*) FROM accounts"), 0);
  EXPECT_EQ(h.database_scalar("SELECT COUNT(*) FROM kyber_pre_keys"), 0);

  *request.mutable_last_resort_kyber_pre_key() = make_kyber_pre_key(identity, 900, rng);
  auto carol = register_device(*c, request, &status);
  ASSERT_TRUE(carol.has_value()) << status;
  EXPECT_EQ(h.database_scalar("SELECT COUNT(*) FROM kyber_pre_keys"), 2);
  EXPECT_EQ(h.database_scalar("SELECT COUNT(*) FROM kyber_last_resort_keys"), 1);
}

}  // namespace
}  // namespace hush::testing
