// A Hush device for tests, fuzzers and benchmarks: in-memory stores, an
// identity, published pre-keys, and one-line encrypt/decrypt to a peer.
#pragma once

#include <hush/signal/in_memory_stores.hpp>
#include <hush/signal/session_builder.hpp>
#include <hush/signal/session_cipher.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <memory>
#include <string>

namespace hush::testing {

class SignalParty {
 public:
  /// A device named `name` (device id 1) with keys drawn from a seeded rng.
  SignalParty(std::string name, std::uint64_t seed);

  [[nodiscard]] const signal::ProtocolAddress& address() const noexcept { return address_; }
  [[nodiscard]] const signal::IdentityKey& identity() const noexcept { return identity_key_; }
  signal::InMemoryProtocolStore& store() noexcept { return *store_; }
  DeterministicRng& rng() noexcept { return rng_; }

  /// Publishes (stores) a fresh one-time pre-key and the current signed pre-key; returns the bundle.
  signal::PreKeyBundle make_bundle(bool with_one_time_pre_key = true);
  /// make_bundle() plus a fresh signed Kyber pre-key (PQXDH, version 4),
  /// one-time or last-resort, also stored.
  signal::PreKeyBundle make_pq_bundle(bool with_one_time_pre_key = true, bool last_resort = false);

  /// Starts a session with `peer` from its bundle.
  Status start_session(const signal::ProtocolAddress& peer, const signal::PreKeyBundle& bundle);

  Result<signal::CiphertextMessage> encrypt(const signal::ProtocolAddress& to, std::string_view text);
  Result<std::string> decrypt(const signal::ProtocolAddress& from, const signal::CiphertextMessage& message);

  /// The serialized session record for `peer` (empty if none).
  [[nodiscard]] Bytes session_bytes(const signal::ProtocolAddress& peer) const;

 private:
  std::string name_;
  signal::ProtocolAddress address_;
  DeterministicRng rng_;
  signal::IdentityKey identity_key_;
  std::unique_ptr<signal::InMemoryProtocolStore> store_;
  std::uint32_t next_pre_key_id_ = 1;
  std::uint32_t signed_pre_key_id_ = 1;
  std::uint32_t next_kyber_pre_key_id_ = 1;
};

}  // namespace hush::testing
