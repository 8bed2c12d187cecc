// Writes tests/compat/data/v<N>/: bob's session record with alice (holding a
// skipped key), the two undelivered messages, and a pre-key record. Run once
// per record format version; the files are then kept forever:
//   build/release/tests/compat/make_compat_records tests/compat/data/v3
// With "pqxdh" after DIR, the session is a version-4 (PQXDH) one and a Kyber
// pre-key record is written too:
//   build/release/tests/compat/make_compat_records tests/compat/data/v4-pqxdh pqxdh
#include "compat_records.hpp"

#include <hush/signal/constants.hpp>
#include <hush/signal/kyber_pre_key.hpp>

#include <cstdio>
#include <fstream>
#include <string>

namespace {
void write(const std::string& path, hush::ByteView bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}
}  // namespace

int main(int argc, char** argv) {
  const bool pqxdh = argc == 3 && std::string(argv[2]) == "pqxdh";
  if (argc != 2 && !pqxdh) {
    std::fprintf(stderr, "usage: make_compat_records DIR [pqxdh]\n");
    return 2;
  }
  const std::string dir = argv[1];
  hush::testing::compat::Scenario s(pqxdh);
  write(dir + "/bob_session_with_alice.bin", s.bob.session_bytes(s.alice.address()));
  write(dir + "/late_message.bin", s.late.serialized);
  write(dir + "/next_message.bin", s.next.serialized);
  auto pre_key = hush::signal::generate_pre_keys(77, 1, s.bob.rng());
  write(dir + "/pre_key_77.bin", pre_key[0].serialize().expose());
  auto signed_pre_key =
      hush::signal::generate_signed_pre_key(s.bob.store().identities.identity_key_pair().value(),
                                            hush::signal::SignedPreKeyId{9}, 1700000000000, s.bob.rng());
  write(dir + "/signed_pre_key_9.bin", signed_pre_key.serialize().expose());
  if (pqxdh) {
    auto kyber = hush::signal::generate_kyber_pre_key(s.bob.store().identities.identity_key_pair().value(),
                                                      hush::signal::KyberPreKeyId{5}, 1700000000000, true, s.bob.rng());
    write(dir + "/kyber_pre_key_5.bin", kyber.serialize().expose());
  }
  std::printf("wrote session record format v%u%s (pre-key record format v%u) to %s\n",
              hush::signal::kSessionRecordFormatVersion, pqxdh ? " with a PQXDH session" : "",
              hush::signal::kRecordFormatVersion, dir.c_str());
  return 0;
}
