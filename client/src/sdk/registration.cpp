// Registration of an account or a linked device (keys made and stored in the
// same transaction that saves the server's answer, so a refused registration
// leaves nothing behind), whoami, and key housekeeping: one-time pre-keys (EC
// and Kyber) topped up and drained ones pruned, the signed pre-key and the
// last-resort Kyber pre-key rotated together with a grace period for the old ones.
#include "client_impl.hpp"

#include <hush/crypto/xeddsa.hpp>
#include <hush/service/registration_proof.hpp>
#include <hush/signal/kyber_pre_key.hpp>
#include <hush/signal/pre_key.hpp>
#include <hush/util/base32.hpp>

#include <algorithm>

namespace hush::client {

namespace {

constexpr const char* kCaFileState = "server.ca_file";
/// Signed pre-key ids wrap below 2^24, as Signal's.
constexpr std::uint32_t kSignedPreKeyIdModulus = 0xFFFFFF;
/// Kyber pre-key ids (one-time and last-resort share one sequence) wrap
/// below 2^24 too, as Signal's apps number them.
constexpr std::uint32_t kKyberPreKeyIdModulus = 0xFFFFFF;
/// One-time Kyber pre-keys sent inside the RegisterRequest; the rest of the
/// batch follows in an UploadKeysRequest over the WebSocket as soon as the
/// device exists. Why: hushd reads at most 64 KiB of HTTP body, and each
/// Kyber pre-key is about 1.65 KB on the wire (1569-byte key, 64-byte
/// signature), so 30 of them with the last-resort one and 100 EC pre-keys
/// stay near 56 KiB.
constexpr std::uint32_t kKyberPreKeysInRegistration = 30;
/// No top-up of one-time Kyber pre-keys while we hold this many: each is
/// 3 KiB of secret, and a server that drops them (hushd before issue #15)
/// would otherwise make every housekeeping run add a batch for nothing.
constexpr std::size_t kMaxHeldKyberPreKeys = 1000;
/// An account recovery code: 128 bits (docs/server/api.md, "Recovery").
constexpr std::size_t kRecoveryCodeBytes = 16;

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

void put_pre_key(pb::OneTimePreKey* out, const signal::PreKeyRecord& r) {
  out->set_id(r.id.value);
  out->set_public_key(str(r.key_pair.public_key.serialize()));
}

void put_kyber(pb::KyberPreKey* out, const signal::KyberPreKeyRecord& r) {
  out->set_id(r.id.value);
  out->set_public_key(str(signal::serialize_kyber_public_key(r.public_key())));
  out->set_signature(str(r.signature));
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

/// Makes and stores `count` Kyber pre-keys (one-time, or last-resort),
/// numbered after the highest Kyber id held or ever pruned, signed by the
/// identity key, dated `now` (PQXDH; docs/protocol.md §7.9).
Result<std::vector<signal::KyberPreKeyRecord>> make_kyber_pre_keys(store::SqliteProtocolStore& p,
                                                                   store::DrainedPreKeys& drained, std::uint32_t count,
                                                                   bool last_resort, std::uint64_t now,
                                                                   crypto::Rng& rng) {
  HUSH_TRY_ASSIGN(std::uint32_t max_id, p.kyber_pre_keys.max_id());
  HUSH_TRY_ASSIGN(std::uint32_t pruned, drained.high_water());
  HUSH_TRY_ASSIGN(auto identity, p.identities.identity_key_pair());
  const std::uint32_t after = std::max(max_id, pruned) % kKyberPreKeyIdModulus;
  std::vector<signal::KyberPreKeyRecord> keys;
  keys.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const signal::KyberPreKeyId id{(after + i) % kKyberPreKeyIdModulus + 1};
    keys.push_back(signal::generate_kyber_pre_key(identity, id, now, last_resort, rng));
    HUSH_TRY(p.kyber_pre_keys.store_kyber_pre_key(keys.back()));
  }
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
Status add_proof(net::TransportFactory& transport, const net::ServerUrl& url, const std::filesystem::path& ca_file,
                 std::chrono::milliseconds timeout, const signal::IdentityKeyPair& identity, pb::RegisterRequest& req, crypto::Rng& rng) {
  HUSH_TRY_ASSIGN(auto answer, transport.post(url, ca_file, "/v1/register/challenge", std::string(), timeout));
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
  const auto kind = link                            ? service::RegistrationKind::link
                    : !req.recovery_code().empty() ? service::RegistrationKind::recovery
                                                   : service::RegistrationKind::new_account;
  const Bytes message = service::registration_proof_message(
      kind, as_bytes(challenge.challenge()), link ? req.link_token() : req.username(), req.registration_id(),
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
  // PQXDH: a last-resort Kyber pre-key and a batch of one-time ones, so that
  // every session started with this device is version 4.
  HUSH_TRY_ASSIGN(auto last_resort, make_kyber_pre_keys(protocol_, drained_kyber_, 1, true, now_ms(), rng_));
  HUSH_TRY_ASSIGN(auto kyber_otks,
                  make_kyber_pre_keys(protocol_, drained_kyber_, options_.pre_key_batch, false, now_ms(), rng_));
  pb::RegisterRequest req;
  req.set_identity_key(str(identity.public_key.serialize()));
  req.set_registration_id(registration_id.value);
  put_signed(req.mutable_signed_pre_key(), spk);
  for (const auto& k : otks) put_pre_key(req.add_one_time_pre_keys(), k);
  put_kyber(req.mutable_last_resort_kyber_pre_key(), last_resort.front());
  kyber_after_registration_.clear();
  for (const auto& k : kyber_otks) {
    if (req.kyber_pre_keys_size() < static_cast<int>(kKyberPreKeysInRegistration)) {
      put_kyber(req.add_kyber_pre_keys(), k);
    } else {
      kyber_after_registration_.push_back(k.id);
    }
  }
  return req;
}

Result<Identity> ClientImpl::finish_registration(const net::ServerUrl& url, const std::string& servers,
                                                 const std::filesystem::path& ca_file,
                                                 const pb::RegisterRequest& unsigned_request, std::string username) {
  pb::RegisterRequest request = unsigned_request;
  // The certificate to trust travels with the home (issue #16): a copy in the
  // home folder, kept by its name, so moving or deleting the user's file
  // later breaks nothing. Made before the server is asked, and used for the
  // asking, so a copy that cannot be made or does not work fails here.
  std::filesystem::path trusted;
  std::string kept_ca;
  if (!ca_file.empty()) {
    HUSH_TRY_ASSIGN(trusted, store::keep_ca_copy(store_->path().parent_path(), ca_file));
    kept_ca = store::kCaCopyName;
  }
  {
    HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());
    HUSH_TRY(add_proof(*transport_, url, trusted, options_.request_timeout, identity, request, rng_));
  }
  std::string body = request.SerializeAsString();
  secure_wipe(request.mutable_recovery_code()->data(), request.recovery_code().size());
  auto posted = transport_->post(url, trusted, "/v1/register", body, options_.request_timeout);
  secure_wipe(body.data(), body.size());  // it carries a recovery code, if any
  HUSH_TRY_ASSIGN(auto answer, std::move(posted));
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
  Status saved = store_->transaction([&]() -> Status {
    // hushd was asked outside any transaction: another process on this home
    // may have registered, or made other keys, meanwhile. Then this answer
    // does not fit the store and is not saved.
    HUSH_TRY_ASSIGN(auto existing, accounts_.load());
    HUSH_TRY_ASSIGN(auto held, protocol_.identities.identity_key_pair());
    if (existing || str(held.public_key.serialize()) != request.identity_key()) {
      return make_error(Errc::conflict, "another process registered this home meanwhile");
    }
    HUSH_TRY(state_.put(kCaFileState, as_bytes(kept_ca)));
    HUSH_TRY(directory_.put(as_bytes(res.account_id()), a.username));
    return save_account(a);
  });
  if (!saved) {
    account_.reset();  // save_account cached what was rolled back
    return saved.error();
  }
  HUSH_TRY_ASSIGN(Identity id, whoami());
  // Handed to the user once, never stored: it is for when this device is lost.
  if (res.recovery_code().size() == kRecoveryCodeBytes) {
    id.recovery_code = group_characters(base32_encode(as_bytes(res.recovery_code())), 4);
  }
  secure_wipe(res.mutable_recovery_code()->data(), res.recovery_code().size());
  secure_wipe(answer.body.data(), answer.body.size());
  return id;
}

Result<Identity> ClientImpl::register_account(std::string_view server_url, std::string_view username,
                                              const std::filesystem::path& ca_file, std::string_view recovery_code) {
  if (account()) return make_error(Errc::conflict, "already registered");
  HUSH_TRY_ASSIGN(auto servers, net::ServerList::parse(server_url));
  const std::string name = normalize_username(username);
  if (name.empty()) return make_error(Errc::invalid_argument, "username");
  SecretBuffer code;  // the recovery code is a secret: wiped when done
  if (!recovery_code.empty()) {
    auto decoded = base32_decode(recovery_code);
    if (!decoded || decoded->size() != kRecoveryCodeBytes) return make_error(Errc::invalid_argument, "recovery code");
    code = SecretBuffer(*decoded);
    secure_wipe(decoded->data(), decoded->size());
  }
  // The device's keys are made and stored first, in one transaction; hushd
  // is asked outside it (no network inside a transaction: it would hold the
  // home against other processes), and the account is stored once it said
  // yes. Keys left by a refused registration are never published: a retry
  // replaces the identity, and housekeeping prunes pre-keys hushd never held.
  std::optional<pb::RegisterRequest> made;
  Status prepared = store_->transaction([&]() -> Status {
    HUSH_TRY_ASSIGN(auto existing, accounts_.load());  // under the lock: another process may have registered
    if (existing) return make_error(Errc::conflict, "already registered");
    // A recovery makes a new identity too: the old private key is lost with
    // the old device, and contacts must see the change (issue #16).
    auto identity = signal::IdentityKeyPair::generate(rng_);
    HUSH_TRY_ASSIGN(auto req, prepare_device(identity));
    made = std::move(req);
    return ok();
  });
  HUSH_TRY(prepared);
  pb::RegisterRequest& req = *made;
  req.set_username(name);
  if (!code.empty()) req.set_recovery_code(str(code.expose()));
  // The first node that answers registers us; all of them serve us later.
  Result<Identity> out = net::try_servers<Identity>(servers, server_index_, [&](const net::ServerUrl& url) {
    return finish_registration(url, servers.str(), ca_file, req, name);
  });
  secure_wipe(req.mutable_recovery_code()->data(), req.recovery_code().size());
  if (!out) {
    account_.reset();
    return out;
  }
  (void)upload_rest_of_kyber_batch();  // best effort, as housekeeping
  (void)housekeeping();                // best effort: the keys were just uploaded
  return out;
}

Status ClientImpl::upload_rest_of_kyber_batch() {
  std::vector<signal::KyberPreKeyId> ids = std::move(kyber_after_registration_);
  kyber_after_registration_.clear();
  if (ids.empty()) return ok();
  HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());
  pb::ClientFrame frame;
  auto* up = frame.mutable_upload_keys();
  up->set_identity_key(str(identity.public_key.serialize()));
  for (auto id : ids) {
    HUSH_TRY_ASSIGN(auto record, protocol_.kyber_pre_keys.load_kyber_pre_key(id));
    put_kyber(up->add_kyber_pre_keys(), record);
  }
  // A failure leaves the keys here only: the server never lists them, so
  // housekeeping counts them drained and prunes them after the grace period.
  HUSH_TRY(request_ok(std::move(frame)));
  return ok();
}

Result<Identity> ClientImpl::whoami() {
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());
  return Identity{a->username, a->account_id, a->device_id.value, a->server_url,
                  to_hex(identity.public_key.serialize()), {}};
}

namespace {

/// The SdkState name of the time (ms, 8 bytes little-endian) housekeeping
/// last asked hushd for the pre-key count.
constexpr std::string_view kHousekeepingAt = "housekeeping_at";

}  // namespace

Status ClientImpl::maybe_housekeeping(bool pushed_low) {
  if (!pushed_low) {
    HUSH_TRY_ASSIGN(auto at, state_.get(kHousekeepingAt));
    if (at && (*at).expose().size() == 8) {
      std::uint64_t last = 0;
      for (std::size_t i = 0; i < 8; ++i) last |= std::uint64_t{(*at).expose()[i]} << (8 * i);
      const std::uint64_t now = now_ms();
      // Not due: no request. hushd pushes PreKeysLow when a fetch leaves few
      // one-time pre-keys, and the signed pre-key's rotation is weekly.
      if (now >= last && now - last < options_.housekeeping_interval_ms) return ok();
    }
  }
  HUSH_TRY(housekeeping());
  return ok();
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
  {
    // When hushd last answered (maybe_housekeeping's schedule).
    Bytes at(8);
    for (std::size_t i = 0; i < 8; ++i) at[i] = static_cast<std::uint8_t>(now_ms() >> (8 * i));
    HUSH_TRY(state_.put(kHousekeepingAt, at));
  }
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
  // The same for one-time Kyber pre-keys (kyber_count, kyber_held_ids).
  std::vector<std::uint32_t> kyber_on_server(answer.kyber_held_ids().begin(), answer.kyber_held_ids().end());
  if (kyber_on_server.size() == answer.kyber_count()) {
    std::sort(kyber_on_server.begin(), kyber_on_server.end());
    const std::uint64_t seen = now_ms();
    const std::uint64_t grace = options_.one_time_pre_key_grace_ms;
    Status pruned_now = store_->transaction([&]() -> Status {
      HUSH_TRY(drained_kyber_.note(kyber_on_server, seen));
      HUSH_TRY_ASSIGN(auto pruned, drained_kyber_.prune(seen >= grace ? seen - grace : 0));
      HUSH_TRY_ASSIGN(auto waiting, drained_kyber_.waiting());
      report.drained_kyber_pre_keys_pruned = static_cast<std::uint32_t>(pruned);
      report.drained_kyber_pre_keys_waiting = static_cast<std::uint32_t>(waiting);
      return ok();
    });
    HUSH_TRY(pruned_now);
    if (report.drained_kyber_pre_keys_pruned > 0 && options_.on_log) {
      options_.on_log("event=drained_kyber_pre_keys_pruned count=" +
                      std::to_string(report.drained_kyber_pre_keys_pruned));
    }
  }

  // One upload for everything due: one-time pre-keys of both kinds when the
  // server holds few, and on schedule the signed pre-key with a new
  // last-resort Kyber pre-key (a store made before issue #15 has none: it
  // gets one at once).
  HUSH_TRY_ASSIGN(auto held, protocol_.signed_pre_keys.list());                     // oldest first
  HUSH_TRY_ASSIGN(auto last_resorts, protocol_.kyber_pre_keys.last_resort_keys());  // oldest first
  HUSH_TRY_ASSIGN(std::size_t kyber_held, protocol_.kyber_pre_keys.one_time_count());
  const std::uint64_t now = now_ms();
  const bool top_up = answer.count() < options_.pre_key_low_water;
  const bool top_up_kyber = answer.kyber_count() < options_.pre_key_low_water && kyber_held < kMaxHeldKyberPreKeys;
  const bool rotate = held.empty() || now >= held.back().created_ms + options_.signed_pre_key_rotation_ms;
  if (top_up || top_up_kyber || rotate || last_resorts.empty()) {
    pb::ClientFrame frame;
    auto* up = frame.mutable_upload_keys();
    up->set_identity_key(identity_bytes);
    std::vector<signal::KyberPreKeyId> made_kyber;
    if (top_up) {
      HUSH_TRY_ASSIGN(auto keys, make_pre_keys(protocol_, drained_, options_.pre_key_batch, rng_));
      for (const auto& k : keys) put_pre_key(up->add_one_time_pre_keys(), k);
    }
    if (top_up_kyber) {
      HUSH_TRY_ASSIGN(auto keys,
                      make_kyber_pre_keys(protocol_, drained_kyber_, options_.pre_key_batch, false, now, rng_));
      for (const auto& k : keys) {
        put_kyber(up->add_kyber_pre_keys(), k);
        made_kyber.push_back(k.id);
      }
    }
    if (rotate) {
      HUSH_TRY_ASSIGN(auto spk, make_signed_pre_key(protocol_, now, rng_));
      put_signed(up->mutable_signed_pre_key(), spk);
    }
    if (rotate || last_resorts.empty()) {
      HUSH_TRY_ASSIGN(auto kyber, make_kyber_pre_keys(protocol_, drained_kyber_, 1, true, now, rng_));
      put_kyber(up->mutable_last_resort_kyber_pre_key(), kyber.front());
      made_kyber.push_back(kyber.front().id);
    }
    // What the upload carries, read before the frame is moved away (`up`
    // points into it).
    const auto one_time_sent = static_cast<std::uint32_t>(up->one_time_pre_keys_size());
    const auto kyber_sent = static_cast<std::uint32_t>(up->kyber_pre_keys_size());
    const bool last_resort_sent = up->has_last_resort_kyber_pre_key();
    up = nullptr;
    HUSH_TRY_ASSIGN(auto answered, request(std::move(frame)));
    if (answered.status() != 200) {
      // The server refused the upload, so it holds none of these Kyber keys:
      // forget them (a transport failure keeps them: they may have arrived,
      // and drained ones are pruned anyway). An upload of Kyber keys alone is
      // best effort, so a refusal does not stop the rest of housekeeping.
      for (auto id : made_kyber) HUSH_TRY(protocol_.kyber_pre_keys.remove_kyber_pre_key(id));
      const Errc code = net::errc_from_status(answered.status(), answered.message());
      if (top_up || rotate) return make_error(code, "key upload refused");
      if (options_.on_log) options_.on_log("event=kyber_upload_refused error=" + std::string(errc_name(code)));
    } else {
      if (top_up) report.pre_keys_uploaded = one_time_sent;
      report.kyber_pre_keys_uploaded = kyber_sent;
      report.signed_pre_key_rotated = rotate;
      report.last_resort_kyber_pre_key_rotated = last_resort_sent;
    }
    HUSH_TRY_ASSIGN(held, protocol_.signed_pre_keys.list());
    HUSH_TRY_ASSIGN(last_resorts, protocol_.kyber_pre_keys.last_resort_keys());
  }
  // Key i was replaced when key i+1 was made.
  for (std::size_t i = 0; i + 1 < held.size(); ++i) {
    if (now >= held[i + 1].created_ms + options_.signed_pre_key_grace_ms) {
      HUSH_TRY(protocol_.signed_pre_keys.remove_signed_pre_key(held[i].id));
      ++report.old_signed_pre_keys_removed;
    }
  }
  for (std::size_t i = 0; i + 1 < last_resorts.size(); ++i) {
    if (now >= last_resorts[i + 1].created_ms + options_.signed_pre_key_grace_ms) {
      HUSH_TRY(protocol_.kyber_pre_keys.remove_kyber_pre_key(last_resorts[i].id));
      ++report.old_last_resort_kyber_pre_keys_removed;
    }
  }
  return report;
}

}  // namespace hush::client
