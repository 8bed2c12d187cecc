// Setting up Sender Keys: creating our own sending key for a group (and the
// distribution message the other members need), rotating it, and accepting
// another member's key. Who a received key belongs to is decided by the
// caller's authenticated pairwise session, never by the message.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/signal/sender_key_messages.hpp>
#include <hush/signal/sender_key_name.hpp>
#include <hush/signal/stores.hpp>
#include <hush/util/result.hpp>

#include <string_view>

namespace hush::signal {

class SessionCipher;

class GroupSessionBuilder {
 public:
  explicit GroupSessionBuilder(SenderKeyStore& store) noexcept : store_(store) {}

  /// Our distribution message for `our_name` (group + our own address),
  /// creating a sending key (random chain id, chain key and signing key)
  /// if we have none. Send it to every member over the pairwise sessions,
  /// inside an envelope that names the group. Errors: storage errors.
  [[nodiscard]] Result<SenderKeyDistributionMessage> create_distribution(const SenderKeyName& our_name,
                                                                         crypto::Rng& rng);

  /// Replaces our sending key for `our_name` with a fresh one (new chain id,
  /// chain key and signing key) and returns its distribution message. Members
  /// removed from the group never get it, so they read nothing sent after.
  [[nodiscard]] Result<SenderKeyDistributionMessage> rotate(const SenderKeyName& our_name, crypto::Rng& rng);

  /// Accepts a member's sender key for `group_id`. `authenticated_sender`
  /// must be the remote address of the pairwise session the distribution
  /// message was decrypted from (SessionCipher::remote()); `group_id` must
  /// come from the same decrypted envelope. The key is stored under
  /// {group_id, authenticated_sender} and decrypts nothing else. Errors:
  /// invalid_argument (empty group id), storage errors.
  [[nodiscard]] Status process(std::string_view group_id, const ProtocolAddress& authenticated_sender,
                               const SenderKeyDistributionMessage& message);

  /// As above, taking the sender from the pairwise session that decrypted the envelope.
  [[nodiscard]] Status process(std::string_view group_id, const SessionCipher& pairwise,
                               const SenderKeyDistributionMessage& message);

 private:
  SenderKeyStore& store_;
};

}  // namespace hush::signal
