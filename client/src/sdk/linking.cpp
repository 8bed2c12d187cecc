// Device linking (docs/protocol.md §7.4) through hushd's provisioning relay:
// the new device's provisioning socket, key and one-time code (relay address
// + public key + checksum); the existing device's sealed provisioning message
// (X25519 + HKDF-SHA256 + XChaCha20-Poly1305) sent to that address; and the
// new device's registration with the account identity and the link token.
// The relay carries opaque bytes; the identity key only ever travels sealed,
// and so does the account state the new device starts with (account_sync).
#include "account_sync.hpp"
#include "client_impl.hpp"

#include "sdk_frame.pb.h"

#include <hush/crypto/aead.hpp>
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/sha.hpp>
#include <hush/signal/identity.hpp>
#include <hush/util/base32.hpp>

#include <algorithm>

namespace hush::client {

namespace {

constexpr std::uint8_t kProvisioningVersion = 1;
constexpr std::string_view kProvisioningInfo = "Hush provisioning v1";
constexpr std::string_view kCodeUriPrefix = "hush-link:";
constexpr std::string_view kChecksumLabel = "hush link code v2";
/// The relay address: 128 bits (32 hex digits on the wire, docs/server/api.md).
constexpr std::size_t kAddressSize = 16;
/// Checksum bytes at the end of a code: they catch typing mistakes (a wrong
/// character passes with probability 2^-24); the key itself is what binds it.
constexpr std::size_t kChecksumSize = 3;
constexpr std::size_t kCodeBytes = kAddressSize + crypto::kKeySize + kChecksumSize;
/// How often link_complete looks at its stop token while it waits.
constexpr std::chrono::milliseconds kStopPoll{100};

/// SHA-256("hush link code v2" ‖ address ‖ P_u)[0..3].
Bytes checksum(ByteView address, ByteView key) {
  Bytes in = to_bytes(kChecksumLabel);
  in.insert(in.end(), address.begin(), address.end());
  in.insert(in.end(), key.begin(), key.end());
  auto d = crypto::sha256(in);
  return Bytes(d.begin(), d.begin() + kChecksumSize);
}

/// What a code carries.
struct ParsedCode {
  std::string address;  ///< lower-case hex, as hushd wants it
  crypto::PublicKey key;
};

Result<ParsedCode> parse_code(std::string_view code) {
  while (!code.empty() && (code.front() == ' ' || code.front() == '\t')) code.remove_prefix(1);
  if (code.size() >= kCodeUriPrefix.size()) {
    std::string head(code.substr(0, kCodeUriPrefix.size()));
    std::transform(head.begin(), head.end(), head.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
    if (head == kCodeUriPrefix) code.remove_prefix(kCodeUriPrefix.size());
  }
  HUSH_TRY_ASSIGN(Bytes bytes, base32_decode(code));
  if (bytes.size() != kCodeBytes) return make_error(Errc::invalid_argument, "link code length");
  const ByteView address(bytes.data(), kAddressSize);
  const ByteView raw(bytes.data() + kAddressSize, crypto::kKeySize);
  if (!ct_equal(checksum(address, raw), ByteView(bytes.data() + kAddressSize + crypto::kKeySize, kChecksumSize))) {
    return make_error(Errc::invalid_argument, "link code checksum");
  }
  HUSH_TRY_ASSIGN(auto key, crypto::PublicKey::from_raw(raw));
  return ParsedCode{to_hex(address), key};
}

/// key = HKDF-SHA256(ikm = X25519(eph, P), salt = E ‖ P, info = kProvisioningInfo, 32).
Result<crypto::AeadKey> provisioning_key(const crypto::PrivateKey& ours, const crypto::PublicKey& theirs,
                                         ByteView e_pub, ByteView p_pub) {
  HUSH_TRY_ASSIGN(auto shared, crypto::x25519(ours, theirs));
  Bytes salt(e_pub.begin(), e_pub.end());
  salt.insert(salt.end(), p_pub.begin(), p_pub.end());
  crypto::AeadKey key;
  HUSH_TRY(crypto::hkdf_sha256_into(shared.expose(), salt, as_bytes(kProvisioningInfo), key.expose_mut()));
  return key;
}

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

}  // namespace

Result<LinkOffer> ClientImpl::link_begin(std::string_view server_url, const std::filesystem::path& ca_file) {
  if (account()) return make_error(Errc::conflict, "already registered");
  HUSH_TRY_ASSIGN(auto servers, net::ServerList::parse(server_url));
  link_.reset();  // a previous code stops working: its socket closes
  // The socket waits on the first node that answers; the approving device's
  // node relays to it (today only when both are on one node: issue #17).
  std::unique_ptr<PendingLink> link;
  auto opened = net::try_servers<net::ProvisioningAddress>(servers, server_index_, [&](const net::ServerUrl& url) {
    link = std::make_unique<PendingLink>(crypto::KeyPair::generate(rng_), url, servers.str(), ca_file,
                                         transport_->open_provisioning(url, ca_file));
    return link->socket->open(options_.request_timeout);
  });
  HUSH_TRY_ASSIGN(auto where, std::move(opened));
  HUSH_TRY_ASSIGN(Bytes address, from_hex(where.address));
  Bytes raw = link->key.public_key.serialize();
  raw.erase(raw.begin());  // the 32-byte u-coordinate
  Bytes code_bytes = address;
  code_bytes.insert(code_bytes.end(), raw.begin(), raw.end());
  const Bytes sum = checksum(address, raw);
  code_bytes.insert(code_bytes.end(), sum.begin(), sum.end());
  LinkOffer offer;
  offer.code = group_characters(base32_encode(code_bytes), 4);
  offer.qr = std::string(kCodeUriPrefix) + base32_encode(code_bytes);
  offer.expires_at_ms = where.expires_at_ms > 0 ? static_cast<std::uint64_t>(where.expires_at_ms) : 0;
  link_ = std::move(link);
  return offer;
}

Status ClientImpl::approve_device(std::string_view code) {
  HUSH_TRY_ASSIGN(auto target, parse_code(code));
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  const std::string username = a->username;
  HUSH_TRY_ASSIGN(Bytes account_id, from_hex(a->account_id));
  HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());

  pb::ClientFrame f;
  f.mutable_create_link_token();
  HUSH_TRY_ASSIGN(auto r, request_ok(std::move(f)));

  hush::client_sdk::Provisioning p;
  // Contacts, verified marks and groups ride in the same sealed message: the
  // new device can take part in every group as soon as it is registered, and
  // trust reaches it only from this device (docs/protocol.md §7.4). Read
  // before the secrets go in, so a failure leaves none unwiped.
  HUSH_TRY_ASSIGN(auto synced, sdk::export_account_state(protocol_.identities, directory_, groups_, username, p));
  if (options_.on_log) {
    options_.on_log("event=link_account_state contacts=" + std::to_string(synced.contacts) +
                    " groups=" + std::to_string(synced.groups) + " omitted=" + std::to_string(synced.omitted));
  }
  p.set_version(kProvisioningVersion);
  p.set_identity_public(str(identity.public_key.serialize()));
  p.set_identity_private(str(identity.private_key.secret().expose()));
  p.set_link_token(r.link_token().token());
  p.set_username(username);
  p.set_account_id(str(account_id));
  SecretBuffer plain(p.ByteSizeLong());
  p.SerializeToArray(plain.expose_mut().data(), static_cast<int>(plain.size()));
  secure_wipe(p.mutable_identity_private()->data(), p.identity_private().size());
  secure_wipe(p.mutable_link_token()->data(), p.link_token().size());

  auto eph = crypto::KeyPair::generate(rng_);
  const Bytes e_pub = eph.public_key.serialize();
  const Bytes p_pub = target.key.serialize();
  HUSH_TRY_ASSIGN(auto key, provisioning_key(eph.private_key, target.key, e_pub, p_pub));
  Bytes ad{kProvisioningVersion};
  ad.insert(ad.end(), e_pub.begin(), e_pub.end());
  ad.insert(ad.end(), p_pub.begin(), p_pub.end());
  Bytes sealed = crypto::seal_xchacha(key.expose(), plain.expose(), ad, rng_);
  std::string envelope;
  envelope.reserve(1 + e_pub.size() + sealed.size());
  envelope.push_back(static_cast<char>(kProvisioningVersion));
  envelope.append(str(e_pub));
  envelope.append(str(sealed));

  pb::ClientFrame send;
  send.mutable_provision_device()->set_address(target.address);
  send.mutable_provision_device()->set_ciphertext(std::move(envelope));
  HUSH_TRY_ASSIGN(auto answer, request(std::move(send)));
  if (answer.status() == 404) return make_error(Errc::not_found, "nobody waits for this code");
  if (answer.status() != 200) {
    return make_error(net::errc_from_status(answer.status(), answer.message()), "server refused");
  }
  return ok();
}

Result<Identity> ClientImpl::link_complete(std::chrono::milliseconds wait, std::stop_token stop) {
  if (account()) return make_error(Errc::conflict, "already registered");
  if (!link_) return make_error(Errc::not_found, "no link in progress (link_begin)");
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::optional<Bytes> sealed;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto got = link_->socket->wait_message(std::clamp(left, std::chrono::milliseconds(0), kStopPoll));
    if (!got) {
      link_.reset();  // the socket ended: this code is spent
      return got.error();
    }
    if (*got) {
      sealed = std::move(**got);
      break;
    }
    if (stop.stop_requested() || std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::timeout, "no device approved the code yet");
    }
  }
  auto link = std::move(link_);  // one message per socket: whatever happens next, this link is over
  link->socket->close();
  return register_linked(*link, *sealed);
}

Result<Identity> ClientImpl::register_linked(PendingLink& link, ByteView b) {
  constexpr std::size_t kEphSize = crypto::kKeySize + 1;
  if (b.size() < 1 + kEphSize + crypto::kXChaChaNonceSize + crypto::kAeadTagSize) {
    return make_error(Errc::bad_length, "provisioning envelope");
  }
  if (b[0] != kProvisioningVersion) return make_error(Errc::unsupported_version, "provisioning envelope");
  const ByteView e_pub = b.subspan(1, kEphSize);
  HUSH_TRY_ASSIGN(auto eph, crypto::PublicKey::deserialize(e_pub));
  const Bytes p_pub = link.key.public_key.serialize();
  HUSH_TRY_ASSIGN(auto key, provisioning_key(link.key.private_key, eph, e_pub, p_pub));
  Bytes ad{kProvisioningVersion};
  ad.insert(ad.end(), e_pub.begin(), e_pub.end());
  ad.insert(ad.end(), p_pub.begin(), p_pub.end());
  HUSH_TRY_ASSIGN(auto plain, crypto::open_xchacha(key.expose(), b.subspan(1 + kEphSize), ad));

  hush::client_sdk::Provisioning p;
  if (!p.ParseFromArray(plain.expose().data(), static_cast<int>(plain.size()))) {
    return make_error(Errc::decode_error, "provisioning message");
  }
  struct Wipe {
    hush::client_sdk::Provisioning& p;
    ~Wipe() {
      secure_wipe(p.mutable_identity_private()->data(), p.identity_private().size());
      secure_wipe(p.mutable_link_token()->data(), p.link_token().size());
    }
  } wipe{p};
  if (p.version() != kProvisioningVersion) return make_error(Errc::unsupported_version, "provisioning message");
  HUSH_TRY_ASSIGN(auto id_pub, crypto::PublicKey::deserialize(as_bytes(p.identity_public())));
  HUSH_TRY_ASSIGN(auto id_priv, crypto::PrivateKey::from_bytes(as_bytes(p.identity_private())));
  if (!(id_priv.public_key() == id_pub)) return make_error(Errc::bad_key, "identity key pair mismatch");
  if (p.link_token().empty() || p.username().empty()) return make_error(Errc::invalid_message, "provisioning fields");
  signal::IdentityKeyPair identity{id_pub, std::move(id_priv)};
  const std::string username = normalize_username(p.username());
  // Checked in full before anything is stored or registered.
  HUSH_TRY_ASSIGN(auto state, sdk::parse_account_state(p));

  // The account state and this device's keys first, in one transaction: if
  // they cannot be stored, nothing registers. hushd is asked outside it
  // (no network inside a transaction), as register_account does.
  std::optional<pb::RegisterRequest> made;
  Status prepared = store_->transaction([&]() -> Status {
    HUSH_TRY(sdk::import_account_state(*store_, state, protocol_.identities, directory_, groups_));
    HUSH_TRY_ASSIGN(auto req, prepare_device(identity));
    made = std::move(req);
    return ok();
  });
  HUSH_TRY(prepared);
  made->set_link_token(p.link_token());
  Result<Identity> out = finish_registration(link.url, link.servers, link.ca_file, *made, username);
  if (!out) {
    account_.reset();
    return out;
  }
  (void)upload_rest_of_kyber_batch();
  (void)housekeeping();
  return out;
}

}  // namespace hush::client
