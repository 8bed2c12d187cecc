// Writes the seed corpora of the Signal fuzz targets: real messages and
// records from a deterministic session between two SignalParty devices, a few
// near-valid variants of each, and short operation programs for
// decrypt_session. Deterministic: the same files on every run.
#include <hush/signal/kyber_pre_key.hpp>
#include <hush/signal/messages.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/testing/signal_party.hpp>
#include <hush/util/check.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using hush::Bytes;
using hush::testing::SignalParty;
namespace fs = std::filesystem;

void write(const fs::path& dir, const std::string& name, hush::ByteView bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  HUSH_CHECK(out.good());
}

// A near-valid variant: one bit flipped at `at` (from the end when negative).
Bytes flipped(Bytes b, long at) {
  const auto i = static_cast<std::size_t>(at < 0 ? static_cast<long>(b.size()) + at : at);
  b[i] ^= 0x01;
  return b;
}

Bytes truncated(Bytes b, std::size_t by) {
  b.resize(b.size() - by);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s fuzz/corpus\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  SignalParty alice("alice", 1);
  SignalParty bob("bob", 2);
  HUSH_CHECK(alice.start_session(bob.address(), bob.make_bundle(true)).has_value());
  auto first = alice.encrypt(bob.address(), "hello bob");
  HUSH_CHECK(first.has_value() && bob.decrypt(alice.address(), *first).has_value());
  auto reply = bob.encrypt(alice.address(), "hello alice, a slightly longer answer to fill two blocks");
  HUSH_CHECK(reply.has_value() && alice.decrypt(bob.address(), *reply).has_value());
  auto second = alice.encrypt(bob.address(), "");
  HUSH_CHECK(second.has_value());

  // parse_signal_message: two genuine messages and near misses.
  const fs::path sm = root / "parse_signal_message";
  write(sm, "reply", reply->serialized);
  write(sm, "empty_plaintext", second->serialized);
  write(sm, "bad_mac", flipped(reply->serialized, -1));
  write(sm, "version_2", flipped(reply->serialized, 0));
  write(sm, "truncated_protobuf", truncated(reply->serialized, 12));

  // parse_pre_key_signal_message: genuine (with and without a one-time key) and near misses.
  const fs::path pk = root / "parse_pre_key_signal_message";
  write(pk, "with_one_time_key", first->serialized);
  {
    SignalParty carol("carol", 3);
    HUSH_CHECK(carol.start_session(bob.address(), bob.make_bundle(false)).has_value());
    auto m = carol.encrypt(bob.address(), "no one-time key");
    HUSH_CHECK(m.has_value());
    write(pk, "without_one_time_key", m->serialized);
  }
  write(pk, "inner_bad_mac", flipped(first->serialized, -1));
  write(pk, "truncated", truncated(first->serialized, 20));

  // parse_pre_key_records: one record of each kind and a corrupt one.
  const fs::path pr = root / "parse_pre_key_records";
  {
    hush::testing::DeterministicRng rng(9);
    auto identity = hush::signal::IdentityKeyPair::generate(rng);
    auto pre_keys = hush::signal::generate_pre_keys(5, 1, rng);
    auto signed_pre_key = hush::signal::generate_signed_pre_key(identity, hush::signal::SignedPreKeyId{3}, 1700000000000, rng);
    const Bytes one_time = hush::to_bytes(pre_keys[0].serialize().expose());
    const Bytes signed_bytes = hush::to_bytes(signed_pre_key.serialize().expose());
    write(pr, "pre_key", one_time);
    write(pr, "signed_pre_key", signed_bytes);
    write(pr, "signed_pre_key_halves_disagree", flipped(signed_bytes, -80));
  }

  // Version 4 (PQXDH, issue #15): messages, records and the Kyber wire forms.
  {
    SignalParty pq_alice("pq-alice", 5);
    SignalParty pq_bob("pq-bob", 6);
    HUSH_CHECK(pq_alice.start_session(pq_bob.address(), pq_bob.make_pq_bundle(true)).has_value());
    write(root / "parse_session_record", "v4_initiator_pending_kyber", pq_alice.session_bytes(pq_bob.address()));
    auto pq_first = pq_alice.encrypt(pq_bob.address(), "hello post-quantum bob");
    HUSH_CHECK(pq_first.has_value() && pq_bob.decrypt(pq_alice.address(), *pq_first).has_value());
    auto pq_reply = pq_bob.encrypt(pq_alice.address(), "hello alice");
    HUSH_CHECK(pq_reply.has_value());
    write(pk, "v4_with_kyber", pq_first->serialized);
    write(pk, "v4_kyber_ciphertext_flipped", flipped(pq_first->serialized, 40));
    write(pk, "v4_truncated", truncated(pq_first->serialized, 700));
    write(sm, "v4_reply", pq_reply->serialized);
    write(root / "parse_session_record", "v4_responder", pq_bob.session_bytes(pq_alice.address()));

    const fs::path kp = root / "parse_kyber_pre_key";
    hush::testing::DeterministicRng rng(10);
    auto identity = hush::signal::IdentityKeyPair::generate(rng);
    auto kyber =
        hush::signal::generate_kyber_pre_key(identity, hush::signal::KyberPreKeyId{7}, 1700000000000, true, rng);
    const Bytes record = hush::to_bytes(kyber.serialize().expose());
    write(kp, "record_last_resort", record);
    write(kp, "record_damaged", flipped(record, 200));
    write(kp, "public_key", hush::signal::serialize_kyber_public_key(kyber.public_key()));
    auto parsed = hush::signal::PreKeySignalMessage::deserialize(pq_first->serialized);
    HUSH_CHECK(parsed.has_value());
    write(kp, "ciphertext", hush::signal::serialize_kyber_ciphertext(parsed->kyber()->ciphertext));
  }

  // parse_session_record: records at several stages, with archived states.
  const fs::path sr = root / "parse_session_record";
  write(sr, "initiator_after_reply", alice.session_bytes(bob.address()));
  write(sr, "responder", bob.session_bytes(alice.address()));
  {
    SignalParty dave("dave", 4);
    HUSH_CHECK(dave.start_session(bob.address(), bob.make_bundle(true)).has_value());
    write(sr, "initiator_pending_pre_key", dave.session_bytes(bob.address()));
    HUSH_CHECK(dave.start_session(bob.address(), bob.make_bundle(false)).has_value());
    write(sr, "with_archived_state", dave.session_bytes(bob.address()));
  }
  write(sr, "empty_record", hush::signal::SessionRecord().serialize().expose());
  write(sr, "truncated", truncated(alice.session_bytes(bob.address()), 40));

  // decrypt_session: operation programs (see fuzz/decrypt_session.cpp for the encoding:
  // low 3 bits the operation, top bit the direction, then its arguments).
  const fs::path ds = root / "decrypt_session";
  write(ds, "ping_pong", Bytes{0x00, 5, 0x02, 0, 0x80, 7, 0x82, 0, 0x00, 9, 0x02, 1});
  write(ds, "burst_reversed_then_replay", Bytes{0x01, 12, 0x07, 1, 0x02, 3, 0x02, 3});
  write(ds, "tamper_then_genuine", Bytes{0x00, 4, 0x03, 0, 0, 10, 0, 1, 0x02, 0, 0x80, 2, 0x83, 0, 1, 3, 0, 0x55, 0x82, 0});
  write(ds, "drop_and_reload", Bytes{0x01, 5, 0x05, 2, 0x07, 0, 0x06, 0x86, 0x81, 3, 0x87, 1});
  write(ds, "raw_bytes", Bytes{0x04, 0x11, 0x33, 0x0a, 0x21, 0x05, 1, 2, 3, 4, 5, 6, 7, 0x00, 1, 0x02, 0});
  write(ds, "untouched_pre_key_fields", Bytes{0x00, 3, 0x03, 0, 5, 2, 0, 0, 0x02, 0, 0x82, 0});
  std::printf("corpora written under %s\n", root.c_str());
  return 0;
}
