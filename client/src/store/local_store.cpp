// Creating, opening and rewrapping the local store, transactions, and the
// sealing of single cells with their associated data.
#include <hush/client/store/local_store.hpp>

#include "home_folder.hpp"
#include "record_codec.hpp"
#include "schema.hpp"
#include "sqlite_db.hpp"
#include "store_header.hpp"
#include "store_migration.hpp"

#include <chrono>
#include <exception>

namespace hush::client::store {

Bytes cell_ad(std::uint32_t schema_version, std::string_view column, ByteView row_key) {
  return RecordWriter()
      .string("hush.client.store.cell")
      .u32(schema_version)
      .string(column)
      .bytes(row_key)
      .finish_public();
}

namespace {

Result<std::unique_ptr<SqliteDb>> initialize(const std::filesystem::path& file, const StoreHeader& header) {
  HUSH_TRY_ASSIGN(auto db, SqliteDb::open(file.string()));
  HUSH_TRY(db->begin());
  Status s = create_schema(*db);
  if (s) s = write_header(*db, header);
  if (s) s = db->commit();
  if (!s) {
    db->rollback();
    return s.error();
  }
  return db;
}

}  // namespace

Clock system_clock() {
  return [] {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
  };
}

LocalStore::LocalStore(std::filesystem::path path, std::unique_ptr<SqliteDb> db, crypto::AeadKey data_key,
                       crypto::Rng& rng, Clock clock)
    : path_(std::move(path)), db_(std::move(db)), data_key_(std::move(data_key)), rng_(rng), clock_(std::move(clock)) {}

LocalStore::~LocalStore() = default;

Result<std::unique_ptr<LocalStore>> LocalStore::create(const std::filesystem::path& home, const KeySource& key,
                                                       crypto::Rng& rng, Clock clock) {
  HUSH_TRY(prepare_home_folder(home));
  std::filesystem::path file = home / kStoreFileName;
  // Derive and wrap before touching the disk, so a bad key file leaves nothing behind.
  StoreHeader header = new_header(key, rng);
  crypto::AeadKey data_key;
  rng.fill(data_key.expose_mut());
  HUSH_TRY(wrap_data_key(header, key, data_key, rng));
  HUSH_TRY(create_private_file(file));
  auto db = initialize(file, header);
  if (!db) {
    remove_store_files(file);
    return db.error();
  }
  return std::unique_ptr<LocalStore>(
      new LocalStore(file, std::move(db).value(), std::move(data_key), rng, std::move(clock)));
}

Result<std::unique_ptr<LocalStore>> LocalStore::open(const std::filesystem::path& home, const KeySource& key,
                                                     crypto::Rng& rng, Clock clock) {
  std::filesystem::path file = home / kStoreFileName;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return make_error(Errc::not_found, "no store in this home folder");
  // Owner-only again if something loosened them since (modes only; the
  // store's contents are untouched).
  HUSH_TRY(prepare_home_folder(home));
  HUSH_TRY(tighten_store_file(file));
  // Only reads happen until the data key has been unwrapped: a refused open writes nothing.
  HUSH_TRY_ASSIGN(auto db, SqliteDb::open(file.string()));
  HUSH_TRY_ASSIGN(auto header, read_header(*db));
  HUSH_TRY_ASSIGN(auto kek, key_encryption_key(header, key));
  HUSH_TRY_ASSIGN(auto data_key, unwrap_data_key(header, kek));
  std::unique_ptr<LocalStore> store(new LocalStore(file, std::move(db), std::move(data_key), rng, std::move(clock)));
  // An older schema is brought up to date in one transaction: all of it, or
  // (on any failure) nothing, and the open fails with the cause.
  if (header.schema_version < kStoreSchemaVersion) HUSH_TRY(migrate_store(*store, header, kek));
  return store;
}

Status LocalStore::rewrap(const KeySource& new_key) {
  StoreHeader header = new_header(new_key, rng_);
  HUSH_TRY(wrap_data_key(header, new_key, data_key_, rng_));
  // One row replaced in one transaction: the old wrapping or the new, never neither.
  return transaction([&]() -> Status { return write_header(*db_, header); });
}

Status LocalStore::transaction(const std::function<Status()>& body) {
  HUSH_TRY(db_->begin());
  Status result = make_error(Errc::storage_failure, "transaction body threw");
  try {
    result = body();
  } catch (...) {
    db_->rollback();
    throw;
  }
  if (result) result = db_->commit();
  if (!result) db_->rollback();
  return result;
}

bool LocalStore::in_transaction() const noexcept { return db_->depth() > 0; }

Bytes LocalStore::seal(std::string_view column, ByteView row_key, ByteView plaintext) {
  return crypto::seal_xchacha(data_key_.expose(), plaintext, cell_ad(kStoreSchemaVersion, column, row_key), rng_);
}

Result<SecretBuffer> LocalStore::open_value(std::string_view column, ByteView row_key, ByteView sealed) const {
  auto opened = crypto::open_xchacha(data_key_.expose(), sealed, cell_ad(kStoreSchemaVersion, column, row_key));
  if (!opened) return make_error(opened.code(), "stored value failed authentication");
  return opened;
}

}  // namespace hush::client::store
