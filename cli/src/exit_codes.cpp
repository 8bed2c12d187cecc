// Errc -> exit code and text: the one table (docs/cli.md shows the same
// table; tests/cli/exit_codes_test.cpp keeps them in step and checks every
// Errc has a row).
#include "exit_codes.hpp"

namespace hush::cli {

ErrorInfo error_info(Errc code) noexcept {
  using E = ExitCode;
  switch (code) {
    case Errc::ok: return {E::ok, "ok"};
    // input
    case Errc::invalid_argument: return {E::invalid_input, "invalid value"};
    case Errc::bad_length: return {E::invalid_input, "value has the wrong length"};
    case Errc::decode_error: return {E::storage, "data could not be decoded (damaged store or bad input)"};
    case Errc::unsupported_version: return {E::storage, "the store, a message or a contact's keys are of an unsupported version"};
    // cryptography
    case Errc::bad_mac: return {E::protocol, "integrity check failed (tampered or wrong key)"};
    case Errc::bad_signature: return {E::protocol, "signature did not verify"};
    case Errc::bad_key: return {E::protocol, "unusable key"};
    case Errc::crypto_failure: return {E::protocol, "the crypto library failed"};
    // protocol
    case Errc::duplicate_message: return {E::protocol, "message already received"};
    case Errc::too_far_ahead: return {E::protocol, "message too far ahead in its chain"};
    case Errc::unknown_pre_key: return {E::protocol, "message uses a pre-key this device does not hold"};
    case Errc::untrusted_identity: return {E::untrusted_identity, "the contact's identity key changed and is not trusted yet"};
    case Errc::no_session: return {E::not_found, "no session with this contact"};
    case Errc::invalid_message: return {E::protocol, "invalid message"};
    case Errc::stale_state: return {E::protocol, "message belongs to a session no longer kept"};
    // storage
    case Errc::not_found: return {E::not_found, "not found"};
    case Errc::storage_failure: return {E::storage, "the local store could not be read or written"};
    case Errc::conflict: return {E::conflict, "already exists"};
    // network and service
    case Errc::network_failure: return {E::network, "cannot reach the server"};
    case Errc::unauthorized: return {E::authentication, "authentication failed (wrong passphrase or key file, or credential refused)"};
    case Errc::forbidden: return {E::authentication, "permission denied (check the home folder's and key file's owner and mode)"};
    case Errc::rate_limited: return {E::refused, "the server refused: too many requests, try again later"};
    case Errc::quota_exceeded: return {E::refused, "the server refused: a mailbox is full"};
    case Errc::stale_devices: return {E::refused, "the server refused: the recipient's device list changed, try again"};
    case Errc::timeout: return {E::network, "the server did not answer in time"};
    case Errc::unavailable: return {E::network, "the server or feature is unavailable"};
  }
  return {E::protocol, "unexpected error"};
}

}  // namespace hush::cli
