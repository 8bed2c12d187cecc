// What the command line prints: human lines or line-delimited JSON (one
// object per line, stable keys, a "type" key first) on stdout; notes,
// warnings and errors on stderr (errors as JSON objects under --json).
// Text from peers is sanitized so it cannot drive the terminal.
#pragma once

#include <hush/util/result.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace hush::cli {

/// One JSON object, built key by key in order. Strings are escaped and
/// invalid UTF-8 becomes U+FFFD.
class JsonObject {
 public:
  explicit JsonObject(std::string_view type);
  JsonObject& add(std::string_view key, std::string_view value);
  JsonObject& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  JsonObject& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
  JsonObject& add(std::string_view key, std::uint64_t value);
  JsonObject& add(std::string_view key, std::uint32_t value) { return add(key, std::uint64_t{value}); }
  JsonObject& add(std::string_view key, int value);
  JsonObject& add(std::string_view key, bool value);
  /// An array of strings.
  JsonObject& add(std::string_view key, const std::vector<std::string>& values);
  /// The object, without a newline.
  [[nodiscard]] std::string str() const { return body_ + "}"; }

 private:
  void key(std::string_view k);
  std::string body_;
};

/// `s` as a JSON string literal (with quotes).
[[nodiscard]] std::string json_string(std::string_view s);

/// `s` safe to print on a terminal: control characters (C0 but tab, DEL, C1)
/// become U+FFFD and so does invalid UTF-8, so a peer cannot send escapes.
[[nodiscard]] std::string terminal_safe(std::string_view s);

class Output {
 public:
  Output(std::ostream& out, std::ostream& err, bool json) : out_(out), err_(err), json_(json) {}

  [[nodiscard]] bool json() const noexcept { return json_; }
  /// A line of human output (stdout); ignored under --json.
  void text(std::string_view line);
  /// A JSON object line (stdout); ignored without --json.
  void object(const JsonObject& o);
  /// A note for a person (stderr), in both modes: progress, hints.
  void note(std::string_view line);
  /// A loud warning (stderr), in both modes.
  void warning(std::string_view line);
  /// Reports `error` (stderr) and returns its exit code. `hint` is an extra
  /// line saying what to do.
  int fail(const Error& error, std::string_view hint = {});
  /// Reports a usage error (stderr) and returns 1.
  int usage(std::string_view message, std::string_view command = {});
  [[nodiscard]] std::ostream& out() noexcept { return out_; }
  [[nodiscard]] std::ostream& err() noexcept { return err_; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool json_;
};

}  // namespace hush::cli
