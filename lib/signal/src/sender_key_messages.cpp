// SenderKeyMessage and SenderKeyDistributionMessage: building, signing and
// strict parsing, byte-compatible with libsignal-protocol-c 2.3.3 (protocol.c)
// in the key_id format and with libsignal 0.103 (protocol.rs) in the
// distribution_id format. The framing (version byte, signature) is shared;
// each format has its own protobuf.
#include <hush/signal/constants.hpp>
#include <hush/signal/sender_key_messages.hpp>

#include "proto_util.hpp"
#include "signal_wire.pb.h"

#include <cstring>
#include <limits>

namespace hush::signal {

using detail::scrub;
using detail::set_bytes;
using detail::view;

namespace {

// As for 1:1 messages, the top 4 bits are the message version (only 3 exists
// for Sender Keys, in both formats); the low 4 the sender's highest version,
// not checked (libsignal checks only the top 4 too).
Status check_version(std::uint8_t version_byte) {
  if ((version_byte >> 4) != kCiphertextVersion) return make_error(Errc::unsupported_version, "sender key version");
  return ok();
}

bool fits_int(std::size_t n) {
  return n <= static_cast<std::size_t>(std::numeric_limits<int>::max());
}

Result<DistributionId> distribution_id_from(const std::string& field) {
  auto id = DistributionId::from_bytes(view(field));
  if (!id) return make_error(Errc::decode_error, "distribution id is not 16 bytes");
  return *id;
}

// version byte ‖ protobuf ‖ signature over both.
template <class Proto>
Bytes sign_framed(const Proto& p, const crypto::XeddsaSigner& signer, crypto::Rng& rng) {
  const std::size_t body = p.ByteSizeLong();
  Bytes serialized(1 + body + crypto::kSignatureSize);
  serialized[0] = kSenderKeyVersionByte;
  HUSH_CHECK(p.SerializeToArray(serialized.data() + 1, static_cast<int>(body)));
  const crypto::Signature sig = signer.sign(ByteView(serialized).first(1 + body), rng);
  std::memcpy(serialized.data() + 1 + body, sig.data(), sig.size());
  return serialized;
}

// version byte ‖ protobuf, straight into wiped memory (it holds a chain key).
template <class Proto>
SecretBuffer frame_secret(const Proto& p) {
  const std::size_t body = p.ByteSizeLong();
  SecretBuffer serialized(1 + body);
  serialized.expose_mut()[0] = kSenderKeyVersionByte;
  HUSH_CHECK(p.SerializeToArray(serialized.expose_mut().data() + 1, static_cast<int>(body)));
  return serialized;
}

// The fields both formats share, once parsed.
struct DistributionFields {
  std::optional<DistributionId> distribution_id;
  std::uint32_t chain_id = 0;
  std::uint32_t iteration = 0;
  const std::string* chain_key = nullptr;
  const std::string* signing_key = nullptr;
};

}  // namespace

SenderKeyMessage SenderKeyMessage::create(SenderChainId chain_id, std::uint32_t iteration, Bytes ciphertext,
                                          const crypto::XeddsaSigner& signer, crypto::Rng& rng) {
  wire::SenderKeyMessage p;
  p.set_id(chain_id.value);
  p.set_iteration(iteration);
  set_bytes(p.mutable_ciphertext(), ciphertext);
  Bytes serialized = sign_framed(p, signer, rng);
  return SenderKeyMessage(std::nullopt, chain_id, iteration, std::move(ciphertext), std::move(serialized));
}

SenderKeyMessage SenderKeyMessage::create(const DistributionId& distribution_id, SenderChainId chain_id,
                                          std::uint32_t iteration, Bytes ciphertext, const crypto::XeddsaSigner& signer,
                                          crypto::Rng& rng) {
  wire::DistributionSenderKeyMessage p;
  set_bytes(p.mutable_distribution_uuid(), distribution_id.bytes());
  p.set_chain_id(chain_id.value);
  p.set_iteration(iteration);
  set_bytes(p.mutable_ciphertext(), ciphertext);
  Bytes serialized = sign_framed(p, signer, rng);
  return SenderKeyMessage(distribution_id, chain_id, iteration, std::move(ciphertext), std::move(serialized));
}

Result<SenderKeyMessage> SenderKeyMessage::deserialize(ByteView bytes, SenderKeyFormat format) {
  if (bytes.size() <= 1 + crypto::kSignatureSize) return make_error(Errc::bad_length, "sender key message too short");
  if (!fits_int(bytes.size())) return make_error(Errc::bad_length, "sender key message too long");
  HUSH_TRY(check_version(bytes[0]));
  const ByteView body = bytes.subspan(1, bytes.size() - 1 - crypto::kSignatureSize);
  const int body_size = static_cast<int>(body.size());
  if (format == SenderKeyFormat::key_id) {
    wire::SenderKeyMessage p;
    if (!p.ParseFromArray(body.data(), body_size)) return make_error(Errc::decode_error, "sender key message protobuf");
    if (!p.has_id() || !p.has_iteration() || !p.has_ciphertext()) {
      return make_error(Errc::decode_error, "sender key message missing field");
    }
    return SenderKeyMessage(std::nullopt, SenderChainId{p.id()}, p.iteration(), to_bytes(view(p.ciphertext())),
                            to_bytes(bytes));
  }
  wire::DistributionSenderKeyMessage p;
  if (!p.ParseFromArray(body.data(), body_size)) return make_error(Errc::decode_error, "sender key message protobuf");
  if (!p.has_distribution_uuid() || !p.has_chain_id() || !p.has_iteration() || !p.has_ciphertext()) {
    return make_error(Errc::decode_error, "sender key message missing field");
  }
  HUSH_TRY_ASSIGN(auto distribution_id, distribution_id_from(p.distribution_uuid()));
  return SenderKeyMessage(distribution_id, SenderChainId{p.chain_id()}, p.iteration(), to_bytes(view(p.ciphertext())),
                          to_bytes(bytes));
}

bool SenderKeyMessage::verify_signature(const crypto::PublicKey& signing_key) const noexcept {
  const ByteView all(serialized_);
  return crypto::xeddsa_verify(signing_key, all.first(all.size() - crypto::kSignatureSize),
                               all.last(crypto::kSignatureSize));
}

SenderKeyDistributionMessage SenderKeyDistributionMessage::create(SenderChainId chain_id,
                                                                  const SenderChainKey& chain_key,
                                                                  const crypto::PublicKey& signing_key) {
  wire::SenderKeyDistributionMessage p;
  p.set_id(chain_id.value);
  p.set_iteration(chain_key.iteration());
  set_bytes(p.mutable_chain_key(), chain_key.key().expose());
  set_bytes(p.mutable_signing_key(), signing_key.serialize());
  SecretBuffer serialized = frame_secret(p);
  scrub(p.mutable_chain_key());
  return SenderKeyDistributionMessage(std::nullopt, chain_id, chain_key.clone(), signing_key, std::move(serialized));
}

SenderKeyDistributionMessage SenderKeyDistributionMessage::create(const DistributionId& distribution_id,
                                                                  SenderChainId chain_id,
                                                                  const SenderChainKey& chain_key,
                                                                  const crypto::PublicKey& signing_key) {
  wire::DistributionSenderKeyDistributionMessage p;
  set_bytes(p.mutable_distribution_uuid(), distribution_id.bytes());
  p.set_chain_id(chain_id.value);
  p.set_iteration(chain_key.iteration());
  set_bytes(p.mutable_chain_key(), chain_key.key().expose());
  set_bytes(p.mutable_signing_key(), signing_key.serialize());
  SecretBuffer serialized = frame_secret(p);
  scrub(p.mutable_chain_key());
  return SenderKeyDistributionMessage(distribution_id, chain_id, chain_key.clone(), signing_key, std::move(serialized));
}

Result<SenderKeyDistributionMessage> SenderKeyDistributionMessage::deserialize(ByteView bytes, SenderKeyFormat format) {
  if (bytes.size() < 2) return make_error(Errc::bad_length, "distribution message too short");
  if (!fits_int(bytes.size())) return make_error(Errc::bad_length, "distribution message too long");
  HUSH_TRY(check_version(bytes[0]));
  const int body_size = static_cast<int>(bytes.size() - 1);
  // Both protobuf objects hold the chain key: wiped whatever the outcome.
  wire::SenderKeyDistributionMessage legacy;
  wire::DistributionSenderKeyDistributionMessage current;
  struct Scrubber {
    wire::SenderKeyDistributionMessage* a;
    wire::DistributionSenderKeyDistributionMessage* b;
    ~Scrubber() {
      scrub(a->mutable_chain_key());
      scrub(b->mutable_chain_key());
    }
  } scrubber{&legacy, &current};

  DistributionFields f;
  if (format == SenderKeyFormat::key_id) {
    if (!legacy.ParseFromArray(bytes.data() + 1, body_size)) {
      return make_error(Errc::decode_error, "distribution message protobuf");
    }
    if (!legacy.has_id() || !legacy.has_iteration() || !legacy.has_chain_key() || !legacy.has_signing_key()) {
      return make_error(Errc::decode_error, "distribution message missing field");
    }
    f = {std::nullopt, legacy.id(), legacy.iteration(), &legacy.chain_key(), &legacy.signing_key()};
  } else {
    if (!current.ParseFromArray(bytes.data() + 1, body_size)) {
      return make_error(Errc::decode_error, "distribution message protobuf");
    }
    if (!current.has_distribution_uuid() || !current.has_chain_id() || !current.has_iteration() ||
        !current.has_chain_key() || !current.has_signing_key()) {
      return make_error(Errc::decode_error, "distribution message missing field");
    }
    HUSH_TRY_ASSIGN(auto distribution_id, distribution_id_from(current.distribution_uuid()));
    f = {distribution_id, current.chain_id(), current.iteration(), &current.chain_key(), &current.signing_key()};
  }
  HUSH_TRY_ASSIGN(auto chain_key, detail::secret_from<32>(*f.chain_key, "distribution chain key length"));
  // The signing key is checked in full once, here; records then trust it.
  HUSH_TRY_ASSIGN(auto signing_key, crypto::PublicKey::deserialize(view(*f.signing_key), crypto::KeyCheck::full));
  return SenderKeyDistributionMessage(f.distribution_id, SenderChainId{f.chain_id},
                                      SenderChainKey(std::move(chain_key), f.iteration), signing_key,
                                      SecretBuffer(bytes));
}

SenderKeyDistributionMessage SenderKeyDistributionMessage::clone() const {
  return SenderKeyDistributionMessage(distribution_id_, chain_id_, chain_key_.clone(), signing_key_,
                                      serialized_.clone());
}

}  // namespace hush::signal
