// Safety numbers: the iterated SHA-512 fingerprint of each side, its digits,
// and the scannable CombinedFingerprints (proto/fingerprint.proto), computed
// as libsignal-protocol-c 2.3.3's fingerprint.c does.
#include <hush/crypto/sha.hpp>
#include <hush/signal/fingerprint.hpp>

#include "fingerprint.pb.h"

#include <array>
#include <cstdio>
#include <limits>

namespace hush::signal {

namespace {

// 30 bytes make 6 groups of 5 digits.
constexpr std::size_t kDisplayBytes = 30;
// Version 1 scannables carry this prefix of each side's 64-byte fingerprint.
constexpr std::size_t kScannableContentSize = 32;

crypto::Sha512Digest iterated_hash(std::string_view stable_id, const Bytes& key, std::uint32_t iterations) {
  crypto::Sha512 h;
  const std::array<std::uint8_t, 2> version{static_cast<std::uint8_t>(kFingerprintHashVersion >> 8),
                                            static_cast<std::uint8_t>(kFingerprintHashVersion & 0xff)};
  h.update(version).update(key).update(as_bytes(stable_id)).update(key);
  crypto::Sha512Digest hash = h.finish();
  for (std::uint32_t i = 1; i < iterations; ++i) hash = h.update(hash).update(key).finish();
  return hash;
}

std::string digits(const crypto::Sha512Digest& hash) {
  std::string out;
  out.reserve(kDisplayBytes);
  for (std::size_t i = 0; i < kDisplayBytes; i += 5) {
    std::uint64_t chunk = 0;
    for (std::size_t j = 0; j < 5; ++j) chunk = (chunk << 8) | hash[i + j];
    std::array<char, 8> group{};
    std::snprintf(group.data(), group.size(), "%05u", static_cast<unsigned>(chunk % 100000));
    out += group.data();
  }
  return out;
}

void write_side(fingerprint::LogicalFingerprint* p, const std::optional<Bytes>& content,
                const std::optional<std::string>& id) {
  if (content) p->set_content(content->data(), content->size());
  if (id) p->set_identifier(*id);
}

}  // namespace

Bytes ScannableFingerprint::serialize() const {
  fingerprint::CombinedFingerprints p;
  p.set_version(version_);
  if (local_) write_side(p.mutable_local_fingerprint(), local_, version_ == 0 ? local_id_ : std::nullopt);
  if (remote_) write_side(p.mutable_remote_fingerprint(), remote_, version_ == 0 ? remote_id_ : std::nullopt);
  Bytes out(p.ByteSizeLong());
  HUSH_CHECK(p.SerializeToArray(out.data(), static_cast<int>(out.size())));
  return out;
}

Result<ScannableFingerprint> ScannableFingerprint::deserialize(ByteView bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return make_error(Errc::bad_length, "scannable fingerprint too long");
  }
  fingerprint::CombinedFingerprints p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(Errc::decode_error, "scannable fingerprint protobuf");
  }
  auto side = [](bool present, const fingerprint::LogicalFingerprint& f, std::optional<Bytes>& content,
                 std::optional<std::string>& id) {
    if (!present) return;
    if (f.has_content()) content = to_bytes(as_bytes(f.content()));
    if (f.has_identifier()) id = f.identifier();
  };
  std::optional<Bytes> local, remote;
  std::optional<std::string> local_id, remote_id;
  side(p.has_local_fingerprint(), p.local_fingerprint(), local, local_id);
  side(p.has_remote_fingerprint(), p.remote_fingerprint(), remote, remote_id);
  return ScannableFingerprint(p.version(), std::move(local), std::move(remote), std::move(local_id),
                              std::move(remote_id));
}

FingerprintMatch ScannableFingerprint::compare(const ScannableFingerprint& scanned) const {
  if (!scanned.local_ || !scanned.remote_ || !local_ || !remote_ || scanned.version_ != version_) {
    return FingerprintMatch::version_mismatch;
  }
  if (version_ == 0) {
    if (!local_id_ || !remote_id_ || !scanned.local_id_ || !scanned.remote_id_ || *local_id_ != *scanned.remote_id_ ||
        *remote_id_ != *scanned.local_id_) {
      return FingerprintMatch::identifier_mismatch;
    }
  }
  // Our view of us must be their view of the remote, and the other way round.
  if (*local_ != *scanned.remote_ || *remote_ != *scanned.local_) return FingerprintMatch::mismatch;
  return FingerprintMatch::match;
}

Result<FingerprintMatch> ScannableFingerprint::compare(ByteView scanned) const {
  HUSH_TRY_ASSIGN(auto other, deserialize(scanned));
  return compare(other);
}

Result<Fingerprint> create_fingerprint(std::string_view local_stable_id, const IdentityKey& local_key,
                                       std::string_view remote_stable_id, const IdentityKey& remote_key,
                                       FingerprintOptions options) {
  if (options.iterations == 0) return make_error(Errc::invalid_argument, "fingerprint iterations");
  if (options.scannable_version > 1) return make_error(Errc::invalid_argument, "scannable fingerprint version");
  if (local_stable_id.find('\0') != std::string_view::npos || remote_stable_id.find('\0') != std::string_view::npos) {
    return make_error(Errc::invalid_argument, "stable id contains NUL");
  }
  const Bytes local_bytes = local_key.serialize();
  const Bytes remote_bytes = remote_key.serialize();
  const auto local_hash = iterated_hash(local_stable_id, local_bytes, options.iterations);
  const auto remote_hash = iterated_hash(remote_stable_id, remote_bytes, options.iterations);
  DisplayableFingerprint displayable(digits(local_hash), digits(remote_hash));
  if (options.scannable_version == 0) {
    return Fingerprint{std::move(displayable),
                       ScannableFingerprint(0, local_bytes, remote_bytes, std::string(local_stable_id),
                                            std::string(remote_stable_id))};
  }
  const ByteView l(local_hash), r(remote_hash);
  return Fingerprint{std::move(displayable), ScannableFingerprint(1, to_bytes(l.first(kScannableContentSize)),
                                                                  to_bytes(r.first(kScannableContentSize)))};
}

}  // namespace hush::signal
