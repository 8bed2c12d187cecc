// The store callbacks of libsignal-protocol-c over MemoryStores' maps. Return
// conventions differ per store (see PEERS.md): loads of sessions and sender
// keys return 1/0 and must leave *record NULL when absent; pre-key loads
// return SG_SUCCESS or SG_ERR_INVALID_KEY_ID; buffers we return are freed by
// the library, buffers we are given must be copied.
#include "memory_stores.hpp"

namespace hush::testing::libsignal {
namespace {

MemoryStores& self(void* ud) { return *static_cast<MemoryStores*>(ud); }
Bytes copy(const std::uint8_t* data, std::size_t len) { return data ? Bytes(data, data + len) : Bytes{}; }
signal_buffer* to_buffer(const Bytes& b) { return signal_buffer_create(b.data(), b.size()); }

// Hands a stored record (and its user record, when there is one) back to the library.
int give_record(const MemoryStores::Record& r, signal_buffer** record, signal_buffer** user_record) {
  signal_buffer* rec = to_buffer(r.record);
  if (!rec) return SG_ERR_NOMEM;
  if (!r.user_record.empty()) {
    signal_buffer* user = to_buffer(r.user_record);
    if (!user) {
      signal_buffer_free(rec);
      return SG_ERR_NOMEM;
    }
    *user_record = user;
  }
  *record = rec;
  return 1;
}

void nothing(void*) {}

// --- session store ---------------------------------------------------------
int load_session(signal_buffer** record, signal_buffer** user_record, const signal_protocol_address* a, void* ud) {
  auto& s = self(ud);
  auto it = s.sessions.find(address_key(*a));
  if (it == s.sessions.end()) return 0;
  return give_record(it->second, record, user_record);
}

// "Sub-devices" are every device but the primary (id 1), as in Signal's stores.
int get_sub_device_sessions(signal_int_list** sessions, const char* name, std::size_t name_len, void* ud) {
  signal_int_list* list = signal_int_list_alloc();
  if (!list) return SG_ERR_NOMEM;
  const std::string wanted(name, name_len);
  int count = 0;
  for (const auto& [key, rec] : self(ud).sessions) {
    if (key.first != wanted || key.second == 1) continue;
    if (signal_int_list_push_back(list, key.second) < 0) {
      signal_int_list_free(list);
      return SG_ERR_NOMEM;
    }
    ++count;
  }
  *sessions = list;
  return count;
}

int store_session(const signal_protocol_address* a, std::uint8_t* record, std::size_t len, std::uint8_t* user_record,
                  std::size_t user_len, void* ud) {
  self(ud).sessions[address_key(*a)] = {copy(record, len), copy(user_record, user_len)};
  return SG_SUCCESS;
}

int contains_session(const signal_protocol_address* a, void* ud) {
  return self(ud).sessions.count(address_key(*a)) ? 1 : 0;
}

int delete_session(const signal_protocol_address* a, void* ud) {
  return self(ud).sessions.erase(address_key(*a)) ? 1 : 0;
}

int delete_all_sessions(const char* name, std::size_t name_len, void* ud) {
  const std::string wanted(name, name_len);
  int count = 0;
  auto& m = self(ud).sessions;
  for (auto it = m.begin(); it != m.end();) {
    if (it->first.first == wanted) {
      it = m.erase(it);
      ++count;
    } else {
      ++it;
    }
  }
  return count;
}

// --- pre-key and signed pre-key stores --------------------------------------
int load_key(std::map<std::uint32_t, Bytes>& m, signal_buffer** record, std::uint32_t id) {
  auto it = m.find(id);
  if (it == m.end()) return SG_ERR_INVALID_KEY_ID;
  signal_buffer* buf = to_buffer(it->second);
  if (!buf) return SG_ERR_NOMEM;
  *record = buf;
  return SG_SUCCESS;
}

int load_pre_key(signal_buffer** record, std::uint32_t id, void* ud) { return load_key(self(ud).pre_keys, record, id); }
int store_pre_key(std::uint32_t id, std::uint8_t* record, std::size_t len, void* ud) {
  self(ud).pre_keys[id] = copy(record, len);
  return SG_SUCCESS;
}
int contains_pre_key(std::uint32_t id, void* ud) { return self(ud).pre_keys.count(id) ? 1 : 0; }
int remove_pre_key(std::uint32_t id, void* ud) {
  self(ud).pre_keys.erase(id);
  return SG_SUCCESS;
}

int load_signed_pre_key(signal_buffer** record, std::uint32_t id, void* ud) {
  return load_key(self(ud).signed_pre_keys, record, id);
}
int store_signed_pre_key(std::uint32_t id, std::uint8_t* record, std::size_t len, void* ud) {
  self(ud).signed_pre_keys[id] = copy(record, len);
  return SG_SUCCESS;
}
int contains_signed_pre_key(std::uint32_t id, void* ud) { return self(ud).signed_pre_keys.count(id) ? 1 : 0; }
int remove_signed_pre_key(std::uint32_t id, void* ud) {
  self(ud).signed_pre_keys.erase(id);
  return SG_SUCCESS;
}

// --- identity store -----------------------------------------------------------
int get_identity_key_pair(signal_buffer** public_data, signal_buffer** private_data, void* ud) {
  auto& s = self(ud);
  signal_buffer* pub = to_buffer(s.identity_public);
  signal_buffer* priv = to_buffer(s.identity_private);
  if (!pub || !priv) {
    signal_buffer_free(pub);
    signal_buffer_bzero_free(priv);
    return SG_ERR_NOMEM;
  }
  *public_data = pub;
  *private_data = priv;
  return SG_SUCCESS;
}

// The only callback whose user_data comes first.
int get_local_registration_id(void* ud, std::uint32_t* id) {
  *id = self(ud).registration_id;
  return SG_SUCCESS;
}

int save_identity(const signal_protocol_address* a, std::uint8_t* key, std::size_t len, void* ud) {
  auto& ids = self(ud).identities;
  std::string name(a->name, a->name_len);
  if (!key) {
    ids.erase(name);  // NULL key: forget this identity
  } else {
    ids[name] = copy(key, len);
  }
  return SG_SUCCESS;
}

int is_trusted_identity(const signal_protocol_address* a, std::uint8_t* key, std::size_t len, void* ud) {
  auto& s = self(ud);
  if (!s.trust_on_first_use) return 1;
  auto it = s.identities.find(std::string(a->name, a->name_len));
  if (it == s.identities.end()) return 1;  // first use
  return it->second == copy(key, len) ? 1 : 0;
}

// --- sender key store -----------------------------------------------------------
MemoryStores::SenderKeyKey sender_key(const signal_protocol_sender_key_name& n) {
  return {std::string(n.group_id, n.group_id_len), std::string(n.sender.name, n.sender.name_len), n.sender.device_id};
}

int store_sender_key(const signal_protocol_sender_key_name* n, std::uint8_t* record, std::size_t len,
                     std::uint8_t* user_record, std::size_t user_len, void* ud) {
  self(ud).sender_keys[sender_key(*n)] = {copy(record, len), copy(user_record, user_len)};
  return SG_SUCCESS;
}

int load_sender_key(signal_buffer** record, signal_buffer** user_record, const signal_protocol_sender_key_name* n,
                    void* ud) {
  auto& s = self(ud);
  auto it = s.sender_keys.find(sender_key(*n));
  if (it == s.sender_keys.end()) return 0;
  return give_record(it->second, record, user_record);
}

}  // namespace

MemoryStores::MemoryStores(std::uint32_t reg_id, Bytes id_public, Bytes id_private)
    : registration_id(reg_id), identity_public(std::move(id_public)), identity_private(std::move(id_private)) {}

void MemoryStores::install(signal_protocol_store_context* store) {
  signal_protocol_session_store session{};
  session.load_session_func = load_session;
  session.get_sub_device_sessions_func = get_sub_device_sessions;
  session.store_session_func = store_session;
  session.contains_session_func = contains_session;
  session.delete_session_func = delete_session;
  session.delete_all_sessions_func = delete_all_sessions;
  session.destroy_func = nothing;
  session.user_data = this;
  signal_protocol_store_context_set_session_store(store, &session);

  signal_protocol_pre_key_store pre_key{};
  pre_key.load_pre_key = load_pre_key;
  pre_key.store_pre_key = store_pre_key;
  pre_key.contains_pre_key = contains_pre_key;
  pre_key.remove_pre_key = remove_pre_key;
  pre_key.destroy_func = nothing;
  pre_key.user_data = this;
  signal_protocol_store_context_set_pre_key_store(store, &pre_key);

  signal_protocol_signed_pre_key_store signed_pre_key{};
  signed_pre_key.load_signed_pre_key = load_signed_pre_key;
  signed_pre_key.store_signed_pre_key = store_signed_pre_key;
  signed_pre_key.contains_signed_pre_key = contains_signed_pre_key;
  signed_pre_key.remove_signed_pre_key = remove_signed_pre_key;
  signed_pre_key.destroy_func = nothing;
  signed_pre_key.user_data = this;
  signal_protocol_store_context_set_signed_pre_key_store(store, &signed_pre_key);

  signal_protocol_identity_key_store identity{};
  identity.get_identity_key_pair = get_identity_key_pair;
  identity.get_local_registration_id = get_local_registration_id;
  identity.save_identity = save_identity;
  identity.is_trusted_identity = is_trusted_identity;
  identity.destroy_func = nothing;
  identity.user_data = this;
  signal_protocol_store_context_set_identity_key_store(store, &identity);

  signal_protocol_sender_key_store sender{};
  sender.store_sender_key = store_sender_key;
  sender.load_sender_key = load_sender_key;
  sender.destroy_func = nothing;
  sender.user_data = this;
  signal_protocol_store_context_set_sender_key_store(store, &sender);
}

}  // namespace hush::testing::libsignal
