// Stateful fuzzing of a live session: two Hush parties set up a session
// deterministically (each program runs twice: on an X3DH session, version 3,
// and on a PQXDH session, version 4), then the input is read as a program of operations (send,
// deliver the i-th message, deliver it mutated, deliver raw bytes, drop,
// reload a record, send a burst). Invariants checked after every step: no
// crash, a failed decrypt leaves the receiver's session and pre-keys exactly
// as they were, and every plaintext that comes out was sent by the other
// party and comes out once.
#include "fuzz_input.hpp"
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>
#include <hush/util/check.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace {

using hush::Bytes;
using hush::signal::CiphertextMessage;
using hush::signal::MessageType;
using hush::testing::SignalParty;

// Bounds that keep one input fast: a program runs at
// most this many operations, sends at most this many messages and makes at
// most this many decrypt attempts.
constexpr std::size_t kMaxOperations = 256;
constexpr std::size_t kMaxMessages = 96;
constexpr std::size_t kMaxAttempts = 384;

using Program = hush::fuzz::FuzzInput;

struct Party {
  SignalParty device;
  std::vector<CiphertextMessage> outbox;     // what this party sent, droppable
  std::map<std::string, bool> sent;          // every plaintext sent → delivered yet?
  int next_id = 0;
};

class Session {
 public:
  explicit Session(bool post_quantum) {
    auto bundle = post_quantum ? bob_.device.make_pq_bundle(true) : bob_.device.make_bundle(true);
    HUSH_CHECK(alice_.device.start_session(bob_.device.address(), bundle).has_value());
  }

  // The program: one byte per operation (low 3 bits: which; top bit: Bob
  // acts instead of Alice), then its arguments. 0 send (length), 1 burst
  // (count), 2 deliver the i-th sent message (i), 3 deliver it mutated (i,
  // kind, position as 2 bytes, value), 4 deliver raw bytes (type bit and
  // length in one byte, then the bytes), 5 drop the i-th (i), 6 reload the
  // receiver's record, 7 deliver everything sent (order bit).
  void run(Program& program) {
    for (std::size_t op = 0; op < kMaxOperations && !program.done(); ++op) {
      const std::uint8_t code = program.byte();
      const bool from_alice = (code & 0x80) == 0;
      Party& from = from_alice ? alice_ : bob_;
      Party& to = from_alice ? bob_ : alice_;
      switch (code & 0x07) {
        case 0: send(from, to, program.byte() % 48); break;
        case 1: burst(from, to, program.byte() % 16); break;
        case 2: deliver_genuine(from, to, program.byte()); break;
        case 3: deliver_mutated(from, to, program); break;
        case 4: deliver_raw(from, to, program); break;
        case 5: drop(from, program.byte()); break;
        case 6: reload(to, from); break;
        case 7: deliver_all(from, to, program.byte()); break;
      }
    }
  }

 private:
  void send(Party& from, Party& to, std::size_t length) {
    if (messages_ >= kMaxMessages) return;
    std::string text = from.device.address().name + "#" + std::to_string(from.next_id++) + "|";
    text.append(length, static_cast<char>('a' + length % 26));
    auto m = from.device.encrypt(to.device.address(), text);
    if (!m) {
      // Bob has nothing to encrypt with until Alice's first message arrives.
      HUSH_CHECK(m.code() == hush::Errc::no_session);
      return;
    }
    ++messages_;
    from.outbox.push_back(*m);
    from.sent.emplace(std::move(text), false);
  }

  void burst(Party& from, Party& to, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) send(from, to, i);
  }

  // The core check: one decrypt attempt and its consequences.
  void attempt(Party& from, Party& to, const CiphertextMessage& message) {
    if (++attempts_ > kMaxAttempts) return;
    const Bytes before = to.device.session_bytes(from.device.address());
    const std::size_t pre_keys_before = to.device.store().pre_keys.size();
    auto got = to.device.decrypt(from.device.address(), message);
    if (!got) {
      HUSH_CHECK(to.device.session_bytes(from.device.address()) == before);
      HUSH_CHECK(to.device.store().pre_keys.size() == pre_keys_before);
      return;
    }
    auto it = from.sent.find(*got);
    HUSH_CHECK(it != from.sent.end());  // never a plaintext the sender did not send
    HUSH_CHECK(!it->second);            // never the same plaintext twice
    it->second = true;
  }

  void deliver_genuine(Party& from, Party& to, std::uint8_t index) {
    if (from.outbox.empty()) return;
    attempt(from, to, from.outbox[index % from.outbox.size()]);
  }

  void deliver_mutated(Party& from, Party& to, Program& program) {
    const std::uint8_t index = program.byte();
    const std::uint8_t kind = program.byte();
    const std::uint16_t position = program.word();
    const std::uint8_t value = program.byte();
    if (from.outbox.empty()) return;
    CiphertextMessage m = from.outbox[index % from.outbox.size()];
    Bytes& b = m.serialized;
    if (b.empty()) return;
    const std::size_t at = position % b.size();
    switch (kind % 6) {
      case 0: b[at] ^= static_cast<std::uint8_t>(1u << (value % 8)); break;
      case 1: b[at] = value; break;
      case 2: b.resize(at); break;
      case 3: b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), value); break;
      case 4: b.erase(b.begin() + static_cast<std::ptrdiff_t>(at)); break;
      case 5: m.type = m.type == MessageType::whisper ? MessageType::pre_key : MessageType::whisper; break;
    }
    attempt(from, to, m);
  }

  void deliver_raw(Party& from, Party& to, Program& program) {
    const std::uint8_t header = program.byte();
    CiphertextMessage m{(header & 1) ? MessageType::pre_key : MessageType::whisper, program.take(header >> 1)};
    attempt(from, to, m);
  }

  void drop(Party& from, std::uint8_t index) {
    if (from.outbox.empty()) return;
    from.outbox.erase(from.outbox.begin() + static_cast<std::ptrdiff_t>(index % from.outbox.size()));
  }

  // What a restarted application does: load the stored record and store it back.
  void reload(Party& owner, Party& peer) {
    const Bytes before = owner.device.session_bytes(peer.device.address());
    if (before.empty()) return;
    auto record = hush::signal::SessionRecord::deserialize(before);
    HUSH_CHECK(record.has_value());
    HUSH_CHECK(owner.device.store().sessions.store_session(peer.device.address(), *record).has_value());
    HUSH_CHECK(owner.device.session_bytes(peer.device.address()) == before);
  }

  // Everything in the outbox, oldest first or newest first.
  void deliver_all(Party& from, Party& to, std::uint8_t order) {
    const std::size_t n = from.outbox.size();
    for (std::size_t i = 0; i < n; ++i) attempt(from, to, from.outbox[(order & 1) ? n - 1 - i : i]);
  }

  Party alice_{SignalParty("alice", 1), {}, {}, 0};
  Party bob_{SignalParty("bob", 2), {}, {}, 0};
  std::size_t messages_ = 0;
  std::size_t attempts_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (bool post_quantum : {false, true}) {
    Program program(data, size);
    Session session(post_quantum);
    session.run(program);
  }
  return 0;
}
