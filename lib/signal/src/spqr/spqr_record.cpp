// The SPQR record codec (proto/spqr_storage.proto). Parsing checks every
// field a braid state needs, its size, and the chain's invariants, so a
// damaged record is a decode error, never a broken state. Strings that held
// secrets are scrubbed before the protobuf objects go.
#include "../proto_util.hpp"
#include "spqr_state_impl.hpp"

#include "spqr_storage.pb.h"

namespace hush::signal::spqr::detail {
namespace {

namespace pb = ::hush::storage::spqr;
using signal::detail::scrub;
using signal::detail::set_bytes;
using signal::detail::view;

/// The record format this code writes; parse accepts formats 1 … this.
constexpr std::uint32_t kRecordFormat = 1;

/// Chain parameters above this are refused: a record cannot make one
/// message derive millions of keys (the crate assumes below 390,451,572).
constexpr std::uint32_t kMaxChainParam = 1U << 20;

Error bad(const char* what) {
  return make_error(Errc::decode_error, what);
}

// ---- writing ----

void put_direction(pb::SpqrChainDirectionProto* out, const ChainDirection& d) {
  out->set_ctr(d.ctr);
  set_bytes(out->mutable_next(), d.next.expose());
  for (const auto& [counter, key] : d.skipped) {
    auto* k = out->add_skipped();
    k->set_counter(counter);
    set_bytes(k->mutable_key(), key.expose());
  }
}

void put_chain(pb::SpqrChainProto* out, const Chain& c) {
  out->set_direction(static_cast<std::uint32_t>(c.direction()));
  out->set_current_epoch(c.current_epoch());
  out->set_send_epoch(c.send_epoch());
  set_bytes(out->mutable_next_root(), c.next_root().expose());
  for (const auto& link : c.links()) {
    auto* l = out->add_links();
    put_direction(l->mutable_send(), link.send);
    put_direction(l->mutable_recv(), link.recv);
  }
  out->set_max_jump(c.params().max_jump);
  out->set_max_ooo_keys(c.params().max_ooo_keys);
}

void put_braid(pb::SpqrBraidProto* out, const Braid& b) {
  out->set_kind(static_cast<std::uint32_t>(b.kind));
  out->set_epoch(b.epoch);
  set_bytes(out->mutable_auth_root_key(), b.auth.root_key().expose());
  set_bytes(out->mutable_auth_mac_key(), b.auth.mac_key().expose());
  if (b.dk) set_bytes(out->mutable_decapsulation_key(), b.dk->secret().expose());
  if (b.ek_vector) set_bytes(out->mutable_ek_vector(), b.ek_vector->bytes());
  if (b.header) set_bytes(out->mutable_header(), b.header->bytes());
  if (b.ct1) set_bytes(out->mutable_ciphertext1(), b.ct1->bytes());
  if (b.enc_state) set_bytes(out->mutable_encapsulation_state(), b.enc_state->serialize().expose());
  if (b.sending) {
    set_bytes(out->mutable_sending()->mutable_message(), b.sending->message());
    out->mutable_sending()->set_next_index(b.sending->next_index());
  }
  if (b.receiving) {
    auto* r = out->mutable_receiving();
    r->set_length(static_cast<std::uint32_t>(b.receiving->length()));
    for (const auto& c : b.receiving->chunks()) {
      auto* pc = r->add_chunks();
      pc->set_index(c.index);
      set_bytes(pc->mutable_data(), c.data);
    }
  }
}

void scrub_direction(pb::SpqrChainDirectionProto* d) {
  scrub(d->mutable_next());
  for (auto& k : *d->mutable_skipped()) scrub(k.mutable_key());
}

void scrub_record(pb::SpqrRecordProto& r) {
  if (r.has_negotiation()) scrub(r.mutable_negotiation()->mutable_auth_key());
  if (r.has_chain()) {
    scrub(r.mutable_chain()->mutable_next_root());
    for (auto& l : *r.mutable_chain()->mutable_links()) {
      if (l.has_send()) scrub_direction(l.mutable_send());
      if (l.has_recv()) scrub_direction(l.mutable_recv());
    }
  }
  if (r.has_braid()) {
    auto* b = r.mutable_braid();
    scrub(b->mutable_auth_root_key());
    scrub(b->mutable_auth_mac_key());
    scrub(b->mutable_decapsulation_key());
    scrub(b->mutable_encapsulation_state());
  }
}

// ---- reading ----

Result<Version> version_from(std::uint32_t v) {
  if (v > static_cast<std::uint32_t>(Version::v1)) return bad("spqr record version");
  return static_cast<Version>(v);
}

Result<Direction> direction_from(std::uint32_t d) {
  if (d > 1) return bad("spqr record direction");
  return static_cast<Direction>(d);
}

Result<ChainDirection> direction_state_from(const pb::SpqrChainDirectionProto& p) {
  ChainDirection d;
  d.ctr = p.ctr();
  if (!p.next().empty() && p.next().size() != 32) return bad("spqr record chain key");
  d.next = SecretBuffer(view(p.next()));
  for (const auto& k : p.skipped()) {
    if (k.key().size() != 32) return bad("spqr record skipped key");
    // Skipped keys lie below the counter and are distinct.
    if (k.counter() >= d.ctr) return bad("spqr record skipped counter");
    for (const auto& [c, unused] : d.skipped) {
      if (c == k.counter()) return bad("spqr record skipped counter repeated");
    }
    d.skipped.emplace_back(k.counter(), SecretBytes<32>::from(view(k.key())));
  }
  return d;
}

Result<Chain> chain_from(const pb::SpqrChainProto& p) {
  HUSH_TRY_ASSIGN(Direction dir, direction_from(p.direction()));
  if (p.next_root().size() != 32) return bad("spqr record next root");
  if (p.links().empty() || static_cast<std::uint64_t>(p.links_size()) > p.current_epoch() + 1) {
    return bad("spqr record chain links");
  }
  if (p.send_epoch() > p.current_epoch()) return bad("spqr record send epoch");
  std::deque<ChainEpoch> links;
  for (const auto& l : p.links()) {
    HUSH_TRY_ASSIGN(auto send, direction_state_from(l.send()));
    HUSH_TRY_ASSIGN(auto recv, direction_state_from(l.recv()));
    links.push_back(ChainEpoch{std::move(send), std::move(recv)});
  }
  if (p.max_jump() > kMaxChainParam || p.max_ooo_keys() > kMaxChainParam) return bad("spqr record chain params");
  return Chain(dir, p.current_epoch(), p.send_epoch(), SecretBytes<32>::from(view(p.next_root())), std::move(links),
               ChainParams{p.max_jump(), p.max_ooo_keys()});
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

Result<Braid> braid_from(const pb::SpqrBraidProto& p) {
  if (p.kind() < 1 || p.kind() > 11) return bad("spqr record braid state");
  Braid b;
  b.kind = static_cast<BraidKind>(p.kind());
  HUSH_TRY_ASSIGN(const Needs needs, needs_of(b.kind));
  if (p.epoch() == 0) return bad("spqr record braid epoch");
  b.epoch = p.epoch();
  if (p.auth_root_key().size() != 32 || p.auth_mac_key().size() != 32) return bad("spqr record authenticator");
  b.auth = Authenticator(SecretBytes<32>::from(view(p.auth_root_key())), SecretBytes<32>::from(view(p.auth_mac_key())));

  // Each field present exactly when the state holds it.
  auto present = [](const std::string& s) { return !s.empty(); };
  if (present(p.decapsulation_key()) != needs.dk || present(p.ek_vector()) != needs.ek_vector ||
      present(p.header()) != needs.header || present(p.ciphertext1()) != needs.ct1 ||
      present(p.encapsulation_state()) != needs.enc_state || p.has_sending() != (needs.sending != 0) ||
      p.has_receiving() != (needs.receiving != 0)) {
    return bad("spqr record braid fields");
  }
  if (needs.dk) {
    HUSH_TRY_ASSIGN(b.dk, crypto::MlKem768::SecretKey::parse(view(p.decapsulation_key())));
  }
  if (needs.ek_vector) {
    HUSH_TRY_ASSIGN(b.ek_vector, Inc::Vector::parse(view(p.ek_vector())));
  }
  if (needs.header) {
    HUSH_TRY_ASSIGN(b.header, Inc::Header::parse(view(p.header())));
  }
  if (needs.ct1) {
    HUSH_TRY_ASSIGN(b.ct1, Inc::Ciphertext1::parse(view(p.ciphertext1())));
  }
  if (needs.enc_state) {
    HUSH_TRY_ASSIGN(b.enc_state, Inc::EncapsulationState::parse(view(p.encapsulation_state())));
  }
  if (needs.sending) {
    if (p.sending().message().size() != needs.sending) return bad("spqr record sending length");
    b.sending.emplace(to_bytes(view(p.sending().message())), p.sending().next_index());
  }
  if (needs.receiving) {
    if (p.receiving().length() != needs.receiving) return bad("spqr record receiving length");
    std::vector<Chunk> chunks;
    for (const auto& c : p.receiving().chunks()) {
      if (c.index() > 0xFFFF || c.data().size() != kChunkSize) return bad("spqr record chunk");
      Chunk chunk;
      chunk.index = static_cast<std::uint16_t>(c.index());
      std::copy_n(view(c.data()).data(), kChunkSize, chunk.data.data());
      chunks.push_back(chunk);
    }
    HUSH_TRY_ASSIGN(auto decoder, ChunkDecoder::restore(needs.receiving, std::move(chunks)));
    // A decoder that could already decode would have moved the state on.
    if (decoder.decoded()) return bad("spqr record decoder complete");
    b.receiving = std::move(decoder);
  }
  return b;
}

}  // namespace

SecretBuffer serialize_record(const SpqrState::Impl& impl) {
  pb::SpqrRecordProto r;
  r.set_format(kRecordFormat);
  r.set_version(static_cast<std::uint32_t>(impl.version));
  if (impl.negotiation) {
    auto* n = r.mutable_negotiation();
    set_bytes(n->mutable_auth_key(), impl.negotiation->auth_key.expose());
    n->set_direction(static_cast<std::uint32_t>(impl.negotiation->direction));
    n->set_min_version(static_cast<std::uint32_t>(impl.negotiation->min_version));
    n->set_max_jump(impl.negotiation->chain_params.max_jump);
    n->set_max_ooo_keys(impl.negotiation->chain_params.max_ooo_keys);
  }
  if (impl.chain) put_chain(r.mutable_chain(), *impl.chain);
  if (impl.braid) put_braid(r.mutable_braid(), *impl.braid);
  auto out = signal::detail::serialize_secret(r);
  scrub_record(r);
  return out;
}

Result<std::unique_ptr<SpqrState::Impl>> parse_record(ByteView bytes) {
  pb::SpqrRecordProto r;
  if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    scrub_record(r);
    return bad("spqr record protobuf");
  }
  struct Scrubber {
    pb::SpqrRecordProto& r;
    ~Scrubber() { scrub_record(r); }
  } scrubber{r};

  if (r.format() == 0 || r.format() > kRecordFormat) {
    return make_error(Errc::unsupported_version, "spqr record format");
  }
  auto impl = std::make_unique<SpqrState::Impl>();
  HUSH_TRY_ASSIGN(impl->version, version_from(r.version()));
  if (impl->version != Version::v1 || !r.has_braid()) return bad("spqr record without braid");
  if (r.has_negotiation()) {
    const auto& n = r.negotiation();
    if (n.auth_key().empty()) return bad("spqr record auth key");
    HUSH_TRY_ASSIGN(Direction dir, direction_from(n.direction()));
    HUSH_TRY_ASSIGN(Version min, version_from(n.min_version()));
    if (min > impl->version) return bad("spqr record min version");
    if (n.max_jump() > kMaxChainParam || n.max_ooo_keys() > kMaxChainParam) return bad("spqr record chain params");
    impl->negotiation =
        Negotiation{SecretBuffer(view(n.auth_key())), dir, min, ChainParams{n.max_jump(), n.max_ooo_keys()}};
  }
  if (r.has_chain()) {
    HUSH_TRY_ASSIGN(impl->chain, chain_from(r.chain()));
  }
  if (!impl->chain && !impl->negotiation) return bad("spqr record without chain");
  HUSH_TRY_ASSIGN(impl->braid, braid_from(r.braid()));
  return impl;
}

}  // namespace hush::signal::spqr::detail
