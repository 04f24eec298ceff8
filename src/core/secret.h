#pragma once
#include <string>
#include <string_view>

namespace gatewatch::core {

// A config value that must never be printed: header values, tokens, notifier URLs, HMAC keys.
// Reveal() is the one way to read it, so every use that sends it somewhere is greppable;
// Redacted() is what logs, the API and check-config show.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  // "<redacted>" for a set value, "" for an empty one.
  std::string Redacted() const { return value_.empty() ? std::string() : "<redacted>"; }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

// A URL safe to show: user info ("user:pass@") and the query string's values are replaced
// by "<redacted>" ("https://u:p@h/x?token=abc" -> "https://<redacted>@h/x?token=<redacted>").
std::string RedactUrl(std::string_view url);

}  // namespace gatewatch::core
