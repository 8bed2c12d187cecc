// Sender and receiver loops of the crash test and the ledger (see
// crash_traffic.hpp). A failed call means the connection died with hushd:
// the loop drops its client, waits for the next hushd and goes on, the
// sender with the same message id (sends are idempotent).
#include "crash_traffic.hpp"

#include <cstring>
#include <memory>
#include <thread>

namespace hush::testing {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(5);
constexpr auto kReconnectPause = std::chrono::milliseconds(20);
constexpr auto kQuotaPause = std::chrono::milliseconds(50);
constexpr auto kWaitForServer = std::chrono::milliseconds(200);
/// Signal's whisper type; opaque to hushd.
constexpr std::uint32_t kType = 2;

std::unique_ptr<TestClient> connect(ServerEndpoint& endpoint, const TestDevice& device, std::size_t home) {
  auto address = endpoint.wait_up(kWaitForServer, home);
  if (!address) return nullptr;
  auto client = std::make_unique<TestClient>(address->host, address->port, address->cert_file);
  if (!client->connect(device.authorization())) {
    std::this_thread::sleep_for(kReconnectPause);
    return nullptr;
  }
  return client;
}

void decode_id(const std::string& id, std::uint32_t& stream, std::uint64_t& index) {
  stream = 0;
  index = 0;
  if (id.size() != 16) return;
  std::memcpy(&stream, id.data() + 4, 4);
  std::memcpy(&index, id.data() + 8, 8);
}

}  // namespace

void ServerEndpoint::up(std::size_t node, Address address) {
  {
    std::lock_guard lock(mutex_);
    addresses_.at(node) = std::move(address);
  }
  cv_.notify_all();
}

void ServerEndpoint::down(std::size_t node) {
  std::lock_guard lock(mutex_);
  addresses_.at(node).port = 0;
}

std::optional<ServerEndpoint::Address> ServerEndpoint::wait_up(std::chrono::milliseconds timeout, std::size_t home) {
  std::unique_lock lock(mutex_);
  const std::size_t n = addresses_.size();
  std::optional<std::size_t> found;
  const auto any_up = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      if (addresses_[(home + i) % n].port != 0) {
        found = (home + i) % n;
        return true;
      }
    }
    return false;
  };
  if (!cv_.wait_for(lock, timeout, any_up)) return std::nullopt;
  if (*found != home % n) moved_.fetch_add(1);
  return addresses_[*found];
}

void Ledger::acknowledged(const std::string& key, bool duplicate) {
  std::lock_guard lock(mutex_);
  if (duplicate) ++counts_.retries_already_stored;
  if (acknowledged_.insert(key).second) ++counts_.acknowledged;
}

void Ledger::retried() {
  std::lock_guard lock(mutex_);
  ++counts_.send_retries;
}

void Ledger::unexpected_status(std::uint32_t status) {
  std::lock_guard lock(mutex_);
  ++counts_.unexpected_status;
  counts_.last_unexpected = status;
}

void Ledger::quota_wait() {
  std::lock_guard lock(mutex_);
  ++counts_.quota_waits;
}

bool Ledger::delivered(const std::string& key, std::uint64_t seq, std::uint32_t stream, std::uint64_t index,
                       bool content_ok) {
  std::lock_guard lock(mutex_);
  if (!content_ok) ++counts_.corrupt;
  auto [it, fresh] = first_seq_.emplace(key, seq);
  if (!fresh) {
    ++counts_.wire_duplicates;
    if (it->second == seq) {
      ++counts_.redelivered;
    } else {
      ++counts_.stored_twice;
    }
    return false;
  }
  // Per-sender order: a stream's messages are stored in index order (the
  // next is sent only once the previous is acknowledged), so their first
  // deliveries must come in index order too.
  auto [last, first_of_stream] = last_index_.emplace(stream, index);
  if (!first_of_stream) {
    if (index <= last->second) ++counts_.order_violations;
    last->second = index;
  }
  handed_to_application_.push_back(key);
  return true;
}

bool Ledger::all_acknowledged_delivered() const {
  std::lock_guard lock(mutex_);
  for (const auto& key : acknowledged_) {
    if (!first_seq_.contains(key)) return false;
  }
  return true;
}

CrashCounts Ledger::counts() const {
  std::lock_guard lock(mutex_);
  CrashCounts c = counts_;
  c.delivered = first_seq_.size();
  c.lost = 0;
  for (const auto& key : acknowledged_) c.lost += first_seq_.contains(key) ? 0 : 1;
  c.delivered_unacknowledged = 0;
  for (const auto& [key, seq] : first_seq_) c.delivered_unacknowledged += acknowledged_.contains(key) ? 0 : 1;
  std::set<std::string> seen;
  c.after_dedup = 0;
  for (const auto& key : handed_to_application_) c.after_dedup += seen.insert(key).second ? 0 : 1;
  return c;
}

std::string crash_report(const std::string& label, int cycles, const CrashCounts& c) {
  const auto u = [](std::uint64_t v) { return std::to_string(v); };
  return "crash-test backend=" + label + " cycles=" + std::to_string(cycles) + " acknowledged=" + u(c.acknowledged) +
         " delivered=" + u(c.delivered) + " lost=" + u(c.lost) + " wire_duplicates=" + u(c.wire_duplicates) +
         " redelivered=" + u(c.redelivered) + " stored_twice=" + u(c.stored_twice) +
         " duplicates_after_dedup=" + u(c.after_dedup) + " delivered_unacknowledged=" + u(c.delivered_unacknowledged) +
         " send_retries=" + u(c.send_retries) + " retries_already_stored=" + u(c.retries_already_stored) +
         " quota_waits=" + u(c.quota_waits) + " order_violations=" + u(c.order_violations) +
         " corrupt=" + u(c.corrupt);
}

std::string crash_message_id(std::uint32_t stream, std::uint64_t index) {
  std::string id = "crsh";
  id.append(reinterpret_cast<const char*>(&stream), 4);
  id.append(reinterpret_cast<const char*>(&index), 8);
  return id;
}

std::string crash_message_body(std::uint32_t stream, std::uint64_t index) {
  return crash_message_id(stream, index) + std::string(64 + index % 128, static_cast<char>('a' + index % 26));
}

void run_sender(ServerEndpoint& endpoint, Ledger& ledger, const TestDevice& from, const TestDevice& to,
                std::uint32_t stream, std::uint64_t max_messages, const std::atomic<bool>& stop, std::size_t home) {
  std::unique_ptr<TestClient> client;
  bool retrying = false;
  for (std::uint64_t i = 0; i < max_messages && !stop.load();) {
    if (!client && !(client = connect(endpoint, from, home))) continue;
    pb::ClientFrame f;
    auto* s = f.mutable_send_message();
    s->set_destination(to.account_id);
    s->set_message_id(crash_message_id(stream, i));
    auto* m = s->add_messages();
    m->set_device_id(to.device_id);
    m->set_registration_id(to.registration_id);
    m->set_type(kType);
    m->set_ciphertext(crash_message_body(stream, i));
    if (retrying) ledger.retried();
    auto r = client->call(f, kCallTimeout);
    if (!r) {  // hushd died with the answer: retry the same id on the next hushd
      client.reset();
      retrying = true;
      continue;
    }
    if (r->status() == 200) {
      ledger.acknowledged(from.account_id + crash_message_id(stream, i), r->send_message().duplicate());
      ++i;
      retrying = false;
    } else if (r->status() == 500 || r->status() == 503) {
      retrying = true;  // a storage failure while hushd was dying: the outcome is unknown
    } else if (r->status() == 507) {
      // The recipient's queue is at its cap (senders outran the receiver):
      // nothing was stored; wait for the receiver and send the same id again.
      ledger.quota_wait();
      std::this_thread::sleep_for(kQuotaPause);
    } else {
      ledger.unexpected_status(r->status());
      ++i;
      retrying = false;
    }
  }
}

void run_receiver(ServerEndpoint& endpoint, Ledger& ledger, const TestDevice& device, const std::atomic<bool>& stop,
                  std::size_t home) {
  std::unique_ptr<TestClient> client;
  while (!stop.load()) {
    if (!client && !(client = connect(endpoint, device, home))) continue;
    auto e = client->next_envelope(std::chrono::milliseconds(100));
    if (!e) {
      if (client->closed()) client.reset();
      continue;
    }
    std::uint32_t stream = 0;
    std::uint64_t index = 0;
    decode_id(e->message_id(), stream, index);
    const bool content_ok = e->content() == crash_message_body(stream, index);
    ledger.delivered(e->sender_account() + e->message_id(), e->seq(), stream, index, content_ok);
    pb::ClientFrame ack;
    ack.mutable_ack()->set_seq(e->seq());
    if (!client->call(ack, kCallTimeout)) client.reset();  // redelivered by the next hushd
  }
}

}  // namespace hush::testing
