#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

// Checks of single config values that need no TOML: each returns nullopt for a valid value,
// else the message shown after the key path (secrets and URL credentials never included).
// Internal to src/config/ (load.cpp); exposed in a header for tests. Pure, thread-safe.
namespace gatewatch::config {

inline constexpr std::size_t kMaxTargetNameLength = 128;
inline constexpr std::uint32_t kMaxShardCount = 1024;

// "host:port": host is an IPv4 literal, a DNS name or a bracketed IPv6 literal; port 0..65535.
std::optional<std::string> CheckListen(std::string_view listen);

// http:// or https:// (case-insensitive), with a host, no whitespace or control characters,
// and a numeric port <= 65535 if one is given. Messages show the URL through core::RedactUrl.
std::optional<std::string> CheckTargetUrl(std::string_view url);

// CheckTargetUrl's rules for a notifier URL, which is a secret as a whole (chat webhook URLs
// carry their token in the path): messages show at most the scheme, e.g. "ftp://<redacted>".
std::optional<std::string> CheckNotifierUrl(std::string_view url);

// A notifier `template`: every "{{...}}" must be one of kTemplatePlaceholders (exact
// spelling, no spaces), and every "{{" must be closed.
std::optional<std::string> CheckTemplate(std::string_view text);

// ASCII case-insensitive equality (header names, URL schemes).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// [A-Za-z0-9_.-]+, 1..128 characters. Also the rule for alert and notifier names.
bool IsValidTargetName(std::string_view name);

// A target name in which `*` and `?` may also appear (an alert's `targets` entry).
bool IsValidTargetGlob(std::string_view glob);

// True when `text` contains `*` or `?`.
bool IsGlob(std::string_view text);

// An RFC 9110 token: the characters allowed in a header name.
bool IsHttpToken(std::string_view name);

// A Prometheus label name that gatewatch does not reserve for itself.
std::optional<std::string> CheckLabelName(std::string_view name);

// CheckLabelName, and also not "alertname" or "severity", which every alert sets
// (agent.labels are added to every alert).
std::optional<std::string> CheckAgentLabelName(std::string_view name);

// "200" (100..599) -> exact code; "2xx" / "2XX" (1..5) -> class; else nullopt.
std::optional<StatusMatcher> ParseStatusMatcher(std::string_view text);

// "i/n" with 0 <= i < n <= kMaxShardCount; else nullopt.
std::optional<Shard> ParseShard(std::string_view text);

// Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), ASCII
// case-insensitive; for "did you mean" suggestions.
int EditDistance(std::string_view a, std::string_view b);

// `text` in double quotes for a message: `"` and `\` escaped, control bytes as \xNN, and cut
// to about 100 bytes with "..." so a huge value cannot flood the terminal.
std::string Quote(std::string_view text);

}  // namespace gatewatch::config
