// JSON-RPC 2.0 framing (see json_rpc.hpp): request validation per the
// specification's section 4, batches (section 6), and the error objects.
// Method bodies never see a malformed request.
#include "daemon/json_rpc.hpp"

#include "exit_codes.hpp"

#include <array>

namespace hush::cli::rpc {

namespace {

Json error_response(const Json& id, const RpcError& e) {
  Json err = {{"code", e.code}, {"message", e.message}};
  if (!e.data.is_null()) err["data"] = e.data;
  return Json{{"jsonrpc", "2.0"}, {"error", std::move(err)}, {"id", id}};
}

/// The id if valid (string, number or null), else nullopt.
bool valid_id(const Json& id) { return id.is_string() || id.is_number() || id.is_null(); }

/// One request object; nullopt for a notification that needs no answer.
std::optional<Json> handle_one(const Json& req, const MethodTable& methods) {
  if (!req.is_object()) return error_response(nullptr, {kInvalidRequest, "Invalid Request: not an object", nullptr});
  const bool has_id = req.contains("id");
  const Json id = has_id && valid_id(req["id"]) ? req["id"] : Json(nullptr);
  if (has_id && !valid_id(req["id"])) {
    return error_response(nullptr, {kInvalidRequest, "Invalid Request: id must be a string, a number or null", nullptr});
  }
  auto version = req.find("jsonrpc");
  if (version == req.end() || !version->is_string() || *version != "2.0") {
    return error_response(id, {kInvalidRequest, "Invalid Request: \"jsonrpc\" must be \"2.0\"", nullptr});
  }
  auto method = req.find("method");
  if (method == req.end() || !method->is_string()) {
    return error_response(id, {kInvalidRequest, "Invalid Request: \"method\" must be a string", nullptr});
  }
  Json params = nullptr;
  if (auto p = req.find("params"); p != req.end()) {
    if (!p->is_object() && !p->is_array()) {
      return error_response(id, {kInvalidRequest, "Invalid Request: \"params\" must be an object or an array", nullptr});
    }
    params = *p;
  }
  MethodResult result;
  try {
    result = methods(method->get<std::string>(), params);
  } catch (const std::exception&) {
    // A method that throws is a bug in the daemon; the request still gets
    // an answer and the daemon keeps running.
    result = RpcError{kInternalError, "Internal error", nullptr};
  }
  if (!has_id) return std::nullopt;  // a notification: never answered (section 4.1)
  if (auto* e = std::get_if<RpcError>(&result)) return error_response(id, *e);
  return Json{{"jsonrpc", "2.0"}, {"result", std::move(std::get<Json>(result))}, {"id", id}};
}

std::string dump(const Json& j) {
  // Invalid UTF-8 (in a peer's text) becomes U+FFFD instead of throwing.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::optional<std::string> handle_line(std::string_view line, const MethodTable& methods) {
  Json parsed = Json::parse(line.begin(), line.end(), nullptr, false);
  if (parsed.is_discarded()) return dump(error_response(nullptr, {kParseError, "Parse error", nullptr}));
  if (!parsed.is_array()) {
    auto answer = handle_one(parsed, methods);
    if (!answer) return std::nullopt;
    return dump(*answer);
  }
  if (parsed.empty()) return dump(error_response(nullptr, {kInvalidRequest, "Invalid Request: empty batch", nullptr}));
  Json answers = Json::array();
  for (const auto& req : parsed) {
    if (auto a = handle_one(req, methods)) answers.push_back(std::move(*a));
  }
  if (answers.empty()) return std::nullopt;  // a batch of notifications
  return dump(answers);
}

std::string notification(std::string_view method, Json params) {
  return dump(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

std::string request(std::string_view method, Json params, const Json& id) {
  return dump(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}, {"id", id}});
}

RpcError application_error(const Error& error) {
  const ErrorInfo info = error_info(error.code);
  const int exit = static_cast<int>(info.exit);
  return RpcError{kApplicationBase - exit, std::string(info.text),
                  Json{{"error", errc_name(error.code)},
                       {"exitCode", exit},
                       {"context", error.context != nullptr ? error.context : ""}}};
}

RpcError invalid_params(std::string message) { return RpcError{kInvalidParams, std::move(message), nullptr}; }

std::optional<Errc> errc_from_name(std::string_view name) {
  static constexpr std::array kAll = {
      Errc::ok,           Errc::invalid_argument, Errc::bad_length,      Errc::decode_error,      Errc::unsupported_version,
      Errc::bad_mac,      Errc::bad_signature,    Errc::bad_key,         Errc::crypto_failure,    Errc::duplicate_message,
      Errc::too_far_ahead, Errc::unknown_pre_key, Errc::untrusted_identity, Errc::no_session,     Errc::invalid_message,
      Errc::stale_state,  Errc::not_found,        Errc::storage_failure, Errc::conflict,          Errc::network_failure,
      Errc::unauthorized, Errc::forbidden,        Errc::rate_limited,    Errc::quota_exceeded,    Errc::stale_devices,
      Errc::timeout,      Errc::unavailable,
  };
  for (Errc e : kAll) {
    if (errc_name(e) == name) return e;
  }
  return std::nullopt;
}

}  // namespace hush::cli::rpc
