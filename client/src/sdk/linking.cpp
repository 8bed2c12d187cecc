// Device linking (docs/protocol.md §7.2): the new device's provisioning key
// and one-time code, the existing device's sealed provisioning envelope
// (X25519 + HKDF-SHA256 + XChaCha20-Poly1305), and the new device's
// registration with the account identity and the link token.
#include "client_impl.hpp"

#include "sdk_frame.pb.h"

#include <hush/crypto/aead.hpp>
#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/sha.hpp>
#include <hush/signal/identity.hpp>

namespace hush::client {

namespace {

constexpr const char* kLinkKey = "link.provisioning_key";
constexpr const char* kLinkServer = "link.server_url";
constexpr const char* kLinkCa = "link.ca_file";
constexpr std::uint8_t kProvisioningVersion = 1;
constexpr std::string_view kProvisioningInfo = "Hush provisioning v1";
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Checksum bytes after the 32-byte key in a code (catches typing mistakes;
/// the key itself is what binds the code).
constexpr std::size_t kChecksumSize = 3;

std::string base32(ByteView b) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (auto byte : b) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
  return out;
}

Result<Bytes> unbase32(std::string_view s) {
  Bytes out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char ch : s) {
    if (ch == ' ' || ch == '-') continue;
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    auto v = kBase32.find(ch);
    if (v == std::string_view::npos) return make_error(Errc::invalid_argument, "link code character");
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  return out;
}

Bytes checksum(ByteView key) {
  Bytes in = to_bytes(std::string_view("hush link code"));
  in.insert(in.end(), key.begin(), key.end());
  auto d = crypto::sha256(in);
  return Bytes(d.begin(), d.begin() + kChecksumSize);
}

std::string group(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 4) {
    if (!out.empty()) out += '-';
    out += s.substr(i, 4);
  }
  return out;
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
  HUSH_TRY_ASSIGN(auto url, net::ServerUrl::parse(server_url));
  auto pair = crypto::KeyPair::generate(rng_);
  Status done = store_->transaction([&]() -> Status {
    HUSH_TRY(state_.put(kLinkKey, pair.private_key.secret().expose()));
    HUSH_TRY(state_.put(kLinkServer, as_bytes(url.str())));
    return state_.put(kLinkCa, as_bytes(ca_file.string()));
  });
  HUSH_TRY(done);
  Bytes raw = pair.public_key.serialize();
  raw.erase(raw.begin());  // the 32-byte u-coordinate
  Bytes code_bytes = raw;
  auto sum = checksum(raw);
  code_bytes.insert(code_bytes.end(), sum.begin(), sum.end());
  LinkOffer offer;
  offer.code = group(base32(code_bytes));
  offer.qr = "hush-link:" + base32(code_bytes);
  return offer;
}

Result<ProvisioningEnvelope> ClientImpl::approve_device(std::string_view code) {
  if (code.substr(0, 10) == "hush-link:") code.remove_prefix(10);
  HUSH_TRY_ASSIGN(Bytes bytes, unbase32(code));
  if (bytes.size() != crypto::kKeySize + kChecksumSize) return make_error(Errc::invalid_argument, "link code length");
  ByteView raw(bytes.data(), crypto::kKeySize);
  if (checksum(raw) != Bytes(bytes.begin() + crypto::kKeySize, bytes.end())) {
    return make_error(Errc::invalid_argument, "link code checksum");
  }
  HUSH_TRY_ASSIGN(auto target, crypto::PublicKey::from_raw(raw));
  HUSH_TRY_ASSIGN(const store::Account* a, account());
  const std::string username = a->username;
  HUSH_TRY_ASSIGN(Bytes account_id, from_hex(a->account_id));
  HUSH_TRY_ASSIGN(auto identity, protocol_.identities.identity_key_pair());

  pb::ClientFrame f;
  f.mutable_create_link_token();
  HUSH_TRY_ASSIGN(auto r, request_ok(std::move(f)));

  hush::client_sdk::Provisioning p;
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
  const Bytes p_pub = target.serialize();
  HUSH_TRY_ASSIGN(auto key, provisioning_key(eph.private_key, target, e_pub, p_pub));
  Bytes ad{kProvisioningVersion};
  ad.insert(ad.end(), e_pub.begin(), e_pub.end());
  ad.insert(ad.end(), p_pub.begin(), p_pub.end());
  Bytes sealed = crypto::seal_xchacha(key.expose(), plain.expose(), ad, rng_);
  ProvisioningEnvelope out;
  out.bytes.push_back(kProvisioningVersion);
  out.bytes.insert(out.bytes.end(), e_pub.begin(), e_pub.end());
  out.bytes.insert(out.bytes.end(), sealed.begin(), sealed.end());
  return out;
}

Result<Identity> ClientImpl::link_complete(const ProvisioningEnvelope& envelope) {
  if (account()) return make_error(Errc::conflict, "already registered");
  HUSH_TRY_ASSIGN(auto secret, state_.get(kLinkKey));
  HUSH_TRY_ASSIGN(auto server, state_.get(kLinkServer));
  HUSH_TRY_ASSIGN(auto ca, state_.get(kLinkCa));
  if (!secret || !server || !ca) return make_error(Errc::not_found, "no link_begin on this device");
  HUSH_TRY_ASSIGN(auto ours, crypto::PrivateKey::from_bytes(secret->expose()));
  const ByteView b = envelope.bytes;
  constexpr std::size_t kEphSize = crypto::kKeySize + 1;
  if (b.size() < 1 + kEphSize + crypto::kXChaChaNonceSize + crypto::kAeadTagSize) {
    return make_error(Errc::bad_length, "provisioning envelope");
  }
  if (b[0] != kProvisioningVersion) return make_error(Errc::unsupported_version, "provisioning envelope");
  const ByteView e_pub = b.subspan(1, kEphSize);
  HUSH_TRY_ASSIGN(auto eph, crypto::PublicKey::deserialize(e_pub));
  const Bytes p_pub = ours.public_key().serialize();
  HUSH_TRY_ASSIGN(auto key, provisioning_key(ours, eph, e_pub, p_pub));
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
  HUSH_TRY_ASSIGN(auto url, net::ServerUrl::parse(str(server->expose())));
  const std::filesystem::path ca_file(str(ca->expose()));
  const std::string username = normalize_username(p.username());

  Result<Identity> out = make_error(Errc::storage_failure, "link");
  Status done = store_->transaction([&]() -> Status {
    HUSH_TRY_ASSIGN(auto req, prepare_device(identity));
    req.set_link_token(p.link_token());
    out = finish_registration(url, ca_file, req, username);
    if (!out) return out.error();
    HUSH_TRY(state_.erase(kLinkKey));
    HUSH_TRY(state_.erase(kLinkServer));
    return state_.erase(kLinkCa);
  });
  if (!done && out) return done.error();
  if (!out) {
    account_.reset();
    return out;
  }
  (void)housekeeping();
  return out;
}

}  // namespace hush::client
