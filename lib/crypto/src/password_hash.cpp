// Argon2id through crypto_pwhash with ALG_ARGON2ID13. Costs are checked
// against libsodium's bounds and ours before any memory is touched.
#include <hush/crypto/init.hpp>
#include <hush/crypto/password_hash.hpp>

#include <sodium.h>

namespace hush::crypto {

static_assert(kArgon2idSaltSize == crypto_pwhash_SALTBYTES);

Argon2idCost Argon2idCost::moderate() noexcept {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

Argon2idCost Argon2idCost::interactive() noexcept {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Argon2idCost Argon2idCost::test_minimum() noexcept {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

bool Argon2idCost::valid() const noexcept {
  return ops_limit >= crypto_pwhash_argon2id_OPSLIMIT_MIN && ops_limit <= kArgon2idMaxOps &&
         mem_limit >= crypto_pwhash_argon2id_MEMLIMIT_MIN && mem_limit <= kArgon2idMaxMemory;
}

Result<Argon2idKey> argon2id(ByteView password, ByteView salt, Argon2idCost cost) {
  ensure_initialized();
  if (salt.size() != kArgon2idSaltSize) return make_error(Errc::bad_length, "argon2id salt length");
  if (!cost.valid()) return make_error(Errc::invalid_argument, "argon2id cost out of range");
  if (password.size() > crypto_pwhash_PASSWD_MAX) return make_error(Errc::invalid_argument, "argon2id password");
  Argon2idKey key;
  auto out = key.expose_mut();
  // libsodium wants a valid pointer even for an empty password.
  static const char kEmpty = 0;
  const char* pw = password.empty() ? &kEmpty : reinterpret_cast<const char*>(password.data());
  if (crypto_pwhash(out.data(), out.size(), pw, password.size(), salt.data(), cost.ops_limit, cost.mem_limit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(Errc::crypto_failure, "argon2id (out of memory)");
  }
  return key;
}

}  // namespace hush::crypto
