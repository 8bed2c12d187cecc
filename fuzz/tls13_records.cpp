// Stateful fuzzing of Tls13Records (hushd's TLS 1.3 record layer, ADR 0004).
// The input is a script played by a client through a socketpair: records
// sealed properly under the client's keys (any inner type, content and
// padding, so alerts, KeyUpdate, padding and the limits past the MAC are
// reached), sealed then corrupted, raw bytes, end of stream, and our side's
// writes and close_notify. After every step our side reads until an error or
// Want::read. A model of RFC 8446 §5 says what the server must make of the
// records; invariants: no crash, leak or UB; every error is final (every
// later read and write returns it); read never returns a byte that was not
// sealed as application data, and, while only proper records were sent,
// returns exactly those bytes and the model's error; everything our side
// sends opens under the server's keys, with a KeyUpdate exactly when the
// client asked for one, and carries exactly the bytes write() took.
#include "fuzz_input.hpp"
#include "net/tls13_records.hpp"

#include <hush/crypto/aead.hpp>
#include <hush/util/check.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace {

using boost::system::error_code;
using hush::Bytes;
using hush::ByteView;
using hush::server::net::kTls13SecretSize;
using hush::server::net::Tls13Records;
using hush::server::net::Tls13Secret;
using Want = Tls13Records::Want;

constexpr std::uint8_t kAlert = 21;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kApplicationData = 23;
constexpr std::size_t kHeaderSize = 5;
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kMaxPlaintext = 16384;                 // §5.1
constexpr std::size_t kMaxCiphertext = kMaxPlaintext + 256;  // §5.2
// Bounds that keep one input fast.
constexpr std::size_t kMaxSteps = 96;
constexpr std::size_t kMaxInjected = 512 * 1024;
constexpr std::size_t kMaxWriteRetries = 64;

const std::array<std::uint8_t, kTls13SecretSize> kClientSecret = {
    0x2d, 0xca, 0x43, 0xb0, 0xae, 0x13, 0xaf, 0x89, 0xe9, 0x53, 0x3d, 0x39, 0xb6, 0x5d, 0xd2, 0x5c,
    0xc2, 0x2d, 0xf9, 0xe7, 0xaf, 0xca, 0xf0, 0x82, 0xa7, 0x68, 0x95, 0xa4, 0xda, 0x35, 0x3b, 0x50};
const std::array<std::uint8_t, kTls13SecretSize> kServerSecret = {
    0x49, 0x03, 0x3f, 0xf3, 0x03, 0xee, 0xf5, 0x73, 0x9d, 0x13, 0x76, 0xcb, 0x6d, 0x27, 0xeb, 0xd6,
    0x95, 0x73, 0x3f, 0x3c, 0x3f, 0x61, 0x7e, 0x7f, 0xc7, 0x6d, 0x02, 0xa6, 0xfa, 0xc6, 0x27, 0x7f};

error_code protocol_error() {
  return boost::system::errc::make_error_code(boost::system::errc::protocol_error);
}

using Script = hush::fuzz::FuzzInput;

/// The peer's view of one direction: the same Direction type, so the peer
/// follows the key schedule the known-answer tests (tests/tls/) hold to RFCs.
using Keys = Tls13Records::Direction;

Bytes seal(Keys& k, std::uint8_t outer_type, const Bytes& inner) {
  const std::size_t length = inner.size() + kTagSize;
  Bytes record(kHeaderSize);
  record[0] = outer_type;
  record[1] = 3;
  record[2] = 3;
  record[3] = static_cast<std::uint8_t>(length >> 8);
  record[4] = static_cast<std::uint8_t>(length);
  const auto nonce = k.nonce();
  auto sealed = hush::crypto::chacha20poly1305_ietf_encrypt(k.key.expose(), nonce, inner, record);
  HUSH_CHECK(sealed.has_value());
  record.insert(record.end(), sealed.value().begin(), sealed.value().end());
  ++k.seq;
  return record;
}

bool is_key_update(ByteView content, std::uint8_t& request) {
  if (content.size() != 5 || content[0] != 24 || content[1] != 0 || content[2] != 0 || content[3] != 1 ||
      content[4] > 1) {
    return false;
  }
  request = content[4];
  return true;
}

class Harness {
 public:
  Harness() {
    int fds[2];
    HUSH_CHECK(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    ours_ = fds[0];
    peer_ = fds[1];
    for (int fd : fds) HUSH_CHECK(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
    // A small send buffer on our side, so that writes of a whole record stop
    // halfway (Want::write) and are resumed.
    const int small = 4096;
    ::setsockopt(ours_, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    client_.set(Tls13Secret(kClientSecret));
    server_.set(Tls13Secret(kServerSecret));
  }
  ~Harness() {
    ::close(ours_);
    ::close(peer_);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  void run(Script& s) {
    for (std::size_t step = 0; step < kMaxSteps && !s.done(); ++step) {
      const std::uint8_t op = s.byte();
      switch (op % 10) {
        case 0: {  // application data, padded
          const Bytes content = s.take(s.byte());
          send_inner(kApplicationData, inner_of(content, kApplicationData, s.byte()));
          break;
        }
        case 1: {  // any inner type, any content, any outer type now and then
          const std::uint8_t type = s.byte();
          const std::uint8_t flags = s.byte();
          const Bytes content = s.take(s.byte());
          const std::uint8_t outer = (flags & 0x80) ? s.byte() : kApplicationData;
          send_inner(outer, inner_of(content, type, flags & 0x7f));
          break;
        }
        case 2: {  // alert
          const Bytes content{s.byte(), s.byte()};
          send_inner(kApplicationData, inner_of(content, kAlert, s.byte() % 8));
          break;
        }
        case 3: {  // KeyUpdate
          const Bytes content{24, 0, 0, 1, static_cast<std::uint8_t>(s.byte() % 3)};
          send_inner(kApplicationData, inner_of(content, kHandshake, s.byte() % 8));
          break;
        }
        case 4: {  // near the limits of §5.2 and §5.4
          const std::size_t size = kMaxPlaintext - 40 + s.byte() % 80;
          const std::size_t padding = s.word() % 300;
          send_inner(kApplicationData, inner_of(Bytes(size, s.byte()), kApplicationData, padding));
          break;
        }
        case 5: {  // sealed, then one bit flipped
          const Bytes content = s.take(s.byte());
          const std::uint16_t at = s.word();
          Bytes record = seal(client_, kApplicationData, inner_of(content, kApplicationData, 0));
          record[at % record.size()] ^= static_cast<std::uint8_t>(1u << (at >> 13));
          inexact_ = true;
          inject(record);
          break;
        }
        case 6: {  // raw bytes
          const Bytes raw = s.take(s.byte());
          if (!raw.empty()) raw_ = true;
          inject(raw);
          break;
        }
        case 7: {  // our side writes (one record at most is taken)
          const std::size_t size = s.word() % (kMaxPlaintext + 600) + 1;
          write(size, s.byte());
          break;
        }
        case 8:
          if (!shut_) {
            ::shutdown(peer_, SHUT_WR);
            shut_ = true;
          }
          break;
        default:
          close();
          break;
      }
      read_all();
    }
    drain();
  }

 private:
  /// content ‖ type ‖ padding zeros (§5.2 TLSInnerPlaintext).
  static Bytes inner_of(const Bytes& content, std::uint8_t type, std::size_t padding) {
    Bytes inner = content;
    inner.push_back(type);
    inner.resize(inner.size() + padding, 0);
    return inner;
  }

  /// Seals `inner` under the client's keys, sends it, and feeds the model
  /// with what the server must make of it (§5.1–5.4, §4.6.3, §6).
  void send_inner(std::uint8_t outer_type, const Bytes& inner) {
    const Bytes record = seal(client_, outer_type, inner);
    model(outer_type, inner);
    inject(record);
  }

  /// The peer switches keys after every well-formed KeyUpdate it sends; the
  /// rest of the model is kept only while it can be exact.
  void model(std::uint8_t outer_type, const Bytes& inner) {
    const bool tracking = state_ == State::open && !raw_ && !inexact_;
    const auto fail = [this, tracking](error_code ec) {
      if (!tracking) return;
      state_ = State::failed;
      model_ec_ = ec;
    };
    if (outer_type != kApplicationData || inner.size() + kTagSize > kMaxCiphertext ||
        inner.size() > kMaxPlaintext + 1) {
      return fail(protocol_error());
    }
    std::size_t end = inner.size();
    while (end > 0 && inner[end - 1] == 0) --end;
    if (end == 0) return fail(protocol_error());
    const std::uint8_t type = inner[end - 1];
    const ByteView content(inner.data(), end - 1);
    std::uint8_t request = 0;
    switch (type) {
      case kApplicationData:
        if (tracking) expected_.insert(expected_.end(), content.begin(), content.end());
        return;
      case kAlert:
        if (content.size() != 2) return fail(protocol_error());
        if (content[1] == 0) {
          if (tracking) state_ = State::eof;
        } else if (content[1] != 90) {
          fail(boost::asio::error::connection_reset);
        }
        return;
      case kHandshake:
        if (!is_key_update(content, request)) return fail(protocol_error());
        client_.update();
        if (tracking && request == 1) update_due_ = true;
        return;
      default:
        return fail(protocol_error());
    }
  }

  void inject(const Bytes& bytes) {
    if (bytes.empty()) return;
    if (broken_ || shut_ || injected_ + bytes.size() > kMaxInjected) {
      inexact_ = true;  // the model saw a record the server never gets
      return;
    }
    std::size_t at = 0;
    while (at < bytes.size()) {
      const ssize_t n = ::send(peer_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) {
        broken_ = true;  // the server stopped reading (it failed) and the buffer is full
        inexact_ = true;
        break;
      }
      at += static_cast<std::size_t>(n);
    }
    injected_ += at;
  }

  /// Reads until an error or Want::read, checking every step.
  void read_all() {
    std::array<std::uint8_t, 1500> buf{};
    for (;;) {
      const std::size_t want = 1 + got_.size() % buf.size();  // varying buffer sizes
      const auto r = records_.read(ours_, boost::asio::buffer(buf.data(), want));
      HUSH_CHECK(r.bytes <= want);
      if (failed_) {
        HUSH_CHECK(r.ec == failed_ && r.bytes == 0);
        return;
      }
      if (eof_ && !r.ec) HUSH_CHECK(false);  // eof is final for reading
      if (r.ec) {
        HUSH_CHECK(r.bytes == 0 && r.want == Want::nothing);
        if (r.ec == boost::asio::error::eof) {
          eof_ = true;
        } else {
          failed_ = r.ec;
        }
        check_outcome(r.ec);
        return;
      }
      if (r.want != Want::nothing) {
        HUSH_CHECK(r.want == Want::read && r.bytes == 0);
        check_outcome({});
        return;
      }
      HUSH_CHECK(r.bytes > 0);
      got_.insert(got_.end(), buf.data(), buf.data() + r.bytes);
      // Never a byte that was not sealed as application data.
      HUSH_CHECK(got_.size() <= injected_);
      if (!raw_) HUSH_CHECK(got_.size() <= expected_.size() && std::equal(got_.begin(), got_.end(), expected_.begin()));
    }
  }

  /// While only proper records went out, the server ends where the model does.
  void check_outcome(error_code ec) {
    if (raw_ || inexact_ || closed_) return;
    HUSH_CHECK(got_ == expected_);
    switch (state_) {
      case State::open:
        HUSH_CHECK(ec == (shut_ ? error_code(boost::asio::ssl::error::stream_truncated) : error_code()));
        break;
      case State::eof:
        HUSH_CHECK(ec == boost::asio::error::eof);
        break;
      case State::failed:
        HUSH_CHECK(ec == model_ec_);
        break;
    }
  }

  void write(std::size_t size, std::uint8_t fill) {
    if (closed_) return;  // no writes after our close_notify
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(fill + i);
    const bool exact = !raw_ && !inexact_ && !failed_;
    const bool update_expected = exact && update_due_;
    keyupdates_seen_ = 0;
    Tls13Records::Step w;
    // The peer drains everything each time, so a record always goes out in
    // a bounded number of rounds; the caller's bytes stay the same meanwhile.
    for (std::size_t tries = 0;; ++tries) {
      w = records_.write(ours_, data.data(), data.size());
      if (w.want != Want::write) break;
      HUSH_CHECK(tries < kMaxWriteRetries);
      drain();
    }
    if (failed_) {
      HUSH_CHECK(w.ec == failed_ && w.bytes == 0);
      return;
    }
    if (w.ec) {  // a socket error: final from here on
      HUSH_CHECK(w.bytes == 0);
      failed_ = w.ec;
      return;
    }
    HUSH_CHECK(w.bytes > 0 && w.bytes <= std::min(size, kMaxPlaintext));
    written_.insert(written_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(w.bytes));
    drain();
    HUSH_CHECK(opened_ == written_);
    if (exact) HUSH_CHECK(keyupdates_seen_ == (update_expected ? 1u : 0u));
    if (exact) update_due_ = false;
  }

  void close() {
    closed_ = true;
    for (std::size_t tries = 0;; ++tries) {
      const auto c = records_.close_notify(ours_);
      HUSH_CHECK(!c.ec);  // close_notify reports nothing: the stream is going away
      if (c.want != Want::write) break;
      HUSH_CHECK(tries < kMaxWriteRetries);
      drain();
    }
    drain();
  }

  /// Opens everything our side sent: it must all verify under the server's
  /// keys as the peer computes them.
  void drain() {
    std::array<std::uint8_t, 4096> buf{};
    for (;;) {
      const ssize_t n = ::recv(peer_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      wire_.insert(wire_.end(), buf.data(), buf.data() + n);
    }
    while (wire_.size() >= kHeaderSize) {
      HUSH_CHECK(wire_[0] == kApplicationData && wire_[1] == 3 && wire_[2] == 3);
      const std::size_t length = (std::size_t{wire_[3]} << 8) | wire_[4];
      HUSH_CHECK(length > kTagSize && length <= kMaxPlaintext + 1 + kTagSize);
      if (wire_.size() < kHeaderSize + length) break;
      const ByteView header(wire_.data(), kHeaderSize);
      const ByteView sealed(wire_.data() + kHeaderSize, length);
      const auto nonce = server_.nonce();
      auto opened = hush::crypto::chacha20poly1305_ietf_decrypt(server_.key.expose(), nonce, sealed, header);
      HUSH_CHECK(opened.has_value());
      ++server_.seq;
      const ByteView inner = opened.value().expose();
      HUSH_CHECK(!inner.empty() && inner.back() != 0);  // we never pad
      const std::uint8_t type = inner.back();
      const ByteView content = inner.first(inner.size() - 1);
      std::uint8_t request = 0;
      HUSH_CHECK(!alert_seen_);  // nothing after our close_notify
      switch (type) {
        case kApplicationData:
          HUSH_CHECK(!content.empty());
          opened_.insert(opened_.end(), content.begin(), content.end());
          break;
        case kHandshake:
          HUSH_CHECK(is_key_update(content, request) && request == 0);
          server_.update();
          ++keyupdates_seen_;
          break;
        case kAlert:
          HUSH_CHECK(closed_ && content.size() == 2 && content[0] == 1 && content[1] == 0);
          alert_seen_ = true;
          break;
        default:
          HUSH_CHECK(false);
      }
      wire_.erase(wire_.begin(), wire_.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + length));
    }
  }

  enum class State { open, eof, failed };

  int ours_ = -1;
  int peer_ = -1;
  Tls13Records records_{Tls13Secret(kClientSecret), Tls13Secret(kServerSecret)};
  Keys client_;  ///< what the peer seals with (follows its own KeyUpdates)
  Keys server_;  ///< what the peer opens ours with (follows ours)

  // The model of the server's reading (valid while !raw_ && !inexact_).
  State state_ = State::open;
  error_code model_ec_;
  bool update_due_ = false;
  Bytes expected_;  ///< application data sealed, in order: what read may return

  bool raw_ = false;      ///< raw bytes went out: only the byte count bounds read
  bool inexact_ = false;  ///< a corrupt or dropped record: only the prefix rule holds
  bool broken_ = false;
  bool shut_ = false;
  bool closed_ = false;
  bool eof_ = false;
  bool alert_seen_ = false;
  std::size_t injected_ = 0;
  std::size_t keyupdates_seen_ = 0;
  error_code failed_;
  Bytes got_;      ///< what read returned
  Bytes written_;  ///< what write took
  Bytes wire_;     ///< what our side sent, not yet opened
  Bytes opened_;   ///< application data opened from wire_
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Script script(data, size);
  Harness harness;
  harness.run(script);
  return 0;
}
