// SessionRecord <-> bytes. We write format version 5 (docs/protocol.md §4):
// the protobuf envelope of proto/signal_storage.proto (SessionRecordProto
// fields 1, 5, 6; PackedSessionStateProto) whose byte fields hold fixed layouts,
// encoded and parsed here directly between the caller's buffer and our types:
// records are loaded and stored twice per message, and this way no secret is
// copied into an intermediate string that would need scrubbing. Format 4 is
// format 3 plus the version-4 (PQXDH) parts of a state: the pending Kyber
// pre-key and the SPQR seed and state; format 5 is format 4 with each skipped
// key tagged as a seed or as keys; formats 3 and 4 are read by the same
// code. Version 1 records are read by session_record_codec_v1.cpp. Parsing validates every
// key and length, since a stored record is untrusted input like any other.
#include <hush/signal/constants.hpp>
#include <hush/signal/session_record.hpp>

#include "session_record_codec.hpp"

#include <array>
#include <cstring>
#include <limits>
#include <variant>

namespace hush::signal {

namespace {

// Field numbers (proto/signal_storage.proto).
constexpr std::uint32_t kRecordVersionField = 1;  // SessionRecordProto.format_version
// Fields 2 and 4 (current/previous of format version 1) are read by
// session_record_codec_v1.cpp.
constexpr std::uint32_t kRecordCurrentField = 5;       // SessionRecordProto.current_packed
constexpr std::uint32_t kRecordPreviousField = 6;      // SessionRecordProto.previous_packed
constexpr std::uint32_t kStateFixedField = 1;          // PackedSessionStateProto.fixed
constexpr std::uint32_t kStateReceiverChainField = 2;  // PackedSessionStateProto.receiver_chains
constexpr std::uint32_t kStatePendingPreKeyField = 3;  // PackedSessionStateProto.pending_pre_key
constexpr std::uint32_t kStatePendingKyberField = 4;   // PackedSessionStateProto.pending_kyber_pre_key (format 4)
constexpr std::uint32_t kStatePqRatchetField = 5;      // PackedSessionStateProto.pq_ratchet (format 4)
constexpr std::uint32_t kWireVarint = 0;
constexpr std::uint32_t kWireFixed64 = 1;
constexpr std::uint32_t kWireLengthDelimited = 2;
constexpr std::uint32_t kWireFixed32 = 5;

// The fixed layouts (integers are little-endian uint32, public keys their raw
// 32-byte u-coordinate).
// fixed: session_version ‖ local identity ‖ remote identity ‖ RK ‖
//        previous_counter ‖ sender ratchet public ‖ sender ratchet private ‖
//        CK_s ‖ CK_s index ‖ local registration id ‖ remote registration id ‖
//        Alice's base key
constexpr std::size_t kFixedSize = 4 + 32 + 32 + 32 + 4 + 32 + 32 + 32 + 4 + 4 + 4 + 32;
// receiver chain: their ratchet key ‖ CK_r ‖ CK_r index ‖ skipped keys, oldest first
constexpr std::size_t kChainHeaderSize = 32 + 32 + 4;
// skipped key (formats 3, 4): counter ‖ cipher key ‖ MAC key ‖ IV
constexpr std::size_t kSkippedKeySize = 4 + 32 + 32 + 16;
// skipped key (format 5): kind ‖ counter ‖ (cipher key ‖ MAC key ‖ IV | seed)
constexpr std::uint8_t kSkippedKindKeys = 0;
constexpr std::uint8_t kSkippedKindSeed = 1;
constexpr std::size_t kTaggedKeysSize = 1 + kSkippedKeySize;
constexpr std::size_t kTaggedSeedSize = 1 + 4 + 32;
// pending pre-key: flags (bit 0: has a one-time pre-key id) ‖ pre-key id ‖ signed pre-key id ‖ base key
constexpr std::size_t kPendingSize = 1 + 4 + 4 + 32;
constexpr std::uint8_t kPendingHasPreKeyId = 0x01;
// pending Kyber pre-key (format 4): Kyber pre-key id ‖ Kyber1024 ciphertext (without its type byte)
constexpr std::size_t kPendingKyberSize = 4 + crypto::Kyber1024::kCiphertextSize;
// pq ratchet (format 4): SPQR seed (32) ‖ SPQR record (the rest, SpqrState::serialize; empty until SPQR runs)
constexpr std::size_t kPqSeedSize = 32;

// ---- writing ----

std::size_t varint_size(std::size_t v) noexcept {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// A length-delimited field of `len` bytes, tag and length included.
std::size_t field_size(std::uint32_t field, std::size_t len) noexcept {
  return varint_size(field << 3 | kWireLengthDelimited) + varint_size(len) + len;
}

std::size_t chain_size(const ReceiverChain& c) noexcept {
  std::size_t n = kChainHeaderSize;
  for (const auto& k : c.skipped) n += std::holds_alternative<MessageKeySeed>(k) ? kTaggedSeedSize : kTaggedKeysSize;
  return n;
}

std::size_t state_size(const SessionState& s) noexcept {
  std::size_t n = field_size(kStateFixedField, kFixedSize);
  for (const auto& c : s.receiver_chains) n += field_size(kStateReceiverChainField, chain_size(c));
  if (s.pending_pre_key) n += field_size(kStatePendingPreKeyField, kPendingSize);
  if (s.pending_pre_key && s.pending_pre_key->kyber) n += field_size(kStatePendingKyberField, kPendingKyberSize);
  if (s.pq_ratchet_seed) n += field_size(kStatePqRatchetField, kPqSeedSize + s.pq_ratchet.serialized_size());
  return n;
}

// Writes into a buffer sized exactly beforehand.
class Writer {
  static constexpr std::size_t kPiece = 256;

 public:
  explicit Writer(MutableByteView out) noexcept : p_(out.data()), end_(out.data() + out.size()) {}
  [[nodiscard]] bool done() const noexcept { return p_ == end_; }

  void varint(std::size_t v) noexcept {
    HUSH_CHECK(static_cast<std::size_t>(end_ - p_) >= varint_size(v));
    for (; v >= 0x80; v >>= 7) *p_++ = static_cast<std::uint8_t>(v | 0x80);
    *p_++ = static_cast<std::uint8_t>(v);
  }
  void tag(std::uint32_t field, std::uint32_t wire_type) noexcept { varint(field << 3 | wire_type); }
  void length_delimited(std::uint32_t field, std::size_t len) noexcept {
    tag(field, kWireLengthDelimited);
    varint(len);
  }
  void raw(ByteView b) noexcept {
    if (b.empty()) return;  // an empty view may have no data pointer; memcpy must not see it
    HUSH_CHECK(static_cast<std::size_t>(end_ - p_) >= b.size());
    // Large fields (the SPQR state, several KiB) in fixed 256-byte pieces,
    // which the compiler copies with vector moves: glibc copies 2 KiB and
    // more with `rep movsb`, which perf showed taking ~1 µs for this one
    // copy per message on the AMD EPYC VMs we run on.
    std::size_t at = 0;
    for (; b.size() - at >= kPiece; at += kPiece) std::memcpy(p_ + at, b.data() + at, kPiece);
    std::memcpy(p_ + at, b.data() + at, b.size() - at);
    p_ += b.size();
  }
  /// The next `n` bytes, for the caller to fill.
  MutableByteView take(std::size_t n) noexcept {
    HUSH_CHECK(static_cast<std::size_t>(end_ - p_) >= n);
    MutableByteView out(p_, n);
    p_ += n;
    return out;
  }
  void u8(std::uint8_t v) noexcept { raw(ByteView(&v, 1)); }
  void u32(std::uint32_t v) noexcept {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                               static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
    raw(b);
  }
  void key(const crypto::PublicKey& k) noexcept { raw(k.raw()); }

 private:
  std::uint8_t* p_;
  std::uint8_t* end_;
};

void write_state(Writer& w, const SessionState& s) {
  w.length_delimited(kStateFixedField, kFixedSize);
  w.u32(s.session_version);
  w.key(s.local_identity);
  w.key(s.remote_identity);
  w.raw(s.root_key.key().expose());
  w.u32(s.previous_counter);
  w.key(s.sender_ratchet.public_key);
  w.raw(s.sender_ratchet.private_key.secret().expose());
  w.raw(s.sender_chain.key().expose());
  w.u32(s.sender_chain.index());
  w.u32(s.local_registration_id.value);
  w.u32(s.remote_registration_id.value);
  w.key(s.alice_base_key);
  for (const auto& c : s.receiver_chains) {
    w.length_delimited(kStateReceiverChainField, chain_size(c));
    w.key(c.sender_ratchet_key);
    w.raw(c.chain_key.key().expose());
    w.u32(c.chain_key.index());
    for (const auto& k : c.skipped) {
      if (const auto* seed = std::get_if<MessageKeySeed>(&k)) {
        w.u8(kSkippedKindSeed);
        w.u32(seed->counter);
        w.raw(seed->seed.expose());
      } else {
        const auto& mk = std::get<MessageKeys>(k);
        w.u8(kSkippedKindKeys);
        w.u32(mk.counter);
        w.raw(mk.cipher_key.expose());
        w.raw(mk.mac_key.expose());
        w.raw(mk.iv.expose());
      }
    }
  }
  if (s.pending_pre_key) {
    const PendingPreKey& pending = *s.pending_pre_key;
    w.length_delimited(kStatePendingPreKeyField, kPendingSize);
    w.u8(pending.pre_key_id ? kPendingHasPreKeyId : 0);
    w.u32(pending.pre_key_id ? pending.pre_key_id->value : 0);
    w.u32(pending.signed_pre_key_id.value);
    w.key(pending.base_key);
    if (pending.kyber) {
      w.length_delimited(kStatePendingKyberField, kPendingKyberSize);
      w.u32(pending.kyber->id.value);
      w.raw(pending.kyber->ciphertext.bytes());
    }
  }
  if (s.pq_ratchet_seed) {
    const std::size_t spqr_size = s.pq_ratchet.serialized_size();
    w.length_delimited(kStatePqRatchetField, kPqSeedSize + spqr_size);
    w.raw(s.pq_ratchet_seed->expose());
    s.pq_ratchet.serialize_into(w.take(spqr_size));  // straight into the record
  }
}

// ---- reading ----

// The protobuf wire format, strictly: varints of at most 32 bits (our fields
// are all uint32 or lengths), every length within the input.
class Reader {
 public:
  explicit Reader(ByteView in) noexcept : in_(in) {}
  [[nodiscard]] bool at_end() const noexcept { return pos_ == in_.size(); }

  [[nodiscard]] bool varint(std::uint32_t& out) noexcept {
    std::uint64_t v = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      if (pos_ == in_.size()) return false;
      const std::uint8_t b = in_[pos_++];
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (v > std::numeric_limits<std::uint32_t>::max()) return false;
        out = static_cast<std::uint32_t>(v);
        return true;
      }
    }
    return false;
  }
  /// The next field's number and wire type; false on a malformed tag.
  [[nodiscard]] bool tag(std::uint32_t& field, std::uint32_t& wire_type) noexcept {
    std::uint32_t t = 0;
    if (!varint(t)) return false;
    field = t >> 3;
    wire_type = t & 7;
    return field != 0;
  }
  [[nodiscard]] bool bytes(ByteView& out) noexcept {
    std::uint32_t len = 0;
    if (!varint(len) || len > in_.size() - pos_) return false;
    out = in_.subspan(pos_, len);
    pos_ += len;
    return true;
  }
  /// Skips a field's value (groups are refused: proto3 has none).
  [[nodiscard]] bool skip(std::uint32_t wire_type) noexcept {
    std::uint32_t ignored = 0;
    ByteView ignored_bytes;
    switch (wire_type) {
      case kWireVarint:
        return varint(ignored);
      case kWireFixed64:
        return advance(8);
      case kWireLengthDelimited:
        return bytes(ignored_bytes);
      case kWireFixed32:
        return advance(4);
      default:
        return false;
    }
  }

 private:
  [[nodiscard]] bool advance(std::size_t n) noexcept {
    if (n > in_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  ByteView in_;
  std::size_t pos_ = 0;
};

// Takes fixed-size pieces off the front of a layout whose size was checked.
class Layout {
 public:
  explicit Layout(ByteView b) noexcept : b_(b) {}
  template <std::size_t N>
  std::span<const std::uint8_t, N> take() noexcept {
    HUSH_CHECK(b_.size() >= N);
    auto out = b_.first<N>();
    b_ = b_.subspan(N);
    return out;
  }
  std::uint32_t u32() noexcept {
    auto b = take<4>();
    return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
           static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
  }
  /// A public key from our records: the cheap checks (it was checked in full when it arrived).
  Result<crypto::PublicKey> key() { return crypto::PublicKey::from_raw(take<32>(), crypto::KeyCheck::canonical); }

 private:
  ByteView b_;
};

// Formats 3 and 4: fixed-size skipped keys, all of them keys.
Result<ReceiverChain> read_chain_untagged(ByteView b) {
  if (b.size() < kChainHeaderSize || (b.size() - kChainHeaderSize) % kSkippedKeySize != 0) {
    return make_error(Errc::bad_length, "receiver chain length");
  }
  const std::size_t skipped = (b.size() - kChainHeaderSize) / kSkippedKeySize;
  if (skipped > kMaxSkippedKeysPerChain) return make_error(Errc::decode_error, "too many skipped keys");
  Layout l(b);
  HUSH_TRY_ASSIGN(auto their_ratchet_key, l.key());
  SecretBytes<32> chain_key(l.take<32>());
  ReceiverChain c{their_ratchet_key, ChainKey(std::move(chain_key), l.u32()), {}};
  c.skipped.reserve(skipped);
  for (std::size_t i = 0; i < skipped; ++i) {
    const std::uint32_t counter = l.u32();
    c.skipped.emplace_back(MessageKeys{SecretBytes<32>(l.take<32>()), SecretBytes<32>(l.take<32>()),
                                       SecretBytes<16>(l.take<16>()), counter});
  }
  return c;
}

// Format 5: each skipped key opens with its kind.
Result<ReceiverChain> read_chain_tagged(ByteView b) {
  if (b.size() < kChainHeaderSize) return make_error(Errc::bad_length, "receiver chain length");
  Layout l(b.first(kChainHeaderSize));
  HUSH_TRY_ASSIGN(auto their_ratchet_key, l.key());
  SecretBytes<32> chain_key(l.take<32>());
  ReceiverChain c{their_ratchet_key, ChainKey(std::move(chain_key), l.u32()), {}};
  ByteView rest = b.subspan(kChainHeaderSize);
  while (!rest.empty()) {
    if (c.skipped.size() == kMaxSkippedKeysPerChain) return make_error(Errc::decode_error, "too many skipped keys");
    const std::uint8_t kind = rest[0];
    const std::size_t size = kind == kSkippedKindSeed   ? kTaggedSeedSize
                             : kind == kSkippedKindKeys ? kTaggedKeysSize
                                                        : 0;
    if (size == 0) return make_error(Errc::decode_error, "skipped key kind");
    if (rest.size() < size) return make_error(Errc::bad_length, "skipped key length");
    Layout k(rest.subspan(1, size - 1));
    const std::uint32_t counter = k.u32();
    if (kind == kSkippedKindSeed) {
      c.skipped.emplace_back(MessageKeySeed{SecretBytes<32>(k.take<32>()), counter});
    } else {
      c.skipped.emplace_back(MessageKeys{SecretBytes<32>(k.take<32>()), SecretBytes<32>(k.take<32>()),
                                         SecretBytes<16>(k.take<16>()), counter});
    }
    rest = rest.subspan(size);
  }
  return c;
}

Result<PendingPreKey> read_pending(ByteView b) {
  if (b.size() != kPendingSize) return make_error(Errc::bad_length, "pending pre-key length");
  Layout l(b);
  const std::uint8_t flags = l.take<1>()[0];
  const std::uint32_t pre_key_id = l.u32();
  if ((flags & ~kPendingHasPreKeyId) != 0) return make_error(Errc::decode_error, "pending pre-key flags");
  if ((flags & kPendingHasPreKeyId) == 0 && pre_key_id != 0) {
    return make_error(Errc::decode_error, "pending pre-key id without flag");
  }
  const SignedPreKeyId signed_pre_key_id{l.u32()};
  HUSH_TRY_ASSIGN(auto base_key, l.key());
  PendingPreKey pending{std::nullopt, signed_pre_key_id, base_key};
  if ((flags & kPendingHasPreKeyId) != 0) pending.pre_key_id = PreKeyId{pre_key_id};
  return pending;
}

Result<PendingKyberPreKey> read_pending_kyber(ByteView b) {
  if (b.size() != kPendingKyberSize) return make_error(Errc::bad_length, "pending kyber pre-key length");
  Layout l(b);
  const KyberPreKeyId id{l.u32()};
  HUSH_TRY_ASSIGN(auto ciphertext, KyberCiphertext::parse(l.take<crypto::Kyber1024::kCiphertextSize>()));
  return PendingKyberPreKey{id, ciphertext};
}

// A PackedSessionStateProto: exactly one `fixed`, at most one pending pre-key, at
// most kMaxReceiverChains chains; from format 4 also at most one pending Kyber
// pre-key and one pq ratchet, exactly as the state's version needs them; no other fields.
Result<std::unique_ptr<SessionState>> read_state(ByteView body, std::uint32_t format) {
  ByteView fixed;
  ByteView pending;
  ByteView pending_kyber;
  ByteView pq_ratchet;
  bool has_pending_kyber = false;
  bool has_pq_ratchet = false;
  std::array<ByteView, kMaxReceiverChains> chains{};
  std::size_t chain_count = 0;
  bool has_fixed = false;
  bool has_pending = false;
  Reader r(body);
  while (!r.at_end()) {
    std::uint32_t field = 0;
    std::uint32_t wire_type = 0;
    ByteView value;
    if (!r.tag(field, wire_type) || wire_type != kWireLengthDelimited || !r.bytes(value)) {
      return make_error(Errc::decode_error, "session state");
    }
    if (field == kStateFixedField && !has_fixed) {
      fixed = value;
      has_fixed = true;
    } else if (field == kStateReceiverChainField) {
      if (chain_count == chains.size()) return make_error(Errc::decode_error, "too many receiver chains");
      chains[chain_count++] = value;
    } else if (field == kStatePendingPreKeyField && !has_pending) {
      pending = value;
      has_pending = true;
    } else if (format >= kSessionRecordFormatVersion4 && field == kStatePendingKyberField && !has_pending_kyber) {
      pending_kyber = value;
      has_pending_kyber = true;
    } else if (format >= kSessionRecordFormatVersion4 && field == kStatePqRatchetField && !has_pq_ratchet) {
      pq_ratchet = value;
      has_pq_ratchet = true;
    } else {
      return make_error(Errc::decode_error, "session state field");
    }
  }
  if (!has_fixed) return make_error(Errc::decode_error, "session state without keys");
  if (fixed.size() != kFixedSize) return make_error(Errc::bad_length, "session state length");

  Layout l(fixed);
  const std::uint32_t version = l.u32();
  const bool v4 = version == kPqxdhCiphertextVersion;
  if (version != kCiphertextVersion && !(v4 && format >= kSessionRecordFormatVersion4)) {
    return make_error(Errc::unsupported_version, "session version");
  }
  // A version-4 state has its SPQR seed, and its pending pre-key (while
  // there is one) its Kyber part; a version-3 state has neither.
  if (has_pq_ratchet != v4) return make_error(Errc::decode_error, "SPQR seed and session version disagree");
  if (has_pending_kyber != (v4 && has_pending)) {
    return make_error(Errc::decode_error, "pending Kyber pre-key and session version disagree");
  }
  if (has_pq_ratchet && pq_ratchet.size() < kPqSeedSize) return make_error(Errc::bad_length, "SPQR seed length");
  HUSH_TRY_ASSIGN(auto local_identity, l.key());
  HUSH_TRY_ASSIGN(auto remote_identity, l.key());
  SecretBytes<32> root(l.take<32>());
  const std::uint32_t previous_counter = l.u32();
  HUSH_TRY_ASSIGN(auto ratchet_public, l.key());
  crypto::PrivateKey ratchet_private{SecretBytes<32>(l.take<32>())};
  SecretBytes<32> sender_chain_key(l.take<32>());
  const std::uint32_t sender_chain_index = l.u32();
  const RegistrationId local_registration_id{l.u32()};
  const RegistrationId remote_registration_id{l.u32()};
  HUSH_TRY_ASSIGN(auto alice_base_key, l.key());

  auto state = std::make_unique<SessionState>(SessionState{version,
                                                           local_identity,
                                                           remote_identity,
                                                           RootKey(std::move(root)),
                                                           previous_counter,
                                                           crypto::KeyPair{ratchet_public, std::move(ratchet_private)},
                                                           ChainKey(std::move(sender_chain_key), sender_chain_index),
                                                           {},
                                                           std::nullopt,
                                                           local_registration_id,
                                                           remote_registration_id,
                                                           alice_base_key});
  state->receiver_chains.reserve(chain_count);
  for (std::size_t i = 0; i < chain_count; ++i) {
    HUSH_TRY_ASSIGN(auto chain, format >= kSessionRecordFormatVersion ? read_chain_tagged(chains[i])
                                                                      : read_chain_untagged(chains[i]));
    state->receiver_chains.push_back(std::move(chain));
  }
  if (has_pending) {
    HUSH_TRY_ASSIGN(state->pending_pre_key, read_pending(pending));
  }
  if (has_pending_kyber) {
    HUSH_TRY_ASSIGN(state->pending_pre_key->kyber, read_pending_kyber(pending_kyber));
  }
  if (has_pq_ratchet) {
    state->pq_ratchet_seed = SecretBytes<32>::from(pq_ratchet.first(kPqSeedSize));
    HUSH_TRY_ASSIGN(state->pq_ratchet, spqr::SpqrState::parse(pq_ratchet.subspan(kPqSeedSize)));
  }
  return state;
}

// The record's format version: a first pass over the top-level fields.
Result<std::uint32_t> record_format_version(ByteView bytes) {
  std::uint32_t version = 0;
  Reader r(bytes);
  while (!r.at_end()) {
    std::uint32_t field = 0;
    std::uint32_t wire_type = 0;
    if (!r.tag(field, wire_type)) return make_error(Errc::decode_error, "session record");
    if (field == kRecordVersionField && wire_type == kWireVarint) {
      if (!r.varint(version)) return make_error(Errc::decode_error, "session record");
    } else if (!r.skip(wire_type)) {
      return make_error(Errc::decode_error, "session record");
    }
  }
  return version;
}

}  // namespace

SecretBuffer SessionRecord::serialize() const {
  std::size_t size = varint_size(kRecordVersionField << 3 | kWireVarint) + varint_size(kSessionRecordFormatVersion);
  if (current_) size += field_size(kRecordCurrentField, state_size(*current_));
  for (const auto& s : previous_) size += field_size(kRecordPreviousField, state_size(s));
  // Bounded by the record limits (about 35 MB at most): lengths fit the wire format's uint32.
  HUSH_CHECK(size <= std::numeric_limits<std::uint32_t>::max());
  SecretBuffer out = SecretBuffer::for_overwrite(size);  // every byte written, checked by w.done()
  Writer w(out.expose_mut());
  w.tag(kRecordVersionField, kWireVarint);
  w.varint(kSessionRecordFormatVersion);
  if (current_) {
    w.length_delimited(kRecordCurrentField, state_size(*current_));
    write_state(w, *current_);
  }
  for (const auto& s : previous_) {
    w.length_delimited(kRecordPreviousField, state_size(s));
    write_state(w, s);
  }
  HUSH_CHECK(w.done());
  return out;
}

Result<SessionRecord> SessionRecord::deserialize(ByteView bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return make_error(Errc::decode_error, "session record too long");
  }
  HUSH_TRY_ASSIGN(std::uint32_t version, record_format_version(bytes));
  SessionRecord record;
  if (version == kSessionRecordFormatVersion1) {
    HUSH_TRY_ASSIGN(auto parts, detail::parse_session_record_v1(bytes));
    record.current_ = std::move(parts.current);
    record.previous_ = std::move(parts.previous);
    return record;
  }
  if (version != kSessionRecordFormatVersion && version != kSessionRecordFormatVersion4 &&
      version != kSessionRecordFormatVersion3) {
    return make_error(Errc::unsupported_version, "session record");
  }

  bool has_current = false;
  std::size_t previous_count = 0;
  Reader r(bytes);
  while (!r.at_end()) {
    std::uint32_t field = 0;
    std::uint32_t wire_type = 0;
    if (!r.tag(field, wire_type)) return make_error(Errc::decode_error, "session record");
    if (field == kRecordVersionField && wire_type == kWireVarint) {
      std::uint32_t ignored = 0;
      if (!r.varint(ignored)) return make_error(Errc::decode_error, "session record");
      continue;
    }
    ByteView value;
    if (wire_type != kWireLengthDelimited || !r.bytes(value)) return make_error(Errc::decode_error, "session record");
    if (field == kRecordCurrentField && !has_current) {
      HUSH_TRY_ASSIGN(record.current_, read_state(value, version));
      has_current = true;
    } else if (field == kRecordPreviousField) {
      if (++previous_count > kMaxArchivedStates) return make_error(Errc::decode_error, "too many previous states");
      HUSH_TRY_ASSIGN(auto s, read_state(value, version));
      record.previous_.push_back(std::move(*s));
    } else {
      // Includes version 1 states in a version 3 or 4 record.
      return make_error(Errc::decode_error, "session record field");
    }
  }
  return record;
}

}  // namespace hush::signal
