// The SDK's values as the daemon's JSON (camelCase keys, docs/cli.md "hush
// daemon") and back: the daemon encodes what the Client returns, and a `hush`
// command talking to a daemon decodes it into the same SDK types, so it
// prints exactly what it prints without one.
#pragma once

#include "daemon/json_rpc.hpp"

#include <hush/client/client.hpp>

#include <optional>
#include <vector>

namespace hush::cli::rpc {

[[nodiscard]] Json to_json(const client::ReceivedMessage& m);
[[nodiscard]] Json to_json(const client::SentMessage& m);
[[nodiscard]] Json to_json(const client::HistoryMessage& m);
[[nodiscard]] Json to_json(const client::Contact& c);
[[nodiscard]] Json to_json(const client::SafetyNumber& s);
[[nodiscard]] Json to_json(const client::GroupInfo& g);
[[nodiscard]] Json to_json(const client::Identity& i);
[[nodiscard]] Json to_json(const client::DeviceInfo& d);

// Decoders: nullopt when a field is missing or of the wrong type (a daemon of
// another version); never throw.
[[nodiscard]] std::optional<client::ReceivedMessage> received_from_json(const Json& j);
[[nodiscard]] std::optional<client::SentMessage> sent_from_json(const Json& j);
[[nodiscard]] std::optional<client::HistoryMessage> history_from_json(const Json& j);
[[nodiscard]] std::optional<client::Contact> contact_from_json(const Json& j);
[[nodiscard]] std::optional<client::SafetyNumber> safety_number_from_json(const Json& j);

}  // namespace hush::cli::rpc
