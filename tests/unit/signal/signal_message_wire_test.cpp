// SignalMessage::deserialize reads the protobuf by hand (lib/signal/src/
// proto_wire.hpp) rather than through protobuf-lite, to spare each received
// message a dozen allocations. These tests hold it to protobuf-lite's own
// parser for proto/signal_wire.proto: on real messages rearranged in every
// way the wire format allows, on malformed ones, and on random damage, both
// accept the same inputs and read the same fields.
#include <hush/signal/messages.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include "signal_wire.pb.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <utility>
#include <vector>

namespace hush::signal {
namespace {

// What protobuf-lite makes of a message: the fields SignalMessage exposes,
// or nullopt where SignalMessage must refuse the bytes.
struct Fields {
  std::uint8_t version = 0;
  Bytes ratchet_key;
  std::uint32_t counter = 0;
  std::uint32_t previous_counter = 0;
  Bytes ciphertext;
  Bytes pq_ratchet;
  std::optional<Bytes> addresses;
};

std::optional<Fields> reference(ByteView bytes) {
  constexpr std::size_t kMac = 8;
  if (bytes.size() <= 1 + kMac) return std::nullopt;
  const std::uint8_t version = bytes[0] >> 4;
  if (version != 3 && version != 4) return std::nullopt;
  wire::SignalMessage p;
  if (!p.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1 - kMac))) return std::nullopt;
  if (!p.has_ratchet_key() || !p.has_counter() || !p.has_ciphertext()) return std::nullopt;
  if (version == 3 && !p.pq_ratchet().empty()) return std::nullopt;
  if (!crypto::PublicKey::deserialize(as_bytes(p.ratchet_key()), crypto::KeyCheck::canonical)) return std::nullopt;
  Fields f;
  f.version = version;
  f.ratchet_key = to_bytes(as_bytes(p.ratchet_key()));
  f.counter = p.counter();
  f.previous_counter = p.previous_counter();
  f.ciphertext = to_bytes(as_bytes(p.ciphertext()));
  f.pq_ratchet = to_bytes(as_bytes(p.pq_ratchet()));
  if (p.has_addresses()) f.addresses = to_bytes(as_bytes(p.addresses()));
  return f;
}

void expect_same(ByteView bytes) {
  const auto theirs = reference(bytes);
  const auto ours = SignalMessage::deserialize(bytes);
  ASSERT_EQ(ours.has_value(), theirs.has_value()) << to_hex(bytes);
  if (!ours) return;
  EXPECT_EQ(ours->version(), theirs->version);
  EXPECT_EQ(to_hex(ours->ratchet_key().serialize()), to_hex(theirs->ratchet_key));
  EXPECT_EQ(ours->counter(), theirs->counter);
  EXPECT_EQ(ours->previous_counter(), theirs->previous_counter);
  EXPECT_EQ(to_hex(ours->ciphertext()), to_hex(theirs->ciphertext));
  EXPECT_EQ(to_hex(ours->pq_ratchet()), to_hex(theirs->pq_ratchet));
  ASSERT_EQ(ours->addresses().has_value(), theirs->addresses.has_value());
  if (ours->addresses()) {
    EXPECT_EQ(to_hex(*ours->addresses()), to_hex(*theirs->addresses));
  }
  EXPECT_EQ(to_hex(ours->serialized()), to_hex(bytes)) << "the message keeps its bytes for the MAC";
}

Bytes varint(std::uint64_t v) {
  Bytes out;
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<std::uint8_t>(v | 0x80));
  out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

// One field: tag, then a varint value or length-prefixed bytes (or nothing
// for group tags and fixed widths, whose bytes the caller gives as `body`).
Bytes field(std::uint32_t number, std::uint32_t wire_type, ByteView body = {}, std::uint64_t value = 0) {
  Bytes out = varint(std::uint64_t{number} << 3 | wire_type);
  if (wire_type == 0) return concat({out, varint(value)});
  if (wire_type == 2) return concat({out, varint(body.size()), body});
  return concat({out, body});
}

// A message around a protobuf body: version byte ‖ body ‖ an 8-byte MAC.
Bytes message(std::uint8_t version, ByteView body) {
  return concat({Bytes{static_cast<std::uint8_t>(version << 4 | version)}, body, Bytes(8, 0xAB)});
}

struct Parts {
  Bytes key, pq, addresses;
};

Parts parts() {
  testing::DeterministicRng rng(5);
  Parts p;
  p.key = crypto::KeyPair::generate(rng).public_key.serialize();
  p.pq = Bytes(40, 0x11);
  p.addresses = Bytes(36, 0x22);
  return p;
}

TEST(SignalMessageWire, ReadsWhatProtobufReadsInEveryArrangement) {
  const Parts p = parts();
  const Bytes ct(48, 0x33);
  const Bytes key_f = field(1, 2, p.key), ctr_f = field(2, 0, {}, 7), prev_f = field(3, 0, {}, 5),
              ct_f = field(4, 2, ct), pq_f = field(5, 2, p.pq), addr_f = field(6, 2, p.addresses);
  std::vector<Bytes> bodies = {
      concat({key_f, ctr_f, prev_f, ct_f}),
      concat({key_f, ctr_f, prev_f, ct_f, pq_f}),
      concat({key_f, ctr_f, prev_f, ct_f, pq_f, addr_f}),
      concat({addr_f, pq_f, ct_f, prev_f, ctr_f, key_f}),  // any order
      concat({key_f, ctr_f, ct_f}),                        // previous counter absent: 0
      concat({key_f, ctr_f, prev_f, ct_f, field(2, 0, {}, 9), field(4, 2, Bytes(16, 1))}),  // the last wins
      concat({key_f, ctr_f, ct_f, field(2, 0, {}, 0x1'0000'0007ULL)}),  // a uint32 keeps the low 32 bits
      concat({key_f, ctr_f, ct_f, field(2, 0, {}, ~0ULL)}),              // a 10-byte varint
      concat({key_f, ctr_f, ct_f, field(4, 2, {})}),                     // an empty ciphertext is present
      concat({key_f, ctr_f, ct_f, field(5, 2, {})}),                     // an empty SPQR field
      concat({key_f, ctr_f, ct_f, field(6, 2, {})}),                     // empty addresses are present
      // Unknown fields of every wire type, a nested unknown group, and known
      // numbers with the wrong wire type (protobuf keeps those as unknown).
      concat({key_f, ctr_f, ct_f, field(9, 0, {}, 3), field(10, 1, Bytes(8, 1)), field(11, 2, Bytes(3, 1)),
              field(12, 5, Bytes(4, 1)), field(13, 3), field(14, 3), field(1, 0, {}, 2), field(14, 4), field(13, 4)}),
      concat({key_f, ct_f, field(2, 2, Bytes(1, 7))}),              // counter only as bytes: missing
      concat({field(1, 0, {}, 5), ctr_f, ct_f}),                    // ratchet key only as a varint: missing
      concat({key_f, ctr_f, field(4, 5, Bytes(4, 1))}),             // ciphertext only as fixed32: missing
      concat({key_f, ctr_f, ct_f, field(3, 2, Bytes(2, 1))}),       // previous counter as bytes: skipped
      concat({key_f, ctr_f}),                                       // no ciphertext
      concat({ctr_f, ct_f}),                                        // no ratchet key
      concat({key_f, ct_f}),                                        // no counter
      concat({field(1, 2, Bytes(33, 0x05)), ctr_f, ct_f}),          // a key of small order
      concat({field(1, 2, Bytes(32, 0x09)), ctr_f, ct_f}),          // a key of the wrong length
      concat({key_f, ctr_f, ct_f, Bytes{0x08}}),                    // a tag without its value
      concat({key_f, ctr_f, ct_f, Bytes{0x07, 0x00}}),              // wire type 7
      concat({key_f, ctr_f, ct_f, Bytes{0x00, 0x00}}),              // field 0
      concat({key_f, ctr_f, ct_f, Bytes{0x0c}}),                    // an end-group tag alone
      concat({key_f, ctr_f, ct_f, field(13, 3)}),                   // a group never closed
      concat({key_f, ctr_f, ct_f, field(13, 3), field(12, 4)}),     // closed by another number
      concat({key_f, ctr_f, ct_f, Bytes{0x22, 0x05, 0x01}}),        // a length past the end
      concat({key_f, ctr_f, ct_f, Bytes(11, 0xFF)}),                // a varint over 10 bytes
      concat({key_f, ctr_f, ct_f, field(1u << 28, 0, {}, 1)}),      // the largest field number
  };
  int accepted = 0;
  for (const auto& body : bodies) {
    for (std::uint8_t version : {3, 4}) {
      SCOPED_TRACE(to_hex(body));
      expect_same(message(version, body));
      accepted += SignalMessage::deserialize(message(version, body)).has_value() ? 1 : 0;
    }
  }
  EXPECT_GT(accepted, 20);
}

TEST(SignalMessageWire, AgreesWithProtobufOnRandomDamage) {
  const Parts p = parts();
  testing::DeterministicRng key_rng(6);
  const auto mac_key = Bytes(32, 9);
  const auto a = crypto::KeyPair::generate(key_rng), b = crypto::KeyPair::generate(key_rng);
  const auto m = SignalMessage::create(4, crypto::PublicKey::deserialize(p.key).value(), 300, 200, Bytes(64, 0x44),
                                       mac_key, a.public_key, b.public_key, p.pq, p.addresses);
  expect_same(m.serialized());
  std::mt19937 gen(7);
  int accepted = 0;
  for (int i = 0; i < 20'000; ++i) {
    Bytes v = m.serialized();
    const int edits = 1 + static_cast<int>(gen() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = gen() % v.size();
      switch (gen() % 4) {
        case 0:
          v[at] = static_cast<std::uint8_t>(gen());
          break;
        case 1:
          v[at] ^= static_cast<std::uint8_t>(1u << (gen() % 8));
          break;
        case 2:
          v.erase(v.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        default:
          v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(gen()));
      }
      if (v.empty()) v.push_back(0x44);
    }
    ASSERT_NO_FATAL_FAILURE(expect_same(v));
    accepted += SignalMessage::deserialize(v).has_value() ? 1 : 0;
  }
  EXPECT_GT(accepted, 1000) << "the damage must leave many messages parseable, or the comparison proves little";
}

TEST(SignalMessageWire, FieldsAreViewsOfTheOneBufferAndSurviveMoves) {
  const Parts p = parts();
  testing::DeterministicRng rng(8);
  const auto a = crypto::KeyPair::generate(rng);
  auto m = SignalMessage::create(4, a.public_key, 1, 0, Bytes(32, 0x55), Bytes(32, 1), a.public_key, a.public_key, p.pq);
  auto parsed = SignalMessage::deserialize(m.serialized());
  ASSERT_TRUE(parsed);
  SignalMessage moved = std::move(*parsed);
  SignalMessage copied = moved;
  for (const SignalMessage* s : {&m, &moved, &copied}) {
    EXPECT_EQ(to_hex(s->ciphertext()), to_hex(Bytes(32, 0x55)));
    EXPECT_EQ(to_hex(s->pq_ratchet()), to_hex(p.pq));
    EXPECT_GE(s->ciphertext().data(), s->serialized().data());
    EXPECT_LE(s->ciphertext().data() + s->ciphertext().size(), s->serialized().data() + s->serialized().size());
  }
}

}  // namespace
}  // namespace hush::signal
