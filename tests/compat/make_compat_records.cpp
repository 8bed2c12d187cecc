// Writes tests/compat/data/v<N>/: bob's session record with alice (holding a
// skipped key), the two undelivered messages, and a pre-key record. Run once
// per record format version; the files are then kept forever:
//   build/release/tests/compat/make_compat_records tests/compat/data/v3
#include "compat_records.hpp"

#include <hush/signal/constants.hpp>

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
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_compat_records DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  hush::testing::compat::Scenario s;
  write(dir + "/bob_session_with_alice.bin", s.bob.session_bytes(s.alice.address()));
  write(dir + "/late_message.bin", s.late.serialized);
  write(dir + "/next_message.bin", s.next.serialized);
  auto pre_key = hush::signal::generate_pre_keys(77, 1, s.bob.rng());
  write(dir + "/pre_key_77.bin", pre_key[0].serialize().expose());
  auto signed_pre_key =
      hush::signal::generate_signed_pre_key(s.bob.store().identities.identity_key_pair().value(),
                                            hush::signal::SignedPreKeyId{9}, 1700000000000, s.bob.rng());
  write(dir + "/signed_pre_key_9.bin", signed_pre_key.serialize().expose());
  std::printf("wrote session record format v%u (pre-key record format v%u) to %s\n",
              hush::signal::kSessionRecordFormatVersion, hush::signal::kRecordFormatVersion, dir.c_str());
  return 0;
}
