// OlmPeer over libolm's C API. libolm works in caller-allocated memory,
// reports failure as olm_error() plus a last_error string, and decodes base64
// *in place*: every input it may overwrite is copied first. Each session is
// a Stored<T>: a live object, or a pickle that is unpickled for one
// operation and pickled again afterwards (OlmPeerOptions::persist_sessions).
#include <hush/testing/deterministic_rng.hpp>
#include <hush/testing/olm_peer.hpp>
#include <hush/util/secret.hpp>

#include <olm/olm.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

namespace hush::testing {
namespace {

// Pickles are encrypted with this key; a test peer has nothing to hide, but
// an application would pickle with a key, so the cost is the same.
constexpr std::string_view kPickleKey = "hush olm peer pickle key 32 byte";

bool failed(std::size_t r) { return r == olm_error(); }

[[noreturn]] void die(const char* what, const char* error) {
  std::fprintf(stderr, "OlmPeer: %s failed: %s\n", what, error);
  std::abort();
}

// Random bytes for one libolm call, wiped afterwards (libolm does not keep them).
struct RandomBytes {
  SecretBuffer bytes;
  RandomBytes(crypto::Rng& rng, std::size_t n) : bytes(n) { rng.fill(bytes.expose_mut()); }
  void* data() { return bytes.expose_mut().data(); }
  [[nodiscard]] std::size_t size() const { return bytes.size(); }
};

// The calls that differ between libolm's three session kinds.
template <class T>
struct Kind;

template <>
struct Kind<OlmSession> {
  static std::size_t size() { return olm_session_size(); }
  static OlmSession* make(void* m) { return olm_session(m); }
  static void clear(OlmSession* s) { olm_clear_session(s); }
  static const char* error(OlmSession* s) { return olm_session_last_error(s); }
  static std::size_t pickle_length(OlmSession* s) { return olm_pickle_session_length(s); }
  static std::size_t pickle(OlmSession* s, void* out, std::size_t n) {
    return olm_pickle_session(s, kPickleKey.data(), kPickleKey.size(), out, n);
  }
  static std::size_t unpickle(OlmSession* s, void* in, std::size_t n) {
    return olm_unpickle_session(s, kPickleKey.data(), kPickleKey.size(), in, n);
  }
};

template <>
struct Kind<OlmOutboundGroupSession> {
  using T = OlmOutboundGroupSession;
  static std::size_t size() { return olm_outbound_group_session_size(); }
  static T* make(void* m) { return olm_outbound_group_session(m); }
  static void clear(T* s) { olm_clear_outbound_group_session(s); }
  static const char* error(T* s) { return olm_outbound_group_session_last_error(s); }
  static std::size_t pickle_length(T* s) { return olm_pickle_outbound_group_session_length(s); }
  static std::size_t pickle(T* s, void* out, std::size_t n) {
    return olm_pickle_outbound_group_session(s, kPickleKey.data(), kPickleKey.size(), out, n);
  }
  static std::size_t unpickle(T* s, void* in, std::size_t n) {
    return olm_unpickle_outbound_group_session(s, kPickleKey.data(), kPickleKey.size(), in, n);
  }
};

template <>
struct Kind<OlmInboundGroupSession> {
  using T = OlmInboundGroupSession;
  static std::size_t size() { return olm_inbound_group_session_size(); }
  static T* make(void* m) { return olm_inbound_group_session(m); }
  static void clear(T* s) { olm_clear_inbound_group_session(s); }
  static const char* error(T* s) { return olm_inbound_group_session_last_error(s); }
  static std::size_t pickle_length(T* s) { return olm_pickle_inbound_group_session_length(s); }
  static std::size_t pickle(T* s, void* out, std::size_t n) {
    return olm_pickle_inbound_group_session(s, kPickleKey.data(), kPickleKey.size(), out, n);
  }
  static std::size_t unpickle(T* s, void* in, std::size_t n) {
    return olm_unpickle_inbound_group_session(s, kPickleKey.data(), kPickleKey.size(), in, n);
  }
};

// One session of kind T, live or pickled. use() hands out the live object for
// one operation; done() ends it (pickling and clearing in persist mode).
template <class T>
class Stored {
 public:
  explicit Stored(bool persist) : persist_(persist), memory_(Kind<T>::size()), object_(Kind<T>::make(memory_.data())) {}
  Stored(const Stored&) = delete;
  Stored& operator=(const Stored&) = delete;
  ~Stored() {
    Kind<T>::clear(object_);
    secure_wipe(pickle_.data(), pickle_.size());
  }

  /// The object, freshly made (for the init call that creates the session).
  T* fresh() {
    Kind<T>::clear(object_);
    object_ = Kind<T>::make(memory_.data());
    return object_;
  }

  T* use() {
    if (persist_ && !pickle_.empty()) {
      object_ = Kind<T>::make(memory_.data());
      std::string copy = pickle_;  // unpickle decodes in place
      if (failed(Kind<T>::unpickle(object_, copy.data(), copy.size()))) die("unpickle", Kind<T>::error(object_));
    }
    return object_;
  }

  void done() {
    if (!persist_) return;
    pickle_.assign(Kind<T>::pickle_length(object_), '\0');
    std::size_t n = Kind<T>::pickle(object_, pickle_.data(), pickle_.size());
    if (failed(n)) die("pickle", Kind<T>::error(object_));
    pickle_.resize(n);
    Kind<T>::clear(object_);
  }

 private:
  bool persist_;
  Bytes memory_;  // operator new's alignment suits libolm's objects
  T* object_;
  std::string pickle_;
};

// Scoped use(): the session is put back (pickled) whatever path returns.
template <class T>
class Using {
 public:
  explicit Using(Stored<T>& s) : stored_(s), object_(s.use()) {}
  Using(const Using&) = delete;
  Using& operator=(const Using&) = delete;
  ~Using() { stored_.done(); }
  T* operator->() const { return object_; }
  T* get() const { return object_; }

 private:
  Stored<T>& stored_;
  T* object_;
};

// Extracts the string value after `"key":"` in libolm's small JSON outputs.
std::string json_string_after(std::string_view json, std::string_view key_prefix) {
  std::size_t at = json.find(key_prefix);
  if (at == std::string_view::npos) return {};
  at += key_prefix.size();
  std::size_t end = json.find('"', at);
  return std::string(json.substr(at, end - at));
}

crypto::Rng& pick_rng(crypto::Rng* external, std::unique_ptr<DeterministicRng>& owned, std::uint64_t seed) {
  if (external) return *external;
  owned = std::make_unique<DeterministicRng>(seed);
  return *owned;
}

}  // namespace

struct OlmPeer::Impl {
  Impl(crypto::Rng* external, std::uint64_t seed, OlmPeerOptions opts);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { olm_clear_account(account); }

  std::unique_ptr<DeterministicRng> owned_rng;
  crypto::Rng& rng;
  OlmPeerOptions options;
  Bytes account_memory;
  OlmAccount* account = nullptr;
  std::string identity_json;
  std::map<std::string, std::unique_ptr<Stored<OlmSession>>, std::less<>> sessions;
  std::map<std::string, std::unique_ptr<Stored<OlmOutboundGroupSession>>, std::less<>> outbound;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Stored<OlmInboundGroupSession>>> inbound;
  std::string last_error;
};

OlmPeer::Impl::Impl(crypto::Rng* external, std::uint64_t seed, OlmPeerOptions opts)
    : rng(pick_rng(external, owned_rng, seed)), options(opts), account_memory(olm_account_size()) {
  account = olm_account(account_memory.data());
  RandomBytes random(rng, olm_create_account_random_length(account));
  if (failed(olm_create_account(account, random.data(), random.size()))) {
    die("olm_create_account", olm_account_last_error(account));
  }
  identity_json.assign(olm_account_identity_keys_length(account), '\0');
  std::size_t n = olm_account_identity_keys(account, identity_json.data(), identity_json.size());
  if (failed(n)) die("olm_account_identity_keys", olm_account_last_error(account));
  identity_json.resize(n);
}

OlmPeer::OlmPeer(std::uint64_t seed, OlmPeerOptions options) : impl_(std::make_unique<Impl>(nullptr, seed, options)) {}
OlmPeer::OlmPeer(crypto::Rng& rng, OlmPeerOptions options) : impl_(std::make_unique<Impl>(&rng, 0, options)) {}
OlmPeer::~OlmPeer() = default;

std::string OlmPeer::identity_key() const { return json_string_after(impl_->identity_json, "\"curve25519\":\""); }
std::string OlmPeer::signing_key() const { return json_string_after(impl_->identity_json, "\"ed25519\":\""); }
std::string OlmPeer::last_error() const { return impl_->last_error; }

std::string OlmPeer::new_one_time_key() {
  OlmAccount* account = impl_->account;
  RandomBytes random(impl_->rng, olm_account_generate_one_time_keys_random_length(account, 1));
  if (failed(olm_account_generate_one_time_keys(account, 1, random.data(), random.size()))) {
    die("olm_account_generate_one_time_keys", olm_account_last_error(account));
  }
  std::string json(olm_account_one_time_keys_length(account), '\0');
  std::size_t n = olm_account_one_time_keys(account, json.data(), json.size());
  if (failed(n)) die("olm_account_one_time_keys", olm_account_last_error(account));
  json.resize(n);
  // Only unpublished keys are listed and each is published at once, so the
  // JSON {"curve25519":{"<id>":"<key>"}} holds exactly one key.
  olm_account_mark_keys_as_published(account);
  std::size_t colon = json.rfind("\":\"");
  return json_string_after(json.substr(colon), "\":\"");
}

bool OlmPeer::create_outbound_session(std::string_view name, std::string_view their_identity_key,
                                      std::string_view their_one_time_key) {
  auto stored = std::make_unique<Stored<OlmSession>>(impl_->options.persist_sessions);
  OlmSession* s = stored->fresh();
  RandomBytes random(impl_->rng, olm_create_outbound_session_random_length(s));
  if (failed(olm_create_outbound_session(s, impl_->account, their_identity_key.data(), their_identity_key.size(),
                                         their_one_time_key.data(), their_one_time_key.size(), random.data(),
                                         random.size()))) {
    impl_->last_error = olm_session_last_error(s);
    return false;
  }
  stored->done();
  impl_->sessions[std::string(name)] = std::move(stored);
  return true;
}

OlmCiphertext OlmPeer::encrypt(std::string_view name, ByteView plaintext) {
  OlmCiphertext out;
  auto it = impl_->sessions.find(name);
  if (it == impl_->sessions.end()) {
    out.error = impl_->last_error = "NO_SESSION";
    return out;
  }
  Using<OlmSession> s(*it->second);
  out.type = olm_encrypt_message_type(s.get());  // before encrypting: it may change after
  RandomBytes random(impl_->rng, olm_encrypt_random_length(s.get()));
  out.body.assign(olm_encrypt_message_length(s.get(), plaintext.size()), '\0');
  std::size_t n = olm_encrypt(s.get(), plaintext.data(), plaintext.size(), random.data(), random.size(),
                              out.body.data(), out.body.size());
  if (failed(n)) {
    out.error = impl_->last_error = olm_session_last_error(s.get());
    out.body.clear();
    return out;
  }
  out.body.resize(n);
  out.ok = true;
  return out;
}

OlmPlaintext OlmPeer::decrypt(std::string_view name, std::size_t type, std::string_view body) {
  OlmPlaintext out;
  auto it = impl_->sessions.find(name);
  if (it == impl_->sessions.end()) {
    if (type != kOlmPreKeyMessage) {
      out.error = impl_->last_error = "NO_SESSION";
      return out;
    }
    auto stored = std::make_unique<Stored<OlmSession>>(impl_->options.persist_sessions);
    OlmSession* s = stored->fresh();
    std::string copy(body);  // decoded in place
    if (failed(olm_create_inbound_session(s, impl_->account, copy.data(), copy.size()))) {
      out.error = impl_->last_error = olm_session_last_error(s);
      return out;
    }
    olm_remove_one_time_keys(impl_->account, s);
    stored->done();
    it = impl_->sessions.emplace(std::string(name), std::move(stored)).first;
  }
  Using<OlmSession> s(*it->second);
  std::string copy(body);
  std::size_t max = olm_decrypt_max_plaintext_length(s.get(), type, copy.data(), copy.size());
  if (failed(max)) {
    out.error = impl_->last_error = olm_session_last_error(s.get());
    return out;
  }
  copy.assign(body);
  SecretBuffer plain(max);
  std::size_t n = olm_decrypt(s.get(), type, copy.data(), copy.size(), plain.expose_mut().data(), max);
  if (failed(n)) {
    out.error = impl_->last_error = olm_session_last_error(s.get());
    return out;
  }
  out.plaintext.assign(plain.expose().begin(), plain.expose().begin() + static_cast<std::ptrdiff_t>(n));
  out.ok = true;
  return out;
}

bool OlmPeer::has_session(std::string_view name) const { return impl_->sessions.find(name) != impl_->sessions.end(); }

void OlmPeer::delete_session(std::string_view name) {
  auto it = impl_->sessions.find(name);
  if (it != impl_->sessions.end()) impl_->sessions.erase(it);
}

std::string OlmPeer::create_group_session(std::string_view group_id) {
  auto stored = std::make_unique<Stored<OlmOutboundGroupSession>>(impl_->options.persist_sessions);
  OlmOutboundGroupSession* s = stored->fresh();
  RandomBytes random(impl_->rng, olm_init_outbound_group_session_random_length(s));
  if (failed(olm_init_outbound_group_session(s, static_cast<std::uint8_t*>(random.data()), random.size()))) {
    die("olm_init_outbound_group_session", olm_outbound_group_session_last_error(s));
  }
  std::string key(olm_outbound_group_session_key_length(s), '\0');
  std::size_t n = olm_outbound_group_session_key(s, reinterpret_cast<std::uint8_t*>(key.data()), key.size());
  if (failed(n)) die("olm_outbound_group_session_key", olm_outbound_group_session_last_error(s));
  key.resize(n);
  stored->done();
  impl_->outbound[std::string(group_id)] = std::move(stored);
  return key;
}

bool OlmPeer::add_inbound_group_session(std::string_view group_id, std::string_view sender,
                                        std::string_view session_key) {
  auto stored = std::make_unique<Stored<OlmInboundGroupSession>>(impl_->options.persist_sessions);
  OlmInboundGroupSession* s = stored->fresh();
  std::string copy(session_key);
  if (failed(olm_init_inbound_group_session(s, reinterpret_cast<const std::uint8_t*>(copy.data()), copy.size()))) {
    impl_->last_error = olm_inbound_group_session_last_error(s);
    return false;
  }
  stored->done();
  impl_->inbound[{std::string(group_id), std::string(sender)}] = std::move(stored);
  return true;
}

OlmCiphertext OlmPeer::group_encrypt(std::string_view group_id, ByteView plaintext) {
  OlmCiphertext out;
  auto it = impl_->outbound.find(group_id);
  if (it == impl_->outbound.end()) {
    out.error = impl_->last_error = "NO_SESSION";
    return out;
  }
  Using<OlmOutboundGroupSession> s(*it->second);
  out.body.assign(olm_group_encrypt_message_length(s.get(), plaintext.size()), '\0');
  std::size_t n = olm_group_encrypt(s.get(), plaintext.data(), plaintext.size(),
                                    reinterpret_cast<std::uint8_t*>(out.body.data()), out.body.size());
  if (failed(n)) {
    out.error = impl_->last_error = olm_outbound_group_session_last_error(s.get());
    out.body.clear();
    return out;
  }
  out.body.resize(n);
  out.ok = true;
  return out;
}

OlmPlaintext OlmPeer::group_decrypt(std::string_view group_id, std::string_view sender, std::string_view body) {
  OlmPlaintext out;
  auto it = impl_->inbound.find({std::string(group_id), std::string(sender)});
  if (it == impl_->inbound.end()) {
    out.error = impl_->last_error = "NO_SESSION";
    return out;
  }
  Using<OlmInboundGroupSession> s(*it->second);
  std::string copy(body);  // decoded in place, twice
  std::size_t max = olm_group_decrypt_max_plaintext_length(s.get(), reinterpret_cast<std::uint8_t*>(copy.data()),
                                                          copy.size());
  if (failed(max)) {
    out.error = impl_->last_error = olm_inbound_group_session_last_error(s.get());
    return out;
  }
  copy.assign(body);
  SecretBuffer plain(max);
  std::uint32_t index = 0;
  std::size_t n = olm_group_decrypt(s.get(), reinterpret_cast<std::uint8_t*>(copy.data()), copy.size(),
                                    plain.expose_mut().data(), max, &index);
  if (failed(n)) {
    out.error = impl_->last_error = olm_inbound_group_session_last_error(s.get());
    return out;
  }
  out.plaintext.assign(plain.expose().begin(), plain.expose().begin() + static_cast<std::ptrdiff_t>(n));
  out.ok = true;
  return out;
}

}  // namespace hush::testing
