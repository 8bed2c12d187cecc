// Safety numbers, as libsignal-protocol-c 2.3.3 computes them: the 60-digit
// displayable number and the scannable form (a CombinedFingerprints protobuf
// for a QR code), and the comparison of a scanned code with ours. Everything
// here is derived from public keys: public data, freely copied and printed.
#pragma once

#include <hush/signal/identity.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hush::signal {

/// SHA-512 rounds per side (libsignal's and Signal's default: "> 112 bits").
inline constexpr std::uint32_t kFingerprintIterations = 5200;
/// Version of the iterated-hash input (the two bytes that open it).
inline constexpr std::uint16_t kFingerprintHashVersion = 0;
/// The scannable format Hush produces by default: 1 (hash prefixes, no identifiers).
inline constexpr std::uint32_t kScannableFingerprintVersion = 1;

struct FingerprintOptions {
  std::uint32_t iterations = kFingerprintIterations;
  /// 0: identity keys and stable identifiers (older clients); 1: 32-byte hash prefixes.
  std::uint32_t scannable_version = kScannableFingerprintVersion;
};

/// The 60 digits people read to each other: 30 for each side, the smaller first.
class DisplayableFingerprint {
 public:
  DisplayableFingerprint(std::string local, std::string remote)
      : local_(std::move(local)), remote_(std::move(remote)) {}
  [[nodiscard]] const std::string& local() const noexcept { return local_; }
  [[nodiscard]] const std::string& remote() const noexcept { return remote_; }
  /// Both halves, ordered by their digits (so both people see the same number).
  [[nodiscard]] std::string text() const { return local_ <= remote_ ? local_ + remote_ : remote_ + local_; }

 private:
  std::string local_;
  std::string remote_;
};

/// What comparing a scanned code with ours says.
enum class FingerprintMatch : std::uint8_t {
  match,                ///< same keys both ways round: the conversation is verified
  mismatch,             ///< a key differs: not the keys we hold (changed, or someone in the middle)
  version_mismatch,     ///< another scannable format, or a side missing (SG_ERR_FP_VERSION_MISMATCH)
  identifier_mismatch,  ///< version 0: the stable identifiers are not ours swapped (SG_ERR_FP_IDENT_MISMATCH)
};

class ScannableFingerprint {
 public:
  ScannableFingerprint(std::uint32_t version, std::optional<Bytes> local, std::optional<Bytes> remote,
                       std::optional<std::string> local_id = std::nullopt,
                       std::optional<std::string> remote_id = std::nullopt)
      : version_(version),
        local_(std::move(local)),
        remote_(std::move(remote)),
        local_id_(std::move(local_id)),
        remote_id_(std::move(remote_id)) {}

  /// The CombinedFingerprints protobuf, byte for byte as libsignal-protocol-c writes it.
  [[nodiscard]] Bytes serialize() const;
  /// Parses a scanned code. Fails with decode_error (bad protobuf) or bad_length
  /// (absurdly large). Missing parts parse and compare as a version mismatch.
  static Result<ScannableFingerprint> deserialize(ByteView bytes);

  /// Whether `scanned` (the other person's code) shows our keys swapped.
  [[nodiscard]] FingerprintMatch compare(const ScannableFingerprint& scanned) const;
  /// Parses then compares. Fails only when the bytes do not parse.
  [[nodiscard]] Result<FingerprintMatch> compare(ByteView scanned) const;

  [[nodiscard]] std::uint32_t version() const noexcept { return version_; }
  [[nodiscard]] const std::optional<Bytes>& local_content() const noexcept { return local_; }
  [[nodiscard]] const std::optional<Bytes>& remote_content() const noexcept { return remote_; }

 private:
  std::uint32_t version_;
  std::optional<Bytes> local_;
  std::optional<Bytes> remote_;
  std::optional<std::string> local_id_;
  std::optional<std::string> remote_id_;
};

struct Fingerprint {
  DisplayableFingerprint displayable;
  ScannableFingerprint scannable;
};

/// The safety number of the conversation between `local` and `remote`.
/// Each side's 64-byte fingerprint is H_n, where H_0 = version (2 bytes, big
/// endian) ‖ identity key (33 bytes) ‖ stable id and H_{i+1} = SHA-512(H_i ‖
/// identity key); its first 30 bytes give 6 five-digit groups (each 5-byte
/// big-endian chunk mod 100000). Errors: invalid_argument (iterations 0,
/// scannable version other than 0/1, a stable id containing a NUL byte,
/// which libsignal's C strings cannot carry).
[[nodiscard]] Result<Fingerprint> create_fingerprint(std::string_view local_stable_id, const IdentityKey& local_key,
                                                     std::string_view remote_stable_id, const IdentityKey& remote_key,
                                                     FingerprintOptions options = {});

}  // namespace hush::signal
