// JSON-RPC 2.0 framing for `hush daemon` (https://www.jsonrpc.org/specification):
// one line in (a request, a notification or a batch of them), at most one
// line out. Knows nothing of the SDK: the methods come in as a function, so
// tests drive the framing and the error codes without a Client.
#pragma once

#include <hush/util/result.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hush::cli::rpc {

using Json = nlohmann::json;

// The specification's error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
/// Application errors (a hush::Errc) are kApplicationBase - exit code, in the
/// range the specification leaves to implementations (-32000..-32099): the
/// code alone already tells the exit-code family (docs/cli.md).
inline constexpr int kApplicationBase = -32000;

/// A JSON-RPC error object.
struct RpcError {
  int code = kInternalError;
  std::string message;
  Json data;  ///< null: no "data" member
};

/// What a method returns: its result, or an error.
using MethodResult = std::variant<Json, RpcError>;
/// Runs method `method` with `params` (an object, an array, or null when absent).
using MethodTable = std::function<MethodResult(const std::string& method, const Json& params)>;

/// The answer to one line: a response, an array of responses (a batch), or
/// nullopt when the line held only notifications (nothing is sent back).
/// Never throws: bad JSON is -32700, a bad request object -32600, and a
/// method that throws is -32603.
[[nodiscard]] std::optional<std::string> handle_line(std::string_view line, const MethodTable& methods);

/// A notification line (no id): {"jsonrpc":"2.0","method":...,"params":...}.
[[nodiscard]] std::string notification(std::string_view method, Json params);
/// A request line with `id`.
[[nodiscard]] std::string request(std::string_view method, Json params, const Json& id);

/// An application error for `error`: code kApplicationBase - exit code, the
/// exit-code table's text as message, data {"error": errc name, "exitCode",
/// "context"}.
[[nodiscard]] RpcError application_error(const Error& error);
/// -32602 with `message`.
[[nodiscard]] RpcError invalid_params(std::string message);

/// The Errc named `name` ("not_found"), or nullopt.
[[nodiscard]] std::optional<Errc> errc_from_name(std::string_view name);

}  // namespace hush::cli::rpc
