// The authenticator's KDF and MACs, labels byte for byte as the spqr crate's
// (src/authenticator.rs).
#include "authenticator.hpp"

#include <hush/crypto/hkdf.hpp>
#include <hush/crypto/hmac.hpp>
#include <hush/util/check.hpp>

#include <algorithm>

namespace hush::signal::spqr::detail {
namespace {

constexpr std::string_view kUpdateLabel = "Signal_PQCKA_V1_MLKEM768:Authenticator Update";
constexpr std::string_view kHeaderLabel = "Signal_PQCKA_V1_MLKEM768:ekheader";
constexpr std::string_view kCiphertextLabel = "Signal_PQCKA_V1_MLKEM768:ciphertext";

Mac mac_with(const SecretBytes<32>& key, std::string_view label, std::uint64_t epoch, ByteView data) {
  const auto ep = be64(epoch);
  auto out = crypto::hmac_sha256(key.expose(), {as_bytes(label), ByteView(ep), data});
  Mac mac;
  std::copy_n(out.expose().data(), kMacSize, mac.data());
  return mac;
}

}  // namespace

std::array<std::uint8_t, 8> be64(std::uint64_t v) noexcept {
  std::array<std::uint8_t, 8> out{};
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
  return out;
}

ByteView zero_salt() noexcept {
  static constexpr std::array<std::uint8_t, 32> kZeros{};
  return kZeros;
}

Authenticator::Authenticator(ByteView root_key, std::uint64_t epoch) {
  update(epoch, root_key);
}

void Authenticator::update(std::uint64_t epoch, ByteView key) {
  SecretBuffer ikm(32 + key.size());
  std::copy_n(root_key_.expose().data(), 32, ikm.expose_mut().data());
  std::copy_n(key.data(), key.size(), ikm.expose_mut().data() + 32);
  const auto ep = be64(epoch);
  const Bytes info = concat({as_bytes(kUpdateLabel), ByteView(ep)});
  SecretBytes<64> out;
  HUSH_CHECK(crypto::hkdf_sha256_into(ikm.expose(), zero_salt(), info, out.expose_mut()).has_value());
  root_key_ = SecretBytes<32>::from(out.expose().first(32));
  mac_key_ = SecretBytes<32>::from(out.expose().last(32));
}

Mac Authenticator::mac_header(std::uint64_t epoch, ByteView header) const {
  return mac_with(mac_key_, kHeaderLabel, epoch, header);
}

Mac Authenticator::mac_ciphertext(std::uint64_t epoch, ByteView ciphertext) const {
  return mac_with(mac_key_, kCiphertextLabel, epoch, ciphertext);
}

Status Authenticator::verify_header(std::uint64_t epoch, ByteView header, ByteView mac) const {
  const Mac expected = mac_header(epoch, header);
  if (!ct_equal(ByteView(expected), mac)) return make_error(Errc::bad_mac, "spqr header MAC");
  return ok();
}

Status Authenticator::verify_ciphertext(std::uint64_t epoch, ByteView ciphertext, ByteView mac) const {
  const Mac expected = mac_ciphertext(epoch, ciphertext);
  if (!ct_equal(ByteView(expected), mac)) return make_error(Errc::bad_mac, "spqr ciphertext MAC");
  return ok();
}

}  // namespace hush::signal::spqr::detail
