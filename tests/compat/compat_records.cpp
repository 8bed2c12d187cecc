#include "compat_records.hpp"

namespace hush::testing::compat {

Scenario::Scenario() : late{signal::MessageType::whisper, {}}, next{signal::MessageType::whisper, {}} {
  HUSH_CHECK(alice.start_session(bob.address(), bob.make_bundle()).has_value());
  HUSH_CHECK(bob.decrypt(alice.address(), *alice.encrypt(bob.address(), "hello")).has_value());
  HUSH_CHECK(alice.decrypt(bob.address(), *bob.encrypt(alice.address(), "hi")).has_value());
  late = *alice.encrypt(bob.address(), kLateText);
  auto overtaking = *alice.encrypt(bob.address(), "overtakes the late one");
  HUSH_CHECK(bob.decrypt(alice.address(), overtaking).has_value());
  next = *alice.encrypt(bob.address(), kNextText);
}

}  // namespace hush::testing::compat
