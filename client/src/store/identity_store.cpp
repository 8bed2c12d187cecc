// Our identity and the contacts' identity states, sealed per row. Trust
// rule: first use is trusted; afterwards only the accepted key is.
#include <hush/client/store/identity_store.hpp>

#include "record_codec.hpp"
#include "store_access.hpp"

#include <algorithm>

namespace hush::client::store {

namespace {

constexpr std::uint8_t kLocalIdentityFormat = 1;
constexpr std::uint8_t kContactFormat = 1;
constexpr const char* kLocalIdentityColumn = "local_identity.identity";
constexpr const char* kContactColumn = "contacts.identity";
constexpr std::size_t kKeyBytes = crypto::kSerializedPublicKeySize;

Bytes local_row_key() { return RecordWriter().u32(1).finish_public(); }
Bytes contact_row_key(std::string_view username) { return RecordWriter().string(username).finish_public(); }

SecretBuffer encode_contact(const ContactIdentity& c) {
  // Serialized keys must outlive the writer's finish().
  std::vector<Bytes> keys;
  keys.reserve(2 + 2 * c.history.size());
  RecordWriter w;
  w.u8(kContactFormat).bytes(keys.emplace_back(c.key.serialize())).u8(c.verified ? 1 : 0);
  w.u8(c.pending_key ? 1 : 0);
  if (c.pending_key) w.bytes(keys.emplace_back(c.pending_key->serialize())).u64(c.pending_since_ms);
  w.u64(c.first_seen_ms).u32(static_cast<std::uint32_t>(c.history.size()));
  for (const auto& h : c.history) {
    w.bytes(keys.emplace_back(h.old_key.serialize())).bytes(keys.emplace_back(h.new_key.serialize())).u64(h.accepted_ms);
  }
  return w.finish();
}

Result<signal::IdentityKey> read_key(RecordReader& r) {
  HUSH_TRY_ASSIGN(auto b, r.bytes(kKeyBytes));
  // Keys we stored were checked in full when first received.
  return crypto::PublicKey::deserialize(b, crypto::KeyCheck::canonical);
}

Result<ContactIdentity> decode_contact(ByteView bytes) {
  RecordReader r(bytes);
  HUSH_TRY_ASSIGN(auto format, r.u8());
  if (format != kContactFormat) return make_error(Errc::unsupported_version, "contact identity format");
  HUSH_TRY_ASSIGN(auto key, read_key(r));
  ContactIdentity c{key, false, std::nullopt, 0, 0, {}};
  HUSH_TRY_ASSIGN(auto verified, r.u8());
  HUSH_TRY_ASSIGN(auto has_pending, r.u8());
  if (verified > 1 || has_pending > 1) return make_error(Errc::decode_error, "contact identity flags");
  c.verified = verified == 1;
  if (has_pending) {
    HUSH_TRY_ASSIGN(auto pending, read_key(r));
    c.pending_key = pending;
    HUSH_TRY_ASSIGN(c.pending_since_ms, r.u64());
  }
  HUSH_TRY_ASSIGN(c.first_seen_ms, r.u64());
  HUSH_TRY_ASSIGN(auto n, r.u32());
  if (n > kMaxKeyHistory) return make_error(Errc::decode_error, "contact key history too long");
  for (std::uint32_t i = 0; i < n; ++i) {
    HUSH_TRY_ASSIGN(auto old_key, read_key(r));
    HUSH_TRY_ASSIGN(auto new_key, read_key(r));
    HUSH_TRY_ASSIGN(auto at, r.u64());
    c.history.push_back({old_key, new_key, at});
  }
  HUSH_TRY(r.done());
  return c;
}

}  // namespace

Status SqliteIdentityKeyStore::set_local_identity(const signal::IdentityKeyPair& identity, signal::RegistrationId id) {
  SecretBuffer plain = RecordWriter()
                           .u8(kLocalIdentityFormat)
                           .u32(id.value)
                           .bytes(identity.private_key.secret().expose())
                           .finish();
  Bytes sealed = store_.seal(kLocalIdentityColumn, local_row_key(), plain.expose());
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "INSERT OR REPLACE INTO local_identity (id, identity) VALUES (1, ?)"));
  stmt.bind(1, ByteView(sealed));
  return stmt.run();
}

Result<signal::IdentityKeyPair> SqliteIdentityKeyStore::identity_key_pair() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT identity FROM local_identity WHERE id = 1"));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return make_error(Errc::not_found, "local identity");
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kLocalIdentityColumn, local_row_key(), stmt.blob(0)));
  RecordReader r(plain.expose());
  HUSH_TRY_ASSIGN(auto format, r.u8());
  if (format != kLocalIdentityFormat) return make_error(Errc::unsupported_version, "local identity format");
  HUSH_TRY(r.u32());
  HUSH_TRY_ASSIGN(auto secret, r.bytes(crypto::kKeySize));
  HUSH_TRY(r.done());
  HUSH_TRY_ASSIGN(auto priv, crypto::PrivateKey::from_bytes(secret));
  auto pub = priv.public_key();
  return signal::IdentityKeyPair{pub, std::move(priv)};
}

Result<signal::RegistrationId> SqliteIdentityKeyStore::local_registration_id() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT identity FROM local_identity WHERE id = 1"));
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return make_error(Errc::not_found, "local identity");
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kLocalIdentityColumn, local_row_key(), stmt.blob(0)));
  RecordReader r(plain.expose());
  HUSH_TRY_ASSIGN(auto format, r.u8());
  if (format != kLocalIdentityFormat) return make_error(Errc::unsupported_version, "local identity format");
  HUSH_TRY_ASSIGN(auto id, r.u32());
  return signal::RegistrationId{id};
}

Result<std::optional<ContactIdentity>> SqliteIdentityKeyStore::contact(std::string_view username) {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT identity FROM contacts WHERE account = ?"));
  stmt.bind_text(1, username);
  HUSH_TRY_ASSIGN(bool row, stmt.step());
  if (!row) return std::optional<ContactIdentity>{};
  HUSH_TRY_ASSIGN(auto plain, store_.open_value(kContactColumn, contact_row_key(username), stmt.blob(0)));
  HUSH_TRY_ASSIGN(auto c, decode_contact(plain.expose()));
  return std::optional<ContactIdentity>{std::move(c)};
}

Result<std::vector<std::string>> SqliteIdentityKeyStore::contact_names() {
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare("SELECT account FROM contacts ORDER BY account"));
  std::vector<std::string> names;
  for (;;) {
    HUSH_TRY_ASSIGN(bool row, stmt.step());
    if (!row) return names;
    names.push_back(stmt.text(0));
  }
}

Status SqliteIdentityKeyStore::put_contact(std::string_view username, const ContactIdentity& c) {
  SecretBuffer plain = encode_contact(c);
  Bytes sealed = store_.seal(kContactColumn, contact_row_key(username), plain.expose());
  HUSH_TRY_ASSIGN(auto stmt, StoreAccess::db(store_).prepare(
                                 "INSERT INTO contacts (account, first_seen_ms, identity) VALUES (?, ?, ?) "
                                 "ON CONFLICT (account) DO UPDATE SET identity = excluded.identity"));
  stmt.bind_text(1, username).bind(2, static_cast<std::int64_t>(c.first_seen_ms)).bind(3, ByteView(sealed));
  return stmt.run();
}

Result<bool> SqliteIdentityKeyStore::save_identity(const signal::ProtocolAddress& address,
                                                   const signal::IdentityKey& key) {
  HUSH_TRY_ASSIGN(auto existing, contact(address.name));
  std::uint64_t now = store_.now_ms();
  if (!existing) {
    HUSH_TRY(put_contact(address.name, ContactIdentity{key, false, std::nullopt, 0, now, {}}));
    return false;
  }
  ContactIdentity& c = *existing;
  bool replaced = c.key != key;
  if (replaced) {
    c.history.push_back({c.key, key, now});
    if (c.history.size() > kMaxKeyHistory) c.history.erase(c.history.begin());
    c.key = key;
    c.verified = false;
  }
  // Accepting a new key settles a pending change (it is that key, or one the
  // user passed over). Seeing the accepted key again does not: the warning stays.
  bool settles_pending = c.pending_key && (replaced || *c.pending_key == key);
  if (settles_pending) {
    c.pending_key.reset();
    c.pending_since_ms = 0;
  }
  if (!replaced && !settles_pending) return false;  // nothing changed: no write
  HUSH_TRY(put_contact(address.name, c));
  return replaced;
}

Result<bool> SqliteIdentityKeyStore::is_trusted_identity(const signal::ProtocolAddress& address,
                                                         const signal::IdentityKey& key, signal::Direction) {
  HUSH_TRY_ASSIGN(auto existing, contact(address.name));
  return !existing || existing->key == key;
}

Result<std::optional<signal::IdentityKey>> SqliteIdentityKeyStore::identity(const signal::ProtocolAddress& address) {
  HUSH_TRY_ASSIGN(auto existing, contact(address.name));
  if (!existing) return std::optional<signal::IdentityKey>{};
  return std::optional<signal::IdentityKey>{existing->key};
}

Status SqliteIdentityKeyStore::record_untrusted(std::string_view username, const signal::IdentityKey& key) {
  HUSH_TRY_ASSIGN(auto existing, contact(username));
  if (!existing) return make_error(Errc::not_found, "contact");
  if (existing->key == key || (existing->pending_key && *existing->pending_key == key)) return ok();
  existing->pending_key = key;
  existing->pending_since_ms = store_.now_ms();
  return put_contact(username, *existing);
}

Result<bool> SqliteIdentityKeyStore::accept_pending(std::string_view username) {
  HUSH_TRY_ASSIGN(auto existing, contact(username));
  if (!existing || !existing->pending_key) return false;
  HUSH_TRY(save_identity(signal::ProtocolAddress{std::string(username), signal::DeviceId{0}}, *existing->pending_key));
  return true;
}

Status SqliteIdentityKeyStore::mark_verified(std::string_view username, const signal::IdentityKey& key) {
  HUSH_TRY_ASSIGN(auto existing, contact(username));
  if (!existing) return make_error(Errc::not_found, "contact");
  if (existing->key != key) return make_error(Errc::conflict, "verified key is not the accepted key");
  if (existing->verified) return ok();
  existing->verified = true;
  return put_contact(username, *existing);
}

}  // namespace hush::client::store
