// Key files: created owner-only, refused when group or others have any
// permission, when a link, when the wrong size; a store locked with one.
#include "store_fixture.hpp"

#include <hush/client/store/account_table.hpp>
#include <hush/client/store/key_source.hpp>

#include <gtest/gtest.h>

namespace hush::client::fixture {
namespace {

using store::KeySource;
using store::LocalStore;

TEST(KeyFile, IsCreatedOwnerOnlyAndNeverOverwritten) {
  TempHome t;
  auto path = t.root() / "store.key";
  ASSERT_TRUE(store::create_key_file(path, crypto::system_rng()));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(read_file(path).size(), store::kKeyFileSize);
  EXPECT_EQ(store::create_key_file(path, crypto::system_rng()).code(), Errc::conflict);
  EXPECT_TRUE(store::read_key_file(path));
}

TEST(KeyFile, RefusesGroupOrOtherPermissions) {
  TempHome t;
  auto path = t.root() / "store.key";
  ASSERT_TRUE(store::create_key_file(path, crypto::system_rng()));
  for (auto extra : {std::filesystem::perms::group_read, std::filesystem::perms::others_read,
                     std::filesystem::perms::group_write, std::filesystem::perms::others_exec}) {
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write | extra);
    EXPECT_EQ(store::read_key_file(path).code(), Errc::forbidden);
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read);
  EXPECT_TRUE(store::read_key_file(path));
}

TEST(KeyFile, RefusesLinksWrongSizesAndMissingFiles) {
  TempHome t;
  auto path = t.root() / "store.key";
  ASSERT_TRUE(store::create_key_file(path, crypto::system_rng()));
  auto link = t.root() / "link.key";
  std::filesystem::create_symlink(path, link);
  EXPECT_EQ(store::read_key_file(link).code(), Errc::forbidden);
  EXPECT_EQ(store::read_key_file(t.root() / "missing.key").code(), Errc::not_found);
  std::filesystem::resize_file(path, 31);
  EXPECT_EQ(store::read_key_file(path).code(), Errc::bad_length);
  EXPECT_EQ(store::read_key_file(t.root()).code(), Errc::forbidden);  // a folder
}

TEST(KeyFile, LocksAndUnlocksAStore) {
  TempHome t;
  auto key = t.root() / "store.key";
  auto other = t.root() / "other.key";
  ASSERT_TRUE(store::create_key_file(key, crypto::system_rng()));
  ASSERT_TRUE(store::create_key_file(other, crypto::system_rng()));
  {
    auto s = LocalStore::create(t.home(), KeySource::key_file(key), crypto::system_rng());
    ASSERT_TRUE(s);
    ASSERT_TRUE(store::AccountTable(**s).save(
        {"alice", "a", signal::DeviceId{1}, "https://h", SecretBuffer(as_bytes("c"))}));
  }
  Bytes before = read_file(t.db());
  EXPECT_EQ(LocalStore::open(t.home(), KeySource::key_file(other), crypto::system_rng()).code(), Errc::unauthorized);
  EXPECT_EQ(LocalStore::open(t.home(), test_passphrase("x"), crypto::system_rng()).code(), Errc::unauthorized);
  EXPECT_EQ(read_file(t.db()), before);
  std::filesystem::permissions(key, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  EXPECT_EQ(LocalStore::open(t.home(), KeySource::key_file(key), crypto::system_rng()).code(), Errc::forbidden);
  std::filesystem::permissions(key, std::filesystem::perms::others_read, std::filesystem::perm_options::remove);
  auto s = LocalStore::open(t.home(), KeySource::key_file(key), crypto::system_rng());
  ASSERT_TRUE(s);
  // And from a key file to a passphrase.
  ASSERT_TRUE((*s)->rewrap(test_passphrase("now a passphrase")));
  s = Result<std::unique_ptr<LocalStore>>(make_error(Errc::not_found, "closed"));
  EXPECT_EQ(LocalStore::open(t.home(), KeySource::key_file(key), crypto::system_rng()).code(), Errc::unauthorized);
  EXPECT_TRUE(LocalStore::open(t.home(), test_passphrase("now a passphrase"), crypto::system_rng()));
}

TEST(KeyFile, CreateWithUnreadableKeyFileLeavesNoStore) {
  TempHome t;
  auto key = t.root() / "store.key";
  ASSERT_TRUE(store::create_key_file(key, crypto::system_rng()));
  std::filesystem::permissions(key, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  EXPECT_EQ(LocalStore::create(t.home(), KeySource::key_file(key), crypto::system_rng()).code(), Errc::forbidden);
  EXPECT_FALSE(std::filesystem::exists(t.db()));
}

}  // namespace
}  // namespace hush::client::fixture
