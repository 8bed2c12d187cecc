// The line format of tests/peers/kem-node/signal-peer.mjs, shared by the
// interop_pq tests that drive it: words of an answer, hex, and pre-key
// bundles in the peer's 11-field form (see the script's header).
#pragma once

#include <hush/signal/kyber_pre_key.hpp>
#include <hush/signal/pre_key.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/check.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

namespace hush::signal::peer_lines {

inline std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// Hex to bytes; empty on bad hex (the test's comparison then fails).
inline Bytes unhex(const std::string& h) {
  auto b = from_hex(h);
  return b ? *b : Bytes{};
}

inline std::string hex_text(std::string_view text) {
  return to_hex(as_bytes(text));
}

inline bool is_error(const std::string& answer) {
  return answer.empty() || answer.rfind("error", 0) == 0;
}

/// A Hush bundle as the peer's `process` command reads it.
inline std::string bundle_line(const PreKeyBundle& b) {
  std::ostringstream out;
  out << b.registration_id.value << ' ' << b.device_id.value << ' '
      << (b.pre_key_id ? std::to_string(b.pre_key_id->value) : "-") << ' '
      << (b.pre_key ? to_hex(b.pre_key->serialize()) : "-") << ' ' << b.signed_pre_key_id.value << ' '
      << to_hex(b.signed_pre_key.serialize()) << ' ' << to_hex(b.signed_pre_key_signature) << ' '
      << to_hex(b.identity_key.serialize()) << ' ' << b.kyber_pre_key->id.value << ' '
      << to_hex(serialize_kyber_public_key(b.kyber_pre_key->public_key)) << ' ' << to_hex(b.kyber_pre_key->signature);
  return out.str();
}

/// The peer's `bundle` answer as a PreKeyBundle (aborts on a malformed line:
/// the peer is ours).
inline PreKeyBundle bundle_from(const std::vector<std::string>& f) {
  HUSH_CHECK(f.size() == 11);
  auto key = [](const std::string& h) { return *crypto::PublicKey::deserialize(unhex(h)); };
  auto signature = [](const std::string& h) {
    crypto::Signature s{};
    const Bytes b = unhex(h);
    std::copy_n(b.begin(), std::min(b.size(), s.size()), s.begin());
    return s;
  };
  PreKeyBundle b{RegistrationId{static_cast<std::uint32_t>(std::stoul(f[0]))},
                 DeviceId{static_cast<std::uint32_t>(std::stoul(f[1]))},
                 PreKeyId{static_cast<std::uint32_t>(std::stoul(f[2]))},
                 key(f[3]),
                 SignedPreKeyId{static_cast<std::uint32_t>(std::stoul(f[4]))},
                 key(f[5]),
                 signature(f[6]),
                 key(f[7])};
  b.kyber_pre_key = BundleKyberPreKey{KyberPreKeyId{static_cast<std::uint32_t>(std::stoul(f[8]))},
                                      *deserialize_kyber_public_key(unhex(f[9])), signature(f[10])};
  return b;
}

}  // namespace hush::signal::peer_lines
