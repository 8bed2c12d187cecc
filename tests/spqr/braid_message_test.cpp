// SPQR wire messages: the crate's layout byte for byte, round trips, and a
// typed error for every malformation.
#include "braid_message.hpp"

#include <gtest/gtest.h>

namespace hush::signal::spqr::detail {
namespace {

TEST(SpqrMessage, LayoutIsVersionEpochIndexTypeChunk) {
  BraidMessage m;
  m.epoch = 0x012C;  // the crate's varint test value: AC 02
  m.type = PayloadType::ct2;
  m.chunk.index = 200;  // C8 01
  for (std::size_t i = 0; i < kChunkSize; ++i) m.chunk.data[i] = static_cast<std::uint8_t>(i);
  Bytes b = serialize_message(m, 5);
  EXPECT_EQ(to_hex(b),
            "01"
            "ac02"
            "05"
            "06"
            "c801"
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  auto p = parse_message(b);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->braid.epoch, 0x012Cu);
  EXPECT_EQ(p->index, 5u);
  EXPECT_EQ(p->braid.type, PayloadType::ct2);
  EXPECT_EQ(p->braid.chunk, m.chunk);
}

TEST(SpqrMessage, TypesWithoutChunkEndAfterTheType) {
  for (auto t : {PayloadType::none, PayloadType::ct1_ack}) {
    BraidMessage m;
    m.epoch = 1;
    m.type = t;
    Bytes b = serialize_message(m, 0);
    EXPECT_EQ(b.size(), 4u);
    auto p = parse_message(b);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->braid.type, t);
  }
}

TEST(SpqrMessage, LargeValuesRoundTrip) {
  BraidMessage m;
  m.epoch = ~std::uint64_t{0};
  m.type = PayloadType::hdr;
  m.chunk.index = 0xFFFF;
  Bytes b = serialize_message(m, 0xFFFFFFFF);
  auto p = parse_message(b);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->braid.epoch, m.epoch);
  EXPECT_EQ(p->index, 0xFFFFFFFFu);
  EXPECT_EQ(p->braid.chunk.index, 0xFFFF);
}

TEST(SpqrMessage, EveryMalformationIsADecodeError) {
  BraidMessage m;
  m.epoch = 3;
  m.type = PayloadType::ek;
  const Bytes good = serialize_message(m, 1);
  ASSERT_TRUE(parse_message(good).has_value());

  auto expect_bad = [](const Bytes& b, const char* why) {
    EXPECT_EQ(parse_message(b).code(), Errc::decode_error) << why;
  };
  expect_bad({}, "empty");
  expect_bad({0x02, 0x01, 0x00, 0x00}, "version 2");
  expect_bad({0x01, 0x00, 0x00, 0x00}, "epoch 0");
  expect_bad({0x01, 0x01, 0x00}, "no type");
  expect_bad({0x01, 0x01, 0x00, 0x07}, "type 7");
  expect_bad({0x01, 0x80}, "truncated varint");
  expect_bad({0x01, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00, 0x00}, "11-byte varint");
  expect_bad({0x01, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00}, "index 2^32");
  expect_bad({0x01, 0x01, 0x00, 0x02, 0x80, 0x80, 0x04}, "chunk index 2^16");
  expect_bad(Bytes(good.begin(), good.end() - 1), "chunk short");
  Bytes longer = good;
  longer.push_back(0);
  expect_bad(longer, "trailing byte");
}

}  // namespace
}  // namespace hush::signal::spqr::detail
