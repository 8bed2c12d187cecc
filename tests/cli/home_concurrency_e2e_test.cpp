// Two `hush` processes on one home at once are normal use (issue #13, item
// 1): the real binary, several sends from one home to one contact at the same
// time, then more sends, and a `receive` running while the same home sends.
// Every message must arrive exactly once; a send that exits 0 has delivered.
#include "cli_fixture.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hush::testing {
namespace {

using namespace std::chrono_literals;

class HomeConcurrency : public CliFixture {
 protected:
  HomeConcurrency() : CliFixture("hush-home-concurrency") {}

  /// Every text `who` receives until a `receive` brings nothing new, counted.
  std::map<std::string, int> receive_all(const std::string& who, std::map<std::string, int> seen = {}) {
    for (int pass = 0; pass < 20; ++pass) {
      const CliResult got = run_hush(as(who, {"receive", "--wait", "3"}, true));
      EXPECT_EQ(got.code, 0) << got.err;
      const auto lines = lines_of(got.out);
      if (lines.empty()) break;
      for (const auto& line : lines) {
        if (json_field(line, "type") == "message") ++seen[json_field(line, "text")];
      }
    }
    return seen;
  }
};

TEST_F(HomeConcurrency, ParallelSendsFromOneHomeAllArriveExactlyOnce) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hello"})).code, 0);
  constexpr int kParallel = 8;
  std::vector<std::unique_ptr<CliProcess>> sends;
  for (int i = 0; i < kParallel; ++i) {
    sends.push_back(std::make_unique<CliProcess>(as("alice", {"send", "bob", "parallel " + std::to_string(i)})));
  }
  for (auto& s : sends) {
    const CliResult r = s->wait(120s);
    EXPECT_EQ(r.code, 0) << r.err;
  }
  for (int i = 0; i < 3; ++i) {
    const CliResult r = run_hush(as("alice", {"send", "bob", "later " + std::to_string(i)}));
    EXPECT_EQ(r.code, 0) << r.err;
  }
  const auto seen = receive_all("bob");
  std::vector<std::string> expected = {"hello"};
  for (int i = 0; i < kParallel; ++i) expected.push_back("parallel " + std::to_string(i));
  for (int i = 0; i < 3; ++i) expected.push_back("later " + std::to_string(i));
  for (const auto& text : expected) {
    const auto it = seen.find(text);
    EXPECT_TRUE(it != seen.end() && it->second == 1) << "\"" << text << "\" arrived "
                                                     << (it == seen.end() ? 0 : it->second) << " times";
  }
  EXPECT_EQ(seen.size(), expected.size());
}

TEST_F(HomeConcurrency, ReceiveWhileTheSameHomeSends) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "hello"})).code, 0);
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "hello back"})).code, 0);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(run_hush(as("alice", {"send", "bob", "to bob " + std::to_string(i)})).code, 0);
  // Bob's home: a receive and four sends at once.
  CliProcess receiving(as("bob", {"receive", "--wait", "5"}, true));
  std::vector<std::unique_ptr<CliProcess>> sends;
  for (int i = 0; i < 4; ++i) {
    sends.push_back(std::make_unique<CliProcess>(as("bob", {"send", "alice", "to alice " + std::to_string(i)})));
  }
  for (auto& s : sends) {
    const CliResult r = s->wait(120s);
    EXPECT_EQ(r.code, 0) << r.err;
  }
  const CliResult first = receiving.wait(120s);
  EXPECT_EQ(first.code, 0) << first.err;
  std::map<std::string, int> bob_seen;
  for (const auto& line : lines_of(first.out)) {
    if (json_field(line, "type") == "message") ++bob_seen[json_field(line, "text")];
  }
  ASSERT_EQ(run_hush(as("alice", {"send", "bob", "after"})).code, 0);
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "after"})).code, 0);
  bob_seen = receive_all("bob", bob_seen);
  const auto alice_seen = receive_all("alice");
  for (const std::string text : {"hello", "to bob 0", "to bob 1", "to bob 2", "to bob 3", "after"}) {
    EXPECT_EQ(bob_seen[text], 1) << "bob: \"" << text << "\"";
  }
  for (const std::string text : {"hello back", "to alice 0", "to alice 1", "to alice 2", "to alice 3", "after"}) {
    EXPECT_EQ(alice_seen.count(text) ? alice_seen.at(text) : 0, 1) << "alice: \"" << text << "\"";
  }
}

}  // namespace
}  // namespace hush::testing
