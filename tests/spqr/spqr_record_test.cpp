// The SPQR record: it round-trips at every step of a conversation (and the
// restored state carries on), V0 is the empty record, and damaged records
// are typed errors, never crashes. The codec reads and writes the protobuf
// wire format by hand; protobuf-lite's own code for the schema
// (spqr_storage.pb.h) is the reference it is checked against, byte for byte.
#include "spqr_state_impl.hpp"

#include "spqr_storage.pb.h"

#include <hush/signal/spqr.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>

namespace hush::signal::spqr {
namespace {

using testing::DeterministicRng;

SpqrState make(Direction d) {
  const Bytes key(32, 7);
  SpqrParams p;
  p.direction = d;
  p.auth_key = key;
  return std::move(SpqrState::initial(p).value());
}

Bytes record(const SpqrState& s) {
  return to_bytes(s.serialize().expose());
}

// Serializes, parses, and checks the parsed state serializes the same.
SpqrState reload(const SpqrState& s) {
  const Bytes bytes = record(s);
  auto parsed = SpqrState::parse(bytes);
  EXPECT_TRUE(parsed.has_value()) << errc_name(parsed.code());
  EXPECT_EQ(record(*parsed), bytes);
  return std::move(parsed).value();
}

// ---- the reference: the record built with protobuf-lite's generated code ----

namespace pb = ::hush::storage::spqr;

std::string str(ByteView b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

void pb_direction(pb::SpqrChainDirectionProto* out, const detail::ChainDirection& d) {
  out->set_ctr(d.ctr);
  if (d.next) out->set_next(str(d.next->expose()));
  for (const auto& [counter, key] : d.skipped) {
    auto* k = out->add_skipped();
    k->set_counter(counter);
    k->set_key(str(key.expose()));
  }
}

Bytes protobuf_record(const SpqrState& s) {
  const auto& impl = SpqrStateAccess::impl(s);
  pb::SpqrRecordProto r;
  r.set_format(1);
  r.set_version(static_cast<std::uint32_t>(impl.version));
  if (impl.negotiation) {
    auto* n = r.mutable_negotiation();
    n->set_auth_key(str(impl.negotiation->auth_key.expose()));
    n->set_direction(static_cast<std::uint32_t>(impl.negotiation->direction));
    n->set_min_version(static_cast<std::uint32_t>(impl.negotiation->min_version));
    n->set_max_jump(impl.negotiation->chain_params.max_jump);
    n->set_max_ooo_keys(impl.negotiation->chain_params.max_ooo_keys);
  }
  if (impl.chain) {
    const auto& c = *impl.chain;
    auto* out = r.mutable_chain();
    out->set_direction(static_cast<std::uint32_t>(c.direction()));
    out->set_current_epoch(c.current_epoch());
    out->set_send_epoch(c.send_epoch());
    out->set_next_root(str(c.next_root().expose()));
    for (const auto& link : c.links()) {
      auto* l = out->add_links();
      pb_direction(l->mutable_send(), link.send);
      pb_direction(l->mutable_recv(), link.recv);
    }
    out->set_max_jump(c.params().max_jump);
    out->set_max_ooo_keys(c.params().max_ooo_keys);
  }
  if (impl.braid) {
    const auto& b = *impl.braid;
    auto* out = r.mutable_braid();
    out->set_kind(static_cast<std::uint32_t>(b.kind));
    out->set_epoch(b.epoch);
    out->set_auth_root_key(str(b.auth.root_key().expose()));
    out->set_auth_mac_key(str(b.auth.mac_key().expose()));
    if (b.dk) out->set_decapsulation_key(str(b.dk.view()));
    if (b.ek_vector) out->set_ek_vector(str(b.ek_vector.view()));
    if (b.header) out->set_header(str(b.header->bytes()));
    if (b.ct1) out->set_ciphertext1(str(b.ct1.view()));
    if (b.enc_state) out->set_encapsulation_state(str(b.enc_state->serialize().expose()));
    if (b.sending) {
      out->mutable_sending()->set_message(str(b.sending->message()));
      out->mutable_sending()->set_next_index(b.sending->next_index());
    }
    if (b.receiving) {
      auto* rc = out->mutable_receiving();
      rc->set_length(static_cast<std::uint32_t>(b.receiving->length()));
      for (const auto& c : b.receiving->chunks()) {
        auto* pc = rc->add_chunks();
        pc->set_index(c.index);
        pc->set_data(str(c.data));
      }
    }
  }
  return to_bytes(as_bytes(r.SerializeAsString()));
}

// What protobuf-lite makes of some bytes: its canonical re-encoding without
// the unknown fields (which it keeps and our codec drops, as the record's
// types have no place for them), or nullopt when it refuses them. The
// variants below add unknown fields at the top level only.
std::optional<Bytes> protobuf_canonical(ByteView bytes) {
  pb::SpqrRecordProto r;
  if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  pb::SpqrRecordProto known;  // the known fields only
  known.set_format(r.format());
  known.set_version(r.version());
  if (r.has_negotiation()) *known.mutable_negotiation() = r.negotiation();
  if (r.has_chain()) *known.mutable_chain() = r.chain();
  if (r.has_braid()) *known.mutable_braid() = r.braid();
  return to_bytes(as_bytes(known.SerializeAsString()));
}

// A two-way conversation in which B answers two messages out of three; calls
// check(a) and check(b) before every message.
template <class Check>
void converse(int messages, Check&& check) {
  DeterministicRng rng(11);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  for (int i = 0; i < messages; ++i) {
    check(a);
    check(b);
    auto sa = a.send(rng);
    ASSERT_TRUE(b.recv(sa->message).has_value());
    if (i % 3 != 0) {
      ASSERT_TRUE(a.recv(b.send(rng)->message).has_value());
    }
  }
}

TEST(SpqrRecord, WrittenByteForByteAsProtobufWritesIt) {
  std::set<int> kinds;
  converse(300, [&](const SpqrState& s) {
    kinds.insert(static_cast<int>(SpqrStateAccess::impl(s).braid->kind));
    ASSERT_EQ(to_hex(record(s)), to_hex(protobuf_record(s)));
  });
  EXPECT_GE(kinds.size(), 10u);
  SpqrParams p;
  const Bytes key(32, 9);
  p.min_version = Version::v0;
  p.auth_key = key;
  p.chain_params = ChainParams{100, 7};
  auto negotiating = std::move(SpqrState::initial(p).value());
  EXPECT_EQ(to_hex(record(negotiating)), to_hex(protobuf_record(negotiating)));
}

// Encodes a field by hand: tag, then a varint or length-delimited bytes.
Bytes field(std::uint32_t number, std::uint32_t wire_type, ByteView bytes = {}, std::uint64_t varint = 0) {
  Bytes out;
  auto put = [&](std::uint64_t v) {
    for (; v >= 0x80; v >>= 7) out.push_back(static_cast<std::uint8_t>(v | 0x80));
    out.push_back(static_cast<std::uint8_t>(v));
  };
  put(number << 3 | wire_type);
  if (wire_type == 0) put(varint);
  if (wire_type == 2) {
    put(bytes.size());
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  if (wire_type == 5) out.insert(out.end(), 4, 0x11);
  if (wire_type == 1) out.insert(out.end(), 8, 0x22);
  return out;
}

// The top-level fields of a canonical record, as (number, whole encoded field).
std::vector<std::pair<std::uint32_t, Bytes>> top_fields(const Bytes& rec) {
  std::vector<std::pair<std::uint32_t, Bytes>> out;
  std::size_t at = 0;
  while (at < rec.size()) {
    const std::size_t start = at;
    const std::uint32_t tag = rec[at++];
    std::uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const std::uint8_t byte = rec[at++];
      v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) break;
    }
    if ((tag & 7) == 2) at += static_cast<std::size_t>(v);
    out.emplace_back(tag >> 3, Bytes(rec.begin() + static_cast<std::ptrdiff_t>(start),
                                      rec.begin() + static_cast<std::ptrdiff_t>(at)));
  }
  return out;
}

// Whatever protobuf-lite reads, the codec reads the same way (fields in any
// order, unknown fields and wire types skipped, sub-messages merged, the
// last scalar winning), and what it refuses is refused.
TEST(SpqrRecord, ReadsWhatProtobufReads) {
  std::vector<Bytes> variants;
  int links = 0, most_links = 0;
  converse(90, [&](const SpqrState& s) {
    const Bytes rec = record(s);
    auto fields = top_fields(rec);
    Bytes reversed;
    for (auto it = fields.rbegin(); it != fields.rend(); ++it) reversed.insert(reversed.end(), it->second.begin(), it->second.end());
    variants.push_back(reversed);
    variants.push_back(concat({rec, field(12, 0, {}, 5), field(13, 5), field(14, 1), field(15, 2, Bytes(3, 1))}));
    variants.push_back(concat({rec, field(1, 2, Bytes(2, 0))}));  // field 1 with the wrong wire type: unknown
    variants.push_back(concat({rec, field(2, 0, {}, 0x100000001ULL)}));  // uint32 version truncated to 1
    // The braid again, split in two occurrences: protobuf merges them.
    for (const auto& [number, bytes] : fields) {
      // The braid's length is a 2-byte varint (it holds at least its two 32-byte keys).
      if (number != 5 || bytes.size() < 128 + 3 || bytes[1] < 0x80 || bytes[2] >= 0x80) continue;
      auto inner = top_fields(Bytes(bytes.begin() + 3, bytes.end()));
      Bytes first, second;
      for (std::size_t i = 0; i < inner.size(); ++i) {
        Bytes& into = i % 2 ? second : first;
        into.insert(into.end(), inner[i].second.begin(), inner[i].second.end());
      }
      variants.push_back(concat({rec, field(5, 2, first), field(5, 2, second)}));
    }
    // The chain again, one occurrence per field of it: protobuf appends the
    // epochs of each occurrence, so the codec reads them across many.
    for (const auto& [number, bytes] : fields) {
      if (number != 4) continue;
      std::size_t at = 1;  // the tag: one byte
      while (bytes[at] & 0x80) ++at;
      const auto inner = top_fields(Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(at + 1), bytes.end()));
      Bytes spread;  // the record with its chain replaced by the spread one
      for (const auto& [other, other_bytes] : fields) {
        if (other != 4) spread = concat({spread, other_bytes});
      }
      for (const auto& [inner_number, inner_bytes] : inner) {
        spread = concat({spread, field(4, 2, inner_bytes)});
        if (inner_number == 5) ++links;
      }
      most_links = std::max(most_links, links);
      links = 0;
      variants.push_back(spread);
    }
    variants.push_back(Bytes(rec.begin(), rec.end() - 1));  // truncated
    variants.push_back(concat({rec, Bytes{0x08}}));           // a tag without its value
    variants.push_back(concat({rec, Bytes{0x07, 0x00}}));     // wire type 7
    variants.push_back(concat({rec, Bytes{0x00, 0x00}}));     // field 0
    variants.push_back(concat({rec, Bytes{0x0c}}));           // an end-group tag alone
    variants.push_back(concat({rec, field(9, 3), field(1, 0, {}, 1), Bytes{0x4c}}));  // an unknown group
  });
  int accepted = 0;
  for (const auto& v : variants) {
    auto ours = SpqrState::parse(v);
    auto theirs = protobuf_canonical(v);
    if (!theirs) {
      EXPECT_FALSE(ours.has_value()) << to_hex(v);
      continue;
    }
    auto canonical = SpqrState::parse(*theirs);
    ASSERT_EQ(ours.has_value(), canonical.has_value()) << to_hex(v);
    if (!ours) continue;
    ++accepted;
    EXPECT_EQ(to_hex(record(*ours)), to_hex(*theirs));
  }
  EXPECT_GT(accepted, 100);
  EXPECT_GE(most_links, 3);  // epochs in three occurrences and more: past the codec's two inline ones
}

TEST(SpqrRecord, RoundTripsThroughEveryBraidStateAndCarriesOn) {
  DeterministicRng rng(1);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  std::set<int> kinds;
  for (int i = 0; i < 400; ++i) {
    a = reload(a);
    b = reload(b);
    kinds.insert(static_cast<int>(SpqrStateAccess::impl(a).braid->kind));
    kinds.insert(static_cast<int>(SpqrStateAccess::impl(b).braid->kind));
    auto sa = a.send(rng);
    ASSERT_TRUE(sa.has_value());
    auto rb = b.recv(sa->message);
    ASSERT_TRUE(rb.has_value());
    ASSERT_TRUE(ct_equal(*sa->key, **rb));
    // B answers only every other time, so both "ek before ack" and "ack
    // before ek" orders occur.
    if (i % 3 != 0) {
      auto sb = b.send(rng);
      auto ra = a.recv(sb->message);
      ASSERT_TRUE(ra.has_value());
      ASSERT_TRUE(ct_equal(*sb->key, **ra));
    }
  }
  EXPECT_GE(kinds.size(), 10u);  // every state but possibly one ordering variant
  EXPECT_GE(a.epoch(), 4u);
}

Bytes read_file(const std::string& name) {
  std::ifstream in(std::filesystem::path(HUSH_SPQR_DATA) / "format1" / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Records written by format 1 (fuzz/tools/make_spqr_corpus with a second
// folder) still load, and the two sides carry on talking.
TEST(SpqrRecord, Format1RecordsStillLoadAndCarryOn) {
  auto a = SpqrState::parse(read_file("a.bin"));
  auto b = SpqrState::parse(read_file("b.bin"));
  ASSERT_TRUE(a.has_value() && b.has_value());
  DeterministicRng rng(4);
  for (int i = 0; i < 100; ++i) {
    auto sa = a->send(rng);
    auto rb = b->recv(sa->message);
    ASSERT_TRUE(rb.has_value()) << i;
    ASSERT_TRUE(ct_equal(*sa->key, **rb));
    auto sb = b->send(rng);
    auto ra = a->recv(sb->message);
    ASSERT_TRUE(ra.has_value()) << i;
    ASSERT_TRUE(ct_equal(*sb->key, **ra));
  }
  EXPECT_GE(a->epoch(), 3u);
}

TEST(SpqrRecord, NegotiatingStateRoundTrips) {
  SpqrParams p;
  const Bytes key(32, 9);
  p.min_version = Version::v0;
  p.auth_key = key;
  auto s = std::move(SpqrState::initial(p).value());
  auto r = reload(s);
  EXPECT_TRUE(r.negotiating());
  EXPECT_EQ(r.version(), Version::v1);
}

TEST(SpqrRecord, EmptyIsV0) {
  auto s = SpqrState::parse({});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->version(), Version::v0);
  EXPECT_TRUE(SpqrState().serialize().empty());
}

TEST(SpqrRecord, UnknownFormatIsUnsupported) {
  // SpqrRecordProto{format: 2}
  EXPECT_EQ(SpqrState::parse(Bytes{0x08, 0x02}).code(), Errc::unsupported_version);
  EXPECT_EQ(SpqrState::parse(Bytes{0x10, 0x01}).code(), Errc::unsupported_version);  // format 0 (absent)
}

TEST(SpqrRecord, GarbageIsADecodeError) {
  EXPECT_EQ(SpqrState::parse(Bytes{0xFF, 0xFF, 0xFF}).code(), Errc::decode_error);
  EXPECT_EQ(SpqrState::parse(Bytes{0x08, 0x01}).code(), Errc::decode_error);  // format 1, nothing else
}

TEST(SpqrRecord, DamagedRecordsNeverCrash) {
  DeterministicRng rng(2);
  auto a = make(Direction::a2b);
  auto b = make(Direction::b2a);
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(b.recv(a.send(rng)->message).has_value());
    ASSERT_TRUE(a.recv(b.send(rng)->message).has_value());
  }
  const Bytes good = record(a);
  for (std::size_t cut = 0; cut < good.size(); cut += 37) {
    auto r = SpqrState::parse(ByteView(good).first(cut));
    if (r) (void)r->serialize();  // a shorter record may still be whole
  }
  for (int i = 0; i < 300; ++i) {
    Bytes bad = good;
    bad[rng.uniform(static_cast<std::uint32_t>(bad.size()))] ^= static_cast<std::uint8_t>(1 + rng.uniform(255));
    auto r = SpqrState::parse(bad);
    if (r) {
      // A change inside a key or chunk parses; using the state must not crash either.
      (void)r->send(rng);
    }
  }
}

}  // namespace
}  // namespace hush::signal::spqr
