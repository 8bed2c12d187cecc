// SignalMessage and PreKeySignalMessage: building, MACing and strict parsing.
#include <hush/crypto/hmac.hpp>
#include <hush/signal/messages.hpp>

#include "proto_util.hpp"
#include "proto_wire.hpp"
#include "signal_wire.pb.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

namespace hush::signal {

using detail::set_bytes;
using detail::view;

namespace {

using SerializedKey = std::array<std::uint8_t, crypto::kSerializedPublicKeySize>;

// A public key's 33-byte form (0x05 ‖ u) without a heap allocation.
SerializedKey serialized_key(const crypto::PublicKey& key) noexcept {
  SerializedKey out;
  out[0] = crypto::kDjbKeyType;
  std::memcpy(out.data() + 1, key.raw().data(), crypto::kKeySize);
  return out;
}

// The MAC input: sender identity ‖ receiver identity ‖ the message without its MAC.
crypto::HmacSha256Output compute_mac(const IdentityKey& sender, const IdentityKey& receiver, ByteView mac_key,
                                     ByteView message) {
  const SerializedKey sender_bytes = serialized_key(sender);
  const SerializedKey receiver_bytes = serialized_key(receiver);
  return crypto::hmac_sha256(mac_key, {sender_bytes, receiver_bytes, message});
}

// SignalMessage's fields (proto/signal_wire.proto) and, for create, their tags.
constexpr std::uint32_t kRatchetKeyField = 1;
constexpr std::uint32_t kCounterField = 2;
constexpr std::uint32_t kPreviousCounterField = 3;
constexpr std::uint32_t kCiphertextField = 4;
constexpr std::uint32_t kPqRatchetField = 5;
constexpr std::uint32_t kAddressesField = 6;
constexpr std::uint8_t tag(std::uint32_t field, std::uint32_t wire_type) {
  return static_cast<std::uint8_t>(field << 3 | wire_type);
}
constexpr std::uint8_t kTagRatchetKey = tag(kRatchetKeyField, detail::wire::kLengthDelimited);
constexpr std::uint8_t kTagCounter = tag(kCounterField, detail::wire::kVarint);
constexpr std::uint8_t kTagPreviousCounter = tag(kPreviousCounterField, detail::wire::kVarint);
constexpr std::uint8_t kTagCiphertext = tag(kCiphertextField, detail::wire::kLengthDelimited);
constexpr std::uint8_t kTagPqRatchet = tag(kPqRatchetField, detail::wire::kLengthDelimited);
constexpr std::uint8_t kTagAddresses = tag(kAddressesField, detail::wire::kLengthDelimited);
using detail::wire::varint_size;

std::uint8_t* put_varint(std::uint8_t* p, std::uint64_t v) noexcept {
  for (; v >= 0x80; v >>= 7) *p++ = static_cast<std::uint8_t>(v | 0x80);
  *p++ = static_cast<std::uint8_t>(v);
  return p;
}

// The top 4 bits of the version byte are the message version, the low 4 the
// sender's current version (not checked: libsignal writes 4 there for its
// version-3 messages, libsignal-protocol-c 3). We speak versions 3 and 4.
Status check_version(std::uint8_t version_byte) {
  const std::uint8_t v = version_byte >> 4;
  if (v != kCiphertextVersion && v != kPqxdhCiphertextVersion) {
    return make_error(Errc::unsupported_version, "message version");
  }
  return ok();
}

std::uint8_t version_byte(std::uint8_t version) noexcept {
  return static_cast<std::uint8_t>((version << 4) | version);
}

bool fits_int(std::size_t n) {
  return n <= static_cast<std::size_t>(std::numeric_limits<int>::max());
}

}  // namespace

SignalMessage SignalMessage::create(std::uint8_t version, const crypto::PublicKey& ratchet_key, std::uint32_t counter,
                                    std::uint32_t previous_counter, Bytes ciphertext, ByteView mac_key,
                                    const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                                    ByteView pq_ratchet, ByteView addresses) {
  HUSH_CHECK(version == kCiphertextVersion || version == kPqxdhCiphertextVersion);
  HUSH_CHECK(pq_ratchet.empty() || version == kPqxdhCiphertextVersion);
  // The protobuf encoding of wire::SignalMessage with fields 1-4 (and 5, 6)
  // set, written directly (the bytes protobuf writes: fields in number order).
  const SerializedKey key = serialized_key(ratchet_key);
  const std::size_t pq_size = pq_ratchet.empty() ? 0 : 1 + varint_size(pq_ratchet.size()) + pq_ratchet.size();
  const std::size_t addresses_size = addresses.empty() ? 0 : 1 + varint_size(addresses.size()) + addresses.size();
  const std::size_t body = 2 + key.size() + 1 + varint_size(counter) + 1 + varint_size(previous_counter) + 1 +
                           varint_size(ciphertext.size()) + ciphertext.size() + pq_size + addresses_size;
  HUSH_CHECK(fits_int(1 + body + kMacSize));
  Bytes serialized(1 + body + kMacSize);
  std::uint8_t* p = serialized.data();
  *p++ = version_byte(version);
  *p++ = kTagRatchetKey;
  *p++ = static_cast<std::uint8_t>(key.size());
  p = std::copy(key.begin(), key.end(), p);
  *p++ = kTagCounter;
  p = put_varint(p, counter);
  *p++ = kTagPreviousCounter;
  p = put_varint(p, previous_counter);
  *p++ = kTagCiphertext;
  p = put_varint(p, ciphertext.size());
  const Slice ciphertext_at{static_cast<std::size_t>(p - serialized.data()), ciphertext.size()};
  if (!ciphertext.empty()) p = std::copy(ciphertext.begin(), ciphertext.end(), p);
  Slice pq_at;
  if (!pq_ratchet.empty()) {
    *p++ = kTagPqRatchet;
    p = put_varint(p, pq_ratchet.size());
    pq_at = Slice{static_cast<std::size_t>(p - serialized.data()), pq_ratchet.size()};
    p = std::copy(pq_ratchet.begin(), pq_ratchet.end(), p);
  }
  if (!addresses.empty()) {
    *p++ = kTagAddresses;
    p = put_varint(p, addresses.size());
    p = std::copy(addresses.begin(), addresses.end(), p);
  }
  HUSH_CHECK(p == serialized.data() + 1 + body);
  auto mac = compute_mac(sender_identity, receiver_identity, mac_key, ByteView(serialized).first(1 + body));
  std::memcpy(serialized.data() + 1 + body, mac.expose().data(), kMacSize);
  std::optional<Bytes> bound;
  if (!addresses.empty()) bound = to_bytes(addresses);
  return SignalMessage(version, ratchet_key, counter, previous_counter, ciphertext_at, pq_at, std::move(bound),
                       std::move(serialized));
}

Result<SignalMessage> SignalMessage::deserialize(ByteView bytes) {
  if (bytes.size() <= 1 + kMacSize) return make_error(Errc::bad_length, "signal message too short");
  if (!fits_int(bytes.size())) return make_error(Errc::bad_length, "signal message too long");
  HUSH_TRY(check_version(bytes[0]));
  // proto/signal_wire.proto's SignalMessage, read as protobuf-lite reads it
  // (proto_wire.hpp): any order, the last of a repeated field wins, unknown
  // fields and fields of another wire type skipped.
  Bytes serialized = to_bytes(bytes);
  const ByteView body = ByteView(serialized).subspan(1, serialized.size() - 1 - kMacSize);
  const auto at = [&](ByteView field) {
    return Slice{static_cast<std::size_t>(field.data() - serialized.data()), field.size()};
  };
  std::optional<ByteView> ratchet_key_bytes;
  std::optional<std::uint32_t> counter;
  std::uint32_t previous_counter = 0;
  std::optional<Slice> ciphertext;
  Slice pq_ratchet;
  std::optional<ByteView> addresses;
  detail::wire::Reader reader(body);
  detail::wire::Field f;
  for (;;) {
    auto more = reader.next(f);
    if (!more) return make_error(Errc::decode_error, "signal message protobuf");
    if (!*more) break;
    const bool is_bytes = f.wire_type == detail::wire::kLengthDelimited;
    const bool is_varint = f.wire_type == detail::wire::kVarint;
    // uint32 fields take a varint's low 32 bits, as protobuf does.
    if (f.number == kRatchetKeyField && is_bytes) ratchet_key_bytes = f.bytes;
    if (f.number == kCounterField && is_varint) counter = static_cast<std::uint32_t>(f.varint);
    if (f.number == kPreviousCounterField && is_varint) previous_counter = static_cast<std::uint32_t>(f.varint);
    if (f.number == kCiphertextField && is_bytes) ciphertext = at(f.bytes);
    if (f.number == kPqRatchetField && is_bytes) pq_ratchet = at(f.bytes);
    if (f.number == kAddressesField && is_bytes) addresses = f.bytes;
  }
  if (!ratchet_key_bytes || !counter || !ciphertext) {
    return make_error(Errc::decode_error, "signal message missing field");
  }
  const std::uint8_t version = bytes[0] >> 4;
  // Only version-4 sessions run SPQR (libsignal: a version-3 state has none).
  if (version == kCiphertextVersion && pq_ratchet.size != 0) {
    return make_error(Errc::invalid_message, "version 3 signal message with an SPQR message");
  }
  HUSH_TRY_ASSIGN(auto ratchet_key, crypto::PublicKey::deserialize(*ratchet_key_bytes, crypto::KeyCheck::canonical));
  std::optional<Bytes> address_bytes;
  if (addresses) address_bytes = to_bytes(*addresses);
  return SignalMessage(version, ratchet_key, *counter, previous_counter, *ciphertext, pq_ratchet,
                       std::move(address_bytes), std::move(serialized));
}

bool SignalMessage::verify_mac(const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                               ByteView mac_key) const {
  ByteView data = ByteView(serialized_).first(serialized_.size() - kMacSize);
  ByteView received = ByteView(serialized_).last(kMacSize);
  auto expected = compute_mac(sender_identity, receiver_identity, mac_key, data);
  return ct_equal(expected.expose().first(kMacSize), received);
}

PreKeySignalMessage PreKeySignalMessage::create(RegistrationId registration_id, std::optional<PreKeyId> pre_key_id,
                                                SignedPreKeyId signed_pre_key_id, const crypto::PublicKey& base_key,
                                                const IdentityKey& identity_key, SignalMessage message,
                                                std::optional<KyberPayload> kyber) {
  const std::uint8_t version = kyber ? kPqxdhCiphertextVersion : kCiphertextVersion;
  HUSH_CHECK(message.version() == version);
  wire::PreKeySignalMessage p;
  p.set_registration_id(registration_id.value);
  if (pre_key_id) p.set_pre_key_id(pre_key_id->value);
  p.set_signed_pre_key_id(signed_pre_key_id.value);
  if (kyber) {
    p.set_kyber_pre_key_id(kyber->id.value);
    set_bytes(p.mutable_kyber_ciphertext(), serialize_kyber_ciphertext(kyber->ciphertext));
  }
  set_bytes(p.mutable_base_key(), base_key.serialize());
  set_bytes(p.mutable_identity_key(), identity_key.serialize());
  set_bytes(p.mutable_message(), message.serialized());
  const std::size_t body = p.ByteSizeLong();
  Bytes serialized(1 + body);
  serialized[0] = version_byte(version);
  HUSH_CHECK(p.SerializeToArray(serialized.data() + 1, static_cast<int>(body)));
  return PreKeySignalMessage(version, registration_id, pre_key_id, signed_pre_key_id, std::move(kyber), base_key,
                             identity_key, std::move(message), std::move(serialized));
}

Result<PreKeySignalMessage> PreKeySignalMessage::deserialize(ByteView bytes) {
  if (bytes.size() < 2) return make_error(Errc::bad_length, "pre-key message too short");
  if (!fits_int(bytes.size())) return make_error(Errc::bad_length, "pre-key message too long");
  HUSH_TRY(check_version(bytes[0]));
  wire::PreKeySignalMessage p;
  if (!p.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1))) {
    return make_error(Errc::decode_error, "pre-key message protobuf");
  }
  if (!p.has_signed_pre_key_id() || !p.has_base_key() || !p.has_identity_key() || !p.has_message()) {
    return make_error(Errc::decode_error, "pre-key message missing field");
  }
  const std::uint8_t version = bytes[0] >> 4;
  // libsignal (protocol.rs): version 4 needs both Kyber fields, and either
  // both or neither are present. We also refuse them in version 3.
  const bool has_kyber_id = p.has_kyber_pre_key_id();
  const bool has_kyber_ciphertext = p.has_kyber_ciphertext();
  if (has_kyber_id != has_kyber_ciphertext) {
    return make_error(Errc::invalid_message, "pre-key message with half a Kyber payload");
  }
  if (has_kyber_id != (version == kPqxdhCiphertextVersion)) {
    return make_error(Errc::invalid_message, "Kyber payload and message version disagree");
  }
  HUSH_TRY_ASSIGN(auto base_key, detail::public_key_from(p.base_key()));
  HUSH_TRY_ASSIGN(auto identity_key, detail::public_key_from(p.identity_key()));
  std::optional<KyberPayload> kyber;
  if (has_kyber_id) {
    HUSH_TRY_ASSIGN(auto ciphertext, deserialize_kyber_ciphertext(view(p.kyber_ciphertext())));
    kyber = KyberPayload{KyberPreKeyId{p.kyber_pre_key_id()}, ciphertext};
  }
  HUSH_TRY_ASSIGN(auto inner, SignalMessage::deserialize(view(p.message())));
  if (inner.version() != version) return make_error(Errc::invalid_message, "inner message version differs");
  std::optional<PreKeyId> pre_key_id;
  if (p.has_pre_key_id()) pre_key_id = PreKeyId{p.pre_key_id()};
  return PreKeySignalMessage(version, RegistrationId{p.registration_id()}, pre_key_id,
                             SignedPreKeyId{p.signed_pre_key_id()}, std::move(kyber), base_key, identity_key,
                             std::move(inner), to_bytes(bytes));
}

}  // namespace hush::signal
