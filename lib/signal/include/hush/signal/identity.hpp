// Identity keys: the long-term X25519 key pair of an account, whose public
// half is what safety numbers are made from.
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/signal/ids.hpp>

namespace hush::signal {

using IdentityKey = crypto::PublicKey;

struct IdentityKeyPair {
  IdentityKey public_key;
  crypto::PrivateKey private_key;

  static IdentityKeyPair generate(crypto::Rng& rng);
  [[nodiscard]] IdentityKeyPair clone() const { return {public_key, private_key.clone()}; }
};

/// A random registration id in 1..kMaxRegistrationId.
RegistrationId generate_registration_id(crypto::Rng& rng);

}  // namespace hush::signal
