// The primitive floor's building blocks, shared by session_floor_bench.cpp
// (version 3) and session_floor_v4_bench.cpp (version 4): a Double Ratchet
// built from nothing but hush::crypto calls, with no encoding, records or
// stores. Header-only and inline because each bench file is its own row set.
#pragma once

#include <hush/crypto/aes_cbc.hpp>
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/hmac.hpp>
#include <hush/crypto/x25519.hpp>
#include <hush/util/check.hpp>

#include <array>

namespace hush::bench_floor {
using namespace hush::crypto;
using ChainKey = SecretBytes<32>;

inline constexpr std::array<std::uint8_t, 1> kMessageKeySeed{0x01};
inline constexpr std::array<std::uint8_t, 1> kChainKeySeed{0x02};
inline constexpr std::size_t kMacSize = 8;  // v3 truncates the message MAC to 8 bytes
// Stand-in for a SignalMessage's version byte and protobuf header (ratchet
// key field, counters, ciphertext tag): covered by the MAC, so it is hashed.
inline const Bytes kHeader(42, 0x33);

// One symmetric-ratchet step: the message keys (HKDF-expanded from
// HMAC(CK, 0x01)) and CK ← HMAC(CK, 0x02). Version 4 salts the HKDF with
// SPQR's message key (`salt`); version 3 uses no salt.
inline SecretBuffer next_message_keys(ChainKey& ck, const char* info, std::size_t length, ByteView salt = {}) {
  HmacSha256Output seed = hmac_sha256(ck.expose(), kMessageKeySeed);
  ck = hmac_sha256(ck.expose(), kChainKeySeed);
  auto keys = hkdf_sha256(seed.expose(), salt, as_bytes(info), length);
  HUSH_CHECK(keys.has_value());
  return std::move(keys).value();
}

// A v3 message: AES-256-CBC under keys[0,32) with IV keys[64,80), then an
// 8-byte HMAC under keys[32,64) over both identities ‖ header ‖ ciphertext.
// Version 4 passes SPQR's key as `salt` and SPQR's part of the message as
// `pq` (a header field, so the MAC covers it too).
inline Bytes seal(ChainKey& ck, ByteView ik_sender, ByteView ik_receiver, ByteView plaintext, ByteView salt = {},
                  ByteView pq = {}) {
  SecretBuffer keys = next_message_keys(ck, "WhisperMessageKeys", 80, salt);
  ByteView k = keys.expose();
  Bytes ct = aes256_cbc_encrypt(AesKeyView(k.data(), 32), AesIvView(k.data() + 64, 16), plaintext);
  HmacSha256Output mac = hmac_sha256(k.subspan(32, 32), concat({ik_sender, ik_receiver, kHeader, pq, ct}));
  return concat({ct, mac.expose().first(kMacSize)});
}

inline SecretBuffer open(ChainKey& ck, ByteView ik_sender, ByteView ik_receiver, ByteView sealed, ByteView salt = {},
                         ByteView pq = {}) {
  SecretBuffer keys = next_message_keys(ck, "WhisperMessageKeys", 80, salt);
  ByteView k = keys.expose();
  ByteView ct = sealed.first(sealed.size() - kMacSize);
  HmacSha256Output mac = hmac_sha256(k.subspan(32, 32), concat({ik_sender, ik_receiver, kHeader, pq, ct}));
  HUSH_CHECK(ct_equal(mac.expose().first(kMacSize), sealed.last(kMacSize)));
  auto plain = aes256_cbc_decrypt(AesKeyView(k.data(), 32), AesIvView(k.data() + 64, 16), ct);
  HUSH_CHECK(plain.has_value());
  return std::move(plain).value();
}

// RK, CK ← HKDF(DH_out, salt = RK, "WhisperRatchet", 64).
inline void root_step(ChainKey& rk, ChainKey& ck, const KeyPair& ours, const PublicKey& theirs) {
  auto dh = x25519(ours.private_key, theirs);
  HUSH_CHECK(dh.has_value());
  std::array<std::uint8_t, 64> out{};
  HUSH_CHECK(hkdf_sha256_into(dh->expose(), rk.expose(), as_bytes("WhisperRatchet"), out).has_value());
  rk = ChainKey(std::span<const std::uint8_t, 32>(out.data(), 32));
  ck = ChainKey(std::span<const std::uint8_t, 32>(out.data() + 32, 32));
  secure_wipe(out.data(), out.size());
}

// One side of a Double Ratchet, minimal.
struct Party {
  Bytes identity;  // serialized identity key (MAC input only)
  ChainKey root, send, recv;
  KeyPair ratchet;
  PublicKey their;

  // A message under a new ratchet key, as libsignal does it: receiving chain,
  // then at once a new key pair and the sending chain.
  void receive_ratchet(const PublicKey& their_new, Rng& rng) {
    their = their_new;
    root_step(root, recv, ratchet, their);
    ratchet = KeyPair::generate(rng);
    root_step(root, send, ratchet, their);
  }
};

inline Party make_party(ByteView identity, const ChainKey& root, KeyPair ratchet, const PublicKey& their) {
  return Party{to_bytes(identity), root.clone(), {}, {}, std::move(ratchet), their};
}

}  // namespace hush::bench_floor
