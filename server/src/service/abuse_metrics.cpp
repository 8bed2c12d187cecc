// AbuseMetrics as Prometheus text.
#include "service/abuse_metrics.hpp"

#include <string_view>

namespace hush::server {
namespace {

void counter(std::string& out, std::string_view name, std::string_view help, const std::atomic<std::uint64_t>& v) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " counter\n";
  out += name;
  out += ' ';
  out += std::to_string(v.load(std::memory_order_relaxed));
  out += '\n';
}

}  // namespace

std::string AbuseMetrics::render() const {
  std::string out;
  counter(out, "hushd_registrations_prefix_limited_total", "Registrations refused by the per-prefix limit.",
          registrations_prefix_limited);
  counter(out, "hushd_registrations_global_limited_total", "Registrations refused by the global rate.",
          registrations_global_limited);
  counter(out, "hushd_registrations_untracked_total",
          "Registrations from a prefix the full table could not track (only the global rate applied).",
          registrations_untracked);
  counter(out, "hushd_registration_proofs_refused_total",
          "Registrations refused for a bad, expired or replayed challenge or proof signature.",
          registration_proofs_refused);
  counter(out, "hushd_lookups_limited_total", "Username lookups refused by the per-account limit.", lookups_limited);
  counter(out, "hushd_bundle_fetches_limited_total", "Bundle fetches refused by the per-requester or per-target limit.",
          bundle_fetches_limited);
  counter(out, "hushd_one_time_pre_keys_withheld_total",
          "Bundles served without a one-time pre-key because the requester had one from that device recently.",
          one_time_pre_keys_withheld);
  counter(out, "hushd_pre_keys_low_notices_total", "Pre-keys-low notices pushed to devices.", pre_keys_low_notices);
  counter(out, "hushd_mailbox_share_refused_total",
          "Copies refused because the sender holds its maximum share of the recipient's mailbox.",
          mailbox_share_refused);
  return out;
}

}  // namespace hush::server
