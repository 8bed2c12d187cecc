// Self-signed certificate generation and fingerprints with OpenSSL 3's EVP
// and X509 APIs (see tls_files.hpp). Files are written to a temporary name
// and renamed, so a crash never leaves half a key behind.
#include "app/tls_files.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace hush::server::app {
namespace {

/// 825 days: the longest validity mainstream TLS clients accept.
constexpr long kValiditySeconds = 825L * 24 * 3600;
/// Backdate by an hour so a client whose clock runs slow still accepts it.
constexpr long kBackdateSeconds = 3600;
constexpr int kSerialBits = 127;
constexpr const char* kSubjectAltName = "DNS:localhost,IP:127.0.0.1,IP:::1";

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

Result<X509Ptr> make_certificate(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  BnPtr serial(BN_new());
  if (!cert || !serial || BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_set_version(cert.get(), 2) != 1 || X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return make_error(Errc::crypto_failure, "certificate fields");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("hushd"), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 ||
      !add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash") ||
      !add_extension(cert.get(), NID_subject_alt_name, kSubjectAltName) ||
      X509_sign(cert.get(), key, EVP_sha256()) == 0) {
    return make_error(Errc::crypto_failure, "certificate signing");
  }
  return cert;
}

std::string fingerprint_of(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  std::string out;
  for (unsigned i = 0; i < n; ++i) out += fmt::format("{}{:02X}", i ? ":" : "", md[i]);
  return out;
}

/// Writes via `path.tmp` + rename; `mode` applied before any byte is written.
template <class WriteFn>
Status write_pem(const std::string& path, mode_t mode, WriteFn write) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return make_error(Errc::storage_failure, "cannot create TLS file");
  ::chmod(tmp.c_str(), mode);
  const bool ok = write(f);
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return make_error(Errc::storage_failure, "cannot write TLS file");
  }
  return hush::ok();
}

}  // namespace

Result<std::string> certificate_fingerprint(const std::string& cert_file) {
  BioPtr bio(BIO_new_file(cert_file.c_str(), "r"));
  if (!bio) return make_error(Errc::storage_failure, "cannot read certificate");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return make_error(Errc::decode_error, "not a PEM certificate");
  return fingerprint_of(cert.get());
}

Result<TlsFiles> ensure_self_signed(const std::string& dir) {
  TlsFiles files{dir + "/cert.pem", dir + "/key.pem", {}, false};
  std::error_code ec;
  if (!std::filesystem::exists(files.cert_file, ec) || !std::filesystem::exists(files.key_file, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(Errc::storage_failure, "cannot create the TLS directory");
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return make_error(Errc::crypto_failure, "key generation");
    HUSH_TRY_ASSIGN(auto cert, make_certificate(key.get()));
    HUSH_TRY(write_pem(files.key_file, S_IRUSR | S_IWUSR, [&](std::FILE* f) {
      return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    }));
    // Public, but inside the data folder everything is the owner's alone
    // (0600, docs/server/api.md "Running it"); the owner copies it to clients.
    HUSH_TRY(write_pem(files.cert_file, S_IRUSR | S_IWUSR,
                       [&](std::FILE* f) { return PEM_write_X509(f, cert.get()) == 1; }));
    files.generated = true;
  }
  HUSH_TRY_ASSIGN(files.fingerprint, certificate_fingerprint(files.cert_file));
  return files;
}

}  // namespace hush::server::app
