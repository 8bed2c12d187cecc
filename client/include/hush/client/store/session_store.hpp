// libhush's SessionStore over the local store (table sessions: one sealed
// record per remote device, addressed by plaintext username and device id),
// and libhush's five stores together.
#pragma once

#include <hush/client/store/identity_store.hpp>
#include <hush/client/store/kyber_pre_key_store.hpp>
#include <hush/client/store/local_store.hpp>
#include <hush/client/store/pre_key_stores.hpp>
#include <hush/signal/session_record.hpp>
#include <hush/signal/stores.hpp>

#include <map>
#include <vector>

namespace hush::client::store {

class SqliteSessionStore final : public signal::SessionStore {
 public:
  explicit SqliteSessionStore(LocalStore& store) noexcept : store_(store) {}
  /// nullopt if there is no session; bad_mac or decode_error for a damaged record.
  Result<std::optional<signal::SessionRecord>> load_session(const signal::ProtocolAddress& address) override;
  Status store_session(const signal::ProtocolAddress& address, const signal::SessionRecord& record) override;
  Status store_session_owned(const signal::ProtocolAddress& address, signal::SessionRecord&& record) override;
  /// Forgets the session with one device (a removed device).
  [[nodiscard]] Status delete_session(const signal::ProtocolAddress& address);
  /// The devices of `username` we hold sessions with, ascending.
  Result<std::vector<signal::DeviceId>> devices(std::string_view username);

 private:
  /// A record this store wrote, kept parsed with the sealed bytes it wrote:
  /// a load that finds those very bytes in the row takes it instead of
  /// opening and parsing them (the row is the truth: another process's
  /// write, or a rolled-back transaction, leaves other bytes there, and the
  /// load reads them). Taken out by the load; put back by the store after a
  /// successful operation (SessionCipher's store_session_owned). At most 64.
  struct Kept {
    Bytes sealed;
    signal::SessionRecord record;
  };
  Result<Bytes> write(const signal::ProtocolAddress& address, const signal::SessionRecord& record);

  LocalStore& store_;
  std::map<signal::ProtocolAddress, Kept> kept_;
};

/// libhush's five stores over one LocalStore (the Kyber one's tables come
/// from ensure_kyber_pre_key_tables).
struct SqliteProtocolStore {
  SqliteIdentityKeyStore identities;
  SqlitePreKeyStore pre_keys;
  SqliteSignedPreKeyStore signed_pre_keys;
  SqliteSessionStore sessions;
  SqliteKyberPreKeyStore kyber_pre_keys;

  explicit SqliteProtocolStore(LocalStore& store) noexcept
      : identities(store), pre_keys(store), signed_pre_keys(store), sessions(store), kyber_pre_keys(store) {}
  /// The references libhush's SessionCipher and process_pre_key_bundle take;
  /// with the Kyber store, version-4 (PQXDH) pre-key messages are answered.
  signal::ProtocolStores stores() noexcept {
    return {identities, pre_keys, signed_pre_keys, sessions, &kyber_pre_keys};
  }
};

}  // namespace hush::client::store
