// Tls13Records: the TLS 1.3 record layer (RFC 8446 §5) of a server
// connection whose handshake OpenSSL has finished, so that OpenSSL's SSL
// object (~13.5 KiB per connection in OpenSSL 3.0) can be freed. Only
// TLS_CHACHA20_POLY1305_SHA256; application data, alerts and KeyUpdate
// (§4.6.3), the only records a client may send after our handshake (we issue
// no tickets and never ask for post-handshake authentication). It reads and
// writes the non-blocking descriptor itself and holds no buffer while idle.
// The handshake, certificates and every other suite or version stay OpenSSL's
// (TlsSocketStream decides; docs/adr/0004-tls13-record-handoff.md).
#pragma once

#include <hush/util/bytes.hpp>
#include <hush/util/secret.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hush::server::net {

/// Size of a SHA-256 traffic secret, and of a ChaCha20-Poly1305 key.
inline constexpr std::size_t kTls13SecretSize = 32;
using Tls13Secret = std::span<const std::uint8_t, kTls13SecretSize>;

/// §7.1 HKDF-Expand-Label(secret, label, "", out.size()) over HMAC-SHA256,
/// with the "tls13 " prefix, for outputs of at most one SHA-256 block
/// (out.size() <= 32, checked; label of at most 249 bytes, checked). What
/// Tls13Records derives its keys with; public for the known-answer tests.
void tls13_expand_label(Tls13Secret secret, std::string_view label, std::span<std::uint8_t> out);

class Tls13Records {
 public:
  enum class Want { nothing, read, write };
  struct Step {
    Want want = Want::nothing;
    boost::system::error_code ec;
    std::size_t bytes = 0;
  };

  /// From the client's and the server's application traffic secrets
  /// (`*_TRAFFIC_SECRET_0`); record sequence numbers start at 0 both ways,
  /// so the handshake must have ended with nothing read or written under
  /// these keys.
  Tls13Records(Tls13Secret client_secret, Tls13Secret server_secret);
  Tls13Records(const Tls13Records&) = delete;
  Tls13Records& operator=(const Tls13Records&) = delete;

  /// Up to one record's application data into `b` (non-empty). Errors:
  /// asio::error::eof after the peer's close_notify,
  /// ssl::error::stream_truncated when the connection ends without it,
  /// errc::protocol_error for a record that does not decrypt or has no
  /// business here, connection_reset for a fatal alert; every error is final.
  Step read(int fd, boost::asio::mutable_buffer b);
  /// Seals up to one record of `data` (size > 0) and sends it; bytes is the
  /// plaintext taken. After Want::write call again with the same bytes.
  Step write(int fd, const void* data, std::size_t size);
  /// Sends close_notify (once; nothing while a record is half sent), then
  /// reads up to the peer's close_notify or end of stream, dropping data.
  Step close_notify(int fd);

  /// One direction's keys (§7.3): the traffic secret (kept for KeyUpdate),
  /// the AEAD key, the IV and the record sequence number. Public only so that
  /// the known-answer tests (tests/tls/) can check the key schedule and the
  /// nonce against RFC vectors; nothing outside this class keeps one.
  struct Direction {
    SecretBytes<kTls13SecretSize> secret;
    SecretBytes<kTls13SecretSize> key;
    SecretBytes<12> iv;
    std::uint64_t seq = 0;
    /// key and iv from `traffic_secret`; seq back to 0.
    void set(Tls13Secret traffic_secret);
    void update();  ///< §7.2: the next traffic secret ("traffic upd"), then set()
    /// §5.3: iv XOR the 64-bit big-endian seq, left-padded to 12 bytes.
    [[nodiscard]] std::array<std::uint8_t, 12> nonce() const;
  };

 private:
  Step receive(int fd);
  Step open();
  void seal(std::uint8_t type, ByteView content);
  Step flush(int fd);
  Step fail(boost::system::error_code ec);

  Direction rx_;  ///< the client's records
  Direction tx_;  ///< ours
  Bytes in_;      ///< the record being received (empty between records)
  std::size_t in_have_ = 0;
  SecretBuffer plain_;  ///< a record's plaintext not yet handed out
  std::size_t plain_at_ = 0;
  std::size_t plain_end_ = 0;
  Bytes out_;  ///< the record being sent (empty between records)
  std::size_t out_at_ = 0;
  std::size_t out_plain_ = 0;     ///< caller's bytes sealed in out_
  bool out_control_ = false;      ///< out_ is ours (KeyUpdate, alert), not the caller's
  bool key_update_due_ = false;   ///< the peer asked for our KeyUpdate
  bool peer_closed_ = false;
  bool close_sent_ = false;
  boost::system::error_code failed_;
};

}  // namespace hush::server::net
