// Reading session records of format version 1 (proto/signal_storage.proto,
// SessionStateProto: one protobuf field per key). Written by libhush before
// version 3; kept so stored sessions keep loading (tests/compat). Nothing
// writes this format any more.
#include <hush/signal/constants.hpp>

#include "proto_util.hpp"
#include "session_record_codec.hpp"
#include "signal_storage.pb.h"

#include <google/protobuf/arena.h>

namespace hush::signal::detail {

namespace {

constexpr int kMaxChainsInRecord = static_cast<int>(kMaxReceiverChains);
constexpr int kMaxSkippedInRecord = static_cast<int>(kMaxSkippedKeysPerChain);
constexpr int kMaxPreviousInRecord = static_cast<int>(kMaxArchivedStates);

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
  HUSH_TRY_ASSIGN(auto key, secret_from<32>(p.key(), "chain key length"));
  return ChainKey(std::move(key), p.index());
}

Result<std::unique_ptr<SessionState>> read_state(const storage::SessionStateProto& p) {
  if (p.session_version() != kCiphertextVersion) return make_error(Errc::unsupported_version, "session version");
  HUSH_TRY_ASSIGN(auto local_identity, public_key_from(p.local_identity_key()));
  HUSH_TRY_ASSIGN(auto remote_identity, public_key_from(p.remote_identity_key()));
  HUSH_TRY_ASSIGN(auto root, secret_from<32>(p.root_key(), "root key length"));
  HUSH_TRY_ASSIGN(auto ratchet_pub, public_key_from(p.sender_ratchet_public()));
  HUSH_TRY_ASSIGN(auto ratchet_priv, crypto::PrivateKey::from_bytes(view(p.sender_ratchet_private())));
  HUSH_TRY_ASSIGN(auto sender_chain, read_chain_key(p.sender_chain_key()));
  HUSH_TRY_ASSIGN(auto alice_base_key, public_key_from(p.alice_base_key()));
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
    HUSH_TRY_ASSIGN(auto key, public_key_from(cp.sender_ratchet_key()));
    HUSH_TRY_ASSIGN(auto chain, read_chain_key(cp.chain_key()));
    ReceiverChain c{key, std::move(chain), {}};
    if (cp.skipped_keys_size() > kMaxSkippedInRecord) return make_error(Errc::decode_error, "too many skipped keys");
    for (const auto& mp : cp.skipped_keys()) {
      HUSH_TRY_ASSIGN(auto ck, secret_from<32>(mp.cipher_key(), "cipher key length"));
      HUSH_TRY_ASSIGN(auto mk, secret_from<32>(mp.mac_key(), "mac key length"));
      HUSH_TRY_ASSIGN(auto iv, secret_from<16>(mp.iv(), "iv length"));
      c.skipped.push_back(MessageKeys{std::move(ck), std::move(mk), std::move(iv), mp.counter()});
    }
    s.receiver_chains.push_back(std::move(c));
  }
  if (p.has_pending_pre_key()) {
    const auto& pp = p.pending_pre_key();
    HUSH_TRY_ASSIGN(auto base_key, public_key_from(pp.base_key()));
    PendingPreKey pending{std::nullopt, SignedPreKeyId{pp.signed_pre_key_id()}, base_key};
    if (pp.has_pre_key_id()) pending.pre_key_id = PreKeyId{pp.pre_key_id()};
    s.pending_pre_key = pending;
  }
  return state;
}

// The protobuf objects live in an arena whose first block is on the stack;
// strings holding secrets are scrubbed before the arena goes away.
constexpr std::size_t kArenaInitialBlock = 8192;

}  // namespace

Result<SessionRecordParts> parse_session_record_v1(ByteView bytes) {
  alignas(16) char block[kArenaInitialBlock];
  google::protobuf::ArenaOptions options;
  options.initial_block = block;
  options.initial_block_size = kArenaInitialBlock;
  google::protobuf::Arena arena(options);
  auto* p = google::protobuf::Arena::CreateMessage<storage::SessionRecordProto>(&arena);
  struct Scrubber {
    storage::SessionRecordProto* p;
    ~Scrubber() { scrub_record(p); }
  } scrubber{p};
  if (!p->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(Errc::decode_error, "session record");
  }
  if (p->format_version() != kSessionRecordFormatVersion1) {
    return make_error(Errc::unsupported_version, "session record");
  }
  if (p->previous_size() > kMaxPreviousInRecord) return make_error(Errc::decode_error, "too many previous states");
  SessionRecordParts r;
  if (p->has_current()) {
    HUSH_TRY_ASSIGN(r.current, read_state(p->current()));
  }
  r.previous.reserve(static_cast<std::size_t>(p->previous_size()));
  for (const auto& sp : p->previous()) {
    HUSH_TRY_ASSIGN(auto s, read_state(sp));
    r.previous.push_back(std::move(*s));
  }
  return r;
}

}  // namespace hush::signal::detail
