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
#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>

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
/// Always in the certificate: a client on the same machine reaches hushd so.
constexpr const char* kLoopbackAltNames = "DNS:localhost,IP:127.0.0.1,IP:::1";

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

bool is_ip_address(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

/// A DNS name as a certificate may carry it: letters, digits, '-', '.', and a
/// leading "*." wildcard. Anything else (a comma, a colon) would also be
/// OpenSSL extension syntax, so it is refused rather than escaped.
bool is_dns_name(const std::string& host) {
  std::string_view rest(host);
  if (rest.substr(0, 2) == "*.") rest.remove_prefix(2);
  if (rest.empty() || rest.size() > 253 || rest.front() == '.' || rest.back() == '.') return false;
  return std::all_of(rest.begin(), rest.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'; });
}

Result<std::string> subject_alt_names(const std::vector<std::string>& hosts) {
  std::string out = kLoopbackAltNames;
  for (const auto& host : hosts) {
    if (is_ip_address(host)) {
      out += ",IP:" + host;
    } else if (is_dns_name(host)) {
      out += ",DNS:" + host;
    } else {
      return make_error(Errc::invalid_argument, "a certificate host is neither an IP address nor a DNS name");
    }
  }
  return out;
}

/// True when `cert` is valid for `host` (a name, or an address).
bool covers(X509* cert, const std::string& host) {
  if (is_ip_address(host)) return X509_check_ip_asc(cert, host.c_str(), 0) == 1;
  return X509_check_host(cert, host.c_str(), host.size(), 0, nullptr) == 1;
}

Result<X509Ptr> make_certificate(EVP_PKEY* key, const std::string& alt_names) {
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
      !add_extension(cert.get(), NID_subject_alt_name, alt_names.c_str()) ||
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

Result<X509Ptr> read_certificate(const std::string& cert_file) {
  BioPtr bio(BIO_new_file(cert_file.c_str(), "r"));
  if (!bio) return make_error(Errc::storage_failure, "cannot read certificate");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return make_error(Errc::decode_error, "not a PEM certificate");
  return cert;
}

}  // namespace

Result<std::string> certificate_fingerprint(const std::string& cert_file) {
  HUSH_TRY_ASSIGN(auto cert, read_certificate(cert_file));
  return fingerprint_of(cert.get());
}

Result<std::string> certificate_missing_host(const std::string& cert_file, const std::vector<std::string>& hosts) {
  HUSH_TRY_ASSIGN(auto cert, read_certificate(cert_file));
  for (const auto& host : hosts) {
    if (!covers(cert.get(), host)) return host;
  }
  return std::string();
}

Result<TlsFiles> ensure_self_signed(const std::string& dir, const std::vector<std::string>& hosts) {
  TlsFiles files{dir + "/cert.pem", dir + "/key.pem", {}, false};
  std::error_code ec;
  if (!std::filesystem::exists(files.cert_file, ec) || !std::filesystem::exists(files.key_file, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(Errc::storage_failure, "cannot create the TLS directory");
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    HUSH_TRY_ASSIGN(const auto alt_names, subject_alt_names(hosts));
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return make_error(Errc::crypto_failure, "key generation");
    HUSH_TRY_ASSIGN(auto cert, make_certificate(key.get(), alt_names));
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
