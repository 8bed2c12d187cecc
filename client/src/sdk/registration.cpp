// Registration of an account or a linked device (keys made and stored in the
// same transaction that saves the server's answer, so a refused registration
// leaves nothing behind), whoami, and key housekeeping: one-time pre-keys
// topped up, the signed pre-key rotated with a grace period for the old one.
#include "client_impl.hpp"

#include <hush/crypto/xeddsa.hpp>
#include <hush/service/registration_proof.hpp>
#include <hush/signal/pre_key.hpp>

#include <algorithm>

namespace hush::client {

namespace {

constexpr const char* kCaFileState = "server.ca_file";
/// Signed pre-key ids wrap below 2^24, as Signal's.
constexpr std::uint32_t kSignedPreKeyIdModulus = 0xFFFFFF;

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

void put_pre_key(pb::OneTimePreKey* out, const signal::PreKeyRecord& r) {
  out->set_id(r.id.value);
  out->set_public_key(str(r.key_pair.public_key.serialize()));
}

void put_signed(pb::SignedPreKey* out, const signal::SignedPreKeyRecord& r) {
  out->set_id(r.id.value);
  out->set_public_key(str(r.key_pair.public_key.serialize()));
  out->set_signature(str(r.signature));
}

/// Makes and stores `count` one-time pre-keys after the highest id held or
/// ever pruned (an id is never used for two keys: a late message built on a
/// pruned key must fail, not open with another key).
Result<std::vector<signal::PreKeyRecord>> make_pre_keys(store::SqliteProtocolStore& p, store::DrainedPreKeys& drained,
                                                        std::uint32_t count, crypto::Rng& rng) {
  HUSH_TRY_ASSIGN(std::uint32_t max_id, p.pre_keys.max_id());
  HUSH_TRY_ASSIGN(std::uint32_t pruned, drained.high_water());
  auto keys = signal::generate_pre_keys(std::max(max_id, pruned) + 1, count, rng);
  for (const auto& k : keys) HUSH_TRY(p.pre_keys.store_pre_key(k));
  return keys;
}

Result<signal::SignedPreKeyRecord> make_signed_pre_key(store::SqliteProtocolStore& p, std::uint64_t now,
                                                       crypto::Rng& rng) {
  HUSH_TRY_ASSIGN(auto held, p.signed_pre_keys.list());
  std::uint32_t next = 1;
  for (const auto& s : held) next = std::max(next, s.id.value % kSignedPreKeyIdModulus + 1);
  HUSH_TRY_ASSIGN(auto identity, p.identities.identity_key_pair());
  auto record = signal::generate_signed_pre_key(identity, signal::SignedPreKeyId{next}, now, rng);
  HUSH_TRY(p.signed_pre_keys.store_signed_pre_key(record));
  return record;
}

/// Proves possession of the identity private key (docs/server/api.md,
/// "Proof of possession"): a fresh challenge from hushd, and the identity
/// key's signature over it and what `req` registers.
Status add_proof(const net::ServerUrl& url, const std::filesystem::path& ca_file, std::chrono::milliseconds timeout,
                 const signal::IdentityKeyPair& identity, pb::RegisterRequest& req, crypto::Rng& rng) {
  HUSH_TRY_ASSIGN(auto answer, net::http_post(url, ca_file, "/v1/register/challenge", std::string(), timeout));
  if (answer.status != 200) {
    pb::HttpError err;
    std::string message;
    if (err.ParseFromString(answer.body)) message = err.message();
    return make_error(net::errc_from_status(answer.status, message), "registration challenge refused");
  }
  pb::RegisterChallenge challenge;
  if (!challenge.ParseFromString(answer.body) || challenge.challenge().empty()) {
    return make_error(Errc::decode_error, "registration challenge");
  }
  const bool link = !req.link_token().empty();
  const Bytes message = service::registration_proof_message(
      link ? service::RegistrationKind::link : service::RegistrationKind::new_account,
      as_bytes(challenge.challenge()), link ? req.link_token() : req.username(), req.registration_id(),
      as_bytes(req.identity_key()), req.signed_pre_key().id(), as_bytes(req.signed_pre_key().public_key()));
  const auto signature = crypto::xeddsa_sign(identity.private_key, message, rng);
  req.set_challenge(challenge.challenge());
  req.set_proof(str(signature));
  return ok();
}

}  // namespace

Result<pb::RegisterRequest> ClientImpl::prepare_device(const signal::IdentityKeyPair& identity) {
  const auto registration_id = signal::generate_registration_id(rng_);
  HUSH_TRY(protocol_.identities.set_local_identity(identity, registration_id));
  HUSH_TRY_ASSIGN(auto spk, make_signed_pre_key(protocol_, now_ms(), rng_));
  HUSH_TRY_ASSIGN(auto otks, make_pre_keys(protocol_, drained_, options_.pre_key_batch, rng_));
  pb::RegisterRequest req;
  req.set_identity_key(str(identity.public_key.serialize()));
  req.set_registration_id(registration_id.value);
  put_signed(req.mutable_signed_pre_key(), spk);
  for (const auto& k : otks) put_pre_key(req.add_one_time_pre_keys(), k);
  return req;
}

Result<Identity> ClientImpl::finish_registration(const net::ServerUrl& url, const std::string& servers,
                                                 const std::filesystem::path& ca_file,
                                                 const pb::RegisterRequest& unsigned_request, std::string username) {
  pb::RegisterRequest request = unsigned_request;
  {
    HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());
    HUSH_TRY(add_proof(url, ca_file, options_.request_timeout, identity, request, rng_));
  }
  HUSH_TRY_ASSIGN(auto answer, net::http_post(url, ca_file, "/v1/register", request.SerializeAsString(),
                                              options_.request_timeout));
  if (answer.status != 200) {
    pb::HttpError err;
    std::string message;
    if (err.ParseFromString(answer.body)) message = err.message();
    return make_error(net::errc_from_status(answer.status, message), "registration refused");
  }
  pb::RegisterResponse res;
  if (!res.ParseFromString(answer.body) || res.account_id().size() != 16 || res.device_id() == 0 ||
      res.credential().empty()) {
    return make_error(Errc::decode_error, "registration answer");
  }
  store::Account a;
  a.username = std::move(username);
  a.account_id = to_hex(as_bytes(res.account_id()));
  a.device_id = signal::DeviceId{res.device_id()};
  a.server_url = servers;
  a.server_credential = SecretBuffer(as_bytes(res.credential()));
  HUSH_TRY(state_.put(kCaFileState, as_bytes(ca_file.string())));
  HUSH_TRY(directory_.put(as_bytes(res.account_id()), a.username));
  HUSH_TRY(save_account(a));
  return whoami();
}

Result<Identity> ClientImpl::register_account(std::string_view server_url, std::string_view username,
                                              const std::filesystem::path& ca_file) {
  if (account()) return make_error(Errc::conflict, "already registered");
  HUSH_TRY_ASSIGN(auto servers, net::ServerList::parse(server_url));
  const std::string name = normalize_username(username);
  if (name.empty()) return make_error(Errc::invalid_argument, "username");
  Result<Identity> out = make_error(Errc::storage_failure, "registration");
  Status done = store_->transaction([&]() -> Status {
    auto identity = signal::IdentityKeyPair::generate(rng_);
    HUSH_TRY_ASSIGN(auto req, prepare_device(identity));
    req.set_username(name);
    // The first node that answers registers us; all of them serve us later.
    out = net::try_servers<Identity>(servers, server_index_, [&](const net::ServerUrl& url) {
      return finish_registration(url, servers.str(), ca_file, req, name);
    });
    if (!out) return out.error();
    return ok();
  });
  if (!done && out) return done.error();
  if (!out) {
    account_.reset();
    return out;
  }
  (void)housekeeping();  // best effort: the keys were just uploaded
  return out;
}

Result<Identity> ClientImpl::whoami() {
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());
  return Identity{a->username, a->account_id, a->device_id.value, a->server_url,
                  to_hex(identity.public_key.serialize())};
}

Result<HousekeepingReport> ClientImpl::housekeeping() {
  HousekeepingReport report;
  HUSH_TRY(account());
  HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());
  const std::string identity_bytes = str(identity.public_key.serialize());

  // One-time pre-keys: top up when the server holds few.
  pb::ClientFrame count;
  count.mutable_pre_key_count();
  HUSH_TRY_ASSIGN(auto counted, request_ok(std::move(count)));
  // Drained one-time pre-keys (docs/protocol.md §7.8): the server lists the
  // ids it still holds; ours that it does not were handed out. Their private
  // keys go once the grace period since we first saw that has passed. A
  // server that lists nothing while it counts some is older: skip.
  const auto& answer = counted.pre_key_count();
  std::vector<std::uint32_t> on_server(answer.held_ids().begin(), answer.held_ids().end());
  if (on_server.size() == answer.count()) {
    std::sort(on_server.begin(), on_server.end());
    const std::uint64_t seen = now_ms();
    const std::uint64_t grace = options_.one_time_pre_key_grace_ms;
    Status pruned_now = store_->transaction([&]() -> Status {
      HUSH_TRY(drained_.note(on_server, seen));
      HUSH_TRY_ASSIGN(auto pruned, drained_.prune(seen >= grace ? seen - grace : 0));
      HUSH_TRY_ASSIGN(auto waiting, drained_.waiting());
      report.drained_pre_keys_pruned = static_cast<std::uint32_t>(pruned);
      report.drained_pre_keys_waiting = static_cast<std::uint32_t>(waiting);
      return ok();
    });
    HUSH_TRY(pruned_now);
    if (report.drained_pre_keys_pruned > 0 && options_.on_log) {
      options_.on_log("event=drained_pre_keys_pruned count=" + std::to_string(report.drained_pre_keys_pruned));
    }
  }
  if (answer.count() < options_.pre_key_low_water) {
    HUSH_TRY_ASSIGN(auto keys, make_pre_keys(protocol_, drained_, options_.pre_key_batch, rng_));
    pb::ClientFrame up;
    up.mutable_upload_keys()->set_identity_key(identity_bytes);
    for (const auto& k : keys) put_pre_key(up.mutable_upload_keys()->add_one_time_pre_keys(), k);
    HUSH_TRY(request_ok(std::move(up)));
    report.pre_keys_uploaded = static_cast<std::uint32_t>(keys.size());
  }

  // Signed pre-key: rotate on schedule; keep replaced ones for the grace
  // period so messages started against them still decrypt.
  HUSH_TRY_ASSIGN(auto held, protocol_.signed_pre_keys.list());  // oldest first
  const std::uint64_t now = now_ms();
  if (held.empty() || now >= held.back().created_ms + options_.signed_pre_key_rotation_ms) {
    HUSH_TRY_ASSIGN(auto spk, make_signed_pre_key(protocol_, now, rng_));
    pb::ClientFrame up;
    up.mutable_upload_keys()->set_identity_key(identity_bytes);
    put_signed(up.mutable_upload_keys()->mutable_signed_pre_key(), spk);
    HUSH_TRY(request_ok(std::move(up)));
    report.signed_pre_key_rotated = true;
    HUSH_TRY_ASSIGN(held, protocol_.signed_pre_keys.list());
  }
  // Key i was replaced when key i+1 was made.
  for (std::size_t i = 0; i + 1 < held.size(); ++i) {
    if (now >= held[i + 1].created_ms + options_.signed_pre_key_grace_ms) {
      HUSH_TRY(protocol_.signed_pre_keys.remove_signed_pre_key(held[i].id));
      ++report.old_signed_pre_keys_removed;
    }
  }
  return report;
}

}  // namespace hush::client
