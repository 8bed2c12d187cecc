// FIPS 203 §4.1 hash functions through OpenSSL EVP (hashes.hpp).
#include "hashes.hpp"

#include "../openssl_handles.hpp"

namespace hush::crypto::detail::kem {
namespace {

const EVP_MD* fetch(const char* name) noexcept {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  HUSH_CHECK(md != nullptr);
  return md;
}

enum Fn { kSha3_256, kSha3_512, kShake128, kShake256, kFnCount };

const EVP_MD* md_of(Fn fn) noexcept {
  static const EVP_MD* const mds[kFnCount] = {fetch("SHA3-256"), fetch("SHA3-512"), fetch("SHAKE128"),
                                              fetch("SHAKE256")};
  return mds[fn];
}

// One initialised context per function and thread: creating a context and
// its provider state costs about as much as hashing a short input.
EVP_MD_CTX* ctx_of(Fn fn) noexcept {
  struct Contexts {
    MdCtx ctx[kFnCount];
    Contexts() {
      for (int i = 0; i < kFnCount; ++i) {
        ctx[i].reset(EVP_MD_CTX_new());
        HUSH_CHECK(ctx[i] && EVP_DigestInit_ex2(ctx[i].get(), md_of(static_cast<Fn>(i)), nullptr) == 1);
      }
    }
  };
  thread_local Contexts contexts;
  return contexts.ctx[fn].get();
}

void run(Fn fn, std::initializer_list<ByteView> parts, std::uint8_t* out, std::size_t out_len, bool xof) noexcept {
  EVP_MD_CTX* ctx = ctx_of(fn);
  for (ByteView part : parts) HUSH_CHECK(EVP_DigestUpdate(ctx, part.data(), part.size()) == 1);
  if (xof) {
    HUSH_CHECK(EVP_DigestFinalXOF(ctx, out, out_len) == 1);
  } else {
    unsigned int len = 0;
    HUSH_CHECK(EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == out_len);
  }
  // Re-initialising zeroes the Keccak state (which may hold secret-derived
  // bytes) and leaves the context ready for the next call.
  HUSH_CHECK(EVP_DigestInit_ex2(ctx, nullptr, nullptr) == 1);
}

}  // namespace

void sha3_256(std::initializer_list<ByteView> parts, std::uint8_t out[32]) noexcept {
  run(kSha3_256, parts, out, 32, false);
}
void sha3_512(std::initializer_list<ByteView> parts, std::uint8_t out[64]) noexcept {
  run(kSha3_512, parts, out, 64, false);
}
void shake256(std::initializer_list<ByteView> parts, MutableByteView out) noexcept {
  run(kShake256, parts, out.data(), out.size(), true);
}
void shake128(std::initializer_list<ByteView> parts, MutableByteView out) noexcept {
  run(kShake128, parts, out.data(), out.size(), true);
}

}  // namespace hush::crypto::detail::kem
