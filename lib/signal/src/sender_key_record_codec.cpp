// SenderKeyRecord <-> proto/signal_storage.proto. A stored record is
// untrusted input like any other: every length, key and count is checked,
// and every protobuf string that held a secret is wiped.
#include <hush/signal/constants.hpp>
#include <hush/signal/sender_key_record.hpp>

#include "proto_util.hpp"
#include "signal_storage.pb.h"

#include <limits>

namespace hush::signal {

using detail::scrub;
using detail::set_bytes;
using detail::view;

namespace {

constexpr int kMaxStatesInRecord = static_cast<int>(kMaxSenderKeyStates);
constexpr int kMaxSkippedInRecord = static_cast<int>(kMaxSenderMessageKeys);

void write_state(storage::SenderKeyStateProto* p, const SenderKeyState& s) {
  p->set_chain_id(s.chain_id().value);
  p->mutable_chain_key()->set_index(s.chain_key().iteration());
  set_bytes(p->mutable_chain_key()->mutable_key(), s.chain_key().key().expose());
  set_bytes(p->mutable_signing_public(), s.signing_public().serialize());
  if (const auto* priv = s.signing_private()) set_bytes(p->mutable_signing_private(), priv->secret().expose());
  for (const auto& k : s.skipped()) {
    auto* kp = p->add_skipped_keys();
    kp->set_iteration(k.iteration);
    set_bytes(kp->mutable_seed(), k.seed.expose());
  }
}

void scrub_record(storage::SenderKeyRecordProto* p) {
  for (auto& s : *p->mutable_states()) {
    scrub(s.mutable_chain_key()->mutable_key());
    scrub(s.mutable_signing_private());
    for (auto& k : *s.mutable_skipped_keys()) scrub(k.mutable_seed());
  }
}

Result<SenderKeyState> read_state(const storage::SenderKeyStateProto& p) {
  HUSH_TRY_ASSIGN(auto chain_key, detail::secret_from<32>(p.chain_key().key(), "sender chain key length"));
  HUSH_TRY_ASSIGN(auto signing_public, detail::public_key_from(p.signing_public()));
  std::optional<crypto::PrivateKey> signing_private;
  if (!p.signing_private().empty()) {
    HUSH_TRY_ASSIGN(auto priv, crypto::PrivateKey::from_bytes(view(p.signing_private())));
    signing_private = std::move(priv);
  }
  SenderKeyState s(SenderChainId{p.chain_id()}, SenderChainKey(std::move(chain_key), p.chain_key().index()),
                   signing_public, std::move(signing_private));
  if (p.skipped_keys_size() > kMaxSkippedInRecord) return make_error(Errc::decode_error, "too many skipped keys");
  for (const auto& kp : p.skipped_keys()) {
    // Skipped keys lie strictly behind the chain; anything else is corrupt.
    if (kp.iteration() >= p.chain_key().index()) return make_error(Errc::decode_error, "skipped key ahead of chain");
    HUSH_TRY_ASSIGN(auto seed, detail::secret_from<32>(kp.seed(), "sender message key length"));
    s.push_skipped(SenderMessageKey{kp.iteration(), std::move(seed)});
  }
  return s;
}

}  // namespace

SecretBuffer SenderKeyRecord::serialize() const {
  storage::SenderKeyRecordProto p;
  p.set_format_version(kSenderKeyRecordFormatVersion);
  for (const auto& s : states_) write_state(p.add_states(), s);
  auto out = detail::serialize_secret(p);
  scrub_record(&p);
  return out;
}

Result<SenderKeyRecord> SenderKeyRecord::deserialize(ByteView bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return make_error(Errc::bad_length, "sender key record too long");
  }
  storage::SenderKeyRecordProto p;
  struct Scrubber {
    storage::SenderKeyRecordProto* p;
    ~Scrubber() { scrub_record(p); }
  } scrubber{&p};
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(Errc::decode_error, "sender key record");
  }
  if (p.format_version() != kSenderKeyRecordFormatVersion) {
    return make_error(Errc::unsupported_version, "sender key record");
  }
  if (p.states_size() > kMaxStatesInRecord) return make_error(Errc::decode_error, "too many sender key states");
  SenderKeyRecord r;
  for (const auto& sp : p.states()) {
    HUSH_TRY_ASSIGN(auto s, read_state(sp));
    r.states_.push_back(std::move(s));
  }
  return r;
}

}  // namespace hush::signal
