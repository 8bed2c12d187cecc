// Test identities (see test_account.hpp).
#include "test_account.hpp"

#include <hush/testing/deterministic_rng.hpp>

#include <hush/crypto/ml_kem.hpp>
#include <hush/crypto/xeddsa.hpp>
#include <hush/service/registration_proof.hpp>
#include <hush/util/bytes.hpp>

#include <sodium.h>

#include <map>
#include <mutex>

namespace hush::testing {
namespace {

std::string base64(std::string_view raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

/// The identities make_register_request saw, by serialized public key, so
/// register_device can prove possession without every test passing the key.
struct KnownIdentities {
  std::mutex mu;
  std::map<std::string, crypto::PrivateKey> keys;
};

KnownIdentities& known_identities() {
  static KnownIdentities k;
  return k;
}

}  // namespace

std::string TestDevice::authorization() const {
  const std::string user = to_hex(as_bytes(account_id)) + "." + std::to_string(device_id);
  return "Basic " + base64(user + ":" + base64(credential));
}

pb::RegisterRequest make_register_request(const std::string& username, const crypto::KeyPair& identity,
                                          std::uint32_t registration_id, crypto::Rng& rng, int one_time) {
  {
    auto& known = known_identities();
    std::lock_guard lock(known.mu);
    known.keys.insert_or_assign(to_string(identity.public_key.serialize()), identity.private_key.clone());
  }
  pb::RegisterRequest req;
  req.set_username(username);
  req.set_identity_key(to_string(identity.public_key.serialize()));
  req.set_registration_id(registration_id);
  const auto spk = crypto::KeyPair::generate(rng);
  const Bytes spk_public = spk.public_key.serialize();
  const auto signature = crypto::xeddsa_sign(identity.private_key, spk_public, rng);
  auto* s = req.mutable_signed_pre_key();
  s->set_id(1);
  s->set_public_key(to_string(spk_public));
  s->set_signature(to_string(signature));
  for (int i = 0; i < one_time; ++i) {
    auto* k = req.add_one_time_pre_keys();
    k->set_id(static_cast<std::uint32_t>(100 + i));
    k->set_public_key(to_string(crypto::KeyPair::generate(rng).public_key.serialize()));
  }
  return req;
}

pb::KyberPreKey make_kyber_pre_key(const crypto::KeyPair& identity, std::uint32_t id, crypto::Rng& rng) {
  auto pair = crypto::Kyber1024::generate(rng);
  std::string serialized(1, '\x08');  // libsignal's type byte of Kyber1024
  serialized.append(reinterpret_cast<const char*>(pair.public_key.bytes().data()), pair.public_key.bytes().size());
  const auto signature = crypto::xeddsa_sign(identity.private_key, as_bytes(serialized), rng);
  pb::KyberPreKey key;
  key.set_id(id);
  key.set_public_key(serialized);
  key.set_signature(to_string(signature));
  return key;
}

void add_kyber_pre_keys(pb::RegisterRequest& request, const crypto::KeyPair& identity, crypto::Rng& rng,
                        int one_time, std::uint32_t first_id, std::uint32_t last_resort_id) {
  *request.mutable_last_resort_kyber_pre_key() = make_kyber_pre_key(identity, last_resort_id, rng);
  for (int i = 0; i < one_time; ++i)
    *request.add_kyber_pre_keys() = make_kyber_pre_key(identity, first_id + static_cast<std::uint32_t>(i), rng);
}

std::string fetch_challenge(TestClient& client) {
  auto res = client.http("POST", "/v1/register/challenge");
  pb::RegisterChallenge c;
  if (res.status != 200 || !c.ParseFromString(res.body)) return {};
  return c.challenge();
}

void sign_registration(pb::RegisterRequest& request, const std::string& challenge, const crypto::PrivateKey& signer) {
  const bool link = !request.link_token().empty();
  const Bytes message = service::registration_proof_message(
      link ? service::RegistrationKind::link : service::RegistrationKind::new_account, as_bytes(challenge),
      link ? request.link_token() : request.username(), request.registration_id(), as_bytes(request.identity_key()),
      request.signed_pre_key().id(), as_bytes(request.signed_pre_key().public_key()));
  DeterministicRng rng(request.registration_id());
  const auto signature = crypto::xeddsa_sign(signer, message, rng);
  request.set_challenge(challenge);
  request.set_proof(to_string(signature));
}

std::optional<TestDevice> register_device(TestClient& client, const pb::RegisterRequest& unsigned_request,
                                          unsigned* status) {
  pb::RegisterRequest request = unsigned_request;
  if (request.proof().empty()) {
    std::optional<crypto::PrivateKey> signer;
    {
      auto& known = known_identities();
      std::lock_guard lock(known.mu);
      auto it = known.keys.find(request.identity_key());
      if (it != known.keys.end()) signer = it->second.clone();
    }
    if (signer) sign_registration(request, fetch_challenge(client), *signer);
  }
  auto res = client.http("POST", "/v1/register", request.SerializeAsString());
  if (status != nullptr) *status = res.status;
  if (res.status != 200) return std::nullopt;
  pb::RegisterResponse body;
  if (!body.ParseFromString(res.body)) return std::nullopt;
  return TestDevice{body.account_id(), body.device_id(), body.credential(), request.registration_id()};
}

std::string http_error_message(const std::string& body) {
  pb::HttpError e;
  return e.ParseFromString(body) ? e.message() : std::string();
}

}  // namespace hush::testing
