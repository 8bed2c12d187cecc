// Names for error codes, used in logs, the CLI and test failure messages.
#include <hush/util/errc.hpp>

namespace hush {

std::string_view errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::ok:
      return "ok";
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::bad_length:
      return "bad_length";
    case Errc::decode_error:
      return "decode_error";
    case Errc::unsupported_version:
      return "unsupported_version";
    case Errc::bad_mac:
      return "bad_mac";
    case Errc::bad_signature:
      return "bad_signature";
    case Errc::bad_key:
      return "bad_key";
    case Errc::crypto_failure:
      return "crypto_failure";
    case Errc::duplicate_message:
      return "duplicate_message";
    case Errc::too_far_ahead:
      return "too_far_ahead";
    case Errc::unknown_pre_key:
      return "unknown_pre_key";
    case Errc::untrusted_identity:
      return "untrusted_identity";
    case Errc::no_session:
      return "no_session";
    case Errc::invalid_message:
      return "invalid_message";
    case Errc::stale_state:
      return "stale_state";
    case Errc::not_found:
      return "not_found";
    case Errc::storage_failure:
      return "storage_failure";
    case Errc::conflict:
      return "conflict";
    case Errc::network_failure:
      return "network_failure";
    case Errc::unauthorized:
      return "unauthorized";
    case Errc::forbidden:
      return "forbidden";
    case Errc::rate_limited:
      return "rate_limited";
    case Errc::quota_exceeded:
      return "quota_exceeded";
    case Errc::stale_devices:
      return "stale_devices";
    case Errc::timeout:
      return "timeout";
    case Errc::unavailable:
      return "unavailable";
  }
  return "unknown";
}

}  // namespace hush
