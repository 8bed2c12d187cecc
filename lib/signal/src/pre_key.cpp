// Pre-key records, their storage format, generation, and bundle checks.
#include <hush/signal/constants.hpp>
#include <hush/signal/pre_key.hpp>

#include "proto_util.hpp"
#include "signal_storage.pb.h"

#include <algorithm>

namespace hush::signal {

using detail::scrub;
using detail::set_bytes;

namespace {

Result<crypto::KeyPair> key_pair_from(const std::string& pub, const std::string& priv) {
  HUSH_TRY_ASSIGN(auto public_key, detail::public_key_from(pub));
  HUSH_TRY_ASSIGN(auto private_key, crypto::PrivateKey::from_bytes(as_bytes(priv)));
  // A stored pair whose halves disagree is corrupt.
  if (!private_key.matches(public_key)) return make_error(Errc::bad_key, "key pair halves disagree");
  return crypto::KeyPair{public_key, std::move(private_key)};
}

}  // namespace

SecretBuffer PreKeyRecord::serialize() const {
  storage::PreKeyRecordProto p;
  p.set_format_version(kRecordFormatVersion);
  p.set_id(id.value);
  set_bytes(p.mutable_public_key(), key_pair.public_key.serialize());
  set_bytes(p.mutable_private_key(), key_pair.private_key.secret().expose());
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
  if (p.format_version() != kRecordFormatVersion) return make_error(Errc::unsupported_version, "pre-key record");
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
  if (p.format_version() != kRecordFormatVersion) return make_error(Errc::unsupported_version, "signed pre-key record");
  if (p.signature().size() != crypto::kSignatureSize) return make_error(Errc::bad_length, "signed pre-key signature");
  HUSH_TRY_ASSIGN(auto kp, key_pair_from(p.public_key(), p.private_key()));
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
