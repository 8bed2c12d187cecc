#include "compat_records.hpp"

namespace hush::testing::compat {

Scenario::Scenario(bool post_quantum) : late{signal::MessageType::whisper, {}}, next{signal::MessageType::whisper, {}} {
  const auto bundle = post_quantum ? bob.make_pq_bundle() : bob.make_bundle();
  HUSH_CHECK(alice.start_session(bob.address(), bundle).has_value());
  HUSH_CHECK(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "hello")).has_value());
  HUSH_CHECK(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "hi")).has_value());
  late = *alice.encrypt(bob.address(), kLateText);
  auto overtaking = *alice.encrypt(bob.address(), "overtakes the late one");
  HUSH_CHECK(bob.decrypt(alice.address(), overtaking).has_value());
  next = *alice.encrypt(bob.address(), kNextText);
}

}  // namespace hush::testing::compat
