// The SPQR record codec (proto/spqr_storage.proto, format 1), read and
// written by hand over the protobuf wire format (record_wire.hpp): byte for
// byte what protobuf-lite writes, and it reads what protobuf-lite reads.
// Parsing checks every field a braid state needs, its size, and the chain's
// invariants, so a damaged record is a decode error, never a broken state.
// Secrets go straight between the record's bytes and our self-wiping types.
#include "../proto_wire.hpp"
#include "spqr_state_impl.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

namespace hush::signal::spqr::detail {
namespace {

namespace wire = signal::detail::wire;

using wire::Field;
using wire::Reader;
using wire::Writer;

// Field numbers (proto/spqr_storage.proto).
namespace f {
// SpqrRecordProto
constexpr std::uint32_t kFormat = 1, kVersion = 2, kNegotiation = 3, kChain = 4, kBraid = 5;
// SpqrNegotiationProto
constexpr std::uint32_t kNegAuthKey = 1, kNegDirection = 2, kNegMinVersion = 3, kNegMaxJump = 4, kNegMaxOoo = 5;
// SpqrSkippedKeyProto
constexpr std::uint32_t kSkCounter = 1, kSkKey = 2;
// SpqrChainDirectionProto
constexpr std::uint32_t kDirCtr = 1, kDirNext = 2, kDirSkipped = 3;
// SpqrChainEpochProto
constexpr std::uint32_t kLinkSend = 1, kLinkRecv = 2;
// SpqrChainProto
constexpr std::uint32_t kChDirection = 1, kChCurrentEpoch = 2, kChSendEpoch = 3, kChNextRoot = 4, kChLinks = 5,
                        kChMaxJump = 6, kChMaxOoo = 7;
// SpqrChunkProto
constexpr std::uint32_t kChunkIndex = 1, kChunkData = 2;
// SpqrEncoderProto
constexpr std::uint32_t kEncMessage = 1, kEncNextIndex = 2;
// SpqrDecoderProto
constexpr std::uint32_t kDecLength = 1, kDecChunks = 2;
// SpqrBraidProto
constexpr std::uint32_t kBrKind = 1, kBrEpoch = 2, kBrAuthRoot = 3, kBrAuthMac = 4, kBrDk = 5, kBrEkVector = 6,
                        kBrHeader = 7, kBrCt1 = 8, kBrEncState = 9, kBrSending = 10, kBrReceiving = 11;
}  // namespace f

/// The record format this code writes; parse accepts formats 1 … this.
constexpr std::uint32_t kRecordFormat = 1;

/// Chain parameters above this are refused: a record cannot make one
/// message derive millions of keys (the crate assumes below 390,451,572).
constexpr std::uint32_t kMaxChainParam = 1U << 20;

Error bad(const char* what) {
  return make_error(Errc::decode_error, what);
}

// ---- writing: sizes first (each sub-message's length precedes it), then bytes ----

std::size_t skipped_size(std::uint32_t counter) {
  return wire::varint_field_size(counter) + wire::bytes_field_size(32);
}

std::size_t direction_size(const ChainDirection& d) {
  std::size_t n = wire::varint_field_size(d.ctr) + wire::bytes_field_size(d.next ? 32 : 0);
  for (const auto& k : d.skipped) n += wire::message_field_size(skipped_size(k.first));
  return n;
}

std::size_t link_size(const ChainEpoch& l) {
  return wire::message_field_size(direction_size(l.send)) + wire::message_field_size(direction_size(l.recv));
}

std::size_t chain_size(const Chain& c) {
  std::size_t n = wire::varint_field_size(static_cast<std::uint32_t>(c.direction())) +
                  wire::varint_field_size(c.current_epoch()) + wire::varint_field_size(c.send_epoch()) +
                  wire::bytes_field_size(32);
  for (const auto& l : c.links()) n += wire::message_field_size(link_size(l));
  return n + wire::varint_field_size(c.params().max_jump) + wire::varint_field_size(c.params().max_ooo_keys);
}

std::size_t negotiation_size(const Negotiation& n) {
  return wire::bytes_field_size(n.auth_key.size()) + wire::varint_field_size(static_cast<std::uint32_t>(n.direction)) +
         wire::varint_field_size(static_cast<std::uint32_t>(n.min_version)) +
         wire::varint_field_size(n.chain_params.max_jump) + wire::varint_field_size(n.chain_params.max_ooo_keys);
}

std::size_t encoder_size(const ChunkEncoder& e) {
  return wire::bytes_field_size(e.message().size()) + wire::varint_field_size(e.next_index());
}

std::size_t chunk_size(const Chunk& c) {
  return wire::varint_field_size(c.index) + wire::bytes_field_size(kChunkSize);
}

std::size_t decoder_size(const ChunkDecoder& d) {
  std::size_t n = wire::varint_field_size(d.length());
  for (const auto& c : d.chunks()) n += wire::message_field_size(chunk_size(c));
  return n;
}

std::size_t braid_size(const Braid& b) {
  std::size_t n = wire::varint_field_size(static_cast<std::uint32_t>(b.kind)) + wire::varint_field_size(b.epoch) +
                  wire::bytes_field_size(32) + wire::bytes_field_size(32);
  if (b.dk) n += wire::bytes_field_size(b.dk.size());
  if (b.ek_vector) n += wire::bytes_field_size(b.ek_vector.size());
  if (b.header) n += wire::bytes_field_size(b.header->bytes().size());
  if (b.ct1) n += wire::bytes_field_size(b.ct1.size());
  if (b.enc_state) n += wire::bytes_field_size(Inc::EncapsulationState::kSerializedSize);
  if (b.sending) n += wire::message_field_size(encoder_size(*b.sending));
  if (b.receiving) n += wire::message_field_size(decoder_size(*b.receiving));
  return n;
}

std::size_t encoded_size(const SpqrState::Impl& impl) {
  std::size_t n =
      wire::varint_field_size(kRecordFormat) + wire::varint_field_size(static_cast<std::uint32_t>(impl.version));
  if (impl.negotiation) n += wire::message_field_size(negotiation_size(*impl.negotiation));
  if (impl.chain) n += wire::message_field_size(chain_size(*impl.chain));
  if (impl.braid) n += wire::message_field_size(braid_size(*impl.braid));
  return n;
}

void put_direction(Writer& w, const ChainDirection& d) {
  w.varint_field(f::kDirCtr, d.ctr);
  if (d.next) w.bytes_field(f::kDirNext, d.next->expose());
  for (const auto& [counter, key] : d.skipped) {
    w.message_field(f::kDirSkipped, skipped_size(counter));
    w.varint_field(f::kSkCounter, counter);
    w.bytes_field(f::kSkKey, key.expose());
  }
}

void put_chain(Writer& w, const Chain& c) {
  w.varint_field(f::kChDirection, static_cast<std::uint32_t>(c.direction()));
  w.varint_field(f::kChCurrentEpoch, c.current_epoch());
  w.varint_field(f::kChSendEpoch, c.send_epoch());
  w.bytes_field(f::kChNextRoot, c.next_root().expose());
  for (const auto& l : c.links()) {
    w.message_field(f::kChLinks, link_size(l));
    w.message_field(f::kLinkSend, direction_size(l.send));
    put_direction(w, l.send);
    w.message_field(f::kLinkRecv, direction_size(l.recv));
    put_direction(w, l.recv);
  }
  w.varint_field(f::kChMaxJump, c.params().max_jump);
  w.varint_field(f::kChMaxOoo, c.params().max_ooo_keys);
}

void put_braid(Writer& w, const Braid& b) {
  w.varint_field(f::kBrKind, static_cast<std::uint32_t>(b.kind));
  w.varint_field(f::kBrEpoch, b.epoch);
  w.bytes_field(f::kBrAuthRoot, b.auth.root_key().expose());
  w.bytes_field(f::kBrAuthMac, b.auth.mac_key().expose());
  if (b.dk) w.bytes_field(f::kBrDk, b.dk.view());
  if (b.ek_vector) w.bytes_field(f::kBrEkVector, b.ek_vector.view());
  if (b.header) w.bytes_field(f::kBrHeader, b.header->bytes());
  if (b.ct1) w.bytes_field(f::kBrCt1, b.ct1.view());
  if (b.enc_state) w.bytes_field(f::kBrEncState, b.enc_state->serialize().expose());
  if (b.sending) {
    w.message_field(f::kBrSending, encoder_size(*b.sending));
    w.bytes_field(f::kEncMessage, b.sending->message());
    w.varint_field(f::kEncNextIndex, b.sending->next_index());
  }
  if (b.receiving) {
    w.message_field(f::kBrReceiving, decoder_size(*b.receiving));
    w.varint_field(f::kDecLength, b.receiving->length());
    for (const auto& c : b.receiving->chunks()) {
      w.message_field(f::kDecChunks, chunk_size(c));
      w.varint_field(f::kChunkIndex, c.index);
      w.bytes_field(f::kChunkData, c.data);
    }
  }
}

// The field's value if it has the wire type its number has in the schema;
// otherwise protobuf keeps it as an unknown field, which we drop.
bool is(const Field& fd, std::uint32_t number, std::uint32_t wire_type) {
  return fd.number == number && fd.wire_type == wire_type;
}
bool varint_of(const Field& fd, std::uint32_t number) {
  return is(fd, number, wire::kVarint);
}
bool bytes_of(const Field& fd, std::uint32_t number) {
  return is(fd, number, wire::kLengthDelimited);
}
std::uint32_t u32(const Field& fd) {
  return static_cast<std::uint32_t>(fd.varint);  // protobuf truncates a uint32 varint the same way
}

// Calls on(field) for each field of `bytes`.
template <class On>
Status each_field(ByteView bytes, On&& on) {
  Reader r(bytes);
  Field fd;
  for (;;) {
    HUSH_TRY_ASSIGN(bool more, r.next(fd));
    if (!more) return ok();
    HUSH_TRY(on(fd));
  }
}

// ---- reading: the wire into views of the input (protobuf's semantics), then
// the views into our types with every check. Nothing here allocates but the
// state's own containers: repeated fields are read where they are used. ----

// A repeated sub-message field: the messages holding it (one per occurrence
// of the message, as protobuf merges occurrences by appending) and its field
// number; its elements are read in a second pass over those messages.
class Repeated {
 public:
  explicit Repeated(std::uint32_t number) noexcept : number_(number) {}

  // One element seen in `parent` (the whole message that holds it).
  void saw(ByteView parent) {
    ++count_;
    if (parents_ > 0 && same(parent_at(parents_ - 1), parent)) return;
    if (parents_ < inline_.size()) {
      inline_[parents_] = parent;
    } else {
      more_.push_back(parent);  // a record split into many occurrences: protobuf accepts it, so do we
    }
    ++parents_;
  }

  [[nodiscard]] std::size_t count() const noexcept { return count_; }

  // Calls on(element bytes) for each element, in protobuf's order.
  template <class On>
  Status each(On&& on) const {
    for (std::size_t i = 0; i < parents_; ++i) {
      HUSH_TRY(each_field(parent_at(i), [&](const Field& fd) -> Status {
        if (fd.number == number_ && fd.wire_type == wire::kLengthDelimited) return on(fd.bytes);
        return ok();
      }));
    }
    return ok();
  }

 private:
  static bool same(ByteView a, ByteView b) noexcept { return a.data() == b.data() && a.size() == b.size(); }
  [[nodiscard]] ByteView parent_at(std::size_t i) const noexcept {
    return i < inline_.size() ? inline_[i] : more_[i - inline_.size()];
  }

  std::uint32_t number_;
  std::size_t count_ = 0, parents_ = 0;
  std::array<ByteView, 2> inline_{};
  std::vector<ByteView> more_;
};

struct DirectionView {
  std::uint32_t ctr = 0;
  ByteView next;
  Repeated skipped{f::kDirSkipped};
};
struct LinkView {
  DirectionView send, recv;
};
struct ChainView {
  bool present = false;
  std::uint32_t direction = 0;
  std::uint64_t current_epoch = 0, send_epoch = 0;
  ByteView next_root;
  Repeated links{f::kChLinks};
  std::uint32_t max_jump = 0, max_ooo_keys = 0;
};
struct NegotiationView {
  bool present = false;
  ByteView auth_key;
  std::uint32_t direction = 0, min_version = 0, max_jump = 0, max_ooo_keys = 0;
};
struct EncoderView {
  bool present = false;
  ByteView message;
  std::uint32_t next_index = 0;
};
struct DecoderView {
  bool present = false;
  std::uint32_t length = 0;
  Repeated chunks{f::kDecChunks};
};
struct BraidView {
  bool present = false;
  std::uint32_t kind = 0;
  std::uint64_t epoch = 0;
  ByteView auth_root_key, auth_mac_key, dk, ek_vector, header, ct1, enc_state;
  EncoderView sending;
  DecoderView receiving;
};
struct RecordView {
  std::uint32_t format = 0, version = 0;
  NegotiationView negotiation;
  ChainView chain;
  BraidView braid;
};

Status read_pair(ByteView bytes, std::uint32_t num_field, std::uint32_t bytes_field_no,
                 std::pair<std::uint32_t, ByteView>& out) {
  return each_field(bytes, [&](const Field& fd) -> Status {
    if (varint_of(fd, num_field)) out.first = u32(fd);
    if (bytes_of(fd, bytes_field_no)) out.second = fd.bytes;
    return ok();
  });
}

Status read_direction(ByteView bytes, DirectionView& d) {
  return each_field(bytes, [&](const Field& fd) -> Status {
    if (varint_of(fd, f::kDirCtr)) d.ctr = u32(fd);
    if (bytes_of(fd, f::kDirNext)) d.next = fd.bytes;
    if (bytes_of(fd, f::kDirSkipped)) d.skipped.saw(bytes);
    return ok();
  });
}

Status read_link(ByteView bytes, LinkView& l) {
  return each_field(bytes, [&](const Field& lf) -> Status {
    if (bytes_of(lf, f::kLinkSend)) HUSH_TRY(read_direction(lf.bytes, l.send));
    if (bytes_of(lf, f::kLinkRecv)) HUSH_TRY(read_direction(lf.bytes, l.recv));
    return ok();
  });
}

Status read_chain(ByteView bytes, ChainView& c) {
  c.present = true;
  return each_field(bytes, [&](const Field& fd) -> Status {
    if (varint_of(fd, f::kChDirection)) c.direction = u32(fd);
    if (varint_of(fd, f::kChCurrentEpoch)) c.current_epoch = fd.varint;
    if (varint_of(fd, f::kChSendEpoch)) c.send_epoch = fd.varint;
    if (bytes_of(fd, f::kChNextRoot)) c.next_root = fd.bytes;
    if (varint_of(fd, f::kChMaxJump)) c.max_jump = u32(fd);
    if (varint_of(fd, f::kChMaxOoo)) c.max_ooo_keys = u32(fd);
    if (bytes_of(fd, f::kChLinks)) c.links.saw(bytes);
    return ok();
  });
}

Status read_negotiation(ByteView bytes, NegotiationView& n) {
  n.present = true;
  return each_field(bytes, [&](const Field& fd) -> Status {
    if (bytes_of(fd, f::kNegAuthKey)) n.auth_key = fd.bytes;
    if (varint_of(fd, f::kNegDirection)) n.direction = u32(fd);
    if (varint_of(fd, f::kNegMinVersion)) n.min_version = u32(fd);
    if (varint_of(fd, f::kNegMaxJump)) n.max_jump = u32(fd);
    if (varint_of(fd, f::kNegMaxOoo)) n.max_ooo_keys = u32(fd);
    return ok();
  });
}

Status read_braid(ByteView bytes, BraidView& b) {
  b.present = true;
  return each_field(bytes, [&](const Field& fd) -> Status {
    if (varint_of(fd, f::kBrKind)) b.kind = u32(fd);
    if (varint_of(fd, f::kBrEpoch)) b.epoch = fd.varint;
    if (bytes_of(fd, f::kBrAuthRoot)) b.auth_root_key = fd.bytes;
    if (bytes_of(fd, f::kBrAuthMac)) b.auth_mac_key = fd.bytes;
    if (bytes_of(fd, f::kBrDk)) b.dk = fd.bytes;
    if (bytes_of(fd, f::kBrEkVector)) b.ek_vector = fd.bytes;
    if (bytes_of(fd, f::kBrHeader)) b.header = fd.bytes;
    if (bytes_of(fd, f::kBrCt1)) b.ct1 = fd.bytes;
    if (bytes_of(fd, f::kBrEncState)) b.enc_state = fd.bytes;
    if (bytes_of(fd, f::kBrSending)) {
      b.sending.present = true;
      return each_field(fd.bytes, [&](const Field& ef) -> Status {
        if (bytes_of(ef, f::kEncMessage)) b.sending.message = ef.bytes;
        if (varint_of(ef, f::kEncNextIndex)) b.sending.next_index = u32(ef);
        return ok();
      });
    }
    if (bytes_of(fd, f::kBrReceiving)) {
      b.receiving.present = true;
      const ByteView decoder = fd.bytes;
      return each_field(decoder, [&](const Field& df) -> Status {
        if (varint_of(df, f::kDecLength)) b.receiving.length = u32(df);
        if (bytes_of(df, f::kDecChunks)) b.receiving.chunks.saw(decoder);
        return ok();
      });
    }
    return ok();
  });
}

Status read_record(ByteView bytes, RecordView& r) {
  return each_field(bytes, [&](const Field& fd) -> Status {
    if (varint_of(fd, f::kFormat)) r.format = u32(fd);
    if (varint_of(fd, f::kVersion)) r.version = u32(fd);
    if (bytes_of(fd, f::kNegotiation)) return read_negotiation(fd.bytes, r.negotiation);
    if (bytes_of(fd, f::kChain)) return read_chain(fd.bytes, r.chain);
    if (bytes_of(fd, f::kBraid)) return read_braid(fd.bytes, r.braid);
    return ok();
  });
}

Result<Version> version_from(std::uint32_t v) {
  if (v > static_cast<std::uint32_t>(Version::v1)) return bad("spqr record version");
  return static_cast<Version>(v);
}

Result<Direction> direction_from(std::uint32_t d) {
  if (d > 1) return bad("spqr record direction");
  return static_cast<Direction>(d);
}

Result<ChainDirection> direction_state_from(const DirectionView& p) {
  ChainDirection d;
  d.ctr = p.ctr;
  if (!p.next.empty() && p.next.size() != 32) return bad("spqr record chain key");
  if (!p.next.empty()) d.next = SecretBytes<32>::from(p.next);
  d.skipped.reserve(p.skipped.count());
  const Status each_key = p.skipped.each([&](ByteView item) -> Status {
    std::pair<std::uint32_t, ByteView> k;
    HUSH_TRY(read_pair(item, f::kSkCounter, f::kSkKey, k));
    const auto& [counter, key] = k;
    if (key.size() != 32) return bad("spqr record skipped key");
    // Skipped keys lie below the counter and are distinct.
    if (counter >= d.ctr) return bad("spqr record skipped counter");
    for (const auto& [c, unused] : d.skipped) {
      if (c == counter) return bad("spqr record skipped counter repeated");
    }
    d.skipped.emplace_back(counter, SecretBytes<32>::from(key));
    return ok();
  });
  HUSH_TRY(each_key);
  return d;
}

Result<Chain> chain_from(const ChainView& p) {
  HUSH_TRY_ASSIGN(Direction dir, direction_from(p.direction));
  if (p.next_root.size() != 32) return bad("spqr record next root");
  if (p.links.count() == 0 || static_cast<std::uint64_t>(p.links.count()) > p.current_epoch + 1) {
    return bad("spqr record chain links");
  }
  if (p.send_epoch > p.current_epoch) return bad("spqr record send epoch");
  std::vector<ChainEpoch> links;
  links.reserve(p.links.count());
  const Status each_link = p.links.each([&](ByteView item) -> Status {
    LinkView l;
    HUSH_TRY(read_link(item, l));
    HUSH_TRY_ASSIGN(auto send, direction_state_from(l.send));
    HUSH_TRY_ASSIGN(auto recv, direction_state_from(l.recv));
    links.push_back(ChainEpoch{std::move(send), std::move(recv)});
    return ok();
  });
  HUSH_TRY(each_link);
  if (p.max_jump > kMaxChainParam || p.max_ooo_keys > kMaxChainParam) return bad("spqr record chain params");
  return Chain(dir, p.current_epoch, p.send_epoch, SecretBytes<32>::from(p.next_root), std::move(links),
               ChainParams{p.max_jump, p.max_ooo_keys});
}

// Which fields each braid state holds (braid.hpp, BraidKind).
struct Needs {
  bool dk, ek_vector, header, ct1, enc_state;
  std::size_t sending;    // payload length, 0 = none
  std::size_t receiving;  // payload length, 0 = none
};

Result<Needs> needs_of(BraidKind k) {
  switch (k) {
    case BraidKind::keys_unsampled:
      return Needs{false, false, false, false, false, 0, 0};
    case BraidKind::keys_sampled:
      return Needs{true, true, false, false, false, kHeaderPayloadSize, 0};
    case BraidKind::header_sent:
      return Needs{true, false, false, false, false, kEkPayloadSize, kCt1PayloadSize};
    case BraidKind::ct1_received:
      return Needs{true, false, false, true, false, kEkPayloadSize, 0};
    case BraidKind::ek_sent_ct1_received:
      return Needs{true, false, false, true, false, 0, kCt2PayloadSize};
    case BraidKind::no_header_received:
      return Needs{false, false, false, false, false, 0, kHeaderPayloadSize};
    case BraidKind::header_received:
      return Needs{false, false, true, false, false, 0, kEkPayloadSize};
    case BraidKind::ct1_sampled:
      return Needs{false, false, false, true, true, kCt1PayloadSize, kEkPayloadSize};
    case BraidKind::ek_received_ct1_sampled:
      return Needs{false, true, false, true, true, kCt1PayloadSize, 0};
    case BraidKind::ct1_acknowledged:
      return Needs{false, false, false, true, true, 0, kEkPayloadSize};
    case BraidKind::ct2_sampled:
      return Needs{false, false, false, false, false, kCt2PayloadSize, 0};
  }
  return bad("spqr record braid state");
}

Result<Braid> braid_from(const BraidView& p) {
  // The bytes a state holds unchanged, copied out once (copies of the state share them).
  auto frozen = [](ByteView v) { return FrozenBytes::owned(v); };
  if (p.kind < 1 || p.kind > 11) return bad("spqr record braid state");
  Braid b;
  b.kind = static_cast<BraidKind>(p.kind);
  HUSH_TRY_ASSIGN(const Needs needs, needs_of(b.kind));
  if (p.epoch == 0) return bad("spqr record braid epoch");
  b.epoch = p.epoch;
  if (p.auth_root_key.size() != 32 || p.auth_mac_key.size() != 32) return bad("spqr record authenticator");
  b.auth = Authenticator(SecretBytes<32>::from(p.auth_root_key), SecretBytes<32>::from(p.auth_mac_key));

  // Each field present exactly when the state holds it.
  auto present = [](ByteView v) { return !v.empty(); };
  if (present(p.dk) != needs.dk || present(p.ek_vector) != needs.ek_vector || present(p.header) != needs.header ||
      present(p.ct1) != needs.ct1 || present(p.enc_state) != needs.enc_state ||
      p.sending.present != (needs.sending != 0) || p.receiving.present != (needs.receiving != 0)) {
    return bad("spqr record braid fields");
  }
  if (needs.dk) {
    // Its length here; its FIPS 203 §7.3 checks where it is used (braid.hpp).
    if (p.dk.size() != crypto::MlKem768::kSecretKeySize) {
      return make_error(Errc::bad_length, "spqr record decapsulation key length");
    }
    b.dk = frozen(p.dk);
  }
  if (needs.ek_vector) {
    // Inc::Vector::parse's check (its length), without the copy.
    if (p.ek_vector.size() != Inc::kVectorSize) return make_error(Errc::bad_length, "ml-kem key vector length");
    b.ek_vector = frozen(p.ek_vector);
  }
  if (needs.header) {
    HUSH_TRY_ASSIGN(b.header, Inc::Header::parse(p.header));
  }
  if (needs.ct1) {
    // Inc::Ciphertext1::parse's check (its length), without the copy.
    if (p.ct1.size() != Inc::kCiphertext1Size) return make_error(Errc::bad_length, "ml-kem ciphertext1 length");
    b.ct1 = frozen(p.ct1);
  }
  if (needs.enc_state) {
    HUSH_TRY_ASSIGN(b.enc_state, Inc::EncapsulationState::parse(p.enc_state));
  }
  if (needs.sending) {
    if (p.sending.message.size() != needs.sending) return bad("spqr record sending length");
    b.sending.emplace(frozen(p.sending.message), p.sending.next_index);
  }
  if (needs.receiving) {
    if (p.receiving.length != needs.receiving) return bad("spqr record receiving length");
    // The chunks go straight into the decoder, which refuses what it would
    // not have kept (a repeated index, more than it holds).
    ChunkDecoder decoder(needs.receiving);
    const Status each_chunk = p.receiving.chunks.each([&](ByteView item) -> Status {
      std::pair<std::uint32_t, ByteView> c;
      HUSH_TRY(read_pair(item, f::kChunkIndex, f::kChunkData, c));
      const auto& [index, data] = c;
      if (index > 0xFFFF || data.size() != kChunkSize) return bad("spqr record chunk");
      Chunk chunk;
      chunk.index = static_cast<std::uint16_t>(index);
      std::copy_n(data.data(), kChunkSize, chunk.data.data());
      if (!decoder.keep(chunk)) return bad("spqr decoder chunks");
      return ok();
    });
    HUSH_TRY(each_chunk);
    // A decoder that could already decode would have moved the state on.
    if (decoder.decoded()) return bad("spqr record decoder complete");
    b.receiving = std::move(decoder);
  }
  return b;
}

}  // namespace

SecretBuffer serialize_record(const SpqrState::Impl& impl) {
  SecretBuffer out = SecretBuffer::for_overwrite(record_size(impl));  // every byte written: w.done()
  write_record(impl, out.expose_mut());
  return out;
}

std::size_t record_size(const SpqrState::Impl& impl) {
  return encoded_size(impl);
}

void write_record(const SpqrState::Impl& impl, MutableByteView out) {
  Writer w(out);
  w.varint_field(f::kFormat, kRecordFormat);
  w.varint_field(f::kVersion, static_cast<std::uint32_t>(impl.version));
  if (impl.negotiation) {
    const Negotiation& n = *impl.negotiation;
    w.message_field(f::kNegotiation, negotiation_size(n));
    w.bytes_field(f::kNegAuthKey, n.auth_key.expose());
    w.varint_field(f::kNegDirection, static_cast<std::uint32_t>(n.direction));
    w.varint_field(f::kNegMinVersion, static_cast<std::uint32_t>(n.min_version));
    w.varint_field(f::kNegMaxJump, n.chain_params.max_jump);
    w.varint_field(f::kNegMaxOoo, n.chain_params.max_ooo_keys);
  }
  if (impl.chain) {
    w.message_field(f::kChain, chain_size(*impl.chain));
    put_chain(w, *impl.chain);
  }
  if (impl.braid) {
    w.message_field(f::kBraid, braid_size(*impl.braid));
    put_braid(w, *impl.braid);
  }
  HUSH_CHECK(w.done());
}

Result<std::unique_ptr<SpqrState::Impl>> parse_record(ByteView bytes) {
  auto out = std::make_unique<SpqrState::Impl>();
  SpqrState::Impl& impl = *out;
  RecordView r;
  HUSH_TRY(read_record(bytes, r));
  if (r.format == 0 || r.format > kRecordFormat) {
    return make_error(Errc::unsupported_version, "spqr record format");
  }
  HUSH_TRY_ASSIGN(impl.version, version_from(r.version));
  if (impl.version != Version::v1 || !r.braid.present) return bad("spqr record without braid");
  if (r.negotiation.present) {
    const auto& n = r.negotiation;
    if (n.auth_key.empty()) return bad("spqr record auth key");
    HUSH_TRY_ASSIGN(Direction dir, direction_from(n.direction));
    HUSH_TRY_ASSIGN(Version min, version_from(n.min_version));
    if (min > impl.version) return bad("spqr record min version");
    if (n.max_jump > kMaxChainParam || n.max_ooo_keys > kMaxChainParam) return bad("spqr record chain params");
    impl.negotiation = Negotiation{SecretBuffer(n.auth_key), dir, min, ChainParams{n.max_jump, n.max_ooo_keys}};
  }
  if (r.chain.present) {
    HUSH_TRY_ASSIGN(impl.chain, chain_from(r.chain));
  }
  if (!impl.chain && !impl.negotiation) return bad("spqr record without chain");
  HUSH_TRY_ASSIGN(impl.braid, braid_from(r.braid));
  return out;
}

}  // namespace hush::signal::spqr::detail
