// Kyber pre-key records: wire forms with libsignal's type byte, our storage
// format (integrity digest as for format-2 pre-key records), generation and
// the signature check.
#include <hush/crypto/sha.hpp>
#include <hush/signal/constants.hpp>
#include <hush/signal/kyber_pre_key.hpp>

#include "proto_util.hpp"
#include "signal_storage.pb.h"

#include <algorithm>
#include <cstring>

namespace hush::signal {

using detail::scrub;
using detail::set_bytes;

namespace {

constexpr std::string_view kKyberDigestLabel = "hush kyber pre-key record v1";

template <std::size_t N>
Bytes with_type_byte(const std::array<std::uint8_t, N>& body) {
  Bytes out(1 + N);
  out[0] = kKyberKeyType;
  std::copy(body.begin(), body.end(), out.begin() + 1);
  return out;
}

Status check_type_byte(ByteView bytes, std::size_t size, const char* what) {
  if (bytes.size() != size) return make_error(Errc::bad_length, what);
  if (bytes[0] != kKyberKeyType) return make_error(Errc::bad_key, what);
  return ok();
}

/// label ‖ id (LE u32) ‖ timestamp (LE u64) ‖ last_resort (1) ‖ secret key ‖ signature:
/// every part has a fixed length (the sizes are checked before), so the concatenation is unambiguous.
crypto::Sha256Digest record_digest(std::uint32_t id, std::uint64_t timestamp, bool last_resort,
                                   const std::string& secret, const std::string& signature) {
  SecretBuffer in(kKyberDigestLabel.size() + 4 + 8 + 1 + secret.size() + signature.size());
  std::uint8_t* at = in.expose_mut().data();
  std::memcpy(at, kKyberDigestLabel.data(), kKyberDigestLabel.size());
  at += kKyberDigestLabel.size();
  for (int i = 0; i < 4; ++i) *at++ = static_cast<std::uint8_t>(id >> (8 * i));
  for (int i = 0; i < 8; ++i) *at++ = static_cast<std::uint8_t>(timestamp >> (8 * i));
  *at++ = last_resort ? 1 : 0;
  std::memcpy(at, secret.data(), secret.size());
  at += secret.size();
  std::memcpy(at, signature.data(), signature.size());
  return crypto::sha256(in.expose());
}

}  // namespace

Bytes serialize_kyber_public_key(const KyberPublicKey& key) {
  return with_type_byte(key.bytes());
}

Result<KyberPublicKey> deserialize_kyber_public_key(ByteView bytes) {
  HUSH_TRY(check_type_byte(bytes, kSerializedKyberPublicKeySize, "kyber public key"));
  return KyberPublicKey::parse(bytes.subspan(1));
}

Bytes serialize_kyber_ciphertext(const KyberCiphertext& ciphertext) {
  return with_type_byte(ciphertext.bytes());
}

Result<KyberCiphertext> deserialize_kyber_ciphertext(ByteView bytes) {
  HUSH_TRY(check_type_byte(bytes, kSerializedKyberCiphertextSize, "kyber ciphertext"));
  return KyberCiphertext::parse(bytes.subspan(1));
}

bool kyber_signature_valid(const IdentityKey& identity, const KyberPublicKey& key,
                           const crypto::Signature& signature) noexcept {
  std::array<std::uint8_t, kSerializedKyberPublicKeySize> message{};
  message[0] = kKyberKeyType;
  std::copy(key.bytes().begin(), key.bytes().end(), message.begin() + 1);
  return crypto::xeddsa_verify(identity, message, signature);
}

SecretBuffer KyberPreKeyRecord::serialize() const {
  storage::KyberPreKeyRecordProto p;
  p.set_format_version(kKyberPreKeyRecordFormatVersion);
  p.set_id(id.value);
  p.set_timestamp(timestamp_ms);
  p.set_last_resort(last_resort);
  set_bytes(p.mutable_secret_key(), secret_key.secret().expose());
  set_bytes(p.mutable_signature(), signature);
  const auto digest = record_digest(id.value, timestamp_ms, last_resort, p.secret_key(), p.signature());
  set_bytes(p.mutable_integrity(), digest);
  auto out = detail::serialize_secret(p);
  scrub(p.mutable_secret_key());
  return out;
}

Result<KyberPreKeyRecord> KyberPreKeyRecord::deserialize(ByteView bytes) {
  storage::KyberPreKeyRecordProto p;
  struct Scrubber {
    storage::KyberPreKeyRecordProto& p;
    ~Scrubber() { scrub(p.mutable_secret_key()); }
  } scrubber{p};
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(Errc::decode_error, "kyber pre-key record");
  }
  if (p.format_version() != kKyberPreKeyRecordFormatVersion) {
    return make_error(Errc::unsupported_version, "kyber pre-key record");
  }
  if (p.signature().size() != crypto::kSignatureSize) return make_error(Errc::bad_length, "kyber pre-key signature");
  if (p.secret_key().size() != crypto::Kyber1024::kSecretKeySize) {
    return make_error(Errc::bad_length, "kyber pre-key secret key");
  }
  const auto digest = record_digest(p.id(), p.timestamp(), p.last_resort(), p.secret_key(), p.signature());
  if (p.integrity().size() != digest.size()) return make_error(Errc::bad_length, "kyber pre-key record digest");
  if (!ct_equal(as_bytes(p.integrity()), ByteView(digest))) return make_error(Errc::bad_key, "kyber pre-key damaged");
  // The parse checks H(ek) and the modulus: a second line behind the digest.
  HUSH_TRY_ASSIGN(auto secret, KyberSecretKey::parse(as_bytes(p.secret_key())));
  KyberPreKeyRecord r{KyberPreKeyId{p.id()}, p.timestamp(), p.last_resort(), std::move(secret), {}};
  std::copy(p.signature().begin(), p.signature().end(), r.signature.begin());
  return r;
}

KyberPreKeyRecord generate_kyber_pre_key(const IdentityKeyPair& identity, KyberPreKeyId id, std::uint64_t timestamp_ms,
                                         bool last_resort, crypto::Rng& rng) {
  auto pair = crypto::Kyber1024::generate(rng);
  const Bytes signed_bytes = serialize_kyber_public_key(pair.public_key);
  auto signature = crypto::xeddsa_sign(identity.private_key, signed_bytes, rng);
  return KyberPreKeyRecord{id, timestamp_ms, last_resort, std::move(pair.secret_key), signature};
}

}  // namespace hush::signal
