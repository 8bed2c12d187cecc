// RegistrationChallenges: HMAC-bound challenges, XEdDSA proof check, used set.
#include "service/registration_challenges.hpp"

#include <hush/crypto/hmac.hpp>
#include <hush/crypto/xeddsa.hpp>

#include <algorithm>

namespace hush::server {
namespace {

constexpr std::size_t kStampSize = 8;
constexpr std::size_t kNonceSize = 16;
constexpr std::size_t kBodySize = kStampSize + kNonceSize;

}  // namespace

RegistrationChallenges::RegistrationChallenges(const Clock& clock, crypto::Rng& rng, std::mutex& rng_mu,
                                               std::chrono::milliseconds lifetime, const SecretBytes<32>* key,
                                               RecordChallengeUse record_use)
    : clock_(clock), rng_(rng), rng_mu_(rng_mu), lifetime_(lifetime), record_use_(std::move(record_use)) {
  if (key != nullptr) {
    key_ = key->clone();
    return;
  }
  std::lock_guard lock(rng_mu_);
  rng_.fill(key_.expose_mut());
}

IssuedChallenge RegistrationChallenges::issue() {
  IssuedChallenge out;
  out.expires_at = clock_.now() + lifetime_;
  const auto stamp = static_cast<std::uint64_t>(to_millis(out.expires_at));
  out.challenge.resize(kChallengeSize);
  for (std::size_t i = 0; i < kStampSize; ++i) {
    out.challenge[i] = static_cast<std::uint8_t>(stamp >> (8 * (kStampSize - 1 - i)));
  }
  {
    std::lock_guard lock(rng_mu_);
    rng_.fill(MutableByteView(out.challenge.data() + kStampSize, kNonceSize));
  }
  const auto tag = crypto::hmac_sha256(key_.expose(), ByteView(out.challenge.data(), kBodySize));
  std::copy(tag.expose().begin(), tag.expose().end(), out.challenge.begin() + kBodySize);
  return out;
}

Status RegistrationChallenges::verify_and_consume(ByteView challenge, const crypto::PublicKey& identity,
                                                  ByteView message, ByteView signature) {
  if (challenge.size() != kChallengeSize) return make_error(Errc::invalid_argument, "challenge");
  const auto tag = crypto::hmac_sha256(key_.expose(), challenge.first(kBodySize));
  if (!ct_equal(tag.expose(), challenge.subspan(kBodySize))) return make_error(Errc::unauthorized, "challenge");
  std::uint64_t stamp = 0;
  for (std::size_t i = 0; i < kStampSize; ++i) stamp = (stamp << 8) | challenge[i];
  const std::int64_t now_ms = to_millis(clock_.now());
  const auto expires_ms = static_cast<std::int64_t>(stamp);
  if (expires_ms <= now_ms) return make_error(Errc::unauthorized, "challenge expired");
  if (signature.size() != crypto::kSignatureSize) return make_error(Errc::bad_length, "proof");
  if (!crypto::xeddsa_verify(identity, message, signature)) return make_error(Errc::bad_signature, "proof");

  const std::string nonce(reinterpret_cast<const char*>(challenge.data() + kStampSize), kNonceSize);
  {
    std::lock_guard lock(used_mu_);
    if (used_.size() >= kMaxUsedChallenges) {
      std::erase_if(used_, [now_ms](const auto& e) { return e.second <= now_ms; });
      if (used_.size() >= kMaxUsedChallenges) return make_error(Errc::rate_limited, "challenges");
    }
    if (used_.contains(nonce)) return make_error(Errc::unauthorized, "challenge used");
  }
  // Another node of the database may have seen it: the shared record decides
  // (outside our lock: it is a database round trip).
  if (record_use_) {
    Status recorded = record_use_(challenge.subspan(kStampSize, kNonceSize), from_millis(expires_ms));
    if (!recorded) {
      if (recorded.code() == Errc::conflict) return make_error(Errc::unauthorized, "challenge used");
      return recorded;
    }
  }
  std::lock_guard lock(used_mu_);
  if (!used_.emplace(nonce, expires_ms).second) return make_error(Errc::unauthorized, "challenge used");
  return ok();
}

}  // namespace hush::server
