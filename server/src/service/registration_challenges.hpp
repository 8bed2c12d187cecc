// Server challenges for proof of possession at registration: hushd hands
// out a one-time challenge (POST /v1/register/challenge) that the
// registering device signs, together with what it registers, with the
// account identity private key. Challenges are stateless (expiry and nonce
// under an HMAC with a key made at start), so issuing one stores nothing;
// only challenges already used are remembered, until they expire, so a
// replayed registration is refused.
#pragma once

#include "service/clock.hpp"

#include <hush/crypto/random.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hush::server {

/// u64be(expires_at_ms) ‖ 16-byte nonce ‖ HMAC-SHA256(key, the 24 bytes before).
inline constexpr std::size_t kChallengeSize = 8 + 16 + 32;
/// Five minutes: a registration's round trips take seconds; a stale
/// challenge is worthless soon.
inline constexpr std::chrono::minutes kChallengeLifetime{5};
/// Used challenges remembered at once. Each use is behind the registration
/// rate limits, so at the default global rate this is never reached; beyond
/// it registrations are refused (rate_limited) until some expire.
inline constexpr std::size_t kMaxUsedChallenges = 200'000;

/// Records a challenge's use beyond this process (the database: every hushd
/// node of it then refuses a replay). conflict: used already.
using RecordChallengeUse = std::function<Status(ByteView nonce, Timestamp expires_at)>;

struct IssuedChallenge {
  Bytes challenge;
  Timestamp expires_at{};
};

class RegistrationChallenges {
 public:
  /// `rng` is shared with other users that lock `rng_mu` around it. `key`:
  /// the HMAC key, shared by every hushd node of one database (so a
  /// challenge issued by one verifies on another; Store::shared_secret);
  /// null: a random key of this process.
  RegistrationChallenges(const Clock& clock, crypto::Rng& rng, std::mutex& rng_mu,
                         std::chrono::milliseconds lifetime = kChallengeLifetime,
                         const SecretBytes<32>* key = nullptr, RecordChallengeUse record_use = {});

  /// A fresh challenge. Never fails; thread-safe.
  IssuedChallenge issue();

  /// Checks that `challenge` is one of ours, unexpired and unused, and that
  /// `signature` is `identity`'s XEdDSA signature over `message`; then marks
  /// it used. invalid_argument: not a challenge (wrong size). unauthorized:
  /// forged, expired or already used. bad_length, bad_signature: the
  /// signature. rate_limited: too many used challenges remembered.
  /// storage_failure: recording the use failed. Thread-safe; on any error
  /// nothing is marked.
  [[nodiscard]] Status verify_and_consume(ByteView challenge, const crypto::PublicKey& identity, ByteView message,
                                          ByteView signature);

 private:
  const Clock& clock_;
  crypto::Rng& rng_;
  std::mutex& rng_mu_;
  std::chrono::milliseconds lifetime_;
  SecretBytes<32> key_;
  RecordChallengeUse record_use_;
  std::mutex used_mu_;
  std::unordered_map<std::string, std::int64_t> used_;  ///< nonce → expiry (ms)
};

}  // namespace hush::server
