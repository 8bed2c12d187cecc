// Every constant and limit of the 1:1 protocol, in one place, each with why.
// docs/protocol.md lists the same values; change both together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hush::signal {

/// Signal message version 3: the version byte is (3 << 4) | 3.
inline constexpr std::uint8_t kCiphertextVersion = 3;
inline constexpr std::uint8_t kVersionByte = (kCiphertextVersion << 4) | kCiphertextVersion;

/// Message version 4: sessions set up with PQXDH (issue #15). Its version
/// byte is (4 << 4) | 4 = 0x44, as libsignal writes it (protocol.rs: the low
/// nibble is the sender's current version, 4).
inline constexpr std::uint8_t kPqxdhCiphertextVersion = 4;
inline constexpr std::uint8_t kPqxdhVersionByte = (kPqxdhCiphertextVersion << 4) | kPqxdhCiphertextVersion;

/// Truncated HMAC-SHA256 appended to every SignalMessage (libsignal: MAC_LENGTH).
inline constexpr std::size_t kMacSize = 8;

/// Skipped message keys kept per receiving chain; older ones are dropped
/// (libsignal's MAX_MESSAGE_KEYS). Bounds memory and record size.
inline constexpr std::size_t kMaxSkippedKeysPerChain = 2000;

/// Largest jump ahead within one chain that a message may ask us to derive
/// keys for (libsignal's MAX_FORWARD_JUMPS); beyond it, a forged counter could
/// make us burn CPU, so the message is refused.
inline constexpr std::uint32_t kMaxForwardJumps = 25000;

/// Receiving chains kept per session state (libsignal: 5). Older chains can
/// only be holding keys for very late messages.
inline constexpr std::size_t kMaxReceiverChains = 5;

/// Previous session states kept per record (libsignal: 40), so a message for
/// a session replaced by a newer one still decrypts for a while.
inline constexpr std::size_t kMaxArchivedStates = 40;

/// Registration ids are 14 bits, 1..16380, as libsignal generates them.
inline constexpr std::uint32_t kMaxRegistrationId = 16380;

/// Pre-key ids wrap modulo this value (libsignal's PRE_KEY_MEDIUM_MAX_VALUE).
inline constexpr std::uint32_t kPreKeyIdModulus = 0xFFFFFE;

// KDF labels (HKDF "info" strings), exactly as libsignal-protocol-c.
inline constexpr std::string_view kInfoX3dh = "WhisperText";
/// PQXDH's KDF info (libsignal pqxdh.rs; the spec's "info" names the curve,
/// hash and KEM). Its HKDF output is RK (32) ‖ CK (32) ‖ the SPQR seed (32).
inline constexpr std::string_view kInfoPqxdh = "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024";
inline constexpr std::string_view kInfoRatchet = "WhisperRatchet";
inline constexpr std::string_view kInfoMessageKeys = "WhisperMessageKeys";

/// Chain-key step inputs (HMAC-SHA256(CK, byte)): the message-key seed and the next chain key.
inline constexpr std::uint8_t kMessageKeySeed = 0x01;
inline constexpr std::uint8_t kChainKeySeed = 0x02;

/// Length of the HKDF output for message keys: cipher key 32, MAC key 32, IV 16.
inline constexpr std::size_t kMessageKeyMaterialSize = 80;

/// Format version of our own persisted pre-key and signed pre-key records
/// (proto/signal_storage.proto). Version 2 carries an integrity digest over
/// the whole record; version 1 (no digest: the key pair's halves are checked
/// against each other instead) is still read.
inline constexpr std::uint32_t kRecordFormatVersion = 2;
inline constexpr std::uint32_t kRecordFormatVersion1 = 1;
/// Format version of the session records we write: each state packed into a
/// few fixed-layout byte fields (docs/protocol.md §4); 4 adds version-4
/// (PQXDH) states; 5 keeps skipped message keys as seeds (each entry tagged
/// seed or keys), since a version-4 message's keys need its SPQR key. The
/// number 2 was skipped: tests/unit/signal/session_record_test.cpp uses it as
/// the example of an unknown version.
inline constexpr std::uint32_t kSessionRecordFormatVersion = 5;
/// Format 4: as 5 with every skipped key stored as its keys, untagged; still read.
inline constexpr std::uint32_t kSessionRecordFormatVersion4 = 4;
/// Format 3: as 4 without the PQXDH parts (Kyber pending pre-key, the SPQR
/// seed and state); still read.
inline constexpr std::uint32_t kSessionRecordFormatVersion3 = 3;
/// Format version of our persisted Kyber pre-key records.
inline constexpr std::uint32_t kKyberPreKeyRecordFormatVersion = 1;
/// The first session record format (one protobuf field per key): still read.
inline constexpr std::uint32_t kSessionRecordFormatVersion1 = 1;

// ---- Sender Keys (issue #4), as libsignal-protocol-c 2.3.3 ----------------

/// SenderKeyMessage and SenderKeyDistributionMessage carry the same version
/// byte as 1:1 messages: (3 << 4) | 3 = 0x33.
inline constexpr std::uint8_t kSenderKeyVersionByte = kVersionByte;

/// Skipped message keys kept per sender key state (libsignal's
/// MAX_MESSAGE_KEYS in sender_key_state.c); the oldest are dropped beyond it.
inline constexpr std::size_t kMaxSenderMessageKeys = 2000;

/// Largest forward jump within one sender chain. libsignal-protocol-c refuses
/// jumps above 2000; Hush accepts up to the same 25000 as its 1:1 chains
/// (kMaxForwardJumps), so a member who missed a long burst still catches up.
/// The CPU bound is the point: 25000 HMAC pairs cost a few milliseconds.
inline constexpr std::uint32_t kMaxSenderKeyForwardJumps = kMaxForwardJumps;

/// Sender key states kept per sender key record (libsignal's MAX_STATES):
/// the newest plus four older keys of the same member, for messages sent
/// just before a rotation.
inline constexpr std::size_t kMaxSenderKeyStates = 5;

/// HKDF info for sender message keys; the output is IV (16) ‖ cipher key (32).
inline constexpr std::string_view kInfoSenderKeys = "WhisperGroup";
inline constexpr std::size_t kSenderMessageKeyMaterialSize = 48;

/// Sender chain ids are 31-bit random numbers, as libsignal generates them.
inline constexpr std::uint32_t kSenderChainIdMask = 0x7FFFFFFF;

/// Format version of our persisted sender key records.
inline constexpr std::uint32_t kSenderKeyRecordFormatVersion = 1;

}  // namespace hush::signal
