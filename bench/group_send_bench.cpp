// The sender's cost of one group message, steady state (keys distributed):
// CPU time and bytes uploaded per message for groups of 10, 100 and 1,000
// recipient devices (one device per account, the worst case for per-account
// overhead).
//   BM_GroupSend_SenderKey: what Hush does (client/src/sdk/group_send.cpp):
//     pad the content once, encrypt it once with the Sender Key (AES-CBC +
//     an XEdDSA signature), build and serialize one send_multi frame that
//     names every device.
//   BM_GroupSend_Pairwise: the fan-out Sender Keys replace: the padded frame
//     encrypted with each device's Double Ratchet session and one
//     SendMessageRequest per account, as a 1:1 send does.
// Counters: bytes_up (the serialized frames, what goes up the WebSocket),
// encryptions, body_bytes (the ciphertext the server stores per copy).
#include "group_fanout.hpp"

#include <hush/client/content/content.hpp>
#include <hush/signal/group_cipher.hpp>
#include <hush/signal/group_session_builder.hpp>
#include <hush/signal/in_memory_stores.hpp>
#include <hush/testing/signal_party.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

namespace {

using namespace hush;
namespace pb = ::hush::service::v1;

void must(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "group_send_bench: %s failed\n", what);
    std::abort();
  }
}

/// A typical short text: the padding makes every text under 160 bytes alike.
const std::string_view kText = "see you all at eight, bring the slides";

Bytes account_of(std::size_t i) {
  Bytes a(16, 0);
  for (std::size_t b = 0; b < 8; ++b) a[b] = static_cast<std::uint8_t>(i >> (8 * b));
  return a;
}

SecretBuffer padded_text(const client::MessageId& id, const Bytes& group) {
  client::content::Content c{id, 1'700'000'000'000ULL,
                             client::content::TextBody{SecretBuffer(as_bytes(kText))}, group};
  auto p = client::content::encode(c);
  must(p.has_value(), "encode");
  return std::move(*p);
}

void BM_GroupSend_SenderKey(benchmark::State& state) {
  const auto devices = static_cast<std::size_t>(state.range(0));
  testing::DeterministicRng rng(42);
  signal::InMemorySenderKeyStore store;
  const Bytes group(client::content::kGroupIdSize, 0x47);
  const signal::SenderKeyName ours{std::string(group.begin(), group.end()), {"alice", signal::DeviceId{1}}};
  signal::GroupSessionBuilder builder(store);
  must(builder.create_distribution(ours, rng).has_value(), "create_distribution");
  std::vector<client::sdk::FanOutAccount> recipients;
  for (std::size_t i = 0; i < devices; ++i) {
    recipients.push_back({account_of(i), {{1, static_cast<std::uint32_t>(1 + i % 16000)}}});
  }
  signal::GroupCipher cipher(store, ours);
  std::size_t bytes_up = 0;
  std::size_t body = 0;
  for (auto _ : state) {
    const auto id = client::MessageId::generate(rng);
    auto padded = padded_text(id, group);
    auto ct = cipher.encrypt(padded.expose(), rng);
    must(ct.has_value(), "group encrypt");
    pb::ClientFrame frame = client::sdk::build_send_multi(id.view(), ct->serialized, recipients);
    std::string wire = frame.SerializeAsString();
    bytes_up = wire.size();
    body = ct->serialized.size();
    benchmark::DoNotOptimize(wire.data());
  }
  state.counters["bytes_up"] = static_cast<double>(bytes_up);
  state.counters["bytes_up_per_device"] = static_cast<double>(bytes_up) / static_cast<double>(devices);
  state.counters["body_bytes"] = static_cast<double>(body);
  state.counters["encryptions"] = 1;
}
BENCHMARK(BM_GroupSend_SenderKey)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

/// The sender and `n` peers with established sessions (each peer answered
/// once, so the sender's messages are plain SignalMessages, as in steady state).
struct PairwiseGroup {
  testing::SignalParty alice{"alice", 1};
  std::vector<std::unique_ptr<testing::SignalParty>> peers;
  explicit PairwiseGroup(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      auto p = std::make_unique<testing::SignalParty>("peer" + std::to_string(i), 100 + i);
      must(alice.start_session(p->address(), p->make_bundle()).has_value(), "start_session");
      auto hello = alice.encrypt(p->address(), "hi");
      must(hello.has_value() && p->decrypt(alice.address(), *hello).has_value(), "first message");
      auto back = p->encrypt(alice.address(), "hi");
      must(back.has_value() && alice.decrypt(p->address(), *back).has_value(), "answer");
      peers.push_back(std::move(p));
    }
  }
};

void BM_GroupSend_Pairwise(benchmark::State& state) {
  const auto devices = static_cast<std::size_t>(state.range(0));
  static std::map<std::size_t, std::unique_ptr<PairwiseGroup>> groups;  // set up once per size
  auto& g = groups[devices];
  if (!g) g = std::make_unique<PairwiseGroup>(devices);
  testing::DeterministicRng rng(43);
  const Bytes group(client::content::kGroupIdSize, 0x47);
  std::size_t bytes_up = 0;
  std::size_t body = 0;
  for (auto _ : state) {
    const auto id = client::MessageId::generate(rng);
    auto padded = padded_text(id, group);
    bytes_up = 0;
    for (std::size_t i = 0; i < devices; ++i) {
      signal::SessionCipher cipher(g->alice.store().stores(), g->peers[i]->address());
      auto ct = cipher.encrypt(padded.expose());
      must(ct.has_value(), "pairwise encrypt");
      pb::ClientFrame frame;
      auto* req = frame.mutable_send_message();
      const Bytes account = account_of(i);
      req->set_destination(account.data(), account.size());
      req->set_message_id(id.bytes.data(), id.bytes.size());
      auto* m = req->add_messages();
      m->set_device_id(1);
      m->set_registration_id(1);
      m->set_type(static_cast<std::uint32_t>(ct->type));
      m->set_ciphertext(ct->serialized.data(), ct->serialized.size());
      bytes_up += frame.ByteSizeLong();
      body = ct->serialized.size();
      std::string wire = frame.SerializeAsString();
      benchmark::DoNotOptimize(wire.data());
    }
  }
  state.counters["bytes_up"] = static_cast<double>(bytes_up);
  state.counters["bytes_up_per_device"] = static_cast<double>(bytes_up) / static_cast<double>(devices);
  state.counters["body_bytes"] = static_cast<double>(body);
  state.counters["encryptions"] = static_cast<double>(devices);
}
BENCHMARK(BM_GroupSend_Pairwise)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
