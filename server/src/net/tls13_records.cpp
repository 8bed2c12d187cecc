// Tls13Records (see tls13_records.hpp): key schedule pieces of RFC 8446 §7
// (HKDF-Expand-Label over HMAC-SHA256, per-record nonces, KeyUpdate), record
// framing (§5.1–5.4) and the descriptor I/O. AEAD and HMAC come from
// hush::crypto; every plaintext and key lives in a wiping container.
#include "net/tls13_records.hpp"

#include <hush/crypto/aead.hpp>
#include <hush/crypto/hmac.hpp>
#include <hush/util/check.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace hush::server::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr std::size_t kHeaderSize = 5;
constexpr std::size_t kTagSize = 16;
/// §5.1: the largest plaintext of a record.
constexpr std::size_t kMaxPlaintext = 16 * 1024;
/// §5.2: the largest ciphertext (plaintext, content type, padding and tag).
constexpr std::size_t kMaxCiphertext = kMaxPlaintext + 256;
constexpr std::uint8_t kApplicationData = 23;
constexpr std::uint8_t kAlert = 21;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kKeyUpdate = 24;
constexpr std::uint8_t kCloseNotify = 0;
constexpr std::uint8_t kUserCanceled = 90;

error_code protocol_error() { return boost::system::errc::make_error_code(boost::system::errc::protocol_error); }

bool is_retry(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == EINTR; }

}  // namespace

/// T(1) = HMAC(secret, HkdfLabel ‖ 0x01): one block is all a 32-byte secret,
/// key or 12-byte IV needs.
void tls13_expand_label(Tls13Secret secret, std::string_view label, std::span<std::uint8_t> out) {
  constexpr std::string_view kPrefix = "tls13 ";
  HUSH_CHECK(out.size() <= kTls13SecretSize && kPrefix.size() + label.size() <= 255);
  Bytes info;
  info.reserve(4 + kPrefix.size() + label.size() + 1);
  info.push_back(static_cast<std::uint8_t>(out.size() >> 8));
  info.push_back(static_cast<std::uint8_t>(out.size() & 0xff));
  info.push_back(static_cast<std::uint8_t>(kPrefix.size() + label.size()));
  info.insert(info.end(), kPrefix.begin(), kPrefix.end());
  info.insert(info.end(), label.begin(), label.end());
  info.push_back(0);  // empty context
  info.push_back(1);  // the block counter
  const auto t = crypto::hmac_sha256(secret, info);
  std::memcpy(out.data(), t.expose().data(), out.size());
}

void Tls13Records::Direction::set(Tls13Secret traffic_secret) {
  secret = SecretBytes<kTls13SecretSize>(traffic_secret);
  tls13_expand_label(traffic_secret, "key", key.expose_mut());
  tls13_expand_label(traffic_secret, "iv", iv.expose_mut());
  seq = 0;
}

void Tls13Records::Direction::update() {
  SecretBytes<kTls13SecretSize> next;
  tls13_expand_label(secret.expose(), "traffic upd", next.expose_mut());
  set(next.expose());
}

std::array<std::uint8_t, 12> Tls13Records::Direction::nonce() const {
  std::array<std::uint8_t, 12> n{};
  std::memcpy(n.data(), iv.expose().data(), n.size());
  for (std::size_t i = 0; i < 8; ++i) n[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
  return n;
}

Tls13Records::Tls13Records(Tls13Secret client_secret, Tls13Secret server_secret) {
  rx_.set(client_secret);
  tx_.set(server_secret);
}

Tls13Records::Step Tls13Records::fail(error_code ec) {
  failed_ = ec;
  in_ = Bytes();
  plain_ = SecretBuffer();
  return {Want::nothing, ec, 0};
}

Tls13Records::Step Tls13Records::read(int fd, asio::mutable_buffer b) {
  for (;;) {
    if (failed_) return {Want::nothing, failed_, 0};
    if (plain_at_ < plain_end_) {
      const std::size_t n = std::min(b.size(), plain_end_ - plain_at_);
      std::memcpy(b.data(), plain_.expose().data() + plain_at_, n);
      plain_at_ += n;
      if (plain_at_ == plain_end_) {
        plain_ = SecretBuffer();  // idle connections hold no plaintext
        plain_at_ = plain_end_ = 0;
      }
      return {Want::nothing, {}, n};
    }
    if (peer_closed_) return {Want::nothing, asio::error::eof, 0};
    Step s = receive(fd);
    if (s.want != Want::nothing) return s;
    if (s.ec) return fail(s.ec);
    s = open();
    if (s.ec) return fail(s.ec);
  }
}

/// Reads the header, then exactly the record it announces (nothing beyond).
Tls13Records::Step Tls13Records::receive(int fd) {
  if (in_.empty()) {
    in_.resize(kHeaderSize);
    in_have_ = 0;
  }
  for (;;) {
    if (in_have_ == in_.size()) {
      if (in_.size() > kHeaderSize) return {};
      // §5.2: after the handshake every record is application_data on the wire.
      const std::size_t length = (std::size_t{in_[3]} << 8) | in_[4];
      if (in_[0] != kApplicationData || in_[1] != 3 || in_[2] != 3 || length < kTagSize + 1 ||
          length > kMaxCiphertext) {
        return {Want::nothing, protocol_error(), 0};
      }
      in_.resize(kHeaderSize + length);
      continue;
    }
    const ssize_t n = ::recv(fd, in_.data() + in_have_, in_.size() - in_have_, 0);
    if (n > 0) {
      in_have_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return {Want::nothing, asio::ssl::error::stream_truncated, 0};
    if (is_retry(errno)) return {Want::read, {}, 0};
    return {Want::nothing, error_code(errno, boost::system::system_category()), 0};
  }
}

/// Decrypts the received record and acts on its content type (§5.4).
Tls13Records::Step Tls13Records::open() {
  const Bytes record = std::move(in_);
  in_ = Bytes();
  in_have_ = 0;
  const ByteView header(record.data(), kHeaderSize);
  const ByteView sealed(record.data() + kHeaderSize, record.size() - kHeaderSize);
  const auto nonce = rx_.nonce();
  auto opened = crypto::chacha20poly1305_ietf_decrypt(rx_.key.expose(), nonce, sealed, header);
  if (!opened) return {Want::nothing, protocol_error(), 0};  // bad_record_mac
  ++rx_.seq;
  const auto inner = opened.value().expose();
  // §5.4: the whole TLSInnerPlaintext, padding included, is at most 2^14 + 1
  // (record_overflow); §5.2's ciphertext limit alone would let padding past it.
  if (inner.size() > kMaxPlaintext + 1) return {Want::nothing, protocol_error(), 0};
  std::size_t end = inner.size();
  while (end > 0 && inner[end - 1] == 0) --end;  // padding
  if (end == 0) return {Want::nothing, protocol_error(), 0};
  const std::uint8_t type = inner[end - 1];
  const std::size_t size = end - 1;
  switch (type) {
    case kApplicationData:
      if (size == 0) return {};
      plain_ = std::move(opened.value());
      plain_at_ = 0;
      plain_end_ = size;
      return {};
    case kAlert:
      if (size != 2) return {Want::nothing, protocol_error(), 0};
      if (inner[1] == kCloseNotify) {
        peer_closed_ = true;
        return {};
      }
      if (inner[1] == kUserCanceled) return {};  // a close_notify follows
      return {Want::nothing, asio::error::connection_reset, 0};
    case kHandshake:
      // Only KeyUpdate, whole and last in its record (§4.6.3, §5.1).
      if (size != 5 || inner[0] != kKeyUpdate || inner[1] != 0 || inner[2] != 0 || inner[3] != 1 || inner[4] > 1) {
        return {Want::nothing, protocol_error(), 0};
      }
      rx_.update();
      if (inner[4] == 1) key_update_due_ = true;  // ours goes before our next record
      return {};
    default:
      return {Want::nothing, protocol_error(), 0};
  }
}

void Tls13Records::seal(std::uint8_t type, ByteView content) {
  SecretBuffer inner(content.size() + 1);
  auto plain = inner.expose_mut();
  if (!content.empty()) std::memcpy(plain.data(), content.data(), content.size());
  plain[content.size()] = type;
  const std::size_t length = inner.size() + kTagSize;
  const std::array<std::uint8_t, kHeaderSize> header{kApplicationData, 3, 3, static_cast<std::uint8_t>(length >> 8),
                                                    static_cast<std::uint8_t>(length & 0xff)};
  const auto nonce = tx_.nonce();
  auto sealed = crypto::chacha20poly1305_ietf_encrypt(tx_.key.expose(), nonce, inner.expose(), header);
  HUSH_CHECK(sealed.has_value() && sealed.value().size() == length);
  ++tx_.seq;
  out_.resize(kHeaderSize + length);
  std::memcpy(out_.data(), header.data(), kHeaderSize);
  std::memcpy(out_.data() + kHeaderSize, sealed.value().data(), length);
  out_at_ = 0;
}

Tls13Records::Step Tls13Records::flush(int fd) {
  while (out_at_ < out_.size()) {
    const ssize_t n = ::send(fd, out_.data() + out_at_, out_.size() - out_at_, MSG_NOSIGNAL);
    if (n >= 0) {
      out_at_ += static_cast<std::size_t>(n);
      continue;
    }
    if (is_retry(errno)) return {Want::write, {}, 0};
    return {Want::nothing, error_code(errno, boost::system::system_category()), 0};
  }
  out_ = Bytes();  // idle connections hold no record
  out_at_ = 0;
  return {};
}

Tls13Records::Step Tls13Records::write(int fd, const void* data, std::size_t size) {
  for (;;) {
    if (failed_) return {Want::nothing, failed_, 0};
    if (out_.empty()) {
      if (key_update_due_) {
        const std::array<std::uint8_t, 5> key_update{kKeyUpdate, 0, 0, 1, 0};  // update_not_requested
        seal(kHandshake, key_update);
        tx_.update();
        key_update_due_ = false;
        out_control_ = true;
        out_plain_ = 0;
      } else {
        out_plain_ = std::min(size, kMaxPlaintext);
        seal(kApplicationData, ByteView(static_cast<const std::uint8_t*>(data), out_plain_));
        out_control_ = false;
      }
    }
    const Step s = flush(fd);
    if (s.want != Want::nothing) return s;
    if (s.ec) return fail(s.ec);
    if (!out_control_) return {Want::nothing, {}, out_plain_};
  }
}

Tls13Records::Step Tls13Records::close_notify(int fd) {
  if (failed_) return {};
  if (!close_sent_) {
    if (!out_.empty()) return {};  // a write is half done: the stream is going away anyway
    const std::array<std::uint8_t, 2> alert{1, kCloseNotify};  // warning, close_notify
    seal(kAlert, alert);
    close_sent_ = true;
    out_control_ = true;
  }
  const Step s = flush(fd);
  if (s.want != Want::nothing) return s;
  if (s.ec) return {};  // the peer is gone already
  // §6.1: then read up to the peer's close_notify, dropping its data.
  while (!peer_closed_) {
    plain_ = SecretBuffer();
    plain_at_ = plain_end_ = 0;
    Step r = receive(fd);
    if (r.want != Want::nothing) return r;
    if (r.ec) return {};  // gone without its close_notify: ours was sent
    r = open();
    if (r.ec) {
      fail(r.ec);
      return {};
    }
  }
  return {};
}

}  // namespace hush::server::net
