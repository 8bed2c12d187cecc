// SessionRecord <-> proto/signal_storage.proto. Parsing validates every key
// and length, since a stored record is untrusted input like any other.
#include <hush/signal/constants.hpp>
#include <hush/signal/session_record.hpp>

#include "proto_util.hpp"
#include "signal_storage.pb.h"

#include <google/protobuf/arena.h>

namespace hush::signal {

using detail::scrub;
using detail::set_bytes;
using detail::view;

namespace {

// Upper bounds on what a record may hold, so a corrupt record can't make us
// allocate without limit.
constexpr int kMaxChainsInRecord = static_cast<int>(kMaxReceiverChains);
constexpr int kMaxSkippedInRecord = static_cast<int>(kMaxSkippedKeysPerChain);
constexpr int kMaxPreviousInRecord = static_cast<int>(kMaxArchivedStates);

void write_chain_key(storage::ChainKeyProto* p, const ChainKey& k) {
  p->set_index(k.index());
  set_bytes(p->mutable_key(), k.key().expose());
}

void write_state(storage::SessionStateProto* p, const SessionState& s) {
  p->set_session_version(s.session_version);
  set_bytes(p->mutable_local_identity_key(), s.local_identity.serialize());
  set_bytes(p->mutable_remote_identity_key(), s.remote_identity.serialize());
  set_bytes(p->mutable_root_key(), s.root_key.key().expose());
  p->set_previous_counter(s.previous_counter);
  set_bytes(p->mutable_sender_ratchet_public(), s.sender_ratchet.public_key.serialize());
  set_bytes(p->mutable_sender_ratchet_private(), s.sender_ratchet.private_key.secret().expose());
  write_chain_key(p->mutable_sender_chain_key(), s.sender_chain);
  for (const auto& c : s.receiver_chains) {
    auto* cp = p->add_receiver_chains();
    set_bytes(cp->mutable_sender_ratchet_key(), c.sender_ratchet_key.serialize());
    write_chain_key(cp->mutable_chain_key(), c.chain_key);
    for (const auto& mk : c.skipped) {
      auto* mp = cp->add_skipped_keys();
      mp->set_counter(mk.counter);
      set_bytes(mp->mutable_cipher_key(), mk.cipher_key.expose());
      set_bytes(mp->mutable_mac_key(), mk.mac_key.expose());
      set_bytes(mp->mutable_iv(), mk.iv.expose());
    }
  }
  if (s.pending_pre_key) {
    auto* pp = p->mutable_pending_pre_key();
    if (s.pending_pre_key->pre_key_id) pp->set_pre_key_id(s.pending_pre_key->pre_key_id->value);
    pp->set_signed_pre_key_id(s.pending_pre_key->signed_pre_key_id.value);
    set_bytes(pp->mutable_base_key(), s.pending_pre_key->base_key.serialize());
  }
  p->set_local_registration_id(s.local_registration_id.value);
  p->set_remote_registration_id(s.remote_registration_id.value);
  set_bytes(p->mutable_alice_base_key(), s.alice_base_key.serialize());
}

void scrub_state(storage::SessionStateProto* p) {
  scrub(p->mutable_root_key());
  scrub(p->mutable_sender_ratchet_private());
  scrub(p->mutable_sender_chain_key()->mutable_key());
  for (auto& c : *p->mutable_receiver_chains()) {
    scrub(c.mutable_chain_key()->mutable_key());
    for (auto& mk : *c.mutable_skipped_keys()) {
      scrub(mk.mutable_cipher_key());
      scrub(mk.mutable_mac_key());
      scrub(mk.mutable_iv());
    }
  }
}

void scrub_record(storage::SessionRecordProto* p) {
  if (p->has_current()) scrub_state(p->mutable_current());
  for (auto& s : *p->mutable_previous()) scrub_state(&s);
}

Result<ChainKey> read_chain_key(const storage::ChainKeyProto& p) {
  HUSH_TRY_ASSIGN(auto key, detail::secret_from<32>(p.key(), "chain key length"));
  return ChainKey(std::move(key), p.index());
}

Result<std::unique_ptr<SessionState>> read_state(const storage::SessionStateProto& p) {
  if (p.session_version() != kCiphertextVersion) return make_error(Errc::unsupported_version, "session version");
  HUSH_TRY_ASSIGN(auto local_identity, detail::public_key_from(p.local_identity_key()));
  HUSH_TRY_ASSIGN(auto remote_identity, detail::public_key_from(p.remote_identity_key()));
  HUSH_TRY_ASSIGN(auto root, detail::secret_from<32>(p.root_key(), "root key length"));
  HUSH_TRY_ASSIGN(auto ratchet_pub, detail::public_key_from(p.sender_ratchet_public()));
  HUSH_TRY_ASSIGN(auto ratchet_priv, crypto::PrivateKey::from_bytes(view(p.sender_ratchet_private())));
  HUSH_TRY_ASSIGN(auto sender_chain, read_chain_key(p.sender_chain_key()));
  HUSH_TRY_ASSIGN(auto alice_base_key, detail::public_key_from(p.alice_base_key()));
  auto state = std::make_unique<SessionState>(SessionState{p.session_version(),
                                                           local_identity,
                                                           remote_identity,
                                                           RootKey(std::move(root)),
                                                           p.previous_counter(),
                                                           crypto::KeyPair{ratchet_pub, std::move(ratchet_priv)},
                                                           std::move(sender_chain),
                                                           {},
                                                           std::nullopt,
                                                           RegistrationId{p.local_registration_id()},
                                                           RegistrationId{p.remote_registration_id()},
                                                           alice_base_key});
  SessionState& s = *state;
  if (p.receiver_chains_size() > kMaxChainsInRecord) return make_error(Errc::decode_error, "too many receiver chains");
  for (const auto& cp : p.receiver_chains()) {
    HUSH_TRY_ASSIGN(auto key, detail::public_key_from(cp.sender_ratchet_key()));
    HUSH_TRY_ASSIGN(auto chain, read_chain_key(cp.chain_key()));
    ReceiverChain c{key, std::move(chain), {}};
    if (cp.skipped_keys_size() > kMaxSkippedInRecord) return make_error(Errc::decode_error, "too many skipped keys");
    for (const auto& mp : cp.skipped_keys()) {
      HUSH_TRY_ASSIGN(auto ck, detail::secret_from<32>(mp.cipher_key(), "cipher key length"));
      HUSH_TRY_ASSIGN(auto mk, detail::secret_from<32>(mp.mac_key(), "mac key length"));
      HUSH_TRY_ASSIGN(auto iv, detail::secret_from<16>(mp.iv(), "iv length"));
      c.skipped.push_back(MessageKeys{std::move(ck), std::move(mk), std::move(iv), mp.counter()});
    }
    s.receiver_chains.push_back(std::move(c));
  }
  if (p.has_pending_pre_key()) {
    const auto& pp = p.pending_pre_key();
    HUSH_TRY_ASSIGN(auto base_key, detail::public_key_from(pp.base_key()));
    PendingPreKey pending{std::nullopt, SignedPreKeyId{pp.signed_pre_key_id()}, base_key};
    if (pp.has_pre_key_id()) pending.pre_key_id = PreKeyId{pp.pre_key_id()};
    s.pending_pre_key = pending;
  }
  return state;
}

}  // namespace

// Records are (de)serialized on every message, so their protobuf objects live
// in an arena whose first block is on the stack: one allocation-free pass
// instead of dozens of small heap objects. Strings holding secrets are
// scrubbed before the arena goes away.
namespace {
constexpr std::size_t kArenaInitialBlock = 8192;

google::protobuf::ArenaOptions arena_options(char* block) {
  google::protobuf::ArenaOptions options;
  options.initial_block = block;
  options.initial_block_size = kArenaInitialBlock;
  return options;
}
}  // namespace

SecretBuffer SessionRecord::serialize() const {
  alignas(16) char block[kArenaInitialBlock];
  google::protobuf::Arena arena(arena_options(block));
  auto* p = google::protobuf::Arena::CreateMessage<storage::SessionRecordProto>(&arena);
  p->set_format_version(kRecordFormatVersion);
  if (current_) write_state(p->mutable_current(), *current_);
  for (const auto& s : previous_) write_state(p->add_previous(), s);
  auto out = detail::serialize_secret(*p);
  scrub_record(p);
  return out;
}

Result<SessionRecord> SessionRecord::deserialize(ByteView bytes) {
  alignas(16) char block[kArenaInitialBlock];
  google::protobuf::Arena arena(arena_options(block));
  auto* p = google::protobuf::Arena::CreateMessage<storage::SessionRecordProto>(&arena);
  struct Scrubber {
    storage::SessionRecordProto* p;
    ~Scrubber() { scrub_record(p); }
  } scrubber{p};
  if (!p->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(Errc::decode_error, "session record");
  }
  if (p->format_version() != kRecordFormatVersion) return make_error(Errc::unsupported_version, "session record");
  if (p->previous_size() > kMaxPreviousInRecord) return make_error(Errc::decode_error, "too many previous states");
  SessionRecord r;
  if (p->has_current()) {
    HUSH_TRY_ASSIGN(r.current_, read_state(p->current()));
  }
  r.previous_.reserve(static_cast<std::size_t>(p->previous_size()));
  for (const auto& sp : p->previous()) {
    HUSH_TRY_ASSIGN(auto s, read_state(sp));
    r.previous_.push_back(std::move(*s));
  }
  return r;
}

}  // namespace hush::signal
