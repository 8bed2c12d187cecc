// The canary, end to end (issue #6): a real hushd and SDK clients (three
// users, one of them with a second device linked through the provisioning
// relay) hold a scripted conversation full of distinctive phrases, both ways,
// with offline delivery so bodies wait in the server's database. Before the
// acknowledgements, after them, and after hushd stopped, every file in the
// server's data folder (database, WAL, shared memory, its log at debug level)
// and, on PostgreSQL, the whole cluster folder, is scanned for each phrase
// (raw, UTF-16, hex, base64 at every alignment) and for every private key of
// every client (raw, halves, hex, base64). Each client's store file and its
// -wal/-shm are scanned for the phrases and private keys in raw form.
#include "sdk_fixture.hpp"

#include <hush/client/client.hpp>
#include <hush/client/store/local_store.hpp>
#include <hush/client/store/session_store.hpp>
#include <hush/testing/temporary_postgres.hpp>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace hush::client {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::HushdOptions;

/// Every phrase holds a token found nowhere else, so a hit is a leak.
const std::vector<std::string> kPhrases = {
    "alice to bob: CANARY-QUARTZ-7731 the heron flies at dawn",
    "bob to alice: CANARY-MOLASSES-2289 meet me under the clock",
    "carol to alice: CANARY-ZEPHYR-5512 my locker code is 48213",
    "alice to carol: CANARY-OBSIDIAN-9044 pineapple in the filing cabinet",
    "alice to offline bob: CANARY-TAMBOURINE-3370 left in the mailbox",
    "carol to offline bob: CANARY-WALRUS-6618 the eagle has two heads",
    "bob back to both: CANARY-LANTERN-1207 received everything, thanks",
    "second device to carol: CANARY-MARZIPAN-8853 sent from the laptop",
    "unicode too: CANARY-ÉCLAIR-4471 naïve café — 東京 ✓",
};
const std::string kPassphrase = "canary store passphrase 0xBEEF";

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool contains(ByteView hay, ByteView needle) {
  if (needle.empty() || hay.size() < needle.size()) return false;
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

std::string base64(ByteView in, bool url) {
  const char* a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += a[(v >> s) & 63];
  }
  return out;  // whole groups only: the tail depends on what follows
}

/// A needle and what it stands for (for the failure message).
struct Needle {
  std::string what;
  Bytes bytes;
};

/// The forms a secret could take in a file or a log: raw, UTF-16 (LE and BE),
/// hex (both cases) and base64/base64url at each of the three alignments (the
/// part of the encoding that does not depend on the neighbouring bytes).
void add_forms(std::vector<Needle>& out, const std::string& what, ByteView raw) {
  out.push_back({what + " (raw)", Bytes(raw.begin(), raw.end())});
  Bytes le, be;
  for (auto b : raw) {
    le.insert(le.end(), {b, 0});
    be.insert(be.end(), {0, b});
  }
  out.push_back({what + " (UTF-16LE)", le});
  out.push_back({what + " (UTF-16BE)", be});
  std::string hex = to_hex(raw), upper = hex;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out.push_back({what + " (hex)", to_bytes(hex)});
  out.push_back({what + " (HEX)", to_bytes(upper)});
  for (std::size_t k = 0; k < 3; ++k) {
    Bytes shifted(k, 0);
    shifted.insert(shifted.end(), raw.begin(), raw.end());
    for (bool url : {false, true}) {
      std::string b = base64(shifted, url);
      if (k > 0) b = b.substr(4);  // the first group mixes in the unknown bytes before
      if (b.size() >= 16) out.push_back({what + " (base64 +" + std::to_string(k) + ")", to_bytes(b)});
    }
  }
}

/// Finds which of many needles occur in large files in one pass over each:
/// needles are bucketed by their first four bytes, with a 64 Ki-entry filter
/// in front of the buckets. (One std::search per needle over PostgreSQL's
/// whole cluster folder took six minutes in CI, long enough for hushd to
/// close the idle clients' connections.)
class NeedleSet {
 public:
  explicit NeedleSet(const std::vector<Needle>& needles) : needles_(needles), filter_(1u << 16, false) {
    for (std::size_t i = 0; i < needles.size(); ++i) {
      EXPECT_GE(needles[i].bytes.size(), 4u) << needles[i].what;
      if (needles[i].bytes.size() < 4) continue;
      const std::uint32_t p = prefix(needles[i].bytes.data());
      filter_[slot(p)] = true;
      buckets_[p].push_back(i);
    }
  }
  /// The indices of the needles found in `hay`.
  std::set<std::size_t> found_in(ByteView hay) const {
    std::set<std::size_t> out;
    if (hay.size() < 4) return out;
    for (std::size_t at = 0; at + 4 <= hay.size(); ++at) {
      const std::uint32_t p = prefix(hay.data() + at);
      if (!filter_[slot(p)]) continue;
      auto it = buckets_.find(p);
      if (it == buckets_.end()) continue;
      for (std::size_t i : it->second) {
        const Bytes& n = needles_[i].bytes;
        if (hay.size() - at >= n.size() && std::equal(n.begin(), n.end(), hay.begin() + at)) out.insert(i);
      }
    }
    return out;
  }

 private:
  static std::uint32_t prefix(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  static std::size_t slot(std::uint32_t p) { return (p * 2654435761u) >> 16; }

  const std::vector<Needle>& needles_;
  std::vector<bool> filter_;
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> buckets_;
};

/// Every regular file under `dir`, recursively (unreadable ones are a failure).
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec)) out.push_back(it->path());
  }
  return out;
}

/// Private keys of one client device, read through its store.
std::vector<Needle> private_keys_of(const fs::path& home, const std::string& who) {
  std::vector<Needle> out;
  auto store = store::LocalStore::open(home, testing::test_passphrase(kPassphrase), crypto::system_rng());
  EXPECT_TRUE(store) << who << ": " << errc_name(store.code());
  if (!store) return out;
  store::SqliteProtocolStore p(**store);
  auto identity = p.identities.identity_key_pair();
  EXPECT_TRUE(identity);
  if (identity) out.push_back({who + " identity private key", to_bytes(identity->private_key.secret().expose())});
  auto spks = p.signed_pre_keys.list();
  EXPECT_TRUE(spks);
  if (spks) {
    for (const auto& info : *spks) {
      auto r = p.signed_pre_keys.load_signed_pre_key(info.id);
      if (r) out.push_back({who + " signed pre-key " + std::to_string(info.id.value), to_bytes(r->key_pair.private_key.secret().expose())});
    }
  }
  auto max = p.pre_keys.max_id();
  EXPECT_TRUE(max);
  for (std::uint32_t id = 1; max && id <= *max; ++id) {
    auto r = p.pre_keys.load_pre_key(signal::PreKeyId{id});
    if (r) out.push_back({who + " one-time pre-key " + std::to_string(id), to_bytes(r->key_pair.private_key.secret().expose())});
  }
  return out;
}

enum class Backend { sqlite, postgres };

/// The PostgreSQL cluster's data folder, from the server itself.
std::string postgres_data_directory(const std::string& url) {
  std::string out;
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* r = PQexec(conn, "SHOW data_directory");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    // Make what hushd wrote reach the data files, not only the WAL.
    PQclear(PQexec(conn, "CHECKPOINT"));
  }
  PQfinish(conn);
  return out;
}

class CanaryE2e : public testing::SdkFixture, public ::testing::WithParamInterface<Backend> {
 protected:
  CanaryE2e() : SdkFixture("hush-canary") { passphrase_ = kPassphrase; }
  /// hushd's log at debug level (scanned too), on the backend under test.
  void configure(HushdOptions& o) override {
    o.extra_args = {"--log-level", "debug"};
    if (GetParam() == Backend::postgres) {
      auto* pg = testing::PostgresEnvironment::server();
      ASSERT_NE(pg, nullptr);
      if (store_url_.empty()) store_url_ = pg->create_database();
      o.store_url = store_url_;
    }
  }
  ClientOptions options(const std::string& /*home_name*/) override {
    ClientOptions o;
    o.pre_key_batch = 5;
    o.pre_key_low_water = 2;
    return o;
  }
  /// The client of `who`, opened again if it was closed.
  Client& client(const std::string& who) { return clients_.count(who) != 0 ? at(who) : reopen(who); }
  void send(const std::string& from, const std::string& to, std::size_t phrase) {
    auto sent = client(from).send_text(to, kPhrases[phrase]);
    ASSERT_TRUE(sent) << from << " -> " << to << ": " << errc_name(sent.code());
  }
  /// Receives until `n` messages came; returns their texts.
  std::multiset<std::string> receive(const std::string& who, std::size_t n) {
    std::multiset<std::string> got;
    for (const auto& m : receive_n(client(who), n, 15s)) got.insert(text(m));
    EXPECT_EQ(got.size(), n) << who;
    return got;
  }
  /// Closes a client's store, reads its private keys directly, and forgets it
  /// (reopened on next use).
  void collect_keys(const std::string& who) {
    clients_.erase(who);
    for (auto& n : private_keys_of(home(who), who)) keys_[n.what] = std::move(n.bytes);
  }

  /// Scans everything the server wrote: its data folder (database, WAL,
  /// shared memory, hushd.log), the log it produced so far, and on
  /// PostgreSQL the cluster's data folder.
  void scan_server(const std::string& when) {
    std::vector<Needle> needles;
    for (std::size_t i = 0; i < kPhrases.size(); ++i) {
      add_forms(needles, "phrase " + std::to_string(i), as_bytes(kPhrases[i]));
      // Its distinctive token alone (an excerpt would still be a leak).
      const auto& p = kPhrases[i];
      const auto at = p.find("CANARY-");
      add_forms(needles, "token " + std::to_string(i), as_bytes(std::string_view(p).substr(at, p.find(' ', at) - at)));
    }
    add_forms(needles, "store passphrase", as_bytes(kPassphrase));
    for (const auto& [what, key] : keys_) {
      add_forms(needles, what, key);
      needles.push_back({what + " (first half)", Bytes(key.begin(), key.begin() + 16)});
      needles.push_back({what + " (second half)", Bytes(key.begin() + 16, key.end())});
    }
    std::vector<std::pair<std::string, Bytes>> files;
    for (const auto& f : files_under(hushd_->data_dir())) files.emplace_back(f.string(), read_file(f));
    files.emplace_back("hushd log (captured)", to_bytes(hushd_->log()));
    if (!store_url_.empty()) {
      const std::string pgdata = postgres_data_directory(store_url_);
      ASSERT_FALSE(pgdata.empty()) << "SHOW data_directory";
      for (const auto& f : files_under(pgdata)) files.emplace_back(f.string(), read_file(f));
    }
    std::size_t bytes = 0;
    const NeedleSet set(needles);
    Bytes planted(3, 0xAA);  // the scanner finds every needle, at odd offsets too
    for (const auto& n : needles) {
      planted.insert(planted.end(), n.bytes.begin(), n.bytes.end());
      planted.push_back(0x55);
    }
    ASSERT_EQ(set.found_in(planted).size(), needles.size()) << "the scanner itself";
    for (const auto& [name, data] : files) {
      bytes += data.size();
      for (std::size_t i : set.found_in(data)) ADD_FAILURE() << when << ": " << needles[i].what << " in " << name;
    }
    // The scan looked at something: the database exists and holds data.
    EXPECT_GT(bytes, 16u * 1024) << when;
    if (store_url_.empty()) {
      EXPECT_TRUE(fs::exists(fs::path(hushd_->data_dir()) / "hush.db")) << when;
      EXPECT_TRUE(fs::exists(fs::path(hushd_->data_dir()) / "hushd.log")) << when;
    }
  }

  /// Scans one client's store file and its -wal/-shm for the phrases and
  /// every private key in raw form (values are sealed in the store).
  void scan_store(const std::string& who, const std::string& when) {
    std::size_t scanned = 0;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      const fs::path f = home(who) / (std::string("hush.db") + suffix);
      if (!fs::exists(f)) continue;
      ++scanned;
      const Bytes data = read_file(f);
      for (std::size_t i = 0; i < kPhrases.size(); ++i) {
        EXPECT_FALSE(contains(data, as_bytes(kPhrases[i]))) << when << ": phrase " << i << " in " << f;
      }
      EXPECT_FALSE(contains(data, as_bytes(kPassphrase))) << when << ": the passphrase in " << f;
      for (const auto& [what, key] : keys_) {
        EXPECT_FALSE(contains(data, key)) << when << ": " << what << " in " << f;
        EXPECT_FALSE(contains(data, ByteView(key).first(16))) << when << ": half of " << what << " in " << f;
      }
    }
    EXPECT_GE(scanned, 1u) << who;
  }

  std::string store_url_;
  std::map<std::string, Bytes> keys_;  ///< every private key seen, by what it is
};

TEST_P(CanaryE2e, NoPhraseOrPrivateKeyInServerFilesLogsOrClientStores) {
  const std::vector<std::string> devices = {"alice", "alice-laptop", "bob", "carol"};
  for (const char* who : {"alice", "bob", "carol"}) registered(who);
  ASSERT_FALSE(HasFailure()) << "registration";

  // Alice's second device, linked through the relay (the identity key
  // crosses sealed to the new device's code).
  linked("alice", "alice-laptop", 15s);
  ASSERT_FALSE(HasFailure()) << "linking alice-laptop";
  // Every private key as registered (one-time pre-keys are consumed below).
  for (const auto& d : devices) collect_keys(d);

  // Both ways, everyone online.
  send("alice", "bob", 0);
  receive("bob", 1);
  send("bob", "alice", 1);
  send("carol", "alice", 2);
  receive("alice", 2);
  send("alice", "carol", 3);
  receive("carol", 1);
  // Bob goes offline; two messages wait for him in the server's database,
  // as do alice-laptop's copies of everything alice's first device did.
  clients_.erase("bob");
  send("alice", "bob", 4);
  send("carol", "bob", 5);
  send("alice-laptop", "carol", 7);
  send("alice", "bob", 8);
  ASSERT_NO_FATAL_FAILURE(scan_server("before the acknowledgements"));

  // Everyone fetches and acknowledges; bob answers.
  receive("bob", 3);           // 4, 5, 8
  send("bob", "alice", 6);
  receive("carol", 1);         // 7
  receive("alice-laptop", 7);  // 1, 2, 6 and the copies of 0, 3, 4, 8
  receive("alice", 2);         // 6 and the copy of 7
  for (const auto& d : devices) collect_keys(d);  // replenished pre-keys too
  ASSERT_NO_FATAL_FAILURE(scan_server("after the acknowledgements"));
  for (const auto& d : devices) scan_store(d, "closed");

  // With a client open (its WAL live) and after hushd stopped (its WAL checkpointed).
  ASSERT_TRUE(client("bob").history("alice", 10));
  scan_store("bob", "open");
  clients_.clear();
  hushd_->stop();
  ASSERT_NO_FATAL_FAILURE(scan_server("after hushd stopped"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CanaryE2e, ::testing::Values(Backend::sqlite, Backend::postgres),
                         [](const auto& p) { return p.param == Backend::sqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace hush::client

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new hush::testing::PostgresEnvironment);
  return RUN_ALL_TESTS();
}
