// The chain's KDF steps and its skipped-key bookkeeping, as the spqr crate's
// src/chain.rs (labels, counters, trimming rule).
#include "chain.hpp"

#include "authenticator.hpp"

#include <hush/crypto/hkdf.hpp>
#include <hush/util/check.hpp>

#include <algorithm>

namespace hush::signal::spqr::detail {
namespace {

constexpr std::string_view kStartLabel = "Signal PQ Ratchet V1 Chain  Start";  // spqr: two spaces
constexpr std::string_view kAddEpochLabel = "Signal PQ Ratchet V1 Chain Add Epoch";
constexpr std::string_view kNextLabel = "Signal PQ Ratchet V1 Chain Next";

// spqr: the crate keeps one epoch before the send epoch.
constexpr std::size_t kEpochsToKeepBeforeSendEpoch = 1;

std::uint32_t max_jump(const ChainParams& p) noexcept {
  return p.max_jump ? p.max_jump : ChainParams{}.max_jump;
}
std::uint32_t max_ooo(const ChainParams& p) noexcept {
  return p.max_ooo_keys ? p.max_ooo_keys : ChainParams{}.max_ooo_keys;
}
// spqr: trim_size = max_ooo · 11 / 10 + 1: skipped keys are trimmed in
// batches once this many are held.
std::size_t trim_size(const ChainParams& p) noexcept {
  return static_cast<std::size_t>(max_ooo(p)) * 11 / 10 + 1;
}

// ctr += 1; (next, key) = HKDF(salt 0³², next, be32(ctr) ‖ "Signal PQ Ratchet V1 Chain Next").
std::pair<std::uint32_t, SecretBytes<32>> next_key(ChainDirection& d) {
  HUSH_CHECK(d.next.has_value());
  d.ctr += 1;
  const std::array<std::uint8_t, 4> ctr{static_cast<std::uint8_t>(d.ctr >> 24), static_cast<std::uint8_t>(d.ctr >> 16),
                                        static_cast<std::uint8_t>(d.ctr >> 8), static_cast<std::uint8_t>(d.ctr)};
  std::array<std::uint8_t, 4 + kNextLabel.size()> info;  // on the stack: one derivation per message
  std::copy(ctr.begin(), ctr.end(), info.begin());
  std::copy(kNextLabel.begin(), kNextLabel.end(), info.begin() + 4);
  SecretBytes<64> out;
  HUSH_CHECK(crypto::hkdf_sha256_into(d.next->expose(), zero_salt(), info, out.expose_mut()).has_value());
  std::copy_n(out.expose().data(), 32, d.next->expose_mut().data());
  return {d.ctr, SecretBytes<32>::from(out.expose().last(32))};
}

// Drops skipped keys older than ctr − max_ooo once trim_size are held.
void trim(ChainDirection& d, const ChainParams& p) {
  if (d.skipped.size() < trim_size(p) || d.ctr < max_ooo(p)) return;
  const std::uint32_t horizon = d.ctr - max_ooo(p);
  std::erase_if(d.skipped, [&](const auto& k) { return k.first < horizon; });
}

Result<SecretBytes<32>> key_at(ChainDirection& d, std::uint32_t at, const ChainParams& p) {
  if (at < d.ctr) {
    if (static_cast<std::uint64_t>(at) + max_ooo(p) < d.ctr) return make_error(Errc::stale_state, "spqr key trimmed");
    for (auto it = d.skipped.begin(); it != d.skipped.end(); ++it) {
      if (it->first == at) {
        auto key = std::move(it->second);
        d.skipped.erase(it);
        return key;
      }
    }
    return make_error(Errc::duplicate_message, "spqr key already used");
  }
  if (at == d.ctr) return make_error(Errc::duplicate_message, "spqr key already used");
  if (at - d.ctr > max_jump(p)) return make_error(Errc::too_far_ahead, "spqr key jump");
  if (!d.next) return make_error(Errc::stale_state, "spqr chain closed");
  if (static_cast<std::uint64_t>(at) > static_cast<std::uint64_t>(d.ctr) + max_ooo(p)) d.skipped.clear();
  while (at > d.ctr + 1) {
    auto k = next_key(d);
    if (static_cast<std::uint64_t>(d.ctr) + max_ooo(p) >= at) d.skipped.push_back(std::move(k));
  }
  trim(d, p);
  return std::move(next_key(d).second);
}

}  // namespace

ChainDirection ChainDirection::clone() const {
  ChainDirection c;
  c.ctr = ctr;
  if (next) c.next = next->clone();
  c.skipped.reserve(skipped.size());
  for (const auto& [i, k] : skipped) c.skipped.emplace_back(i, k.clone());
  return c;
}

Chain::Chain(ByteView initial_key, Direction direction, ChainParams params) : direction_(direction), params_(params) {
  SecretBytes<96> out;
  HUSH_CHECK(crypto::hkdf_sha256_into(initial_key, zero_salt(), as_bytes(kStartLabel), out.expose_mut()).has_value());
  push_epoch(out.expose());
}

Chain::Chain(Direction direction, std::uint64_t current_epoch, std::uint64_t send_epoch, SecretBytes<32> next_root,
             std::vector<ChainEpoch> links, ChainParams params) noexcept
    : direction_(direction),
      current_epoch_(current_epoch),
      send_epoch_(send_epoch),
      next_root_(std::move(next_root)),
      links_(std::move(links)),
      params_(params) {}

// generator = next_root ‖ key A→B ‖ key B→A (spqr: genr8r[0..32], [32..64], [64..96]).
void Chain::push_epoch(ByteView generator) {
  next_root_ = SecretBytes<32>::from(generator.first(32));
  ByteView a2b = generator.subspan(32, 32);
  ByteView b2a = generator.subspan(64, 32);
  ChainEpoch e;
  e.send.next = SecretBytes<32>::from(direction_ == Direction::a2b ? a2b : b2a);
  e.recv.next = SecretBytes<32>::from(direction_ == Direction::a2b ? b2a : a2b);
  links_.push_back(std::move(e));
}

Status Chain::add_epoch(std::uint64_t epoch, ByteView secret) {
  if (epoch != current_epoch_ + 1) return make_error(Errc::invalid_message, "spqr epoch out of sequence");
  SecretBytes<96> out;
  HUSH_CHECK(
      crypto::hkdf_sha256_into(secret, next_root_.expose(), as_bytes(kAddEpochLabel), out.expose_mut()).has_value());
  current_epoch_ = epoch;
  push_epoch(out.expose());
  return ok();
}

Result<std::size_t> Chain::epoch_index(std::uint64_t epoch) const {
  if (epoch > current_epoch_) return make_error(Errc::too_far_ahead, "spqr epoch not reached");
  const std::uint64_t back = current_epoch_ - epoch;
  if (back >= links_.size()) return make_error(Errc::stale_state, "spqr epoch dropped");
  return static_cast<std::size_t>(links_.size() - 1 - back);
}

Result<std::pair<std::uint32_t, SecretBytes<32>>> Chain::send_key(std::uint64_t epoch) {
  if (epoch < send_epoch_) return make_error(Errc::stale_state, "spqr send epoch decreased");
  HUSH_TRY_ASSIGN(std::size_t index, epoch_index(epoch));
  if (send_epoch_ != epoch) {
    send_epoch_ = epoch;
    if (index > kEpochsToKeepBeforeSendEpoch) {
      const std::size_t drop = index - kEpochsToKeepBeforeSendEpoch;
      links_.erase(links_.begin(), links_.begin() + static_cast<std::ptrdiff_t>(drop));
      index -= drop;
    }
    for (std::size_t i = 0; i < index; ++i) links_[i].send.next.reset();
  }
  if (!links_[index].send.next) return make_error(Errc::stale_state, "spqr chain closed");
  return next_key(links_[index].send);
}

Result<SecretBytes<32>> Chain::recv_key(std::uint64_t epoch, std::uint32_t index) {
  HUSH_TRY_ASSIGN(std::size_t i, epoch_index(epoch));
  return key_at(links_[i].recv, index, params_);
}

Chain Chain::clone() const {
  std::vector<ChainEpoch> links;
  links.reserve(links_.size());
  for (const auto& l : links_) links.push_back(l.clone());
  return Chain(direction_, current_epoch_, send_epoch_, next_root_.clone(), std::move(links), params_);
}

}  // namespace hush::signal::spqr::detail
