// The inside of SpqrState, shared by the state machine (spqr_state.cpp) and
// the record codec (spqr_record.cpp). Private to lib/signal.
#pragma once

#include "braid.hpp"
#include "chain.hpp"

#include <hush/signal/spqr.hpp>

#include <optional>

namespace hush::signal::spqr {

/// What a V1 state keeps until the peer's first V1 message settles the
/// version (spqr: PqRatchetState.VersionNegotiation).
struct Negotiation {
  SecretBuffer auth_key;
  Direction direction = Direction::a2b;
  Version min_version = Version::v1;
  ChainParams chain_params;

  [[nodiscard]] Negotiation clone() const {
    return Negotiation{auth_key.clone(), direction, min_version, chain_params};
  }
};

/// V0 holds nothing; V1 holds a braid, a chain once it started, and the
/// negotiation until the first V1 message arrived.
struct SpqrState::Impl {
  Version version = Version::v0;
  std::optional<Negotiation> negotiation;
  std::optional<detail::Chain> chain;
  std::optional<detail::Braid> braid;

  [[nodiscard]] std::unique_ptr<Impl> clone() const;
};

/// Access to the inside for the codec and tests.
struct SpqrStateAccess {
  static SpqrState::Impl& impl(SpqrState& s) noexcept { return *s.impl_; }
  static const SpqrState::Impl& impl(const SpqrState& s) noexcept { return *s.impl_; }
  static SpqrState make(std::unique_ptr<SpqrState::Impl> impl) noexcept { return SpqrState(std::move(impl)); }
};

namespace detail {
/// Encodes a non-V0 state as SpqrRecordProto.
SecretBuffer serialize_record(const SpqrState::Impl& impl);
/// Decodes SpqrRecordProto bytes (non-empty) into a state that owns all it holds.
Result<std::unique_ptr<SpqrState::Impl>> parse_record(ByteView bytes);

/// Where a parsed state keeps the large parts it holds unchanged (the
/// decapsulation key, the payload being sent): a copy, or views of the record.
enum class RecordBytes : std::uint8_t {
  copy,
  /// For a state that lives only while `bytes` does (one operation on a
  /// record: SpqrState::send_record, recv_record).
  borrow,
};
/// Decodes SpqrRecordProto bytes (non-empty) into `impl` (a fresh state); on
/// failure `impl` is to be dropped.
Status parse_record_into(ByteView bytes, RecordBytes storage, SpqrState::Impl& impl);
}  // namespace detail

}  // namespace hush::signal::spqr
