// Tls13Records against records built without any of its code: the test's
// peer derives keys with OpenSSL's HMAC (checked against RFC 8448 in
// tls13_key_schedule_test.cpp) and seals and opens with libsodium's
// crypto_aead_chacha20poly1305_ietf_* directly (RFC 8446 §5.2–5.4: header as
// associated data, inner plaintext = content ‖ type ‖ zero padding, nonce =
// iv XOR seq). Records travel through a socketpair whose end under test is
// non-blocking, as in hushd.
#include "net/tls13_records.hpp"

#include <hush/util/check.hpp>

#include "openssl_expand_label.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace hush::server::net {
namespace {

using Step = Tls13Records::Step;
using Want = Tls13Records::Want;

constexpr std::uint8_t kAlert = 21;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kApplicationData = 23;
constexpr std::size_t kMaxPlaintext = 16384;

Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

using testing::openssl_expand;

/// One direction as the peer sees it (RFC 8446 §7.3), with no Hush code.
struct PeerKeys {
  Bytes secret, key, iv;
  std::uint64_t seq = 0;
  explicit PeerKeys(const Bytes& s) { set(s); }
  void set(const Bytes& s) {
    secret = s;
    key = openssl_expand(s, "key", 32);
    iv = openssl_expand(s, "iv", 12);
    seq = 0;
  }
  void update() { set(openssl_expand(secret, "traffic upd", 32)); }
  std::array<std::uint8_t, 12> nonce() const {
    std::array<std::uint8_t, 12> n{};
    std::copy(iv.begin(), iv.end(), n.begin());
    for (int i = 0; i < 8; ++i) n[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
    return n;
  }
};

/// A whole record: header ‖ AEAD(content ‖ type ‖ padding zeros).
Bytes seal(PeerKeys& k, std::uint8_t type, const Bytes& content, std::size_t padding = 0,
           std::uint8_t outer_type = kApplicationData) {
  Bytes inner = content;
  inner.push_back(type);
  inner.resize(inner.size() + padding, 0);
  const std::size_t length = inner.size() + crypto_aead_chacha20poly1305_ietf_ABYTES;
  Bytes record(5 + length);
  record[0] = outer_type;
  record[1] = 3;
  record[2] = 3;
  record[3] = static_cast<std::uint8_t>(length >> 8);
  record[4] = static_cast<std::uint8_t>(length);
  unsigned long long sealed_size = 0;
  const auto n = k.nonce();
  crypto_aead_chacha20poly1305_ietf_encrypt(record.data() + 5, &sealed_size, inner.data(), inner.size(), record.data(),
                                            5, nullptr, n.data(), k.key.data());
  EXPECT_EQ(sealed_size, length);
  ++k.seq;
  return record;
}

struct Opened {
  std::uint8_t type = 0;
  Bytes content;
};

/// Takes the first record off `wire` and opens it; nullopt if it is not whole
/// or does not verify.
std::optional<Opened> open_front(PeerKeys& k, Bytes& wire) {
  if (wire.size() < 5) return std::nullopt;
  EXPECT_EQ(wire[0], kApplicationData);
  EXPECT_EQ(wire[1], 3);
  EXPECT_EQ(wire[2], 3);
  const std::size_t length = (std::size_t{wire[3]} << 8) | wire[4];
  if (wire.size() < 5 + length || length < crypto_aead_chacha20poly1305_ietf_ABYTES) return std::nullopt;
  Bytes inner(length - crypto_aead_chacha20poly1305_ietf_ABYTES);
  unsigned long long inner_size = 0;
  const auto n = k.nonce();
  if (crypto_aead_chacha20poly1305_ietf_decrypt(inner.data(), &inner_size, nullptr, wire.data() + 5, length,
                                                wire.data(), 5, n.data(), k.key.data()) != 0) {
    return std::nullopt;
  }
  ++k.seq;
  wire.erase(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(5 + length));
  while (!inner.empty() && inner.back() == 0) inner.pop_back();
  if (inner.empty()) return std::nullopt;
  Opened o;
  o.type = inner.back();
  inner.pop_back();
  o.content = std::move(inner);
  return o;
}

Bytes pattern_secret(std::uint8_t first) {
  Bytes s(32);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(first + i);
  return s;
}

class Tls13RecordsTest : public ::testing::Test {
 protected:
  Tls13RecordsTest() {
    int fds[2];
    HUSH_CHECK(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    ours_ = fds[0];
    peer_ = fds[1];
    HUSH_CHECK(::fcntl(ours_, F_SETFL, ::fcntl(ours_, F_GETFL) | O_NONBLOCK) == 0);
  }
  ~Tls13RecordsTest() override {
    ::close(ours_);
    if (peer_ >= 0) ::close(peer_);
  }

  void peer_send(const Bytes& b) {
    std::size_t at = 0;
    while (at < b.size()) {
      const ssize_t n = ::send(peer_, b.data() + at, b.size() - at, MSG_NOSIGNAL);
      ASSERT_GT(n, 0);
      at += static_cast<std::size_t>(n);
    }
  }
  void peer_shutdown() { ::shutdown(peer_, SHUT_WR); }
  /// Everything our side has sent so far.
  Bytes peer_receive() {
    Bytes out;
    std::uint8_t buf[4096];
    for (;;) {
      const ssize_t n = ::recv(peer_, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) break;
      out.insert(out.end(), buf, buf + n);
    }
    return out;
  }

  /// Reads until an error or Want::read; `data` gets what was returned.
  Step read_all(Bytes& data, std::size_t chunk = 4096) {
    Bytes buf(chunk);
    for (;;) {
      const Step s = records_.read(ours_, boost::asio::buffer(buf));
      if (s.ec || s.want != Want::nothing) return s;
      EXPECT_GT(s.bytes, 0u);
      data.insert(data.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(s.bytes));
    }
  }
  Step write(std::string_view s) { return records_.write(ours_, s.data(), s.size()); }

  /// After an error every call fails with it.
  void expect_final(boost::system::error_code ec) {
    std::uint8_t b[16];
    const Step r = records_.read(ours_, boost::asio::buffer(b));
    EXPECT_EQ(r.ec, ec);
    EXPECT_EQ(r.bytes, 0u);
    const Step w = write("x");
    EXPECT_EQ(w.ec, ec);
    EXPECT_EQ(w.bytes, 0u);
    EXPECT_TRUE(peer_receive().empty());
  }

  int ours_ = -1;
  int peer_ = -1;
  const Bytes client_secret_ = pattern_secret(0x10);
  const Bytes server_secret_ = pattern_secret(0x80);
  Tls13Records records_{Tls13Secret(client_secret_.data(), 32), Tls13Secret(server_secret_.data(), 32)};
  PeerKeys client_{client_secret_};  ///< the peer seals with these
  PeerKeys server_{server_secret_};  ///< and opens ours with these
};

const boost::system::error_code kProtocolError =
    boost::system::errc::make_error_code(boost::system::errc::protocol_error);

TEST_F(Tls13RecordsTest, ReadsApplicationDataAndStripsPadding) {
  peer_send(seal(client_, kApplicationData, bytes_of("hello"), 100));
  peer_send(seal(client_, kApplicationData, bytes_of(" world")));
  Bytes data;
  const Step s = read_all(data);
  EXPECT_EQ(s.want, Want::read);
  EXPECT_FALSE(s.ec);
  EXPECT_EQ(data, bytes_of("hello world"));
}

TEST_F(Tls13RecordsTest, HandsOutOneRecordThroughSmallBuffers) {
  peer_send(seal(client_, kApplicationData, bytes_of("abcdefg"), 3));
  Bytes data;
  const Step s = read_all(data, 2);
  EXPECT_EQ(s.want, Want::read);
  EXPECT_EQ(data, bytes_of("abcdefg"));
}

TEST_F(Tls13RecordsTest, SkipsZeroLengthApplicationData) {
  // §5.4: zero-length application data may be sent (traffic analysis cover).
  peer_send(seal(client_, kApplicationData, {}));
  peer_send(seal(client_, kApplicationData, {}, 40));
  peer_send(seal(client_, kApplicationData, bytes_of("x")));
  Bytes data;
  const Step s = read_all(data);
  EXPECT_EQ(s.want, Want::read);
  EXPECT_EQ(data, bytes_of("x"));
}

TEST_F(Tls13RecordsTest, ReadsARecordThatArrivesByteByByte) {
  const Bytes record = seal(client_, kApplicationData, bytes_of("slow"), 5);
  Bytes data;
  for (std::size_t i = 0; i < record.size(); ++i) {
    peer_send(Bytes{record[i]});
    const Step s = read_all(data);
    ASSERT_EQ(s.want, Want::read);
    ASSERT_FALSE(s.ec);
  }
  EXPECT_EQ(data, bytes_of("slow"));
}

TEST_F(Tls13RecordsTest, AcceptsTheLargestRecords) {
  // 2^14 bytes of content: inner plaintext 2^14 + 1 (§5.4), the limit.
  const Bytes big(kMaxPlaintext, 0x5a);
  peer_send(seal(client_, kApplicationData, big));
  Bytes data;
  EXPECT_EQ(read_all(data).want, Want::read);
  EXPECT_EQ(data, big);
}

TEST_F(Tls13RecordsTest, KeyUpdateWithUpdateRequestedIsAnsweredBeforeOurNextRecord) {
  // §4.6.3: KeyUpdate(update_requested) under the old key; then data under
  // the peer's next key.
  peer_send(seal(client_, kHandshake, Bytes{24, 0, 0, 1, 1}));
  client_.update();
  peer_send(seal(client_, kApplicationData, bytes_of("after")));
  Bytes data;
  EXPECT_EQ(read_all(data).want, Want::read);
  EXPECT_EQ(data, bytes_of("after"));

  // Our next write: a KeyUpdate(update_not_requested) under the old key,
  // then the data under the new one, sequence numbers from 0.
  Step w = write("pong");
  EXPECT_FALSE(w.ec);
  EXPECT_EQ(w.bytes, 4u);
  Bytes wire = peer_receive();
  auto first = open_front(server_, wire);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->type, kHandshake);
  EXPECT_EQ(first->content, (Bytes{24, 0, 0, 1, 0}));
  server_.update();
  auto second = open_front(server_, wire);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->type, kApplicationData);
  EXPECT_EQ(second->content, bytes_of("pong"));
  EXPECT_TRUE(wire.empty());

  // Only once: the write after that is data alone.
  w = write("again");
  EXPECT_EQ(w.bytes, 5u);
  wire = peer_receive();
  auto third = open_front(server_, wire);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->content, bytes_of("again"));
  EXPECT_TRUE(wire.empty());

  // And the peer's records keep flowing under its new key.
  peer_send(seal(client_, kApplicationData, bytes_of("more")));
  data.clear();
  EXPECT_EQ(read_all(data).want, Want::read);
  EXPECT_EQ(data, bytes_of("more"));
}

TEST_F(Tls13RecordsTest, KeyUpdateWithoutRequestChangesOnlyThePeersKey) {
  peer_send(seal(client_, kHandshake, Bytes{24, 0, 0, 1, 0}, 7));
  client_.update();
  peer_send(seal(client_, kApplicationData, bytes_of("a")));
  Bytes data;
  EXPECT_EQ(read_all(data).want, Want::read);
  EXPECT_EQ(data, bytes_of("a"));
  EXPECT_EQ(write("b").bytes, 1u);
  Bytes wire = peer_receive();
  auto r = open_front(server_, wire);  // still under the first server key
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, kApplicationData);
  EXPECT_EQ(r->content, bytes_of("b"));
  EXPECT_TRUE(wire.empty());
}

TEST_F(Tls13RecordsTest, WriteResumesAfterWantWriteAndKeyUpdateWaitsForTheRecordInFlight) {
  // A send buffer smaller than one record: write stops halfway (Want::write).
  const int small = 4096;
  ASSERT_EQ(::setsockopt(ours_, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  const std::string big(kMaxPlaintext, 'q');
  Step w = write(big);
  ASSERT_EQ(w.want, Want::write);
  EXPECT_EQ(w.bytes, 0u);
  // Meanwhile the peer asks for our KeyUpdate: the record in flight finishes
  // under the old key first (§4.6.3 applies to the next record).
  peer_send(seal(client_, kHandshake, Bytes{24, 0, 0, 1, 1}));
  client_.update();
  Bytes data;
  EXPECT_EQ(read_all(data).want, Want::read);
  Bytes wire;
  for (int i = 0; w.want == Want::write; ++i) {
    ASSERT_LT(i, 100);
    const Bytes part = peer_receive();
    wire.insert(wire.end(), part.begin(), part.end());
    w = write(big);  // again with the same bytes
  }
  EXPECT_FALSE(w.ec);
  EXPECT_EQ(w.bytes, kMaxPlaintext);
  const Bytes rest = peer_receive();
  wire.insert(wire.end(), rest.begin(), rest.end());
  auto r = open_front(server_, wire);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, kApplicationData);
  EXPECT_EQ(r->content, Bytes(big.begin(), big.end()));
  EXPECT_TRUE(wire.empty());

  EXPECT_EQ(write("next").bytes, 4u);
  wire = peer_receive();
  r = open_front(server_, wire);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, kHandshake);
  EXPECT_EQ(r->content, (Bytes{24, 0, 0, 1, 0}));
  server_.update();
  r = open_front(server_, wire);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->content, bytes_of("next"));
  EXPECT_TRUE(wire.empty());
}

TEST_F(Tls13RecordsTest, WritesRecordsUnderTheServerKeys) {
  EXPECT_EQ(write("one").bytes, 3u);
  EXPECT_EQ(write("two").bytes, 3u);
  const std::string big(kMaxPlaintext + 100, 'z');
  EXPECT_EQ(write(big).bytes, kMaxPlaintext);  // one record at most
  Bytes wire = peer_receive();
  for (const char* expected : {"one", "two"}) {
    auto r = open_front(server_, wire);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->type, kApplicationData);
    EXPECT_EQ(r->content, bytes_of(expected));
  }
  auto r = open_front(server_, wire);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->content.size(), kMaxPlaintext);
  EXPECT_TRUE(wire.empty());
}

TEST_F(Tls13RecordsTest, CloseNotifyIsEndOfStream) {
  peer_send(seal(client_, kApplicationData, bytes_of("last")));
  peer_send(seal(client_, kAlert, Bytes{1, 0}));
  peer_send(seal(client_, kApplicationData, bytes_of("ignored")));
  Bytes data;
  Step s = read_all(data);
  EXPECT_EQ(s.ec, boost::asio::error::eof);
  EXPECT_EQ(data, bytes_of("last"));
  s = read_all(data);
  EXPECT_EQ(s.ec, boost::asio::error::eof);
  // Half-close: we may still write, and our close_notify goes out.
  EXPECT_EQ(write("bye").bytes, 3u);
  s = records_.close_notify(ours_);
  EXPECT_EQ(s.want, Want::nothing);
  Bytes wire = peer_receive();
  auto r = open_front(server_, wire);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->content, bytes_of("bye"));
  r = open_front(server_, wire);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, kAlert);
  EXPECT_EQ(r->content, (Bytes{1, 0}));
}

TEST_F(Tls13RecordsTest, UserCanceledIsIgnored) {
  peer_send(seal(client_, kAlert, Bytes{1, 90}));
  peer_send(seal(client_, kApplicationData, bytes_of("still here")));
  Bytes data;
  EXPECT_EQ(read_all(data).want, Want::read);
  EXPECT_EQ(data, bytes_of("still here"));
}

TEST_F(Tls13RecordsTest, FatalAlertResetsForGood) {
  peer_send(seal(client_, kAlert, Bytes{2, 40}));  // handshake_failure
  Bytes data;
  EXPECT_EQ(read_all(data).ec, boost::asio::error::connection_reset);
  expect_final(boost::asio::error::connection_reset);
}

TEST_F(Tls13RecordsTest, MalformedAlertIsAProtocolError) {
  peer_send(seal(client_, kAlert, Bytes{1, 0, 0}));
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
  expect_final(kProtocolError);
}

TEST_F(Tls13RecordsTest, BadTagIsAProtocolErrorForGood) {
  Bytes record = seal(client_, kApplicationData, bytes_of("tampered"));
  record[7] ^= 1;
  peer_send(record);
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
  EXPECT_TRUE(data.empty());
  expect_final(kProtocolError);
}

TEST_F(Tls13RecordsTest, ReplayedRecordFailsItsTag) {
  const Bytes record = seal(client_, kApplicationData, bytes_of("once"));
  peer_send(record);
  peer_send(record);  // same bytes, expected under seq 1
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
  EXPECT_EQ(data, bytes_of("once"));
}

TEST_F(Tls13RecordsTest, WrongOuterTypeIsAProtocolError) {
  peer_send(seal(client_, kApplicationData, bytes_of("x"), 0, kHandshake));
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
  expect_final(kProtocolError);
}

TEST_F(Tls13RecordsTest, RecordLongerThanTheLimitIsRefusedFromItsHeader) {
  // §5.2: length above 2^14 + 256 is record_overflow; nothing else is sent,
  // so this also shows the body is never waited for.
  const std::size_t length = kMaxPlaintext + 256 + 1;
  peer_send(Bytes{kApplicationData, 3, 3, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)});
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
  expect_final(kProtocolError);
}

TEST_F(Tls13RecordsTest, RecordShorterThanATagIsRefused) {
  peer_send(Bytes{kApplicationData, 3, 3, 0, 16});
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
}

TEST_F(Tls13RecordsTest, ContentAboveTheLimitIsRefused) {
  peer_send(seal(client_, kApplicationData, Bytes(kMaxPlaintext + 1, 1)));
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
  EXPECT_TRUE(data.empty());
}

TEST_F(Tls13RecordsTest, InnerPlaintextAboveTheLimitIsRefusedEvenWhenItIsPadding) {
  // §5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1
  // octets", padding included; the record itself (2^14 + 17 + 16) is within
  // §5.2's ciphertext limit.
  peer_send(seal(client_, kApplicationData, Bytes(kMaxPlaintext, 1), 16));
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
  EXPECT_TRUE(data.empty());
}

TEST_F(Tls13RecordsTest, AllPaddingIsAProtocolError) {
  Bytes record = seal(client_, 0, {}, 10);  // inner plaintext of zeros only
  peer_send(record);
  Bytes data;
  EXPECT_EQ(read_all(data).ec, kProtocolError);
}

TEST_F(Tls13RecordsTest, UnexpectedContentAndHandshakeTypesAreProtocolErrors) {
  const std::pair<std::uint8_t, Bytes> cases[] = {
      {20, Bytes{1}},                           // change_cipher_spec inside: not after the handshake
      {kHandshake, Bytes{4, 0, 0, 1, 0}},       // NewSessionTicket from a client
      {kHandshake, Bytes{24, 0, 0, 1, 2}},      // KeyUpdate with an undefined request
      {kHandshake, Bytes{24, 0, 0, 2, 0, 0}},   // KeyUpdate of the wrong length
      {kHandshake, Bytes{24, 0, 0, 1, 0, 23}},  // KeyUpdate not last in its record
      {kHandshake, Bytes{24, 0, 0}},            // a fragment
      {99, Bytes{1, 2, 3}},                     // unknown type
  };
  for (const auto& [type, content] : cases) {
    Tls13Records fresh{Tls13Secret(client_secret_.data(), 32), Tls13Secret(server_secret_.data(), 32)};
    PeerKeys peer{client_secret_};
    peer_send(seal(peer, type, content));
    std::uint8_t b[64];
    Step s;
    do {
      s = fresh.read(ours_, boost::asio::buffer(b));
    } while (!s.ec && s.want == Want::nothing);
    EXPECT_EQ(s.ec, kProtocolError) << int(type) << " of " << content.size();
    peer_receive();
    // Drain what the failed reader left in the socket before the next case.
    while (::recv(ours_, b, sizeof b, MSG_DONTWAIT) > 0) {
    }
  }
}

TEST_F(Tls13RecordsTest, EndOfStreamInsideARecordIsTruncation) {
  const Bytes record = seal(client_, kApplicationData, bytes_of("cut short"));
  peer_send(Bytes(record.begin(), record.begin() + 9));
  peer_shutdown();
  Bytes data;
  EXPECT_EQ(read_all(data).ec, boost::asio::ssl::error::stream_truncated);
  EXPECT_TRUE(data.empty());
  expect_final(boost::asio::ssl::error::stream_truncated);
}

TEST_F(Tls13RecordsTest, EndOfStreamWithoutCloseNotifyIsTruncation) {
  peer_send(seal(client_, kApplicationData, bytes_of("done")));
  peer_shutdown();
  Bytes data;
  EXPECT_EQ(read_all(data).ec, boost::asio::ssl::error::stream_truncated);
  EXPECT_EQ(data, bytes_of("done"));
}

TEST_F(Tls13RecordsTest, EndOfStreamInsideAHeaderIsTruncation) {
  peer_send(Bytes{kApplicationData, 3});
  peer_shutdown();
  Bytes data;
  EXPECT_EQ(read_all(data).ec, boost::asio::ssl::error::stream_truncated);
}

}  // namespace
}  // namespace hush::server::net
