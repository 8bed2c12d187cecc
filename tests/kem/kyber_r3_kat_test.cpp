// Kyber1024 round 3 against the submission's known-answer tests
// (tests/vectors/kyber-r3, 10 records of PQCkemKAT_3168.rsp): each record's
// seed drives NIST's AES-256 CTR DRBG (rng.c of the NIST PQC KAT tools), whose
// successive randombytes() calls the round 3 code makes for d, z and m.
#include "kem_vector_file.hpp"

#include <hush/crypto/ml_kem.hpp>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>

namespace hush::crypto {
namespace {

// NIST's AES256_CTR_DRBG (no personalisation, no reseeding).
class NistDrbg final : public Rng {
 public:
  explicit NistDrbg(ByteView seed48) { update(seed48.data()); }
  void fill(MutableByteView out) noexcept override {
    std::size_t done = 0;
    while (done < out.size()) {
      increment();
      std::uint8_t block[16];
      aes(v_, block);
      const std::size_t n = std::min<std::size_t>(16, out.size() - done);
      std::memcpy(out.data() + done, block, n);
      done += n;
    }
    update(nullptr);
  }

 private:
  void increment() noexcept {
    for (int j = 15; j >= 0; --j) {
      if (v_[j] == 0xFF) {
        v_[j] = 0;
      } else {
        ++v_[j];
        break;
      }
    }
  }
  void aes(const std::uint8_t in[16], std::uint8_t out[16]) const noexcept {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), nullptr, key_, nullptr);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EVP_EncryptUpdate(ctx, out, &len, in, 16);
    EVP_CIPHER_CTX_free(ctx);
  }
  void update(const std::uint8_t* provided) noexcept {
    std::uint8_t temp[48];
    for (int i = 0; i < 3; ++i) {
      increment();
      aes(v_, temp + 16 * i);
    }
    if (provided != nullptr) {
      for (int i = 0; i < 48; ++i) temp[i] ^= provided[i];
    }
    std::memcpy(key_, temp, 32);
    std::memcpy(v_, temp + 32, 16);
  }
  std::uint8_t key_[32] = {};
  std::uint8_t v_[16] = {};
};

TEST(Kyber1024Kat, MatchesTheRound3SubmissionVectors) {
  std::vector<testing::KemVectorRecord> records;
  for (const auto& line : testing::read_kem_vector_lines("../kyber-r3/PQCkemKAT_3168.rsp")) {
    if (line.starts_with("count = ")) records.emplace_back();
    const auto eq = line.find(" = ");
    if (records.empty() || eq == std::string::npos) continue;
    auto bytes = from_hex(line.substr(eq + 3));
    if (bytes) records.back().emplace(line.substr(0, eq), std::move(*bytes));
  }
  ASSERT_EQ(records.size(), 10u);
  for (const auto& r : records) {
    SCOPED_TRACE(to_hex(r.at("seed")).substr(0, 16));
    NistDrbg drbg(r.at("seed"));
    auto pair = Kyber1024::generate(drbg);
    EXPECT_EQ(to_hex(pair.public_key.bytes()), to_hex(r.at("pk")));
    EXPECT_EQ(to_hex(pair.secret_key.secret().expose()), to_hex(r.at("sk")));
    auto sent = Kyber1024::encapsulate(pair.public_key, drbg);
    EXPECT_EQ(to_hex(sent.ciphertext.bytes()), to_hex(r.at("ct")));
    EXPECT_EQ(to_hex(sent.shared_secret.expose()), to_hex(r.at("ss")));
    EXPECT_EQ(to_hex(Kyber1024::decapsulate(pair.secret_key, sent.ciphertext).expose()), to_hex(r.at("ss")));
  }
}

}  // namespace
}  // namespace hush::crypto
