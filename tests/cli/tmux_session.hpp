// A private tmux server for terminal tests: sessions running a command in a
// real pseudo-terminal, keys sent with send-keys, the screen read back with
// capture-pane. Each TmuxServer has its own socket and is killed at the end.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace hush::testing {

class TmuxServer {
 public:
  TmuxServer();
  ~TmuxServer();
  TmuxServer(const TmuxServer&) = delete;
  TmuxServer& operator=(const TmuxServer&) = delete;

  /// True when a tmux binary is on PATH.
  [[nodiscard]] static bool available();
  /// Starts detached session `name` (width x height) running `argv`.
  bool start(const std::string& name, const std::vector<std::string>& argv, int width = 100, int height = 30);
  /// Types `text` literally.
  void type(const std::string& name, const std::string& text);
  /// Sends one key by tmux name ("Enter", "BSpace", "C-c").
  void key(const std::string& name, const std::string& key);
  /// The visible screen, lines joined by '\n' (trailing blank lines dropped).
  [[nodiscard]] std::string screen(const std::string& name);
  /// Waits until the screen contains `text`; the last screen seen.
  bool wait_for(const std::string& name, const std::string& text, std::chrono::milliseconds timeout,
                std::string* last = nullptr);
  /// True while session `name` exists (its command has not exited).
  [[nodiscard]] bool alive(const std::string& name);

 private:
  std::string run(const std::string& args);
  std::string socket_;
};

/// `s` quoted for /bin/sh.
std::string shell_quote(const std::string& s);

}  // namespace hush::testing
