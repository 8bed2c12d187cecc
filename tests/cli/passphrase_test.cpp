// The passphrase rules: --key-file first, then HUSH_PASSPHRASE (non-empty),
// then a terminal prompt (twice for a new store, must match), else a clear
// refusal; nothing is prompted when an earlier source applies.
#include "passphrase.hpp"

#include <gtest/gtest.h>

namespace hush::cli {
namespace {

using client::store::KeySource;

std::string text(const SecretBuffer& b) { return {reinterpret_cast<const char*>(b.expose().data()), b.size()}; }

struct Prompter {
  std::vector<std::string> answers;
  std::vector<std::string> asked;
  PassphraseInput input(bool terminal, std::optional<std::string> env = std::nullopt) {
    PassphraseInput in;
    in.env_value = std::move(env);
    in.terminal = terminal;
    in.prompt = [this](std::string_view prompt) -> Result<SecretBuffer> {
      asked.emplace_back(prompt);
      if (answers.empty()) return make_error(Errc::not_found, "no passphrase typed");
      std::string a = answers.front();
      answers.erase(answers.begin());
      return SecretBuffer(as_bytes(a));
    };
    return in;
  }
};

TEST(Passphrase, KeyFileWinsOverEverything) {
  Prompter p;
  auto k = choose_key_source(std::filesystem::path("/k"), StoreUse::open, p.input(true, "env"));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kind(), KeySource::Kind::key_file);
  EXPECT_EQ(k->path(), "/k");
  EXPECT_TRUE(p.asked.empty());
}

TEST(Passphrase, EnvironmentBeforeThePrompt) {
  Prompter p;
  auto k = choose_key_source(std::nullopt, StoreUse::create, p.input(true, "correct horse"));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kind(), KeySource::Kind::passphrase);
  EXPECT_EQ(text(k->passphrase_bytes()), "correct horse");
  EXPECT_EQ(k->cost(), client::store::KdfCost::moderate);
  EXPECT_TRUE(p.asked.empty());
}

TEST(Passphrase, EmptyEnvironmentIsRefused) {
  Prompter p;
  auto k = choose_key_source(std::nullopt, StoreUse::open, p.input(true, ""));
  ASSERT_FALSE(k);
  EXPECT_EQ(k.code(), Errc::invalid_argument);
}

TEST(Passphrase, PromptsOnceToOpen) {
  Prompter p{{"secret"}, {}};
  auto k = choose_key_source(std::nullopt, StoreUse::open, p.input(true));
  ASSERT_TRUE(k);
  EXPECT_EQ(text(k->passphrase_bytes()), "secret");
  EXPECT_EQ(p.asked, std::vector<std::string>{"Passphrase: "});
}

TEST(Passphrase, PromptsTwiceToCreateAndTheyMustMatch) {
  Prompter same{{"secret", "secret"}, {}};
  ASSERT_TRUE(choose_key_source(std::nullopt, StoreUse::create, same.input(true)));
  EXPECT_EQ(same.asked.size(), 2u);
  Prompter differ{{"secret", "secreT"}, {}};
  auto k = choose_key_source(std::nullopt, StoreUse::create, differ.input(true));
  ASSERT_FALSE(k);
  EXPECT_EQ(k.code(), Errc::invalid_argument);
  EXPECT_STREQ(k.error().context, "the passphrases differ");
  Prompter empty{{""}, {}};
  EXPECT_EQ(choose_key_source(std::nullopt, StoreUse::open, empty.input(true)).code(), Errc::invalid_argument);
}

TEST(Passphrase, NoSourceWithoutATerminal) {
  Prompter p{{"never"}, {}};
  auto k = choose_key_source(std::nullopt, StoreUse::open, p.input(false));
  ASSERT_FALSE(k);
  EXPECT_EQ(k.code(), Errc::unauthorized);
  EXPECT_TRUE(p.asked.empty());
}

TEST(Passphrase, PromptErrorsPassThrough) {
  Prompter p;  // end of input
  EXPECT_EQ(choose_key_source(std::nullopt, StoreUse::open, p.input(true)).code(), Errc::not_found);
}

}  // namespace
}  // namespace hush::cli
