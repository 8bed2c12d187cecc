// Helpers between protobuf-lite objects and our types. Private to lib/signal.
// Protobuf keeps bytes in std::string; every string that held a secret is
// wiped with scrub() before the protobuf object is destroyed.
#pragma once

#include <hush/crypto/x25519.hpp>
#include <hush/util/bytes.hpp>
#include <hush/util/result.hpp>
#include <hush/util/secret.hpp>

#include <string>

namespace hush::signal::detail {

inline ByteView view(const std::string& s) noexcept {
  return as_bytes(s);
}

inline void set_bytes(std::string* field, ByteView b) {
  field->assign(reinterpret_cast<const char*>(b.data()), b.size());
}

/// Wipes a string's bytes in place (its capacity stays allocated, now zero).
inline void scrub(std::string* s) noexcept {
  if (!s->empty()) secure_wipe(s->data(), s->size());
}

template <std::size_t N>
Result<SecretBytes<N>> secret_from(const std::string& s, const char* what) {
  if (s.size() != N) return make_error(Errc::bad_length, what);
  return SecretBytes<N>::from(as_bytes(s));
}

/// Parses a key with the cheap checks only. Keys in our records were checked
/// in full when they first arrived; keys on the wire are checked in full
/// before their first DH (see check_prime_order() call sites).
inline Result<crypto::PublicKey> public_key_from(const std::string& s) {
  return crypto::PublicKey::deserialize(as_bytes(s), crypto::KeyCheck::canonical);
}

/// Serializes a protobuf message straight into a SecretBuffer (no unwiped copy).
template <class Proto>
SecretBuffer serialize_secret(const Proto& msg) {
  SecretBuffer out(msg.ByteSizeLong());
  HUSH_CHECK(msg.SerializeToArray(out.expose_mut().data(), static_cast<int>(out.size())));
  return out;
}

}  // namespace hush::signal::detail
