// SenderKeyMessage and SenderKeyDistributionMessage: building, signing and
// strict parsing, byte-compatible with libsignal-protocol-c 2.3.3 (protocol.c).
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
// for Sender Keys); the low 4 the sender's highest version, not checked.
Status check_version(std::uint8_t version_byte) {
  if ((version_byte >> 4) != kCiphertextVersion) return make_error(Errc::unsupported_version, "sender key version");
  return ok();
}

bool fits_int(std::size_t n) {
  return n <= static_cast<std::size_t>(std::numeric_limits<int>::max());
}

}  // namespace

SenderKeyMessage SenderKeyMessage::create(SenderChainId chain_id, std::uint32_t iteration, Bytes ciphertext,
                                          const crypto::XeddsaSigner& signer, crypto::Rng& rng) {
  wire::SenderKeyMessage p;
  p.set_id(chain_id.value);
  p.set_iteration(iteration);
  set_bytes(p.mutable_ciphertext(), ciphertext);
  const std::size_t body = p.ByteSizeLong();
  Bytes serialized(1 + body + crypto::kSignatureSize);
  serialized[0] = kSenderKeyVersionByte;
  HUSH_CHECK(p.SerializeToArray(serialized.data() + 1, static_cast<int>(body)));
  const crypto::Signature sig = signer.sign(ByteView(serialized).first(1 + body), rng);
  std::memcpy(serialized.data() + 1 + body, sig.data(), sig.size());
  return SenderKeyMessage(chain_id, iteration, std::move(ciphertext), std::move(serialized));
}

Result<SenderKeyMessage> SenderKeyMessage::deserialize(ByteView bytes) {
  if (bytes.size() <= 1 + crypto::kSignatureSize) return make_error(Errc::bad_length, "sender key message too short");
  if (!fits_int(bytes.size())) return make_error(Errc::bad_length, "sender key message too long");
  HUSH_TRY(check_version(bytes[0]));
  wire::SenderKeyMessage p;
  ByteView body = bytes.subspan(1, bytes.size() - 1 - crypto::kSignatureSize);
  if (!p.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return make_error(Errc::decode_error, "sender key message protobuf");
  }
  if (!p.has_id() || !p.has_iteration() || !p.has_ciphertext()) {
    return make_error(Errc::decode_error, "sender key message missing field");
  }
  return SenderKeyMessage(SenderChainId{p.id()}, p.iteration(), to_bytes(view(p.ciphertext())), to_bytes(bytes));
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
  const std::size_t body = p.ByteSizeLong();
  SecretBuffer serialized(1 + body);
  serialized.expose_mut()[0] = kSenderKeyVersionByte;
  HUSH_CHECK(p.SerializeToArray(serialized.expose_mut().data() + 1, static_cast<int>(body)));
  scrub(p.mutable_chain_key());
  return SenderKeyDistributionMessage(chain_id, chain_key.clone(), signing_key, std::move(serialized));
}

Result<SenderKeyDistributionMessage> SenderKeyDistributionMessage::deserialize(ByteView bytes) {
  if (bytes.size() < 2) return make_error(Errc::bad_length, "distribution message too short");
  if (!fits_int(bytes.size())) return make_error(Errc::bad_length, "distribution message too long");
  HUSH_TRY(check_version(bytes[0]));
  wire::SenderKeyDistributionMessage p;
  struct Scrubber {
    wire::SenderKeyDistributionMessage* p;
    ~Scrubber() { scrub(p->mutable_chain_key()); }
  } scrubber{&p};
  if (!p.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1))) {
    return make_error(Errc::decode_error, "distribution message protobuf");
  }
  if (!p.has_id() || !p.has_iteration() || !p.has_chain_key() || !p.has_signing_key()) {
    return make_error(Errc::decode_error, "distribution message missing field");
  }
  HUSH_TRY_ASSIGN(auto chain_key, detail::secret_from<32>(p.chain_key(), "distribution chain key length"));
  // The signing key is checked in full once, here; records then trust it.
  HUSH_TRY_ASSIGN(auto signing_key, crypto::PublicKey::deserialize(view(p.signing_key()), crypto::KeyCheck::full));
  return SenderKeyDistributionMessage(SenderChainId{p.id()}, SenderChainKey(std::move(chain_key), p.iteration()),
                                      signing_key, SecretBuffer(bytes));
}

SenderKeyDistributionMessage SenderKeyDistributionMessage::clone() const {
  return SenderKeyDistributionMessage(chain_id_, chain_key_.clone(), signing_key_, serialized_.clone());
}

}  // namespace hush::signal
