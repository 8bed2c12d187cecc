// The TLS certificate hushd serves: the operator's files when given, else a
// self-signed one made on first start in DATA/tls/ (P-256, SAN localhost,
// 127.0.0.1 and ::1) that clients pin by file or SHA-256 fingerprint.
#pragma once

#include <hush/util/result.hpp>

#include <string>

namespace hush::server::app {

struct TlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string fingerprint;  ///< SHA-256 of the certificate (DER), "AB:CD:..."
  bool generated = false;   ///< made on this start
};

/// Uses `dir`/cert.pem and `dir`/key.pem, creating them (key mode 0600)
/// when either is missing. crypto_failure: OpenSSL failed; storage_failure:
/// the files cannot be written or read.
Result<TlsFiles> ensure_self_signed(const std::string& dir);

/// The SHA-256 fingerprint of the first certificate in a PEM file.
/// storage_failure: unreadable; decode_error: not a PEM certificate.
Result<std::string> certificate_fingerprint(const std::string& cert_file);

}  // namespace hush::server::app
