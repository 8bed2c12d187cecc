// A Hush device whose libhush stores are the SQLite-backed ones, for tests:
// the counterpart of hush::testing::SignalParty (in-memory). Receiving runs
// the SDK's pipeline: decrypt, decode the content, and write the session,
// pre-key removal, history and de-duplication in one transaction.
#pragma once

#include "store_fixture.hpp"

#include <hush/client/store/session_store.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/pre_key.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <memory>
#include <string>

namespace hush::client::fixture {

class SqliteParty {
 public:
  /// Creates a store in `home` and a fresh identity (device 1) drawn from `seed`.
  SqliteParty(std::string name, std::filesystem::path home, std::uint64_t seed);

  [[nodiscard]] const signal::ProtocolAddress& address() const noexcept { return address_; }
  store::LocalStore& store() noexcept { return *store_; }
  store::SqliteProtocolStore& protocol() noexcept { return *protocol_; }

  /// Closes the store and opens it again from disk.
  void reopen();
  /// Publishes a one-time pre-key and the signed pre-key; returns the bundle.
  signal::PreKeyBundle make_bundle();
  /// make_bundle() plus a fresh Kyber pre-key (one-time or last-resort),
  /// kept in the SQLite Kyber store: a PQXDH (version 4) bundle.
  signal::PreKeyBundle make_pq_bundle(bool last_resort = false);
  /// Encrypts a text content (padded) to `to`.
  Result<signal::CiphertextMessage> send_text(const signal::ProtocolAddress& to, std::string_view text);
  /// Receives one message: decrypt + decode + all writes in one transaction.
  /// Returns the text; duplicate_message when it was already received.
  Result<std::string> receive(const signal::ProtocolAddress& from, const signal::CiphertextMessage& message);

 private:
  std::string name_;
  std::filesystem::path home_;
  signal::ProtocolAddress address_;
  hush::testing::DeterministicRng rng_;
  std::unique_ptr<store::LocalStore> store_;
  std::unique_ptr<store::SqliteProtocolStore> protocol_;
  std::uint32_t next_pre_key_id_ = 1;
  std::uint32_t next_kyber_pre_key_id_ = 1;
  std::uint64_t clock_ms_ = 1'700'000'000'000;
};

/// Encodes a padded text content (as the SDK sends it).
Result<SecretBuffer> text_content(std::string_view text, crypto::Rng& rng, std::uint64_t now_ms);
/// Decodes a padded text content back into its text.
Result<std::string> text_of(ByteView padded);

}  // namespace hush::client::fixture
