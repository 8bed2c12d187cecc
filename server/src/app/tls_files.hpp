// The TLS certificate hushd serves: the operator's files when given, else a
// self-signed one made on first start in DATA/tls/ (P-256, SAN localhost,
// 127.0.0.1, ::1 and the configured host names) that clients pin by file or
// SHA-256 fingerprint.
#pragma once

#include <hush/util/result.hpp>

#include <string>
#include <vector>

namespace hush::server::app {

struct TlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string fingerprint;  ///< SHA-256 of the certificate (DER), "AB:CD:..."
  bool generated = false;   ///< made on this start
};

/// Uses `dir`/cert.pem and `dir`/key.pem, creating them (key mode 0600)
/// when either is missing; a new certificate carries `hosts` (DNS names or IP
/// addresses) besides localhost, 127.0.0.1 and ::1. An existing one is never
/// replaced (clients pinned it): the caller checks it with
/// certificate_missing_host. crypto_failure: OpenSSL failed; storage_failure:
/// the files cannot be written or read; invalid_argument: a host is neither an
/// address nor a DNS name.
Result<TlsFiles> ensure_self_signed(const std::string& dir, const std::vector<std::string>& hosts = {});

/// The first of `hosts` the certificate in `cert_file` is not valid for, or
/// an empty string when it covers them all.
Result<std::string> certificate_missing_host(const std::string& cert_file, const std::vector<std::string>& hosts);

/// The SHA-256 fingerprint of the first certificate in a PEM file.
/// storage_failure: unreadable; decode_error: not a PEM certificate.
Result<std::string> certificate_fingerprint(const std::string& cert_file);

}  // namespace hush::server::app
