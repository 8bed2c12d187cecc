// LibsignalPeer: drives libsignal-protocol-c's session builder and cipher,
// group builder and cipher, and fingerprint generator over plain bytes. The
// crypto provider and stores live in src/libsignal/; this file owns the
// library objects, their lifetimes and the destroy order.
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/libsignal_peer.hpp>

#include "libsignal/memory_stores.hpp"
#include "libsignal/openssl_provider.hpp"

#include <fingerprint.h>
#include <group_cipher.h>
#include <group_session_builder.h>
#include <key_helper.h>
#include <protocol.h>
#include <session_builder.h>
#include <session_cipher.h>
#include <session_pre_key.h>
#include <signal_protocol.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

namespace hush::testing {
namespace {

using libsignal::MemoryStores;

// A failure the harness cannot recover from (allocation, a broken provider):
// abort with a line that says where, rather than hand a test a half-made peer.
void require(int rc, const char* what) {
  if (rc < 0) {
    std::fprintf(stderr, "LibsignalPeer: %s failed with %d\n", what, rc);
    std::abort();
  }
}

Bytes to_bytes(const signal_buffer* b) {
  const std::uint8_t* d = signal_buffer_const_data(b);
  return Bytes(d, d + signal_buffer_len(b));
}

Bytes serialize_public(const ec_public_key* key) {
  signal_buffer* buf = nullptr;
  require(ec_public_key_serialize(&buf, key), "ec_public_key_serialize");
  Bytes out = to_bytes(buf);
  signal_buffer_free(buf);
  return out;
}

// Unrefs a libsignal object when the scope ends.
template <class T>
struct Ref {
  T* p = nullptr;
  Ref() = default;
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() {
    if (p) SIGNAL_UNREF(p);
  }
};

// The library keeps a *pointer* to the address (and its name) for the
// cipher's whole life, so each lives in a heap node that never moves.
struct RemoteSession {
  std::string name;
  signal_protocol_address address{};
  session_cipher* cipher = nullptr;
};

// What the context's lock and log callbacks reach through their user_data.
struct ContextHooks {
  // libsignal locks, then calls functions that lock again: it must be recursive.
  std::recursive_mutex mutex;
  std::string last_log;
};

void lock_cb(void* ud) { static_cast<ContextHooks*>(ud)->mutex.lock(); }
void unlock_cb(void* ud) { static_cast<ContextHooks*>(ud)->mutex.unlock(); }
void log_cb(int /*level*/, const char* message, std::size_t len, void* ud) {
  static_cast<ContextHooks*>(ud)->last_log.assign(message, len);
}

crypto::Rng& pick_rng(crypto::Rng* external, std::unique_ptr<DeterministicRng>& owned, std::uint64_t seed) {
  if (external) return *external;
  owned = std::make_unique<DeterministicRng>(seed);
  return *owned;
}

struct GroupMember {
  std::string group_id;
  std::string sender;
  signal_protocol_sender_key_name key_name{};
  group_cipher* cipher = nullptr;
};

}  // namespace

struct LibsignalPeer::Impl {
  Impl(crypto::Rng* external, std::uint64_t seed, std::uint32_t registration_id, std::int32_t device);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  RemoteSession& remote(std::string_view name, std::int32_t device);
  GroupMember& member(std::string_view group_id, std::string_view sender, std::int32_t device);
  int decode_point(ByteView bytes, Ref<ec_public_key>& out) const {
    return curve_decode_point(&out.p, bytes.data(), bytes.size(), ctx);
  }

  std::unique_ptr<DeterministicRng> owned_rng;  // set when built from a seed
  crypto::Rng& rng;
  std::int32_t device_id;
  ContextHooks hooks;
  libsignal::OpensslProvider provider;
  std::unique_ptr<MemoryStores> stores;
  signal_context* ctx = nullptr;
  signal_protocol_store_context* store = nullptr;
  ratchet_identity_key_pair* identity = nullptr;
  group_session_builder* group_builder = nullptr;
  std::map<MemoryStores::AddressKey, std::unique_ptr<RemoteSession>> remotes;
  std::map<MemoryStores::SenderKeyKey, std::unique_ptr<GroupMember>> members;
};

LibsignalPeer::Impl::Impl(crypto::Rng* external, std::uint64_t seed, std::uint32_t registration_id,
                          std::int32_t device)
    : rng(pick_rng(external, owned_rng, seed)), device_id(device), provider(rng) {
  require(signal_context_create(&ctx, &hooks), "signal_context_create");
  signal_crypto_provider table = provider.table();
  require(signal_context_set_crypto_provider(ctx, &table), "signal_context_set_crypto_provider");
  require(signal_context_set_locking_functions(ctx, lock_cb, unlock_cb), "signal_context_set_locking_functions");
  require(signal_context_set_log_function(ctx, log_cb), "signal_context_set_log_function");

  require(signal_protocol_key_helper_generate_identity_key_pair(&identity, ctx), "generate_identity_key_pair");
  Bytes id_public = serialize_public(ratchet_identity_key_pair_get_public(identity));
  signal_buffer* priv = nullptr;
  require(ec_private_key_serialize(&priv, ratchet_identity_key_pair_get_private(identity)), "ec_private_key_serialize");
  Bytes id_private = to_bytes(priv);
  signal_buffer_bzero_free(priv);
  stores = std::make_unique<MemoryStores>(registration_id, std::move(id_public), std::move(id_private));

  require(signal_protocol_store_context_create(&store, ctx), "signal_protocol_store_context_create");
  stores->install(store);
  require(group_session_builder_create(&group_builder, store, ctx), "group_session_builder_create");
}

// Destroy order: ciphers and builders, then the store context (which calls
// each store's destroy_func), then the signal context; our stores, provider
// and Rng go last as members.
LibsignalPeer::Impl::~Impl() {
  for (auto& [key, r] : remotes) session_cipher_free(r->cipher);
  remotes.clear();
  for (auto& [key, m] : members) group_cipher_free(m->cipher);
  members.clear();
  group_session_builder_free(group_builder);
  if (identity) SIGNAL_UNREF(identity);
  signal_protocol_store_context_destroy(store);
  signal_context_destroy(ctx);
  secure_wipe(stores->identity_private.data(), stores->identity_private.size());
}

RemoteSession& LibsignalPeer::Impl::remote(std::string_view name, std::int32_t device) {
  auto& slot = remotes[{std::string(name), device}];
  if (!slot) {
    auto r = std::make_unique<RemoteSession>();
    r->name = std::string(name);
    r->address = {r->name.c_str(), r->name.size(), device};
    require(session_cipher_create(&r->cipher, store, &r->address, ctx), "session_cipher_create");
    slot = std::move(r);
  }
  return *slot;
}

GroupMember& LibsignalPeer::Impl::member(std::string_view group_id, std::string_view sender, std::int32_t device) {
  auto& slot = members[{std::string(group_id), std::string(sender), device}];
  if (!slot) {
    auto m = std::make_unique<GroupMember>();
    m->group_id = std::string(group_id);
    m->sender = std::string(sender);
    m->key_name = {m->group_id.c_str(), m->group_id.size(), {m->sender.c_str(), m->sender.size(), device}};
    require(group_cipher_create(&m->cipher, store, &m->key_name, ctx), "group_cipher_create");
    slot = std::move(m);
  }
  return *slot;
}

LibsignalPeer::LibsignalPeer(std::uint64_t seed, std::uint32_t registration_id, std::int32_t device_id)
    : impl_(std::make_unique<Impl>(nullptr, seed, registration_id, device_id)) {}

LibsignalPeer::LibsignalPeer(crypto::Rng& rng, std::uint32_t registration_id, std::int32_t device_id)
    : impl_(std::make_unique<Impl>(&rng, 0, registration_id, device_id)) {}

LibsignalPeer::~LibsignalPeer() = default;

std::uint32_t LibsignalPeer::registration_id() const noexcept { return impl_->stores->registration_id; }
std::int32_t LibsignalPeer::device_id() const noexcept { return impl_->device_id; }
Bytes LibsignalPeer::identity_public() const { return impl_->stores->identity_public; }
SecretBytes<32> LibsignalPeer::identity_private() const {
  return SecretBytes<32>::from(impl_->stores->identity_private);
}

PeerBundle LibsignalPeer::make_bundle(std::uint32_t pre_key_id, std::uint32_t signed_pre_key_id,
                                      bool with_one_time_pre_key) {
  std::lock_guard lock(impl_->hooks.mutex);
  PeerBundle bundle;
  bundle.registration_id = impl_->stores->registration_id;
  bundle.device_id = impl_->device_id;
  bundle.identity_key = impl_->stores->identity_public;

  if (with_one_time_pre_key) {
    Ref<ec_key_pair> pair;
    require(curve_generate_key_pair(impl_->ctx, &pair.p), "curve_generate_key_pair");
    Ref<session_pre_key> pre_key;
    require(session_pre_key_create(&pre_key.p, pre_key_id, pair.p), "session_pre_key_create");
    require(signal_protocol_pre_key_store_key(impl_->store, pre_key.p), "pre_key_store_key");
    bundle.pre_key_id = pre_key_id;
    bundle.pre_key_public = serialize_public(ec_key_pair_get_public(pair.p));
  }

  Ref<session_signed_pre_key> signed_pre_key;
  // Timestamp 0: nothing in a test reads it, and it keeps seeded peers reproducible.
  require(signal_protocol_key_helper_generate_signed_pre_key(&signed_pre_key.p, impl_->identity, signed_pre_key_id, 0,
                                                              impl_->ctx),
          "generate_signed_pre_key");
  require(signal_protocol_signed_pre_key_store_key(impl_->store, signed_pre_key.p), "signed_pre_key_store_key");
  bundle.signed_pre_key_id = signed_pre_key_id;
  bundle.signed_pre_key_public = serialize_public(ec_key_pair_get_public(session_signed_pre_key_get_key_pair(signed_pre_key.p)));
  const std::uint8_t* sig = session_signed_pre_key_get_signature(signed_pre_key.p);
  bundle.signed_pre_key_signature.assign(sig, sig + session_signed_pre_key_get_signature_len(signed_pre_key.p));
  return bundle;
}

int LibsignalPeer::process_bundle(std::string_view name, std::int32_t device_id, const PeerBundle& bundle) {
  std::lock_guard lock(impl_->hooks.mutex);
  Ref<ec_public_key> pre_key, signed_pre_key, identity;
  if (bundle.pre_key_id) {
    if (int rc = impl_->decode_point(bundle.pre_key_public, pre_key); rc < 0) return rc;
  }
  if (int rc = impl_->decode_point(bundle.signed_pre_key_public, signed_pre_key); rc < 0) return rc;
  if (int rc = impl_->decode_point(bundle.identity_key, identity); rc < 0) return rc;

  Ref<session_pre_key_bundle> b;
  int rc = session_pre_key_bundle_create(&b.p, bundle.registration_id, bundle.device_id, bundle.pre_key_id.value_or(0),
                                         pre_key.p, bundle.signed_pre_key_id, signed_pre_key.p,
                                         bundle.signed_pre_key_signature.data(),
                                         bundle.signed_pre_key_signature.size(), identity.p);
  if (rc < 0) return rc;
  // The builder too keeps the address pointer: use the long-lived one.
  RemoteSession& r = impl_->remote(name, device_id);
  session_builder* builder = nullptr;
  require(session_builder_create(&builder, impl_->store, &r.address, impl_->ctx), "session_builder_create");
  rc = session_builder_process_pre_key_bundle(builder, b.p);
  session_builder_free(builder);
  return rc;
}

PeerCiphertext LibsignalPeer::encrypt(std::string_view name, std::int32_t device_id, ByteView plaintext) {
  std::lock_guard lock(impl_->hooks.mutex);
  PeerCiphertext out;
  Ref<ciphertext_message> message;
  out.rc = session_cipher_encrypt(impl_->remote(name, device_id).cipher, plaintext.data(), plaintext.size(),
                                  &message.p);
  if (out.rc < 0) return out;
  out.type = ciphertext_message_get_type(message.p);
  out.serialized = to_bytes(ciphertext_message_get_serialized(message.p));  // borrowed: copy
  return out;
}

PeerPlaintext LibsignalPeer::decrypt(std::string_view name, std::int32_t device_id, int type, ByteView serialized) {
  std::lock_guard lock(impl_->hooks.mutex);
  PeerPlaintext out;
  session_cipher* cipher = impl_->remote(name, device_id).cipher;
  signal_buffer* plaintext = nullptr;
  if (type == sg::kPreKeySignalMessage) {
    Ref<pre_key_signal_message> m;
    out.rc = pre_key_signal_message_deserialize(&m.p, serialized.data(), serialized.size(), impl_->ctx);
    if (out.rc < 0) return out;
    out.rc = session_cipher_decrypt_pre_key_signal_message(cipher, m.p, nullptr, &plaintext);
  } else if (type == sg::kSignalMessage) {
    Ref<signal_message> m;
    out.rc = signal_message_deserialize(&m.p, serialized.data(), serialized.size(), impl_->ctx);
    if (out.rc < 0) return out;
    out.rc = session_cipher_decrypt_signal_message(cipher, m.p, nullptr, &plaintext);
  } else {
    out.rc = sg::kErrInval;
    return out;
  }
  if (out.rc >= 0 && plaintext) out.plaintext = to_bytes(plaintext);
  if (plaintext) signal_buffer_bzero_free(plaintext);
  return out;
}

bool LibsignalPeer::has_session(std::string_view name, std::int32_t device_id) const {
  std::lock_guard lock(impl_->hooks.mutex);
  return impl_->stores->sessions.count({std::string(name), device_id}) != 0;
}

void LibsignalPeer::delete_session(std::string_view name, std::int32_t device_id) {
  std::lock_guard lock(impl_->hooks.mutex);
  impl_->stores->sessions.erase({std::string(name), device_id});
}

bool LibsignalPeer::has_pre_key(std::uint32_t pre_key_id) const {
  std::lock_guard lock(impl_->hooks.mutex);
  return impl_->stores->pre_keys.count(pre_key_id) != 0;
}

bool LibsignalPeer::has_signed_pre_key(std::uint32_t signed_pre_key_id) const {
  std::lock_guard lock(impl_->hooks.mutex);
  return impl_->stores->signed_pre_keys.count(signed_pre_key_id) != 0;
}

void LibsignalPeer::trust_identity(std::string_view name, ByteView key) {
  std::lock_guard lock(impl_->hooks.mutex);
  impl_->stores->identities[std::string(name)] = hush::to_bytes(key);
}

std::optional<Bytes> LibsignalPeer::stored_identity(std::string_view name) const {
  std::lock_guard lock(impl_->hooks.mutex);
  auto it = impl_->stores->identities.find(std::string(name));
  if (it == impl_->stores->identities.end()) return std::nullopt;
  return it->second;
}

void LibsignalPeer::set_trust_on_first_use(bool on) noexcept { impl_->stores->trust_on_first_use = on; }

PeerCiphertext LibsignalPeer::create_sender_key_distribution(std::string_view group_id, std::string_view sender_name,
                                                             std::int32_t device_id) {
  std::lock_guard lock(impl_->hooks.mutex);
  PeerCiphertext out;
  Ref<sender_key_distribution_message> message;
  out.rc = group_session_builder_create_session(impl_->group_builder, &message.p,
                                                &impl_->member(group_id, sender_name, device_id).key_name);
  if (out.rc < 0) return out;
  // A distribution message is a ciphertext_message underneath (its first member).
  auto* base = reinterpret_cast<ciphertext_message*>(message.p);
  out.type = ciphertext_message_get_type(base);
  out.serialized = to_bytes(ciphertext_message_get_serialized(base));
  return out;
}

int LibsignalPeer::process_sender_key_distribution(std::string_view group_id, std::string_view sender_name,
                                                   std::int32_t device_id, ByteView serialized) {
  std::lock_guard lock(impl_->hooks.mutex);
  Ref<sender_key_distribution_message> message;
  int rc = sender_key_distribution_message_deserialize(&message.p, serialized.data(), serialized.size(), impl_->ctx);
  if (rc < 0) return rc;
  return group_session_builder_process_session(impl_->group_builder,
                                               &impl_->member(group_id, sender_name, device_id).key_name, message.p);
}

PeerCiphertext LibsignalPeer::group_encrypt(std::string_view group_id, std::string_view name, std::int32_t device_id,
                                            ByteView plaintext) {
  std::lock_guard lock(impl_->hooks.mutex);
  PeerCiphertext out;
  Ref<ciphertext_message> message;
  out.rc = group_cipher_encrypt(impl_->member(group_id, name, device_id).cipher, plaintext.data(), plaintext.size(),
                                &message.p);
  if (out.rc < 0) return out;
  out.type = ciphertext_message_get_type(message.p);
  out.serialized = to_bytes(ciphertext_message_get_serialized(message.p));
  return out;
}

PeerPlaintext LibsignalPeer::group_decrypt(std::string_view group_id, std::string_view sender_name,
                                           std::int32_t device_id, ByteView serialized) {
  std::lock_guard lock(impl_->hooks.mutex);
  PeerPlaintext out;
  Ref<sender_key_message> message;
  out.rc = sender_key_message_deserialize(&message.p, serialized.data(), serialized.size(), impl_->ctx);
  if (out.rc < 0) return out;
  signal_buffer* plaintext = nullptr;
  out.rc = group_cipher_decrypt(impl_->member(group_id, sender_name, device_id).cipher, message.p, nullptr,
                                &plaintext);
  if (out.rc >= 0 && plaintext) out.plaintext = to_bytes(plaintext);
  if (plaintext) signal_buffer_bzero_free(plaintext);
  return out;
}

PeerFingerprint LibsignalPeer::fingerprint(std::string_view local_stable_id, ByteView local_identity_key,
                                           std::string_view remote_stable_id, ByteView remote_identity_key,
                                           int iterations, int version) {
  std::lock_guard lock(impl_->hooks.mutex);
  PeerFingerprint out;
  Ref<ec_public_key> local, remote;
  if ((out.rc = impl_->decode_point(local_identity_key, local)) < 0) return out;
  if ((out.rc = impl_->decode_point(remote_identity_key, remote)) < 0) return out;
  fingerprint_generator* generator = nullptr;
  if ((out.rc = fingerprint_generator_create(&generator, iterations, version, impl_->ctx)) < 0) return out;
  // The generator reads the identifiers as C strings.
  const std::string local_id(local_stable_id), remote_id(remote_stable_id);
  Ref<::fingerprint> fp;
  out.rc = fingerprint_generator_create_for(generator, local_id.c_str(), local.p, remote_id.c_str(), remote.p, &fp.p);
  fingerprint_generator_free(generator);
  if (out.rc < 0) return out;
  out.displayable = displayable_fingerprint_text(fingerprint_get_displayable(fp.p));
  signal_buffer* scannable = nullptr;
  if ((out.rc = scannable_fingerprint_serialize(&scannable, fingerprint_get_scannable(fp.p))) < 0) return out;
  out.scannable = to_bytes(scannable);
  signal_buffer_free(scannable);
  return out;
}

int LibsignalPeer::compare_scannable(ByteView ours, ByteView theirs) {
  std::lock_guard lock(impl_->hooks.mutex);
  Ref<scannable_fingerprint> a, b;
  if (int rc = scannable_fingerprint_deserialize(&a.p, ours.data(), ours.size(), impl_->ctx); rc < 0) return rc;
  if (int rc = scannable_fingerprint_deserialize(&b.p, theirs.data(), theirs.size(), impl_->ctx); rc < 0) return rc;
  return scannable_fingerprint_compare(a.p, b.p);
}

std::string LibsignalPeer::last_log() const {
  std::lock_guard lock(impl_->hooks.mutex);
  return impl_->hooks.last_log;
}

}  // namespace hush::testing
