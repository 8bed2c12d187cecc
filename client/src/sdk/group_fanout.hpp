// The fan-out request of a group message (docs/protocol.md §8.5): one body,
// encrypted once with the sender's Sender Key, addressed to every device of
// every recipient account in one SendMultiRequest. Private to the SDK; the
// group send benchmark builds the same request.
#pragma once

#include <hush/util/bytes.hpp>

#include "service.pb.h"

#include <cstdint>
#include <vector>

namespace hush::client::sdk {

/// Envelope type of a group message: the Signal wire type of a SenderKeyMessage.
inline constexpr std::uint32_t kGroupMessageType = 4;

struct FanOutDevice {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
};

struct FanOutAccount {
  Bytes account;                      ///< 16 bytes
  std::vector<FanOutDevice> devices;  ///< every current device (ours: all but this one)
};

/// The ClientFrame carrying one send_multi. `partial`: hushd stores the
/// copies that have room and lists the others (docs/server/api.md).
[[nodiscard]] ::hush::service::v1::ClientFrame build_send_multi(ByteView message_id, ByteView body,
                                                                const std::vector<FanOutAccount>& recipients,
                                                                bool partial = false);

}  // namespace hush::client::sdk
