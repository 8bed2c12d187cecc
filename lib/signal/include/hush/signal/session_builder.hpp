// Starting a session as the initiator from a published pre-key bundle
// (X3DH, signal.org/docs/specifications/x3dh §3.3; PQXDH when the bundle has a
// Kyber pre-key, signal.org/docs/specifications/pqxdh §3.3).
#pragma once

#include <hush/crypto/random.hpp>
#include <hush/signal/ids.hpp>
#include <hush/signal/pre_key.hpp>
#include <hush/signal/stores.hpp>
#include <hush/util/result.hpp>

namespace hush::signal {

/// Verifies the bundle (signed pre-key and Kyber pre-key signatures, every key valid), checks
/// trust in its identity key, runs X3DH (or PQXDH: version 4) and stores a new current session for
/// `address` (archiving any previous one). Nothing is stored on failure.
/// Errors: bad_signature, bad_key, untrusted_identity, invalid_message (a
/// bundle without a Kyber pre-key when the current session is version 4),
/// storage errors.
[[nodiscard]] Status process_pre_key_bundle(ProtocolStores stores, const ProtocolAddress& address,
                                            const PreKeyBundle& bundle, crypto::Rng& rng);

}  // namespace hush::signal
