// SPQR's symmetric chain (spqr: src/chain.rs): turns the braid's epoch
// secrets into one key per message, per direction, with a bounded store of
// skipped keys for out-of-order delivery. This is what hands the triple
// ratchet its post-quantum message key.
#pragma once

#include <hush/signal/spqr.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace hush::signal::spqr::detail {

/// The chain of one direction within one epoch.
struct ChainDirection {
  std::uint32_t ctr = 0;
  /// The next chain key; none once the epoch is closed for sending. Inline,
  /// not on the heap: chains are parsed and copied with every message.
  std::optional<SecretBytes<32>> next;
  /// Skipped keys (counter, key), kept for late messages.
  std::vector<std::pair<std::uint32_t, SecretBytes<32>>> skipped;

  [[nodiscard]] ChainDirection clone() const;
};

struct ChainEpoch {
  ChainDirection send;
  ChainDirection recv;
  [[nodiscard]] ChainEpoch clone() const { return ChainEpoch{send.clone(), recv.clone()}; }
};

class Chain {
 public:
  /// The chain of epoch 0 from the session's auth key (spqr: Chain::new,
  /// HKDF info "Signal PQ Ratchet V1 Chain  Start", two spaces).
  Chain(ByteView initial_key, Direction direction, ChainParams params);
  /// From stored parts (validated by the record codec).
  Chain(Direction direction, std::uint64_t current_epoch, std::uint64_t send_epoch, SecretBytes<32> next_root,
        std::vector<ChainEpoch> links, ChainParams params) noexcept;

  /// Adds epoch current+1 from its secret. Fails with invalid_message if
  /// `epoch` is not current+1 (the braid never does that).
  [[nodiscard]] Status add_epoch(std::uint64_t epoch, ByteView secret);
  /// The next sending key of `epoch` and its counter. Fails with
  /// stale_state (epoch below the last send epoch or dropped) or
  /// too_far_ahead (epoch not reached yet).
  [[nodiscard]] Result<std::pair<std::uint32_t, SecretBytes<32>>> send_key(std::uint64_t epoch);
  /// The receiving key of message `index` of `epoch`. Fails with
  /// duplicate_message, stale_state (trimmed, or epoch dropped) or
  /// too_far_ahead (jump above max_jump, or epoch not reached).
  [[nodiscard]] Result<SecretBytes<32>> recv_key(std::uint64_t epoch, std::uint32_t index);

  [[nodiscard]] Chain clone() const;

  [[nodiscard]] Direction direction() const noexcept { return direction_; }
  [[nodiscard]] std::uint64_t current_epoch() const noexcept { return current_epoch_; }
  [[nodiscard]] std::uint64_t send_epoch() const noexcept { return send_epoch_; }
  [[nodiscard]] const SecretBytes<32>& next_root() const noexcept { return next_root_; }
  [[nodiscard]] const std::vector<ChainEpoch>& links() const noexcept { return links_; }
  [[nodiscard]] const ChainParams& params() const noexcept { return params_; }

 private:
  [[nodiscard]] Result<std::size_t> epoch_index(std::uint64_t epoch) const;
  void push_epoch(ByteView generator96);

  Direction direction_;
  std::uint64_t current_epoch_ = 0;
  std::uint64_t send_epoch_ = 0;
  SecretBytes<32> next_root_;
  /// Epochs current−(size−1) … current: usually two or three (sending
  /// drops all but one before the send epoch), so a vector: a deque
  /// allocates even when moved, and states are moved with every message.
  std::vector<ChainEpoch> links_;
  ChainParams params_;
};

}  // namespace hush::signal::spqr::detail
