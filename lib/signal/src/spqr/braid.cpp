// The braid's transitions, one function per state and event, following the
// spqr crate (src/v1/chunked/states.rs, send_ek.rs, send_ct.rs and their
// unchunked halves). The epoch secret KDF:
//   secret = HKDF(salt 0³², ss, "Signal_PQCKA_V1_MLKEM768:SCKA Key" ‖ be64(epoch), 32)
// and the authenticator is updated with it before c1 ‖ c2 is MACed.
#include "braid.hpp"

#include <hush/crypto/hkdf.hpp>
#include <hush/util/check.hpp>

namespace hush::signal::spqr::detail {
namespace {

using crypto::MlKem768;

constexpr std::string_view kSckaKeyLabel = "Signal_PQCKA_V1_MLKEM768:SCKA Key";

SecretBytes<32> scka_key(std::uint64_t epoch, ByteView shared_secret) {
  const auto ep = be64(epoch);
  const Bytes info = concat({as_bytes(kSckaKeyLabel), ByteView(ep)});
  SecretBytes<32> out;
  HUSH_CHECK(crypto::hkdf_sha256_into(shared_secret, zero_salt(), info, out.expose_mut()).has_value());
  return out;
}

BraidMessage with_chunk(const Braid& b, PayloadType type, Chunk chunk) {
  return BraidMessage{b.epoch, type, chunk};
}

BraidMessage bare(const Braid& b, PayloadType type) {
  return BraidMessage{b.epoch, type, Chunk{}};
}

void clear_fields(Braid& b) {
  b.dk.reset();
  b.ek_vector.reset();
  b.header.reset();
  b.ct1.reset();
  b.enc_state.reset();
  b.sending.reset();
  b.receiving.reset();
}

// keys_unsampled → keys_sampled: a fresh key pair; the header and its MAC go out in chunks.
BraidMessage send_header_first(Braid& b, crypto::Rng& rng) {
  auto pair = MlKem768::generate(rng);
  const auto header = Inc::header_of(pair.public_key);
  const Mac mac = b.auth.mac_header(b.epoch, header.bytes());
  b.dk = FrozenBytes::owned(pair.secret_key.secret().expose());
  b.ek_vector = FrozenBytes::owned(Inc::vector_of(pair.public_key).bytes());
  b.sending.emplace(ByteView(concat({ByteView(header.bytes()), ByteView(mac)})));
  b.kind = BraidKind::keys_sampled;
  return with_chunk(b, PayloadType::hdr, b.sending->next_chunk());
}

// header_received → ct1_sampled: encapsulate against the header; the epoch secret is known now.
BraidSend send_ct1_first(Braid& b, crypto::Rng& rng) {
  auto one = Inc::encapsulate1(*b.header, rng);
  auto secret = scka_key(b.epoch, one.shared_secret.expose());
  b.auth.update(b.epoch, secret.expose());
  b.ct1 = FrozenBytes::owned(one.ciphertext1.bytes());
  b.enc_state = std::move(one.state);
  b.header.reset();
  b.sending.emplace(ByteView(one.ciphertext1.bytes()));
  b.kind = BraidKind::ct1_sampled;
  return BraidSend{with_chunk(b, PayloadType::ct1, b.sending->next_chunk()), EpochSecret{b.epoch, std::move(secret)}};
}

// → ct2_sampled: c2 under the whole key, MAC over c1 ‖ c2.
Status send_ct2(Braid& b, const Inc::Vector& vector) {
  HUSH_TRY_ASSIGN(auto key, Inc::assemble(b.enc_state->header(), vector));
  HUSH_TRY_ASSIGN(auto ct2, Inc::encapsulate2(*b.enc_state, key));
  const Bytes c = concat({b.ct1.view(), ByteView(ct2.bytes())});
  const Mac mac = b.auth.mac_ciphertext(b.epoch, c);
  ChunkEncoder payload(concat({ByteView(ct2.bytes()), ByteView(mac)}));
  clear_fields(b);
  b.sending.emplace(std::move(payload));
  b.kind = BraidKind::ct2_sampled;
  return ok();
}

// The key vector, complete: it must match the header (spqr: ek_matches_header,
// else ErroneousDataReceived).
Result<Inc::Vector> received_vector(const Braid& b, const Bytes& decoded) {
  HUSH_TRY_ASSIGN(auto vector, Inc::Vector::parse(decoded));
  if (!Inc::assemble(b.enc_state->header(), vector)) {
    return make_error(Errc::invalid_message, "spqr key does not match its header");
  }
  return vector;
}

}  // namespace

Braid Braid::init_a(ByteView auth_key) {
  Braid b;
  b.kind = BraidKind::keys_unsampled;
  b.epoch = 1;
  b.auth = Authenticator(auth_key, 1);
  return b;
}

Braid Braid::init_b(ByteView auth_key) {
  Braid b;
  b.kind = BraidKind::no_header_received;
  b.epoch = 1;
  b.auth = Authenticator(auth_key, 1);
  b.receiving.emplace(kHeaderPayloadSize);
  return b;
}

Braid Braid::clone() const {
  Braid b;
  b.kind = kind;
  b.epoch = epoch;
  b.auth = auth.clone();
  b.dk = dk;
  b.ek_vector = ek_vector;
  b.header = header;
  b.ct1 = ct1;
  if (enc_state) b.enc_state = enc_state->clone();
  b.sending = sending;
  b.receiving = receiving;
  return b;
}

BraidSend braid_send(Braid& b, crypto::Rng& rng) {
  switch (b.kind) {
    case BraidKind::keys_unsampled:
      return {send_header_first(b, rng), std::nullopt};
    case BraidKind::keys_sampled:
      return {with_chunk(b, PayloadType::hdr, b.sending->next_chunk()), std::nullopt};
    case BraidKind::header_sent:
      return {with_chunk(b, PayloadType::ek, b.sending->next_chunk()), std::nullopt};
    case BraidKind::ct1_received:
      return {with_chunk(b, PayloadType::ek_ct1_ack, b.sending->next_chunk()), std::nullopt};
    case BraidKind::ek_sent_ct1_received:
      return {bare(b, PayloadType::ct1_ack), std::nullopt};
    case BraidKind::no_header_received:
      return {bare(b, PayloadType::none), std::nullopt};
    case BraidKind::header_received:
      return send_ct1_first(b, rng);
    case BraidKind::ct1_sampled:
    case BraidKind::ek_received_ct1_sampled:
      return {with_chunk(b, PayloadType::ct1, b.sending->next_chunk()), std::nullopt};
    case BraidKind::ct1_acknowledged:
      return {bare(b, PayloadType::none), std::nullopt};
    case BraidKind::ct2_sampled:
      return {with_chunk(b, PayloadType::ct2, b.sending->next_chunk()), std::nullopt};
  }
  HUSH_CHECK(false);
  return {};
}

Result<std::optional<EpochSecret>> braid_recv(Braid& b, const BraidMessage& msg) {
  std::optional<EpochSecret> secret;
  if (msg.epoch > b.epoch) {
    // spqr: only ct2_sampled moves on, when the peer has started the next epoch.
    if (b.kind == BraidKind::ct2_sampled && msg.epoch == b.epoch + 1) {
      clear_fields(b);
      b.epoch += 1;
      b.kind = BraidKind::keys_unsampled;
      return secret;
    }
    return make_error(Errc::too_far_ahead, "spqr epoch out of range");
  }
  if (msg.epoch < b.epoch) return secret;  // a late message of an earlier epoch: nothing to do

  const PayloadType t = msg.type;
  switch (b.kind) {
    case BraidKind::keys_unsampled:
    case BraidKind::header_received:
    case BraidKind::ct2_sampled:
      break;

    case BraidKind::keys_sampled:
      if (t == PayloadType::ct1) {
        // The peer has the header: start on c1 and send t̂ from now on.
        b.receiving.emplace(kCt1PayloadSize);
        b.receiving->add(msg.chunk);
        b.sending.emplace(std::move(b.ek_vector));  // t̂ itself, shared or borrowed: no copy
        b.ek_vector.reset();
        b.kind = BraidKind::header_sent;
      }
      break;

    case BraidKind::header_sent:
      if (t == PayloadType::ct1) {
        b.receiving->add(msg.chunk);
        if (auto c1 = b.receiving->decoded()) {
          HUSH_TRY_ASSIGN(auto ct1, Inc::Ciphertext1::parse(*c1));
          b.ct1 = FrozenBytes::owned(ct1.bytes());
          b.receiving.reset();
          b.kind = BraidKind::ct1_received;
        }
      }
      break;

    case BraidKind::ct1_received:
      if (t == PayloadType::ct2) {
        b.receiving.emplace(kCt2PayloadSize);
        b.receiving->add(msg.chunk);
        b.sending.reset();
        b.kind = BraidKind::ek_sent_ct1_received;
      }
      break;

    case BraidKind::ek_sent_ct1_received:
      if (t == PayloadType::ct2) {
        b.receiving->add(msg.chunk);
        if (auto payload = b.receiving->decoded()) {
          const ByteView p(*payload);
          HUSH_TRY_ASSIGN(auto ct2, Inc::Ciphertext2::parse(p.first(Inc::kCiphertext2Size)));
          HUSH_TRY_ASSIGN(const auto dk, MlKem768::SecretKey::parse(b.dk.view()));
          HUSH_TRY_ASSIGN(const auto ct1, Inc::Ciphertext1::parse(b.ct1.view()));
          auto ss = Inc::decapsulate(dk, ct1, ct2);
          auto key = scka_key(b.epoch, ss.expose());
          b.auth.update(b.epoch, key.expose());
          const Bytes c = concat({ByteView(ct1.bytes()), ByteView(ct2.bytes())});
          HUSH_TRY(b.auth.verify_ciphertext(b.epoch, c, p.last(kMacSize)));
          secret = EpochSecret{b.epoch, std::move(key)};
          clear_fields(b);
          b.epoch += 1;
          b.receiving.emplace(kHeaderPayloadSize);
          b.kind = BraidKind::no_header_received;
        }
      }
      break;

    case BraidKind::no_header_received:
      if (t == PayloadType::hdr) {
        b.receiving->add(msg.chunk);
        if (auto payload = b.receiving->decoded()) {
          const ByteView p(*payload);
          HUSH_TRY(b.auth.verify_header(b.epoch, p.first(Inc::kHeaderSize), p.last(kMacSize)));
          HUSH_TRY_ASSIGN(b.header, Inc::Header::parse(p.first(Inc::kHeaderSize)));
          b.receiving.emplace(kEkPayloadSize);
          b.kind = BraidKind::header_received;
        }
      }
      break;

    case BraidKind::ct1_sampled:
      if (t == PayloadType::ek || t == PayloadType::ek_ct1_ack) {
        const bool ack = t == PayloadType::ek_ct1_ack;
        b.receiving->add(msg.chunk);
        if (auto decoded = b.receiving->decoded()) {
          HUSH_TRY_ASSIGN(auto vector, received_vector(b, *decoded));
          b.receiving.reset();
          if (ack) {
            HUSH_TRY(send_ct2(b, vector));
          } else {
            b.ek_vector = FrozenBytes::owned(vector.bytes());
            b.kind = BraidKind::ek_received_ct1_sampled;
          }
        } else if (ack) {
          b.sending.reset();  // c1 is all there: stop sending it
          b.kind = BraidKind::ct1_acknowledged;
        }
      }
      break;

    case BraidKind::ek_received_ct1_sampled:
      if (t == PayloadType::ct1_ack || t == PayloadType::ek_ct1_ack) {
        HUSH_TRY_ASSIGN(const auto vector, Inc::Vector::parse(b.ek_vector.view()));
        HUSH_TRY(send_ct2(b, vector));
      }
      break;

    case BraidKind::ct1_acknowledged:
      if (t == PayloadType::ek || t == PayloadType::ek_ct1_ack) {
        b.receiving->add(msg.chunk);
        if (auto decoded = b.receiving->decoded()) {
          HUSH_TRY_ASSIGN(auto vector, received_vector(b, *decoded));
          HUSH_TRY(send_ct2(b, vector));
        }
      }
      break;
  }
  return secret;
}

}  // namespace hush::signal::spqr::detail
