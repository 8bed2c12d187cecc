// Identity key pairs and registration ids.
#include <hush/signal/constants.hpp>
#include <hush/signal/identity.hpp>

namespace hush::signal {

IdentityKeyPair IdentityKeyPair::generate(crypto::Rng& rng) {
  auto kp = crypto::KeyPair::generate(rng);
  return {kp.public_key, std::move(kp.private_key)};
}

RegistrationId generate_registration_id(crypto::Rng& rng) {
  return RegistrationId{rng.uniform(kMaxRegistrationId) + 1};
}

}  // namespace hush::signal
