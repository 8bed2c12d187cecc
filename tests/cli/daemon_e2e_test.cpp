// `hush daemon` end to end: the real `hush` binary as a daemon against a real
// hushd, driven over its Unix socket (and stdin/stdout with --stdio) by this
// test as a JSON-RPC client. A message sent through the socket arrives; one
// from another user arrives as a notification, and so does an identity-key
// change; bad JSON, unknown methods and
// bad params get their JSON-RPC errors and the daemon keeps serving; a second
// daemon on the home is refused naming the first; the socket is owner-only;
// `hush send`, `receive`, `listen`, `contacts`, `history` and `safety-number`
// go through a running daemon (and `chat` is refused) (with no key to open the store themselves) and print what
// they print without one; SIGTERM stops it and removes the socket, and a
// socket left by a killed daemon is replaced. Every wait is on a condition
// with a generous deadline. The example bot (examples/echo_bot) answers a
// message through a real daemon.
#include "cli_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

extern char** environ;

namespace hush::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

/// Generous: a loaded CI machine, several suites at once.
constexpr auto kDeadline = 90s;

/// A JSON-RPC client on the daemon's socket.
class RpcSocket {
 public:
  explicit RpcSocket(const std::filesystem::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RpcSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] bool connected() const { return fd_ >= 0; }

  bool write_raw(const std::string& data) {
    std::string_view rest = data;
    while (!rest.empty()) {
      const ::ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// The next line, or nullopt at EOF or the deadline.
  std::optional<std::string> read_line(std::chrono::steady_clock::duration timeout = kDeadline) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[65536];
      const ::ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }
  /// Sends a request and returns its response, keeping notifications seen meanwhile.
  Json call(const std::string& method, Json params = Json::object()) {
    const int id = next_id_++;
    write_raw(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}, {"id", id}}.dump() + "\n");
    return response_to(id);
  }
  Json response_to(const Json& id) {
    while (auto line = read_line()) {
      Json j = Json::parse(*line, nullptr, false);
      if (j.is_object() && !j.contains("id")) {
        notifications_.push_back(j);
        continue;
      }
      if (j.is_object() && j["id"] == id) return j;
      if (!j.is_object()) return j;  // a batch answer
    }
    ADD_FAILURE() << "no answer to request " << id;
    return nullptr;
  }
  /// The first notification `method` whose params satisfy `match`.
  Json notification(const std::string& method, const std::function<bool(const Json&)>& match) {
    for (auto it = notifications_.begin(); it != notifications_.end(); ++it) {
      if ((*it)["method"] == method && match((*it)["params"])) {
        Json j = *it;
        notifications_.erase(it);
        return j;
      }
    }
    while (auto line = read_line()) {
      Json j = Json::parse(*line, nullptr, false);
      if (j.is_object() && j["method"] == method && match(j["params"])) return j;
    }
    ADD_FAILURE() << "no notification " << method;
    return nullptr;
  }

 private:
  int fd_ = -1;
  std::string buffer_;
  std::vector<Json> notifications_;
  int next_id_ = 1;
};

class DaemonE2e : public CliFixture {
 protected:
  DaemonE2e() : CliFixture("hush-daemon-e2e") {}

  [[nodiscard]] std::filesystem::path socket_of(const std::string& who) const { return home(who) / "daemon.sock"; }

  /// Starts `hush daemon` for `who` and waits until its socket answers.
  std::unique_ptr<CliProcess> start_daemon(const std::string& who, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"daemon"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto daemon = std::make_unique<CliProcess>(as(who, args));
    EXPECT_TRUE(wait_for_socket(who)) << "the daemon's socket never answered";
    return daemon;
  }
  bool wait_for_socket(const std::string& who) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
      if (RpcSocket(socket_of(who)).connected()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  /// `hush --home HOME [--json] ARGS` with no key: it can only work through a daemon.
  [[nodiscard]] std::vector<std::string> keyless(const std::string& who, std::vector<std::string> args,
                                                 bool json = true) const {
    std::vector<std::string> full = {"--home", home(who).string()};
    if (json) full.emplace_back("--json");
    full.insert(full.end(), args.begin(), args.end());
    return full;
  }
};

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

bool is_unix_socket(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

TEST_F(DaemonE2e, SendsThroughTheSocketAndNotifiesIncomingMessages) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  auto daemon = start_daemon("alice");
  EXPECT_EQ(mode_of(socket_of("alice")), 0600u);
  RpcSocket rpc(socket_of("alice"));
  ASSERT_TRUE(rpc.connected());

  const Json me = rpc.call("whoami");
  EXPECT_EQ(me["result"]["username"], "alice") << me;

  const Json sent = rpc.call("send", {{"recipient", "bob"}, {"message", "hello from the daemon"}});
  ASSERT_TRUE(sent.contains("result")) << sent;
  EXPECT_EQ(sent["result"]["id"].get<std::string>().size(), 32u);
  const CliResult got = run_hush(as("bob", {"receive", "--wait", "30"}, true));
  ASSERT_EQ(got.code, 0) << got.err;
  EXPECT_NE(got.out.find("\"text\":\"hello from the daemon\""), std::string::npos) << got.out;

  // Bob answers: the daemon, holding the connection, tells every client.
  RpcSocket second(socket_of("alice"));
  ASSERT_TRUE(second.connected());
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "hi daemon"})).code, 0);
  for (RpcSocket* s : {&rpc, &second}) {
    const Json n = s->notification("message", [](const Json& p) { return p.value("text", "") == "hi daemon"; });
    EXPECT_EQ(n["params"]["sender"], "bob") << n;
    EXPECT_EQ(n["params"]["sentByMe"], false);
  }
  // The same message is kept for `receive`.
  const Json buffered = rpc.call("receive");
  ASSERT_EQ(buffered["result"]["messages"].size(), 1u) << buffered;
  EXPECT_EQ(buffered["result"]["messages"][0]["text"], "hi daemon");
  EXPECT_EQ(rpc.call("receive")["result"]["messages"].size(), 0u);

  // Contacts, history, safety numbers, devices, groups.
  const Json contacts = rpc.call("listContacts");
  ASSERT_EQ(contacts["result"].size(), 1u) << contacts;
  EXPECT_EQ(contacts["result"][0]["username"], "bob");
  EXPECT_EQ(rpc.call("history", {{"recipient", "bob"}})["result"].size(), 2u);
  EXPECT_EQ(rpc.call("safetyNumber", {{"recipient", "bob"}})["result"]["digits"].get<std::string>().size(), 60u);
  EXPECT_EQ(rpc.call("listDevices")["result"].size(), 1u);
  const Json group = rpc.call("groupCreate", {{"name", "pals"}, {"members", {"bob"}}});
  ASSERT_TRUE(group.contains("result")) << group;
  EXPECT_EQ(group["result"]["members"].size(), 2u);
  const Json gsent = rpc.call("groupSend", {{"group", "pals"}, {"message", "to the group"}});
  EXPECT_TRUE(gsent.contains("result")) << gsent;
  EXPECT_EQ(rpc.call("listGroups")["result"].size(), 1u);
  EXPECT_EQ(rpc.call("groupInfo", {{"group", "pals"}})["result"]["name"], "pals");
  rpc.notification("groupChanged", [](const Json& p) { return p.value("name", "") == "pals"; });

  daemon->signal(SIGTERM);
  const CliResult done = daemon->wait(kDeadline);
  EXPECT_EQ(done.code, 0) << done.err;
  EXPECT_FALSE(std::filesystem::exists(socket_of("alice")));
}

TEST_F(DaemonE2e, IdentityKeyChangeIsNotifiedAndRefusesSendsUntilTrusted) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  auto daemon = start_daemon("alice");
  RpcSocket rpc(socket_of("alice"));
  ASSERT_TRUE(rpc.connected());
  ASSERT_TRUE(rpc.call("send", {{"recipient", "bob"}, {"message", "hi"}}).contains("result"));

  // Bob's name moves to a new account with a new identity key.
  ASSERT_NO_FATAL_FAILURE(free_username("bob"));
  ASSERT_TRUE(register_user("bob2", "bob"));
  const Json refused = rpc.call("send", {{"recipient", "bob"}, {"message", "still you?"}});
  EXPECT_EQ(refused["error"]["code"], -32003) << refused;
  EXPECT_EQ(refused["error"]["data"]["error"], "untrusted_identity");
  const Json changed = rpc.notification("identityChanged", [](const Json& p) { return p.value("username", "") == "bob"; });
  EXPECT_TRUE(changed.is_object());

  // The CLI through the daemon: the same refusal, exit code and hint.
  const CliResult cli = run_hush(keyless("alice", {"send", "bob", "still you?"}, false));
  EXPECT_EQ(cli.code, 3) << cli.err;
  EXPECT_NE(cli.err.find("hush trust bob"), std::string::npos) << cli.err;

  const Json number = rpc.call("safetyNumber", {{"recipient", "bob"}});
  ASSERT_EQ(number["result"]["identityChanged"], true) << number;
  const std::string key = number["result"]["pendingKey"];
  EXPECT_EQ(rpc.call("trust", {{"recipient", "bob"}, {"expectedKey", "05" + std::string(64, '0')}})["error"]["data"]["error"],
            "conflict");
  EXPECT_TRUE(rpc.call("trust", {{"recipient", "bob"}, {"expectedKey", key}}).contains("result"));
  EXPECT_TRUE(rpc.call("send", {{"recipient", "bob"}, {"message", "welcome back"}}).contains("result"));
  const CliResult got = run_hush(as("bob2", {"receive", "--wait", "30"}, true));
  EXPECT_EQ(json_field(got.out, "text"), "welcome back") << got.out << got.err;

  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(kDeadline).code, 0);
}

TEST_F(DaemonE2e, BadRequestsGetJsonRpcErrorsAndTheDaemonSurvives) {
  REGISTER_OR_SKIP("alice");
  auto daemon = start_daemon("alice");
  RpcSocket rpc(socket_of("alice"));
  ASSERT_TRUE(rpc.connected());

  rpc.write_raw("{not json\n");
  Json parse_error = Json::parse(rpc.read_line().value_or("null"));
  EXPECT_EQ(parse_error["error"]["code"], -32700) << parse_error;
  EXPECT_TRUE(parse_error["id"].is_null());

  rpc.write_raw(R"({"jsonrpc":"1.0","method":"whoami","id":"v"})" "\n");
  EXPECT_EQ(rpc.response_to("v")["error"]["code"], -32600);
  EXPECT_EQ(rpc.call("noSuchMethod")["error"]["code"], -32601);
  EXPECT_EQ(rpc.call("send", {{"message", "no recipient"}})["error"]["code"], -32602);
  EXPECT_EQ(rpc.call("send", {{"recipient", 5}, {"message", "x"}})["error"]["code"], -32602);
  EXPECT_EQ(rpc.call("history", {{"recipient", "bob"}, {"limit", -1}})["error"]["code"], -32602);
  const Json positional = rpc.call("send", Json::array({"bob", "x"}));
  EXPECT_EQ(positional["error"]["code"], -32602);

  // An SDK error: hush's error name and exit-code family.
  const Json nobody = rpc.call("send", {{"recipient", "nobody-here"}, {"message", "x"}});
  EXPECT_EQ(nobody["error"]["code"], -32002) << nobody;
  EXPECT_EQ(nobody["error"]["data"]["error"], "not_found");
  EXPECT_EQ(nobody["error"]["data"]["exitCode"], 2);

  // A batch; a notification gets no answer.
  rpc.write_raw(R"([{"jsonrpc":"2.0","method":"whoami","id":1},{"jsonrpc":"2.0","method":"whoami"},)"
                R"({"jsonrpc":"2.0","method":"nope","id":2}])" "\n");
  const Json batch = Json::parse(rpc.read_line().value_or("null"));
  ASSERT_TRUE(batch.is_array()) << batch;
  EXPECT_EQ(batch.size(), 2u);

  // A line far past the limit without a newline: that client is dropped...
  RpcSocket hostile(socket_of("alice"));
  ASSERT_TRUE(hostile.connected());
  hostile.write_raw(std::string(2u << 20, 'x'));
  EXPECT_FALSE(hostile.read_line().has_value());
  // ...and everyone else is still served.
  EXPECT_EQ(rpc.call("whoami")["result"]["username"], "alice");
  RpcSocket later(socket_of("alice"));
  EXPECT_EQ(later.call("whoami")["result"]["username"], "alice");

  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(kDeadline).code, 0);
}

TEST_F(DaemonE2e, SecondDaemonOnTheHomeIsRefused) {
  REGISTER_OR_SKIP("alice");
  auto daemon = start_daemon("alice");
  const CliResult second = run_hush(as("alice", {"daemon", "--socket", (root_ / "other.sock").string()}));
  EXPECT_EQ(second.code, 8) << second.err;  // conflict
  EXPECT_NE(second.err.find("pid"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find(socket_of("alice").string()), std::string::npos) << second.err;
  EXPECT_FALSE(std::filesystem::exists(root_ / "other.sock"));
  // The first one is untouched.
  EXPECT_EQ(RpcSocket(socket_of("alice")).call("whoami")["result"]["username"], "alice");
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(kDeadline).code, 0);
}

TEST_F(DaemonE2e, CommandsGoThroughARunningDaemon) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "before"})).code, 0);
  ASSERT_EQ(run_hush(as("alice", {"receive", "--wait", "30"})).code, 0);
  // Without a daemon a command with no key cannot open the store.
  EXPECT_EQ(run_hush(keyless("alice", {"contacts"})).code, 4);

  const CliResult contacts_direct = run_hush(as("alice", {"contacts"}, true));
  const CliResult sn_direct = run_hush(as("alice", {"safety-number", "bob"}, true));
  const CliResult history_direct = run_hush(as("alice", {"history", "bob"}, true));
  const CliResult human_history_direct = run_hush(as("alice", {"history", "bob"}));

  auto daemon = start_daemon("alice");
  const CliResult sent = run_hush(keyless("alice", {"send", "bob", "via the daemon"}));
  ASSERT_EQ(sent.code, 0) << sent.err;
  EXPECT_EQ(json_field(sent.out, "type"), "sent");
  EXPECT_EQ(json_field(sent.out, "id").size(), 32u);
  const CliResult bob_got = run_hush(as("bob", {"receive", "--wait", "30"}, true));
  EXPECT_NE(bob_got.out.find("via the daemon"), std::string::npos) << bob_got.out;

  // Same output either way.
  EXPECT_EQ(run_hush(keyless("alice", {"contacts"})).out, contacts_direct.out);
  EXPECT_EQ(run_hush(keyless("alice", {"safety-number", "bob"})).out, sn_direct.out);
  const CliResult history = run_hush(keyless("alice", {"history", "bob"}));
  EXPECT_EQ(lines_of(history.out).size(), lines_of(history_direct.out).size() + 1) << history.out;
  EXPECT_EQ(history.out.rfind(history_direct.out, 0), 0u);
  EXPECT_EQ(run_hush(keyless("alice", {"history", "bob"}, false)).out.rfind(human_history_direct.out, 0), 0u);

  // Same exit codes: a user who does not exist.
  const CliResult nobody = run_hush(keyless("alice", {"send", "nobody-here", "x"}));
  EXPECT_EQ(nobody.code, 2) << nobody.err;
  EXPECT_NE(nobody.err.find("\"error\":\"not_found\""), std::string::npos) << nobody.err;

  // `receive` shows what the daemon received.
  ASSERT_EQ(run_hush(as("bob", {"send", "alice", "while the daemon listens"})).code, 0);
  const CliResult got = run_hush(keyless("alice", {"receive", "--wait", "60"}));
  ASSERT_EQ(got.code, 0) << got.err;
  ASSERT_EQ(lines_of(got.out).size(), 1u) << got.out;
  EXPECT_EQ(json_field(got.out, "text"), "while the daemon listens");
  EXPECT_EQ(json_field(got.out, "from"), "bob");
  const CliResult none = run_hush(keyless("alice", {"receive"}, false));
  EXPECT_EQ(none.code, 0);
  EXPECT_NE(none.err.find("hush daemon"), std::string::npos) << none.err;

  // `group send` too.
  ASSERT_EQ(run_hush(as("bob", {"group", "create", "duo", "--members", "alice"})).code, 0);
  RpcSocket rpc(socket_of("alice"));
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (rpc.call("listGroups")["result"].empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);  // until the daemon received bob's change
  }
  const CliResult gsent = run_hush(keyless("alice", {"group", "send", "duo", "hello duo"}));
  EXPECT_EQ(gsent.code, 0) << gsent.err;
  ASSERT_FALSE(lines_of(gsent.out).empty()) << gsent.err;
  EXPECT_EQ(json_field(lines_of(gsent.out).back(), "type"), "sent") << gsent.out;

  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(kDeadline).code, 0);
  // Gone: commands open the store again.
  EXPECT_EQ(run_hush(keyless("alice", {"contacts"})).code, 4);
}

TEST_F(DaemonE2e, ListenPrintsTheDaemonsMessagesAndChatIsRefused) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  auto daemon = start_daemon("alice");
  CliProcess listen(keyless("alice", {"listen"}));
  // Messages sent before `listen` reached the daemon are not shown by it:
  // send until one is.
  std::optional<std::string> line;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  for (int n = 1; !line && std::chrono::steady_clock::now() < deadline; ++n) {
    ASSERT_EQ(run_hush(as("bob", {"send", "alice", "live " + std::to_string(n)})).code, 0);
    line = listen.read_line(5s);
  }
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(json_field(*line, "type"), "message") << *line;
  EXPECT_EQ(json_field(*line, "from"), "bob");
  EXPECT_EQ(json_field(*line, "text").rfind("live ", 0), 0u) << *line;
  listen.signal(SIGTERM);
  EXPECT_EQ(listen.wait(kDeadline).code, 0);

  const CliResult chat = run_hush(keyless("alice", {"chat", "bob"}, false));
  EXPECT_EQ(chat.code, 8) << chat.err;
  EXPECT_NE(chat.err.find("daemon"), std::string::npos) << chat.err;

  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(kDeadline).code, 0);
}

TEST_F(DaemonE2e, StdioServesOneRequestPerLineAndStopsAtEndOfInput) {
  REGISTER_OR_SKIP("alice");
  CliProcess daemon(as("alice", {"daemon", "--stdio"}));
  daemon.write(R"({"jsonrpc":"2.0","method":"whoami","id":1})" "\n");
  const auto line = daemon.read_line(kDeadline);
  ASSERT_TRUE(line.has_value());
  const Json me = Json::parse(*line);
  EXPECT_EQ(me["id"], 1);
  EXPECT_EQ(me["result"]["username"], "alice");
  daemon.write("oops\n");
  const auto err = daemon.read_line(kDeadline);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(Json::parse(*err)["error"]["code"], -32700);
  // The last request is answered before the daemon stops at end of input.
  daemon.write(R"({"jsonrpc":"2.0","method":"listContacts","id":"last"})" "\n");
  daemon.close_stdin();
  const CliResult done = daemon.wait(kDeadline);
  EXPECT_EQ(done.code, 0) << done.err;
  EXPECT_NE(done.out.find("\"id\":\"last\""), std::string::npos) << done.out;
  EXPECT_FALSE(std::filesystem::exists(socket_of("alice")));
}

TEST_F(DaemonE2e, SigtermRemovesTheSocketAndAKilledDaemonsSocketIsReplaced) {
  REGISTER_OR_SKIP("alice");
  auto first = start_daemon("alice");
  first->signal(SIGKILL);
  first->wait(kDeadline);
  ASSERT_TRUE(is_unix_socket(socket_of("alice")));  // left behind: nobody removed it
  EXPECT_FALSE(RpcSocket(socket_of("alice")).connected());

  auto second = start_daemon("alice");  // replaces the stale socket
  EXPECT_EQ(mode_of(socket_of("alice")), 0600u);
  EXPECT_EQ(RpcSocket(socket_of("alice")).call("whoami")["result"]["username"], "alice");
  second->signal(SIGTERM);
  const CliResult done = second->wait(kDeadline);
  EXPECT_EQ(done.code, 0) << done.err;
  EXPECT_FALSE(std::filesystem::exists(socket_of("alice")));
}

/// Waits for `pid` with a deadline (SIGKILL after it); its exit code or -1.
int wait_child(pid_t pid, std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(50ms);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(DaemonE2e, EchoBotAnswers) {
  REGISTER_OR_SKIP("alice");
  REGISTER_OR_SKIP("bob");
  auto daemon = start_daemon("alice");
  const std::string bot = std::string(HUSH_SOURCE_DIR) + "/examples/echo_bot/echo_bot.py";
  const std::string socket = socket_of("alice").string();
  std::vector<std::string> args = {"python3", bot, "--socket", socket, "--count", "1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawnp(&pid, "python3", nullptr, nullptr, argv.data(), ::environ), 0);
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  std::string echoed;
  int sent = 0;
  while (echoed.empty() && std::chrono::steady_clock::now() < deadline) {
    // Send until the bot (connected at some point) answers one: messages
    // sent before it connected are not echoed.
    ASSERT_EQ(run_hush(as("bob", {"send", "alice", "ping " + std::to_string(++sent)})).code, 0);
    const CliResult got = run_hush(as("bob", {"receive", "--wait", "5"}, true));
    for (const auto& line : lines_of(got.out)) {
      if (json_field(line, "text").rfind("echo: ping ", 0) == 0) echoed = json_field(line, "text");
    }
  }
  EXPECT_EQ(echoed.rfind("echo: ping ", 0), 0u) << echoed;
  EXPECT_EQ(wait_child(pid, kDeadline), 0);  // --count 1: done after one answer
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(kDeadline).code, 0);
}

}  // namespace
}  // namespace hush::testing
