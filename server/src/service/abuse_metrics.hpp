// Counters of the abuse limits of the service layer (registration, proof of
// possession, lookups, bundle fetches, mailbox shares): each limit counts
// here when it fires, and /metrics (the operator's listener) shows them.
// Lock-free atomics, shared by every service of one hushd.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace hush::server {

struct AbuseMetrics {
  std::atomic<std::uint64_t> registrations_prefix_limited{0};  ///< refused: the address prefix's bucket is empty
  std::atomic<std::uint64_t> registrations_global_limited{0};  ///< refused: the global bucket is empty
  std::atomic<std::uint64_t> registrations_untracked{0};  ///< prefix table full: only the global rate applied
  std::atomic<std::uint64_t> registration_proofs_refused{0};  ///< bad, expired or replayed challenge or signature
  std::atomic<std::uint64_t> lookups_limited{0};              ///< username lookups refused (per account)
  std::atomic<std::uint64_t> bundle_fetches_limited{0};       ///< bundle fetches refused (requester or target)
  std::atomic<std::uint64_t> one_time_pre_keys_withheld{0};  ///< bundles served without a one-time key (repeat)
  std::atomic<std::uint64_t> pre_keys_low_notices{0};        ///< "pre-keys low" pushed to a device
  std::atomic<std::uint64_t> mailbox_share_refused{0};       ///< copies refused: a sender's share of a mailbox

  /// The Prometheus text of every counter.
  [[nodiscard]] std::string render() const;
};

}  // namespace hush::server
