// Output: JSON escaping and UTF-8 validation, terminal sanitizing, and the
// error line format ("hush: TEXT (CONTEXT)" plus an optional hint line, or
// {"type":"error",...} under --json).
#include "output.hpp"

#include "exit_codes.hpp"

#include <fmt/format.h>

namespace hush::cli {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

/// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

/// C1 controls are U+0080..U+009F, encoded C2 80..C2 9F.
bool is_c1(std::string_view s, std::size_t i, std::size_t n) {
  return n == 2 && static_cast<unsigned char>(s[i]) == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
}

}  // namespace

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (n == 1) {
      const char c = s[i];
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
          } else {
            out += c;
          }
      }
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  out += '"';
  return out;
}

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0 || is_c1(s, i, n) ||
        (n == 1 && s[i] != '\t' && (static_cast<unsigned char>(s[i]) < 0x20 || s[i] == 0x7F))) {
      out += kReplacement;
      i += n == 0 ? 1 : n;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

JsonObject::JsonObject(std::string_view type) : body_("{\"type\":" + json_string(type)) {}

void JsonObject::key(std::string_view k) {
  body_ += ',';
  body_ += json_string(k);
  body_ += ':';
}

JsonObject& JsonObject::add(std::string_view k, std::string_view value) {
  key(k);
  body_ += json_string(value);
  return *this;
}

JsonObject& JsonObject::add(std::string_view k, std::uint64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::add(std::string_view k, int value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::add(std::string_view k, bool value) {
  key(k);
  body_ += value ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::add(std::string_view k, const std::vector<std::string>& values) {
  key(k);
  body_ += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) body_ += ',';
    body_ += json_string(values[i]);
  }
  body_ += ']';
  return *this;
}

void Output::text(std::string_view line) {
  if (json_) return;
  out_ << line << '\n';
  out_.flush();
}

void Output::object(const JsonObject& o) {
  if (!json_) return;
  out_ << o.str() << '\n';
  out_.flush();
}

void Output::note(std::string_view line) {
  err_ << line << '\n';
  err_.flush();
}

void Output::warning(std::string_view line) {
  err_ << "WARNING: " << line << '\n';
  err_.flush();
}

int Output::fail(const Error& error, std::string_view hint) {
  const ErrorInfo info = error_info(error.code);
  const std::string_view context = error.context != nullptr ? error.context : "";
  if (json_) {
    JsonObject o("error");
    o.add("error", errc_name(error.code)).add("exit_code", static_cast<int>(info.exit)).add("message", info.text);
    o.add("context", context);
    if (!hint.empty()) o.add("hint", hint);
    err_ << o.str() << '\n';
  } else {
    err_ << "hush: " << info.text;
    if (!context.empty()) err_ << " (" << context << ")";
    err_ << '\n';
    if (!hint.empty()) err_ << "hint: " << hint << '\n';
  }
  err_.flush();
  return static_cast<int>(info.exit);
}

int Output::usage(std::string_view message, std::string_view command) {
  if (json_) {
    JsonObject o("error");
    o.add("error", "usage").add("exit_code", static_cast<int>(ExitCode::usage)).add("message", message);
    err_ << o.str() << '\n';
  } else {
    err_ << "hush: " << message << '\n';
    err_ << "Try 'hush " << (command.empty() ? "" : std::string(command) + " ") << "--help'.\n";
  }
  err_.flush();
  return static_cast<int>(ExitCode::usage);
}

}  // namespace hush::cli
