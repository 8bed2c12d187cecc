// The one error vocabulary of Hush. Every expected failure (anything a peer,
// an attacker, the disk or the network can cause) is an Errc; programmer
// errors abort through HUSH_CHECK instead (see check.hpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace hush {

/// Error codes, grouped by domain. Values are stable: they cross the C API.
enum class Errc : std::uint16_t {
  ok = 0,

  // General / input (1xx)
  invalid_argument = 100,  ///< a caller-supplied value is out of its documented range
  bad_length = 101,        ///< a buffer or field has the wrong size
  decode_error = 102,      ///< bytes do not parse (protobuf, encoding, truncation)
  unsupported_version = 103,

  // Cryptography (2xx)
  bad_mac = 200,         ///< MAC or AEAD tag did not verify
  bad_signature = 201,   ///< a signature did not verify
  bad_key = 202,         ///< a key is malformed, of small order, or otherwise unusable
  crypto_failure = 203,  ///< the crypto library reported an internal failure

  // Protocol (3xx)
  duplicate_message = 300,   ///< this message was already decrypted
  too_far_ahead = 301,       ///< the counter jumps further than the protocol allows
  unknown_pre_key = 302,     ///< a pre-key message names a pre-key we do not hold
  untrusted_identity = 303,  ///< a peer's identity key changed and is not yet trusted
  no_session = 304,          ///< there is no session with this address
  invalid_message = 305,     ///< well-formed bytes that violate the protocol
  stale_state = 306,         ///< the message belongs to a state we no longer keep

  // Storage (4xx)
  not_found = 400,
  storage_failure = 401,
  conflict = 402,

  // Network and service (5xx)
  network_failure = 500,
  unauthorized = 501,
  forbidden = 502,
  rate_limited = 503,
  quota_exceeded = 504,
  stale_devices = 505,
  timeout = 506,
  unavailable = 507,
};

/// A short, stable, human-readable name for an error code ("bad_mac").
std::string_view errc_name(Errc code) noexcept;

}  // namespace hush
