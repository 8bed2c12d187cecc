// Writes the seed corpora of the KEM fuzz targets (fuzz/kem.cmake): for each
// variant (first byte 0–3), a valid key or ciphertext from fixed seeds, one
// byte short, one too long, and near-valid variants (a coefficient at q, a
// broken H(ek), a flipped ciphertext bit). Deterministic: the same files on
// every run.   build/<dir>/fuzz/make_kem_corpus fuzz/corpus
#include <hush/crypto/ml_kem.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using hush::Bytes;

void write(const fs::path& dir, const std::string& name, std::uint8_t variant, hush::ByteView body) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.put(static_cast<char>(variant));
  out.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size()));
}

template <class K>
void write_variant(const fs::path& root, std::uint8_t variant, const std::string& tag) {
  typename K::Seed d, z, m;
  d.expose_mut()[0] = 7;
  z.expose_mut()[0] = 8;
  m.expose_mut()[0] = 9;
  auto pair = K::generate_from_seeds(d, z);
  auto sent = K::encapsulate_from_seed(pair.public_key, m);

  const Bytes ek(pair.public_key.bytes().begin(), pair.public_key.bytes().end());
  const auto pk_dir = root / "parse_kem_public_key";
  write(pk_dir, tag + "_valid", variant, ek);
  write(pk_dir, tag + "_short", variant, hush::ByteView(ek).first(ek.size() - 1));
  Bytes at_q = ek;
  at_q[0] = 0x01;  // coefficient 0 := 0xD01 = q
  at_q[1] = static_cast<std::uint8_t>((at_q[1] & 0xF0) | 0x0D);
  write(pk_dir, tag + "_coefficient_q", variant, at_q);

  const auto dk_span = pair.secret_key.secret().expose();
  const Bytes dk(dk_span.begin(), dk_span.end());  // test data from fixed seeds
  const auto sk_dir = root / "parse_kem_secret_key";
  write(sk_dir, tag + "_valid", variant, dk);
  Bytes bad_hash = dk;
  bad_hash[dk.size() - 40] ^= 1;
  write(sk_dir, tag + "_bad_hash", variant, bad_hash);
  write(sk_dir, tag + "_short", variant, hush::ByteView(dk).first(dk.size() - 1));

  const Bytes ct(sent.ciphertext.bytes().begin(), sent.ciphertext.bytes().end());
  const auto ct_dir = root / "decapsulate_kem_ciphertext";
  write(ct_dir, tag + "_valid", variant, ct);
  Bytes flipped = ct;
  flipped[ct.size() / 2] ^= 0x04;
  write(ct_dir, tag + "_flipped", variant, flipped);
  Bytes longer = ct;
  longer.push_back(0);
  write(ct_dir, tag + "_long", variant, longer);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_kem_corpus <fuzz/corpus>\n");
    return 2;
  }
  const fs::path root(argv[1]);
  write_variant<hush::crypto::MlKem512>(root, 0, "ml_kem_512");
  write_variant<hush::crypto::MlKem768>(root, 1, "ml_kem_768");
  write_variant<hush::crypto::MlKem1024>(root, 2, "ml_kem_1024");
  write_variant<hush::crypto::Kyber1024>(root, 3, "kyber1024");
  return 0;
}
