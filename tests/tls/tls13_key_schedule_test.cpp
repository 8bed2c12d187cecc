// Known answers for the key schedule under Tls13Records (RFC 8446 §7.1–7.3):
// HKDF-Expand-Label with the "tls13 " prefix and an empty context, the
// traffic key and IV of a Direction, and the per-record nonce. Every value is
// copied from the RFC text, with its section; none was produced by our code.
#include "net/tls13_records.hpp"

#include <hush/crypto/aead.hpp>
#include <hush/testing/hex.hpp>
#include <hush/util/check.hpp>

#include "openssl_expand_label.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string_view>

namespace hush::server::net {
namespace {

using hush::testing::hex;

Tls13Secret secret_of(const Bytes& b) {
  HUSH_CHECK(b.size() == kTls13SecretSize);
  return Tls13Secret(b.data(), kTls13SecretSize);
}

Bytes expand(const Bytes& secret, std::string_view label, std::size_t size) {
  Bytes out(size);
  tls13_expand_label(secret_of(secret), label, out);
  return out;
}

Bytes bytes_of(ByteView v) {
  return Bytes(v.begin(), v.end());
}

using testing::openssl_expand;

struct LabelCase {
  const char* where;
  const char* secret;
  const char* label;
  const char* expected;
};

// RFC 8448 §3 (Simple 1-RTT Handshake), TLS_AES_128_GCM_SHA256: 16-byte keys
// and 12-byte IVs, and one 32-byte output ("finished").
const LabelCase kRfc8448[] = {
    {"§3 {server} derive write traffic keys for application data: key",
     "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43", "key",
     "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56"},
    {"§3 {server} derive write traffic keys for application data: iv",
     "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43", "iv",
     "cf 78 2b 88 dd 83 54 9a ad f1 e9 84"},
    {"§3 {client} derive write traffic keys for application data: key",
     "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5", "key",
     "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51"},
    {"§3 {client} derive write traffic keys for application data: iv",
     "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5", "iv",
     "5b 78 92 3d ee 08 57 90 33 e5 23 d9"},
    {"§3 {server} derive read traffic keys for handshake data: key",
     "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21", "key",
     "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01"},
    {"§3 {server} derive read traffic keys for handshake data: iv",
     "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21", "iv",
     "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f"},
    {"§3 {client} calculate finished \"tls13 finished\": expanded",
     "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21", "finished",
     "b8 0a d0 10 15 fb 2f 0b d6 5f f7 d4 da 5d 6b f8 3f 84 82 1d 1f 87 fd c7 d3 c7 5b 5a 7b 42 d9 c4"},
};

// RFC 9001 Appendix A: QUIC's labels go through the same HKDF-Expand-Label
// with the "tls13 " prefix. A.1 with AES-128 lengths, A.5 with
// ChaCha20-Poly1305's 32-byte key; "quic ku" is A.5's next secret.
const LabelCase kRfc9001[] = {
    {"A.1 client_initial_secret: quic key", "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
     "quic key", "1f369613dd76d5467730efcbe3b1a22d"},
    {"A.1 client_initial_secret: quic iv", "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
     "quic iv", "fa044b2f42a3fd3b46fb255c"},
    {"A.1 client_initial_secret: quic hp", "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
     "quic hp", "9f50449e04a0e810283a1e9933adedd2"},
    {"A.5 secret: quic key", "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", "quic key",
     "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8"},
    {"A.5 secret: quic iv", "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", "quic iv",
     "e0459b3474bdd0e44a41c144"},
    {"A.5 secret: quic hp", "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", "quic hp",
     "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4"},
    {"A.5 secret: quic ku", "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", "quic ku",
     "1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9"},
};

void check_cases(const char* rfc, std::span<const LabelCase> cases) {
  for (const auto& c : cases) {
    const Bytes secret = hex(c.secret);
    const Bytes expected = hex(c.expected);
    EXPECT_EQ(expand(secret, c.label, expected.size()), expected) << rfc << " " << c.where;
    EXPECT_EQ(openssl_expand(secret, c.label, expected.size()), expected) << rfc << " " << c.where << " (test helper)";
  }
}

TEST(Tls13KeySchedule, ExpandLabelMatchesRfc8448Section3) {
  check_cases("RFC 8448", kRfc8448);
}

TEST(Tls13KeySchedule, ExpandLabelMatchesRfc9001AppendixA) {
  check_cases("RFC 9001", kRfc9001);
}

TEST(Tls13KeySchedule, DirectionDerivesChaChaKeyIvAndNextSecret) {
  // RFC 8448 §3's server application traffic secret, with the lengths of
  // TLS_CHACHA20_POLY1305_SHA256 (32-byte key): Direction must agree with the
  // independently checked OpenSSL helper for key, iv and "traffic upd" (§7.2).
  const Bytes secret =
      hex("a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43");
  Tls13Records::Direction d;
  d.set(secret_of(secret));
  EXPECT_EQ(bytes_of(d.secret.expose()), secret);
  EXPECT_EQ(bytes_of(d.key.expose()), openssl_expand(secret, "key", 32));
  EXPECT_EQ(bytes_of(d.iv.expose()), openssl_expand(secret, "iv", 12));
  d.seq = 7;
  d.update();
  const Bytes next = openssl_expand(secret, "traffic upd", 32);
  EXPECT_EQ(bytes_of(d.secret.expose()), next);
  EXPECT_EQ(bytes_of(d.key.expose()), openssl_expand(next, "key", 32));
  EXPECT_EQ(bytes_of(d.iv.expose()), openssl_expand(next, "iv", 12));
  EXPECT_EQ(d.seq, 0u);
}

TEST(Tls13KeySchedule, NonceAndSealMatchRfc9001AppendixA5) {
  // RFC 9001 A.5: nonce = iv XOR the packet number, left-padded (the same
  // construction as RFC 8446 §5.3), then ChaCha20-Poly1305 with the header
  // as associated data, through the hush::crypto call Tls13Records uses.
  Tls13Records::Direction d;
  const Bytes iv = hex("e0459b3474bdd0e44a41c144");
  d.iv = SecretBytes<12>(std::span<const std::uint8_t, 12>(iv.data(), 12));
  d.seq = 654360564;
  const auto nonce = d.nonce();
  EXPECT_EQ(Bytes(nonce.begin(), nonce.end()), hex("e0459b3474bdd0e46d417eb0"));

  const Bytes key = hex("c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8");
  const crypto::AeadKeyView key_view(key.data(), crypto::kAeadKeySize);
  const Bytes header = hex("4200bff4");
  const Bytes plaintext = hex("01");
  auto sealed = crypto::chacha20poly1305_ietf_encrypt(key_view, nonce, plaintext, header);
  ASSERT_TRUE(sealed.has_value());
  EXPECT_EQ(sealed.value(), hex("655e5cd55c41f69080575d7999c25a5bfb"));
  auto opened = crypto::chacha20poly1305_ietf_decrypt(key_view, nonce, sealed.value(), header);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(bytes_of(opened.value().expose()), plaintext);
}

TEST(Tls13KeySchedule, NonceXorsSequenceIntoTheLastEightBytes) {
  Tls13Records::Direction d;
  const Bytes iv = hex("000102030405060708090a0b");
  d.iv = SecretBytes<12>(std::span<const std::uint8_t, 12>(iv.data(), 12));
  d.seq = 0;
  auto n = d.nonce();
  EXPECT_EQ(Bytes(n.begin(), n.end()), iv);
  d.seq = 0xffffffffffffffffULL;
  n = d.nonce();
  EXPECT_EQ(Bytes(n.begin(), n.end()), hex("00010203 fbfaf9f8f7f6f5f4"));
}

}  // namespace
}  // namespace hush::server::net
