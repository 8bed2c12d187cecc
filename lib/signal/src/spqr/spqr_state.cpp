// SpqrState: version negotiation and the join of braid and chain, as the
// spqr crate's lib.rs (send, recv, initial_state). Each operation runs on a
// copy of the state and swaps it in on success.
#include "spqr_state_impl.hpp"

#include <hush/util/check.hpp>

namespace hush::signal::spqr {

using detail::Braid;
using detail::Chain;

std::unique_ptr<SpqrState::Impl> SpqrState::Impl::clone() const {
  auto c = std::make_unique<Impl>();
  c->version = version;
  if (negotiation) c->negotiation = negotiation->clone();
  if (chain) c->chain = chain->clone();
  if (braid) c->braid = braid->clone();
  return c;
}

namespace {

Braid initial_braid(Direction d, ByteView auth_key) {
  return d == Direction::a2b ? Braid::init_a(auth_key) : Braid::init_b(auth_key);
}

Chain chain_from_negotiation(const Negotiation& n) {
  return Chain(n.auth_key.expose(), n.direction, n.chain_params);
}

}  // namespace

SpqrState::SpqrState() : impl_(std::make_unique<Impl>()) {}
SpqrState::SpqrState(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
SpqrState::~SpqrState() = default;
SpqrState::SpqrState(SpqrState&&) noexcept = default;
SpqrState& SpqrState::operator=(SpqrState&&) noexcept = default;

Result<SpqrState> SpqrState::initial(const SpqrParams& params) {
  if (params.min_version > params.version) return make_error(Errc::invalid_argument, "spqr min_version above version");
  if (params.version == Version::v0) return SpqrState();
  if (params.auth_key.empty()) return make_error(Errc::invalid_argument, "spqr auth key empty");
  auto impl = std::make_unique<Impl>();
  impl->version = params.version;
  impl->negotiation =
      Negotiation{SecretBuffer(params.auth_key), params.direction, params.min_version, params.chain_params};
  impl->braid = initial_braid(params.direction, params.auth_key);
  return SpqrState(std::move(impl));
}

namespace {

// send() on `next` in place; `next` may be left half-changed on failure (the
// callers work on a copy or on a state parsed for this one operation).
Result<SpqrSend> send_step(SpqrState::Impl& next, crypto::Rng& rng) {
  auto sent = detail::braid_send(*next.braid, rng);

  // spqr: the chain exists once a V1 message arrived; before that only if
  // the negotiation already rules out V0 (min_version V1).
  if (!next.chain && next.negotiation && next.negotiation->min_version > Version::v0) {
    next.chain = chain_from_negotiation(*next.negotiation);
  }
  if (!next.chain && !next.negotiation) return make_error(Errc::stale_state, "spqr chain missing");

  std::uint32_t index = 0;
  std::optional<MessageKey> key;
  if (next.chain) {
    if (sent.secret) HUSH_TRY(next.chain->add_epoch(sent.secret->epoch, sent.secret->secret.expose()));
    // spqr: the message of epoch e is keyed by the chain of epoch e − 1.
    HUSH_TRY_ASSIGN(auto k, next.chain->send_key(sent.message.epoch - 1));
    index = k.first;
    key = std::move(k.second);
  } else if (sent.secret) {
    // Unreachable: the send_ct side only gets a secret after a V1 message.
    return make_error(Errc::stale_state, "spqr epoch secret without chain");
  }
  return SpqrSend{detail::serialize_message(sent.message, index), std::move(key)};
}

// recv() on `next` in place (replaced by an empty state when negotiating down
// to V0); same contract as send_step.
Result<std::optional<MessageKey>> recv_step(SpqrState::Impl& next, ByteView message) {
  // spqr: msg_version — empty is V0 (an unknown version byte is handled by the callers).
  const Version msg_version = message.empty() ? Version::v0 : static_cast<Version>(message[0]);
  if (msg_version < next.version) {
    if (!next.negotiation) return make_error(Errc::unsupported_version, "spqr version below negotiated");
    if (msg_version < next.negotiation->min_version) {
      return make_error(Errc::unsupported_version, "spqr version below minimum");
    }
    // Negotiate down. V0 is the only lower version: the state becomes empty.
    next = SpqrState::Impl();
  }
  if (next.version == Version::v0) return std::optional<MessageKey>{};

  HUSH_TRY_ASSIGN(auto wire, detail::parse_message(message));
  HUSH_TRY_ASSIGN(auto secret, detail::braid_recv(*next.braid, wire.braid));
  if (!next.chain) {
    if (!next.negotiation) return make_error(Errc::stale_state, "spqr chain missing");
    next.chain = chain_from_negotiation(*next.negotiation);
  }
  if (secret) HUSH_TRY(next.chain->add_epoch(secret->epoch, secret->secret.expose()));
  std::optional<MessageKey> key;
  const std::uint64_t key_epoch = wire.braid.epoch - 1;
  // spqr: index 0 of epoch 0 is "no key" (sent while the chain did not run).
  if (!(key_epoch == 0 && wire.index == 0)) {
    HUSH_TRY_ASSIGN(auto k, next.chain->recv_key(key_epoch, wire.index));
    key = std::move(k);
  }
  next.negotiation.reset();  // a V1 message settles the version
  return key;
}

// spqr: a version byte above V1 is ignored, state and all.
bool unknown_version(ByteView message) {
  return !message.empty() && message[0] > static_cast<std::uint8_t>(Version::v1);
}

}  // namespace

Result<SpqrSend> SpqrState::send(crypto::Rng& rng) {
  if (impl_->version == Version::v0) return SpqrSend{};
  auto next = impl_->clone();
  HUSH_TRY_ASSIGN(auto out, send_step(*next, rng));
  impl_ = std::move(next);
  return out;
}

Result<std::optional<MessageKey>> SpqrState::recv(ByteView message) {
  if (unknown_version(message)) return std::optional<MessageKey>{};
  auto next = impl_->clone();
  HUSH_TRY_ASSIGN(auto key, recv_step(*next, message));
  impl_ = std::move(next);
  return key;
}

Result<SpqrSend> SpqrState::send_in_place(crypto::Rng& rng) {
  if (impl_->version == Version::v0) return SpqrSend{};
  return send_step(*impl_, rng);
}

Result<std::optional<MessageKey>> SpqrState::recv_in_place(ByteView message) {
  if (unknown_version(message)) return std::optional<MessageKey>{};
  return recv_step(*impl_, message);
}

Version SpqrState::version() const noexcept {
  return impl_->version;
}

bool SpqrState::negotiating() const noexcept {
  return impl_->negotiation.has_value();
}

std::uint64_t SpqrState::epoch() const noexcept {
  return impl_->braid ? impl_->braid->epoch : 0;
}

SecretBuffer SpqrState::serialize() const {
  if (impl_->version == Version::v0) return SecretBuffer();
  return detail::serialize_record(*impl_);
}

std::size_t SpqrState::serialized_size() const {
  return impl_->version == Version::v0 ? 0 : detail::record_size(*impl_);
}

void SpqrState::serialize_into(MutableByteView out) const {
  HUSH_CHECK(out.size() == serialized_size());
  if (impl_->version != Version::v0) detail::write_record(*impl_, out);
}

Result<SpqrState> SpqrState::parse(ByteView bytes) {
  if (bytes.empty()) return SpqrState();
  HUSH_TRY_ASSIGN(auto impl, detail::parse_record(bytes));
  return SpqrState(std::move(impl));
}

SpqrState SpqrState::clone() const {
  return SpqrState(impl_->clone());
}

}  // namespace hush::signal::spqr
