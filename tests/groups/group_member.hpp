// A group member for Sender Keys tests: one device with its own in-memory
// sender key store and seeded rng, and one-line distribute/send/receive.
// Distribution messages are handed over as if through an authenticated
// pairwise session (the sender's address is the one the caller passes).
#pragma once

#include <hush/signal/group_cipher.hpp>
#include <hush/signal/group_session_builder.hpp>
#include <hush/signal/in_memory_stores.hpp>
#include <hush/signal/sender_key_record.hpp>
#include <hush/testing/deterministic_rng.hpp>

#include <string>
#include <string_view>

namespace hush::testing {

struct GroupMember {
  signal::ProtocolAddress address;
  signal::InMemorySenderKeyStore store;
  DeterministicRng rng;

  GroupMember(std::string name, std::uint64_t seed) : address{std::move(name), signal::DeviceId{1}}, rng(seed) {}

  [[nodiscard]] signal::SenderKeyName own(std::string_view group) const { return {std::string(group), address}; }

  signal::SenderKeyDistributionMessage distribution(std::string_view group) {
    signal::GroupSessionBuilder builder(store);
    return std::move(builder.create_distribution(own(group), rng)).value();
  }
  signal::SenderKeyDistributionMessage rotate(std::string_view group) {
    signal::GroupSessionBuilder builder(store);
    return std::move(builder.rotate(own(group), rng)).value();
  }
  Status accept(std::string_view group, const GroupMember& from, const signal::SenderKeyDistributionMessage& m) {
    signal::GroupSessionBuilder builder(store);
    return builder.process(group, from.address, m);
  }
  Bytes send(std::string_view group, std::string_view text) {
    signal::GroupCipher cipher(store, own(group));
    return std::move(cipher.encrypt(as_bytes(text), rng)).value().serialized;
  }
  Result<std::string> receive(std::string_view group, const GroupMember& from, ByteView message) {
    signal::GroupCipher cipher(store, {std::string(group), from.address});
    HUSH_TRY_ASSIGN(auto plaintext, cipher.decrypt(message));
    return to_string(plaintext.expose());
  }
  /// The stored record of `sender` in `group` (empty if none).
  [[nodiscard]] Bytes record_bytes(std::string_view group, const GroupMember& sender) const {
    const SecretBuffer* raw = store.raw({std::string(group), sender.address});
    return raw ? to_bytes(raw->expose()) : Bytes{};
  }
};

}  // namespace hush::testing
