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
/// The size of a non-V0 state's record, and the record written into `out` of that size.
std::size_t record_size(const SpqrState::Impl& impl);
void write_record(const SpqrState::Impl& impl, MutableByteView out);
/// Decodes SpqrRecordProto bytes (non-empty) into a state that owns all it holds.
Result<std::unique_ptr<SpqrState::Impl>> parse_record(ByteView bytes);
}  // namespace detail

}  // namespace hush::signal::spqr
