// Pre-key records, their storage format, generation, and bundle checks.
#include <hush/signal/constants.hpp>
#include <hush/signal/pre_key.hpp>

#include "proto_util.hpp"
#include "signal_storage.pb.h"

#include <hush/crypto/sha.hpp>

#include <algorithm>
#include <cstring>
#include <optional>

namespace hush::signal {

using detail::scrub;
using detail::set_bytes;

namespace {

// Format 2 records carry SHA-256 over everything they hold, so a record that
// was damaged on disk is refused (bad_key) before its key is used. It detects
// corruption, not forgery: whoever can write the store can write a consistent
// record, as they could a consistent key pair under format 1. It replaces
// format 1's check that the private half gives the public half, which costs a
// scalar multiplication (about 14 µs) on every pre-key message received.
constexpr std::string_view kPreKeyDigestLabel = "hush pre-key record v2";
constexpr std::string_view kSignedPreKeyDigestLabel = "hush signed pre-key record v2";

void put_u32(std::uint8_t* out, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put_u64(std::uint8_t* out, std::uint64_t v) noexcept {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// label ‖ id (LE u32) ‖ public key (33) ‖ private key (32) [‖ signature (64) ‖ timestamp (LE u64)].
/// Every part has a fixed length, so the concatenation is unambiguous.
crypto::Sha256Digest record_digest(std::string_view label, std::uint32_t id, const std::string& pub,
                                   const std::string& priv, const std::string* signature = nullptr,
                                   std::uint64_t timestamp = 0) {
  const std::size_t size =
      label.size() + 4 + pub.size() + priv.size() + (signature != nullptr ? signature->size() + 8 : 0);
  SecretBuffer in(size);  // holds the private key: wiped when it goes
  std::uint8_t* at = in.expose_mut().data();
  std::memcpy(at, label.data(), label.size());
  at += label.size();
  put_u32(at, id);
  at += 4;
  std::memcpy(at, pub.data(), pub.size());
  at += pub.size();
  std::memcpy(at, priv.data(), priv.size());
  at += priv.size();
  if (signature != nullptr) {
    std::memcpy(at, signature->data(), signature->size());
    at += signature->size();
    put_u64(at, timestamp);
  }
  return crypto::sha256(in.expose());
}

Status check_digest(const std::string& stored, const crypto::Sha256Digest& computed) {
  if (stored.size() != computed.size()) return make_error(Errc::bad_length, "pre-key record integrity digest");
  if (!ct_equal(as_bytes(stored), ByteView(computed))) return make_error(Errc::bad_key, "pre-key record damaged");
  return ok();
}

/// Format 1 records: the halves must agree (a scalar multiplication).
Result<crypto::KeyPair> checked_key_pair_from(const std::string& pub, const std::string& priv) {
  HUSH_TRY_ASSIGN(auto public_key, detail::public_key_from(pub));
  HUSH_TRY_ASSIGN(auto private_key, crypto::PrivateKey::from_bytes(as_bytes(priv)));
  if (!private_key.matches(public_key)) return make_error(Errc::bad_key, "key pair halves disagree");
  return crypto::KeyPair{public_key, std::move(private_key)};
}

/// Format 2 records: the digest over the whole record was checked already.
Result<crypto::KeyPair> key_pair_from(const std::string& pub, const std::string& priv) {
  HUSH_TRY_ASSIGN(auto public_key, detail::public_key_from(pub));
  HUSH_TRY_ASSIGN(auto private_key, crypto::PrivateKey::from_bytes(as_bytes(priv)));
  return crypto::KeyPair{public_key, std::move(private_key)};
}

bool known_version(std::uint32_t v) noexcept {
  return v == kRecordFormatVersion || v == kRecordFormatVersion1;
}

}  // namespace

SecretBuffer PreKeyRecord::serialize() const {
  storage::PreKeyRecordProto p;
  p.set_format_version(kRecordFormatVersion);
  p.set_id(id.value);
  set_bytes(p.mutable_public_key(), key_pair.public_key.serialize());
  set_bytes(p.mutable_private_key(), key_pair.private_key.secret().expose());
  const auto digest = record_digest(kPreKeyDigestLabel, id.value, p.public_key(), p.private_key());
  set_bytes(p.mutable_integrity(), digest);
  auto out = detail::serialize_secret(p);
  scrub(p.mutable_private_key());
  return out;
}

Result<PreKeyRecord> PreKeyRecord::deserialize(ByteView bytes) {
  storage::PreKeyRecordProto p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(Errc::decode_error, "pre-key record");
  }
  struct Scrubber {
    storage::PreKeyRecordProto& p;
    ~Scrubber() { scrub(p.mutable_private_key()); }
  } scrubber{p};
  if (!known_version(p.format_version())) return make_error(Errc::unsupported_version, "pre-key record");
  if (p.format_version() == kRecordFormatVersion1) {
    if (!p.integrity().empty()) return make_error(Errc::decode_error, "pre-key record v1 with a digest");
    HUSH_TRY_ASSIGN(auto kp, checked_key_pair_from(p.public_key(), p.private_key()));
    return PreKeyRecord{PreKeyId{p.id()}, std::move(kp)};
  }
  HUSH_TRY(check_digest(p.integrity(), record_digest(kPreKeyDigestLabel, p.id(), p.public_key(), p.private_key())));
  HUSH_TRY_ASSIGN(auto kp, key_pair_from(p.public_key(), p.private_key()));
  return PreKeyRecord{PreKeyId{p.id()}, std::move(kp)};
}

SecretBuffer SignedPreKeyRecord::serialize() const {
  storage::SignedPreKeyRecordProto p;
  p.set_format_version(kRecordFormatVersion);
  p.set_id(id.value);
  p.set_timestamp(timestamp_ms);
  set_bytes(p.mutable_public_key(), key_pair.public_key.serialize());
  set_bytes(p.mutable_private_key(), key_pair.private_key.secret().expose());
  set_bytes(p.mutable_signature(), signature);
  const auto digest =
      record_digest(kSignedPreKeyDigestLabel, id.value, p.public_key(), p.private_key(), &p.signature(), timestamp_ms);
  set_bytes(p.mutable_integrity(), digest);
  auto out = detail::serialize_secret(p);
  scrub(p.mutable_private_key());
  return out;
}

Result<SignedPreKeyRecord> SignedPreKeyRecord::deserialize(ByteView bytes) {
  storage::SignedPreKeyRecordProto p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(Errc::decode_error, "signed pre-key record");
  }
  struct Scrubber {
    storage::SignedPreKeyRecordProto& p;
    ~Scrubber() { scrub(p.mutable_private_key()); }
  } scrubber{p};
  if (!known_version(p.format_version())) return make_error(Errc::unsupported_version, "signed pre-key record");
  if (p.signature().size() != crypto::kSignatureSize) return make_error(Errc::bad_length, "signed pre-key signature");
  std::optional<crypto::KeyPair> checked;
  if (p.format_version() == kRecordFormatVersion1) {
    if (!p.integrity().empty()) return make_error(Errc::decode_error, "signed pre-key record v1 with a digest");
    HUSH_TRY_ASSIGN(checked, checked_key_pair_from(p.public_key(), p.private_key()));
  } else {
    HUSH_TRY(check_digest(p.integrity(), record_digest(kSignedPreKeyDigestLabel, p.id(), p.public_key(),
                                                       p.private_key(), &p.signature(), p.timestamp())));
    HUSH_TRY_ASSIGN(checked, key_pair_from(p.public_key(), p.private_key()));
  }
  crypto::KeyPair kp = std::move(*checked);
  SignedPreKeyRecord r{SignedPreKeyId{p.id()}, p.timestamp(), std::move(kp), {}};
  std::copy(p.signature().begin(), p.signature().end(), r.signature.begin());
  return r;
}

bool PreKeyBundle::signature_valid() const noexcept {
  return crypto::xeddsa_verify(identity_key, signed_pre_key.serialize(), signed_pre_key_signature);
}

std::vector<PreKeyRecord> generate_pre_keys(std::uint32_t start, std::uint32_t count, crypto::Rng& rng) {
  std::vector<PreKeyRecord> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    // ids run 1..kPreKeyIdModulus: 0 is never used.
    std::uint32_t id = ((start - 1 + i) % kPreKeyIdModulus) + 1;
    out.push_back(PreKeyRecord{PreKeyId{id}, crypto::KeyPair::generate(rng)});
  }
  return out;
}

SignedPreKeyRecord generate_signed_pre_key(const IdentityKeyPair& identity, SignedPreKeyId id,
                                           std::uint64_t timestamp_ms, crypto::Rng& rng) {
  auto kp = crypto::KeyPair::generate(rng);
  auto sig = crypto::xeddsa_sign(identity.private_key, kp.public_key.serialize(), rng);
  return SignedPreKeyRecord{id, timestamp_ms, std::move(kp), sig};
}

}  // namespace hush::signal
