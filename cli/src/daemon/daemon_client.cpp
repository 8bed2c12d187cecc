// The command side of the daemon's socket (daemon_client.hpp).
#include "daemon/daemon_client.hpp"

#include "daemon/sdk_json.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

namespace hush::cli::daemon {

namespace {

using rpc::Json;

/// Error contexts are static strings (result.hpp); the daemon's come as
/// text, so each distinct one is kept for the life of the process (a command
/// makes a handful of calls).
const char* intern(const std::string& s) {
  static std::mutex mutex;
  static std::set<std::string> strings;
  std::lock_guard lock(mutex);
  return strings.insert(s).first->c_str();
}

template <typename T, typename Decode>
Result<std::vector<T>> decode_list(const Result<Json>& r, Decode decode) {
  if (!r) return r.error();
  if (!r->is_array()) return make_error(Errc::decode_error, "unexpected answer from the daemon");
  std::vector<T> out;
  for (const auto& item : *r) {
    auto v = decode(item);
    if (!v) return make_error(Errc::decode_error, "unexpected answer from the daemon");
    out.push_back(std::move(*v));
  }
  return out;
}

template <typename T>
Result<T> decoded(std::optional<T> v) {
  if (!v) return make_error(Errc::decode_error, "unexpected answer from the daemon");
  return std::move(*v);
}

}  // namespace

std::unique_ptr<DaemonClient> DaemonClient::connect(const std::filesystem::path& home) {
  auto info = running_daemon(home);
  if (!info) return nullptr;
  const std::string path = info->socket.string();
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) return nullptr;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<DaemonClient>(new DaemonClient(fd, std::move(*info)));
}

DaemonClient::~DaemonClient() { ::close(fd_); }

Result<Json> DaemonClient::call(std::string_view method, Json params) {
  const std::uint64_t id = next_id_++;
  std::string line = rpc::request(method, std::move(params), id) + "\n";
  for (std::string_view rest = line; !rest.empty();) {
    const ::ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(Errc::unavailable, "the hush daemon closed the connection");
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  const auto deadline = std::chrono::steady_clock::now() + kCallTimeout;
  for (;;) {
    // Notifications for every client come on this socket too: kept for
    // next_notification().
    for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
      Json answer = Json::parse(buffer_.substr(0, nl), nullptr, false);
      buffer_.erase(0, nl + 1);
      if (answer.is_discarded() || !answer.is_object()) continue;
      auto answer_id = answer.find("id");
      if (answer_id == answer.end()) {
        notifications_.push_back(std::move(answer));
        continue;
      }
      if (*answer_id != id) continue;
      if (auto result = answer.find("result"); result != answer.end()) return *result;
      const Json& error = answer["error"];
      if (error.is_object() && error.contains("data") && error["data"].is_object()) {
        const Json& data = error["data"];
        if (data.contains("error") && data["error"].is_string()) {
          if (auto code = rpc::errc_from_name(data["error"].get<std::string>()); code && *code != Errc::ok) {
            auto context_it = data.find("context");
            const std::string context =
                context_it != data.end() && context_it->is_string() ? context_it->get<std::string>() : std::string();
            return make_error(*code, intern(context));
          }
        }
      }
      return make_error(Errc::unavailable, "the hush daemon refused the request");
    }
    auto more = fill(deadline);
    if (!more) return more.error();
    if (!*more) return make_error(Errc::timeout, "the hush daemon did not answer");
  }
}

Result<bool> DaemonClient::fill(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;  // EINTR or the deadline: checked above
    char buf[65536];
    const ::ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(Errc::unavailable, "the hush daemon closed the connection");
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
}

Result<std::optional<Json>> DaemonClient::next_notification(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!notifications_.empty()) {
      Json n = std::move(notifications_.front());
      notifications_.erase(notifications_.begin());
      return std::optional<Json>(std::move(n));
    }
    for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
      Json line = Json::parse(buffer_.substr(0, nl), nullptr, false);
      buffer_.erase(0, nl + 1);
      if (line.is_object() && !line.contains("id")) notifications_.push_back(std::move(line));
    }
    if (!notifications_.empty()) continue;
    auto more = fill(deadline);
    if (!more) return more.error();
    if (!*more) return std::optional<Json>();
  }
}

Result<client::SentMessage> DaemonClient::send_text(std::string_view username, std::string_view text) {
  auto r = call("send", Json{{"recipient", username}, {"message", text}});
  if (!r) return r.error();
  return decoded(rpc::sent_from_json(*r));
}

Result<client::SentMessage> DaemonClient::group_send(std::string_view group, std::string_view text) {
  auto r = call("groupSend", Json{{"group", group}, {"message", text}});
  if (!r) return r.error();
  return decoded(rpc::sent_from_json(*r));
}

Result<std::vector<client::ReceivedMessage>> DaemonClient::receive() {
  auto r = call("receive", Json::object());
  if (!r) return r.error();
  if (!r->is_object() || !r->contains("messages")) return make_error(Errc::decode_error, "unexpected answer from the daemon");
  return decode_list<client::ReceivedMessage>(Result<Json>((*r)["messages"]), rpc::received_from_json);
}

Result<std::vector<client::HistoryMessage>> DaemonClient::history(std::string_view username, std::size_t limit) {
  return decode_list<client::HistoryMessage>(call("history", Json{{"recipient", username}, {"limit", limit}}),
                                             rpc::history_from_json);
}

Result<std::vector<client::Contact>> DaemonClient::contacts() {
  return decode_list<client::Contact>(call("listContacts", Json::object()), rpc::contact_from_json);
}

Result<client::SafetyNumber> DaemonClient::safety_number(std::string_view username) {
  auto r = call("safetyNumber", Json{{"recipient", username}});
  if (!r) return r.error();
  return decoded(rpc::safety_number_from_json(*r));
}

}  // namespace hush::cli::daemon
