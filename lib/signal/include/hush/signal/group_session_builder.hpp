// Setting up Sender Keys: creating our own sending key for a group (and the
// distribution message the other members need), rotating it, and accepting
// another member's key. Who a received key belongs to is decided by the
// caller's authenticated pairwise session, never by the message. Both wire
// formats (sender_key_messages.hpp): the key_id one under the application's
// group id, the distribution_id one under (sender, distribution id).
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
  /// invalid_argument (empty group id, or a distribution_id message: it
  /// names its own key, see below), storage errors.
  [[nodiscard]] Status process(std::string_view group_id, const ProtocolAddress& authenticated_sender,
                               const SenderKeyDistributionMessage& message);

  /// As above, taking the sender from the pairwise session that decrypted the envelope.
  [[nodiscard]] Status process(std::string_view group_id, const SessionCipher& pairwise,
                               const SenderKeyDistributionMessage& message);

  // ---- the distribution_id format (today's libsignal) ----

  /// Our distribution message for distribution `id`, sent as `us`, creating
  /// a sending key if we have none under sender_key_name(id, us), as
  /// libsignal's create_sender_key_distribution_message. Errors: storage errors.
  [[nodiscard]] Result<SenderKeyDistributionMessage> create_distribution(const DistributionId& id,
                                                                         const ProtocolAddress& us, crypto::Rng& rng);

  /// Replaces our sending key for distribution `id` with a fresh one.
  [[nodiscard]] Result<SenderKeyDistributionMessage> rotate(const DistributionId& id, const ProtocolAddress& us,
                                                            crypto::Rng& rng);

  /// Accepts a member's sender key in the distribution_id format: stored
  /// under sender_key_name(message's distribution id, authenticated_sender),
  /// as libsignal's process_sender_key_distribution_message. The distribution
  /// id names the key; whose key it is comes, as above, only from the
  /// authenticated pairwise session. Errors: invalid_argument (a key_id
  /// message), storage errors.
  [[nodiscard]] Status process(const ProtocolAddress& authenticated_sender,
                               const SenderKeyDistributionMessage& message);

 private:
  SenderKeyStore& store_;
};

}  // namespace hush::signal
