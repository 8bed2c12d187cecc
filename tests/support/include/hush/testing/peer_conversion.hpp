// Converts between libhush's signal types and the libsignal-protocol-c peer's
// plain-bytes types (PeerBundle, PeerCiphertext), so interop tests and
// benchmarks can hand bundles and messages across. Header-only and free of
// GPL headers: it sees only libsignal_peer.hpp's byte-level structs.
#pragma once

#include <hush/signal/messages.hpp>
#include <hush/signal/pre_key.hpp>
#include <hush/testing/libsignal_peer.hpp>

#include <algorithm>

namespace hush::testing {

/// A peer's bundle as libhush sees it. Every key goes through the strict
/// parser, as an application parsing a server's answer would; fails with
/// bad_length or bad_key, and bad_length for a signature that is not 64 bytes.
inline Result<signal::PreKeyBundle> to_hush_bundle(const PeerBundle& peer) {
  HUSH_TRY_ASSIGN(auto identity, crypto::PublicKey::deserialize(peer.identity_key));
  HUSH_TRY_ASSIGN(auto signed_pre_key, crypto::PublicKey::deserialize(peer.signed_pre_key_public));
  if (peer.signed_pre_key_signature.size() != crypto::kSignatureSize) {
    return make_error(Errc::bad_length, "peer bundle signature");
  }
  signal::PreKeyBundle bundle{signal::RegistrationId{peer.registration_id},
                              signal::DeviceId{static_cast<std::uint32_t>(peer.device_id)},
                              std::nullopt,
                              std::nullopt,
                              signal::SignedPreKeyId{peer.signed_pre_key_id},
                              signed_pre_key,
                              {},
                              identity};
  std::copy(peer.signed_pre_key_signature.begin(), peer.signed_pre_key_signature.end(),
            bundle.signed_pre_key_signature.begin());
  if (peer.pre_key_id) {
    HUSH_TRY_ASSIGN(auto pre_key, crypto::PublicKey::deserialize(peer.pre_key_public));
    bundle.pre_key_id = signal::PreKeyId{*peer.pre_key_id};
    bundle.pre_key = pre_key;
  }
  return bundle;
}

/// A libhush bundle in the peer's form (33-byte keys, 64-byte signature).
inline PeerBundle to_peer_bundle(const signal::PreKeyBundle& bundle) {
  PeerBundle peer;
  peer.registration_id = bundle.registration_id.value;
  peer.device_id = static_cast<std::int32_t>(bundle.device_id.value);
  if (bundle.pre_key_id && bundle.pre_key) {
    peer.pre_key_id = bundle.pre_key_id->value;
    peer.pre_key_public = bundle.pre_key->serialize();
  }
  peer.signed_pre_key_id = bundle.signed_pre_key_id.value;
  peer.signed_pre_key_public = bundle.signed_pre_key.serialize();
  peer.signed_pre_key_signature.assign(bundle.signed_pre_key_signature.begin(), bundle.signed_pre_key_signature.end());
  peer.identity_key = bundle.identity_key.serialize();
  return peer;
}

/// The peer's wire type number for a libhush message type (both use libsignal's 2..5).
inline int to_peer_type(signal::MessageType type) noexcept { return static_cast<int>(type); }

/// A peer's ciphertext as libhush's CiphertextMessage (the type number is kept as is,
/// so an unexpected type reaches the decrypt call and is refused there).
inline signal::CiphertextMessage to_hush_message(const PeerCiphertext& peer) {
  return {static_cast<signal::MessageType>(peer.type), peer.serialized};
}

}  // namespace hush::testing
